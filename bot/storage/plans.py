"""Repository functions for training plans; rows go out as domain plans. Callers own the
transaction."""

from __future__ import annotations

import functools
import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.plans import PlanPreferences, StoredPlan, WeeklyPlan
from bot.storage.models import TrainingPlan, table_of

PROPOSED = "proposed"
ACCEPTED = "accepted"
RETIRED = "retired"


async def add_proposal(
    session: AsyncSession, user_id: int, plan: WeeklyPlan, preferences: PlanPreferences
) -> int:
    """Store a proposed plan (earlier proposals stay until one is accepted); return its id."""
    row = TrainingPlan(
        user_id=user_id,
        status=PROPOSED,
        data=plan.model_dump_json(),
        preferences=json.dumps(asdict(preferences)),
    )
    session.add(row)
    await session.flush()
    return row.id


async def accept(session: AsyncSession, user_id: int, plan_id: int, now: datetime) -> bool:
    """Make a proposal the user's plan, retiring the one before; False if it is not a proposal."""
    result = await session.execute(
        update(TrainingPlan)
        .where(
            TrainingPlan.id == plan_id,
            TrainingPlan.user_id == user_id,
            TrainingPlan.status == PROPOSED,
        )
        .values(status=ACCEPTED, accepted_at=now)
    )
    if getattr(result, "rowcount", 0) != 1:
        return False
    await session.execute(
        update(TrainingPlan)
        .where(TrainingPlan.user_id == user_id, TrainingPlan.id != plan_id)
        .values(status=RETIRED)
    )
    return True


async def get_plan(session: AsyncSession, user_id: int, plan_id: int) -> StoredPlan | None:
    row = await session.scalar(
        select(TrainingPlan).where(TrainingPlan.id == plan_id, TrainingPlan.user_id == user_id)
    )
    return None if row is None else _stored(row)


async def current_plan(session: AsyncSession, user_id: int) -> StoredPlan | None:
    """The accepted plan, if the user has one."""
    row = (await session.execute(_current_plan_statement(), {"user_id_": user_id})).first()
    return None if row is None else _stored(row)


_PLANS = table_of(TrainingPlan)


@functools.cache
def _current_plan_statement() -> Select[Any]:
    # Read for every message the coach answers: built once, as plain rows (cheaper to map
    # than ORM objects).
    columns = _PLANS.c
    return (
        select(_PLANS)
        .where(columns.user_id == bindparam("user_id_"), columns.status == ACCEPTED)
        .order_by(columns.id.desc())
        .limit(1)
    )


async def latest_preferences(session: AsyncSession, user_id: int) -> PlanPreferences:
    """The preferences of the newest plan, proposed or accepted; empty for a first plan."""
    row = await session.scalar(
        select(TrainingPlan)
        .where(TrainingPlan.user_id == user_id)
        .order_by(TrainingPlan.id.desc())
        .limit(1)
    )
    return PlanPreferences() if row is None else _preferences(row.preferences)


async def plans_of(session: AsyncSession, user_id: int) -> list[StoredPlan]:
    rows = await session.scalars(
        select(TrainingPlan).where(TrainingPlan.user_id == user_id).order_by(TrainingPlan.id)
    )
    return [_stored(row) for row in rows]


def _preferences(text: str) -> PlanPreferences:
    values = json.loads(text or "{}")
    known = {k: v for k, v in values.items() if k in PlanPreferences.__dataclass_fields__}
    return PlanPreferences(**known)


def _stored(row: TrainingPlan | Row[Any]) -> StoredPlan:
    return StoredPlan(
        id=row.id,
        user_id=row.user_id,
        status=row.status,
        plan=WeeklyPlan.model_validate_json(row.data),
        preferences=_preferences(row.preferences),
        created_at=row.created_at,
        accepted_at=row.accepted_at,
    )
