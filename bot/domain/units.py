"""Heights, weights and waist sizes as people type them: parsing to SI, validation, display.

Everything is stored in SI (cm, kg); the user's UnitSystem only decides how bare numbers are
read and how values are shown.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Protocol

from bot.errors import AmbiguousInputError, UserInputError
from bot.i18n import Text, quoted

__all__ = [
    "CM_PER_IN",
    "HEIGHT_RANGE_CM",
    "IN_PER_FT",
    "KG_PER_LB",
    "LB_PER_STONE",
    "WAIST_RANGE_CM",
    "WEIGHT_RANGE_KG",
    "UnitSystem",
    "format_height",
    "format_waist",
    "format_weight",
    "format_weight_range",
    "parse_height",
    "parse_waist",
    "parse_weight",
    "typed_system",
]

KG_PER_LB = 0.45359237  # exact by definition (1959)
LB_PER_STONE = 14
CM_PER_IN = 2.54  # exact by definition
IN_PER_FT = 12

HEIGHT_RANGE_CM = (50.0, 272.0)
WEIGHT_RANGE_KG = (20.0, 650.0)
WAIST_RANGE_CM = (40.0, 250.0)


class UnitSystem(StrEnum):
    """How a user reads and writes measurements."""

    METRIC = "metric"
    IMPERIAL = "imperial"


# ---------------------------------------------------------------------------------------------
# Display


def _trim(value: float, decimals: int) -> str:
    """Format with at most ``decimals`` places and no trailing zeros (``80.0`` -> ``80``)."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _feet_inches(total_inches: int) -> str:
    feet, inches = divmod(total_inches, IN_PER_FT)
    return f"{feet} ft {inches} in"


def format_height(cm: float, system: UnitSystem, *, both: bool = False) -> str:
    """``180 cm`` (to 0.1 cm) or ``5 ft 11 in`` (to the inch); ``both`` adds the other system."""
    if system is UnitSystem.METRIC:
        main = f"{_trim(cm, 1)} cm"
        other = _feet_inches(round(cm / CM_PER_IN))
    else:
        main = _feet_inches(round(cm / CM_PER_IN))
        other = f"{_trim(cm, 1)} cm"
    return f"{main} ({other})" if both else main


def format_weight(kg: float, system: UnitSystem, *, both: bool = False) -> str:
    """``81.6 kg`` (to 0.1 kg) or ``180 lb`` (to the pound); ``both`` adds the other system."""
    metric = f"{_trim(kg, 1)} kg"
    imperial = f"{round(kg / KG_PER_LB)} lb"
    main, other = (metric, imperial) if system is UnitSystem.METRIC else (imperial, metric)
    return f"{main} ({other})" if both else main


def format_weight_range(low_kg: float, high_kg: float, system: UnitSystem) -> str:
    """``59.9–80.7 kg`` or ``133–179 lb``, each end rounded as format_weight rounds it."""
    if system is UnitSystem.METRIC:
        return f"{_trim(low_kg, 1)}–{_trim(high_kg, 1)} kg"
    return f"{round(low_kg / KG_PER_LB)}–{round(high_kg / KG_PER_LB)} lb"


def format_waist(cm: float, system: UnitSystem, *, both: bool = False) -> str:
    """``85 cm`` or ``33.5 in`` (both to one decimal); ``both`` adds the other system."""
    metric = f"{_trim(cm, 1)} cm"
    imperial = f"{_trim(cm / CM_PER_IN, 1)} in"
    main, other = (metric, imperial) if system is UnitSystem.METRIC else (imperial, metric)
    return f"{main} ({other})" if both else main


# ---------------------------------------------------------------------------------------------
# Tokens


class _Unit(Enum):
    MM = "mm"
    CM = "cm"
    M = "m"
    IN = "in"
    FT = "ft"
    KG = "kg"
    LB = "lb"
    ST = "st"


@dataclass(frozen=True)
class _Num:
    value: float
    text: str  # as typed after normalisation; decides whether "5.11" may mean 5 ft 11 in


