"""The Profile, its enums, and parsing of /profile arguments and guided-flow answers."""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.profile import (
    Activity,
    BmiScale,
    Goal,
    Profile,
    Sex,
    UnitSystem,
    format_profile,
    parse_age,
    parse_field,
    parse_profile_args,
    read_field,
    read_profile_args,
)
from bot.domain.units import (
    CM_PER_IN,
    KG_PER_LB,
    format_height,
    format_waist,
    format_weight,
)
from bot.errors import UserInputError

METRIC = UnitSystem.METRIC
IMPERIAL = UnitSystem.IMPERIAL
EMPTY = Profile()
FULL = Profile(
    height_cm=180,
    weight_kg=80,
    age=35,
    sex=Sex.MALE,
    units=METRIC,
    goal=Goal.STRENGTH,
    activity=Activity.MODERATE,
    waist_cm=85,
    bmi_scale=BmiScale.STANDARD,
)


def test_profile_is_frozen_with_metric_standard_defaults() -> None:
    assert EMPTY.units is METRIC
    assert EMPTY.bmi_scale is BmiScale.STANDARD
    assert EMPTY.height_cm is None
    with pytest.raises(FrozenInstanceError):
        EMPTY.age = 30  # type: ignore[misc]


@pytest.mark.parametrize(
    ("activity", "factor"),
    [
        (Activity.SEDENTARY, 1.2),
        (Activity.LIGHT, 1.375),
        (Activity.MODERATE, 1.55),
        (Activity.VERY_ACTIVE, 1.725),
        (Activity.EXTRA_ACTIVE, 1.9),
    ],
)
def test_activity_factors(activity: Activity, factor: float) -> None:
    assert activity.factor == factor


# ---------------------------------------------------------------------------------------------
# Age


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("35", 35),
        (" 35 ", 35),
        ("35 years", 35),
        ("35 years old", 35),
        ("35y", 35),
        ("35 yo", 35),
        ("35 лет", 35),
        ("13", 13),
        ("120", 120),
    ],
)
def test_parse_age(text: str, expected: int) -> None:
    assert parse_age(text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("12", "FitCoach is for people aged 13 and over"),
        ("0", "FitCoach is for people aged 13 and over"),
        ("121", "above 120"),
        ("thirty", "couldn't read “thirty”"),
        ("35.5", "couldn't read"),
        ("-3", "couldn't read"),
        ("", "couldn't read nothing"),
    ],
)
def test_parse_age_rejects(text: str, problem: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_age(text)
    assert caught.value.field == "age"
    assert caught.value.message.startswith("Age: ")
    assert problem in caught.value.message


# ---------------------------------------------------------------------------------------------
# /profile arguments


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        (
            "height=5 ft 11 weight=180 lbs",
            EMPTY,
            {"height_cm": 71 * CM_PER_IN, "weight_kg": 180 * KG_PER_LB},
        ),
        (
            "Height=180cm WEIGHT=82,5 kg age=35 sex=F",
            EMPTY,
            {"height_cm": 180, "weight_kg": 82.5, "age": 35, "sex": Sex.FEMALE},
        ),
        ("height = 1m80 , weight = 80;", EMPTY, {"height_cm": 180, "weight_kg": 80}),
        (
            "height=5'11\" weight=12 st 4",
            EMPTY,
            {"height_cm": 71 * CM_PER_IN, "weight_kg": (12 * 14 + 4) * KG_PER_LB},
        ),
        ("рост=180 см вес=80 кг", EMPTY, {"height_cm": 180, "weight_kg": 80}),
        # Bare numbers follow the units given in the same message, wherever it stands.
        ("units=imperial weight=180", EMPTY, {"units": IMPERIAL, "weight_kg": 180 * KG_PER_LB}),
        ("weight=180 units=imperial", EMPTY, {"units": IMPERIAL, "weight_kg": 180 * KG_PER_LB}),
        ("unit=metric weight=80", Profile(units=IMPERIAL), {"units": METRIC, "weight_kg": 80}),
        ("weight=180", Profile(units=IMPERIAL), {"weight_kg": 180 * KG_PER_LB}),
        ("waist=34", Profile(units=IMPERIAL), {"waist_cm": 34 * CM_PER_IN}),
        ("units=us waist=34", EMPTY, {"units": IMPERIAL, "waist_cm": 34 * CM_PER_IN}),
        ("activity_level=very active", EMPTY, {"activity": Activity.VERY_ACTIVE}),
        ("goal=lose weight activity=light", EMPTY, {"goal": Goal.LOSE, "activity": Activity.LIGHT}),
        ("scale=asian", EMPTY, {"bmi_scale": BmiScale.ASIAN}),
        ("bmi_scale=standard", Profile(bmi_scale=BmiScale.ASIAN), {"bmi_scale": BmiScale.STANDARD}),
        ("gender=woman", EMPTY, {"sex": Sex.FEMALE}),
        # Clearing an optional field.
        ("sex=none", FULL, {"sex": None}),
        ("waist=unset goal=clear", FULL, {"waist_cm": None, "goal": None}),
    ],
)
def test_parse_profile_args(text: str, current: Profile, expected: dict[str, object]) -> None:
    updated = parse_profile_args(text, current)
    for attribute, value in expected.items():
        got = getattr(updated, attribute)
        if isinstance(value, float):
            assert got == pytest.approx(value)
        else:
            assert got == value
    for attribute in set(vars(current)) - set(expected):
        assert getattr(updated, attribute) == getattr(current, attribute)


