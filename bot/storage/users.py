"""Repository functions for users and their profiles; callers own the transaction."""

from __future__ import annotations

import functools
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.profile import Activity, BmiScale, Goal, Profile, Sex, UnitSystem
from bot.domain.users import User
from bot.storage.erasure import delete_user_rows
from bot.storage.models import User as UserRow
from bot.storage.models import table_of


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
    statement = insert(UserRow).values(**values)
    changes: dict[str, Any] = {key: statement.excluded[key] for key in values if key != "id"}
    changes["blocked_at"] = None
    changes["updated_at"] = func.now()
    upsert = statement.on_conflict_do_update(index_elements=["id"], set_=changes)
    result = await session.execute(upsert.returning(UserRow.language))
    return result.scalar_one()


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    row = await session.get(UserRow, user_id)
    return None if row is None else _user(row)


async def get_profile(session: AsyncSession, user_id: int) -> Profile | None:
    """The user's profile, or None when the user was never recorded."""
    row = (await session.execute(_profile_statement(), {"user_id_": user_id})).first()
    return None if row is None else _profile(row)


_PROFILE_COLUMNS = (
    "height_cm",
    "weight_kg",
    "age",
    "sex",
    "units",
    "goal",
    "activity",
    "waist_cm",
    "bmi_scale",
    "units_chosen",
)


@functools.cache
def _profile_statement() -> Select[Any]:
    # Read for every message the coach answers: built once, only the profile's columns, as a
    # plain row (cheaper than loading the mapped user).
    users = table_of(UserRow)
    return select(*(users.c[name] for name in _PROFILE_COLUMNS)).where(
        users.c.id == bindparam("user_id_")
    )


async def save_profile(session: AsyncSession, user_id: int, profile: Profile) -> None:
    """Write the profile (SI units) of an existing user."""
    await session.execute(
        update(UserRow)
        .where(UserRow.id == user_id)
        .values(**_profile_columns(profile), updated_at=func.now())
    )


async def save_language(session: AsyncSession, user_id: int, language: str | None) -> None:
    """Store the language a user chose (None: follow their Telegram app again)."""
    await session.execute(
        update(UserRow)
        .where(UserRow.id == user_id)
        .values(language=language, updated_at=func.now())
    )


async def languages(
    session: AsyncSession, user_ids: Collection[int]
) -> dict[int, tuple[str | None, str | None]]:
    """Each known user's chosen language and Telegram app language, by id."""
    if not user_ids:
        return {}
    result = await session.execute(
        select(UserRow.id, UserRow.language, UserRow.language_code).where(UserRow.id.in_(user_ids))
    )
    return {user_id: (language, code) for user_id, language, code in result.all()}


async def delete_user(session: AsyncSession, user_id: int) -> bool:
    """Delete a user and every row about them (the tables in erasure.USER_OWNED)."""
    return await delete_user_rows(session, user_id)


async def mark_blocked(session: AsyncSession, user_id: int, when: datetime | None = None) -> None:
    """Remember that the user blocked the bot; broadcasts skip them from now on."""
    await session.execute(
        update(UserRow)
        .where(UserRow.id == user_id, UserRow.blocked_at.is_(None))
        .values(blocked_at=when or datetime.now(UTC))
    )


async def mark_unblocked(session: AsyncSession, user_id: int) -> None:
    await session.execute(update(UserRow).where(UserRow.id == user_id).values(blocked_at=None))


async def set_timezone(session: AsyncSession, user_id: int, timezone: str) -> None:
    """Keep the user's IANA time zone (validated by the caller)."""
    await session.execute(
        update(UserRow)
        .where(UserRow.id == user_id)
        .values(timezone=timezone, updated_at=func.now())
    )


# --- rows to domain objects -------------------------------------------------------------------


def _user(row: UserRow) -> User:
    return User(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        username=row.username,
        language_code=row.language_code,
        language=row.language,
        chat_id=row.chat_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        last_seen_at=row.last_seen_at,
        blocked_at=row.blocked_at,
        timezone=row.timezone,
        profile=_profile(row),
    )


def _profile(row: UserRow | Row[Any]) -> Profile:
    return Profile(
        height_cm=row.height_cm,
        weight_kg=row.weight_kg,
        age=row.age,
        sex=Sex(row.sex) if row.sex else None,
        units=UnitSystem(row.units) if row.units else UnitSystem.METRIC,
        goal=Goal(row.goal) if row.goal else None,
        activity=Activity(row.activity) if row.activity else None,
        waist_cm=row.waist_cm,
        bmi_scale=BmiScale(row.bmi_scale) if row.bmi_scale else BmiScale.STANDARD,
        units_chosen=bool(row.units_chosen),
    )


def _profile_columns(profile: Profile) -> dict[str, Any]:
    """Profile fields as columns: SI units, enums as their text values."""
    return {
        "height_cm": profile.height_cm,
        "weight_kg": profile.weight_kg,
        "age": profile.age,
        "sex": profile.sex.value if profile.sex else None,
        "units": profile.units.value,
        "units_chosen": profile.units_chosen,
        "goal": profile.goal.value if profile.goal else None,
        "activity": profile.activity.value if profile.activity else None,
        "waist_cm": profile.waist_cm,
        "bmi_scale": profile.bmi_scale.value,
    }
