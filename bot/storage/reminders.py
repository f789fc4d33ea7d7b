"""Repository functions for reminders and the lease that lets one instance send each.

Callers own the transaction. ``claim_due`` is a conditional UPDATE (with SKIP LOCKED on
PostgreSQL), so two instances ticking at once never both claim one reminder.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Select, and_, bindparam, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.reminders import CheckIn, CheckInAnswer, Reminder, ReminderKind
from bot.storage.models import CheckInRow, ReminderRow, User


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A claimed reminder with what sending it needs: the chat, the language, the zone."""

    reminder: Reminder
    chat_id: int | None
    language_code: str | None
    language: str | None  # chosen with /language; beats language_code
    timezone: str | None
    blocked: bool


async def upsert_reminder(
    session: AsyncSession,
    *,
    user_id: int,
    kind: ReminderKind,
    weekdays: frozenset[int],
    at: time,
    next_due: datetime,
) -> None:
    """Set the user's reminder of this kind (one per kind), replacing an earlier one."""
    values = {
        "user_id": user_id,
        "kind": kind.value,
        "weekdays": _days_text(weekdays),
        "local_time": at.strftime("%H:%M"),
        "next_due_at": next_due,
        "owner": None,
        "lease_expires_at": None,
    }
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(ReminderRow).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "kind"],
            set_={key: statement.excluded[key] for key in values if key not in ("user_id", "kind")},
        )
    )


async def delete_reminders(
    session: AsyncSession, user_id: int, kind: ReminderKind | None = None
) -> int:
    """Delete one kind or all of the user's reminders; how many there were."""
    statement = delete(ReminderRow).where(ReminderRow.user_id == user_id)
    if kind is not None:
        statement = statement.where(ReminderRow.kind == kind.value)
    result = await session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


async def reminders_of(session: AsyncSession, user_id: int) -> list[Reminder]:
    rows = await session.scalars(
        select(ReminderRow).where(ReminderRow.user_id == user_id).order_by(ReminderRow.kind)
    )
    return [_reminder(row) for row in rows]


async def reschedule(session: AsyncSession, reminder_id: int, next_due: datetime) -> None:
    """Move one reminder (a changed time zone recomputes every due time)."""
    await session.execute(
        update(ReminderRow).where(ReminderRow.id == reminder_id).values(next_due_at=next_due)
    )


def _claimable(now: datetime) -> ColumnElement[bool]:
    return and_(
        ReminderRow.next_due_at <= now,
        or_(ReminderRow.lease_expires_at.is_(None), ReminderRow.lease_expires_at < now),
    )


async def claim_due(
    session: AsyncSession, *, owner: str, now: datetime, ttl: timedelta, limit: int
) -> list[DueReminder]:
    """Lease up to ``limit`` due reminders nobody else holds, oldest due first."""
    candidates = (
        select(ReminderRow.id)
        .where(_claimable(now))
        .order_by(ReminderRow.next_due_at, ReminderRow.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(await session.scalars(candidates))
    if not ids:
        return []
    # The condition is checked again: with SQLite, or a lock skipped just after a commit, the
    # UPDATE alone decides which instance wins each row.
    await session.execute(
        update(ReminderRow)
        .where(ReminderRow.id.in_(ids), _claimable(now))
        .values(owner=owner, lease_expires_at=now + ttl)
    )
    rows = await session.execute(
        select(ReminderRow, User)
        .join(User, User.id == ReminderRow.user_id)
        .where(ReminderRow.id.in_(ids), ReminderRow.owner == owner)
        .execution_options(populate_existing=True)
    )
    return [
        DueReminder(
            reminder=_reminder(reminder),
            chat_id=user.chat_id,
            language_code=user.language_code,
            language=user.language,
            timezone=user.timezone,
            blocked=user.blocked_at is not None,
        )
        for reminder, user in rows
    ]


async def finish(
    session: AsyncSession,
    reminder_id: int,
    *,
    owner: str,
    next_due: datetime,
    sent_at: datetime | None,
) -> bool:
    """Advance our claimed reminder to its next due time and drop the lease."""
    values: dict[str, object] = {"next_due_at": next_due, "owner": None, "lease_expires_at": None}
    if sent_at is not None:
        values["last_sent_at"] = sent_at
    result = await session.execute(
        update(ReminderRow)
        .where(ReminderRow.id == reminder_id, ReminderRow.owner == owner)
        .values(**values)
    )
    return getattr(result, "rowcount", 0) == 1


async def add_check_in(
    session: AsyncSession, user_id: int, answer: CheckInAnswer, now: datetime
) -> None:
    session.add(CheckInRow(user_id=user_id, answer=answer.value, created_at=now))
    await session.flush()


async def latest_check_in(session: AsyncSession, user_id: int) -> CheckIn | None:
    result = await session.execute(_latest_check_in_statement(), {"user_id_": user_id})
    row = result.first()
    return None if row is None else CheckIn(CheckInAnswer(row.answer), row.created_at)


@functools.cache
def _latest_check_in_statement() -> Select[str, datetime]:
    # Read for every message the coach answers: built once, as plain rows.
    return (
        select(CheckInRow.answer, CheckInRow.created_at)
        .where(CheckInRow.user_id == bindparam("user_id_"))
        .order_by(CheckInRow.id.desc())
        .limit(1)
    )


async def check_ins_of(session: AsyncSession, user_id: int) -> list[CheckIn]:
    rows = await session.scalars(
        select(CheckInRow).where(CheckInRow.user_id == user_id).order_by(CheckInRow.id)
    )
    return [CheckIn(CheckInAnswer(row.answer), row.created_at) for row in rows]


def _days_text(weekdays: frozenset[int]) -> str:
    return ",".join(str(day) for day in sorted(weekdays))


def _reminder(row: ReminderRow) -> Reminder:
    hours, minutes = row.local_time.split(":")
    return Reminder(
        id=row.id,
        user_id=row.user_id,
        kind=ReminderKind(row.kind),
        weekdays=frozenset(int(day) for day in row.weekdays.split(",") if day),
        at=time(int(hours), int(minutes)),
        next_due=row.next_due_at,
    )
