"""The training log's numbers: logged sets, body weight, e1RM, records, weekly volume, streaks.

Everything here is pure and in SI (kg, s, m); the user's UnitSystem only decides the size of the
next weight step. Dates are the user's local dates: callers convert timestamps before passing them.
Facts and figures come from /work/shared/DOMAIN.md "Training numbers".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.units import KG_PER_LB, UnitSystem

__all__ = [
    "E1RM_TRUSTED_MAX_REPS",
    "HARD_SET_MAX_RIR",
    "HARD_SET_MIN_RPE",
    "BodyWeight",
    "Equipment",
    "ExerciseSummary",
    "IsoWeek",
    "LoggedSet",
    "NextTarget",
    "OneRepMax",
    "PersonalRecords",
    "PrEvent",
    "PrKind",
    "ProgressionAction",
    "RecentSummary",
    "RepRange",
    "WeekVolume",
    "WeightTrend",
    "best_set",
    "estimated_1rm",
    "exercise_key",
    "is_hard_set",
    "moving_average",
    "new_records",
    "next_target",
    "personal_records",
    "progression_step_kg",
    "recent_summary",
    "session_bests",
    "set_e1rm",
    "training_week_streak",
    "weekly_volume",
    "weight_moving_average",
]

# Epley and Brzycki are trusted up to about 10 reps (DOMAIN.md "Training numbers").
E1RM_TRUSTED_MAX_REPS = 10
# A "hard set" is a working set taken close to failure; sets further than 4 reps in reserve
# (RPE under 6) are warm-ups for volume counting. Sets without RIR/RPE count as hard: people
# rarely log warm-ups, and we cannot tell. Convention of hard-set counting in hypertrophy
# volume research (e.g. Baz-Valle et al. 2022, sets "to or near failure").
HARD_SET_MAX_RIR = 4.0
HARD_SET_MIN_RPE = 6.0
# Float noise from lb -> kg conversions must not make an equal lift a record.
_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class LoggedSet:
    """One set as logged: what, how many, how heavy, how hard, when.

    ``exercise_slug`` is the catalog slug when the name was resolved (None for free text);
    ``exercise_name`` is the name as shown to the user. ``performed_at`` is in the user's
    local time (its date decides the day and ISO week). Strength sets have ``reps`` and
    usually ``weight_kg`` (None for body-weight work); timed and cardio sets use
    ``duration_s`` / ``distance_m``.
    """

    exercise_name: str
    performed_at: datetime
    exercise_slug: str | None = None
    reps: int | None = None
    weight_kg: float | None = None
    rir: float | None = None
    rpe: float | None = None
    duration_s: float | None = None
    distance_m: float | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A stored set: its row id and batch (what one /log message or tool call logged)."""

    id: int
    batch_id: str
    logged: LoggedSet


@dataclass(frozen=True, slots=True)
class BodyWeight:
    """One body-weight measurement; one per date (as wger keeps them)."""

    on: date
    weight_kg: float
    waist_cm: float | None = None


@dataclass(frozen=True, slots=True)
class OneRepMax:
    """An estimated one-rep max; ``trusted`` is False above 10 reps, where estimates drift."""

    kg: float
    trusted: bool


def exercise_key(logged: LoggedSet) -> str:
    """What groups sets of the same exercise: the slug, else the case-folded name."""
    return logged.exercise_slug or " ".join(logged.exercise_name.casefold().split())


# ---------------------------------------------------------------------------------------------
# e1RM and records


def estimated_1rm(weight_kg: float | None, reps: int | None) -> OneRepMax | None:
    """Epley: w·(1 + reps/30); at 1 rep the weight itself. None without weight or reps.

    >>> estimated_1rm(100, 5)
    OneRepMax(kg=116.66666666666667, trusted=True)
    """
    if weight_kg is None or reps is None or weight_kg <= 0 or reps < 1:
        return None
    kg = weight_kg if reps == 1 else weight_kg * (1 + reps / 30)
    return OneRepMax(kg=kg, trusted=reps <= E1RM_TRUSTED_MAX_REPS)


def set_e1rm(logged: LoggedSet) -> OneRepMax | None:
    """estimated_1rm of a logged set."""
    return estimated_1rm(logged.weight_kg, logged.reps)


