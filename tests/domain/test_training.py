"""Training numbers: e1RM, records, weekly volume, streaks, double progression, averages."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.training import (
    BodyWeight,
    Equipment,
    IsoWeek,
    LoggedSet,
    NextTarget,
    OneRepMax,
    PrKind,
    ProgressionAction,
    RepRange,
    best_set,
    estimated_1rm,
    exercise_key,
    is_hard_set,
    moving_average,
    new_records,
    next_target,
    personal_records,
    progression_step_kg,
    recent_summary,
    session_bests,
    training_week_streak,
    weekly_volume,
)
from bot.domain.units import KG_PER_LB, UnitSystem

MON = date(2026, 3, 2)  # a Monday, ISO week 10 of 2026


def lift(
    reps: int | None,
    kg: float | None,
    day: date = MON,
    *,
    slug: str | None = "squat",
    name: str = "Squat",
    rir: float | None = None,
    rpe: float | None = None,
    hour: int = 18,
) -> LoggedSet:
    return LoggedSet(
        exercise_name=name,
        performed_at=datetime(day.year, day.month, day.day, hour),
        exercise_slug=slug,
        reps=reps,
        weight_kg=kg,
        rir=rir,
        rpe=rpe,
    )


# ---------------------------------------------------------------------------------------------
# e1RM


@pytest.mark.parametrize(
    ("kg", "reps", "expected"),
    [
        (100, 1, OneRepMax(100, trusted=True)),
        (100, 5, OneRepMax(100 * (1 + 5 / 30), trusted=True)),
        (100, 10, OneRepMax(100 * (1 + 10 / 30), trusted=True)),
        (60, 11, OneRepMax(60 * (1 + 11 / 30), trusted=False)),
        (20, 30, OneRepMax(40, trusted=False)),
        (None, 5, None),
        (100, None, None),
        (0, 5, None),
        (100, 0, None),
    ],
)
def test_estimated_1rm(kg: float | None, reps: int | None, expected: OneRepMax | None) -> None:
    assert estimated_1rm(kg, reps) == expected


@given(st.floats(min_value=1, max_value=500), st.integers(min_value=1, max_value=100))
def test_e1rm_is_never_below_the_weight(kg: float, reps: int) -> None:
    e1rm = estimated_1rm(kg, reps)
    assert e1rm is not None
    assert e1rm.kg >= kg
    assert e1rm.trusted is (reps <= 10)


# ---------------------------------------------------------------------------------------------
# Records


def test_personal_records() -> None:
    sets = [lift(5, 100), lift(5, 105), lift(3, 110), lift(12, 80), lift(1, 120), lift(8, None)]
    records = personal_records(sets)
    assert records.best_weight_by_reps == {1: 120, 3: 110, 5: 105, 12: 80}
    assert records.heaviest_kg == 120
    # 105 x 5 -> 122.5 beats 120 x 1; 80 x 12 (128) is past 10 reps and not trusted.
    assert records.best_e1rm == OneRepMax(105 * (1 + 5 / 30), trusted=True)
    assert records.best_e1rm_set == lift(5, 105)
    assert records.most_reps == 8


def test_personal_records_of_nothing() -> None:
    records = personal_records([])
    assert records.best_weight_by_reps == {}
    assert records.best_e1rm is None
    assert records.heaviest_kg is None


HISTORY = [lift(5, 100), lift(8, 90), lift(1, 115)]


@pytest.mark.parametrize(
    ("new", "earlier", "expected"),
    [
        (lift(5, 100), [], set()),  # the first time is the baseline
        (lift(5, 100), HISTORY, set()),  # equal is not a record
        (lift(5, 102.5), HISTORY, {PrKind.REP_MAX, PrKind.E1RM}),
        (lift(6, 100), HISTORY, {PrKind.REP_MAX, PrKind.E1RM}),
        (lift(1, 117.5), HISTORY, {PrKind.WEIGHT, PrKind.REP_MAX, PrKind.E1RM}),
        (lift(2, 108), HISTORY, {PrKind.REP_MAX}),  # e1RM 115.2 < 116.7 from 100 x 5
        (lift(5, 95), HISTORY, set()),  # 100 x 5 was done before
        (lift(3, 95), HISTORY, set()),  # dominated by 100 x 5
        (lift(12, 85), HISTORY, {PrKind.REP_MAX}),  # 12 reps: e1RM not trusted
        (lift(5, 100 + 1e-9), HISTORY, set()),  # float noise from lb conversions
        (lift(12, None), [lift(10, None), lift(8, None)], {PrKind.REPS}),
        (lift(10, None), [lift(10, None)], set()),
        (lift(10, None), [lift(5, 100)], set()),
    ],
)
def test_new_records(new: LoggedSet, earlier: list[LoggedSet], expected: set[PrKind]) -> None:
    assert new_records(new, earlier) == expected


def test_best_set_prefers_e1rm_then_reps() -> None:
    assert best_set([lift(5, 100), lift(1, 110), lift(3, 105)]) == lift(5, 100)
    assert best_set([lift(8, None), lift(12, None)]) == lift(12, None)
    assert best_set([]) is None


def test_exercise_key_uses_slug_else_the_folded_name() -> None:
    assert exercise_key(lift(5, 100)) == "squat"
    assert exercise_key(lift(5, 100, slug=None, name="  Back  SQUAT ")) == "back squat"


@pytest.mark.parametrize(
    ("e1rm", "expected"),
    [
        (True, [(MON, 105 * (1 + 5 / 30)), (MON + timedelta(days=2), 100.0)]),
        (False, [(MON, 105.0), (MON + timedelta(days=2), 100.0), (MON + timedelta(days=4), 60.0)]),
    ],
)
def test_session_bests(e1rm: bool, expected: list[tuple[date, float]]) -> None:
    sets = [
        lift(1, 100, MON + timedelta(days=2)),
        lift(5, 100),
        lift(5, 105),
        lift(15, 60, MON + timedelta(days=4)),  # past 10 reps: no trusted e1RM that day
        lift(20, None, MON + timedelta(days=5)),
    ]
    assert session_bests(sets, e1rm=e1rm) == expected


# ---------------------------------------------------------------------------------------------
# Weeks and volume


@pytest.mark.parametrize(
    ("day", "week"),
    [
        (date(2026, 3, 2), IsoWeek(2026, 10)),
        (date(2026, 3, 8), IsoWeek(2026, 10)),
        (date(2026, 1, 1), IsoWeek(2026, 1)),
        (date(2027, 1, 1), IsoWeek(2026, 53)),  # 2026 has 53 ISO weeks
        (date(2024, 12, 30), IsoWeek(2025, 1)),
        (datetime(2026, 3, 8, 23, 59), IsoWeek(2026, 10)),
    ],
)
def test_iso_week(day: date, week: IsoWeek) -> None:
    assert IsoWeek.of(day) == week
    assert week.monday <= (day.date() if isinstance(day, datetime) else day)
    assert week.shifted(1).shifted(-1) == week


@pytest.mark.parametrize(
    ("rir", "rpe", "hard"),
    [
        (None, None, True),
        (0, None, True),
        (4, None, True),
        (5, None, False),
        (None, 6, True),
        (None, 5.5, False),
        (2, 5, True),  # RIR wins when both are given
    ],
)
def test_is_hard_set(rir: float | None, rpe: float | None, hard: bool) -> None:
    assert is_hard_set(lift(5, 100, rir=rir, rpe=rpe)) is hard


MUSCLES = {"squat": ["quads", "glutes"], "bench": ["chest"], "row": ["back"]}


@pytest.mark.parametrize(
    ("sets", "expected"),
    [
        ([], []),
        (
            [lift(5, 100), lift(5, 100), lift(8, 60, slug="bench", name="Bench")],
            [(IsoWeek(2026, 10), 3, {"chest": 1, "glutes": 2, "quads": 2}, 1480.0)],
        ),
        (
            # warm-ups (RIR 6) count in tonnage only; unmapped exercises count in the total
            [lift(5, 60, rir=6), lift(5, 100), lift(10, None, slug=None, name="Plank")],
            [(IsoWeek(2026, 10), 2, {"glutes": 1, "quads": 1}, 800.0)],
        ),
        (
            [lift(5, 100, MON + timedelta(days=7)), lift(5, 100, MON), lift(5, 100, MON)],
            [
                (IsoWeek(2026, 10), 2, {"glutes": 2, "quads": 2}, 1000.0),
                (IsoWeek(2026, 11), 1, {"glutes": 1, "quads": 1}, 500.0),
            ],
        ),
        (
            [lift(5, 60, rir=8)],
            [(IsoWeek(2026, 10), 0, {}, 300.0)],
        ),
    ],
)
def test_weekly_volume(
    sets: list[LoggedSet], expected: list[tuple[IsoWeek, int, dict[str, int], float]]
) -> None:
    got = weekly_volume(sets, MUSCLES)
    assert [(w.week, w.hard_sets, dict(w.sets_by_muscle), w.tonnage_kg) for w in got] == expected


@pytest.mark.parametrize(
    ("days", "today", "streak"),
    [
        ([], MON, 0),
        ([MON], MON, 1),
        ([MON - timedelta(days=3)], MON, 1),  # this week not trained yet: last week counts
        ([MON - timedelta(days=10)], MON, 0),  # two weeks ago only: broken
        ([MON, MON - timedelta(days=7), MON - timedelta(days=14)], MON, 3),
        ([MON, MON - timedelta(days=1), MON - timedelta(days=13)], MON + timedelta(days=6), 3),
        ([MON, MON - timedelta(days=14)], MON, 1),
        ([MON + timedelta(days=7)], MON, 0),  # the future is ignored
        ([datetime(2026, 3, 2, 7), datetime(2026, 2, 26, 19)], MON, 2),
        ([date(2025, 12, 29), date(2026, 1, 4), date(2025, 12, 22)], date(2026, 1, 4), 2),
    ],
)
def test_training_week_streak(days: list[date], today: date, streak: int) -> None:
    assert training_week_streak(days, today) == streak


# ---------------------------------------------------------------------------------------------
# Double progression


@pytest.mark.parametrize(
    ("equipment", "units", "kg", "step"),
    [
        (Equipment.BARBELL, UnitSystem.METRIC, 100, 2.5),
        (Equipment.MACHINE, UnitSystem.METRIC, 50, 2.5),
        (Equipment.DUMBBELL, UnitSystem.METRIC, 8, 1.0),
        (Equipment.DUMBBELL, UnitSystem.METRIC, 10, 2.0),
        (Equipment.DUMBBELL, UnitSystem.METRIC, 24, 2.0),
        (Equipment.BODYWEIGHT, UnitSystem.METRIC, 0, 2.5),
        (Equipment.BARBELL, UnitSystem.IMPERIAL, 100, 5 * KG_PER_LB),
        (Equipment.DUMBBELL, UnitSystem.IMPERIAL, 10, 5 * KG_PER_LB),
    ],
)
def test_progression_step(equipment: Equipment, units: UnitSystem, kg: float, step: float) -> None:
    assert progression_step_kg(equipment, units, kg) == step


EIGHT_TO_TWELVE = RepRange(8, 12)


@pytest.mark.parametrize(
    ("session", "equipment", "units", "expected"),
    [
        (
            [lift(12, 60), lift(12, 60), lift(12, 60)],
            Equipment.BARBELL,
            UnitSystem.METRIC,
            NextTarget(ProgressionAction.ADD_WEIGHT, 62.5, (8, 8, 8)),
        ),
        (
            [lift(12, 60), lift(11, 60), lift(10, 60)],
            Equipment.BARBELL,
            UnitSystem.METRIC,
            NextTarget(ProgressionAction.ADD_REPS, 60, (12, 12, 11)),
        ),
        (
            [lift(6, 60), lift(5, 60)],  # below the range: aim for its bottom
            Equipment.BARBELL,
            UnitSystem.METRIC,
            NextTarget(ProgressionAction.ADD_REPS, 60, (8, 8)),
        ),
        (
            # the warm-up at 40 kg is not a working set
            [lift(12, 40), lift(13, 60), lift(12, 60)],
            Equipment.BARBELL,
            UnitSystem.METRIC,
            NextTarget(ProgressionAction.ADD_WEIGHT, 62.5, (8, 8)),
        ),
        (
            [lift(12, 8), lift(12, 8)],
            Equipment.DUMBBELL,
            UnitSystem.METRIC,
            NextTarget(ProgressionAction.ADD_WEIGHT, 9, (8, 8)),
        ),
        (
            [lift(12, 20), lift(12, 20)],
            Equipment.DUMBBELL,
            UnitSystem.METRIC,
            NextTarget(ProgressionAction.ADD_WEIGHT, 22, (8, 8)),
        ),
        (
            [lift(12, 135 * KG_PER_LB)] * 3,
            Equipment.BARBELL,
            UnitSystem.IMPERIAL,
            NextTarget(ProgressionAction.ADD_WEIGHT, 135 * KG_PER_LB + 5 * KG_PER_LB, (8, 8, 8)),
        ),
        (
            [lift(9, None), lift(8, None)],
            Equipment.BODYWEIGHT,
            UnitSystem.METRIC,
            NextTarget(ProgressionAction.ADD_REPS, None, (10, 9)),
        ),
        (
            [lift(12, None), lift(12, None)],
            Equipment.BODYWEIGHT,
            UnitSystem.METRIC,
            NextTarget(ProgressionAction.ADD_WEIGHT, 2.5, (8, 8)),
        ),
    ],
)
def test_next_target(
    session: list[LoggedSet], equipment: Equipment, units: UnitSystem, expected: NextTarget
) -> None:
    assert next_target(session, EIGHT_TO_TWELVE, equipment=equipment, units=units) == expected


def test_next_target_without_reps() -> None:
    plank = LoggedSet("Plank", datetime(2026, 3, 2, 18), duration_s=60)
    target = next_target(
        [plank], EIGHT_TO_TWELVE, equipment=Equipment.BODYWEIGHT, units=UnitSystem.METRIC
    )
    assert target is None


@pytest.mark.parametrize(("low", "high"), [(0, 5), (8, 6), (-1, 3)])
def test_rep_range_is_checked(low: int, high: int) -> None:
    with pytest.raises(ValueError, match="rep range"):
        RepRange(low, high)


# ---------------------------------------------------------------------------------------------
# Moving average


D = [MON + timedelta(days=i) for i in range(20)]


@pytest.mark.parametrize(
    ("points", "window", "expected"),
    [
        ([], 7, []),
        ([(D[0], 80.0)], 7, [(D[0], 80.0)]),
        ([(D[0], 80.0), (D[1], 82.0)], 7, [(D[0], 80.0), (D[1], 81.0)]),
        ([(D[1], 82.0), (D[0], 80.0)], 7, [(D[0], 80.0), (D[1], 81.0)]),  # any order in
        ([(D[0], 80.0), (D[0], 82.0)], 7, [(D[0], 81.0)]),  # one date, two values
        # D[0] drops out of the window of D[7]
        ([(D[0], 70.0), (D[6], 80.0), (D[7], 90.0)], 7, [(D[0], 70.0), (D[6], 75.0), (D[7], 85.0)]),
        # a gap shortens the window instead of dragging old values along
        ([(D[0], 70.0), (D[10], 80.0)], 7, [(D[0], 70.0), (D[10], 80.0)]),
        ([(D[0], 1.0), (D[1], 2.0), (D[2], 3.0)], 2, [(D[0], 1.0), (D[1], 1.5), (D[2], 2.5)]),
        ([(D[0], 1.0), (D[1], 3.0)], 1, [(D[0], 1.0), (D[1], 3.0)]),
    ],
)
def test_moving_average(
    points: list[tuple[date, float]], window: int, expected: list[tuple[date, float]]
) -> None:
    assert moving_average(points, window) == expected


def test_moving_average_window_must_be_positive() -> None:
    with pytest.raises(ValueError, match="window_days"):
        moving_average([(D[0], 1.0)], 0)


@given(st.lists(st.floats(min_value=30, max_value=300), min_size=1, max_size=40))
def test_moving_average_stays_within_the_values(values: list[float]) -> None:
    averaged = moving_average(list(zip(D * 2, values, strict=False)))
    assert len(averaged) == len(set(D[: len(values)]))
    for _, value in averaged:
        assert min(values) - 1e-9 <= value <= max(values) + 1e-9


# ---------------------------------------------------------------------------------------------
# Summary


def test_recent_summary() -> None:
    today = date(2026, 3, 15)
    old = [lift(5, 100, date(2026, 2, 1)), lift(5, 100, date(2026, 2, 1), hour=19)]
    window = [
        lift(5, 102.5, date(2026, 3, 3)),
        lift(5, 105, date(2026, 3, 3), hour=19),  # two records on one day: one line
        lift(5, 100, date(2026, 3, 10)),
        lift(8, 60, date(2026, 3, 10), slug="bench", name="Bench"),
        lift(10, None, date(2026, 3, 12), slug=None, name="Pull-ups"),
    ]
    future = [lift(5, 200, date(2026, 3, 16))]
    weights = [BodyWeight(date(2026, 2, 28), 81.0)] + [
        BodyWeight(today - timedelta(days=13 - i), 80.0 - 0.1 * i) for i in range(14)
    ]
    summary = recent_summary(old + window + future, weights, today)

    assert (summary.start, summary.end) == (date(2026, 3, 2), today)
    assert summary.sessions == 3
    assert summary.total_sets == 5
    assert [(e.name, e.sets, e.days) for e in summary.exercises] == [
        ("Squat", 3, 2),
        ("Bench", 1, 1),
        ("Pull-ups", 1, 1),
    ]
    assert summary.exercises[0].best == lift(5, 105, date(2026, 3, 3), hour=19)
    assert [(r.logged, r.kinds) for r in summary.records] == [
        (
            lift(5, 105, date(2026, 3, 3), hour=19),
            {PrKind.WEIGHT, PrKind.REP_MAX, PrKind.E1RM},
        )
    ]
    trend = summary.weight
    assert trend is not None
    assert trend.first_on == date(2026, 3, 2)
    assert trend.first_avg_kg == pytest.approx((81.0 + 80.0) / 2)  # 28.02 feeds the average
    assert trend.last_on == today
    assert trend.entries == 14
    assert trend.change_kg == pytest.approx(trend.last_avg_kg - trend.first_avg_kg)
    assert trend.change_kg < 0


def test_recent_summary_of_nothing() -> None:
    summary = recent_summary([], [], date(2026, 3, 15), days=7)
    assert summary.start == date(2026, 3, 9)
    assert (summary.sessions, summary.total_sets, summary.exercises) == (0, 0, ())
    assert summary.records == ()
    assert summary.weight is None
