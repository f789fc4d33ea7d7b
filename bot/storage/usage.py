"""Repository functions for what each user spends per day: model tokens, voice seconds, images."""

from __future__ import annotations

from datetime import date

from sqlalchemy import BigInteger, Date, Integer, exists, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.users import DailyUsage
from bot.storage.models import DailyUsage as UsageRow
from bot.storage.models import User as UserRow


async def add_usage(
    session: AsyncSession,
    *,
    user_id: int,
    day: date,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    voice_seconds: int = 0,
    images: int = 0,
    requests: int = 1,
) -> None:
    """Add one request's tokens, voice seconds and images to the user's total for the day."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(UsageRow).values(
        user_id=user_id,
        day=day,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        requests=requests,
        voice_seconds=voice_seconds,
        images=images,
    )
    excluded = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "day"],
            set_={
                "prompt_tokens": UsageRow.prompt_tokens + excluded.prompt_tokens,
                "completion_tokens": UsageRow.completion_tokens + excluded.completion_tokens,
                "requests": UsageRow.requests + excluded.requests,
                "voice_seconds": UsageRow.voice_seconds + excluded.voice_seconds,
                "images": UsageRow.images + excluded.images,
            },
        )
    )


async def add_message(session: AsyncSession, *, user_id: int, day: date) -> None:
    """Count one message the user sent the bot on ``day`` (text, command, media or voice)."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    # Only for a user still on record: one erased a moment ago by another instance is skipped.
    row = select(literal(user_id, BigInteger), literal(day, Date), literal(1, Integer)).where(
        exists().where(UserRow.id == user_id)
    )
    statement = insert(UsageRow).from_select(["user_id", "day", "messages"], row)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "day"], set_={"messages": UsageRow.messages + 1}
        )
    )


async def tokens_used(session: AsyncSession, user_id: int, day: date) -> int:
    """What the user spent on ``day`` in tokens, voice seconds and images converted."""
    row = await session.scalar(
        select(UsageRow).where(UsageRow.user_id == user_id, UsageRow.day == day)
    )
    return 0 if row is None else _usage(row).charged_tokens


async def usage_of(session: AsyncSession, user_id: int) -> list[DailyUsage]:
    rows = await session.scalars(
        select(UsageRow).where(UsageRow.user_id == user_id).order_by(UsageRow.day)
    )
    return [_usage(row) for row in rows]


def _usage(row: UsageRow) -> DailyUsage:
    return DailyUsage(
        user_id=row.user_id,
        day=row.day,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        requests=row.requests,
        voice_seconds=row.voice_seconds,
        images=row.images,
        messages=row.messages,
    )
