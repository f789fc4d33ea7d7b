"""The user's body profile: its enums, the frozen Profile, and parsing of /profile answers.

Parsing is all-or-nothing: a Profile comes back only when every given field was accepted.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol, TypeVar

from bot.domain.units import (
    UnitSystem,
    format_height,
    format_waist,
    format_weight,
    parse_height,
    parse_waist,
    parse_weight,
    typed_system,
)
from bot.errors import UserInputError
from bot.i18n import Text, quoted

__all__ = [
    "AGE_RANGE",
    "FIELDS",
    "Activity",
    "BmiScale",
    "Goal",
    "Profile",
    "ProfileChange",
    "Sex",
    "UnitSystem",
    "format_profile",
    "parse_age",
    "parse_field",
    "parse_profile_args",
    "read_field",
    "read_profile_args",
]

AGE_RANGE = (13, 120)


class Sex(StrEnum):
    """Sex as the BMR equation and the CDC growth references use it."""

    MALE = "male"
    FEMALE = "female"


class Goal(StrEnum):
    """What the user trains for."""

    LOSE = "lose"
    MAINTAIN = "maintain"
    GAIN = "gain"
    STRENGTH = "strength"
    ENDURANCE = "endurance"
    GENERAL = "general"

    @property
    def label(self) -> str:
        return Text(f"goal.{self.value}")


class Activity(StrEnum):
    """The five activity levels that turn BMR into TDEE."""

    SEDENTARY = "sedentary"
    LIGHT = "light"
    MODERATE = "moderate"
    VERY_ACTIVE = "very_active"
    EXTRA_ACTIVE = "extra_active"

    @property
    def factor(self) -> float:
        """The TDEE multiplier of BMR for this level."""
        return _ACTIVITY_FACTORS[self]

    @property
    def label(self) -> str:
        return Text(f"activity.{self.value}")


class BmiScale(StrEnum):
    """Which BMI cut-offs apply: WHO standard, or the lower WHO/NICE cut-offs for Asian adults."""

    STANDARD = "standard"
    ASIAN = "asian"

    @property
    def label(self) -> str:
        return Text(f"bmi_scale.{self.value}")


_ACTIVITY_FACTORS = {
    Activity.SEDENTARY: 1.2,
    Activity.LIGHT: 1.375,
    Activity.MODERATE: 1.55,
    Activity.VERY_ACTIVE: 1.725,
    Activity.EXTRA_ACTIVE: 1.9,
}


@dataclass(frozen=True)
class Profile:
    """What FitCoach knows about a user's body, in SI units; every measurement is optional."""

    height_cm: float | None = None
    weight_kg: float | None = None
    age: int | None = None
    sex: Sex | None = None
    units: UnitSystem = UnitSystem.METRIC
    goal: Goal | None = None
    activity: Activity | None = None
    waist_cm: float | None = None
    bmi_scale: BmiScale = BmiScale.STANDARD
    # True once the user picked ``units`` themselves (/units, units=, the button); until then
    # a message written wholly in imperial units switches them to imperial.
    units_chosen: bool = False

    @property
    def is_empty(self) -> bool:
        """Nothing measured or chosen besides the defaults."""
        return self == Profile(
            units=self.units, bmi_scale=self.bmi_scale, units_chosen=self.units_chosen
        )


@dataclass(frozen=True)
class ProfileChange:
    """A profile after the user changed it, with how they wrote their measurements.

    ``typed_in`` maps a measurement field (height, weight, waist) to the unit system its value
    was written in, for values with an explicit unit; ``switched`` says the units were switched
    to imperial because everything typed was imperial and the user never chose units.
    """

    profile: Profile
    typed_in: Mapping[str, UnitSystem] = field(default_factory=dict)
    switched: bool = False


# ---------------------------------------------------------------------------------------------
# Value parsing

_E = TypeVar("_E", bound=StrEnum)


class _Format(Protocol):
    def __call__(self, value: float, system: UnitSystem, /, *, both: bool = ...) -> str: ...


# Canonical key -> Profile attribute.
FIELDS: dict[str, str] = {
    "height": "height_cm",
    "weight": "weight_kg",
    "age": "age",
    "sex": "sex",
    "units": "units",
    "goal": "goal",
    "activity": "activity",
    "waist": "waist_cm",
    "bmi_scale": "bmi_scale",
}

