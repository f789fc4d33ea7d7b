"""The training log's use cases: log sets from text or from the coach, undo, weigh-ins, progress.

Exercise names resolve through the catalog lookup. A name the catalog does not know is logged
as a free name, unless it is within a typo of a catalog name (difflib similarity of at least
0.75 between the normalised names, e.g. "bench pres" or "sqauts" against a name the fuzzy
lookup was not sure of): then nothing is logged and the user is asked with suggestions. A
message is logged all or nothing: one unreadable part or one doubtful name logs no set.

The bot keeps no time zone per user, so a set's date is its UTC date.
"""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol

from bot.catalog.lookup import LookupResult
from bot.domain.exercises import Catalog, Exercise, normalise_name
from bot.domain.metrics import CALORIE_MIN_AGE, bmi, round_bmi
from bot.domain.profile import Profile, UnitSystem
from bot.domain.training import (
    BodyWeight,
    LogEntry,
    LoggedSet,
    PersonalRecords,
    PrKind,
    RecentSummary,
    exercise_key,
    new_records,
    personal_records,
    recent_summary,
    session_bests,
    weekly_volume,
)
from bot.domain.units import KG_PER_LB, parse_weight
from bot.domain.workout_parser import (
    REPS_RANGE,
    WEIGHT_RANGE_KG,
    ParsedEntry,
    parse_workout,
)
from bot.errors import FitCoachError, UserInputError
from bot.i18n import Text
from bot.storage import Database
from bot.storage import training as training_rows
from bot.storage import users as user_rows
from bot.text.quote import excerpt

__all__ = [
    "DEFAULT_PERIOD_DAYS",
    "ChartKind",
    "ExerciseLine",
    "LogEntry",
    "LogResult",
    "Progress",
    "TrainingService",
    "UnknownExerciseError",
    "WeightResult",
    "display_weight",
    "parse_period",
]

# How close an unknown name must be to a catalog name to be taken for a typo of it.
TYPO_SIMILARITY = 0.75
DEFAULT_PERIOD_DAYS = 90
RECENT_LIMIT = 10
SUMMARY_DAYS = 14
# Enough points for a line to say something; one point is not a trend.
MIN_CHART_POINTS = 2
_PERIOD = re.compile(r"^(\d{1,3})\s*([dwmy])$")
_PERIOD_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}
_MAX_PERIOD_DAYS = 5 * 365
_WEIGHT_WORDS = frozenset({"weight", "bodyweight", "вес", "peso", "gewicht", "körpergewicht"})
_UNDERWEIGHT_BELOW = 18.5  # Adult BMI below the normal range (safety rule 3).


class ExerciseCatalog(Protocol):
    """The catalog as the training log needs it."""

    @property
    def catalog(self) -> Catalog: ...

    def lookup(self, query: str) -> LookupResult: ...


class UnknownExerciseError(UserInputError):
    """A name that looks like a typo of catalog exercises: nothing was logged."""

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        message = (
            Text(
                "training.unknown_exercise", name=excerpt(name), suggestions=", ".join(suggestions)
            )
            if suggestions
            else Text("training.progress_unknown", name=excerpt(name))
        )
        super().__init__(message, field="exercise")
        self.name = name
        self.suggestions = tuple(suggestions)


class ToolArgumentError(FitCoachError):
    """The coach's log_workout arguments are unclear; the text tells the model what to ask."""


class ChartKind(StrEnum):
    """What /progress draws."""

    EXERCISE = "exercise"
    WEIGHT = "weight"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class ExerciseLine:
    """One exercise of a logged batch: its sets and the records they set."""

    name: str
    slug: str | None
    sets: tuple[LoggedSet, ...]
    records: frozenset[PrKind]


@dataclass(frozen=True, slots=True)
class LogResult:
    """What one /log message or tool call stored."""

    batch_id: str
    exercises: tuple[ExerciseLine, ...]
    units: UnitSystem


