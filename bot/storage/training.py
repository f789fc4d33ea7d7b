"""Repository functions for the training log: sets and weigh-ins; callers own the transaction.

Rows map to the domain's LoggedSet and BodyWeight. A set's ``performed_at`` is stored in UTC
and read back aware; the bot keeps no time zone per user, so UTC dates are the user's dates.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, case, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.training import BodyWeight, LogEntry, LoggedSet
from bot.storage.models import BodyMeasurement, WorkoutSet, table_of


def _logged(row: WorkoutSet | Row[Any]) -> LoggedSet:
    return LoggedSet(
        exercise_name=row.exercise_name,
        performed_at=row.performed_at,
        exercise_slug=row.exercise_slug,
        reps=row.reps,
        weight_kg=row.weight_kg,
        rir=row.rir,
        rpe=row.rpe,
        duration_s=row.duration_s,
        distance_m=row.distance_m,
        note=row.note,
    )


def _entry(row: WorkoutSet) -> LogEntry:
    return LogEntry(id=row.id, batch_id=row.batch_id, logged=_logged(row))


async def add_sets(
    session: AsyncSession, user_id: int, batch_id: str, sets: Sequence[LoggedSet]
) -> list[LogEntry]:
    """Store the sets of one batch in order; returns them with their ids."""
    rows = [
        WorkoutSet(
            user_id=user_id,
            batch_id=batch_id,
            position=position,
            exercise_slug=logged.exercise_slug,
            exercise_name=logged.exercise_name,
            reps=logged.reps,
            weight_kg=logged.weight_kg,
            rir=logged.rir,
            rpe=logged.rpe,
            duration_s=logged.duration_s,
            distance_m=logged.distance_m,
            note=logged.note,
            performed_at=logged.performed_at,
        )
        for position, logged in enumerate(sets)
    ]
    session.add_all(rows)
    await session.flush()
    return [_entry(row) for row in rows]


async def sets_of(
    session: AsyncSession,
    user_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[LoggedSet]:
    """The user's sets, oldest first, optionally from ``since`` and before ``until``."""
    result = await session.execute(
        _sets_statement(since=since is not None, until=until is not None),
        {"user_id_": user_id, "since_": since, "until_": until},
    )
    return [_logged(row) for row in result]


# The coach reads the last two weeks' sets and weigh-ins for every message it answers: the
# statements are built once and select plain rows, which map at less than half the CPU of
# loaded ORM objects.
_SETS = table_of(WorkoutSet)
_WEIGHTS = table_of(BodyMeasurement)


@functools.cache
def _sets_statement(*, since: bool, until: bool) -> Select[Any]:
    columns = _SETS.c
    statement = select(_SETS).where(columns.user_id == bindparam("user_id_"))
    if since:
        statement = statement.where(columns.performed_at >= bindparam("since_"))
    if until:
        statement = statement.where(columns.performed_at < bindparam("until_"))
    return statement.order_by(columns.performed_at, columns.id)


@functools.cache
def _weights_statement(*, since: bool) -> Select[Any]:
    columns = _WEIGHTS.c
    statement = select(columns.measured_on, columns.weight_kg, columns.waist_cm).where(
        columns.user_id == bindparam("user_id_")
    )
    if since:
        statement = statement.where(columns.measured_on >= bindparam("since_"))
    return statement.order_by(columns.measured_on)


async def record_history(
    session: AsyncSession, user_id: int, *, since: datetime, until: datetime
) -> list[LoggedSet]:
    """The user's sets from ``since`` and before ``until``, condensed for telling records apart.

    One set per exercise name, rep count and loaded or not (a weight other than none or zero):
    its heaviest weight, at the group's first time. What ``new_records`` reads of earlier sets
    (heaviest weight, heaviest weight per rep count, best trusted e1RM, most unloaded reps,
    whether there were any) is the same over these as over every set, so a year of history
    reads as a few rows per exercise. Oldest first.
    """
    unloaded = or_(WorkoutSet.weight_kg.is_(None), WorkoutSet.weight_kg == 0)
    loaded = case((unloaded, 0), else_=1)
    statement = (
        select(
            WorkoutSet.exercise_slug,
            WorkoutSet.exercise_name,
            WorkoutSet.reps,
            func.max(WorkoutSet.weight_kg),
            func.min(WorkoutSet.performed_at),
        )
        .where(
            WorkoutSet.user_id == user_id,
            WorkoutSet.performed_at >= since,
            WorkoutSet.performed_at < until,
        )
        .group_by(WorkoutSet.exercise_slug, WorkoutSet.exercise_name, WorkoutSet.reps, loaded)
    )
    condensed = [
        LoggedSet(
            exercise_name=name,
            performed_at=first,
            exercise_slug=slug,
            reps=reps,
            weight_kg=weight,
        )
        for slug, name, reps, weight, first in (await session.execute(statement)).all()
    ]
    return sorted(condensed, key=lambda logged: logged.performed_at)