_UNIT_WORDS: dict[str, _Unit] = {
    **dict.fromkeys(
        ["mm", "millimeter", "millimeters", "millimetre", "millimetres", "мм"], _Unit.MM
    ),
    **dict.fromkeys(
        [
            "cm",
            "cms",
            "centimeter",
            "centimeters",
            "centimetre",
            "centimetres",
            "см",
            "сантиметр",
            "сантиметра",
            "сантиметров",
        ],
        _Unit.CM,
    ),
    **dict.fromkeys(
        ["m", "meter", "meters", "metre", "metres", "м", "метр", "метра", "метров"], _Unit.M
    ),
    **dict.fromkeys(["in", "inch", "inches", "дюйм", "дюйма", "дюймов"], _Unit.IN),
    **dict.fromkeys(["ft", "feet", "foot", "фут", "фута", "футов"], _Unit.FT),
    **dict.fromkeys(
        [
            "kg",
            "kgs",
            "kilo",
            "kilos",
            "kilogram",
            "kilograms",
            "kilogramme",
            "kilogrammes",
            "кг",
            "кило",
            "килограмм",
            "килограмма",
            "килограммов",
        ],
        _Unit.KG,
    ),
    **dict.fromkeys(["lb", "lbs", "pound", "pounds", "фунт", "фунта", "фунтов"], _Unit.LB),
    **dict.fromkeys(["st", "stone", "stones"], _Unit.ST),
}
# "5 feet and 11 inches", "12 stone and 4": the connective carries no meaning.
_FILLER = frozenset({"and", "и"})

_TOKEN = re.compile(
    r"\s*(?:(?P<num>[0-9]+(?:[.,][0-9]+)?)|(?P<word>[a-zа-яё]+)\.?|(?P<mark>['\"]))"
)

# Apostrophes, primes and quotes people (and phone keyboards) use for feet and inches.
_FOOT_MARKS = str.maketrans(dict.fromkeys("’‘′`´ʹʼ", "'"))
_INCH_MARKS = str.maketrans(dict.fromkeys("”“″ʺ〃", '"'))

_Token = _Num | _Unit


class _Formatter(Protocol):
    def __call__(self, value: float, system: UnitSystem, /, *, both: bool = ...) -> str: ...


# Units a length can be given in alone, with their size in cm ("ft" needs its own handling).
_LENGTH_CM: dict[_Unit, float] = {
    _Unit.MM: 0.1,
    _Unit.CM: 1.0,
    _Unit.M: 100.0,
    _Unit.IN: CM_PER_IN,
}


def _normalise(text: str) -> str:
    # NFKC folds full-width digits and splits ″ into ′′, which the next lines turn into ".
    text = unicodedata.normalize("NFKC", text).lower().strip()
    text = text.translate(_FOOT_MARKS).translate(_INCH_MARKS).replace("''", '"')
    return text.rstrip(".!;").strip()


def _tokenize(text: str) -> list[_Token] | None:
    """Split into numbers and units; None when anything is not one of those."""
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            return None
        pos = match.end()
        if match["num"] is not None:
            raw = match["num"].replace(",", ".")
            tokens.append(_Num(float(raw), raw))
        elif match["word"] is not None:
            if match["word"] in _FILLER:
                continue
            unit = _UNIT_WORDS.get(match["word"])
            if unit is None:
                return None
            tokens.append(unit)
        elif match["mark"] is not None:
            tokens.append(_Unit.FT if match["mark"] == "'" else _Unit.IN)
    return tokens


_IMPERIAL_UNITS = frozenset({_Unit.IN, _Unit.FT, _Unit.LB, _Unit.ST})


def typed_system(text: str) -> UnitSystem | None:
    """The system a measurement was written in: None for bare numbers, mixed or unreadable."""
    tokens = _tokenize(_normalise(text)) or []
    units = {token for token in tokens if isinstance(token, _Unit)}
    if not units:
        return None
    if units <= _IMPERIAL_UNITS:
        return UnitSystem.IMPERIAL
    if units.isdisjoint(_IMPERIAL_UNITS):
        return UnitSystem.METRIC
    return None


