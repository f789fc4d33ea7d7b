"""BMI, its classes, teen BMI-for-age, BMR, TDEE, waist-to-height and the assembled report."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.metrics import (
    NOTE_BMI_LIMITS,
    BmiClass,
    TeenBmiCategory,
    WhtrBand,
    bmi,
    bmi_for_age,
    bmi_prime,
    bmr_mifflin_st_jeor,
    body_report,
    classify_bmi,
    classify_bmi_percentile,
    classify_waist_to_height,
    describe_profile_for_coach,
    format_body_report,
    format_percentile,
    healthy_weight_range,
    missing_for_bmi,
    round_bmi,
    tdee,
    waist_to_height,
)
from bot.domain.profile import Activity, BmiScale, Profile, Sex, UnitSystem
from bot.domain.units import CM_PER_IN, KG_PER_LB

STANDARD = BmiScale.STANDARD
ASIAN = BmiScale.ASIAN


# ---------------------------------------------------------------------------------------------
# BMI


@pytest.mark.parametrize(
    ("weight_kg", "height_cm", "expected"),
    [
        (81.6, 180, 25.185),
        (70, 175, 22.857),
        (50, 160, 19.531),
        (120, 190, 33.241),
    ],
)
def test_bmi_is_kg_over_metres_squared(weight_kg: float, height_cm: float, expected: float) -> None:
    assert bmi(weight_kg, height_cm) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(("pounds", "inches"), [(180, 71), (120, 62), (300, 76)])
def test_bmi_agrees_with_the_imperial_formula(pounds: float, inches: float) -> None:
    imperial = 703.0696 * pounds / inches**2
    assert bmi(pounds * KG_PER_LB, inches * CM_PER_IN) == pytest.approx(imperial, rel=1e-6)


@pytest.mark.parametrize(("weight_kg", "height_cm"), [(0, 180), (80, 0), (-1, 180)])
def test_bmi_refuses_non_positive_inputs(weight_kg: float, height_cm: float) -> None:
    with pytest.raises(ValueError, match="positive"):
        bmi(weight_kg, height_cm)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12.0, BmiClass.SEVERE_THINNESS),
        (15.9, BmiClass.SEVERE_THINNESS),
        (15.96, BmiClass.MODERATE_THINNESS),  # shown as 16.0
        (16.0, BmiClass.MODERATE_THINNESS),
        (16.9, BmiClass.MODERATE_THINNESS),
        (16.99, BmiClass.MILD_THINNESS),  # shown as 17.0
        (17.0, BmiClass.MILD_THINNESS),
        (18.4, BmiClass.MILD_THINNESS),
        (18.44, BmiClass.MILD_THINNESS),  # shown as 18.4
        (18.49, BmiClass.NORMAL),  # shown as 18.5
        (18.5, BmiClass.NORMAL),
        (24.9, BmiClass.NORMAL),
        (24.94, BmiClass.NORMAL),
        (25.0, BmiClass.PRE_OBESE),
        (29.9, BmiClass.PRE_OBESE),
        (30.0, BmiClass.OBESE_I),
        (34.9, BmiClass.OBESE_I),
        (35.0, BmiClass.OBESE_II),
        (39.9, BmiClass.OBESE_II),
        (40.0, BmiClass.OBESE_III),
        (65.0, BmiClass.OBESE_III),
    ],
)
def test_who_adult_classes_at_their_boundaries(value: float, expected: BmiClass) -> None:
    assert classify_bmi(value, STANDARD) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (18.4, BmiClass.MILD_THINNESS),
        (18.5, BmiClass.NORMAL),
        (22.9, BmiClass.NORMAL),
        (23.0, BmiClass.PRE_OBESE),
        (27.4, BmiClass.PRE_OBESE),
        (27.5, BmiClass.OBESE_I),
        (32.4, BmiClass.OBESE_I),
        (32.5, BmiClass.OBESE_II),
        (37.4, BmiClass.OBESE_II),
        (37.5, BmiClass.OBESE_III),
    ],
)
def test_asian_cut_offs_at_the_who_action_points(value: float, expected: BmiClass) -> None:
    assert classify_bmi(value, ASIAN) is expected


@given(value=st.floats(min_value=5, max_value=80), scale=st.sampled_from(list(BmiScale)))
def test_class_follows_the_shown_value(value: float, scale: BmiScale) -> None:
    assert classify_bmi(value, scale) is classify_bmi(round_bmi(value), scale)


@pytest.mark.parametrize(("value", "expected"), [(25.0, 1.0), (20.0, 0.8), (30.0, 1.2)])
def test_bmi_prime(value: float, expected: float) -> None:
    assert bmi_prime(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("height_cm", "scale", "expected"),
    [
        (180, STANDARD, (59.94, 80.676)),
        (160, STANDARD, (47.36, 63.744)),
        (180, ASIAN, (59.94, 74.196)),
    ],
)
def test_healthy_weight_range(
    height_cm: float, scale: BmiScale, expected: tuple[float, float]
) -> None:
    assert healthy_weight_range(height_cm, scale) == pytest.approx(expected)


# ---------------------------------------------------------------------------------------------
# Teen BMI-for-age (CDC 2000 reference, as rcpchgrowth computes it offline)


@pytest.mark.parametrize(
    ("percentile", "expected"),
    [
        (0.0, TeenBmiCategory.UNDERWEIGHT),
        (4.9, TeenBmiCategory.UNDERWEIGHT),
        (4.96, TeenBmiCategory.HEALTHY),  # shown as 5.0
        (5.0, TeenBmiCategory.HEALTHY),
        (84.9, TeenBmiCategory.HEALTHY),
        (85.0, TeenBmiCategory.OVERWEIGHT),
        (94.9, TeenBmiCategory.OVERWEIGHT),
        (94.96, TeenBmiCategory.OBESITY),  # shown as 95.0
        (95.0, TeenBmiCategory.OBESITY),
        (100.0, TeenBmiCategory.OBESITY),
    ],
)
def test_cdc_percentile_categories(percentile: float, expected: TeenBmiCategory) -> None:
    assert classify_bmi_percentile(percentile) is expected


# Published CDC BMI-for-age values at 15.0 years (CDC 2000 growth charts, data table
# bmiagerev.csv, agemos 180): boys 85th ≈ 23.4-23.5, 95th ≈ 26.8; girls 85th ≈ 24.0,
# 95th ≈ 28.1. rcpchgrowth lands within half a percentile of them.
@pytest.mark.parametrize(
    ("sex", "value", "published_percentile"),
    [
        (Sex.MALE, 23.5, 85),
        (Sex.MALE, 26.8, 95),
        (Sex.FEMALE, 24.0, 85),
        (Sex.FEMALE, 28.1, 95),
    ],
)
def test_percentiles_match_published_cdc_values(
    sex: Sex, value: float, published_percentile: float
) -> None:
    result = bmi_for_age(value, 15.0, sex)
    assert result.percentile == pytest.approx(published_percentile, abs=1.0)
    assert result.age_years == 15.0


# At 15.5 years (a "15" in the profile): boys 5th/85th/95th ≈ 16.8/23.8/27.2,
# girls ≈ 16.5/24.3/28.5; each value below sits well inside its category.
@pytest.mark.parametrize(
    ("sex", "value", "expected"),
    [
        (Sex.MALE, 15.5, TeenBmiCategory.UNDERWEIGHT),
        (Sex.MALE, 20.0, TeenBmiCategory.HEALTHY),
        (Sex.MALE, 25.5, TeenBmiCategory.OVERWEIGHT),
        (Sex.MALE, 29.0, TeenBmiCategory.OBESITY),
        (Sex.FEMALE, 15.5, TeenBmiCategory.UNDERWEIGHT),
        (Sex.FEMALE, 20.0, TeenBmiCategory.HEALTHY),
        (Sex.FEMALE, 26.0, TeenBmiCategory.OVERWEIGHT),
        (Sex.FEMALE, 30.0, TeenBmiCategory.OBESITY),
    ],
)
def test_teen_categories(sex: Sex, value: float, expected: TeenBmiCategory) -> None:
    assert bmi_for_age(value, 15.5, sex).category is expected


def test_same_bmi_ranks_lower_as_teens_grow() -> None:
    percentiles = [bmi_for_age(22.0, age + 0.5, Sex.MALE).percentile for age in range(13, 20)]
    assert percentiles == sorted(percentiles, reverse=True)


@pytest.mark.parametrize(
    ("value", "expected"), [(2.7, TeenBmiCategory.UNDERWEIGHT), (2600, TeenBmiCategory.OBESITY)]
)
def test_extreme_bmis_within_validation_still_classify(
    value: float, expected: TeenBmiCategory
) -> None:
    # 20 kg at 272 cm and 650 kg at 50 cm are the extremes validation lets through.
    assert bmi_for_age(value, 13.5, Sex.FEMALE).category is expected


@pytest.mark.parametrize("age_years", [1.5, 20.0, 35.0])
def test_bmi_for_age_covers_2_to_19_only(age_years: float) -> None:
    with pytest.raises(ValueError, match="2 to under 20"):
        bmi_for_age(20.0, age_years, Sex.MALE)


@pytest.mark.parametrize(
    ("percentile", "expected"),
    [(83.36, "83.4"), (0.01, "<0.1"), (99.97, ">99.9"), (99.9, "99.9"), (5.0, "5.0")],
)
def test_format_percentile(percentile: float, expected: str) -> None:
    assert format_percentile(percentile) == expected


# ---------------------------------------------------------------------------------------------
# Energy and waist


@pytest.mark.parametrize(
    ("weight_kg", "height_cm", "age", "sex", "expected"),
    [
        (80, 180, 30, Sex.MALE, 1780.0),
        (60, 165, 25, Sex.FEMALE, 1345.25),
        (100, 190, 50, Sex.MALE, 1942.5),
        (55, 155, 70, Sex.FEMALE, 1007.75),
    ],
)
def test_mifflin_st_jeor(
    weight_kg: float, height_cm: float, age: int, sex: Sex, expected: float
) -> None:
    assert bmr_mifflin_st_jeor(weight_kg, height_cm, age, sex) == pytest.approx(expected)


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
def test_tdee_multiplies_bmr_by_the_activity_factor(activity: Activity, factor: float) -> None:
    assert tdee(1780, activity) == pytest.approx(1780 * factor)


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (0.35, WhtrBand.BELOW_BANDS),
        (0.394, WhtrBand.BELOW_BANDS),
        (0.396, WhtrBand.NO_INCREASED_RISK),  # shown as 0.40
        (0.4, WhtrBand.NO_INCREASED_RISK),
        (0.49, WhtrBand.NO_INCREASED_RISK),
        (0.494, WhtrBand.NO_INCREASED_RISK),
        (0.5, WhtrBand.INCREASED_RISK),
        (0.59, WhtrBand.INCREASED_RISK),
        (0.6, WhtrBand.HIGH_RISK),
        (0.8, WhtrBand.HIGH_RISK),
    ],
)
def test_nice_waist_to_height_bands(ratio: float, expected: WhtrBand) -> None:
    assert classify_waist_to_height(ratio) is expected


def test_waist_to_height_ratio() -> None:
    assert waist_to_height(90, 180) == pytest.approx(0.5)


# ---------------------------------------------------------------------------------------------
# Report


ADULT = Profile(
    height_cm=180,
    weight_kg=81.6,
    age=35,
    sex=Sex.MALE,
    activity=Activity.MODERATE,
    waist_cm=90,
)


def test_adult_report_has_every_number() -> None:
    report = body_report(ADULT)
    assert report.bmi == 25.2
    assert report.adult_class is BmiClass.PRE_OBESE
    assert report.teen is None
    assert report.bmi_prime == 1.01
    assert report.healthy_range_kg == (59.9, 80.7)
    assert report.bmr_kcal == 1771  # 816 + 1125 - 175 + 5
    assert report.tdee_kcal == 2745  # 1771 × 1.55
    assert report.waist_to_height == 0.5
    assert report.whtr_band is WhtrBand.INCREASED_RISK
    assert report.missing == ()
    assert NOTE_BMI_LIMITS in report.notes


def test_report_class_agrees_with_the_shown_bmi() -> None:
    # 18.49 is shown as 18.5, so the class is normal and calorie figures are given.
    profile = Profile(height_cm=180, weight_kg=18.49 * 3.24, age=30, sex=Sex.FEMALE)
    report = body_report(profile)
    assert report.bmi == 18.5
    assert report.adult_class is BmiClass.NORMAL
    assert report.bmr_kcal is not None


def test_adult_underweight_gets_no_calorie_numbers() -> None:
    profile = Profile(height_cm=170, weight_kg=50, age=30, sex=Sex.FEMALE, activity=Activity.LIGHT)
    report = body_report(profile)
    assert report.adult_class is BmiClass.MILD_THINNESS
    assert report.bmr_kcal is None
    assert report.tdee_kcal is None
    assert any("Calorie figures are left out" in note for note in report.notes)


def test_asian_scale_moves_the_class_and_the_healthy_range() -> None:
    profile = Profile(height_cm=170, weight_kg=70, age=40, bmi_scale=ASIAN)
    report = body_report(profile)
    assert report.bmi == 24.2
    assert report.adult_class is BmiClass.PRE_OBESE
    assert report.healthy_range_kg == (53.5, 66.2)
    assert body_report(Profile(height_cm=170, weight_kg=70, age=40)).adult_class is BmiClass.NORMAL
    assert any("Asian cut-offs" in note for note in report.notes)


def test_teen_report_gives_a_percentile_and_never_an_adult_class() -> None:
    profile = Profile(height_cm=165, weight_kg=70, age=15, sex=Sex.FEMALE, activity=Activity.LIGHT)
    report = body_report(profile)
    assert report.bmi == 25.7
    assert report.adult_class is None
    assert report.teen is not None
    assert report.teen.category is TeenBmiCategory.OVERWEIGHT
    assert report.teen.age_years == 15.5
    assert report.healthy_range_kg is None
    assert report.bmi_prime is None
    assert report.bmr_kcal is None  # no calorie numbers under 18
    assert report.tdee_kcal is None
    assert any("15½" in note for note in report.notes)
    lines = format_body_report(report)
    assert lines[0].startswith("BMI: 25.7 (BMI-for-age percentile ")
    assert lines[0].endswith(", CDC: overweight)")
    assert not any("obese" in line or "pre-obese" in line for line in lines)


def test_teen_without_sex_is_told_the_percentile_needs_it() -> None:
    report = body_report(Profile(height_cm=165, weight_kg=55, age=14))
    assert report.bmi == 20.2
    assert report.teen is None
    assert report.adult_class is None
    assert report.missing == ("sex",)
    assert any("needs your sex" in note for note in report.notes)


@pytest.mark.parametrize(("age", "is_teen"), [(13, True), (19, True), (20, False), (90, False)])
def test_adult_classes_start_at_20(age: int, is_teen: bool) -> None:
    report = body_report(Profile(height_cm=175, weight_kg=70, age=age, sex=Sex.MALE))
    assert (report.teen is not None) is is_teen
    assert (report.adult_class is not None) is not is_teen


def test_nineteen_year_old_gets_a_percentile_and_calorie_numbers() -> None:
    profile = Profile(
        height_cm=175, weight_kg=70, age=19, sex=Sex.MALE, activity=Activity.SEDENTARY
    )
    report = body_report(profile)
    assert report.teen is not None
    bmr = 10 * 70 + 6.25 * 175 - 5 * 19 + 5  # 1703.75
    assert report.bmr_kcal == 1704
    assert report.tdee_kcal == round(bmr * 1.2)


def test_unknown_age_shows_the_number_but_no_class() -> None:
    report = body_report(Profile(height_cm=180, weight_kg=80))
    assert report.bmi == 24.7
    assert report.adult_class is None
    assert report.teen is None
    assert report.missing == ("age",)


def test_empty_profile_report_names_what_is_missing() -> None:
    report = body_report(Profile())
    assert report.bmi is None
    assert report.missing == ("height", "weight", "age")
    assert format_body_report(report) == ["Missing for BMI: height, weight, age"]


def test_high_bmi_with_waist_notes_nice_scope() -> None:
    report = body_report(Profile(height_cm=170, weight_kg=110, age=45, waist_cm=120))
    assert report.waist_to_height == 0.71
    assert report.whtr_band is WhtrBand.HIGH_RISK
    assert any("BMI under 35" in note for note in report.notes)


def test_adult_without_sex_is_told_calories_need_it() -> None:
    report = body_report(Profile(height_cm=180, weight_kg=80, age=30, activity=Activity.LIGHT))
    assert report.adult_class is BmiClass.NORMAL
    assert report.bmr_kcal is None
    assert report.missing == ()  # the BMI itself needs no sex for adults
    assert any("need sex" in note for note in report.notes)


def test_missing_activity_gives_bmr_but_asks_for_activity() -> None:
    report = body_report(Profile(height_cm=180, weight_kg=80, age=30, sex=Sex.MALE))
    assert report.bmr_kcal == 1780
    assert report.tdee_kcal is None
    assert any("activity level" in note for note in report.notes)


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        (Profile(), ["height", "weight", "age"]),
        (Profile(height_cm=180), ["weight", "age"]),
        (Profile(height_cm=180, weight_kg=80, age=30), []),
        (Profile(height_cm=180, weight_kg=80, age=16), ["sex"]),
        (Profile(height_cm=180, weight_kg=80, age=16, sex=Sex.MALE), []),
        (Profile(weight_kg=80, age=16), ["height", "sex"]),
    ],
)
def test_missing_for_bmi(profile: Profile, expected: list[str]) -> None:
    assert missing_for_bmi(profile) == expected


def test_report_lines_in_imperial_units() -> None:
    profile = Profile(
        height_cm=71 * CM_PER_IN,
        weight_kg=180 * KG_PER_LB,
        age=35,
        sex=Sex.MALE,
        units=UnitSystem.IMPERIAL,
        activity=Activity.VERY_ACTIVE,
    )
    lines = format_body_report(body_report(profile))
    assert lines[:5] == [
        "BMI: 25.1 (pre-obese (overweight), WHO adult classes)",
        "BMI Prime: 1.00",
        "Healthy weight for this height: 133–179 lb",
        "BMR (Mifflin-St Jeor): 1774 kcal/day",
        "TDEE (very active): 3059 kcal/day",
    ]


def test_coach_description_has_profile_and_computed_metrics() -> None:
    profile = Profile(
        height_cm=71 * CM_PER_IN,
        weight_kg=180 * KG_PER_LB,
        age=35,
        sex=Sex.MALE,
        units=UnitSystem.IMPERIAL,
        activity=Activity.MODERATE,
        waist_cm=34 * CM_PER_IN,
    )
    text = describe_profile_for_coach(profile)
    assert text.startswith("Profile (imperial units):\n- Height: 5 ft 11 in\n- Weight: 180 lb\n")
    assert "\nComputed metrics:\n- BMI: 25.1 (pre-obese (overweight), WHO adult classes)\n" in text
    assert "- Healthy weight for this height: 133–179 lb" in text
    assert "- TDEE (moderate): " in text
    assert "- Waist-to-height: 0.48 (no increased health risk, NICE)" in text
    assert " kg" not in text  # everything in the user's own units


def test_coach_description_of_an_empty_profile() -> None:
    text = describe_profile_for_coach(Profile())
    assert "- Height: not set" in text
    assert text.endswith("Computed metrics:\n- Missing for BMI: height, weight, age")
