"""Body metrics computed from a Profile: BMI and its classes, teen BMI-for-age, BMR, TDEE, WHtR.

Rounding rule: a BMI is classified on the one-decimal value that is shown (and a percentile
on its one-decimal value, a waist-to-height ratio on its two-decimal value), so the class
always agrees with the number the user sees: 18.49 is shown as 18.5 and is "normal weight".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.profile import Activity, BmiScale, Profile, Sex, format_profile
from bot.domain.units import UnitSystem, format_weight_range
from bot.i18n import Text

__all__ = [
    "BmiClass",
    "BodyReport",
    "TeenBmi",
    "TeenBmiCategory",
    "WhtrBand",
    "bmi",
    "bmi_for_age",
    "bmi_prime",
    "bmr_mifflin_st_jeor",
    "body_report",
    "classify_bmi",
    "classify_bmi_percentile",
    "classify_waist_to_height",
    "describe_profile_for_coach",
    "format_body_report",
    "format_percentile",
    "healthy_weight_range",
    "missing_for_bmi",
    "round_bmi",
    "tdee",
    "waist_to_height",
]

ADULT_AGE = 20  # CDC BMI-for-age runs to the 20th birthday; adult classes start there.
CHILD_MIN_AGE = 2  # CDC BMI-for-age starts at 2 years.
CALORIE_MIN_AGE = 18  # No calorie numbers for minors (safety rule 5).

NOTE_BMI_LIMITS = Text("metrics.note.bmi_limits")


class BmiClass(StrEnum):
    """WHO adult BMI classes (also used with the Asian cut-offs)."""

    SEVERE_THINNESS = "severe thinness"
    MODERATE_THINNESS = "moderate thinness"
    MILD_THINNESS = "mild thinness"
    NORMAL = "normal weight"
    PRE_OBESE = "pre-obese (overweight)"
    OBESE_I = "obese class I"
    OBESE_II = "obese class II"
    OBESE_III = "obese class III"


class TeenBmiCategory(StrEnum):
    """CDC weight categories by BMI-for-age percentile (ages 2–19)."""

    UNDERWEIGHT = "underweight"
    HEALTHY = "healthy weight"
    OVERWEIGHT = "overweight"
    OBESITY = "obesity"


class WhtrBand(StrEnum):
    """NICE (2022) waist-to-height ratio bands."""

    BELOW_BANDS = "below 0.4, under NICE's bands"
    NO_INCREASED_RISK = "no increased health risk"
    INCREASED_RISK = "increased health risk"
    HIGH_RISK = "high health risk"


# Lower bound of each class, highest first. Thinness grades are the same on both scales;
# the Asian scale moves the upper cut-offs to the WHO 2004 public-health action points.
_THINNESS = (
    (17.0, BmiClass.MILD_THINNESS),
    (16.0, BmiClass.MODERATE_THINNESS),
)
_CUTOFFS: dict[BmiScale, tuple[tuple[float, BmiClass], ...]] = {
    BmiScale.STANDARD: (
        (40.0, BmiClass.OBESE_III),
        (35.0, BmiClass.OBESE_II),
        (30.0, BmiClass.OBESE_I),
        (25.0, BmiClass.PRE_OBESE),
        (18.5, BmiClass.NORMAL),
        *_THINNESS,
    ),
    BmiScale.ASIAN: (
        (37.5, BmiClass.OBESE_III),
        (32.5, BmiClass.OBESE_II),
        (27.5, BmiClass.OBESE_I),
        (23.0, BmiClass.PRE_OBESE),
        (18.5, BmiClass.NORMAL),
        *_THINNESS,
    ),
}
# Upper end of "normal" on each scale, for the healthy weight range.
_NORMAL_UPPER = {BmiScale.STANDARD: 24.9, BmiScale.ASIAN: 22.9}
_NORMAL_LOWER = 18.5


# ---------------------------------------------------------------------------------------------
# Adult BMI


def bmi(weight_kg: float, height_cm: float) -> float:
    """Body-mass index, kg/m², unrounded."""
    if weight_kg <= 0 or height_cm <= 0:
        raise ValueError(f"weight and height must be positive, got {weight_kg}, {height_cm}")
    metres = height_cm / 100
    return weight_kg / (metres * metres)


def round_bmi(value: float) -> float:
    """The one-decimal BMI that is shown and classified."""
    return round(value, 1)


def classify_bmi(value: float, scale: BmiScale = BmiScale.STANDARD) -> BmiClass:
    """Adult class of a BMI, decided on its one-decimal display value."""
    shown = round_bmi(value)
    for lower, bmi_class in _CUTOFFS[scale]:
        if shown >= lower:
            return bmi_class
    return BmiClass.SEVERE_THINNESS


def bmi_prime(value: float) -> float:
    """BMI Prime: BMI over 25, the upper limit of normal; 1.00 is that limit."""
    return value / 25


def healthy_weight_range(
    height_cm: float, scale: BmiScale = BmiScale.STANDARD
) -> tuple[float, float]:
    """Weights in kg with a normal adult BMI at this height: 18.5·h² to 24.9·h² (22.9 Asian)."""
    metres_sq = (height_cm / 100) ** 2
    return _NORMAL_LOWER * metres_sq, _NORMAL_UPPER[scale] * metres_sq


# ---------------------------------------------------------------------------------------------
# Teen BMI-for-age


@dataclass(frozen=True)
class TeenBmi:
    """A BMI-for-age percentile (CDC) and its category."""

    percentile: float
    category: TeenBmiCategory
    age_years: float


def classify_bmi_percentile(percentile: float) -> TeenBmiCategory:
    """CDC category: < 5 underweight, 5–< 85 healthy, 85–< 95 overweight, ≥ 95 obesity."""
    shown = round(percentile, 1)
    if shown < 5:
        return TeenBmiCategory.UNDERWEIGHT
    if shown < 85:
        return TeenBmiCategory.HEALTHY
    if shown < 95:
        return TeenBmiCategory.OVERWEIGHT
    return TeenBmiCategory.OBESITY


# rcpchgrowth wants dates, not ages; a fixed observation date keeps results reproducible.
_OBSERVATION_DATE = date(2024, 7, 1)
_DAYS_PER_YEAR = 365.25  # the year length rcpchgrowth uses for decimal age


def bmi_for_age(bmi_value: float, age_years: float, sex: Sex) -> TeenBmi:
    """CDC BMI-for-age percentile for ages 2 to under 20, computed offline by rcpchgrowth."""
    if not CHILD_MIN_AGE <= age_years < ADULT_AGE:
        raise ValueError(f"BMI-for-age covers ages 2 to under 20, got {age_years}")
    # Imported here: rcpchgrowth pulls in scipy, seconds of start-up most users never need.
    from rcpchgrowth import Measurement

    birth = _OBSERVATION_DATE - timedelta(days=round(age_years * _DAYS_PER_YEAR))
    measurement = Measurement(
        birth_date=birth,
        observation_date=_OBSERVATION_DATE,
        measurement_method="bmi",
        observation_value=bmi_value,
        reference="cdc",
        sex=sex.value,
        gestation_weeks=40,
    )
    centile = measurement.measurement["measurement_calculated_values"]["corrected_centile"]
    if centile is None:
        raise ValueError(f"rcpchgrowth gave no centile for BMI {bmi_value} at {age_years}")
    percentile = float(centile)
    return TeenBmi(percentile, classify_bmi_percentile(percentile), age_years)


def format_percentile(percentile: float) -> str:
    """One decimal, with the open ends shown as ``<0.1`` and ``>99.9``."""
    shown = round(percentile, 1)
    if shown < 0.1:
        return "<0.1"
    if shown > 99.9:
        return ">99.9"
    return f"{shown:.1f}"


# ---------------------------------------------------------------------------------------------
# Energy and waist


def bmr_mifflin_st_jeor(weight_kg: float, height_cm: float, age: int, sex: Sex) -> float:
    """Basal metabolic rate in kcal/day (Mifflin-St Jeor 1990)."""
    base = 10 * weight_kg + 6.25 * height_cm - 5 * age
    return base + 5 if sex is Sex.MALE else base - 161


def tdee(bmr_kcal: float, activity: Activity) -> float:
    """Total daily energy expenditure: BMR times the activity factor."""
    return bmr_kcal * activity.factor


def waist_to_height(waist_cm: float, height_cm: float) -> float:
    """Waist circumference over height, unrounded."""
    if waist_cm <= 0 or height_cm <= 0:
        raise ValueError(f"waist and height must be positive, got {waist_cm}, {height_cm}")
    return waist_cm / height_cm


def classify_waist_to_height(ratio: float) -> WhtrBand:
    """NICE band of a ratio, decided on its two-decimal display value."""
    shown = round(ratio, 2)
    if shown < 0.4:
        return WhtrBand.BELOW_BANDS
    if shown < 0.5:
        return WhtrBand.NO_INCREASED_RISK
    if shown < 0.6:
        return WhtrBand.INCREASED_RISK
    return WhtrBand.HIGH_RISK


# ---------------------------------------------------------------------------------------------
# Report


@dataclass(frozen=True)
class BodyReport:
    """Everything /bmi shows, already computed and rounded for display."""

    units: UnitSystem
    bmi_scale: BmiScale
    bmi: float | None  # one decimal
    bmi_prime: float | None  # two decimals; adults only
    adult_class: BmiClass | None  # ages 20+ only
    teen: TeenBmi | None  # ages 2–19 with sex set
    healthy_range_kg: tuple[float, float] | None  # adults only
    bmr_kcal: int | None
    tdee_kcal: int | None
    activity: Activity | None
    waist_to_height: float | None  # two decimals
    whtr_band: WhtrBand | None
    missing: tuple[str, ...]  # profile keys still needed for the BMI and its meaning
    notes: tuple[Text, ...]  # catalog texts; as strings, English


def missing_for_bmi(profile: Profile) -> list[str]:
    """Profile keys that must be set before the BMI can be shown and interpreted.

    Height and weight give the number; age decides adult class or teen percentile; a teen
    percentile also needs sex.
    """
    missing = [
        key
        for key, value in (
            ("height", profile.height_cm),
            ("weight", profile.weight_kg),
            ("age", profile.age),
        )
        if value is None
    ]
    if profile.age is not None and profile.age < ADULT_AGE and profile.sex is None:
        missing.append("sex")
    return missing


def _energy(
    profile: Profile, bmi_value: float | None, teen: TeenBmi | None
) -> tuple[int | None, int | None, list[Text]]:
    """BMR and TDEE, or the reason they are left out."""
    weight, height, age, sex = profile.weight_kg, profile.height_cm, profile.age, profile.sex
    if weight is None or height is None or age is None:
        return None, None, []
    if age < CALORIE_MIN_AGE:
        return None, None, [Text("metrics.note.no_calories_minor")]
    if sex is None:
        return None, None, [Text("metrics.note.calories_need_sex")]
    underweight = (bmi_value is not None and round_bmi(bmi_value) < _NORMAL_LOWER) or (
        teen is not None and teen.category is TeenBmiCategory.UNDERWEIGHT
    )
    if underweight:
        # At a low BMI calorie numbers can feed restriction (safety rule 3).
        return None, None, [Text("metrics.note.no_calories_low_bmi")]
    bmr = bmr_mifflin_st_jeor(weight, height, age, sex)
    total = None if profile.activity is None else round(tdee(bmr, profile.activity))
    return round(bmr), total, []


def body_report(profile: Profile) -> BodyReport:
    """Compute every body metric the profile allows, with notes on how to read them."""
    notes: list[Text] = []
    height, weight, age = profile.height_cm, profile.weight_kg, profile.age
    raw_bmi = None if height is None or weight is None else bmi(weight, height)
    shown_bmi = None if raw_bmi is None else round_bmi(raw_bmi)
    prime: float | None = None
    adult_class: BmiClass | None = None
    healthy: tuple[float, float] | None = None
    teen: TeenBmi | None = None

    if raw_bmi is not None and height is not None:
        if age is None:
            notes.append(Text("metrics.note.set_age"))
        elif age >= ADULT_AGE:
            adult_class = classify_bmi(raw_bmi, profile.bmi_scale)
            prime = round(bmi_prime(raw_bmi), 2)
            low, high = healthy_weight_range(height, profile.bmi_scale)
            healthy = (round(low, 1), round(high, 1))
            if profile.bmi_scale is BmiScale.ASIAN:
                notes.append(Text("metrics.note.asian_cutoffs"))
            notes.append(NOTE_BMI_LIMITS)
        elif age >= CHILD_MIN_AGE:
            notes.append(Text("metrics.note.teen_classes"))
            if profile.sex is None:
                notes.append(Text("metrics.note.teen_needs_sex"))
            else:
                # Only whole years are known, so take the middle of that year of age.
                teen = bmi_for_age(raw_bmi, age + 0.5, profile.sex)
                notes.append(Text("metrics.note.half_year", age=age))
        else:
            notes.append(Text("metrics.note.under_two"))

    bmr, total, energy_notes = _energy(profile, raw_bmi, teen)
    notes.extend(energy_notes)
    if bmr is not None and total is None:
        notes.append(Text("metrics.note.set_activity"))

    ratio: float | None = None
    band: WhtrBand | None = None
    if profile.waist_cm is not None and height is not None:
        ratio = round(waist_to_height(profile.waist_cm, height), 2)
        band = classify_waist_to_height(ratio)
        if shown_bmi is not None and shown_bmi >= 35:
            notes.append(Text("metrics.note.whtr_scope"))

    return BodyReport(
        units=profile.units,
        bmi_scale=profile.bmi_scale,
        bmi=shown_bmi,
        bmi_prime=prime,
        adult_class=adult_class,
        teen=teen,
        healthy_range_kg=healthy,
        bmr_kcal=bmr,
        tdee_kcal=total,
        activity=profile.activity,
        waist_to_height=ratio,
        whtr_band=band,
        missing=tuple(missing_for_bmi(profile)),
        notes=tuple(notes),
    )


def format_body_report(report: BodyReport, language: str | None = None) -> list[str]:
    """Plain-text lines of a report in the user's units (the handler adds markup).

    ``language`` None gives the English lines the coach's prompt reads.
    """
    lines: list[Text] = []
    if report.bmi is not None:
        bmi_text = f"{report.bmi:.1f}"
        if report.adult_class is not None:
            key = "asian" if report.bmi_scale is BmiScale.ASIAN else "who"
            cls = Text(f"metrics.class.{report.adult_class.name.lower()}")
            lines.append(Text(f"metrics.bmi_adult_{key}", bmi=bmi_text, cls=cls))
        elif report.teen is not None:
            category = Text(f"metrics.teen.{report.teen.category.name.lower()}")
            percentile = format_percentile(report.teen.percentile)
            lines.append(
                Text("metrics.bmi_teen", bmi=bmi_text, percentile=percentile, category=category)
            )
        else:
            lines.append(Text("metrics.bmi", bmi=bmi_text))
    if report.bmi_prime is not None:
        lines.append(Text("metrics.bmi_prime", value=f"{report.bmi_prime:.2f}"))
    if report.healthy_range_kg is not None:
        low, high = report.healthy_range_kg
        lines.append(
            Text("metrics.healthy_range", range=format_weight_range(low, high, report.units))
        )
    if report.bmr_kcal is not None:
        lines.append(Text("metrics.bmr", kcal=report.bmr_kcal))
    if report.tdee_kcal is not None and report.activity is not None:
        level = Text(f"metrics.level.{report.activity.value}")
        lines.append(Text("metrics.tdee", level=level, kcal=report.tdee_kcal))
    if report.waist_to_height is not None and report.whtr_band is not None:
        band = Text(f"metrics.whtr.{report.whtr_band.name.lower()}")
        lines.append(Text("metrics.whtr", ratio=f"{report.waist_to_height:.2f}", band=band))
    if report.missing:
        missing = ", ".join(report.missing)
        lines.append(Text("metrics.missing", fields=missing))
    lines.extend(Text("metrics.note", note=note) for note in report.notes)
    return [line if language is None else line.render(language) for line in lines]


def describe_profile_for_coach(profile: Profile) -> str:
    """The profile and its computed metrics as compact text for the model's system prompt."""
    report = body_report(profile)
    parts = [f"Profile ({profile.units.value} units):"]
    parts.extend(f"- {line}" for line in format_profile(profile))
    parts.append("Computed metrics:")
    metrics = format_body_report(report) or ["none yet"]
    parts.extend(f"- {line}" for line in metrics)
    return "\n".join(parts)
