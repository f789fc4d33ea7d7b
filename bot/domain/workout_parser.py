"""Read what people type after /log into exercises and sets, deterministically, in en/ru/es/de.

``parse_workout("squat 3x5 100kg; 3x8 pull-ups", UnitSystem.METRIC)`` returns one
ParsedEntry per exercise: the exercise text exactly as written (the caller resolves it against
the catalog) and one ParsedSet per set, in SI units. It is all or nothing: anything it cannot
read raises WorkoutParseError with a code and the offending fragment, and the texts shown to
the user are rendered elsewhere from the code.

Forms read (x may be ×, *, or Cyrillic х; decimals take a dot, or a comma before a unit):
  sets x reps ``3x5``, weight x reps ``140 x 3`` / ``100kg x 5``, weight x reps x sets
  ``100x5x3``, sets x time or distance ``3x60s`` / ``4x400m``, a rep list ``5,5,4`` /
  ``8 8 7`` / ``8/8/7``, words ``3 sets of 5``, ``3 series de 5``, ``3 Sätze à 5 Wdh``,
  ``3 подхода по 5 раз``, ``5 reps``, weights ``100 kg``, ``185 lb``, ``@ 60kg``, a bare weight
  in the user's units, ``@RIR2`` / ``RPE 8`` / ``@8`` (RPE when the weight is given
  elsewhere, else a weight), time ``27:30`` / ``60 s`` /
  ``2 min``, distance ``5 km`` / ``400 m`` / ``3 mi``, groups of sets at different weights
  ``3x5 100kg, 1x3 110kg``. Several exercises are separated by new lines, ``;``, a comma
  before a word, or and / и / y / und.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain.units import KG_PER_LB, UnitSystem
from bot.errors import FitCoachError

__all__ = [
    "DISTANCE_RANGE_M",
    "DURATION_RANGE_S",
    "MAX_ENTRIES",
    "REPS_RANGE",
    "RIR_RANGE",
    "RPE_RANGE",
    "SETS_RANGE",
    "WEIGHT_RANGE_KG",
    "ParseErrorCode",
    "ParsedEntry",
    "ParsedSet",
    "WorkoutParseError",
    "parse_workout",
]

# Plausibility limits. Anything outside is a typo, not a training record.
REPS_RANGE = (1, 1000)  # 1000 leaves room for skipping-rope counts; a set is never longer
# The heaviest deadlift on record is 501 kg (Hafþór Björnsson, 2020); leg presses and partial
# lifts go higher, so 1000 kg is a ceiling no real set reaches. 0 kg is an empty bar slot or
# a machine at its lightest and is kept.
WEIGHT_RANGE_KG = (0.0, 1000.0)
SETS_RANGE = (1, 50)  # German volume training is 10x10; 50 sets of one exercise is the limit
DURATION_RANGE_S = (1.0, 24 * 3600.0)  # one activity up to a day (ultra events)
DISTANCE_RANGE_M = (1.0, 1_000_000.0)  # up to 1000 km (multi-day rides are logged per day)
RIR_RANGE = (0.0, 10.0)  # reps in reserve beyond 10 is not a working set
RPE_RANGE = (1.0, 10.0)  # the RIR-based RPE scale (Helms et al. 2016) runs 1-10, halves allowed
MAX_ENTRIES = 20  # exercises per message
_MAX_CHARS = 2000
# A bare number below this in "a x b" is a set count, above it a weight ("3x8" vs "140 x 3").
_MAX_BARE_SETS = 10
_FRAGMENT_LIMIT = 40


class ParseErrorCode(StrEnum):
    """Why a message was refused; the handler renders the user's text from the code."""

    EMPTY = "empty"  # nothing after /log
    TOO_LONG = "too_long"  # over 2000 characters or 20 exercises
    NO_NUMBERS = "no_numbers"  # a part has no sets, reps, weight, time or distance
    NO_EXERCISE = "no_exercise"  # numbers without an exercise name
    NO_REPS = "no_reps"  # a weight or a set count, but nothing done (reps, time, distance)
    BAD_WEIGHT = "bad_weight"  # a negative weight or a weight unit without a number
    IMPLAUSIBLE = "implausible"  # outside the plausibility limits, or fractional reps/sets
    AMBIGUOUS = "ambiguous"  # more than one sensible reading
    UNREADABLE = "unreadable"  # symbols or number patterns the parser does not know
    EXTRA_TEXT = "extra_text"  # words besides the exercise name that mean nothing here