@pytest.mark.parametrize(
    ("key", "value", "attribute", "expected"),
    [
        ("sex", "m", "sex", Sex.MALE),
        ("sex", "Male", "sex", Sex.MALE),
        ("sex", "man", "sex", Sex.MALE),
        ("sex", "f", "sex", Sex.FEMALE),
        ("sex", "woman", "sex", Sex.FEMALE),
        ("sex", "ж", "sex", Sex.FEMALE),
        ("units", "lbs", "units", IMPERIAL),
        ("units", "imperial", "units", IMPERIAL),
        ("units", "US", "units", IMPERIAL),
        ("units", "metric", "units", METRIC),
        ("units", "kg", "units", METRIC),
        ("activity", "very active", "activity", Activity.VERY_ACTIVE),
        ("activity", "Very-Active", "activity", Activity.VERY_ACTIVE),
        ("activity", "very_active", "activity", Activity.VERY_ACTIVE),
        ("activity", "extra active", "activity", Activity.EXTRA_ACTIVE),
        ("activity", "sedentary", "activity", Activity.SEDENTARY),
        ("activity", "lightly active", "activity", Activity.LIGHT),
        ("activity", "moderately active", "activity", Activity.MODERATE),
        ("goal", "bulk", "goal", Goal.GAIN),
        ("goal", "maintain", "goal", Goal.MAINTAIN),
        ("goal", "endurance", "goal", Goal.ENDURANCE),
        ("goal", "general fitness", "goal", Goal.GENERAL),
        ("goal", "get stronger", "goal", Goal.STRENGTH),
        ("bmi_scale", "Asian", "bmi_scale", BmiScale.ASIAN),
        ("scale", "who", "bmi_scale", BmiScale.STANDARD),
        ("unit", "imperial", "units", IMPERIAL),
        ("activity_level", "light", "activity", Activity.LIGHT),
        ("Height", "5'11\"", "height_cm", 71 * CM_PER_IN),
        ("age", "40", "age", 40),
    ],
)
def test_parse_field_accepts_synonyms(
    key: str, value: str, attribute: str, expected: object
) -> None:
    updated = parse_field(key, value, EMPTY)
    if isinstance(expected, float):
        assert getattr(updated, attribute) == pytest.approx(expected)
    else:
        assert getattr(updated, attribute) == expected


