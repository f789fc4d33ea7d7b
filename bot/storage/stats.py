"""The counts behind /stats: users, activity, messages, tokens; callers own the transaction."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import DailyUsage, Message, User


async def count_users(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def count_blocked_users(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(User).where(User.blocked_at.is_not(None))
        )
        or 0
    )


async def count_active_users(session: AsyncSession, since: datetime) -> int:
    """Users seen since ``since``, by their last update or by a message they wrote."""
    wrote = exists().where(
        Message.user_id == User.id, Message.role == "user", Message.created_at >= since
    )
    return int(
        await session.scalar(
            select(func.count()).select_from(User).where(or_(User.last_seen_at >= since, wrote))
        )
        or 0
    )


async def count_messages_sent(session: AsyncSession, since: date) -> int:
    """Every message users sent the bot on ``since`` (a UTC day) and after: free text,
    commands, photos, voice and other media alike (counted as they arrive, see
    ``usage.add_message``; group chatter not addressed to the bot is not counted)."""
    total = await session.scalar(
        select(func.sum(DailyUsage.messages)).where(DailyUsage.day >= since)
    )
    return int(total or 0)


async def count_user_messages(session: AsyncSession, since: datetime) -> int:
    """Messages users sent the coach since ``since`` (text, transcribed voice; not commands)."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.role == "user", Message.created_at >= since)
        )
        or 0
    )


async def tokens_on_day(session: AsyncSession, day: date) -> int:
    """All users' tokens on ``day``, for /stats."""
    total = await session.scalar(
        select(func.sum(DailyUsage.prompt_tokens + DailyUsage.completion_tokens)).where(
            DailyUsage.day == day
        )
    )
    return int(total or 0)


async def media_on_day(session: AsyncSession, day: date) -> tuple[int, int]:
    """All users' transcribed voice seconds and images on ``day``, for /stats."""
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(DailyUsage.voice_seconds), 0),
                func.coalesce(func.sum(DailyUsage.images), 0),
            ).where(DailyUsage.day == day)
        )
    ).one()
    return int(row[0]), int(row[1])