# ---------------------------------------------------------------------------------------------
# Error messages


@dataclass(frozen=True)
class _Spec:
    field: str
    range_si: tuple[float, float]
    range_text: Callable[[UnitSystem], str]

    def examples(self, system: UnitSystem) -> Text:
        return Text(f"units.examples.{self.field}.{system.value}")

    def bare(self, system: UnitSystem) -> Text:
        return Text(f"units.bare.{self.field}.{system.value}")


def _height_range_text(system: UnitSystem) -> str:
    low, high = HEIGHT_RANGE_CM
    # The other system's limits are rounded inwards so every value shown is accepted.
    metric = f"{_trim(low, 1)}–{_trim(high, 1)} cm"
    imperial = (
        f"{_feet_inches(math.ceil(low / CM_PER_IN))} – {_feet_inches(math.floor(high / CM_PER_IN))}"
    )
    return f"{metric} ({imperial})" if system is UnitSystem.METRIC else f"{imperial} ({metric})"


def _weight_range_text(system: UnitSystem) -> str:
    low, high = WEIGHT_RANGE_KG
    metric = f"{_trim(low, 1)}–{_trim(high, 1)} kg"
    imperial = f"{math.ceil(low / KG_PER_LB)}–{math.floor(high / KG_PER_LB)} lb"
    return f"{metric} ({imperial})" if system is UnitSystem.METRIC else f"{imperial} ({metric})"


def _waist_range_text(system: UnitSystem) -> str:
    low, high = WAIST_RANGE_CM
    metric = f"{_trim(low, 1)}–{_trim(high, 1)} cm"
    imperial = f"{math.ceil(low / CM_PER_IN)}–{math.floor(high / CM_PER_IN)} in"
    return f"{metric} ({imperial})" if system is UnitSystem.METRIC else f"{imperial} ({metric})"


_HEIGHT = _Spec(field="height", range_si=HEIGHT_RANGE_CM, range_text=_height_range_text)
_WEIGHT = _Spec(field="weight", range_si=WEIGHT_RANGE_KG, range_text=_weight_range_text)
_WAIST = _Spec(field="waist", range_si=WAIST_RANGE_CM, range_text=_waist_range_text)


def _shown(text: str) -> Text:
    """The user's input echoed back, trimmed and quoted as the reader's language quotes."""
    return quoted(text)


def _error(
    spec: _Spec, text: str, problem: str, prefer: UnitSystem, **params: object
) -> UserInputError:
    """A message naming the field, echoing the input, listing accepted forms and the range.

    ``problem`` is the catalog key of what was wrong; ``params`` fill it besides ``shown``.
    """
    if not text.strip():
        problem = "units.problem.empty"
    elif _NEGATIVE.search(text):
        problem = "units.problem.negative"
    message = Text(
        "units.error",
        label=Text(f"field.{spec.field}"),
        problem=Text(problem, shown=_shown(text), **params),
        examples=spec.examples(prefer),
        bare=spec.bare(prefer),
        range=spec.range_text(prefer),
    )
    return UserInputError(message, field=spec.field)


def _check_range(
    spec: _Spec,
    text: str,
    value: float,
    prefer: UnitSystem,
    fmt: _Formatter,
    hint: Text | str = "",
) -> float:
    low, high = spec.range_si
    if not math.isfinite(value):
        raise _error(spec, text, "units.problem.huge", prefer)
    if not low <= value <= high:
        problem = "units.problem.too_small" if value < low else "units.problem.too_large"
        understood = fmt(value, prefer, both=True)
        raise _error(spec, text, problem, prefer, understood=understood, hint=hint)
    return value


_UNREADABLE = "units.problem.unreadable"
_NEGATIVE = re.compile(r"(?:^|\s)[-−–]\s*[0-9]")


def _wrong_kind(spec: _Spec, text: str, unit: _Unit, prefer: UnitSystem) -> UserInputError:
    kind = "weight" if unit in (_Unit.KG, _Unit.LB, _Unit.ST) else "length"
    field = Text(f"field.{spec.field}")
    return _error(spec, text, f"units.problem.{kind}_unit", prefer, unit=unit.value, field=field)


