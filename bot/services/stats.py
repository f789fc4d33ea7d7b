"""What /stats shows the admin: users, activity, today's model tokens and recent broadcasts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.domain.broadcasts import BroadcastState, DeliveryState
from bot.storage import Database
from bot.storage import broadcasts as broadcast_rows
from bot.storage import stats as stats_rows

__all__ = ["RECENT_BROADCASTS", "BotStats", "BroadcastSummary", "StatsService"]

RECENT_BROADCASTS = 5


@dataclass(frozen=True, slots=True)
class BroadcastSummary:
    """One past broadcast for /stats."""

    broadcast_id: int
    created_at: datetime
    state: BroadcastState
    total: int
    sent: int
    blocked: int
    failed: int
    pending: int


@dataclass(frozen=True, slots=True)
class BotStats:
    """What /stats shows; times are UTC."""

    users_total: int
    active_7d: int
    blocked: int
    messages_today: int  # every message users sent the bot: text, commands, media, voice
    messages_7d: int  # the same over today and the six days before (UTC)
    to_coach_today: int  # of those, what the coach answered (text, voice; not commands)
    to_coach_7d: int
    tokens_today: int
    broadcasts: tuple[BroadcastSummary, ...]
    voice_seconds_today: int = 0
    images_today: int = 0


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StatsService:
    """Reads the numbers the admin sees; never writes."""

    def __init__(self, database: Database, *, clock: Callable[[], datetime] = _utcnow) -> None:
        self._database = database
        self._now = clock

    async def overview(self, now: datetime | None = None) -> BotStats:
        """Users, messages, today's model tokens and recent broadcasts, in one transaction."""
        now = now or self._now()
        week_ago = now - timedelta(days=7)
        day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        async with self._database.transaction() as session:
            users_total = await stats_rows.count_users(session)
            active = await stats_rows.count_active_users(session, week_ago)
            blocked = await stats_rows.count_blocked_users(session)
            messages_today = await stats_rows.count_messages_sent(session, day_start.date())
            messages_week = await stats_rows.count_messages_sent(
                session, day_start.date() - timedelta(days=6)
            )
            to_coach_today = await stats_rows.count_user_messages(session, day_start)
            to_coach_week = await stats_rows.count_user_messages(session, week_ago)
            tokens = await stats_rows.tokens_on_day(session, day_start.date())
            voice_seconds, images = await stats_rows.media_on_day(session, day_start.date())
            recent = await broadcast_rows.recent_broadcasts(session, RECENT_BROADCASTS)
            counts = await broadcast_rows.counts_by_broadcast(session, [b.id for b in recent])
        summaries = tuple(
            BroadcastSummary(
                broadcast_id=b.id,
                created_at=b.created_at,
                state=BroadcastState(b.state),
                total=b.total,
                sent=counts[b.id][DeliveryState.SENT],
                blocked=counts[b.id][DeliveryState.BLOCKED],
                failed=counts[b.id][DeliveryState.FAILED],
                pending=counts[b.id][DeliveryState.PENDING],
            )
            for b in recent
        )
        return BotStats(
            users_total=users_total,
            active_7d=active,
            blocked=blocked,
            messages_today=messages_today,
            messages_7d=messages_week,
            to_coach_today=to_coach_today,
            to_coach_7d=to_coach_week,
            tokens_today=tokens,
            broadcasts=summaries,
            voice_seconds_today=voice_seconds,
            images_today=images,
        )