async def entries_of(session: AsyncSession, user_id: int) -> list[LogEntry]:
    """Every stored set of the user with ids, oldest first (for the export)."""
    statement = (
        select(WorkoutSet)
        .where(WorkoutSet.user_id == user_id)
        .order_by(WorkoutSet.performed_at, WorkoutSet.id)
    )
    return [_entry(row) for row in (await session.scalars(statement)).all()]


async def recent_entries(session: AsyncSession, user_id: int, limit: int) -> list[LogEntry]:
    """The ``limit`` latest sets, newest first (sets of one batch in their logged order)."""
    statement = (
        select(WorkoutSet)
        .where(WorkoutSet.user_id == user_id)
        .order_by(WorkoutSet.performed_at.desc(), WorkoutSet.id.desc())
        .limit(limit)
    )
    return [_entry(row) for row in (await session.scalars(statement)).all()]


async def batch_entries(session: AsyncSession, user_id: int, batch_id: str) -> list[LogEntry]:
    """The sets of one batch, in logged order (empty when gone or not the user's)."""
    statement = (
        select(WorkoutSet)
        .where(WorkoutSet.user_id == user_id, WorkoutSet.batch_id == batch_id)
        .order_by(WorkoutSet.position, WorkoutSet.id)
    )
    return [_entry(row) for row in (await session.scalars(statement)).all()]


async def delete_batch(session: AsyncSession, user_id: int, batch_id: str) -> int:
    """Delete every set of one batch of the user's; returns how many went."""
    result = await session.execute(
        delete(WorkoutSet).where(WorkoutSet.user_id == user_id, WorkoutSet.batch_id == batch_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_entry(session: AsyncSession, user_id: int, entry_id: int) -> LogEntry | None:
    """Delete one set of the user's; returns it, or None when it was not theirs or is gone."""
    row = await session.get(WorkoutSet, entry_id)
    if row is None or row.user_id != user_id:
        return None
    entry = _entry(row)
    await session.delete(row)
    await session.flush()
    return entry


async def save_body_weight(session: AsyncSession, user_id: int, measurement: BodyWeight) -> None:
    """Store a weigh-in; one per date, so a later one the same day replaces it."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(BodyMeasurement).values(
        user_id=user_id,
        measured_on=measurement.on,
        weight_kg=measurement.weight_kg,
        waist_cm=measurement.waist_cm,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "measured_on"],
            set_={
                "weight_kg": statement.excluded.weight_kg,
                "waist_cm": statement.excluded.waist_cm,
                "updated_at": func.now(),
            },
        )
    )


async def body_weights(
    session: AsyncSession, user_id: int, *, since: date | None = None
) -> list[BodyWeight]:
    """The user's weigh-ins, oldest first, optionally from ``since``."""
    result = await session.execute(
        _weights_statement(since=since is not None), {"user_id_": user_id, "since_": since}
    )
    return [
        BodyWeight(on=row.measured_on, weight_kg=row.weight_kg, waist_cm=row.waist_cm)
        for row in result
    ]


async def latest_body_weight(session: AsyncSession, user_id: int) -> BodyWeight | None:
    """The newest weigh-in by date, or None."""
    statement = (
        select(BodyMeasurement)
        .where(BodyMeasurement.user_id == user_id)
        .order_by(BodyMeasurement.measured_on.desc())
        .limit(1)
    )
    row = (await session.scalars(statement)).first()
    return None if row is None else BodyWeight(row.measured_on, row.weight_kg, row.waist_cm)