class WorkoutParseError(FitCoachError):
    """A /log message that cannot be read as a whole.

    ``code`` says why; ``fragment`` is the part at fault as the user wrote it (whitespace
    collapsed, at most 40 characters) for the rendered message to quote.
    """

    def __init__(self, code: ParseErrorCode, fragment: str) -> None:
        super().__init__(code.value)
        self.code = code
        self.fragment = fragment


@dataclass(frozen=True, slots=True)
class ParsedSet:
    """One set as read, in SI units; fields the message did not give are None."""

    reps: int | None = None
    weight_kg: float | None = None
    duration_s: float | None = None
    distance_m: float | None = None
    rir: float | None = None
    rpe: float | None = None


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One exercise: its text exactly as the user wrote it, and its sets in order."""

    exercise: str
    sets: tuple[ParsedSet, ...]


# ---------------------------------------------------------------------------------------------
# Vocabulary


class _Kind(StrEnum):
    KG = "kg"
    S = "s"
    M = "m"
    REPS = "reps"
    SETS = "sets"


def _words(kind: _Kind, factor: float, *words: str) -> dict[str, tuple[_Kind, float]]:
    return dict.fromkeys(words, (kind, factor))


_UNITS: dict[str, tuple[_Kind, float]] = {
    # weight -> kg (kg/lb words as bot.domain.units reads them, plus es/de)
    **_words(
        _Kind.KG,
        1.0,
        *("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "kilogrammes"),
        *("kilogramo", "kilogramos", "kilogramm", "кг", "кило", "килограмм", "килограмма"),
        "килограммов",
    ),
    **_words(
        _Kind.KG,
        KG_PER_LB,
        *("lb", "lbs", "pound", "pounds", "libra", "libras", "pfund", "фунт", "фунта", "фунтов"),
    ),
    # time -> s
    **_words(
        _Kind.S,
        1.0,
        *("s", "sec", "secs", "second", "seconds", "seg", "segs", "segundo", "segundos"),
        *("sek", "sekunde", "sekunden", "сек", "секунд", "секунда", "секунды"),
    ),
    **_words(
        _Kind.S,
        60.0,
        *("min", "mins", "minute", "minutes", "minuto", "minutos", "minuten", "мин"),
        *("минута", "минуты", "минут"),
    ),
    **_words(
        _Kind.S,
        3600.0,
        *("h", "hr", "hrs", "hour", "hours", "hora", "horas", "std", "stunde", "stunden"),
        *("ч", "час", "часа", "часов"),
    ),
    # distance -> m
    **_words(
        _Kind.M,
        1.0,
        *("m", "meter", "meters", "metre", "metres", "metro", "metros", "м", "метр", "метра"),
        "метров",
    ),
    **_words(
        _Kind.M,
        1000.0,
        *("km", "kms", "kilometer", "kilometers", "kilometre", "kilometres", "kilómetro"),
        *("kilómetros", "kilometro", "kilometros", "км", "километр", "километра", "километров"),
    ),
    **_words(
        _Kind.M,
        1609.344,  # international mile, exact by definition (1959)
        *("mi", "mile", "miles", "milla", "millas", "meile", "meilen", "миля", "мили", "миль"),
    ),
    # counts
    **_words(
        _Kind.REPS,
        1.0,
        *("rep", "reps", "repetition", "repetitions", "times", "repetición", "repeticion"),
        *("repeticiones", "wdh", "wh", "wiederholung", "wiederholungen", "mal"),
        *("раз", "раза", "повтор", "повтора", "повторов", "повторение", "повторения"),
        *("повторений", "повт"),
    ),
    **_words(
        _Kind.SETS,
        1.0,
        *("set", "sets", "serie", "series", "satz", "sätze", "saetze", "sätzen", "serien"),
        *("подход", "подхода", "подходов", "подходы", "сет", "сета", "сетов"),
    ),
}
_COUNT_KINDS = (_Kind.REPS, _Kind.SETS)

# Words that join numbers and carry no meaning of their own ("3 sets of 5 with 100 kg").
_FILLERS = frozenset(
    {
        *("of", "with", "at", "in", "for", "each", "a"),
        *("de", "con", "en", "por", "cada"),
        *("à", "á", "mit", "je", "zu", "von", "bei", "für"),
        *("по", "с", "со", "за", "в", "на", "к"),
    }
)
# Words that may separate two exercises.
_CONNECTIVES = frozenset({"and", "и", "y", "und"})

_MEASURE_ALT = "|".join(
    sorted((re.escape(w) for w, (k, _) in _UNITS.items() if k not in _COUNT_KINDS), key=len)[::-1]
)
_COUNT_ALT = "|".join(
    sorted((re.escape(w) for w, (k, _) in _UNITS.items() if k in _COUNT_KINDS), key=len)[::-1]
)
_LETTER = r"[^\W\d_]"
_TOKEN = re.compile(
    rf"""
    (?P<space>[ \t\r]+)
  | (?P<newline>\n)
  | (?P<semicolon>;)
  | @?\s*(?P<rkind>rir|rpe)\s*[:=]?\s*(?P<rval>\d+(?:[.,]\d+)?)(?!\d)
  | @?(?P<rval2>\d+(?:[.,]\d+)?)\s*(?P<rkind2>rir|rpe)(?!{_LETTER}|\s*[:=]?\s*\d)
  | (?P<clock>\d{{1,2}}:\d{{2}}(?::\d{{2}})?)(?![\d:])
  | (?P<cnum>\d+)\s*(?P<cunit>{_COUNT_ALT})\.?(?!{_LETTER})
  | (?P<qnum>\d+(?:[.,]\d+)?)\s*(?P<qunit>{_MEASURE_ALT})\.?(?!{_LETTER})
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<neg>(?<![^\s(])[-−–])(?=\s*\d)
  | (?P<times>[x×*х])(?!{_LETTER})
  | (?P<at>@)
  | (?P<sep>[,/])
  | (?P<word>{_LETTER}+(?:[-'’.]{_LETTER}+)*)
  | (?P<punct>[.!?()\[\]\-–—:'"’«»+])
    """,
    re.VERBOSE,
)


# ---------------------------------------------------------------------------------------------
# Tokens


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str  # a group name of _TOKEN, or "qty"
    start: int  # positions in the original text
    end: int
    value: float = 0.0
    unit: _Kind | None = None
    word: str = ""


def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC and lower case, with each character's position in the original text."""
    chars: list[str] = []
    where: list[int] = []
    for i, char in enumerate(text):
        for out in unicodedata.normalize("NFKC", char).lower():
            chars.append(out)
            where.append(i)
    where.append(len(text))
    return "".join(chars), where


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _tokenize(text: str) -> list[_Tok]:
    norm, where = _normalise(text)
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(norm):
        match = _TOKEN.match(norm, pos)
        if match is None:
            raise WorkoutParseError(ParseErrorCode.UNREADABLE, _fragment(text[where[pos] :]))
        pos = match.end()
        kind = match.lastgroup
        assert kind is not None
        start, end = where[match.start()], where[match.end()]
        if kind in ("rkind", "rval", "rval2", "rkind2"):
            label = match["rkind"] or match["rkind2"]
            value = _number(match["rval"] or match["rval2"])
            tokens.append(_Tok(label, start, end, value))
        elif kind in ("cnum", "cunit"):
            unit, factor = _UNITS[match["cunit"]]
            tokens.append(_Tok("qty", start, end, float(match["cnum"]) * factor, unit))
        elif kind in ("qnum", "qunit"):
            unit, factor = _UNITS[match["qunit"]]
            tokens.append(_Tok("qty", start, end, _number(match["qnum"]) * factor, unit))
        elif kind == "clock":
            parts = [int(p) for p in match["clock"].split(":")]
            seconds = (
                parts[0] * 60 + parts[1]
                if len(parts) == 2
                else (parts[0] * 3600 + parts[1] * 60 + parts[2])
            )
            if parts[-1] >= 60 or (len(parts) == 3 and parts[1] >= 60):
                raise WorkoutParseError(ParseErrorCode.UNREADABLE, _fragment(text[start:end]))
            tokens.append(_Tok("clock", start, end, float(seconds)))
        elif kind == "num":
            tokens.append(_Tok("num", start, end, float(match["num"])))
        elif kind == "word":
            tokens.append(_Tok("word", start, end, word=match["word"]))
        elif kind != "space":
            tokens.append(_Tok(kind, start, end))
    return tokens


def _fragment(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _FRAGMENT_LIMIT else text[: _FRAGMENT_LIMIT - 1] + "…"


def _is_name_word(tok: _Tok) -> bool:
    return (
        tok.kind == "word"
        and tok.word not in _FILLERS
        and tok.word not in _CONNECTIVES
        and tok.word not in _UNITS
    )


_NUMERIC = frozenset({"num", "qty", "clock", "rir", "rpe"})


# ---------------------------------------------------------------------------------------------
# Splitting a message into exercises


def _pieces(tokens: list[_Tok]) -> list[list[_Tok]]:
    """Split at new lines, ``;``, a comma before a word and connectives, then merge back.

    A piece without numbers is the name of the piece after it ("squat" + new line + "3x5");
    a piece without a name continues the piece before it ("bench 80 kg" + new line + "5,5,4").
    """
    raw: list[list[_Tok]] = [[]]
    for i, tok in enumerate(tokens):
        hard = tok.kind in ("newline", "semicolon")
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        comma = tok.kind == "sep" and after is not None and _is_name_word(after)
        connective = tok.kind == "word" and tok.word in _CONNECTIVES
        if hard or comma:
            raw.append([])
        elif connective:
            raw.append([tok])  # kept, so a merged piece still reads "pull-ups and chin-ups"
            raw.append([])
        else:
            raw[-1].append(tok)

    merged: list[list[_Tok]] = []
    pending: list[_Tok] = []
    for piece in raw:
        piece = pending + piece
        pending = []
        if not any(t.kind in _NUMERIC for t in piece):
            pending = piece
        elif not any(_is_name_word(t) for t in piece) and merged:
            merged[-1] = merged[-1] + piece
        else:
            merged.append(piece)
    if any(_is_name_word(t) for t in pending):
        merged.append(pending)  # words without numbers: refused by the caller
    return merged


def _span(text: str, piece: list[_Tok]) -> str:
    return _fragment(text[piece[0].start : piece[-1].end]) if piece else ""


def _exercise_name(text: str, piece: list[_Tok]) -> str:
    """The one run of name words, as written; fillers at its ends are dropped."""
    runs: list[list[_Tok]] = [[]]
    for tok in piece:
        if tok.kind == "word":
            runs[-1].append(tok)
        elif tok.kind != "punct":
            runs.append([])
    names: list[list[_Tok]] = []
    for run in runs:
        while run and not _is_name_word(run[0]):
            run = run[1:]
        while run and not _is_name_word(run[-1]):
            run = run[:-1]
        if run:
            names.append(run)
    if not names:
        raise WorkoutParseError(ParseErrorCode.NO_EXERCISE, _span(text, piece))
    if len(names) > 1:
        extra = names[1]
        raise WorkoutParseError(ParseErrorCode.EXTRA_TEXT, _span(text, extra))
    run = names[0]
    end = run[-1].end
    # "Bench press (close grip)": the closing bracket after the last word belongs to the name.
    following = piece[piece.index(run[-1]) + 1 :]
    for tok in following:
        name = text[run[0].start : end]
        opened = name.count("(") + name.count("[") - name.count(")") - name.count("]")
        if tok.kind != "punct" or text[tok.start : tok.end] not in ")]" or opened <= 0:
            break
        end = tok.end
    return text[run[0].start : end]


# ---------------------------------------------------------------------------------------------
# Reading one exercise's numbers


@dataclass
class _Reading:
    """What one piece says, before it becomes sets."""

    text: str
    units: UnitSystem
    weight_kg: float | None = None
    sets: int | None = None
    reps: list[int] = field(default_factory=list)
    per_set_s: float | None = None
    per_set_m: float | None = None
    duration_s: float | None = None
    distance_m: float | None = None
    rir: float | None = None
    rpe: float | None = None
    bare: list[_Tok] = field(default_factory=list)

    def fail(self, code: ParseErrorCode) -> WorkoutParseError:
        return WorkoutParseError(code, _fragment(self.text))

    def bare_kg(self, value: float) -> float:
        return value if self.units is UnitSystem.METRIC else value * KG_PER_LB

    def set_weight(self, kg: float) -> None:
        if self.weight_kg is not None:
            raise self.fail(ParseErrorCode.AMBIGUOUS)
        self.weight_kg = kg

    def set_sets(self, value: float) -> None:
        if self.sets is not None:
            raise self.fail(ParseErrorCode.AMBIGUOUS)
        self.sets = _count(self, value, SETS_RANGE)

    def set_reps(self, values: list[float]) -> None:
        if self.reps:
            raise self.fail(ParseErrorCode.AMBIGUOUS)
        self.reps = [_count(self, v, REPS_RANGE) for v in values]

    def set_per_set(self, tok: _Tok) -> None:
        if self.per_set_s is not None or self.per_set_m is not None:
            raise self.fail(ParseErrorCode.AMBIGUOUS)
        if tok.unit is _Kind.S:
            self.per_set_s = tok.value
        else:
            self.per_set_m = tok.value


def _count(reading: _Reading, value: float, limits: tuple[int, int]) -> int:
    if not value.is_integer() or not limits[0] <= value <= limits[1]:
        raise reading.fail(ParseErrorCode.IMPLAUSIBLE)
    return int(value)


def _is_kg(tok: _Tok) -> bool:
    return tok.kind == "qty" and tok.unit is _Kind.KG


def _is_count(tok: _Tok, unit: _Kind | None = None) -> bool:
    """A plain number or a number with the given count word."""
    return tok.kind == "num" or (tok.kind == "qty" and tok.unit is unit)


def _read_chain(reading: _Reading, ops: list[_Tok], weight_elsewhere: bool) -> None:
    """``a x b`` or ``a x b x c``."""
    fail = reading.fail
    if len(ops) == 2:
        a, b = ops
        if _is_kg(a) and not _is_kg(b):
            reading.set_weight(a.value)
            if b.kind == "qty" and b.unit in (_Kind.S, _Kind.M):
                reading.set_per_set(b)
                reading.set_sets(1)
            elif _is_count(b, _Kind.REPS):
                reading.set_reps([b.value])
            else:
                raise fail(ParseErrorCode.UNREADABLE)
        elif _is_kg(b) and _is_count(a, _Kind.REPS):
            reading.set_reps([a.value])
            reading.set_weight(b.value)
        elif _is_count(a, _Kind.SETS) and b.kind == "qty" and b.unit in (_Kind.S, _Kind.M):
            reading.set_sets(a.value)
            reading.set_per_set(b)
        elif a.kind == "qty" and a.unit in (_Kind.S, _Kind.M) and _is_count(b, _Kind.SETS):
            reading.set_per_set(a)
            reading.set_sets(b.value)
        elif (a.kind == "qty" and a.unit is _Kind.SETS and _is_count(b, _Kind.REPS)) or (
            a.kind == "num" and b.kind == "qty" and b.unit is _Kind.REPS
        ):
            reading.set_sets(a.value)
            reading.set_reps([b.value])
        elif a.kind == "num" and b.kind == "num":
            if weight_elsewhere or (a.value.is_integer() and a.value <= _MAX_BARE_SETS):
                reading.set_sets(a.value)
                reading.set_reps([b.value])
            else:
                reading.set_weight(reading.bare_kg(a.value))
                reading.set_reps([b.value])
        else:
            raise fail(ParseErrorCode.UNREADABLE)
        return
    if len(ops) != 3 or any(op.kind not in ("num", "qty") for op in ops):
        raise fail(ParseErrorCode.UNREADABLE)
    a, b, c = ops
    if any(op.kind == "qty" and op.unit not in (_Kind.KG, _Kind.REPS, _Kind.SETS) for op in ops):
        raise fail(ParseErrorCode.UNREADABLE)
    if _is_kg(b):
        raise fail(ParseErrorCode.AMBIGUOUS)
    if _is_kg(c) or (
        not _is_kg(a) and a.value.is_integer() and a.value <= _MAX_BARE_SETS and c.value > 10
    ):
        weight, sets = c, a
    else:
        weight, sets = a, c
    reading.set_weight(weight.value if _is_kg(weight) else reading.bare_kg(weight.value))
    reading.set_sets(sets.value)
    reading.set_reps([b.value])


def _read_list(reading: _Reading, items: list[_Tok], seps: list[bool]) -> None:
    """Numbers in a row: reps per set, or a weight then reps (``80 5,5,4``).

    ``seps[i]`` tells whether items i and i+1 were joined by ``,`` or ``/`` (else by a space).
    """
    values = [t.value for t in items]
    if len(values) == 1:
        reading.bare.append(items[0])
        return
    first_apart = not seps[0] and all(seps[1:])
    last_apart = not seps[-1] and all(seps[:-1])
    if any(seps) and not all(seps):
        # "80 5,5,4" or "5,5,5 100": the number set apart is the weight.
        if reading.weight_kg is not None or len(values) < 3 or not (first_apart or last_apart):
            raise reading.fail(ParseErrorCode.AMBIGUOUS)
        weight = values[0] if first_apart else values[-1]
        reading.set_weight(reading.bare_kg(weight))
        values = values[1:] if first_apart else values[:-1]
    elif reading.weight_kg is None and not any(seps) and values[0] > 3 * max(values[1:]):
        # "bench 80 8 8 7": a weight without its unit or 80 reps? Ask for the unit instead.
        raise reading.fail(ParseErrorCode.AMBIGUOUS)
    if reading.sets is not None and not reading.reps and len(values) != reading.sets:
        raise reading.fail(ParseErrorCode.AMBIGUOUS)
    reading.set_reps(values)


def _at_is_rpe(toks: list[_Tok], tok: _Tok) -> bool:
    """``@8``: RPE 8 when the set has its weight elsewhere, else 8 kg (or lb).

    "squat 3x5 100kg @8" and "squat 3x5 100 @8" are RPE; "curl 3x10 @ 8" is a weight.
    """
    if not RPE_RANGE[0] <= tok.value <= RPE_RANGE[1]:
        return False
    return any(_is_kg(t) for t in toks) or any(
        t.kind == "num" and t is not tok and t.value > _MAX_BARE_SETS for t in toks
    )


def _read_piece(text: str, piece: list[_Tok], units: UnitSystem) -> tuple[ParsedSet, ...]:
    reading = _Reading(text=text[piece[0].start : piece[-1].end], units=units)
    toks = [t for t in piece if t.kind not in ("word", "punct")]
    for tok in piece:
        if tok.kind == "word" and tok.word in _UNITS and _UNITS[tok.word][0] is _Kind.KG:
            raise WorkoutParseError(ParseErrorCode.BAD_WEIGHT, _fragment(text[tok.start : tok.end]))
    if any(t.kind == "neg" for t in toks):
        raise reading.fail(ParseErrorCode.BAD_WEIGHT)
    if not any(t.kind in ("num", "qty", "clock") for t in toks):
        raise reading.fail(ParseErrorCode.NO_NUMBERS)

    # RIR / RPE and "@ weight" first: they never take part in chains or lists.
    rest: list[_Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind in ("rir", "rpe"):
            if getattr(reading, tok.kind) is not None:
                raise reading.fail(ParseErrorCode.AMBIGUOUS)
            setattr(reading, tok.kind, tok.value)
        elif tok.kind == "at":
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and _is_kg(nxt):
                reading.set_weight(nxt.value)
            elif nxt is not None and nxt.kind == "num" and _at_is_rpe(toks, nxt):
                if reading.rpe is not None:
                    raise reading.fail(ParseErrorCode.AMBIGUOUS)
                reading.rpe = nxt.value
            elif nxt is not None and nxt.kind == "num":
                reading.set_weight(reading.bare_kg(nxt.value))
            else:
                raise reading.fail(ParseErrorCode.UNREADABLE)
            i += 1
        else:
            rest.append(tok)
        i += 1

    weight_elsewhere = reading.weight_kg is not None or sum(map(_is_kg, rest)) == 1
    i = 0
    while i < len(rest):
        tok = rest[i]
        nxt = rest[i + 1] if i + 1 < len(rest) else None
        if tok.kind in ("num", "qty") and nxt is not None and nxt.kind == "times":
            ops = [tok]
            while i + 2 < len(rest) and rest[i + 1].kind == "times":
                ops.append(rest[i + 2])
                i += 2
            if i + 1 < len(rest) and rest[i + 1].kind == "times":
                raise reading.fail(ParseErrorCode.UNREADABLE)
            _read_chain(reading, ops, weight_elsewhere)
        elif tok.kind == "num" or (tok.kind == "qty" and tok.unit is _Kind.REPS):
            items, seps = [tok], []
            joined = False
            while i + 1 < len(rest):
                follow = rest[i + 1]
                if follow.kind == "sep":
                    joined = True
                    i += 1
                    continue
                following_times = i + 2 < len(rest) and rest[i + 2].kind == "times"
                if items[-1].kind == "qty" or following_times:
                    break
                if follow.kind == "num" or (follow.kind == "qty" and follow.unit is _Kind.REPS):
                    items.append(follow)
                    seps.append(joined)
                    joined = False
                    i += 1
                    continue
                break
            _read_list(reading, items, seps)
        elif tok.kind == "qty" and tok.unit is _Kind.KG:
            reading.set_weight(tok.value)
        elif tok.kind == "qty" and tok.unit is _Kind.SETS:
            reading.set_sets(tok.value)
            if nxt is not None and nxt.kind == "qty" and nxt.unit in (_Kind.S, _Kind.M):
                reading.set_per_set(nxt)
                i += 1
        elif (tok.kind == "qty" and tok.unit is _Kind.S) or tok.kind == "clock":
            if reading.duration_s is not None:
                raise reading.fail(ParseErrorCode.AMBIGUOUS)
            reading.duration_s = tok.value
        elif tok.kind == "qty" and tok.unit is _Kind.M:
            if reading.distance_m is not None:
                raise reading.fail(ParseErrorCode.AMBIGUOUS)
            reading.distance_m = tok.value
        elif tok.kind == "sep":
            pass  # "bench 80kg, 5,5,4"
        else:
            raise reading.fail(ParseErrorCode.UNREADABLE)
        i += 1
    return _sets(reading)


def _read_groups(text: str, piece: list[_Tok], units: UnitSystem) -> tuple[ParsedSet, ...]:
    """Sets of one exercise; ``3x5 100kg, 1x3 110kg`` is read as two groups of sets.

    Groups are tried only when the whole reads ambiguously, are split at ``,`` or ``/``,
    and each must carry its own weight or ``a x b`` so no number is shared between groups;
    either every group has a weight or none has.
    """
    try:
        return _read_piece(text, piece, units)
    except WorkoutParseError as error:
        if error.code is not ParseErrorCode.AMBIGUOUS:
            raise
        groups: list[list[_Tok]] = [[]]
        for tok in piece:
            if tok.kind == "sep":
                groups.append([])
            else:
                groups[-1].append(tok)
        numeric = [g for g in groups if any(t.kind in _NUMERIC for t in g)]
        if len(numeric) < 2 or len(numeric) != len([g for g in groups if g]):
            raise
        for group in numeric:
            if not any(_is_kg(t) or t.kind == "times" for t in group):
                raise
        try:
            read = [_read_piece(text, group, units) for group in numeric]
        except WorkoutParseError:
            raise error from None
        # "3x5 100kg, 3x3": whether the second group is body weight or 100 kg is unclear.
        if len({group[0].weight_kg is None for group in read}) > 1:
            raise
        return tuple(s for group in read for s in group)


def _sets(reading: _Reading) -> tuple[ParsedSet, ...]:
    fail = reading.fail
    # Lone numbers: the weight when the reps are known ("squat 3x5 100"), else the reps.
    for tok in reading.bare:
        if tok.kind == "qty":  # "5 reps"
            reading.set_reps([tok.value])
        elif reading.reps and reading.weight_kg is None:
            reading.set_weight(reading.bare_kg(tok.value))
        elif not reading.reps:
            reading.set_reps([tok.value])
        else:
            raise fail(ParseErrorCode.AMBIGUOUS)

    count = reading.sets
    reps: list[int | None]
    if reading.reps:
        if count is not None and len(reading.reps) not in (1, count):
            raise fail(ParseErrorCode.AMBIGUOUS)
        reps = list(reading.reps)
        if count is not None and len(reps) == 1:
            reps = reps * count
    elif reading.per_set_s is not None or reading.per_set_m is not None:
        reps = [None] * (count or 1)
    elif reading.duration_s is not None or reading.distance_m is not None:
        if count not in (None, 1):
            raise fail(ParseErrorCode.AMBIGUOUS)
        reps = [None]
    else:
        raise fail(ParseErrorCode.NO_REPS)
    if len(reps) > SETS_RANGE[1]:
        raise fail(ParseErrorCode.IMPLAUSIBLE)
    duration = reading.per_set_s if reading.per_set_s is not None else reading.duration_s
    distance = reading.per_set_m if reading.per_set_m is not None else reading.distance_m
    if len(reps) > 1 and (reading.duration_s is not None or reading.distance_m is not None):
        raise fail(ParseErrorCode.AMBIGUOUS)

    weight = reading.weight_kg
    if weight is not None and (not math.isfinite(weight) or not _within(weight, WEIGHT_RANGE_KG)):
        raise fail(ParseErrorCode.IMPLAUSIBLE)
    for value, limits in (
        (duration, DURATION_RANGE_S),
        (distance, DISTANCE_RANGE_M),
        (reading.rir, RIR_RANGE),
        (reading.rpe, RPE_RANGE),
    ):
        if value is not None and not _within(value, limits):
            raise fail(ParseErrorCode.IMPLAUSIBLE)
    return tuple(
        ParsedSet(
            reps=r,
            weight_kg=weight,
            duration_s=duration,
            distance_m=distance,
            rir=reading.rir,
            rpe=reading.rpe,
        )
        for r in reps
    )


def _within(value: float, limits: tuple[float, float]) -> bool:
    return limits[0] <= value <= limits[1]


# ---------------------------------------------------------------------------------------------
# Entry point


def parse_workout(text: str, units: UnitSystem | str) -> list[ParsedEntry]:
    """Read a /log message into exercises and sets; bare weights are in ``units``.

    ``units`` is a UnitSystem or its value (``"metric"`` / ``"imperial"``). RIR and RPE apply
    to every set of their exercise. Raises WorkoutParseError when any part cannot be read;
    nothing is returned partially.
    """
    system = UnitSystem(units)
    if not text.strip():
        raise WorkoutParseError(ParseErrorCode.EMPTY, "")
    if len(text) > _MAX_CHARS:
        raise WorkoutParseError(ParseErrorCode.TOO_LONG, _fragment(text))
    tokens = _tokenize(text)
    if not any(t.kind in _NUMERIC for t in tokens):
        raise WorkoutParseError(ParseErrorCode.NO_NUMBERS, _fragment(text))
    pieces = _pieces(tokens)
    if len(pieces) > MAX_ENTRIES:
        raise WorkoutParseError(ParseErrorCode.TOO_LONG, _fragment(text))
    entries: list[ParsedEntry] = []
    for piece in pieces:
        if not any(t.kind in _NUMERIC for t in piece):
            words = [t for t in piece if _is_name_word(t)]
            raise WorkoutParseError(ParseErrorCode.NO_NUMBERS, _span(text, words or piece))
        name = _exercise_name(text, piece)
        entries.append(ParsedEntry(exercise=name, sets=_read_groups(text, piece, system)))
    return entries
