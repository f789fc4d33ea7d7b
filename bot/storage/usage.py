"""Repository functions for model token usage per user per day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DailyUsage


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
    statement = insert(DailyUsage).values(
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
                "prompt_tokens": DailyUsage.prompt_tokens + statement.excluded.prompt_tokens,
                "completion_tokens": DailyUsage.completion_tokens
                + statement.excluded.completion_tokens,
                "requests": DailyUsage.requests + 1,
            },
        )
    )


async def tokens_used(session: AsyncSession, user_id: int, day: date) -> int:
    """Prompt plus completion tokens the user spent on ``day``."""
    total = await session.scalar(
        select(DailyUsage.prompt_tokens + DailyUsage.completion_tokens).where(
            DailyUsage.user_id == user_id, DailyUsage.day == day
        )
    )
    return int(total or 0)


async def usage_of(session: AsyncSession, user_id: int) -> list[DailyUsage]:
    rows = await session.scalars(
        select(DailyUsage).where(DailyUsage.user_id == user_id).order_by(DailyUsage.day)
    )
    return list(rows)
