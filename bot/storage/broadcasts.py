"""Repository functions for broadcasts and their deliveries; rows go out as domain objects.

Callers own the transaction; the lease functions are single conditional UPDATEs, so two bot
instances racing for one broadcast cannot both win.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.broadcasts import Broadcast, BroadcastState, Delivery, DeliveryState, Recipient
from bot.storage.models import Broadcast as BroadcastRow
from bot.storage.models import BroadcastDelivery as DeliveryRow
from bot.storage.models import User

ERROR_MAX_LENGTH = 200


def _reachable() -> ColumnElement[bool]:
    return and_(User.chat_id.is_not(None), User.blocked_at.is_(None))


async def create_broadcast(
    session: AsyncSession,
    *,
    admin_id: int,
    admin_chat_id: int,
    text_html: str | None = None,
    source_chat_id: int | None = None,
    source_message_id: int | None = None,
) -> Broadcast:
    """Save a draft: HTML text, or a message to copy (``source_chat_id``/``source_message_id``)."""
    if (text_html is None) == (source_message_id is None):
        raise ValueError("a broadcast has either text or a message to copy, not both or neither")
    row = BroadcastRow(
        admin_id=admin_id,
        admin_chat_id=admin_chat_id,
        text_html=text_html,
        source_chat_id=source_chat_id,
        source_message_id=source_message_id,
        state=BroadcastState.DRAFT,
        # Set here rather than by the server, so the new row maps without a re-read.
        created_at=datetime.now(UTC),
    )
    session.add(row)
    await session.flush()
    return _broadcast(row)


async def get_broadcast(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    row = await session.scalar(
        select(BroadcastRow)
        .where(BroadcastRow.id == broadcast_id)
        .execution_options(populate_existing=True)
    )
    return None if row is None else _broadcast(row)


async def count_reachable_users(session: AsyncSession) -> int:
    """Users a broadcast would reach now: they have a private chat and have not blocked us."""
    return int(
        await session.scalar(select(func.count()).select_from(User).where(_reachable())) or 0
    )


async def set_panel_message(session: AsyncSession, broadcast_id: int, message_id: int) -> None:
    """Remember the admin's message that shows the buttons and, later, the progress."""
    await session.execute(
        update(BroadcastRow)
        .where(BroadcastRow.id == broadcast_id)
        .values(panel_message_id=message_id)
    )