@dataclass(frozen=True, slots=True)
class WeightResult:
    """A stored weigh-in, the one before it, and the units to show them in.

    ``careful`` (under 18 or BMI under 18.5): show no change, no trend and no nudge to weigh in.
    """

    saved: BodyWeight
    previous: BodyWeight | None
    units: UnitSystem
    careful: bool = False


@dataclass(frozen=True, slots=True)
class Progress:
    """Points for a chart in the user's units, and the caption's numbers.

    ``points`` is empty when there is too little to draw; ``name`` is the exercise's name
    (for EXERCISE); ``e1rm`` says whether the values are e1RM (else the top weight, or
    hard sets for WEEKLY). ``careful`` (WEIGHT only) means no weight trend is shown at all.
    """

    kind: ChartKind
    days: int
    units: UnitSystem
    points: tuple[tuple[date, float], ...]
    name: str = ""
    e1rm: bool = False
    careful: bool = False

    @property
    def enough(self) -> bool:
        return len(self.points) >= MIN_CHART_POINTS

    @property
    def latest(self) -> float:
        return self.points[-1][1]

    @property
    def best(self) -> float:
        return max(v for _, v in self.points)

    @property
    def lowest(self) -> float:
        return min(v for _, v in self.points)

    @property
    def change(self) -> float:
        return self.points[-1][1] - self.points[0][1]


def weigh_in_careful(profile: Profile) -> bool:
    """Under 18 or a BMI under 18.5: weight changes and weigh-in nudges could feed restriction.

    Safety rules 3 and 5: no weigh-in schedules, trends or goal weights for them.
    """
    if profile.age is not None and profile.age < CALORIE_MIN_AGE:
        return True
    if profile.height_cm is None or profile.weight_kg is None:
        return False
    return round_bmi(bmi(profile.weight_kg, profile.height_cm)) < _UNDERWEIGHT_BELOW


def display_weight(kg: float, units: UnitSystem) -> float:
    """A lifted or body weight in the user's units, to 0.1."""
    value = kg if units is UnitSystem.METRIC else kg / KG_PER_LB
    return round(value, 1)


def parse_period(text: str) -> int:
    """``4w``, ``3m``, ``1y``, ``10d`` -> days; raises UserInputError otherwise."""
    match = _PERIOD.match(text.strip().lower())
    if match is None or int(match.group(1)) < 1:
        raise UserInputError(Text("training.bad_period"), field="period")
    return min(int(match.group(1)) * _PERIOD_DAYS[match.group(2)], _MAX_PERIOD_DAYS)


