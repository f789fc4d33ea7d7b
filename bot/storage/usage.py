"""Repository functions for model token usage per user per day."""

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
    prompt_tokens: int,
    completion_tokens: int,
) -> None:
    """Add one model request's tokens to the user's total for the day."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(UsageRow).values(
        user_id=user_id,
        day=day,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        requests=1,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "day"],
            set_={
                "prompt_tokens": UsageRow.prompt_tokens + statement.excluded.prompt_tokens,
                "completion_tokens": UsageRow.completion_tokens
                + statement.excluded.completion_tokens,
                "requests": UsageRow.requests + 1,
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
    """Prompt plus completion tokens the user spent on ``day``."""
    total = await session.scalar(
        select(UsageRow.prompt_tokens + UsageRow.completion_tokens).where(
            UsageRow.user_id == user_id, UsageRow.day == day
        )
    )
    return int(total or 0)


async def usage_of(session: AsyncSession, user_id: int) -> list[DailyUsage]:
    rows = await session.scalars(
        select(UsageRow).where(UsageRow.user_id == user_id).order_by(UsageRow.day)
    )
    return [
        DailyUsage(
            user_id=row.user_id,
            day=row.day,
            prompt_tokens=row.prompt_tokens,
            completion_tokens=row.completion_tokens,
            requests=row.requests,
            messages=row.messages,
        )
        for row in rows
    ]