# ---------------------------------------------------------------------------------------------
# Height


def _inches_part(spec: _Spec, text: str, prefer: UnitSystem, num: _Num) -> float:
    if num.value >= IN_PER_FT:
        raise _error(spec, text, "units.problem.inches_under_12", prefer)
    return num.value


def _feet_and_inches(spec: _Spec, text: str, prefer: UnitSystem, feet: _Num, inches: _Num) -> float:
    if not feet.value.is_integer():
        raise _error(spec, text, "units.problem.feet_whole", prefer)
    return (feet.value * IN_PER_FT + _inches_part(spec, text, prefer, inches)) * CM_PER_IN


def _decimal_feet(text: str, num: _Num) -> float:
    """Read ``5.75`` as feet, but ask when it could also be feet.inches (``5.11``)."""
    decimal_feet_cm = num.value * IN_PER_FT * CM_PER_IN
    whole, _, digits = num.text.partition(".")
    if digits and len(digits) <= 2 and int(digits) < IN_PER_FT:
        feet_inches_cm = (int(whole) * IN_PER_FT + int(digits)) * CM_PER_IN
        if abs(feet_inches_cm - decimal_feet_cm) >= 0.05:
            message = Text(
                "units.height_ambiguous",
                shown=_shown(text),
                feet=whole,
                inches=int(digits),
                feet_inches_cm=_trim(feet_inches_cm, 0),
                decimal=num.text,
                decimal_shown=format_height(decimal_feet_cm, UnitSystem.IMPERIAL),
                decimal_cm=_trim(decimal_feet_cm, 0),
            )
            raise AmbiguousInputError(message, field="height")
    return decimal_feet_cm


def _bare_height(text: str, prefer: UnitSystem, num: _Num) -> float:
    value = num.value
    if value < 3:
        return value * 100
    if value < 9:
        return _decimal_feet(text, num)
    if 48 <= value <= 96:
        # As centimetres 48–96 would be a small child, and the service is for 13 and over.
        return value * CM_PER_IN
    if 96 < value < 100:
        return value * CM_PER_IN if prefer is UnitSystem.IMPERIAL else value
    if value >= 100:
        return value
    raise _error(_HEIGHT, text, "units.problem.implausible_height", prefer)


def parse_height(text: str, prefer: UnitSystem) -> float:
    """Height in cm from what a user typed; bare numbers follow ``prefer``, then plausibility.

    Raises AmbiguousInputError for forms like ``5.11`` (5 ft 11 in or 5.11 feet?) and
    UserInputError (field ``height``) for anything unreadable or outside 50–272 cm.
    """
    spec = _HEIGHT
    tokens = _tokenize(_normalise(text))
    if not tokens:
        raise _error(spec, text, _UNREADABLE, prefer)
    cm: float
    match tokens:
        case [_Num() as num]:
            cm = _bare_height(text, prefer, num)
        case [_Num() as num, _Unit.FT]:
            cm = _decimal_feet(text, num)
        case [_Num() as num, _Unit() as unit] if unit in _LENGTH_CM:
            cm = num.value * _LENGTH_CM[unit]
        case [_Num() as feet, _Unit.FT, _Num() as inches] | [
            _Num() as feet,
            _Unit.FT,
            _Num() as inches,
            _Unit.IN,
        ]:
            cm = _feet_and_inches(spec, text, prefer, feet, inches)
        case [_Num() as metres, _Unit.M, _Num() as centi] | [
            _Num() as metres,
            _Unit.M,
            _Num() as centi,
            _Unit.CM,
        ] if metres.value.is_integer() and re.fullmatch(r"[0-9]{2}", centi.text):
            cm = metres.value * 100 + centi.value
        case [_Num() as feet, _Num() as inches] if (
            feet.value.is_integer() and 3 <= feet.value <= 8 and inches.value.is_integer()
        ):
            # "5 11" has no reading other than feet and inches.
            cm = _feet_and_inches(spec, text, prefer, feet, inches)
        case [_Num(), _Unit() as unit]:
            raise _wrong_kind(spec, text, unit, prefer)
        case _:
            raise _error(spec, text, _UNREADABLE, prefer)
    return _check_range(spec, text, cm, prefer, format_height)