@dataclass(frozen=True, slots=True)
class PersonalRecords:
    """An exercise's records.

    ``best_weight_by_reps`` maps a rep count to the heaviest weight done for that many reps;
    ``best_e1rm`` is the highest *trusted* estimate (sets of up to 10 reps) and ``best_e1rm_set``
    the set it came from; ``most_reps`` is the most reps in one set without added weight.
    """

    best_weight_by_reps: Mapping[int, float]
    best_e1rm: OneRepMax | None
    best_e1rm_set: LoggedSet | None
    heaviest_kg: float | None
    most_reps: int | None


def personal_records(sets: Iterable[LoggedSet]) -> PersonalRecords:
    """Records over ``sets``, which the caller has filtered to one exercise (see exercise_key)."""
    by_reps: dict[int, float] = {}
    best: OneRepMax | None = None
    best_set: LoggedSet | None = None
    heaviest: float | None = None
    most_reps: int | None = None
    for logged in sets:
        weight, reps = logged.weight_kg, logged.reps
        if weight is not None and weight > 0:
            heaviest = weight if heaviest is None else max(heaviest, weight)
            if reps is not None and reps >= 1:
                by_reps[reps] = max(by_reps.get(reps, 0.0), weight)
        elif reps is not None:
            most_reps = reps if most_reps is None else max(most_reps, reps)
        e1rm = set_e1rm(logged)
        if e1rm is not None and e1rm.trusted and (best is None or e1rm.kg > best.kg + _EPS):
            best, best_set = e1rm, logged
    return PersonalRecords(
        best_weight_by_reps=dict(sorted(by_reps.items())),
        best_e1rm=best,
        best_e1rm_set=best_set,
        heaviest_kg=heaviest,
        most_reps=most_reps,
    )


class PrKind(StrEnum):
    """Which kind of record a set beat."""

    WEIGHT = "weight"  # heaviest weight ever lifted in this exercise
    REP_MAX = "rep_max"  # nobody lifted this much for this many reps (or more) before
    E1RM = "e1rm"  # best trusted estimated 1RM
    REPS = "reps"  # most reps in one set without added weight


def new_records(new: LoggedSet, earlier: Iterable[LoggedSet]) -> frozenset[PrKind]:
    """The kinds of record ``new`` sets against ``earlier`` sets of the same exercise.

    The first time an exercise is logged sets no record (it is the baseline). A set is a
    REP_MAX record when no earlier set had at least its weight for at least its reps, so
    95 kg x 5 after 100 kg x 8 is not one. Empty when nothing was beaten.
    """
    history = list(earlier)
    if not history:
        return frozenset()
    kinds: set[PrKind] = set()
    weight, reps = new.weight_kg, new.reps
    if weight is not None and weight > 0:
        heavier = [s.weight_kg for s in history if s.weight_kg is not None]
        if weight > max(heavier, default=0.0) + _EPS:
            kinds.add(PrKind.WEIGHT)
        if reps is not None and reps >= 1:
            dominated = any(
                s.weight_kg is not None
                and s.reps is not None
                and s.weight_kg >= weight - _EPS
                and s.reps >= reps
                for s in history
            )
            if not dominated:
                kinds.add(PrKind.REP_MAX)
        e1rm = set_e1rm(new)
        if e1rm is not None and e1rm.trusted:
            before = personal_records(history).best_e1rm
            if before is None or e1rm.kg > before.kg + _EPS:
                kinds.add(PrKind.E1RM)
    elif reps is not None:
        unweighted = [s.reps for s in history if s.reps is not None and not s.weight_kg]
        if unweighted and reps > max(unweighted):
            kinds.add(PrKind.REPS)
    return frozenset(kinds)


def best_set(sets: Iterable[LoggedSet]) -> LoggedSet | None:
    """The set that shows best: highest e1RM, then most reps, then longest or farthest."""

    def rank(logged: LoggedSet) -> tuple[float, float, float, float]:
        e1rm = set_e1rm(logged)
        return (
            e1rm.kg if e1rm is not None else 0.0,
            float(logged.reps or 0),
            logged.distance_m or 0.0,
            logged.duration_s or 0.0,
        )

    return max(sets, key=rank, default=None)