_KEY_ALIASES: dict[str, str] = {
    **{key: key for key in FIELDS},
    "ht": "height",
    "рост": "height",
    "wt": "weight",
    "вес": "weight",
    "возраст": "age",
    "gender": "sex",
    "пол": "sex",
    "unit": "units",
    "system": "units",
    "goals": "goal",
    "цель": "goal",
    "activity_level": "activity",
    "level": "activity",
    "waist_size": "waist",
    "талия": "waist",
    "scale": "bmi_scale",
    "bmi": "bmi_scale",
    "bmiscale": "bmi_scale",
}

# Words that clear an optional field.
_CLEAR = frozenset({"none", "unset", "clear", "not set", "-", "—", "n/a", "нет"})


def _canon(text: str) -> str:
    """Fold case, dashes and underscores so ``Very-Active`` and ``very_active`` match."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[_\-–]+", " ", text)
    return " ".join(text.split()).strip(".!")


def _synonyms(table: dict[_E, tuple[str, ...]]) -> dict[str, _E]:
    return {_canon(word): member for member, words in table.items() for word in words}


_SEX_WORDS = _synonyms(
    {
        Sex.MALE: ("male", "m", "man", "boy", "masculine", "he", "м", "муж", "мужской", "мужчина"),
        Sex.FEMALE: (
            "female",
            "f",
            "woman",
            "girl",
            "feminine",
            "she",
            "ж",
            "жен",
            "женский",
            "женщина",
        ),
    }
)
_UNITS_WORDS = _synonyms(
    {
        UnitSystem.METRIC: ("metric", "si", "kg", "cm", "kg cm", "метрическая", "метрические"),
        UnitSystem.IMPERIAL: (
            "imperial",
            "us",
            "usa",
            "us customary",
            "lb",
            "lbs",
            "pounds",
            "ft",
            "feet",
            "lb ft",
        ),
    }
)
_GOAL_WORDS = _synonyms(
    {
        Goal.LOSE: ("lose", "lose weight", "weight loss", "loss", "fat loss", "lose fat", "cut"),
        Goal.MAINTAIN: ("maintain", "maintain weight", "maintenance", "keep", "stay"),
        Goal.GAIN: ("gain", "gain weight", "gain muscle", "build muscle", "muscle", "bulk"),
        Goal.STRENGTH: ("strength", "strong", "get stronger", "stronger", "powerlifting"),
        Goal.ENDURANCE: ("endurance", "stamina", "cardio", "running"),
        Goal.GENERAL: ("general", "general fitness", "fitness", "health", "overall", "healthy"),
    }
)
_ACTIVITY_WORDS = _synonyms(
    {
        Activity.SEDENTARY: ("sedentary", "inactive", "desk job", "little", "little or none"),
        Activity.LIGHT: ("light", "lightly active", "lightly", "low"),
        Activity.MODERATE: ("moderate", "moderately active", "moderately", "medium"),
        Activity.VERY_ACTIVE: ("very active", "very", "high"),
        Activity.EXTRA_ACTIVE: (
            "extra active",
            "extra",
            "extremely active",
            "very high",
            "athlete",
        ),
    }
)
_SCALE_WORDS = _synonyms(
    {
        BmiScale.STANDARD: ("standard", "who", "default", "normal", "international"),
        BmiScale.ASIAN: ("asian", "asia", "south asian", "who asian", "nice"),
    }
)


def _label(field: str) -> Text:
    return Text(f"field.{field}")


def _shown(value: str) -> Text:
    """What the user wrote, quoted, or "nothing"."""
    return quoted(value) if value.strip() else Text("profile.nothing")


def _choice(field: str, value: str, words: dict[str, _E], members: type[_E]) -> _E:
    found = words.get(_canon(value))
    if found is None:
        choices = ", ".join(member.value for member in members)
        message = Text(
            "profile.error.choice", label=_label(field), shown=_shown(value), choices=choices
        )
        raise UserInputError(message, field=field)
    return found


def _parse_sex(value: str) -> Sex:
    found = _SEX_WORDS.get(_canon(value))
    if found is None:
        raise UserInputError(Text("profile.error.sex", shown=_shown(value)), field="sex")
    return found


_AGE = re.compile(
    r"(?P<n>[0-9]+)\s*(?:y|yo|y\.o\.|yr|yrs|year|years|years old|лет|год|года)?",
)


def parse_age(text: str) -> int:
    """Age in whole years (``35``, ``35 years``, ``35 лет``), 13–120."""
    low, high = AGE_RANGE
    cleaned = unicodedata.normalize("NFKC", text).strip().lower().rstrip(".!")
    match = _AGE.fullmatch(cleaned)
    if match is None:
        message = Text("profile.error.age_unreadable", shown=_shown(text), low=low, high=high)
        raise UserInputError(message, field="age")
    age = int(match["n"])
    if age < low:
        raise UserInputError(Text("profile.error.age_young", low=low, age=age), field="age")
    if age > high:
        message = Text("profile.error.age_old", shown=_shown(text), high=high)
        raise UserInputError(message, field="age")
    return age


def _is_clear(value: str) -> bool:
    return _canon(value) in _CLEAR


def _apply(profile: Profile, key: str, text: str) -> Profile:
    """``profile`` with one field set from ``text`` (a clearing word unsets it).

    Bare numbers are read in ``profile.units``, so applying ``units`` first changes them.
    """
    prefer = profile.units
    clear = _is_clear(text)
    if clear and key in ("units", "bmi_scale"):
        default = Profile().units if key == "units" else Profile().bmi_scale
        message = Text("profile.error.cannot_unset", label=_label(key), default=default.value)
        raise UserInputError(message, field=key)
    match key:
        case "height":
            return replace(profile, height_cm=None if clear else parse_height(text, prefer))
        case "weight":
            return replace(profile, weight_kg=None if clear else parse_weight(text, prefer))
        case "waist":
            return replace(profile, waist_cm=None if clear else parse_waist(text, prefer))
        case "age":
            return replace(profile, age=None if clear else parse_age(text))
        case "sex":
            return replace(profile, sex=None if clear else _parse_sex(text))
        case "goal":
            goal = None if clear else _choice("goal", text, _GOAL_WORDS, Goal)
            return replace(profile, goal=goal)
        case "activity":
            activity = None if clear else _choice("activity", text, _ACTIVITY_WORDS, Activity)
            return replace(profile, activity=activity)
        case "units":
            return replace(profile, units=_choice("units", text, _UNITS_WORDS, UnitSystem))
        case "bmi_scale":
            scale = _choice("bmi_scale", text, _SCALE_WORDS, BmiScale)
            return replace(profile, bmi_scale=scale)
    raise ValueError(f"not a profile key: {key}")


def _accepted_keys() -> str:
    return ", ".join(FIELDS)


def _resolve_key(raw: str) -> str:
    key = _KEY_ALIASES.get(_canon(raw).replace(" ", "_"))
    if key is None:
        close = difflib.get_close_matches(raw.lower(), list(FIELDS), n=1)
        shown = quoted(raw)
        message = (
            Text(
                "profile.error.unknown_key_guess",
                shown=shown,
                guess=close[0],
                keys=_accepted_keys(),
            )
            if close
            else Text("profile.error.unknown_key", shown=shown, keys=_accepted_keys())
        )
        raise UserInputError(message, field=raw)
    return key


# ---------------------------------------------------------------------------------------------
# Public parsing


def parse_field(key: str, value: str, current: Profile) -> Profile:
    """Apply one answer of the guided flow (``key`` may be an alias) to ``current``.

    Raises UserInputError naming the field; ``current`` is never changed (it is frozen).
    """
    canonical = _resolve_key(key)
    return _apply(current, canonical, value)


# A key is a word directly followed by "=", not glued to letters before it.
_KEY = re.compile(r"(?<![^\W\d])(?P<key>[^\W\d][\w]*)\s*=", re.UNICODE)


def parse_profile_args(text: str, current: Profile) -> Profile:
    """Parse ``/profile`` arguments such as ``height=5 ft 11 weight=180 lbs units=imperial``.

    A value runs until the next ``key=``. A ``units=`` given here governs how bare numbers
    in the same message are read. All-or-nothing: when any part is bad, UserInputError lists
    every problem (``field`` is the bad keys joined with commas) and nothing is applied.
    Blank text returns ``current`` unchanged.
    """
    if not text.strip():
        return current
    matches = list(_KEY.finditer(text))
    # (position in the text, field, message): problems are reported in the order typed.
    problems: list[tuple[int, str, Text]] = []

    leading = text[: matches[0].start()] if matches else text
    if leading.strip():
        problems.append(
            (
                0,
                "format",
                Text("profile.error.not_key_value", shown=_shown(leading)),
            )
        )

    pairs: list[tuple[int, str, str]] = []
    seen: set[str] = set()
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        raw_value = text[match.end() : end].strip().rstrip(",;").strip()
        try:
            key = _resolve_key(match["key"])
        except UserInputError as error:
            problems.append((match.start(), match["key"], error.text))
            continue
        if key in seen:
            problems.append((match.start(), key, Text("profile.error.repeated", key=key)))
            continue
        seen.add(key)
        pairs.append((match.start(), key, raw_value))

    # units= first, so that bare numbers elsewhere in the message are read in the new system.
    pairs.sort(key=lambda pair: pair[1] != "units")
    updated = current
    for position, key, raw_value in pairs:
        try:
            updated = _apply(updated, key, raw_value)
        except UserInputError as error:
            problems.append((position, key, error.text))

    if problems:
        problems.sort(key=lambda problem: problem[0])
        listed = tuple(message for _, _, message in problems)
        fields = ",".join(dict.fromkeys(field for _, field, _ in problems))
        raise UserInputError(Text("profile.error.nothing_changed", problems=listed), field=fields)
    return updated


_MEASUREMENTS = ("height", "weight", "waist")


def _typed_keys(text: str) -> dict[str, str]:
    """Canonical key -> value as written, for arguments that parse_profile_args accepted."""
    matches = list(_KEY.finditer(text))
    typed: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        typed[_resolve_key(match["key"])] = text[match.end() : end].strip().rstrip(",;").strip()
    return typed


def _adopt_units(before: Profile, after: Profile, typed: Mapping[str, str]) -> ProfileChange:
    """Apply the unit policy to a parsed change.

    Choosing units marks them chosen. A user who never chose and wrote every measurement
    with an imperial unit is switched to imperial; bare numbers are no evidence either way.
    """
    if "units" in typed:
        return ProfileChange(replace(after, units_chosen=True))
    systems = {
        key: typed_system(value)
        for key, value in typed.items()
        if key in _MEASUREMENTS and not _is_clear(value)
    }
    typed_in = {key: system for key, system in systems.items() if system is not None}
    every_imperial = bool(systems) and all(
        system is UnitSystem.IMPERIAL for system in systems.values()
    )
    if every_imperial and not before.units_chosen and after.units is UnitSystem.METRIC:
        return ProfileChange(replace(after, units=UnitSystem.IMPERIAL), typed_in, switched=True)
    return ProfileChange(after, typed_in)


def read_profile_args(text: str, current: Profile) -> ProfileChange:
    """parse_profile_args, then the unit policy (see ``_adopt_units``)."""
    updated = parse_profile_args(text, current)
    return _adopt_units(current, updated, _typed_keys(text))


def read_field(key: str, value: str, current: Profile) -> ProfileChange:
    """parse_field, then the unit policy (see ``_adopt_units``)."""
    updated = parse_field(key, value, current)
    return _adopt_units(current, updated, {_resolve_key(key): value})


# ---------------------------------------------------------------------------------------------
# Display


def format_profile(
    profile: Profile,
    language: str | None = None,
    typed_in: Mapping[str, UnitSystem] | None = None,
) -> list[str]:
    """One ``Label: value`` line per field, in the user's units; missing fields say "not set".

    A measurement in ``typed_in`` written in the other system is shown as it was written with
    the user's units after it (``5 ft 11 in (180.3 cm)``). ``language`` None gives English
    Text lines (what the coach's prompt reads).
    """
    units = profile.units
    height = profile.height_cm
    weight = profile.weight_kg
    waist = profile.waist_cm
    written = typed_in or {}

    def shown(key: str, value: float | None, fmt: _Format) -> str | None:
        if value is None:
            return None
        system = written.get(key, units)
        return fmt(value, system, both=system is not units)

    values: list[tuple[str, object]] = [
        ("height", shown("height", height, format_height)),
        ("weight", shown("weight", weight, format_weight)),
        ("age", profile.age),
        ("sex", None if profile.sex is None else Text(f"sex.{profile.sex.value}")),
        ("units", Text(f"units.{units.value}")),
        ("goal", None if profile.goal is None else profile.goal.label),
        ("activity", None if profile.activity is None else profile.activity.label),
        ("waist", shown("waist", waist, format_waist)),
        ("bmi_scale", profile.bmi_scale.label),
    ]
    lines = [
        Text(
            "profile.line",
            label=_label(field),
            value=Text("profile.not_set") if value is None else value,
        )
        for field, value in values
    ]
    return [line if language is None else line.render(language) for line in lines]
