"""Safety rules checked before the model sees a message: red flags and eating-disorder signs.

Red flags are concepts found together within a sentence (a symptom and its qualifier), in
English, Russian, Spanish and German, tolerant of word order, endings, one-letter typos and
missing diacritics; negated or look-alike phrasings do not count. Deterministic, no model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.concepts import Lexicon, Rule, rule, sentences
from bot.domain.safety_lexicon import CONCEPTS
from bot.i18n import t


class RedFlagCategory(StrEnum):
    """Symptoms after which the coach stops and sends the user to emergency care or a doctor."""

    CHEST_PAIN = "chest_pain"
    BREATHLESSNESS = "breathlessness"
    FAINTING = "fainting"
    PALPITATIONS = "palpitations"
    STROKE_OR_HEADACHE = "stroke_or_headache"
    RHABDOMYOLYSIS = "rhabdomyolysis"
    ACUTE_INJURY = "acute_injury"
    SELF_HARM = "self_harm"


@dataclass(frozen=True, slots=True)
class RedFlag:
    """A red flag found in a message; ``matched`` is the normalised fragment that triggered it."""

    category: RedFlagCategory
    matched: str


SUPPORTED_LANGUAGES = ("en", "ru", "es", "de")


# The combining-mark blocks (Latin, Cyrillic and the supplements), removed in one C pass.
_MARKS = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
)


def _strip_marks(text: str) -> str:
    # NFKD splits ё into е + diaeresis, ä into a + diaeresis, ñ into n + tilde, й into и + breve;
    # dropping the marks lets "ё/е", "desmayé/desmaye" and "ohnmächtig/ohnmachtig" match alike.
    return _MARKS.sub("", unicodedata.normalize("NFKD", text))


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})


def normalize(text: str) -> str:
    """Lower-case, fold apostrophes and diacritics, collapse spaces (newlines stay)."""
    folded = _strip_marks(text.casefold().translate(_APOSTROPHES))
    return re.sub(r"[^\S\n]+", " ", folded).strip()


def _rx(*alternatives: str) -> re.Pattern[str]:
    # Patterns are written with natural spelling and folded the same way as the text.
    return re.compile(_strip_marks("|".join(f"(?:{alt})" for alt in alternatives)))


# --- red flags: concepts within a sentence ------------------------------------------------------

_LEXICON = Lexicon(CONCEPTS, normalize)

# Muscle pain, swelling or weakness anywhere in the message, for the dark-urine rule.
_MUSCLE_TROUBLE = rule("muscle", "muscle_bad", span=6)

# Each category is raised by any of its rules; categories are checked most urgent first.
_RULES: tuple[tuple[RedFlagCategory, tuple[Rule, ...]], ...] = (
    (
        RedFlagCategory.SELF_HARM,
        (
            # Said outright, even with a "not" nearby ("I don't want to kill myself, but...").
            rule("self_harm", negatable=False),
            rule("want", "harm_self", span=6),
        ),
    ),
    (
        RedFlagCategory.CHEST_PAIN,
        (
            rule("chest_pain heart_attack_now"),
            rule("chest", "pain", span=7),
            rule("chest", "spread", "radiation_target", span=14),
            rule("pain", "spread", "jaw_or_left_arm", span=10),
            rule("chest", "cold_sweat", span=12),
        ),
    ),
    (
        RedFlagCategory.STROKE_OR_HEADACHE,
        (
            rule("stroke_now slurred vision_loss"),
            rule("headache", "thunderclap", span=6),
            rule("headache", "severe", "exertion", span=12),
            rule("face", "droop", span=5),
            rule("one_side", "numb_weak", span=8),
        ),
    ),
    (
        RedFlagCategory.BREATHLESSNESS,
        (
            rule("breathless_strong"),
            rule("breathless breathless_strong", "at_rest", span=20),
        ),
    ),
    (
        RedFlagCategory.FAINTING,
        (rule("faint"),),
    ),
    (
        RedFlagCategory.PALPITATIONS,
        (
            rule("palpitation"),
            rule("heart", "irregular", span=6),
            rule("heart", "racing", "at_rest dizzy", span=20),
            rule("racing", "dizzy", span=12),
            rule("racing_heart", "at_rest dizzy", span=20),
        ),
    ),
    (
        RedFlagCategory.RHABDOMYOLYSIS,
        (
            rule("rhabdo_claim"),
            rule("urine", "dark", span=5, elsewhere=_MUSCLE_TROUBLE, unless="harmless_colour"),
            rule(
                "urine", "dark", span=5, elsewhere=rule("muscle_trouble"), unless="harmless_colour"
            ),
        ),
    ),
    (
        RedFlagCategory.ACUTE_INJURY,
        (
            rule("deformity cant_weight"),
            rule("swelling", "trauma cant_use", span=14),
            rule("pop", "hurt_after_pop", span=14),
            rule("broke", "bone", span=3),
        ),
    ),
)


def detect_red_flag(text: str) -> RedFlag | None:
    """Return the most urgent red flag in ``text``, or ``None`` when there is none."""
    normalized = normalize(text)
    if not normalized:
        return None
    found = sentences(_LEXICON, normalized)
    present = frozenset().union(*(sentence.concepts for sentence in found))
    if not present:
        return None
    for category, rules in _RULES:
        for red_flag_rule in rules:
            if not red_flag_rule.possible(present):
                continue
            for sentence in found:
                hits = red_flag_rule.match(sentence)
                if hits is None:
                    continue
                elsewhere = red_flag_rule.elsewhere
                if elsewhere is None or any(elsewhere.match(other) for other in found):
                    return RedFlag(category=category, matched=sentence.fragment(hits))
    return None


# --- eating-disorder signs --------------------------------------------------------------------

_ED_SIGNS = _rx(
    # purging
    r"\bmake\s+myself\s+(?:throw\s+up|vomit|sick|puke)",
    r"\b(?:throw(?:ing)?\s+up|vomit\w*|puk\w*)\s+(?:\w+\s+){0,2}?after\s+(?:i\s+)?"
    r"(?:eat\w*|meals?|food|dinner|lunch|breakfast|bing\w*)",
    r"\bpurg(?:e|ed|es|ing)\b|\blaxatives?\b|\bself[- ]induced\s+vomit\w*",
    r"\bвызыва\w*\s+(?:у\s+себя\s+)?рвоту|\bдва\s+пальца\s+в\s+рот|\bслабительн\w*",
    r"\b(?:рвет|тошнит|блюю)\s+(?:\w+\s+){0,2}?после\s+еды",
    r"\bme\s+(?:provoco|hago|obligo\s+a)\s+(?:el\s+)?vomit\w*|\blaxantes?\b",
    r"\bvomit\w*\s+(?:\w+\s+){0,2}?despues\s+de\s+comer",
    r"\b(?:erbreche|(?:ü|ue)bergebe|kotze)\s+(?:mich\s+)?(?:\w+\s+){0,2}?nach\s+dem\s+essen",
    r"\bbringe\s+mich\s+zum\s+(?:erbrechen|kotzen)|\bfinger\s+in\s+den\s+hals"
    r"|\babf(?:ü|ue)hrmittel\w*",
    # exercising to compensate for food
    r"\bburn\s+off\s+(?:everything|all|every\s+(?:calorie|bite)|whatever|what)\s+"
    r"(?:\w+\s+){0,2}?(?:eat|ate|eaten)\b",
    r"\b(?:earn|deserve)\s+(?:my\s+)?(?:food|meals?|dinner|lunch|breakfast)\b",
    r"\b(?:make\s+up\s+for|compensate\s+for|work\s+off)\s+(?:\w+\s+){0,2}?(?:eating|what\s+i\s+ate"
    r"|food|the\s+calories)",
    r"\bpunish\s+myself\b",
    r"\b(?:сжечь|сжигаю|сжигать|отработать|отрабатываю)\s+вс[её]\s*,?\s+что\s+(?:я\s+)?"
    r"(?:съел\w*|ем|поел\w*|съедаю)",
    r"\bотработать\s+(?:еду|съеденное|ужин|обед)|\bзаслужить\s+(?:еду|ужин)",
    r"\bquemar\s+(?:todo\s+)?lo\s+que\s+(?:como|comi|he\s+comido)|\bganarme\s+la\s+comida",
    r"\b(?:abtrainieren|verbrennen)\s*,?\s+was\s+ich\s+(?:esse|gegessen)"
    r"|\balles\s*,?\s+was\s+ich\s+esse\s*,?\s+(?:wieder\s+)?(?:abtrainieren|verbrennen)"
    r"|\bessen\s+verdienen",
    # restriction, fear of food, named disorders
    r"\bstarv\w*\s+myself|\bbarely\s+eat\w*|\beat(?:ing)?\s+(?:almost\s+|basically\s+)?nothing\b"
    r"(?!\s+but)",
    r"\bnot\s+eating\s+(?:at\s+all|anything)",
    r"\b(?:haven'?t|have\s+not|didn'?t|did\s+not)\s+eat(?:en)?\s+(?:anything\s+)?(?:in|for)\s+"
    r"(?:\d+|two|three|four|five|several|a\s+few)\s+days",
    r"\bskip(?:ping)?\s+(?:most|all)\s+(?:of\s+)?(?:my\s+)?meals",
    r"\b(?:afraid|scared|terrified)\s+(?:of|to)\s+(?:eat\w*|food|gain\w*)"
    r"|\bfear\s+of\s+(?:food|eating|gaining)",
    r"\bguilty\s+(?:\w+\s+)?(?:after|when|about|for)\s+eating",
    r"\banorexi\w*|\bbulimi\w*|\beating\s+disorder\w*",
    r"\bbinge\w*\s+(?:and|then)\s+(?:purg\w*|throw\w*|vomit\w*|starv\w*|fast\w*)",
    r"\bморю\s+себя\s+голодом|\b(?:почти|практически)\s+(?:ничего\s+)?не\s+ем\b|\bничего\s+не\s+ем\b",
    r"\b(?:не\s+ем|голодаю)\s+(?:уже\s+)?(?:\d+|два|три|несколько)\s+(?:дн|сут)\w*",
    r"\bбоюсь\s+(?:есть|еды|поправиться)|\bвин\w*\s+(?:после|за)\s+(?:еды|съеденное)",
    r"\bанорекси\w*|\bбулими\w*|\bрпп\b|\bрасстройств\w*\s+пищевого",
    r"\bme\s+mato\s+de\s+hambre|\bno\s+como\s+(?:casi\s+)?nada|\bcasi\s+no\s+como",
    r"\bllevo\s+(?:\d+|dos|tres|varios)\s+dias\s+sin\s+comer",
    r"\bmiedo\s+a\s+(?:comer|engordar|la\s+comida)|\bculpa\s+(?:despues\s+de|al|por)\s+comer",
    r"\btrastorno\w*\s+(?:de\s+la\s+conducta\s+)?alimentari\w*",
    r"\bhungere\s+mich|\besse\s+(?:fast\s+)?(?:nichts|kaum\s+(?:etwas|was))",
    r"\bseit\s+(?:\d+|zwei|drei|mehreren)\s+tagen\s+nichts\s+gegessen",
    r"\bangst\s+(?:vor\s+dem\s+essen|zu\s+essen|zuzunehmen)|\bschuldgef(?:ü|ue)hl\w*\s+nach\s+dem\s+essen",
    r"\bmagers(?:ü|ue)cht\w*|\bess-?st(?:ö|oe)rung\w*",
)

# Daily intake under this many kcal is "very low" for any adult (the floors are 1200 and 1500).
_VERY_LOW_INTAKE_KCAL = 1000
_CALORIES = _rx(
    r"(?P<number>\d{2,4})\s*(?:calories?|calorias|kalorien|kcals?|cals?|калори\w*|ккал|кал)\b"
)
_EATING_CONTEXT = _rx(
    r"\b(?:eat|eating|ate|eats|consume|consuming|intake|only|just|under|less\s+than|below"
    r"|limit\w*|restrict\w*|ем|съедаю|ела|ел|потребляю|только|всего|меньше|не\s+больше"
    r"|como|comer|comiendo|solo|menos\s+de|consumo|esse|isst|gegessen|nur|weniger\s+als"
    r"|unter|h(?:ö|oe)chstens)\b"
)
_NOT_INTAKE_BEFORE = _rx(
    r"\b(?:a|an|one|этот|un|una|ein|eine|einen)\s*$|burn|сжига|quem|verbrenn|"
    r"deficit|дефицит|defizit"
)
_NOT_INTAKE_AFTER = _rx(
    r"^\s*(?:snack|bar|meal|portion|serving|deficit|less|fewer|more|surplus|burn\w*|"
    r"перекус|дефицит|меньше|больше|снек|menos|mas|defizit|weniger|mehr|riegel)"
)


def detect_eating_disorder_signs(text: str) -> bool:
    """Whether ``text`` shows restriction, purging, compensatory exercise or very low intake."""
    normalized = normalize(text)
    if _ED_SIGNS.search(normalized):
        return True
    for match in _CALORIES.finditer(normalized):
        if int(match.group("number")) >= _VERY_LOW_INTAKE_KCAL:
            continue
        before = normalized[max(0, match.start() - 40) : match.start()]
        after = normalized[match.end() : match.end() + 20]
        if (
            _EATING_CONTEXT.search(before)
            and not _NOT_INTAKE_BEFORE.search(before)
            and not _NOT_INTAKE_AFTER.search(after)
        ):
            return True
    return False


# --- the message sent instead of coaching ------------------------------------------------------

# The texts are in the catalog: bot/i18n/locales/<language>/safety.po.


# Common words plus the symptom words the red-flag rules look for, so that even a one-word
# message ("Brustschmerzen") is answered in its own language.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LANGUAGE_WORDS: dict[str, frozenset[str]] = {
    "en": _words(
        "i i'm im my me the and is are it to have was of in at after when what can't can "
        "hurts pain chest myself breathe fainted heart headache urine muscles kill die "
        "swollen"
    ),
    "es": _words(
        "el la los las que de y me mi es estoy tengo por para con muy no se yo duele "
        "dolor pecho despues cuando respirar desmaye desmayo corazon cabeza orina "
        "musculos morir matarme vivir hinchado"
    ),
    "de": _words(
        "ich und nicht ist das der die mein meine habe hab mit auf nach mich mir es tut "
        "weh wenn beim bin brust brustschmerzen schmerzen atemnot ohnmacht ohnmachtig "
        "luft kopfschmerzen herz herzrasen herzstolpern urin muskeln umbringen sterben "
        "selbstmord geschwollen"
    ),
}
_LANGUAGE_LETTERS: dict[str, str] = {"es": "ñ¿¡", "de": "äöüß"}


def message_language(text: str, language_code: str | None) -> str:
    """Pick en, ru, es or de: the message's own script and words first, then ``language_code``."""
    cyrillic = sum(1 for char in text if "\u0400" <= char <= "\u04ff")
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    if cyrillic > latin:
        return "ru"
    code = (language_code or "").strip().lower().replace("_", "-").split("-")[0]
    if latin:
        lowered = text.casefold()
        words = re.findall(r"[\w']+", _strip_marks(lowered))
        scores = {
            language: sum(1 for word in words if word in vocabulary)
            + 2 * sum(1 for char in lowered if char in _LANGUAGE_LETTERS.get(language, ""))
            for language, vocabulary in _LANGUAGE_WORDS.items()
        }
        best = max(scores.values())
        leaders = [language for language, score in scores.items() if score == best]
        if best > 0 and len(leaders) == 1:
            return leaders[0]
        if code in leaders and best > 0:
            return code
    return code if code in SUPPORTED_LANGUAGES else "en"


def safety_message(flag: RedFlag, language_code: str | None, text: str) -> str:
    """The message sent instead of coaching when ``flag`` was raised by ``text``."""
    language = message_language(text, language_code)
    if flag.category is RedFlagCategory.SELF_HARM:
        return t(language, "safety.crisis")
    return t(language, "safety.urgent", symptom=t(language, f"safety.symptom.{flag.category}"))