def test_parse_field_reads_bare_numbers_in_the_users_units() -> None:
    assert parse_field("weight", "180", Profile(units=IMPERIAL)).weight_kg == pytest.approx(
        180 * KG_PER_LB
    )
    assert parse_field("weight", "80", EMPTY).weight_kg == 80


@pytest.mark.parametrize(
    ("key", "value", "field", "problem"),
    [
        ("height", "tall", "height", "Height: I couldn't read “tall”"),
        ("age", "9", "age", "13 and over"),
        ("activity", "sometimes", "activity", "Choose one of: sedentary, light, moderate"),
        ("goal", "fame", "goal", "Choose one of: lose, maintain, gain, strength"),
        ("units", "cubits", "units", "Choose one of: metric, imperial"),
        ("hieght", "180", "hieght", "did you mean height?"),
    ],
)
def test_parse_field_rejects(key: str, value: str, field: str, problem: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_field(key, value, FULL)
    assert caught.value.field == field
    assert problem in caught.value.message


@pytest.mark.parametrize("answer", ["nonbinary", "other", "prefer not to say", "x"])
def test_sex_other_than_male_or_female_gets_a_graceful_explanation(answer: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_field("sex", answer, EMPTY)
    message = caught.value.message
    assert caught.value.field == "sex"
    assert f"you wrote “{answer}”" in message
    assert "calibrated separately for male and female bodies" in message
    assert "Sex is optional: you can leave it unset (sex=none)" in message


def test_every_bad_field_is_reported_and_nothing_changes() -> None:
    text = "height=tall weight=80kg age=10 sex=nonbinary units=cubits hieght=3"
    with pytest.raises(UserInputError) as caught:
        parse_profile_args(text, FULL)
    message = caught.value.message
    assert message.startswith("Nothing was changed. Please fix:\n")
    bullets = [line for line in message.splitlines() if line.startswith("• ")]
    # In the order they were typed, one bullet each; the good weight= is not among them.
    assert [bullet.split(":")[0] for bullet in bullets] == [
        "• Height",
        "• Age",
        "• Sex",
        "• Units",
        "• Unknown key “hieght” (did you mean height?). Accepted keys",
    ]
    assert caught.value.field == "height,age,sex,units,hieght"
    assert "Accepted keys: height, weight, age, sex, units, goal, activity, waist, bmi_scale." in (
        message
    )
    assert FULL.weight_kg == 80  # the frozen original stands


def test_unknown_key_lists_the_accepted_keys() -> None:
    with pytest.raises(UserInputError) as caught:
        parse_profile_args("colour=blue", FULL)
    assert "Unknown key “colour”" in caught.value.message
    assert "Accepted keys: height, weight, age, sex, units, goal, activity, waist, bmi_scale." in (
        caught.value.message
    )
    assert caught.value.field == "colour"


@pytest.mark.parametrize(
    ("text", "problem", "field"),
    [
        ("180cm", "“180cm” is not in key=value form", "format"),
        ("hello height=180", "“hello” is not in key=value form", "format"),
        ("height=180 Height=181", "height is given more than once", "height"),
        ("height=180 ht=181", "height is given more than once", "height"),
        ("units=none", "Units: this one can't be unset; the default is metric.", "units"),
        ("height=", "Height: nothing was given.", "height"),
    ],
)
def test_malformed_arguments(text: str, problem: str, field: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_profile_args(text, FULL)
    assert problem in caught.value.message
    assert caught.value.field == field


def test_units_switch_does_not_apply_when_units_itself_is_bad() -> None:
    with pytest.raises(UserInputError) as caught:
        parse_profile_args("units=cubits weight=15", FULL)
    # weight=15 is then read in the current (metric) units: 15 kg, too small.
    assert "I read “15” as 15 kg" in caught.value.message


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_blank_arguments_change_nothing(text: str) -> None:
    assert parse_profile_args(text, FULL) is FULL


# ---------------------------------------------------------------------------------------------
# Display


def test_format_profile_metric() -> None:
    assert format_profile(FULL) == [
        "Height: 180 cm",
        "Weight: 80 kg",
        "Age: 35",
        "Sex: male",
        "Units: metric",
        "Goal: build strength",
        "Activity: moderate (exercise 3–5 days/week)",
        "Waist: 85 cm",
        "BMI scale: standard (WHO)",
    ]


def test_format_profile_imperial() -> None:
    profile = Profile(
        height_cm=71 * CM_PER_IN,
        weight_kg=180 * KG_PER_LB,
        units=IMPERIAL,
        waist_cm=34 * CM_PER_IN,
        bmi_scale=BmiScale.ASIAN,
    )
    lines = format_profile(profile)
    assert lines[0] == "Height: 5 ft 11 in"
    assert lines[1] == "Weight: 180 lb"
    assert lines[7] == "Waist: 34 in"
    assert lines[8] == "BMI scale: Asian (WHO 2004 / NICE cut-offs)"


def test_format_profile_says_not_set() -> None:
    lines = format_profile(EMPTY)
    assert len(lines) == 9
    not_set = [line.split(":")[0] for line in lines if line.endswith(": not set")]
    assert not_set == ["Height", "Weight", "Age", "Sex", "Goal", "Activity", "Waist"]


# ---------------------------------------------------------------------------------------------
# Properties

systems = st.sampled_from(list(UnitSystem))


@given(
    height=st.floats(min_value=51, max_value=271),
    weight=st.floats(min_value=20.5, max_value=649),
    waist=st.floats(min_value=40.5, max_value=249.5),
    units=systems,
)
def test_displayed_profile_parses_back_to_the_same_display(
    height: float, weight: float, waist: float, units: UnitSystem
) -> None:
    original = Profile(height_cm=height, weight_kg=weight, waist_cm=waist, units=units)
    text = (
        f"units={units.value} height={format_height(height, units)} "
        f"weight={format_weight(weight, units)} waist={format_waist(waist, units)}"
    )
    assert format_profile(parse_profile_args(text, EMPTY)) == format_profile(original)


@given(text=st.text(max_size=40))
def test_parse_profile_args_accepts_or_explains(text: str) -> None:
    outcome: Profile | UserInputError
    try:
        outcome = parse_profile_args(text, FULL)
    except UserInputError as error:
        outcome = error
    if isinstance(outcome, UserInputError):
        assert outcome.message.startswith("Nothing was changed. Please fix:\n• ")
    else:
        assert isinstance(outcome, Profile)


@pytest.mark.parametrize(
    ("text", "current", "units", "switched"),
    [
        # Every measurement with an imperial unit, units never chosen: switched.
        ("height=5'11\" weight=180 lb", EMPTY, IMPERIAL, True),
        ("weight=12 st 4", EMPTY, IMPERIAL, True),
        ("waist=34 in age=30", EMPTY, IMPERIAL, True),
        # Chosen before, chosen now, mixed, bare or no measurement: not switched.
        ("height=5'11\" weight=180 lb", Profile(units_chosen=True), METRIC, False),
        ("units=metric height=5'11\"", EMPTY, METRIC, False),
        ("height=5'11\" weight=80 kg", EMPTY, METRIC, False),
        ("height=5'11\" weight=80", EMPTY, METRIC, False),
        ("age=30", EMPTY, METRIC, False),
        ("weight=none", EMPTY, METRIC, False),
    ],
)
def test_read_profile_args_switches_units_only_on_wholly_imperial_input(
    text: str, current: Profile, units: UnitSystem, switched: bool
) -> None:
    change = read_profile_args(text, current)
    assert change.profile.units is units
    assert change.switched is switched


def test_choosing_units_marks_them_chosen() -> None:
    assert read_profile_args("units=metric", EMPTY).profile.units_chosen
    assert read_field("unit", "imperial", EMPTY).profile.units_chosen
    assert not read_field("height", "5'11\"", EMPTY).profile.units_chosen