def session_bests(sets: Iterable[LoggedSet], *, e1rm: bool = True) -> list[tuple[date, float]]:
    """One exercise's best per training day, oldest first, in kg: for a progress chart.

    With ``e1rm`` the best trusted estimated 1RM (days with only sets over 10 reps or without
    weight are left out), else the heaviest weight lifted.
    """
    best: dict[date, float] = {}
    for logged in sets:
        if e1rm:
            estimate = set_e1rm(logged)
            value = estimate.kg if estimate is not None and estimate.trusted else None
        else:
            value = logged.weight_kg if logged.weight_kg and logged.weight_kg > 0 else None
        if value is not None:
            day = logged.performed_at.date()
            best[day] = max(best.get(day, 0.0), value)
    return sorted(best.items())


# ---------------------------------------------------------------------------------------------
# Weeks, volume, streaks


@dataclass(frozen=True, slots=True, order=True)
class IsoWeek:
    """An ISO 8601 week (Monday to Sunday), ordered by time."""

    year: int
    week: int

    @classmethod
    def of(cls, day: date | datetime) -> IsoWeek:
        """The ISO week a date (or a datetime's date) falls in."""
        iso = (day.date() if isinstance(day, datetime) else day).isocalendar()
        return cls(iso.year, iso.week)

    @property
    def monday(self) -> date:
        """The week's first day."""
        return date.fromisocalendar(self.year, self.week, 1)

    def shifted(self, weeks: int) -> IsoWeek:
        """The week ``weeks`` later (earlier when negative)."""
        return IsoWeek.of(self.monday + timedelta(weeks=weeks))


def is_hard_set(logged: LoggedSet) -> bool:
    """A set counted for weekly volume: RIR <= 4 or RPE >= 6, or neither given."""
    if logged.rir is not None:
        return logged.rir <= HARD_SET_MAX_RIR
    if logged.rpe is not None:
        return logged.rpe >= HARD_SET_MIN_RPE
    return True


@dataclass(frozen=True, slots=True)
class WeekVolume:
    """One ISO week's training volume.

    ``hard_sets`` counts every hard set; ``sets_by_muscle`` counts each hard set once for each
    of its exercise's primary muscle groups (sets of unmapped exercises are in ``hard_sets``
    only); ``tonnage_kg`` is the sum of reps x weight over all sets (DOMAIN.md: volume =
    sets x reps x weight).
    """

    week: IsoWeek
    hard_sets: int
    sets_by_muscle: Mapping[str, int]
    tonnage_kg: float


