"""Parsing and display of heights, weights and waists as people type them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.units import (
    CM_PER_IN,
    KG_PER_LB,
    UnitSystem,
    format_height,
    format_waist,
    format_weight,
    format_weight_range,
    parse_height,
    parse_waist,
    parse_weight,
)
from bot.errors import AmbiguousInputError, UserInputError

METRIC = UnitSystem.METRIC
IMPERIAL = UnitSystem.IMPERIAL
FIVE_ELEVEN = 71 * CM_PER_IN  # 180.34 cm


def _other(system: UnitSystem) -> UnitSystem:
    return IMPERIAL if system is METRIC else METRIC


# ---------------------------------------------------------------------------------------------
# Height


@pytest.mark.parametrize(
    ("text", "prefer", "expected_cm"),
    [
        ("180cm", METRIC, 180),
        ("180 cm", IMPERIAL, 180),
        ("180 CM", METRIC, 180),
        ("180 см", METRIC, 180),
        ("180см", IMPERIAL, 180),
        ("180 centimetres", METRIC, 180),
        ("180.5 cm", METRIC, 180.5),
        ("180,5 cm", METRIC, 180.5),
        ("180 cm.", METRIC, 180),
        ("１８０ｃｍ", METRIC, 180),  # full-width, as some phone keyboards type it
        ("1800 mm", METRIC, 180),
        ("1.80 m", METRIC, 180),
        ("1,80 m", METRIC, 180),
        ("1.8m", IMPERIAL, 180),
        ("1,8 м", METRIC, 180),
        ("1.80 metres", METRIC, 180),
        ("1m80", METRIC, 180),
        ("1 m 80", METRIC, 180),
        ("1м80", METRIC, 180),
        ("1m80cm", METRIC, 180),
        ("1m05", METRIC, 105),
        ("5'11\"", METRIC, FIVE_ELEVEN),
        ("5'11", IMPERIAL, FIVE_ELEVEN),
        ("5' 11''", IMPERIAL, FIVE_ELEVEN),
        ("5’11”", IMPERIAL, FIVE_ELEVEN),
        ("5‘11“", IMPERIAL, FIVE_ELEVEN),
        ("5′11″", IMPERIAL, FIVE_ELEVEN),
        ("5′ 11′′", IMPERIAL, FIVE_ELEVEN),
        ("5`11", IMPERIAL, FIVE_ELEVEN),
        ("5 ft 11", METRIC, FIVE_ELEVEN),
        ("5 ft 11 in", METRIC, FIVE_ELEVEN),
        ("5ft11in", METRIC, FIVE_ELEVEN),
        ("5ft. 11in.", METRIC, FIVE_ELEVEN),
        ("5 foot 11", METRIC, FIVE_ELEVEN),
        ("5 feet 11 inches", METRIC, FIVE_ELEVEN),
        ("5 feet and 11 inches", METRIC, FIVE_ELEVEN),
        ("5 Ft 11 In", METRIC, FIVE_ELEVEN),
        ("5 ft 10.5 in", IMPERIAL, 70.5 * CM_PER_IN),
        ("5 ft 10,5", IMPERIAL, 70.5 * CM_PER_IN),
        ("5 11", IMPERIAL, FIVE_ELEVEN),
        ("6'", IMPERIAL, 72 * CM_PER_IN),
        ("6 ft", METRIC, 72 * CM_PER_IN),
        ("6 feet", METRIC, 72 * CM_PER_IN),
        ("5.75 ft", IMPERIAL, 69 * CM_PER_IN),
        ("71 in", METRIC, FIVE_ELEVEN),
        ('71"', METRIC, FIVE_ELEVEN),
        ("71 inches", IMPERIAL, FIVE_ELEVEN),
        ("71 дюйм", METRIC, FIVE_ELEVEN),
        # Bare numbers: < 3 metres, 3–8 feet, 48–96 inches, 100+ cm, 97–99 by preference.
        ("1.8", METRIC, 180),
        ("1,75", IMPERIAL, 175),
        ("71", METRIC, FIVE_ELEVEN),
        ("71", IMPERIAL, FIVE_ELEVEN),
        ("48", METRIC, 48 * CM_PER_IN),
        ("96", IMPERIAL, 96 * CM_PER_IN),
        ("98", METRIC, 98),
        ("98", IMPERIAL, 98 * CM_PER_IN),
        ("180", METRIC, 180),
        ("180", IMPERIAL, 180),
        ("250", IMPERIAL, 250),
        ("6", METRIC, 72 * CM_PER_IN),
        ("5.75", IMPERIAL, 69 * CM_PER_IN),
        ("5.0", IMPERIAL, 60 * CM_PER_IN),  # both readings agree, so no question
        # The range limits themselves are accepted.
        ("50 cm", METRIC, 50),
        ("272 cm", METRIC, 272),
        ("1 ft 8 in", IMPERIAL, 20 * CM_PER_IN),
        ("8 ft 11 in", IMPERIAL, 107 * CM_PER_IN),
    ],
)
def test_parse_height_reads_the_forms_people_type(
    text: str, prefer: UnitSystem, expected_cm: float
) -> None:
    assert parse_height(text, prefer) == pytest.approx(expected_cm)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("tall", "couldn't read “tall”"),
        ("", "nothing was given"),
        ("   ", "nothing was given"),
        ("-5 kg", "negative"),
        ("-180", "negative"),
        ("1e9", "couldn't read “1e9”"),
        ("nan", "couldn't read"),
        ("inf", "couldn't read"),
        ("1" + "0" * 400 + " cm", "far too large"),
        ("80 kg", "weight unit"),
        ("12 st", "weight unit"),
        ("5'13\"", "inches in “5'13\"” must be under 12"),
        ("5.5 ft 3 in", "feet in “5.5 ft 3 in” must be a whole number"),
        ("30", "not a plausible height"),
        ("300", "too large"),
        ("300 cm", "too large"),
        ("9 ft", "too large"),
        ("0.3", "too small"),
        ("49 cm", "too small"),
        ("1m8", "couldn't read"),
        ("180 cm 5", "couldn't read"),
        ("5 ft 11 in 3", "couldn't read"),
        ("five eleven", "couldn't read"),
        ("5 12", "inches in “5 12” must be under 12"),
    ],
)
def test_parse_height_rejects_with_a_helpful_message(text: str, problem: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_height(text, METRIC)
    error = caught.value
    assert not isinstance(error, AmbiguousInputError)
    assert error.field == "height"
    assert error.message.startswith("Height: ")
    assert problem in error.message
    # Accepted forms and the range, metric first for a metric user.
    assert "180 cm, 1.80 m" in error.message
    assert "5'11\"" in error.message
    assert "Accepted range: 50–272 cm (1 ft 8 in – 8 ft 11 in)." in error.message


def test_height_error_puts_the_users_own_units_first() -> None:
    with pytest.raises(UserInputError) as caught:
        parse_height("tall", IMPERIAL)
    assert "Write it like 5'11\", 5 ft 11 in" in caught.value.message
    assert "Accepted range: 1 ft 8 in – 8 ft 11 in (50–272 cm)." in caught.value.message


def test_height_out_of_range_echoes_what_was_understood() -> None:
    with pytest.raises(UserInputError) as caught:
        parse_height("300", IMPERIAL)
    assert "I read “300” as 9 ft 10 in (300 cm), which is too large." in caught.value.message


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("5.11", ("5 ft 11 in (180 cm)", "5.11 feet (5 ft 1 in, 156 cm)")),
        ("5,11", ("5 ft 11 in (180 cm)", "5.11 feet (5 ft 1 in, 156 cm)")),
        ("5.10", ("5 ft 10 in (178 cm)", "5.10 feet (5 ft 1 in, 155 cm)")),
        ("5.5", ("5 ft 5 in (165 cm)", "5.5 feet (5 ft 6 in, 168 cm)")),
        ("6.1", ("6 ft 1 in (185 cm)", "6.1 feet (6 ft 1 in, 186 cm)")),
        ("5.11 ft", ("5 ft 11 in (180 cm)", "5.11 feet (5 ft 1 in, 156 cm)")),
    ],
)
def test_feet_with_a_decimal_mark_is_asked_about(text: str, readings: tuple[str, str]) -> None:
    with pytest.raises(AmbiguousInputError) as caught:
        parse_height(text, IMPERIAL)
    assert caught.value.field == "height"
    assert f"“{text}” can be read two ways" in caught.value.message
    for reading in readings:
        assert reading in caught.value.message


# ---------------------------------------------------------------------------------------------
# Weight

TWELVE_FOUR = (12 * 14 + 4) * KG_PER_LB


@pytest.mark.parametrize(
    ("text", "prefer", "expected_kg"),
    [
        ("82.5 kg", METRIC, 82.5),
        ("82,5 kg", IMPERIAL, 82.5),
        ("82,5кг", METRIC, 82.5),
        ("82.5 кг", METRIC, 82.5),
        ("82,5 KG", METRIC, 82.5),
        ("82.5kgs", METRIC, 82.5),
        ("82 kilo", METRIC, 82),
        ("82 kilos", IMPERIAL, 82),
        ("82 kilograms", METRIC, 82),
        ("180 lb", METRIC, 180 * KG_PER_LB),
        ("180 lbs", METRIC, 180 * KG_PER_LB),
        ("180lbs.", METRIC, 180 * KG_PER_LB),
        ("180 pound", METRIC, 180 * KG_PER_LB),
        ("180 pounds", METRIC, 180 * KG_PER_LB),
        ("180,5 lb", METRIC, 180.5 * KG_PER_LB),
        ("12st 4lb", METRIC, TWELVE_FOUR),
        ("12 st 4", METRIC, TWELVE_FOUR),
        ("12st4", METRIC, TWELVE_FOUR),
        ("12 stone 4 pounds", METRIC, TWELVE_FOUR),
        ("12 stone and 4", METRIC, TWELVE_FOUR),
        ("12 st 4.5 lb", METRIC, (12 * 14 + 4.5) * KG_PER_LB),
        ("12 stone", IMPERIAL, 12 * 14 * KG_PER_LB),
        ("12 stones", METRIC, 12 * 14 * KG_PER_LB),
        ("12.5 st", METRIC, 12.5 * 14 * KG_PER_LB),
        ("180", METRIC, 180),
        ("180", IMPERIAL, 180 * KG_PER_LB),
        ("82,5", METRIC, 82.5),
        ("20 kg", METRIC, 20),
        ("650 kg", METRIC, 650),
        ("45 lb", IMPERIAL, 45 * KG_PER_LB),
        ("1433 lb", IMPERIAL, 1433 * KG_PER_LB),
    ],
)
def test_parse_weight_reads_the_forms_people_type(
    text: str, prefer: UnitSystem, expected_kg: float
) -> None:
    assert parse_weight(text, prefer) == pytest.approx(expected_kg)


@pytest.mark.parametrize(
    ("text", "prefer", "problem"),
    [
        ("heavy", METRIC, "couldn't read “heavy”"),
        ("", METRIC, "nothing was given"),
        ("-5 kg", METRIC, "negative"),
        ("1e9", METRIC, "couldn't read “1e9”"),
        ("180 cm", METRIC, "length unit"),
        ("12st 15", METRIC, "pounds in “12st 15” must be under 14"),
        ("12.5 st 4", METRIC, "stones in “12.5 st 4” must be a whole number"),
        ("15", METRIC, "I read “15” as 15 kg (33 lb), which is too small."),
        ("2000", METRIC, "too large"),
        ("44 lb", IMPERIAL, "too small"),
        ("1434 lb", IMPERIAL, "too large"),
        ("40", IMPERIAL, "If you meant 40 kg, write the unit."),
        ("80 kg 5", METRIC, "couldn't read"),
    ],
)
def test_parse_weight_rejects_with_a_helpful_message(
    text: str, prefer: UnitSystem, problem: str
) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_weight(text, prefer)
    error = caught.value
    assert error.field == "weight"
    assert error.message.startswith("Weight: ")
    assert problem in error.message
    assert "12 st 4 lb" in error.message
    if prefer is METRIC:
        assert "a number alone counts as kg" in error.message
        assert "Accepted range: 20–650 kg (45–1433 lb)." in error.message
    else:
        assert "a number alone counts as lb" in error.message
        assert "Accepted range: 45–1433 lb (20–650 kg)." in error.message


# ---------------------------------------------------------------------------------------------
# Waist


@pytest.mark.parametrize(
    ("text", "prefer", "expected_cm"),
    [
        ("85 cm", METRIC, 85),
        ("85,5 cm", IMPERIAL, 85.5),
        ("85 см", METRIC, 85),
        ("850 mm", METRIC, 85),
        ("0.85 m", METRIC, 85),
        ("0,85", IMPERIAL, 85),
        ("34 in", METRIC, 34 * CM_PER_IN),
        ('34"', METRIC, 34 * CM_PER_IN),
        ("33.5 inches", METRIC, 33.5 * CM_PER_IN),
        ("85", METRIC, 85),
        ("34", IMPERIAL, 34 * CM_PER_IN),
        ("33,5", IMPERIAL, 33.5 * CM_PER_IN),
    ],
)
def test_parse_waist_reads_the_forms_people_type(
    text: str, prefer: UnitSystem, expected_cm: float
) -> None:
    assert parse_waist(text, prefer) == pytest.approx(expected_cm)


@pytest.mark.parametrize(
    ("text", "prefer", "problem"),
    [
        ("34", METRIC, "I read “34” as 34 cm (13.4 in), which is too small. If you meant 34 in"),
        ("big", METRIC, "couldn't read “big”"),
        ("3 ft", METRIC, "couldn't read"),
        ("85 kg", METRIC, "weight unit"),
        ("300 cm", IMPERIAL, "too large"),
        ("", IMPERIAL, "nothing was given"),
    ],
)
def test_parse_waist_rejects_with_a_helpful_message(
    text: str, prefer: UnitSystem, problem: str
) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_waist(text, prefer)
    assert caught.value.field == "waist"
    assert caught.value.message.startswith("Waist: ")
    assert problem in caught.value.message
    assert "40–250 cm" in caught.value.message
    assert "16–98 in" in caught.value.message


# ---------------------------------------------------------------------------------------------
# Display


@pytest.mark.parametrize(
    ("cm", "system", "both", "expected"),
    [
        (180, METRIC, False, "180 cm"),
        (180.34, METRIC, False, "180.3 cm"),
        (175.55, METRIC, False, "175.6 cm"),
        (180.34, IMPERIAL, False, "5 ft 11 in"),
        (180, IMPERIAL, False, "5 ft 11 in"),
        (182.7, IMPERIAL, False, "6 ft 0 in"),  # 71.9 in rounds up into the next foot
        (152.4, IMPERIAL, False, "5 ft 0 in"),
        (180, METRIC, True, "180 cm (5 ft 11 in)"),
        (180, IMPERIAL, True, "5 ft 11 in (180 cm)"),
    ],
)
def test_format_height(cm: float, system: UnitSystem, both: bool, expected: str) -> None:
    assert format_height(cm, system, both=both) == expected


@pytest.mark.parametrize(
    ("kg", "system", "both", "expected"),
    [
        (81.6466266, METRIC, False, "81.6 kg"),
        (80, METRIC, False, "80 kg"),
        (81.6466266, IMPERIAL, False, "180 lb"),
        (650, IMPERIAL, False, "1433 lb"),  # never a thousands separator: "1,433" reads 1.433
        (80, METRIC, True, "80 kg (176 lb)"),
        (80, IMPERIAL, True, "176 lb (80 kg)"),
    ],
)
def test_format_weight(kg: float, system: UnitSystem, both: bool, expected: str) -> None:
    assert format_weight(kg, system, both=both) == expected


@pytest.mark.parametrize(
    ("cm", "system", "expected"),
    [
        (85, METRIC, "85 cm"),
        (85.09, METRIC, "85.1 cm"),
        (85.09, IMPERIAL, "33.5 in"),
        (86.36, IMPERIAL, "34 in"),
    ],
)
def test_format_waist(cm: float, system: UnitSystem, expected: str) -> None:
    assert format_waist(cm, system) == expected


@pytest.mark.parametrize(
    ("low", "high", "system", "expected"),
    [
        (59.94, 80.676, METRIC, "59.9–80.7 kg"),
        (59.94, 80.676, IMPERIAL, "132–178 lb"),
    ],
)
def test_format_weight_range(low: float, high: float, system: UnitSystem, expected: str) -> None:
    assert format_weight_range(low, high, system) == expected


# ---------------------------------------------------------------------------------------------
# Round trips: what is displayed parses back to the same display, within the display step.
# The ranges keep one display step away from the limits, where a rounded display of a valid
# value can fall outside the accepted range.

systems = st.sampled_from(list(UnitSystem))


@given(cm=st.floats(min_value=51, max_value=271), system=systems)
def test_height_display_round_trip(cm: float, system: UnitSystem) -> None:
    shown = format_height(cm, system)
    parsed = parse_height(shown, system)
    assert format_height(parsed, system) == shown
    step = 0.1 if system is METRIC else CM_PER_IN
    assert abs(parsed - cm) <= step / 2 + 1e-9
    # The display carries its units, so the reader's preference does not matter.
    assert parse_height(shown, _other(system)) == parsed


@given(kg=st.floats(min_value=20.5, max_value=649), system=systems)
def test_weight_display_round_trip(kg: float, system: UnitSystem) -> None:
    shown = format_weight(kg, system)
    parsed = parse_weight(shown, system)
    assert format_weight(parsed, system) == shown
    step = 0.1 if system is METRIC else KG_PER_LB
    assert abs(parsed - kg) <= step / 2 + 1e-9
    assert parse_weight(shown, _other(system)) == parsed


@given(cm=st.floats(min_value=40.5, max_value=249.5), system=systems)
def test_waist_display_round_trip(cm: float, system: UnitSystem) -> None:
    shown = format_waist(cm, system)
    parsed = parse_waist(shown, system)
    assert format_waist(parsed, system) == shown
    step = 0.1 if system is METRIC else 0.1 * CM_PER_IN
    assert abs(parsed - cm) <= step / 2 + 1e-9
    assert parse_waist(shown, _other(system)) == parsed


@given(cm=st.floats(min_value=51, max_value=271), system=systems)
def test_both_display_shows_the_same_value_in_each_system(cm: float, system: UnitSystem) -> None:
    both = format_height(cm, system, both=True)
    assert both == f"{format_height(cm, system)} ({format_height(cm, _other(system))})"


# ---------------------------------------------------------------------------------------------
# Arbitrary text: either a value in range or a UserInputError, never anything else.

junk = st.text(alphabet=st.sampled_from("0123456789.,'\"’″ -+e ftinmcklbs см кг"), max_size=16)
texts = st.one_of(st.text(max_size=20), junk)


def _outcome(
    parse: Callable[[str, UnitSystem], float], text: str, system: UnitSystem
) -> float | UserInputError:
    try:
        return parse(text, system)
    except UserInputError as error:
        return error


@given(text=texts, system=systems)
def test_parse_height_accepts_or_explains(text: str, system: UnitSystem) -> None:
    outcome = _outcome(parse_height, text, system)
    if isinstance(outcome, UserInputError):
        assert outcome.field == "height"
        assert outcome.message.startswith("Height: ")
    else:
        assert 50 <= outcome <= 272


@given(text=texts, system=systems)
def test_parse_weight_accepts_or_explains(text: str, system: UnitSystem) -> None:
    outcome = _outcome(parse_weight, text, system)
    if isinstance(outcome, UserInputError):
        assert outcome.field == "weight"
        assert outcome.message.startswith("Weight: ")
    else:
        assert 20 <= outcome <= 650


@given(text=texts, system=systems)
def test_parse_waist_accepts_or_explains(text: str, system: UnitSystem) -> None:
    outcome = _outcome(parse_waist, text, system)
    if isinstance(outcome, UserInputError):
        assert outcome.field == "waist"
        assert outcome.message.startswith("Waist: ")
    else:
        assert 40 <= outcome <= 250
