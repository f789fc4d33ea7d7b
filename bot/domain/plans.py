"""A weekly training plan: days of catalog exercises with sets, reps or time, rest and a
progression rule, and the preferences it was made for.

The plan is a pydantic model because it arrives as JSON from the model: ``parse_plan`` checks
its shape and that every exercise is a slug of the catalog, and names what was wrong.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

WEEKDAYS: Final[tuple[str, ...]] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

MAX_EXERCISES_PER_DAY: Final = 10
MAX_ERRORS_SHOWN: Final = 8


class PlannedExercise(BaseModel):
    """One exercise of a session: either reps or seconds per set."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: str = Field(min_length=1, max_length=80)
    sets: int = Field(ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=100)
    seconds: int | None = Field(default=None, ge=5, le=600)
    rest_seconds: int = Field(ge=0, le=600)

    @model_validator(mode="after")
    def _reps_or_time(self) -> PlannedExercise:
        if (self.reps is None) == (self.seconds is None):
            raise ValueError("give exactly one of reps or seconds")
        return self


class PlanDay(BaseModel):
    """One training day of the week and its exercises, in order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekday: Weekday
    focus: str = Field(min_length=1, max_length=60)
    exercises: list[PlannedExercise] = Field(min_length=1, max_length=MAX_EXERCISES_PER_DAY)


class WeeklyPlan(BaseModel):
    """A week of training days (unique weekdays, in week order) and how to progress."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    days: list[PlanDay] = Field(min_length=1, max_length=7)
    progression: str = Field(min_length=1, max_length=300)

    @model_validator(mode="after")
    def _unique_days(self) -> WeeklyPlan:
        seen = [day.weekday for day in self.days]
        if len(set(seen)) != len(seen):
            raise ValueError("each weekday may appear once")
        return self

    def slugs(self) -> list[str]:
        """Every exercise slug, in order of appearance, without repeats."""
        return list(dict.fromkeys(e.slug for day in self.days for e in day.exercises))

    def day(self, weekday: int) -> PlanDay | None:
        """The session on ``weekday`` (0 = Monday), if any."""
        return next((d for d in self.days if d.weekday == WEEKDAYS[weekday]), None)

    def ordered(self) -> WeeklyPlan:
        """The same plan with its days in week order."""
        days = sorted(self.days, key=lambda d: WEEKDAYS.index(d.weekday))
        return self.model_copy(update={"days": days})


@dataclass(frozen=True, slots=True)
class PlanPreferences:
    """What the plan must fit; None means not asked yet."""

    days_per_week: int | None = None
    session_minutes: int | None = None
    equipment: str | None = None
    avoid: str | None = None

    @property
    def missing(self) -> tuple[str, ...]:
        """The questions still to ask, in the order they are asked."""
        return tuple(
            name
            for name in ("days_per_week", "session_minutes", "equipment", "avoid")
            if getattr(self, name) is None
        )


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """A plan with its id, state and the preferences it was made for."""

    id: int
    user_id: int
    status: str  # proposed, accepted or retired
    plan: WeeklyPlan
    preferences: PlanPreferences
    created_at: datetime | None
    accepted_at: datetime | None


class PlanInvalid(ValueError):  # noqa: N818 (a reason, read as "the plan is invalid")
    """The model's answer is not a usable plan; ``errors`` say why, one per line."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def parse_plan(text: str, catalog_slugs: Collection[str]) -> WeeklyPlan:
    """Read the model's JSON answer as a plan of catalog exercises, or raise ``PlanInvalid``."""
    raw = _strip_fences(text)
    try:
        plan = WeeklyPlan.model_validate_json(raw)
    except ValidationError as error:
        problems = [
            f"{'.'.join(str(part) for part in item['loc']) or 'plan'}: {item['msg']}"
            for item in error.errors()
        ]
        raise PlanInvalid(problems[:MAX_ERRORS_SHOWN]) from None
    unknown = [slug for slug in plan.slugs() if slug not in catalog_slugs]
    if unknown:
        raise PlanInvalid(
            [f"slug {slug!r} is not in the catalog" for slug in unknown[:MAX_ERRORS_SHOWN]]
        )
    return plan.ordered()


def _strip_fences(text: str) -> str:
    """Models asked for JSON only still wrap it in ``` fences now and then."""
    stripped = text.strip()
    if stripped.startswith("```"):
        stripped = stripped.split("\n", 1)[1] if "\n" in stripped else ""
        if stripped.rstrip().endswith("```"):
            stripped = stripped.rstrip()[:-3]
    return stripped.strip()


def plan_json_schema() -> dict[str, object]:
    """The JSON schema the model is asked to answer with."""
    return WeeklyPlan.model_json_schema()


def describe_plan_for_coach(plan: WeeklyPlan, names: dict[str, str]) -> str:
    """One compact line per day, for the coach's system prompt."""
    lines = []
    for day in plan.days:
        items = ", ".join(
            f"{names.get(e.slug, e.slug)} {e.sets}x"
            + (f"{e.reps}" if e.reps is not None else f"{e.seconds}s")
            for e in day.exercises
        )
        lines.append(f"{day.weekday} ({day.focus}): {items}")
    lines.append(f"Progression: {plan.progression}")
    return "\n".join(lines)