def weekly_volume(
    sets: Iterable[LoggedSet], primary_muscles: Mapping[str, Sequence[str]]
) -> list[WeekVolume]:
    """Hard sets per muscle group per ISO week, oldest week first; weeks without sets left out.

    ``primary_muscles`` maps an exercise slug to its primary muscle groups (from the catalog).
    About 10-20 hard sets per muscle group a week is the common hypertrophy range.
    """
    hard: dict[IsoWeek, int] = defaultdict(int)
    by_muscle: dict[IsoWeek, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    tonnage: dict[IsoWeek, float] = defaultdict(float)
    for logged in sets:
        week = IsoWeek.of(logged.performed_at)
        tonnage[week] += (logged.reps or 0) * (logged.weight_kg or 0.0)
        # A week of warm-ups only still shows, with its tonnage and no hard sets.
        hard_set = is_hard_set(logged)
        hard[week] += 1 if hard_set else 0
        if not hard_set:
            continue
        muscles = primary_muscles.get(logged.exercise_slug or "", ())
        for muscle in dict.fromkeys(muscles):
            by_muscle[week][muscle] += 1
    return [
        WeekVolume(
            week=week,
            hard_sets=hard[week],
            sets_by_muscle=dict(sorted(by_muscle[week].items())),
            tonnage_kg=tonnage[week],
        )
        for week in sorted(hard)
    ]


def training_week_streak(days: Iterable[date | datetime], today: date) -> int:
    """How many ISO weeks in a row had training, ending at the week of ``today``.

    The current week is still open: when it has no training yet the streak is counted from
    the week before, so on a Monday the streak is not lost. Training after ``today`` is ignored.
    """
    dates = (day.date() if isinstance(day, datetime) else day for day in days)
    weeks = {IsoWeek.of(day) for day in dates if day <= today}
    week = IsoWeek.of(today)
    if week not in weeks:
        week = week.shifted(-1)
    streak = 0
    while week in weeks:
        streak += 1
        week = week.shifted(-1)
    return streak


# ---------------------------------------------------------------------------------------------
# Double progression


class Equipment(StrEnum):
    """What decides the smallest weight step."""

    BARBELL = "barbell"
    DUMBBELL = "dumbbell"
    MACHINE = "machine"
    BODYWEIGHT = "bodyweight"


@dataclass(frozen=True, slots=True)
class RepRange:
    """A target rep range such as 8-12 (both ends included)."""

    low: int
    high: int

    def __post_init__(self) -> None:
        if not 1 <= self.low <= self.high:
            raise ValueError(f"bad rep range {self.low}-{self.high}")


# Dumbbells come in 1 kg steps while light and 2 kg steps (or more) after that.
_LIGHT_DUMBBELL_KG = 10.0


def progression_step_kg(equipment: Equipment, units: UnitSystem, weight_kg: float) -> float:
    """The smallest sensible weight step (DOMAIN.md "Training numbers").

    Imperial users add 5 lb to anything; metric users 2.5 kg to barbells and machines, 1 kg
    to dumbbells up to 10 kg and 2 kg above; body-weight work adds 2.5 kg (a plate on a belt).
    """
    if units is UnitSystem.IMPERIAL:
        return 5 * KG_PER_LB
    if equipment is Equipment.DUMBBELL:
        return 1.0 if weight_kg < _LIGHT_DUMBBELL_KG else 2.0
    return 2.5


class ProgressionAction(StrEnum):
    """What the next session changes."""

    ADD_WEIGHT = "add_weight"  # every set reached the top of the range
    ADD_REPS = "add_reps"  # keep the weight, add reps up to the top


@dataclass(frozen=True, slots=True)
class NextTarget:
    """The next session's target for one exercise.

    ``weight_kg`` is None for body-weight work still inside the rep range; ``reps`` holds one
    target per working set (the bottom of the range after a weight increase).
    """

    action: ProgressionAction
    weight_kg: float | None
    reps: tuple[int, ...]


def next_target(
    last_session: Sequence[LoggedSet],
    rep_range: RepRange,
    *,
    equipment: Equipment,
    units: UnitSystem,
) -> NextTarget | None:
    """Double progression from the last session's sets of one exercise.

    Working sets are those at the session's heaviest weight (lighter ones are warm-ups).
    When every working set reached ``rep_range.high`` the weight goes up one step and the
    target drops to ``rep_range.low``; otherwise the weight stays and each set aims for one
    more rep than last time, capped at the top. None when no set has reps.
    """
    with_reps = [s for s in last_session if s.reps is not None and s.reps >= 1]
    if not with_reps:
        return None
    top = max((s.weight_kg or 0.0) for s in with_reps)
    working = [s for s in with_reps if (s.weight_kg or 0.0) >= top - _EPS]
    reps = [s.reps for s in working if s.reps is not None]
    weight = top if top > 0 else None
    if all(r >= rep_range.high for r in reps):
        step = progression_step_kg(equipment, units, weight or 0.0)
        return NextTarget(
            action=ProgressionAction.ADD_WEIGHT,
            weight_kg=(weight or 0.0) + step,
            reps=(rep_range.low,) * len(reps),
        )
    targets = tuple(min(max(r + 1, rep_range.low), rep_range.high) for r in reps)
    return NextTarget(action=ProgressionAction.ADD_REPS, weight_kg=weight, reps=targets)


# ---------------------------------------------------------------------------------------------
# Body weight


def moving_average(
    points: Iterable[tuple[date, float]], window_days: int = 7
) -> list[tuple[date, float]]:
    """Trailing moving average over calendar days, one point per input date, oldest first.

    Each date's value is the mean of all values in the ``window_days`` days ending that date,
    so gaps in the series shorten the window instead of skewing it. Several values on one
    date are averaged first.
    """
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    per_day: dict[date, list[float]] = defaultdict(list)
    for day, value in points:
        per_day[day].append(value)
    days = sorted(per_day)
    daily = [sum(per_day[d]) / len(per_day[d]) for d in days]
    result: list[tuple[date, float]] = []
    start = 0
    for end, day in enumerate(days):
        while days[start] <= day - timedelta(days=window_days):
            start += 1
        window = daily[start : end + 1]
        result.append((day, sum(window) / len(window)))
    return result


def weight_moving_average(
    entries: Iterable[BodyWeight], window_days: int = 7
) -> list[tuple[date, float]]:
    """moving_average of body-weight entries, in kg."""
    return moving_average(((e.on, e.weight_kg) for e in entries), window_days)


# ---------------------------------------------------------------------------------------------
# Recent summary for the coach


@dataclass(frozen=True, slots=True)
class PrEvent:
    """A record set inside the summary window."""

    logged: LoggedSet
    kinds: frozenset[PrKind]


@dataclass(frozen=True, slots=True)
class ExerciseSummary:
    """One exercise in the window: how many sets, on how many days, and its best set."""

    name: str
    slug: str | None
    sets: int
    days: int
    best: LoggedSet
    best_e1rm: OneRepMax | None


@dataclass(frozen=True, slots=True)
class WeightTrend:
    """Body weight in the window: first and last 7-day averages (kg) and how many entries."""

    first_on: date
    first_avg_kg: float
    last_on: date
    last_avg_kg: float
    entries: int

    @property
    def change_kg(self) -> float:
        """Last average minus first average."""
        return self.last_avg_kg - self.first_avg_kg


@dataclass(frozen=True, slots=True)
class RecentSummary:
    """The last ``days`` days in structured form, for a prompt builder to turn into lines.

    ``exercises`` is ordered by number of sets (most first), then name; ``records`` by time.
    """

    start: date
    end: date
    sessions: int
    total_sets: int
    exercises: tuple[ExerciseSummary, ...]
    records: tuple[PrEvent, ...]
    weight: WeightTrend | None


def recent_summary(
    sets: Iterable[LoggedSet],
    weights: Iterable[BodyWeight],
    today: date,
    *,
    days: int = 14,
) -> RecentSummary:
    """Summarise the ``days`` days ending ``today`` (included).

    ``sets`` may include older history: it is used to tell records apart, and only sets in
    the window are summarised. A session is a day with at least one set. ``weights`` older
    than the window still feed the first 7-day average.
    """
    start = today - timedelta(days=days - 1)
    ordered = sorted(
        (s for s in sets if s.performed_at.date() <= today), key=lambda s: s.performed_at
    )
    window = [s for s in ordered if s.performed_at.date() >= start]

    grouped: dict[str, list[LoggedSet]] = defaultdict(list)
    for logged in window:
        grouped[exercise_key(logged)].append(logged)
    exercises: list[ExerciseSummary] = []
    for group in grouped.values():
        top = best_set(group)
        assert top is not None  # groups are never empty
        exercises.append(
            ExerciseSummary(
                name=group[-1].exercise_name,
                slug=group[-1].exercise_slug,
                sets=len(group),
                days=len({s.performed_at.date() for s in group}),
                best=top,
                best_e1rm=personal_records(group).best_e1rm,
            )
        )
    exercises.sort(key=lambda e: (-e.sets, e.name.casefold()))

    # One record line per exercise and day: the best record set, with every kind beaten.
    daily: dict[tuple[str, date], list[PrEvent]] = defaultdict(list)
    seen: dict[str, list[LoggedSet]] = defaultdict(list)
    for logged in ordered:
        key = exercise_key(logged)
        if logged.performed_at.date() >= start:
            kinds = new_records(logged, seen[key])
            if kinds:
                daily[key, logged.performed_at.date()].append(PrEvent(logged, kinds))
        seen[key].append(logged)
    records = []
    for events in daily.values():
        top = best_set(e.logged for e in events)
        assert top is not None
        records.append(PrEvent(top, frozenset().union(*(e.kinds for e in events))))
    records.sort(key=lambda e: e.logged.performed_at)

    averaged = weight_moving_average(w for w in weights if w.on <= today)
    in_window = [p for p in averaged if p[0] >= start]
    trend = (
        WeightTrend(
            first_on=in_window[0][0],
            first_avg_kg=in_window[0][1],
            last_on=in_window[-1][0],
            last_avg_kg=in_window[-1][1],
            entries=len(in_window),
        )
        if in_window
        else None
    )
    return RecentSummary(
        start=start,
        end=today,
        sessions=len({s.performed_at.date() for s in window}),
        total_sets=len(window),
        exercises=tuple(exercises),
        records=tuple(records),
        weight=trend,
    )