def _new_batch() -> str:
    return uuid.uuid4().hex


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TrainingService:
    """Logs sets and weigh-ins for a user and reads them back as records, charts and summaries."""

    def __init__(
        self,
        database: Database,
        exercises: ExerciseCatalog,
        *,
        now: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._database = database
        self._exercises = exercises
        self._now = now

    # ----------------------------------------------------------------------------- logging

    async def units(self, user_id: int) -> UnitSystem:
        """The user's unit system (metric for a stranger)."""
        async with self._database.transaction() as session:
            return (await user_rows.get_profile(session, user_id) or Profile()).units

    async def log_text(self, user_id: int, text: str) -> LogResult:
        """Log what follows /log, all or nothing.

        Raises WorkoutParseError for text it cannot read and UnknownExerciseError for a name
        that looks like a typo; nothing is stored then.
        """
        units = await self.units(user_id)
        entries = parse_workout(text, units)
        now = self._now()
        logged: list[LoggedSet] = []
        for entry in entries:
            slug, name = self._resolve(entry.exercise)
            logged.extend(_sets_of(entry, slug, name, now))
        return await self._store(user_id, logged, units)

    async def log_structured(
        self, user_id: int, arguments: Mapping[str, Any], *, today: date | None = None
    ) -> LogResult:
        """Log one exercise from the coach's tool arguments: exercise, sets, date.

        Raises ToolArgumentError, with what to ask the user, when anything is unclear.
        """
        units = await self.units(user_id)
        name = str(arguments.get("exercise") or "").strip()
        if not name:
            raise ToolArgumentError("No exercise given: ask the user which exercise they did.")
        result = self._exercises.lookup(name)
        if result.exercise is None:
            offered = ", ".join(e.name for e in result.suggestions[:3])
            raise ToolArgumentError(
                f"'{name}' is not a catalog exercise"
                + (f" (closest: {offered})" if offered else "")
                + ". Ask the user which exercise they mean; nothing was logged."
            )
        performed_at = self._performed_at(arguments.get("date"), today)
        raw_sets = arguments.get("sets")
        if not isinstance(raw_sets, list) or not raw_sets:
            raise ToolArgumentError("No sets given: ask the user for reps and weight per set.")
        logged = [
            _tool_set(raw, result.exercise, performed_at, units, index)
            for index, raw in enumerate(raw_sets, start=1)
        ]
        return await self._store(user_id, logged, units)

    def _performed_at(self, raw: object, today: date | None) -> datetime:
        now = self._now()
        today = today or now.date()
        if raw in (None, ""):
            return now
        try:
            day = date.fromisoformat(str(raw))
        except ValueError as error:
            raise ToolArgumentError(
                f"Bad date {raw!r}: use YYYY-MM-DD, or leave it out for today."
            ) from error
        if day > today or day < today - timedelta(days=365):
            raise ToolArgumentError(
                f"Date {day.isoformat()} is in the future or over a year ago: ask the user."
            )
        return now if day == today else datetime.combine(day, time(12, 0), tzinfo=UTC)

    def _resolve(self, text: str) -> tuple[str | None, str]:
        result = self._exercises.lookup(text)
        if result.exercise is not None:
            return result.exercise.slug, result.exercise.name
        key = normalise_name(text)
        close = [e for e in result.suggestions if _looks_like_typo(key, e)]
        if close:
            raise UnknownExerciseError(text, [e.name for e in close])
        return None, " ".join(text.split())[:200]

    async def _store(
        self, user_id: int, logged: Sequence[LoggedSet], units: UnitSystem
    ) -> LogResult:
        batch = _new_batch()
        async with self._database.transaction() as session:
            await _ensure_user(session, user_id)
            history = await training_rows.sets_of(session, user_id)
            await training_rows.add_sets(session, user_id, batch, logged)
        return LogResult(batch_id=batch, exercises=_lines(logged, history), units=units)

    async def undo(self, user_id: int, batch_id: str) -> int:
        """Delete every set of one batch; returns how many were deleted (0 when already gone)."""
        async with self._database.transaction() as session:
            return await training_rows.delete_batch(session, user_id, batch_id)

    async def delete_entry(self, user_id: int, entry_id: int) -> LogEntry | None:
        """Delete one set; None when it is gone already or not the user's."""
        async with self._database.transaction() as session:
            return await training_rows.delete_entry(session, user_id, entry_id)

    async def recent(self, user_id: int, limit: int = RECENT_LIMIT) -> list[LogEntry]:
        """The latest sets, newest first."""
        async with self._database.transaction() as session:
            return await training_rows.recent_entries(session, user_id, limit)

    async def records(self, user_id: int) -> dict[str, PersonalRecords]:
        """Personal records per exercise name."""
        async with self._database.transaction() as session:
            sets = await training_rows.sets_of(session, user_id)
        grouped: dict[str, list[LoggedSet]] = {}
        names: dict[str, str] = {}
        for logged in sets:
            grouped.setdefault(exercise_key(logged), []).append(logged)
            names[exercise_key(logged)] = logged.exercise_name
        return {names[key]: personal_records(group) for key, group in grouped.items()}

    # ----------------------------------------------------------------------------- body weight

    async def log_weight(self, user_id: int, text: str) -> WeightResult:
        """Store today's weigh-in from ``81.4``, ``179 lb``, ``12st 9``; the profile follows.

        Raises UserInputError (with a message for the user) for anything unreadable.
        """
        units = await self.units(user_id)
        kg = parse_weight(text, units)
        saved = BodyWeight(on=self._now().date(), weight_kg=kg)
        async with self._database.transaction() as session:
            await _ensure_user(session, user_id)
            before = await training_rows.body_weights(session, user_id)
            await training_rows.save_body_weight(session, user_id, saved)
            latest = await training_rows.latest_body_weight(session, user_id)
            profile = await user_rows.get_profile(session, user_id) or Profile()
            if latest is not None and profile.weight_kg != latest.weight_kg:
                await user_rows.save_profile(
                    session, user_id, replace(profile, weight_kg=latest.weight_kg)
                )
            if latest is not None:
                profile = replace(profile, weight_kg=latest.weight_kg)
        previous = next((w for w in reversed(before) if w.on < saved.on), None)
        return WeightResult(
            saved=saved, previous=previous, units=units, careful=weigh_in_careful(profile)
        )

    # ----------------------------------------------------------------------------- progress

    async def progress(self, user_id: int, arguments: str) -> Progress:
        """Chart data for ``/progress [what] [period]``: an exercise, weight, or the weeks.

        Raises UserInputError (field ``period``) for a bad period and UnknownExerciseError
        for a name neither the catalog nor the user's log knows.
        """
        words = arguments.split()
        days = DEFAULT_PERIOD_DAYS
        if words and _PERIOD.match(words[-1].lower()):
            days = parse_period(words.pop())
        what = " ".join(words)
        units = await self.units(user_id)
        start = self._now().date() - timedelta(days=days - 1)
        since = datetime.combine(start, time(0, 0), tzinfo=UTC)
        if what.casefold() in _WEIGHT_WORDS:
            async with self._database.transaction() as session:
                profile = await user_rows.get_profile(session, user_id) or Profile()
                if weigh_in_careful(profile):
                    return Progress(ChartKind.WEIGHT, days, units, (), careful=True)
                weights = await training_rows.body_weights(session, user_id, since=start)
            points = tuple((w.on, display_weight(w.weight_kg, units)) for w in weights)
            return Progress(ChartKind.WEIGHT, days, units, points)
        async with self._database.transaction() as session:
            sets = await training_rows.sets_of(session, user_id, since=since)
        if not what:
            muscles = {e.slug: list(e.primary_muscles) for e in self._exercises.catalog.exercises}
            weeks = weekly_volume(sets, muscles)
            points = tuple((w.week.monday, float(w.hard_sets)) for w in weeks)
            return Progress(ChartKind.WEEKLY, days, units, points)
        key, name = self._progress_key(what, sets)
        chosen = [s for s in sets if exercise_key(s) == key]
        e1rm = True
        bests = session_bests(chosen, e1rm=True)
        if len(bests) < MIN_CHART_POINTS:
            e1rm, bests = False, session_bests(chosen, e1rm=False)
        points = tuple((day, display_weight(kg, units)) for day, kg in bests)
        return Progress(ChartKind.EXERCISE, days, units, points, name=name, e1rm=e1rm)

    def _progress_key(self, what: str, sets: Sequence[LoggedSet]) -> tuple[str, str]:
        folded = " ".join(what.casefold().split())
        for logged in sets:
            if logged.exercise_slug is None and exercise_key(logged) == folded:
                return folded, logged.exercise_name
        result = self._exercises.lookup(what)
        if result.exercise is None:
            raise UnknownExerciseError(what, [e.name for e in result.suggestions])
        return result.exercise.slug, result.exercise.name

    # ----------------------------------------------------------------------------- coach

    async def summary(self, user_id: int, today: date) -> RecentSummary | None:
        """The last 14 days for the coach's prompt; None when nothing was logged in them."""
        async with self._database.transaction() as session:
            return await self.summary_in(session, user_id, today)

    @staticmethod
    async def summary_in(session: Any, user_id: int, today: date) -> RecentSummary | None:
        """``summary`` within the caller's transaction (the coach reads it with the memory)."""
        # Records need history before the window: a year of it, read condensed to the few
        # rows per exercise that tell records apart, so a long log costs no more per message.
        since = datetime.combine(today - timedelta(days=365), time(0, 0), tzinfo=UTC)
        start = datetime.combine(today - timedelta(days=SUMMARY_DAYS - 1), time(0, 0), tzinfo=UTC)
        recent = await training_rows.sets_of(session, user_id, since=start)
        # Older sets only tell records apart among recent ones: none recent, none needed.
        earlier = (
            await training_rows.record_history(session, user_id, since=since, until=start)
            if recent
            else []
        )
        weights = await training_rows.body_weights(
            session, user_id, since=today - timedelta(days=SUMMARY_DAYS + 7)
        )
        result = recent_summary([*earlier, *recent], weights, today, days=SUMMARY_DAYS)
        if not result.total_sets and result.weight is None:
            return None
        return result


async def _ensure_user(session: Any, user_id: int) -> None:
    if await user_rows.get_user(session, user_id) is None:
        await user_rows.upsert_user(session, user_id=user_id, first_name=None)


def _looks_like_typo(key: str, exercise: Exercise) -> bool:
    return any(
        difflib.SequenceMatcher(None, key, normalise_name(name)).ratio() >= TYPO_SIMILARITY
        for name in exercise.names()
    )


def _sets_of(
    entry: ParsedEntry, slug: str | None, name: str, performed_at: datetime
) -> list[LoggedSet]:
    return [
        LoggedSet(
            exercise_name=name,
            exercise_slug=slug,
            performed_at=performed_at,
            reps=parsed.reps,
            weight_kg=parsed.weight_kg,
            rir=parsed.rir,
            rpe=parsed.rpe,
            duration_s=parsed.duration_s,
            distance_m=parsed.distance_m,
        )
        for parsed in entry.sets
    ]


def _tool_set(
    raw: object, exercise: Exercise, performed_at: datetime, units: UnitSystem, index: int
) -> LoggedSet:
    if not isinstance(raw, dict):
        raise ToolArgumentError(f"Set {index} is not an object with reps, weight and unit.")
    reps = raw.get("reps")
    if not isinstance(reps, int) or isinstance(reps, bool):
        raise ToolArgumentError(f"Set {index} has no whole number of reps: ask the user.")
    if not REPS_RANGE[0] <= reps <= REPS_RANGE[1]:
        raise ToolArgumentError(f"Set {index}: {reps} reps is not plausible; ask the user.")
    weight = raw.get("weight")
    weight_kg: float | None = None
    if weight is not None:
        if not isinstance(weight, int | float) or isinstance(weight, bool):
            raise ToolArgumentError(f"Set {index}: the weight must be a number.")
        unit = str(raw.get("unit") or "").strip().lower()
        if unit not in ("kg", "lb"):
            raise ToolArgumentError(
                f"Set {index}: the weight's unit is unclear (kg or lb?); ask the user."
            )
        weight_kg = float(weight) * (KG_PER_LB if unit == "lb" else 1.0)
        if not WEIGHT_RANGE_KG[0] <= weight_kg <= WEIGHT_RANGE_KG[1]:
            raise ToolArgumentError(f"Set {index}: {weight} {unit} is not plausible; ask.")
    return LoggedSet(
        exercise_name=exercise.name,
        exercise_slug=exercise.slug,
        performed_at=performed_at,
        reps=reps,
        weight_kg=weight_kg,
    )


def _lines(logged: Sequence[LoggedSet], history: Sequence[LoggedSet]) -> tuple[ExerciseLine, ...]:
    """Group the batch by exercise (first-seen order) with the records each exercise set."""
    seen: dict[str, list[LoggedSet]] = {}
    for item in history:
        seen.setdefault(exercise_key(item), []).append(item)
    order: dict[str, list[LoggedSet]] = {}
    kinds: dict[str, set[PrKind]] = {}
    for item in logged:
        key = exercise_key(item)
        earlier = seen.setdefault(key, [])
        kinds.setdefault(key, set()).update(new_records(item, earlier))
        earlier.append(item)
        order.setdefault(key, []).append(item)
    return tuple(
        ExerciseLine(
            name=group[0].exercise_name,
            slug=group[0].exercise_slug,
            sets=tuple(group),
            records=frozenset(kinds[key]),
        )
        for key, group in order.items()
    )
