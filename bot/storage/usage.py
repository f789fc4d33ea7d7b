"""Repository functions for what each user spends per day: model tokens, voice seconds, images."""

from __future__ import annotations

import functools
from datetime import date

from sqlalchemy import BigInteger, Date, Integer, bindparam, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from bot.domain.users import DailyUsage
from bot.storage.engine import is_postgres
from bot.storage.models import DailyUsage as UsageRow
from bot.storage.models import User as UserRow
from bot.storage.models import table_of


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
    await session.execute(
        _add_usage_statement(is_postgres(session)),
        {
            "user_id_": user_id,
            "day_": day,
            "prompt_tokens_": prompt_tokens,
            "completion_tokens_": completion_tokens,
            "requests_": requests,
            "voice_seconds_": voice_seconds,
            "images_": images,
        },
    )


async def add_message(session: AsyncSession, *, user_id: int, day: date, count: int = 1) -> None:
    """Count ``count`` messages the user sent the bot on ``day`` (text, command, media, voice)."""
    await session.execute(
        _add_message_statement(is_postgres(session)),
        {"user_id_": user_id, "day_": day, "count_": count},
    )


_USAGE = table_of(UsageRow)
# Both run for every message: built once, since building an upsert cost more CPU than running it.


@functools.cache
def _add_usage_statement(postgres: bool) -> Insert:
    insert = postgresql.insert if postgres else sqlite.insert
    # The table, not the mapped class: executed with parameters, an ORM insert is a bulk insert.
    statement = insert(_USAGE).values(
        {
            name: bindparam(f"{name}_")
            for name in (
                "user_id",
                "day",
                "prompt_tokens",
                "completion_tokens",
                "requests",
                "voice_seconds",
                "images",
            )
        }
    )
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["user_id", "day"],
        set_={
            "prompt_tokens": _USAGE.c.prompt_tokens + excluded.prompt_tokens,
            "completion_tokens": _USAGE.c.completion_tokens + excluded.completion_tokens,
            "requests": _USAGE.c.requests + excluded.requests,
            "voice_seconds": _USAGE.c.voice_seconds + excluded.voice_seconds,
            "images": _USAGE.c.images + excluded.images,
        },
    )


@functools.cache
def _add_message_statement(postgres: bool) -> Insert:
    insert = postgresql.insert if postgres else sqlite.insert
    user_id = bindparam("user_id_", type_=BigInteger)
    # Only for a user still on record: one erased a moment ago by another instance is skipped.
    count = bindparam("count_", type_=Integer)
    row = select(user_id, bindparam("day_", type_=Date), count).where(
        exists().where(UserRow.id == user_id)
    )
    statement = insert(_USAGE).from_select(["user_id", "day", "messages"], row)
    return statement.on_conflict_do_update(
        index_elements=["user_id", "day"],
        set_={"messages": _USAGE.c.messages + statement.excluded.messages},
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