# ---------------------------------------------------------------------------------------------
# Weight


def _other_reading_hint(
    spec: _Spec,
    value: float,
    prefer: UnitSystem,
    other_factor: float,
    other_unit: str,
) -> Text | str:
    """Suggest the other system's unit when it would turn a bare number into a valid value."""
    low, high = spec.range_si
    if low <= value * other_factor <= high:
        return Text("units.hint_other_unit", value=_trim(value, 1), unit=other_unit)
    return ""


def parse_weight(text: str, prefer: UnitSystem) -> float:
    """Weight in kg from what a user typed; bare numbers are kg (metric) or lb (imperial).

    Raises UserInputError (field ``weight``) for anything unreadable or outside 20–650 kg.
    """
    spec = _WEIGHT
    tokens = _tokenize(_normalise(text))
    if not tokens:
        raise _error(spec, text, _UNREADABLE, prefer)
    hint: Text | str = ""
    kg: float
    match tokens:
        case [_Num() as num]:
            if prefer is UnitSystem.METRIC:
                kg = num.value
                hint = _other_reading_hint(spec, num.value, prefer, KG_PER_LB, "lb")
            else:
                kg = num.value * KG_PER_LB
                hint = _other_reading_hint(spec, num.value, prefer, 1.0, "kg")
        case [_Num() as num, _Unit.KG]:
            kg = num.value
        case [_Num() as num, _Unit.LB]:
            kg = num.value * KG_PER_LB
        case [_Num() as num, _Unit.ST]:
            kg = num.value * LB_PER_STONE * KG_PER_LB
        case [_Num() as stones, _Unit.ST, _Num() as pounds] | [
            _Num() as stones,
            _Unit.ST,
            _Num() as pounds,
            _Unit.LB,
        ]:
            if not stones.value.is_integer():
                raise _error(spec, text, "units.problem.stones_whole", prefer)
            if pounds.value >= LB_PER_STONE:
                raise _error(spec, text, "units.problem.pounds_under_14", prefer)
            kg = (stones.value * LB_PER_STONE + pounds.value) * KG_PER_LB
        case [_Num(), _Unit() as unit]:
            raise _wrong_kind(spec, text, unit, prefer)
        case _:
            raise _error(spec, text, _UNREADABLE, prefer)
    return _check_range(spec, text, kg, prefer, format_weight, hint)


# ---------------------------------------------------------------------------------------------
# Waist


def parse_waist(text: str, prefer: UnitSystem) -> float:
    """Waist circumference in cm; bare numbers are cm (metric) or inches (imperial), < 3 is m.

    Raises UserInputError (field ``waist``) for anything unreadable or outside 40–250 cm.
    """
    spec = _WAIST
    tokens = _tokenize(_normalise(text))
    if not tokens:
        raise _error(spec, text, _UNREADABLE, prefer)
    hint: Text | str = ""
    cm: float
    match tokens:
        case [_Num() as num] if num.value < 3:
            cm = num.value * 100
        case [_Num() as num]:
            if prefer is UnitSystem.METRIC:
                cm = num.value
                hint = _other_reading_hint(spec, num.value, prefer, CM_PER_IN, "in")
            else:
                cm = num.value * CM_PER_IN
                hint = _other_reading_hint(spec, num.value, prefer, 1.0, "cm")
        case [_Num() as num, _Unit() as unit] if unit in _LENGTH_CM:
            cm = num.value * _LENGTH_CM[unit]
        case [_Num(), _Unit() as unit] if unit is not _Unit.FT:
            raise _wrong_kind(spec, text, unit, prefer)
        case _:
            raise _error(spec, text, _UNREADABLE, prefer)
    return _check_range(spec, text, cm, prefer, format_waist, hint)
