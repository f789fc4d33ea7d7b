"""Repository functions for users and their profiles; callers own the transaction."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import User

PROFILE_COLUMNS = (
    "height_cm",
    "weight_kg",
    "age",
    "sex",
    "units",
    "goal",
    "activity",
    "waist_cm",
    "bmi_scale",
)


async def upsert_user(
    session: AsyncSession,
    *,
    user_id: int,
    first_name: str | None,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = None,
    chat_id: int | None = None,
) -> str | None:
    """Record a user who wrote to the bot, refreshing their names and last-seen time.

    A user who writes is reachable again, so any earlier block is cleared. Returns the
    language they chose with /language (None when they never chose), read in the same statement.
    """
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "id": user_id,
        "first_name": first_name,
        "last_name": last_name,
        "username": username,
        "language_code": language_code,
        "last_seen_at": now,
    }
    if chat_id is not None:
        values["chat_id"] = chat_id
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(User).values(**values)
    changes: dict[str, Any] = {key: statement.excluded[key] for key in values if key != "id"}
    changes["blocked_at"] = None
    changes["updated_at"] = func.now()
    upsert = statement.on_conflict_do_update(index_elements=["id"], set_=changes)
    result = await session.execute(upsert.returning(User.language))
    return result.scalar_one()


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def save_profile(session: AsyncSession, user_id: int, fields: Mapping[str, Any]) -> None:
    """Write profile columns (SI units) for an existing user."""
    unknown = set(fields) - set(PROFILE_COLUMNS)
    if unknown:
        raise ValueError(f"not profile columns: {sorted(unknown)}")
    await session.execute(
        update(User).where(User.id == user_id).values(**fields, updated_at=func.now())
    )


async def save_language(session: AsyncSession, user_id: int, language: str | None) -> None:
    """Store the language a user chose (None: follow their Telegram app again)."""
    await session.execute(
        update(User).where(User.id == user_id).values(language=language, updated_at=func.now())
    )


async def languages(
    session: AsyncSession, user_ids: Collection[int]
) -> dict[int, tuple[str | None, str | None]]:
    """Each known user's chosen language and Telegram app language, by id."""
    if not user_ids:
        return {}
    result = await session.execute(
        select(User.id, User.language, User.language_code).where(User.id.in_(user_ids))
    )
    return {user_id: (language, code) for user_id, language, code in result.all()}


async def delete_user(session: AsyncSession, user_id: int) -> bool:
    """Delete a user and, through ON DELETE CASCADE, every row that belongs to them."""
    result = await session.execute(delete(User).where(User.id == user_id))
    return bool(getattr(result, "rowcount", 0))


async def mark_blocked(session: AsyncSession, user_id: int, when: datetime | None = None) -> None:
    """Remember that the user blocked the bot; broadcasts skip them from now on."""
    await session.execute(
        update(User)
        .where(User.id == user_id, User.blocked_at.is_(None))
        .values(blocked_at=when or datetime.now(UTC))
    )


async def mark_unblocked(session: AsyncSession, user_id: int) -> None:
    await session.execute(update(User).where(User.id == user_id).values(blocked_at=None))


async def count_users(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)
