"""Reading /log messages: the forms people type in en/ru/es/de, and what must be refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.units import KG_PER_LB, UnitSystem
from bot.domain.workout_parser import (
    ParsedEntry,
    ParsedSet,
    ParseErrorCode,
    WorkoutParseError,
    parse_workout,
)

METRIC = UnitSystem.METRIC
IMPERIAL = UnitSystem.IMPERIAL
LB = KG_PER_LB
MILE = 1609.344


def sets(
    count: int,
    reps: int | None = None,
    kg: float | None = None,
    *,
    s: float | None = None,
    m: float | None = None,
    rir: float | None = None,
    rpe: float | None = None,
) -> tuple[ParsedSet, ...]:
    one = ParsedSet(reps=reps, weight_kg=kg, duration_s=s, distance_m=m, rir=rir, rpe=rpe)
    return (one,) * count


def each(
    reps: list[int], kg: float | None = None, *, rir: float | None = None, rpe: float | None = None
) -> tuple[ParsedSet, ...]:
    return tuple(ParsedSet(reps=r, weight_kg=kg, rir=rir, rpe=rpe) for r in reps)


def one(name: str, parsed: tuple[ParsedSet, ...]) -> list[ParsedEntry]:
    return [ParsedEntry(name, parsed)]


# ---------------------------------------------------------------------------------------------
# Accepted


@pytest.mark.parametrize(
    ("text", "units", "expected"),
    [
        # English
        ("squat 3x5 100kg", METRIC, one("squat", sets(3, 5, 100))),
        ("Squat 3x5 100 kg", METRIC, one("Squat", sets(3, 5, 100))),
        ("bench 80kg 5,5,4", METRIC, one("bench", each([5, 5, 4], 80))),
        ("bench 80kg, 5, 5, 4", METRIC, one("bench", each([5, 5, 4], 80))),
        ("bench 80 5,5,4", METRIC, one("bench", each([5, 5, 4], 80))),
        ("ohp 8/8/7 40kg", METRIC, one("ohp", each([8, 8, 7], 40))),
        ("squat 5,5,5 100", METRIC, one("squat", each([5, 5, 5], 100))),
        ("squat 3x5 100kg, 110kg 1x3", METRIC, one("squat", sets(3, 5, 100) + sets(1, 3, 110))),
        ("bench 3x8 60kg / 3x6 70kg", METRIC, one("bench", sets(3, 8, 60) + sets(3, 6, 70))),
        (
            "squat 100kg 5, 110kg 3, 120kg 1",
            METRIC,
            one("squat", sets(1, 5, 100) + sets(1, 3, 110) + sets(1, 1, 120)),
        ),
        ("pull-ups 3x8, 2x6", METRIC, one("pull-ups", sets(3, 8) + sets(2, 6))),
        ("deadlift 140 x 3", METRIC, one("deadlift", sets(1, 3, 140))),
        ("deadlift 140x3", METRIC, one("deadlift", sets(1, 3, 140))),
        ("3x8 pull-ups", METRIC, one("pull-ups", sets(3, 8))),
        ("pull-ups 10 8 6", METRIC, one("pull-ups", each([10, 8, 6]))),
        ("burpees 50", METRIC, one("burpees", sets(1, 50))),
        ("plank 3x60s", METRIC, one("plank", sets(3, s=60))),
        ("plank 2 min", METRIC, one("plank", sets(1, s=120))),
        ("plank 1:30", METRIC, one("plank", sets(1, s=90))),
        ("ran 5 km in 27:30", METRIC, one("ran", sets(1, s=1650, m=5000))),
        ("run 3 mi 24:00", IMPERIAL, one("run", sets(1, s=1440, m=3 * MILE))),
        ("rowing 2000 m 7:30", METRIC, one("rowing", sets(1, s=450, m=2000))),
        ("bike 1:05:00 30 km", METRIC, one("bike", sets(1, s=3900, m=30000))),
        ("walk 1 h", METRIC, one("walk", sets(1, s=3600))),
        ("sprints 4x400m", METRIC, one("sprints", sets(4, m=400))),
        (
            "farmer walk 3x40m 32kg",
            METRIC,
            one("farmer walk", (ParsedSet(weight_kg=32, distance_m=40),) * 3),
        ),
        ("ohp 40 kg 8 8 7 @RIR2", METRIC, one("ohp", each([8, 8, 7], 40, rir=2))),
        ("squat 3x5 100 @RPE8", METRIC, one("squat", sets(3, 5, 100, rpe=8))),
        ("squat 3x5 100kg @8", METRIC, one("squat", sets(3, 5, 100, rpe=8))),
        ("squat 3x5 100 @8", METRIC, one("squat", sets(3, 5, 100, rpe=8))),
        ("curl 3x10 @ 8", METRIC, one("curl", sets(3, 10, 8))),
        ("curl 3x10 @ 8", IMPERIAL, one("curl", sets(3, 10, 8 * LB))),
        ("bench 3x5 @ 80", METRIC, one("bench", sets(3, 5, 80))),
        ("bench 100 x 5 @ rpe 8.5", METRIC, one("bench", sets(1, 5, 100, rpe=8.5))),
        ("bench 100 x 5 RPE 8,5", METRIC, one("bench", sets(1, 5, 100, rpe=8.5))),
        ("bench 100 x 5 2 RIR", METRIC, one("bench", sets(1, 5, 100, rir=2))),
        ("squat 3x5 100 rir 1", METRIC, one("squat", sets(3, 5, 100, rir=1))),
        ("185 lb 3x5 squat", METRIC, one("squat", sets(3, 5, 185 * LB))),
        ("squat 185lbs 3x5", METRIC, one("squat", sets(3, 5, 185 * LB))),
        ("squat 5x5 225 pounds", METRIC, one("squat", sets(5, 5, 225 * LB))),
        ("squat 3x5 225", IMPERIAL, one("squat", sets(3, 5, 225 * LB))),
        ("squat 3x5 100 kg", IMPERIAL, one("squat", sets(3, 5, 100))),
        ("deadlift 315 x 3", IMPERIAL, one("deadlift", sets(1, 3, 315 * LB))),
        ("squat 3x5 82.5kg", METRIC, one("squat", sets(3, 5, 82.5))),
        ("squat 3x5 82,5 kg", METRIC, one("squat", sets(3, 5, 82.5))),
        ("bench 3×8 60kg", METRIC, one("bench", sets(3, 8, 60))),
        ("bench 3*8 60kg", METRIC, one("bench", sets(3, 8, 60))),
        ("bench 3 x 8 x 60 kg", METRIC, one("bench", sets(3, 8, 60))),
        ("squat 100x5x3", METRIC, one("squat", sets(3, 5, 100))),
        ("squat 3x5x100", METRIC, one("squat", sets(3, 5, 100))),
        ("bench 100 kg x 5 x 3", METRIC, one("bench", sets(3, 5, 100))),
        ("curl 12 kg x 10", METRIC, one("curl", sets(1, 10, 12))),
        ("curl 10 x 12kg", METRIC, one("curl", sets(1, 10, 12))),
        ("row 3 sets of 10 @ 50 kg", METRIC, one("row", sets(3, 10, 50))),
        ("row 3 sets x 10 reps with 50 kg", METRIC, one("row", sets(3, 10, 50))),
        ("squat 100 kg 5 reps", METRIC, one("squat", sets(1, 5, 100))),
        ("bench 5,5 reps 60kg", METRIC, one("bench", each([5, 5], 60))),
        ("dips 3x12 +10kg", METRIC, one("dips", sets(3, 12, 10))),
        (
            "Bench press (close grip): 3x8 60kg",
            METRIC,
            one("Bench press (close grip)", sets(3, 8, 60)),
        ),
        ("ＳＱＵＡＴ ３x５ １００kg", METRIC, one("ＳＱＵＡＴ", sets(3, 5, 100))),
        (
            "squat 3x5 100kg; bench 3x8 60",
            METRIC,
            [ParsedEntry("squat", sets(3, 5, 100)), ParsedEntry("bench", sets(3, 8, 60))],
        ),
        (
            "squat 3x5 100kg, bench 3x8 60kg",
            METRIC,
            [ParsedEntry("squat", sets(3, 5, 100)), ParsedEntry("bench", sets(3, 8, 60))],
        ),
        (
            "3x8 pull-ups and 3x10 dips",
            METRIC,
            [ParsedEntry("pull-ups", sets(3, 8)), ParsedEntry("dips", sets(3, 10))],
        ),
        (
            "squat 3x5 100kg\nbench 3x8 60kg\ndeadlift 1x5 140kg",
            METRIC,
            [
                ParsedEntry("squat", sets(3, 5, 100)),
                ParsedEntry("bench", sets(3, 8, 60)),
                ParsedEntry("deadlift", sets(1, 5, 140)),
            ],
        ),
        ("squat\n3x5 100kg", METRIC, one("squat", sets(3, 5, 100))),
        ("bench 80kg\n5,5,4", METRIC, one("bench", each([5, 5, 4], 80))),
        ("pull-ups and chin-ups 3x8", METRIC, one("pull-ups and chin-ups", sets(3, 8))),
        ("squat 3x5 100kg and", METRIC, one("squat", sets(3, 5, 100))),
        # Russian
        ("присед 3х5 100кг", METRIC, one("присед", sets(3, 5, 100))),
        ("Присед 3 х 5 100 кг", METRIC, one("Присед", sets(3, 5, 100))),
        ("жим 3 подхода по 8 раз 60 кг", METRIC, one("жим", sets(3, 8, 60))),
        ("жим лёжа 60кг 8, 8, 6", METRIC, one("жим лёжа", each([8, 8, 6], 60))),
        ("подтягивания 3х10", METRIC, one("подтягивания", sets(3, 10))),
        ("отжимания 25 раз", METRIC, one("отжимания", sets(1, 25))),
        ("планка 3х45 сек", METRIC, one("планка", sets(3, s=45))),
        ("бег 5 км за 27:30", METRIC, one("бег", sets(1, s=1650, m=5000))),
        ("становая 5 подходов по 3 повторения 140 кг", METRIC, one("становая", sets(5, 3, 140))),
        ("присед 100 кг 5 повторений", METRIC, one("присед", sets(1, 5, 100))),
        ("жим 62,5 кг 3х8", METRIC, one("жим", sets(3, 8, 62.5))),
        (
            "присед 3х5 100кг и жим 3х8 60кг",
            METRIC,
            [ParsedEntry("присед", sets(3, 5, 100)), ParsedEntry("жим", sets(3, 8, 60))],
        ),
        # Spanish
        ("sentadilla 3 series de 5 con 100 kg", METRIC, one("sentadilla", sets(3, 5, 100))),
        ("sentadilla 3x5 100 kilos", METRIC, one("sentadilla", sets(3, 5, 100))),
        ("dominadas 12 repeticiones", METRIC, one("dominadas", sets(1, 12))),
        (
            "press de banca 4 series de 8 repeticiones 60 kg",
            METRIC,
            one("press de banca", sets(4, 8, 60)),
        ),
        ("peso muerto 140 kg 5 reps", METRIC, one("peso muerto", sets(1, 5, 140))),
        ("plancha 3 series de 60 segundos", METRIC, one("plancha", sets(3, s=60))),
        ("correr 10 km en 55:00", METRIC, one("correr", sets(1, s=3300, m=10000))),
        ("sentadilla 3x5 225 libras", METRIC, one("sentadilla", sets(3, 5, 225 * LB))),
        (
            "press de banca 3x8 60 kg y sentadilla 3x5 100 kg",
            METRIC,
            [
                ParsedEntry("press de banca", sets(3, 8, 60)),
                ParsedEntry("sentadilla", sets(3, 5, 100)),
            ],
        ),
        # German
        ("Kniebeuge 3 Sätze à 5 Wdh 100 kg", METRIC, one("Kniebeuge", sets(3, 5, 100))),
        ("Kniebeuge 3 Sätze à 5 Wdh. 100 kg", METRIC, one("Kniebeuge", sets(3, 5, 100))),
        ("Klimmzüge 5 Wiederholungen", METRIC, one("Klimmzüge", sets(1, 5))),
        (
            "Bankdrücken 4 Sätze mit 8 Wiederholungen 70 kg",
            METRIC,
            one("Bankdrücken", sets(4, 8, 70)),
        ),
        ("Kreuzheben 140 kg 3 Wdh", METRIC, one("Kreuzheben", sets(1, 3, 140))),
        ("Bankdrücken 72,5 kg 8,8,7", METRIC, one("Bankdrücken", each([8, 8, 7], 72.5))),
        ("Unterarmstütz 3x1 Min", METRIC, one("Unterarmstütz", sets(3, s=60))),
        ("Laufen 5 km in 30:00", METRIC, one("Laufen", sets(1, s=1800, m=5000))),
        (
            "Bankdrücken 3x8 60 kg und Kniebeuge 5x5 100kg",
            METRIC,
            [ParsedEntry("Bankdrücken", sets(3, 8, 60)), ParsedEntry("Kniebeuge", sets(5, 5, 100))],
        ),
    ],
)
def test_reads(text: str, units: UnitSystem, expected: list[ParsedEntry]) -> None:
    assert parse_workout(text, units) == expected


def test_units_may_be_given_as_their_value() -> None:
    assert parse_workout("squat 3x5 225", "imperial") == parse_workout("squat 3x5 225 lb", METRIC)


# ---------------------------------------------------------------------------------------------
# Refused


@pytest.mark.parametrize(
    ("text", "code", "fragment"),
    [
        ("", ParseErrorCode.EMPTY, ""),
        ("   \n ", ParseErrorCode.EMPTY, ""),
        ("hello", ParseErrorCode.NO_NUMBERS, "hello"),
        ("squat", ParseErrorCode.NO_NUMBERS, "squat"),
        ("squat 3x5 100kg\nstretching", ParseErrorCode.NO_NUMBERS, "stretching"),
        ("3x5", ParseErrorCode.NO_EXERCISE, "3x5"),
        ("3x5 100kg", ParseErrorCode.NO_EXERCISE, "3x5 100kg"),
        ("squat 3x5 100kg felt great", ParseErrorCode.EXTRA_TEXT, "felt great"),
        ("squat 3x0", ParseErrorCode.IMPLAUSIBLE, "squat 3x0"),
        ("squat 3x5 2000kg", ParseErrorCode.IMPLAUSIBLE, "squat 3x5 2000kg"),
        ("squat 60 sets of 5", ParseErrorCode.IMPLAUSIBLE, "squat 60 sets of 5"),
        ("squat 3x5 @RPE 12", ParseErrorCode.IMPLAUSIBLE, "squat 3x5 @RPE 12"),
        ("squat 3x5 rir 15", ParseErrorCode.IMPLAUSIBLE, "squat 3x5 rir 15"),
        ("squat 3x5.5 100kg", ParseErrorCode.IMPLAUSIBLE, "squat 3x5.5 100kg"),
        ("push-ups 5000", ParseErrorCode.IMPLAUSIBLE, "push-ups 5000"),
        ("walk 30 h", ParseErrorCode.IMPLAUSIBLE, "walk 30 h"),
        ("bench 80kg", ParseErrorCode.NO_REPS, "bench 80kg"),
        ("bench 3 sets", ParseErrorCode.NO_REPS, "bench 3 sets"),
        ("squat kg 3x5", ParseErrorCode.BAD_WEIGHT, "kg"),
        ("squat 3x5 -20kg", ParseErrorCode.BAD_WEIGHT, "squat 3x5 -20kg"),
        ("squat 3x5 100%", ParseErrorCode.UNREADABLE, "%"),
        ("squat 3x5 #2", ParseErrorCode.UNREADABLE, "#2"),
        ("squat 3x", ParseErrorCode.UNREADABLE, "squat 3x"),
        ("squat 3x5x5x5", ParseErrorCode.UNREADABLE, "squat 3x5x5x5"),
        ("plank 1:75", ParseErrorCode.UNREADABLE, "1:75"),
        ("bench 80 8 8 7", ParseErrorCode.AMBIGUOUS, "bench 80 8 8 7"),
        ("squat 3x5 100kg 120kg", ParseErrorCode.AMBIGUOUS, "squat 3x5 100kg 120kg"),
        ("squat 3x5 82,5", ParseErrorCode.AMBIGUOUS, "squat 3x5 82,5"),
        ("squat 3x5 @RIR2 @RIR3", ParseErrorCode.AMBIGUOUS, "squat 3x5 @RIR2 @RIR3"),
        ("squat 3 sets 5,5", ParseErrorCode.AMBIGUOUS, "squat 3 sets 5,5"),
        ("squat 3x5 100kg, 3x3", ParseErrorCode.AMBIGUOUS, "squat 3x5 100kg, 3x3"),
        ("bench 80 5,5 4", ParseErrorCode.AMBIGUOUS, "bench 80 5,5 4"),
        ("присед 3х5 100кг и растяжка", ParseErrorCode.NO_NUMBERS, "растяжка"),
        ("sentadilla 3 series de 0", ParseErrorCode.IMPLAUSIBLE, "sentadilla 3 series de 0"),
        ("Kniebeuge kg 5", ParseErrorCode.BAD_WEIGHT, "kg"),
        ("x" * 2001, ParseErrorCode.TOO_LONG, "x" * 39 + "…"),
        ("\n".join(f"squat{i} 1x5" for i in range(21)), ParseErrorCode.TOO_LONG, None),
    ],
)
def test_refuses(text: str, code: ParseErrorCode, fragment: str | None) -> None:
    with pytest.raises(WorkoutParseError) as caught:
        parse_workout(text, METRIC)
    assert caught.value.code is code
    if fragment is not None:
        assert caught.value.fragment == fragment


def test_fragment_is_trimmed_to_forty_characters() -> None:
    with pytest.raises(WorkoutParseError) as caught:
        parse_workout("squat 3x5 100kg felt really very easy today so happy about it", METRIC)
    assert caught.value.code is ParseErrorCode.EXTRA_TEXT
    assert len(caught.value.fragment) == 40
    assert caught.value.fragment.endswith("…")


def test_error_carries_no_sentence() -> None:
    with pytest.raises(WorkoutParseError) as caught:
        parse_workout("squat", METRIC)
    assert str(caught.value) == "no_numbers"


# ---------------------------------------------------------------------------------------------
# Properties


@given(
    pounds=st.integers(min_value=1, max_value=2200),
    sets_=st.integers(min_value=1, max_value=10),
    reps=st.integers(min_value=1, max_value=30),
    unit=st.sampled_from(["lb", "lbs", " lb", " pounds"]),
)
def test_pounds_are_stored_as_kg_and_read_back(
    pounds: int, sets_: int, reps: int, unit: str
) -> None:
    [entry] = parse_workout(f"squat {sets_}x{reps} {pounds}{unit}", METRIC)
    assert len(entry.sets) == sets_
    for logged in entry.sets:
        assert logged.reps == reps
        assert logged.weight_kg == pounds * KG_PER_LB
        assert logged.weight_kg is not None
        assert round(logged.weight_kg / KG_PER_LB) == pounds


@given(
    kg=st.integers(min_value=0, max_value=1000),
    sets_=st.integers(min_value=1, max_value=50),
    reps=st.integers(min_value=1, max_value=1000),
    sign=st.sampled_from(["x", "X", "×", "х", "*", " x "]),
)
def test_sets_by_reps_with_kg(kg: int, sets_: int, reps: int, sign: str) -> None:
    assert parse_workout(f"squat {sets_}{sign}{reps} {kg} kg", METRIC) == one(
        "squat", sets(sets_, reps, kg)
    )


@given(st.text(max_size=80))
def test_anything_is_read_or_refused_with_a_code(text: str) -> None:
    error: WorkoutParseError | None = None
    try:
        entries = parse_workout(text, METRIC)
    except WorkoutParseError as caught:
        entries, error = [], caught
    if error is not None:
        assert error.code in ParseErrorCode
        assert len(error.fragment) <= 40
        return
    assert entries
    for entry in entries:
        assert entry.exercise.strip()
        assert entry.exercise in text
        assert 1 <= len(entry.sets) <= 50


TEMPLATES = [
    "{name} {s}x{r} {w}kg",
    "{name} {s} sets of {r} @ {w} kg",
    "{name} {s} series de {r} con {w} kg",
    "{name} {s} Sätze à {r} Wdh {w} kg",
    "{name} {s} подхода по {r} раз {w} кг",
    "{name} {s}х{r} {w}кг",
    "{w} kg {s}×{r} {name}",
]


@given(
    template=st.sampled_from(TEMPLATES),
    name=st.sampled_from(["squat", "sentadilla", "Kniebeuge", "присед", "bench press"]),
    sets_=st.integers(min_value=1, max_value=50),
    reps=st.integers(min_value=1, max_value=1000),
    tenths=st.integers(min_value=0, max_value=10_000),
    comma=st.booleans(),
)
def test_languages_read_the_same_numbers(
    template: str, name: str, sets_: int, reps: int, tenths: int, comma: bool
) -> None:
    weight = f"{tenths // 10}.{tenths % 10}"
    text = template.format(
        name=name, s=sets_, r=reps, w=weight.replace(".", ",") if comma else weight
    )
    assert parse_workout(text, IMPERIAL) == one(name, sets(sets_, reps, float(weight)))