async def start_sending(session: AsyncSession, broadcast_id: int, now: datetime) -> int | None:
    """Turn a draft into a sending broadcast with one pending delivery per reachable user.

    Returns the number of recipients, or None when the broadcast is no longer a draft (a second
    press of Send, or Cancel came first).
    """
    result = await session.execute(
        update(BroadcastRow)
        .where(BroadcastRow.id == broadcast_id, BroadcastRow.state == BroadcastState.DRAFT)
        .values(state=BroadcastState.SENDING, started_at=now)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    recipients = select(
        literal(broadcast_id),
        User.id,
        literal(DeliveryState.PENDING.value),
        literal(0),
    ).where(_reachable())
    await session.execute(
        insert(DeliveryRow).from_select(
            ["broadcast_id", "user_id", "state", "attempts"], recipients
        )
    )
    total = int(
        await session.scalar(
            select(func.count())
            .select_from(DeliveryRow)
            .where(DeliveryRow.broadcast_id == broadcast_id)
        )
        or 0
    )
    await session.execute(
        update(BroadcastRow).where(BroadcastRow.id == broadcast_id).values(total=total)
    )
    return total


async def cancel_broadcast(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """Stop a draft or a sending broadcast; False when it had already ended."""
    result = await session.execute(
        update(BroadcastRow)
        .where(
            BroadcastRow.id == broadcast_id,
            BroadcastRow.state.in_([BroadcastState.DRAFT, BroadcastState.SENDING]),
        )
        .values(state=BroadcastState.CANCELLED, finished_at=now)
    )
    return getattr(result, "rowcount", 0) == 1


def _claimable(owner: str, now: datetime) -> ColumnElement[bool]:
    return and_(
        BroadcastRow.state == BroadcastState.SENDING,
        or_(
            BroadcastRow.owner.is_(None),
            BroadcastRow.owner == owner,
            BroadcastRow.lease_expires_at.is_(None),
            BroadcastRow.lease_expires_at < now,
        ),
    )


async def claim_next(
    session: AsyncSession, *, owner: str, now: datetime, ttl: timedelta
) -> Broadcast | None:
    """Take the lease on the oldest sending broadcast nobody else holds; None if there is none.

    On PostgreSQL the candidate row is locked with SKIP LOCKED so racing instances pick
    different rows instead of queueing; the conditional UPDATE alone already decides the race.
    """
    candidate = (
        select(BroadcastRow.id).where(_claimable(owner, now)).order_by(BroadcastRow.id).limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    broadcast_id = await session.scalar(candidate)
    if broadcast_id is None:
        return None
    result = await session.execute(
        update(BroadcastRow)
        .where(BroadcastRow.id == broadcast_id, _claimable(owner, now))
        .values(owner=owner, lease_expires_at=now + ttl)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    return await get_broadcast(session, broadcast_id)


async def renew_lease(
    session: AsyncSession, broadcast_id: int, *, owner: str, now: datetime, ttl: timedelta
) -> bool:
    """Extend our lease; False when the broadcast was cancelled or another instance took it."""
    result = await session.execute(
        update(BroadcastRow)
        .where(
            BroadcastRow.id == broadcast_id,
            BroadcastRow.owner == owner,
            BroadcastRow.state == BroadcastState.SENDING,
        )
        .values(lease_expires_at=now + ttl)
    )
    return getattr(result, "rowcount", 0) == 1


async def release_lease(session: AsyncSession, broadcast_id: int, *, owner: str) -> None:
    """Give the broadcast back so the next instance (or this one after a restart) resumes it."""
    await session.execute(
        update(BroadcastRow)
        .where(BroadcastRow.id == broadcast_id, BroadcastRow.owner == owner)
        .values(owner=None, lease_expires_at=None)
    )


async def finish_broadcast(
    session: AsyncSession, broadcast_id: int, *, owner: str, now: datetime
) -> bool:
    """Mark our sending broadcast done and drop the lease; False if it was not ours to end."""
    result = await session.execute(
        update(BroadcastRow)
        .where(
            BroadcastRow.id == broadcast_id,
            BroadcastRow.owner == owner,
            BroadcastRow.state == BroadcastState.SENDING,
        )
        .values(state=BroadcastState.DONE, finished_at=now, owner=None, lease_expires_at=None)
    )
    return getattr(result, "rowcount", 0) == 1


async def pending_recipients(
    session: AsyncSession, broadcast_id: int, *, after_user_id: int | None, limit: int
) -> list[Recipient]:
    """The next ``limit`` pending deliveries in user id order, after ``after_user_id``."""
    query = (
        select(
            DeliveryRow.user_id,
            User.chat_id,
            User.blocked_at.is_not(None),
            DeliveryRow.attempts,
        )
        .join(User, User.id == DeliveryRow.user_id)
        .where(
            DeliveryRow.broadcast_id == broadcast_id,
            DeliveryRow.state == DeliveryState.PENDING,
        )
        .order_by(DeliveryRow.user_id)
        .limit(limit)
    )
    if after_user_id is not None:
        query = query.where(DeliveryRow.user_id > after_user_id)
    rows = await session.execute(query)
    return [
        Recipient(user_id=user_id, chat_id=chat_id, blocked=bool(blocked), attempts=attempts)
        for user_id, chat_id, blocked, attempts in rows
    ]


async def record_attempt(
    session: AsyncSession,
    broadcast_id: int,
    user_id: int,
    *,
    state: DeliveryState,
    now: datetime,
    error: str | None = None,
) -> bool:
    """Store the answer to one send (PENDING: try again later); False if it was settled before."""
    values: dict[str, object] = {
        "state": state,
        "attempts": DeliveryRow.attempts + 1,
        "error": error[:ERROR_MAX_LENGTH] if error else None,
    }
    if state is DeliveryState.SENT:
        values["sent_at"] = now
    result = await session.execute(
        update(DeliveryRow)
        .where(
            DeliveryRow.broadcast_id == broadcast_id,
            DeliveryRow.user_id == user_id,
            DeliveryRow.state == DeliveryState.PENDING,
        )
        .values(**values)
    )
    return getattr(result, "rowcount", 0) == 1


async def delivery_counts(session: AsyncSession, broadcast_id: int) -> dict[DeliveryState, int]:
    """Deliveries of one broadcast per state; every state is present, zero when none."""
    counts = await counts_by_broadcast(session, [broadcast_id])
    return counts.get(broadcast_id, dict.fromkeys(DeliveryState, 0))


async def counts_by_broadcast(
    session: AsyncSession, broadcast_ids: Sequence[int]
) -> dict[int, dict[DeliveryState, int]]:
    """Deliveries per state for several broadcasts in one query."""
    if not broadcast_ids:
        return {}
    rows = await session.execute(
        select(DeliveryRow.broadcast_id, DeliveryRow.state, func.count())
        .where(DeliveryRow.broadcast_id.in_(broadcast_ids))
        .group_by(DeliveryRow.broadcast_id, DeliveryRow.state)
    )
    counts = {broadcast_id: dict.fromkeys(DeliveryState, 0) for broadcast_id in broadcast_ids}
    for broadcast_id, state, count in rows:
        counts[broadcast_id][DeliveryState(state)] = int(count)
    return counts


async def broadcast_with_counts(
    session: AsyncSession, broadcast_id: int
) -> tuple[Broadcast, dict[DeliveryState, int]] | None:
    """A broadcast as stored now, with its deliveries per state; None for an unknown id."""
    broadcast = await get_broadcast(session, broadcast_id)
    if broadcast is None:
        return None
    return broadcast, await delivery_counts(session, broadcast_id)


async def recent_broadcasts(session: AsyncSession, limit: int) -> list[Broadcast]:
    """The newest broadcasts that were confirmed (drafts never sent are left out)."""
    rows = await session.scalars(
        select(BroadcastRow)
        .where(BroadcastRow.state != BroadcastState.DRAFT, BroadcastRow.started_at.is_not(None))
        .order_by(BroadcastRow.id.desc())
        .limit(limit)
    )
    return [_broadcast(row) for row in rows]


async def deliveries_of(session: AsyncSession, user_id: int) -> list[Delivery]:
    """Every broadcast delivery addressed to one user, for /export."""
    rows = await session.scalars(
        select(DeliveryRow).where(DeliveryRow.user_id == user_id).order_by(DeliveryRow.broadcast_id)
    )
    return [_delivery(row) for row in rows]


# --- rows to domain objects -------------------------------------------------------------------


def _broadcast(row: BroadcastRow) -> Broadcast:
    return Broadcast(
        id=row.id,
        admin_id=row.admin_id,
        admin_chat_id=row.admin_chat_id,
        state=BroadcastState(row.state),
        created_at=row.created_at,
        text_html=row.text_html,
        source_chat_id=row.source_chat_id,
        source_message_id=row.source_message_id,
        total=row.total,
        panel_message_id=row.panel_message_id,
        owner=row.owner,
        lease_expires_at=row.lease_expires_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
    )


def _delivery(row: DeliveryRow) -> Delivery:
    return Delivery(
        broadcast_id=row.broadcast_id,
        user_id=row.user_id,
        state=DeliveryState(row.state),
        attempts=row.attempts,
        error=row.error,
        sent_at=row.sent_at,
    )


async def broadcasts_by(session: AsyncSession, admin_id: int) -> list[Broadcast]:
    """Every broadcast one admin wrote, drafts included, for /export."""
    rows = await session.scalars(
        select(BroadcastRow).where(BroadcastRow.admin_id == admin_id).order_by(BroadcastRow.id)
    )
    return [_broadcast(row) for row in rows]
