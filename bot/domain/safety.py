"""Safety rules checked before the model sees a message: red flags and eating-disorder signs.

Deterministic keyword and pattern rules in English, Russian, Spanish and German.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

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


def _strip_marks(text: str) -> str:
    # NFKD splits ё into е + diaeresis, ä into a + diaeresis, ñ into n + tilde, й into и + breve;
    # dropping the marks lets "ё/е", "desmayé/desmaye" and "ohnmächtig/ohnmachtig" match alike.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})


def normalize(text: str) -> str:
    """Lower-case, fold apostrophes and diacritics, collapse spaces (newlines stay)."""
    folded = _strip_marks(text.casefold().translate(_APOSTROPHES))
    return re.sub(r"[^\S\n]+", " ", folded).strip()


def _rx(*alternatives: str) -> re.Pattern[str]:
    # Patterns are written with natural spelling and folded the same way as the text.
    return re.compile(_strip_marks("|".join(f"(?:{alt})" for alt in alternatives)))


_GAP = "[^.!?;\n]"


def _near(first: str, second: str, gap: int = 60) -> str:
    """Both patterns within one sentence, in either order."""
    return f"(?:{first}){_GAP}{{0,{gap}}}(?:{second})|(?:{second}){_GAP}{{0,{gap}}}(?:{first})"


# A negation just before a match ("no chest pain", "how to avoid fainting", "не хочу навредить
# себе") — at most two words may stand between, so "I don't know why but my chest hurts" counts.
_NEGATED = _rx(
    r"\b(?:no|not|never|without|don't|dont|do not|didn't|didnt|haven't|havent|hasn't|hasnt"
    r"|avoid\w*|prevent\w*|afraid|scared|worried|fear\w*"
    # "чуть не упала в обморок" means "nearly fainted": not a negation.
    r"|нет|(?<!чуть )(?<!едва )не|без|никогда|избежать|избегать|боюсь"
    r"|nunca|sin|evitar|prevenir|miedo"
    r"|nicht|kein\w*|nie|ohne|vermeiden|angst)\s+(?:[\w']+\s+){0,2}$"
)


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: re.Pattern[str]
    # A second pattern that must also occur somewhere in the message.
    requires: re.Pattern[str] | None = None
    negatable: bool = True


def _rule(*alternatives: str, requires: str | None = None, negatable: bool = True) -> _Rule:
    return _Rule(
        pattern=_rx(*alternatives),
        requires=_rx(requires) if requires else None,
        negatable=negatable,
    )


# --- shared fragments -------------------------------------------------------------------------

# Collapsing onto the sofa after leg day is tiredness, not syncope.
_ON_THE_SOFA = r"(?!\s+(?:on|onto|in|into)\s+(?:the|my|a)\s+(?:couch|sofa|bed))"
_NOT_A_WORKOUT = r"(?!\s+(?:day|workout|session|training|press|fly|flies|exercises?|muscles?))"

_EN_REST = (
    r"\b(?:at\s+rest|resting|while\s+(?:sitting|lying|resting)|sitting\s+(?:down|still)"
    r"|lying\s+down|doing\s+nothing|for\s+no\s+reason|won'?t\s+go\s+away"
    r"|doesn'?t\s+go\s+away|not\s+going\s+away|all\s+(?:the\s+)?time|at\s+night"
    r"|(?:a|one|single)\s+flight\s+of\s+stairs|walking\s+slowly|out\s+of\s+nowhere"
    r"|suddenly|sudden|blue\s+lips|lips\s+(?:are\s+|turned\s+|turning\s+)?blue"
    r"|even\s+(?:when|while|at|after)\s+(?:\w+\s+){0,2}?(?:rest\w*|sitting|lying|walking))"
)
_RU_REST = (
    r"\b(?:в\s+покое|сидя|лежа|без\s+нагрузки|без\s+причины|просто\s+так|ночью|не\s+проходит"
    r"|даже\s+(?:когда|при|в|сидя|лежа)|по\s+лестнице|при\s+ходьбе|внезапно|вдруг"
    r"|губы\s+(?:\w+\s+)?син\w*)"
)
_ES_REST = (
    r"\b(?:en\s+reposo|sentad[oa]|acostad[oa]|tumbad[oa]|sin\s+hacer\s+nada|sin\s+motivo"
    r"|sin\s+razon|no\s+se\s+(?:me\s+)?(?:pasa|quita)|por\s+la\s+noche|de\s+repente"
    r"|subiendo\s+(?:las\s+)?escaleras|incluso\s+(?:en|sentad|acostad|caminando)\w*"
    r"|labios\s+(?:\w+\s+)?azul\w*)"
)
_DE_REST = (
    r"\b(?:in\s+ruhe|im\s+ruhezustand|im\s+sitzen|im\s+liegen|beim\s+sitzen|beim\s+liegen"
    r"|ohne\s+(?:grund|belastung|anstrengung)|grundlos|geht\s+nicht\s+weg"
    r"|h(?:ö|oe)rt\s+nicht\s+auf|nachts|pl(?:ö|oe)tzlich|treppe\w*|beim\s+gehen"
    r"|sogar\s+(?:beim|im|in)|blaue\s+lippen|lippen\s+(?:sind\s+)?blau)"
)
_ANY_REST = f"{_EN_REST}|{_RU_REST}|{_ES_REST}|{_DE_REST}"

_EN_CHEST_PAIN = (
    r"(?:pain|pains|painful|hurts?|hurting|aches?|aching|pressure|tight|tightness|squeez\w*"
    r"|crush\w*|heavy|heaviness|burning|stabbing)"
)
_EN_ADVERB = (
    r"(?:(?:really|so|very|kind\s+of|kinda|a\s+bit|a\s+little|badly|still|suddenly|now"
    r"|sharply|all\s+of\s+a\s+sudden)\s+)?"
)
_RU_CHEST_PAIN = (
    r"(?:бол(?:ь|и|ит|ят|ела|ело|ел|ью|ями|ях)|давит|давило|давление|жжет|жжение|колет|кололо"
    r"|сжимает|сжимало|сдавливает|сдавило|тяжесть|стеснение|ломит|печет)"
)

_EN_SWELLING = r"\b(?:swollen|swelling|swelled|swell(?:s|ing)?\s+up|puffed\s+up)\b"
_EN_CANNOT_USE = (
    r"\b(?:can'?t|cannot|can\s+not|unable\s+to|couldn'?t)\s+(?:move|walk|bend|straighten|stand"
    r"|put\s+(?:any\s+)?weight|bear\s+weight|grip|lift\s+my\s+arm|use\s+my)"
)
_RU_SWELLING = r"\b(?:опух\w*|отек\w*|отечн\w*|распух\w*)"
_RU_CANNOT_USE = (
    r"\bне\s+(?:могу|получается|может)\s+(?:\w+\s+)?(?:наступить|ходить|встать|пошевелить"
    r"|согнуть|разогнуть|двигать|опереться|поднять)"
)
_ES_SWELLING = r"\b(?:hinchad\w*|inflamad\w*|hinchazon|se\s+(?:me\s+)?(?:hincho|inflamo))"
_ES_CANNOT_USE = (
    r"\bno\s+puedo\s+(?:\w+\s+)?(?:apoyar|mover|caminar|andar|doblar|estirar|pisar|levantar)"
)
_DE_SWELLING = r"\b(?:geschwollen\w*|schwellung\w*|angeschwollen\w*|dick\s+geworden)"
_DE_CANNOT_USE = (
    r"\bkann\s+(?:\w+\s+){0,3}?nicht\s+(?:mehr\s+)?(?:auftreten|gehen|laufen|bewegen|belasten"
    r"|beugen|strecken|stehen)"
)
_ANY_SWELLING = f"{_EN_SWELLING}|{_RU_SWELLING}|{_ES_SWELLING}|{_DE_SWELLING}"
_ANY_CANNOT_USE = f"{_EN_CANNOT_USE}|{_RU_CANNOT_USE}|{_ES_CANNOT_USE}|{_DE_CANNOT_USE}"
_ANY_TRAUMA = (
    r"\b(?:fell|fall|dropped|twist\w*|rolled|landed|pop|snap|crack|bruis\w*|black\s+and\s+blue"
    r"|упал\w*|подвернул\w*|ударил\w*|хруст|щелчок|синяк\w*|гематом\w*"
    r"|cai|me\s+cai|torci|me\s+torci|golpe\w*|moreton\w*|chasquido|crujido"
    r"|gest(?:ü|ue)rzt|umgeknickt|verdreht|knall|knacken|bluterguss|blauer\s+fleck)"
)
_ANY_HURT = (
    r"\b(?:swell\w*|swollen|can'?t|cannot|unable|pain\w*|hurts?|bruis\w*|agony"
    r"|опух\w*|отек\w*|бол\w*|не\s+могу|hinchad\w*|dolor\w*|duele|no\s+puedo"
    r"|geschwollen|schmerz\w*|tut\s+weh|kann\s+nicht)"
)

_DARK_URINE = (
    r"\b(?:dark|brown|black|cola|coke|tea|red|bloody|reddish)(?:[- ](?:colou?red|brown|looking))?"
    r"\s+(?:urine|pee|piss)\b"
    r"|\b(?:urine|pee|piss)\s+(?:is\s+|was\s+|looks\s+|turned\s+|became\s+|came\s+out\s+)?"
    r"(?:very\s+|really\s+|so\s+)?(?:dark|brown|black|cola|coke|tea|red|bloody)"
    r"|\bpeeing\s+(?:\w+\s+)?(?:dark|brown|blood)"
    r"|\b(?:темн\w*|коричнев\w*|бур\w*|черн\w*|красн\w*)\s+моч[аиуе]\w*"
    r"|\bмоч[аиуе]\w*\s+(?:\w+\s+){0,2}?(?:темн\w*|коричнев\w*|бур\w*|черн\w*|красн\w*"
    r"|цвета\s+(?:колы|чая|пива|кофе))"
    r"|\b(?:orina|pis|pipi)\s+(?:\w+\s+){0,2}?(?:oscur\w*|marron|negr\w*|roj\w*"
    r"|color\s+(?:coca|cola|te|cafe)|con\s+sangre)"
    r"|\b(?:orino|meo)\s+(?:\w+\s+)?(?:oscuro|marron|negro|rojo)"
    r"|\b(?:dunkl\w*|braun\w*|schwarz\w*|rot\w*|cola-?farben\w*)\s+(?:urin|harn|pipi)\b"
    r"|\b(?:urin|harn|pipi)\s+(?:\w+\s+){0,2}?(?:dunkel|braun|schwarz|rot|wie\s+cola"
    r"|cola-?farben\w*)"
)
_SEVERE_MUSCLE_PAIN = (
    r"\bmuscles?\b(?:\s+\w+){0,4}?\s+(?:killing|hurt\w*|pain\w*|ache|aching|sore|swollen"
    r"|swell\w*|weak|agony|burning)"
    r"|\b(?:severe|extreme|unbearable|excruciating|insane|crazy|terrible|horrible)\s+"
    r"(?:muscle\s+)?(?:pain|soreness|doms|aches?)"
    r"|\b(?:can'?t|cannot)\s+(?:straighten|bend|move|lift|extend)\s+my\s+(?:arms?|legs?)"
    r"|\bswollen\s+(?:arms?|legs?|thighs?|biceps|quads?)"
    r"|\bмышц\w*\s+(?:\w+\s+){0,3}?(?:бол\w*|ноют|ноет|опух\w*|отек\w*|разрыва\w*|горят|адски"
    r"|дико)"
    r"|\bболят\s+(?:\w+\s+)?мышц\w*"
    r"|\b(?:сильн|дик|невыносим|адск|жутк|страшн)\w*\s+(?:\w+\s+)?(?:боль|крепатур\w*)"
    r"|\bне\s+могу\s+(?:разогнуть|согнуть|поднять)\s+(?:\w+\s+)?(?:руки|руку|ноги|ногу)"
    r"|\bmusculos?\s+(?:\w+\s+){0,3}?(?:duelen|duele|dolor|matando|matan|hinchad\w*"
    r"|inflamad\w*|debil\w*)"
    r"|\bme\s+(?:duelen|matan)\s+(?:\w+\s+)?(?:los\s+)?musculos"
    r"|\bdolor\s+muscular\s+(?:\w+\s+)?(?:intenso|fuerte|insoportable|extremo|terrible|horrible)"
    r"|\b(?:intenso|fuerte|insoportable|extremo|terrible)\s+dolor\s+muscular"
    r"|\bno\s+puedo\s+(?:estirar|doblar|mover)\s+(?:los\s+|el\s+|la\s+|las\s+)?(?:brazos?|piernas?)"
    r"|\bmuskel\w*\s+(?:\w+\s+){0,3}?(?:tun\s+(?:\w+\s+)?weh|schmerz\w*|geschwollen|brennen"
    r"|h(?:ö|oe)llisch|extrem)"
    r"|\b(?:extrem\w*|unertr(?:ä|ae)glich\w*|h(?:ö|oe)llisch\w*|starke?n?|heftig\w*|krass\w*)"
    r"\s+muskel(?:schmerz|kater)\w*"
    r"|\bmuskelschmerz\w*\s+(?:\w+\s+)?(?:extrem|unertr(?:ä|ae)glich|h(?:ö|oe)llisch|stark)"
    r"|\bkann\s+(?:\w+\s+)?(?:arme?|beine?)\s+nicht\s+(?:mehr\s+)?(?:strecken|beugen|bewegen)"
)

# --- rules, most urgent first -----------------------------------------------------------------

_RULES: tuple[tuple[RedFlagCategory, tuple[_Rule, ...]], ...] = (
    (
        RedFlagCategory.SELF_HARM,
        (
            _rule(
                r"\bkill\s+myself\b",
                r"\bkilling\s+myself\b(?!\s+(?:at|in|with|on|doing)\s+(?:the\s+|my\s+)?"
                r"(?:gym|workouts?|training|cardio|running|work|exercise|sets?|reps?))",
                r"\bsuicid(?:e|al)\b(?!\s*(?:runs?|sprints?|drills?|grip|shuttles?|squats?"
                r"|lines?|burpees?))",
                r"\b(?:end|ending|take|taking)\s+my\s+(?:own\s+)?life\b"
                r"(?!\s+(?:back|to|in|into|seriously))",
                # Not "going to die": "I'm going to die on this treadmill" is gym talk.
                r"\b(?:want|wanna|wish|ready)\s+(?:to\s+)?die\b",
                r"\bwish\s+i\s+(?:was|were)\s+(?:dead|never\s+born)\b",
                r"\bbetter\s+off\s+dead\b",
                r"\b(?:no|nothing\s+to)\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|going\s+on)\b",
                r"\bdon'?t\s+want\s+to\s+(?:live|be\s+alive|exist|wake\s+up)\b",
                r"\bself[- ]?harm\w*",
                r"\bcutting\s+myself\b",
                r"\bend\s+it\s+all\b",
                r"\bпокончить\s+с\s+собой|\bпокончу\s+с\s+собой",
                r"\bубить\s+себя|\bубью\s+себя",
                r"\bсуицид\w*|\bсамоубийств\w*",
                r"\b(?:не\s+хочу|не\s+хочется|незачем|нет\s+смысла)\s+(?:больше\s+)?жить",
                r"\bжить\s+(?:больше\s+)?не\s+(?:хочу|хочется)",
                r"\b(?:хочу|хочется)\s+(?:\w+\s+)?умереть\b",
                r"\bлучше\s+бы\s+(?:я\s+)?(?:умер\w*|сдох\w*|не\s+родил\w*)",
                r"\bрежу\s+себя|\bселфхарм\w*|\bсамоповрежд\w*",
                r"\bсвести\s+сч[её]ты\s+с\s+жизнью|\bналожить\s+на\s+себя\s+руки",
                r"\b(?:matarme|suicidarme|quitarme\s+la\s+vida|autolesion\w*)\b",
                r"\bsuicid(?:a|io|arme|arse)\b",
                r"\bno\s+quiero\s+(?:seguir\s+)?vivir\b",
                r"\b(?:quiero|quisiera|ganas\s+de)\s+morir(?:me)?\b",
                r"\bmejor\s+muert[oa]\b",
                r"\bme\s+corto\s+(?:los\s+brazos|las\s+munecas|la\s+piel)",
                r"\bmich\s+(?:\w+\s+)?umbringen\b|\bbringe\s+mich\s+um\b",
                r"\bselbstmord\w*|\bsuizid\w*|\bselbstverletz\w*",
                r"\bnicht\s+mehr\s+leben\b|\blebensm(?:ü|ue)de\b",
                r"\b(?:will|m(?:ö|oe)chte)\s+(?:\w+\s+)?sterben\b",
                r"\bmir\s+das\s+leben\s+nehmen",
                negatable=False,
            ),
            _rule(
                r"\b(?:want|wanna|wanting|urge\s+to|tempted\s+to|feel\s+like|thinking\s+(?:about|of)"
                r"|thought\s+(?:about|of)|trying\s+to|tried\s+to)\s+(?:to\s+)?(?:\w+\s+)?"
                r"(?:hurt|harm|cut|burn|punish)(?:ing)?\s+myself\b",
                r"\b(?:хочу|хочется|думаю|тянет)\s+(?:\w+\s+)?(?:порезать\s+себя|навредить\s+себе"
                r"|причинить\s+себе\s+(?:вред|боль)|резать\s+себя)",
                r"\b(?:quiero|ganas\s+de|pienso\s+en|pensando\s+en|voy\s+a)\s+(?:\w+\s+)?"
                r"(?:hacerme\s+dano|lastimarme|cortarme|herirme)",
                r"\bmich\s+(?:selbst\s+)?(?:verletzen|ritzen|schneiden)\b|\britze\s+mich\b",
            ),
        ),
    ),
    (
        RedFlagCategory.CHEST_PAIN,
        (
            _rule(
                rf"\bchest\s+(?:(?:is|feels?|felt|was|keeps|started|has\s+been|got|gets|has)\s+)?"
                rf"{_EN_ADVERB}{_EN_CHEST_PAIN}\b",
                r"\b(?:pain|pressure|tightness|squeezing|heaviness|ache|aching|burning|stabbing)\s+"
                r"(?:\w+\s+){0,2}?(?:in|on|across|behind|around)\s+"
                r"(?:my\s+|the\s+|the\s+middle\s+of\s+my\s+)?(?:chest|sternum|breastbone)\b"
                + _NOT_A_WORKOUT,
                r"\b(?:tight|crushing|squeezing|heavy|painful)\s+chest\b" + _NOT_A_WORKOUT,
                r"\bhaving\s+a\s+heart\s+attack\b|\bi\s+think\s+(?:it'?s|this\s+is)\s+a\s+heart\s+attack",
                rf"\bpain\b{_GAP}{{0,60}}\b(?:spread\w*|radiat\w*|going|goes|shoot\w*|moving|moves)"
                r"\s+(?:\w+\s+){0,2}?(?:to|into|down|up)\s+(?:my\s+)?(?:left\s+arm|jaw)",
                rf"\b{_RU_CHEST_PAIN}\s+(?:\w+\s+)?(?:в|на)\s+(?:\w+\s+)?"
                r"(?:груди|грудь|грудной\s+клетке|области\s+сердца|сердце)\b",
                rf"\b(?:в\s+груди|грудь|за\s+грудиной|в\s+сердце|сердце|грудная\s+клетка)\s+"
                rf"(?:\w+\s+)?{_RU_CHEST_PAIN}\b",
                r"\bза\s+грудиной\b",
                r"\bотда[её]т\s+в\s+(?:левую\s+руку|челюсть|левую\s+лопатку)",
                r"\b(?:у\s+меня\s+)?(?:кажется|наверное|похоже)\s*,?\s+(?:у\s+меня\s+)?"
                r"(?:инфаркт|сердечный\s+приступ)|\bу\s+меня\s+(?:инфаркт|сердечный\s+приступ)",
                r"\b(?:dolor(?:es)?|presion|opresion|ardor|pinchazos?|punzadas?|peso|molestias?)\s+"
                r"(?:\w+\s+)?(?:en\s+el|del|de|al|sobre\s+el)\s+pecho\b" + _NOT_A_WORKOUT,
                r"\b(?:me\s+)?duele\s+(?:\w+\s+)?el\s+pecho\b",
                r"\bpecho\s+(?:\w+\s+)?(?:me\s+)?(?:duele|dolia|apretado|oprimido)\b",
                r"\bdolor\s+toracico\b",
                r"\b(?:se\s+(?:me\s+)?)?(?:extiende|irradia|corre|baja|pasa)\s+"
                r"(?:hacia\s+|hasta\s+|a\s+|al\s+)(?:el\s+|la\s+)?(?:brazo\s+izquierdo|mandibula)",
                r"\b(?:estoy\s+teniendo|creo\s+que\s+(?:tengo|es)|me\s+esta\s+dando)\s+un\s+"
                r"(?:infarto|ataque\s+(?:al\s+corazon|cardiaco|de\s+corazon))",
                r"\bbrustschmerz\w*",
                r"\bschmerz\w*\s+(?:\w+\s+)?(?:in|an|auf)\s+der\s+brust\b",
                r"\b(?:druck|enge|engegef(?:ü|ue)hl|stechen|brennen|beklemmung\w*)\s+(?:\w+\s+)?"
                r"(?:in|auf|an)\s+der\s+brust\b",
                r"\bbrust\s+(?:\w+\s+)?(?:tut\s+(?:\w+\s+)?weh|schmerzt|sticht|brennt|dr(?:ü|ue)ckt"
                r"|ist\s+(?:ganz\s+)?eng)",
                r"\b(?:strahlt|zieht)\s+(?:\w+\s+){0,3}?(?:in\s+den\s+)?(?:linken\s+arm|kiefer"
                r"|unterkiefer)",
                r"\bich\s+(?:habe|hab|glaube|denke)\w*\s+(?:\w+\s+){0,2}?(?:einen\s+)?herzinfarkt",
            ),
        ),
    ),
    (
        RedFlagCategory.STROKE_OR_HEADACHE,
        (
            _rule(
                r"\b(?:worst|sudden|suddenly|thunderclap|explosive|excruciating|blinding)\s+"
                r"(?:\w+\s+){0,2}?headaches?\b",
                _near(
                    r"\bsevere\s+headaches?\b",
                    r"\b(?:sudden\w*|out\s+of\s+nowhere|during|while|mid-?set|lifting|deadlift\w*"
                    r"|squat\w*|bench\w*|straining)",
                ),
                r"\bheadache\s+(?:came|hit|started)\s+(?:on\s+)?(?:suddenly|out\s+of\s+nowhere"
                r"|like\s+a\s+(?:thunderclap|bolt))",
                r"\b(?:face|mouth|smile|lip)\s+(?:is\s+|was\s+|has\s+|started\s+|seems\s+)?"
                r"(?:droop\w*|sagging)",
                r"\bdroop\w*\s+(?:on\s+one\s+side\s+of\s+)?(?:my\s+)?(?:face|mouth|smile)",
                r"\bslurr\w*\s+(?:my\s+)?(?:speech|words)|\b(?:speech|words)\s+(?:is\s+|are\s+)?slurred",
                _near(
                    r"\b(?:one|left|right)\s+side\s+of\s+(?:my\s+)?(?:body|face)\b"
                    r"|\bhalf\s+(?:of\s+)?my\s+(?:body|face)\b",
                    r"\b(?:numb\w*|weak\w*|paraly\w*|droop\w*|can'?t\s+(?:move|feel))",
                ),
                r"\b(?:having|think\s+i(?:'m|\s+am)\s+having|think\s+i\s+(?:had|have))\s+a\s+"
                r"(?:mini[- ])?stroke\b",
                r"\bsudden(?:ly)?\s+(?:\w+\s+)?(?:lost|loss\s+of|losing)\s+(?:my\s+)?"
                r"(?:vision|sight|balance|speech)",
                r"\b(?:can'?t|cannot)\s+(?:speak|talk)\s+(?:properly|clearly|right)",
                r"\b(?:внезапн\w*|резк\w*|сильнейш\w*|самая\s+сильная|невыносим\w*)\s+"
                r"(?:\w+\s+)?головн\w*\s+бол\w*",
                r"\b(?:внезапно|резко|вдруг)\s+(?:\w+\s+)?(?:заболела|разболелась)\s+голова",
                r"\b(?:перекосил\w*|перекошен\w*|онемел\w*|опустил\w*)\s+(?:\w+\s+)?"
                r"(?:лицо|рот|уголок\s+рта|половин\w*\s+лица)",
                r"\b(?:лицо|рот)\s+(?:\w+\s+)?(?:перекосил\w*|перекошен\w*|онемел\w*)",
                r"\bречь\s+(?:\w+\s+)?(?:невнятн\w*|спутанн\w*|нарушен\w*)|\bневнятн\w*\s+речь"
                r"|\bязык\s+заплета\w*|\bзаплета\w*\s+язык",
                _near(
                    r"\b(?:онемел\w*|немеет|не\s+чувствую|слабость|отнял\w*|не\s+слушается)",
                    r"\b(?:одн(?:а|у|ой)\s+сторон\w*|половин\w*\s+(?:тела|лица))",
                ),
                r"\b(?:у\s+меня|кажется|похоже)\s*,?\s+(?:у\s+меня\s+)?инсульт\w*",
                r"\b(?:el\s+)?peor\s+dolor\s+de\s+cabeza",
                r"\bdolor\s+de\s+cabeza\s+(?:\w+\s+)?(?:subito|repentino|explosivo|insoportable)",
                r"\b(?:subito|repentino|fuerte\s+y\s+repentino)\s+dolor\s+de\s+cabeza",
                r"\b(?:cara|boca)\s+(?:\w+\s+)?(?:caida|torcida|paralizada|entumecida)",
                r"\bse\s+me\s+(?:cae|cayo|tuerce|torcio|durmio)\s+(?:la\s+mitad\s+de\s+)?"
                r"(?:la\s+)?(?:cara|boca)",
                r"\bno\s+puedo\s+hablar\s+bien|\bhabla\s+(?:arrastrada|confusa|torpe)"
                r"|\barrastro\s+las\s+palabras|\bse\s+me\s+traba\s+la\s+lengua",
                _near(
                    r"\b(?:entumecid\w*|adormecid\w*|paralizad\w*|debil\w*|no\s+siento|hormigueo)",
                    r"\b(?:un\s+lado|lado\s+(?:izquierdo|derecho)|la\s+mitad)\s+del\s+cuerpo"
                    r"|\bmitad\s+de\s+(?:la\s+cara|el\s+cuerpo)",
                ),
                r"\b(?:estoy\s+teniendo|creo\s+que\s+(?:tengo|es|me\s+dio))\s+un\s+"
                r"(?:ictus|derrame|acv)",
                r"\b(?:schlimmsten?|pl(?:ö|oe)tzlich\w*|st(?:ä|ae)rksten|explosionsartig\w*"
                r"|unertr(?:ä|ae)glich\w*|vernichtend\w*)\s+(?:\w+\s+)?kopfschmerz\w*",
                r"\bkopfschmerz\w*\s+(?:\w+\s+)?(?:pl(?:ö|oe)tzlich|wie\s+ein\s+(?:donnerschlag|blitz))",
                r"\bh(?:ä|ae)ngend\w*\s+(?:mundwinkel|gesicht\w*)"
                r"|\b(?:mundwinkel|gesicht)\s+(?:\w+\s+)?h(?:ä|ae)ngt",
                r"\b(?:verwaschen\w*|undeutlich\w*|lallend\w*)\s+(?:sprache|sprechen)"
                r"|\bsprache\s+(?:ist\s+)?(?:verwaschen|undeutlich)|\bich\s+lalle\b",
                _near(
                    r"\b(?:taub\w*|gel(?:ä|ae)hmt|l(?:ä|ae)hmung|schw(?:ä|ae)che|kribbel\w*)",
                    r"\b(?:einer|eine|linke[nr]?|rechte[nr]?)\s+(?:k(?:ö|oe)rper)?seite"
                    r"|\bhalbseit\w*|\bgesichtsh(?:ä|ae)lfte",
                ),
                r"\bich\s+(?:habe|hab|glaube|denke)\w*\s+(?:\w+\s+){0,2}?(?:einen\s+)?schlaganfall",
            ),
        ),
    ),
    (
        RedFlagCategory.BREATHLESSNESS,
        (
            _rule(
                r"\b(?:can'?t|cannot|can\s+not|couldn'?t|unable\s+to|struggling\s+to|struggle\s+to"
                r"|hard\s+to|difficult\s+to|hardly)\s+breathe?\b"
                r"(?!\s+(?:through|properly|right|correctly|with\s+(?:the|a|my)\s+(?:mask|belt)))",
                r"\b(?:trouble|difficulty|problems?)\s+breathing\b"
                r"(?!\s+(?:through|properly|right|correctly))",
                _near(
                    r"\b(?:short(?:ness)?\s+of\s+breath|breathless(?:ness)?|out\s+of\s+breath"
                    r"|winded|gasping(?:\s+for\s+air)?|can'?t\s+catch\s+my\s+breath"
                    r"|struggling\s+for\s+(?:air|breath)|breathing\s+(?:is\s+)?(?:hard|difficult"
                    r"|labou?red))",
                    _EN_REST,
                ),
                r"\bне\s+могу\s+(?:нормально\s+)?(?:дышать|вдохнуть)\b",
                r"\bнечем\s+дышать\b|\bбольно\s+дышать\b",
                _near(
                    r"\b(?:задыха(?:юсь|лся|лась|ться|ется)|одышк\w*|(?:трудно|тяжело)\s+дышать"
                    r"|не\s+могу\s+отдышаться)",
                    _RU_REST,
                ),
                r"\bno\s+puedo\s+respirar\b",
                _near(
                    r"\b(?:me\s+cuesta\s+respirar|dificultad\s+para\s+respirar|me\s+falta\s+el\s+aire"
                    r"|falta\s+de\s+aire|me\s+ahogo|sin\s+aliento|no\s+recupero\s+el\s+aliento)",
                    _ES_REST,
                ),
                r"\b(?:kriege|krieg|bekomme|bekomm)\s+keine\s+luft\b",
                r"\bkann\s+(?:kaum\s+|nicht\s+(?:mehr\s+)?)atmen\b",
                _near(
                    r"\b(?:atemnot|kurzatmig\w*|luftnot|schwer\s+atmen|kaum\s+luft"
                    r"|au(?:ss|ß)er\s+atem)",
                    _DE_REST,
                ),
            ),
        ),
    ),
    (
        RedFlagCategory.FAINTING,
        (
            _rule(
                r"\bfaint(?:ed|ing)\b",
                r"\b(?:feel|feeling|felt|feels|going\s+to|gonna|about\s+to|almost|nearly)\s+"
                r"(?:\w+\s+)?faint\b",
                r"\bpass(?:ed|ing|es)?\s+out\b(?!\s+(?:the|these|those|flyers)\b)" + _ON_THE_SOFA,
                r"\bblack(?:ed|ing|s)?\s+out\b(?!\s+(?:drunk|from\s+(?:drinking|alcohol)))",
                r"\b(?:lost|loss\s+of|losing)\s+consciousness\b",
                r"\b(?:i|he|she|they)\s+(?:just\s+)?collapsed\b" + _ON_THE_SOFA,
                r"\bsyncope\b",
                r"\b(?:vision|everything)\s+(?:went|goes|going|turned)\s+(?:black|dark)",
                r"\b(?:потерял\w*|теря\w*|потер(?:я|ей))\s+сознани\w*",
                r"\bобморок\w*|\bобморочн\w*|\bпредобморочн\w*",
                r"\bотключил(?:ся|ась)\b",
                r"\bв\s+глазах\s+(?:потемнело|темнеет|почернело)",
                r"\bdesmay\w*",
                r"\bperdi\w*\s+(?:el\s+)?(?:conocimiento|sentido|la\s+conciencia|la\s+consciencia)",
                r"\bme\s+desvaneci\w*|\bse\s+me\s+nublo\s+la\s+vista|\bvi\s+todo\s+negro",
                r"\bohnm(?:ä|ae)cht\w*|\bohnmacht\b",
                r"\bbewusstlos\w*|\bbewusstsein\s+verloren",
                r"\b(?:zusammengebrochen|umgekippt|kollabiert)\b",
                r"\bschwarz\s+vor\s+(?:den\s+)?augen",
            ),
        ),
    ),
    (
        RedFlagCategory.PALPITATIONS,
        (
            _rule(
                r"\bpalpitation\w*|\bpalpitacion\w*",
                r"\bheart\s*(?:beat|rhythm)?\s+(?:is\s+|keeps\s+|was\s+|started\s+"
                r"|feels?\s+(?:like\s+(?:it'?s\s+|it\s+is\s+)?)?)?(?:skipp\w*|skips?|flutter\w*"
                r"|flip-?flop\w*|irregular\w*|stopp?ing\s+for\s+a\s+(?:second|moment)"
                r"|missing\s+beats)",
                r"\birregular\s+heart\s*(?:beat|rhythm)s?\b",
                r"\b(?:skipped|skipping|missed)\s+(?:heart\s*)?beats\b",
                r"\bheart(?:\s*rate)?\s+(?:won'?t|doesn'?t|does\s+not|will\s+not)\s+"
                r"(?:slow|come)\s+down",
                _near(
                    r"\bheart\s*(?:beat|rate)?\s+(?:is\s+|was\s+|keeps\s+|started\s+)?"
                    r"(?:racing|pounding|hammering|going\s+crazy)|\btachycardi\w*",
                    _ANY_REST,
                ),
                r"\bсердце\s+(?:\w+\s+)?(?:замирает|замерло|пропускает|сбивается|трепещет)",
                r"\bперебо(?:и|ев|ями)\s+(?:в\s+)?(?:работе\s+)?(?:сердц\w*|ритм\w*)",
                r"\b(?:неровн|нерегулярн)\w*\s+(?:сердцебиени|пульс|ритм)\w*",
                r"\bпульс\s+(?:\w+\s+)?(?:скачет|сбивается|неровный|не\s+снижается)",
                _near(
                    r"\bсердцебиени\w*|\bтахикарди\w*"
                    r"|\bсердце\s+(?:\w+\s+)?(?:колотится|выпрыгивает|скачет|бь[её]тся|стучит)",
                    _RU_REST,
                ),
                r"\blatidos?\s+irregular\w*",
                r"\bel\s+corazon\s+(?:se\s+)?(?:me\s+)?(?:salta|se\s+salta|se\s+para|da\s+vuelcos"
                r"|da\s+un\s+vuelco)",
                _near(
                    r"\bcorazon\s+(?:\w+\s+)?(?:acelerado|late\s+(?:muy\s+)?(?:rapido|fuerte)"
                    r"|se\s+me\s+sale|a\s+mil|desbocado)|\btaquicardi\w*",
                    _ES_REST,
                ),
                r"\bherzstolpern\b|\bherzrhythmusst(?:ö|oe)rung\w*",
                r"\bherz\s+(?:\w+\s+)?(?:stolpert|setzt\s+(?:\w+\s+)?aus|flattert)",
                r"\bunregelm(?:ä|ae)(?:ss|ß)ig\w*\s+(?:herzschlag|puls|herz)",
                _near(r"\bherzrasen\b|\bherz\s+(?:\w+\s+)?(?:rast|pocht|h(?:ä|ae)mmert)", _DE_REST),
            ),
        ),
    ),
    (
        RedFlagCategory.RHABDOMYOLYSIS,
        (
            _rule(_DARK_URINE, requires=_SEVERE_MUSCLE_PAIN),
            _rule(
                r"\b(?:i\s+(?:think\s+i\s+)?(?:have|got|might\s+have|may\s+have)|could\s+(?:this|it)\s+be"
                r"|is\s+(?:this|it))\s+rhabdo\w*",
                r"\b(?:у\s+меня|кажется|похоже\s+на|это)\s+рабдо\w*",
                r"\b(?:tengo|creo\s+que\s+tengo|sera|es)\s+(?:una\s+)?rabdo\w*",
                r"\b(?:ich\s+habe|ich\s+hab|ist\s+das)\s+(?:eine\s+)?rhabdo\w*",
            ),
        ),
    ),
    (
        RedFlagCategory.ACUTE_INJURY,
        (
            _rule(
                r"\b(?:deformed|deformity|misshapen|bent\s+(?:the\s+)?wrong\s+way"
                r"|(?:bone|joint)\s+(?:is\s+)?(?:poking|sticking|popped)\s+out|bone\s+sticking\s+out"
                r"|dislocated)\b",
                r"\bbroke(?:n)?\s+(?:my\s+)?(?:arm|leg|wrist|ankle|foot|hand|finger|toe|rib"
                r"|collarbone|nose|kneecap)\b",
                r"\b(?:can'?t|cannot|unable\s+to)\s+(?:put|bear)\s+(?:any\s+)?weight\s+on",
                _near(
                    r"\b(?:heard|felt)\s+(?:a\s+)?(?:loud\s+|sudden\s+|big\s+)?(?:pop|snap|crack"
                    r"|tear|rip)\b",
                    _ANY_HURT,
                    80,
                ),
                _near(_ANY_SWELLING, _ANY_CANNOT_USE, 80),
                _near(_ANY_SWELLING, _ANY_TRAUMA, 80),
                r"\bвывихнул\w*|\b(?:у\s+меня|кажется|похоже\s+на)\s+(?:перелом|вывих)\w*",
                r"\bсломал\w*\s+(?:\w+\s+)?(?:руку|ногу|палец|запястье|лодыжку|ребро|ключицу|нос"
                r"|кость)",
                r"\bкость\s+торчит|\bторчит\s+кость|\bдеформир\w*",
                r"\bне\s+могу\s+наступить\s+на\s+ногу",
                _near(
                    r"\b(?:услышал\w*|почувствовал\w*|раздал\w*)\s+(?:\w+\s+)?"
                    r"(?:хруст|щелчок|треск|хлопок)",
                    _ANY_HURT,
                    80,
                ),
                r"\b(?:deformad\w*|deformidad|hueso\s+(?:salido|fuera|sobresale)|dislocad\w*)",
                r"\bme\s+(?:disloque|luxe|rompi|fracture)\s+(?:el|la)\s+\w+",
                r"\b(?:creo\s+que\s+)?(?:tengo|me\s+hice)\s+una\s+(?:fractura|luxacion)",
                r"\bno\s+puedo\s+apoyar\s+(?:el\s+pie|la\s+pierna|peso)",
                _near(
                    r"\b(?:escuche|oi|senti)\s+(?:un\s+)?(?:chasquido|crujido|pop|crack|clac)",
                    _ANY_HURT,
                    80,
                ),
                r"\b(?:ausgerenkt|ausgekugelt|verrenkt|deformiert|verformt)\b",
                r"\bknochen\s+(?:steht|ragt)\s+(?:her)?(?:aus|raus)",
                r"\b(?:arm|bein|handgelenk|kn(?:ö|oe)chel|fuss|finger|zeh|rippe"
                r"|schl(?:ü|ue)sselbein|nase|hand)\w*\s+(?:\w+\s+)?(?:ist\s+)?gebrochen",
                _near(
                    r"\b(?:knall|knacken)\s+geh(?:ö|oe)rt|\bhat\s+(?:\w+\s+)?(?:geknallt|geknackt"
                    r"|gekracht)",
                    _ANY_HURT,
                    80,
                ),
            ),
        ),
    ),
)


def detect_red_flag(text: str) -> RedFlag | None:
    """Return the most urgent red flag in ``text``, or ``None`` when there is none."""
    normalized = normalize(text)
    if not normalized:
        return None
    for category, rules in _RULES:
        for rule in rules:
            if rule.requires is not None and not rule.requires.search(normalized):
                continue
            for match in rule.pattern.finditer(normalized):
                if rule.negatable and _NEGATED.search(normalized, 0, match.start()):
                    continue
                return RedFlag(category=category, matched=match.group())
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
