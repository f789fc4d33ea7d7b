"""Find catalog exercises from what people and models write: typos, plurals, other languages.

``find_exercise`` answers one query; ``mentioned_exercises`` spots exercises named in free text.
A generic name ("squat", "тяга", "Kniebeuge") picks the most common variant that has a demo
and returns the others as ``variants``, so a reply can offer them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from rapidfuzz import fuzz, process

from bot.domain.exercises import (
    MUSCLE_GROUPS,
    Catalog,
    Exercise,
    compact_name,
    fold_words,
    normalise_muscle,
    normalise_name,
    singular,
)
from bot.errors import UserInputError
from bot.i18n import Text

# A fuzzy hit is taken as the answer only when it is this close (0-100, Indel similarity)...
CONFIDENT_SCORE: Final = 85.0
# ...and this far ahead of the best hit on a different exercise; otherwise we ask.
CONFIDENT_MARGIN: Final = 4.0
# Exercises scoring at least this (WRatio) are offered as "did you mean"; below it,
# partial matches of unrelated words ("banana" ~ "balasana" at 71) creep in.
SUGGESTION_SCORE: Final = 76.0
MAX_SUGGESTIONS: Final = 5

# One-word names that are also everyday words ("a dip in the pool", "three days in a
# row", "кошка"). In free text they name an exercise only when written in the plural
# ("dips", "crunches"), which everyday speech rarely does.
_AMBIGUOUS_WORDS: Final = frozenset(
    {
        "dip",
        "row",
        "press",
        "bridge",
        "swing",
        "fly",
        "curl",
        "crunch",
        "bicycle",
        "erg",
        "hollow",
        "butterfly",
        "skater",
        "superman",
        "taube",
        "comba",
        "prensa",
        "кошка",
        "голубь",
        "жук",
        "бабочка",
        "велосипед",
        "молитва",
        "мельница",
        "дровосек",
        "альпинист",
        "лодочка",
        "стульчик",
        "молотки",
    }
)


@dataclass(frozen=True)
class LookupResult:
    """The exercise a query names, or None with the closest exercises to offer instead.

    ``variants`` is filled for a generic name: the other exercises it may mean, most
    common first (``exercise`` is the one chosen).
    """

    exercise: Exercise | None
    suggestions: list[Exercise] = field(default_factory=list)
    variants: list[Exercise] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """Whether the query named one exercise confidently."""
        return self.exercise is not None


@dataclass(frozen=True)
class _Index:
    """Per-catalog lookup tables, built once."""

    keys: tuple[str, ...]
    owners: tuple[Exercise, ...]
    compact_keys: tuple[str, ...]
    # first token → (key tokens, exercise) for every name, to scan free text
    phrases: dict[str, tuple[tuple[tuple[str, ...], Exercise], ...]]


@functools.lru_cache(maxsize=8)
def _index(catalog: Catalog) -> _Index:
    keys = tuple(catalog.name_keys)
    owners = tuple(catalog.name_keys[key] for key in keys)
    phrases: dict[str, list[tuple[tuple[str, ...], Exercise]]] = {}
    for key, exercise in catalog.name_keys.items():
        tokens = tuple(key.split())
        phrases.setdefault(tokens[0], []).append((tokens, exercise))
        if len(tokens) > 1:
            # "pushups" or "benchpress" written as one word still names the exercise.
            fused = (compact_name(key),)
            phrases.setdefault(fused[0], []).append((fused, exercise))
    return _Index(
        keys=keys,
        owners=owners,
        compact_keys=tuple(compact_name(key) for key in keys),
        phrases={first: tuple(entries) for first, entries in phrases.items()},
    )


@dataclass(frozen=True)
class VariantGroup:
    """Generic names of a movement and the exercises they may mean, most common first."""

    names: tuple[str, ...]
    slugs: tuple[str, ...]


# The first slug with a demo answers the generic name; the rest are offered as variants.
# Names are written as people type them (en, ru, es, de); normalisation adds the plurals.
VARIANT_GROUPS: Final[tuple[VariantGroup, ...]] = (
    VariantGroup(
        names=(
            "squat",
            "присед",
            "приседания",
            "приседание",
            "sentadilla",
            "Kniebeuge",
            "Kniebeugen",
        ),
        slugs=(
            "barbell-back-squat",
            "bodyweight-squat",
            "front-squat",
            "goblet-squat",
            "dumbbell-squat",
            "smith-machine-squat",
            "hack-squat",
            "box-squat",
            "bulgarian-split-squat",
            "overhead-squat",
            "zercher-squat",
            "dumbbell-sumo-squat",
        ),
    ),
    VariantGroup(
        names=("deadlift", "становая", "становая тяга", "peso muerto", "Kreuzheben"),
        slugs=(
            "deadlift",
            "romanian-deadlift",
            "sumo-deadlift",
            "dumbbell-romanian-deadlift",
            "kettlebell-deadlift",
            "good-morning",
        ),
    ),
    VariantGroup(
        names=("row", "remo", "Rudern", "тяга в наклоне"),
        slugs=(
            "barbell-row",
            "one-arm-dumbbell-row",
            "seated-cable-row",
            "t-bar-row",
            "reverse-grip-barbell-row",
            "inverted-row",
            "kettlebell-row",
            "band-row",
        ),
    ),
    VariantGroup(
        # "тяга" alone is any pull: rows, pulldowns and the deadlift.
        names=("тяга",),
        slugs=(
            "barbell-row",
            "deadlift",
            "seated-cable-row",
            "lat-pulldown",
            "one-arm-dumbbell-row",
            "romanian-deadlift",
            "t-bar-row",
        ),
    ),
    VariantGroup(
        names=(
            "curl",
            "biceps curl",
            "сгибания",
            "сгибания рук",
            "сгибания на бицепс",
            "подъем на бицепс",
            "curl de biceps",
            "Bizepscurl",
        ),
        slugs=(
            "dumbbell-curl",
            "barbell-curl",
            "hammer-curl",
            "ez-bar-curl",
            "preacher-curl",
            "cable-curl",
            "concentration-curl",
            "incline-dumbbell-curl",
            "alternating-dumbbell-curl",
            "spider-curl",
            "zottman-curl",
            "reverse-curl",
            "band-biceps-curl",
        ),
    ),
    VariantGroup(
        names=("press", "жим", "Drücken"),
        slugs=(
            "barbell-bench-press",
            "overhead-press",
            "seated-barbell-press",
            "dumbbell-bench-press",
            "dumbbell-shoulder-press",
            "incline-bench-press",
            "leg-press",
            "machine-chest-press",
        ),
    ),
    VariantGroup(
        names=("bench", "bench press", "жим лежа", "press de banca", "press banca", "Bankdrücken"),
        slugs=(
            "barbell-bench-press",
            "dumbbell-bench-press",
            "incline-bench-press",
            "close-grip-bench-press",
            "decline-bench-press",
            "wide-grip-bench-press",
            "smith-machine-bench-press",
            "machine-chest-press",
        ),
    ),
    VariantGroup(
        names=(
            "incline press",
            "жим на наклонной",
            "жим на наклонной скамье",
            "press inclinado",
            "Schrägbankdrücken",
        ),
        slugs=(
            "incline-bench-press",
            "incline-dumbbell-press",
            "smith-machine-incline-press",
            "neutral-grip-incline-dumbbell-press",
        ),
    ),
    VariantGroup(
        names=("dumbbell press", "жим гантелей", "press con mancuernas", "Kurzhanteldrücken"),
        slugs=(
            "dumbbell-bench-press",
            "incline-dumbbell-press",
            "dumbbell-shoulder-press",
            "decline-dumbbell-press",
            "one-arm-dumbbell-bench-press",
        ),
    ),
    VariantGroup(
        names=(
            "shoulder press",
            "жим на плечи",
            "жим над головой",
            "press de hombros",
            "Schulterpresse",
        ),
        slugs=(
            "overhead-press",
            "seated-barbell-press",
            "dumbbell-shoulder-press",
            "arnold-press",
            "one-arm-dumbbell-shoulder-press",
            "kettlebell-press",
        ),
    ),
    VariantGroup(
        names=(
            "lunge",
            "выпады",
            "выпад",
            "zancada",
            "Ausfallschritt",
            "Ausfallschritte",
        ),
        slugs=(
            "forward-lunge",
            "walking-lunge",
            "reverse-lunge",
            "barbell-lunge",
            "bulgarian-split-squat",
            "split-squat",
            "side-lunge",
            "barbell-reverse-lunge",
        ),
    ),
    VariantGroup(
        names=(
            "calf raise",
            "подъем на носки",
            "подъемы на носки",
            "elevacion de talones",
            "Wadenheben",
        ),
        slugs=(
            "standing-calf-raise",
            "standing-machine-calf-raise",
            "seated-calf-raise",
            "standing-barbell-calf-raise",
            "donkey-calf-raise",
            "leg-press-calf-raise",
            "seated-barbell-calf-raise",
            "band-calf-raise",
        ),
    ),
    VariantGroup(
        names=("pulldown", "тяга верхнего блока", "jalon", "jalon al pecho", "Latziehen"),
        slugs=(
            "lat-pulldown",
            "close-grip-lat-pulldown",
            "reverse-grip-lat-pulldown",
            "straight-arm-pulldown",
        ),
    ),
    VariantGroup(
        names=(
            "pull-up",
            "подтягивания",
            "подтягивание",
            "dominadas",
            "Klimmzug",
            "Klimmzüge",
        ),
        slugs=(
            "pull-up",
            "chin-up",
            "wide-grip-pull-up",
            "neutral-grip-pull-up",
            "assisted-pull-up",
            "inverted-row",
        ),
    ),
    VariantGroup(
        names=("push-up", "отжимания", "отжимание", "flexiones", "Liegestütz", "Liegestütze"),
        slugs=(
            "push-up",
            "knee-push-up",
            "incline-push-up",
            "decline-push-up",
            "diamond-push-up",
            "pike-push-up",
            "swiss-ball-push-up",
        ),
    ),
    VariantGroup(
        names=("dip", "брусья", "отжимания на брусьях", "fondos"),
        slugs=("parallel-bar-dip", "bench-dip", "machine-dip"),
    ),
    VariantGroup(
        names=("pushdown", "разгибания на трицепс на блоке", "jalon de triceps"),
        slugs=(
            "triceps-pushdown",
            "rope-pushdown",
            "v-bar-pushdown",
            "reverse-grip-pushdown",
            "one-arm-cable-pushdown",
        ),
    ),
    VariantGroup(
        names=(
            "triceps extension",
            "разгибание на трицепс",
            "разгибания на трицепс",
            "французский жим",
            "extension de triceps",
            "Trizepsdrücken",
            "Trizepsstrecken",
        ),
        slugs=(
            "skull-crusher",
            "overhead-triceps-extension",
            "lying-dumbbell-triceps-extension",
            "seated-dumbbell-triceps-extension",
            "one-arm-overhead-triceps-extension",
            "standing-french-press",
            "barbell-overhead-triceps-extension",
            "triceps-extension-machine",
            "triceps-kickback",
        ),
    ),
    VariantGroup(
        names=("shrug", "шраги", "encogimientos de hombros"),
        slugs=("barbell-shrug", "dumbbell-shrug", "cable-shrug"),
    ),
    VariantGroup(
        names=("fly", "flyes", "разводка", "разводка гантелей", "aperturas", "Fliegende"),
        slugs=(
            "dumbbell-fly",
            "cable-crossover",
            "pec-deck",
            "incline-dumbbell-fly",
            "cable-chest-fly",
            "incline-cable-fly",
            "decline-dumbbell-fly",
            "band-chest-fly",
        ),
    ),
    VariantGroup(
        names=("raise", "shoulder raise", "махи", "махи гантелями", "elevaciones", "Seitheben"),
        slugs=(
            "lateral-raise",
            "front-raise",
            "rear-delt-fly",
            "cable-front-raise",
            "prone-rear-delt-raise",
            "bent-over-cable-lateral-raise",
        ),
    ),
    VariantGroup(
        names=(
            "leg curl",
            "сгибание ног",
            "сгибания ног",
            "curl femoral",
            "Beinbeuger",
            "Beincurl",
        ),
        slugs=("lying-leg-curl", "seated-leg-curl", "standing-leg-curl"),
    ),
    VariantGroup(
        names=("crunch", "скручивания", "скручивание", "abdominales"),
        slugs=(
            "crunch",
            "bicycle-crunch",
            "reverse-crunch",
            "cross-body-crunch",
            "cable-crunch",
            "decline-crunch",
            "swiss-ball-crunch",
            "sit-up",
        ),
    ),
    VariantGroup(
        names=(
            "upright row",
            "протяжка",
            "тяга к подбородку",
            "remo al menton",
            "Aufrechtes Rudern",
        ),
        slugs=(
            "barbell-upright-row",
            "dumbbell-upright-row",
            "cable-upright-row",
            "band-upright-row",
        ),
    ),
    VariantGroup(
        names=("pullover", "пуловер", "Überzüge"),
        slugs=("dumbbell-pullover", "barbell-pullover", "straight-arm-pulldown"),
    ),
    VariantGroup(
        names=("kickback", "отведение ноги назад", "patada de gluteo"),
        slugs=("cable-glute-kickback", "donkey-kick", "triceps-kickback"),
    ),
)
MAX_VARIANTS: Final = 8


def _group_keys(groups: tuple[VariantGroup, ...]) -> Mapping[str, VariantGroup]:
    keys: dict[str, VariantGroup] = {}
    for group in groups:
        for name in group.names:
            keys.setdefault(normalise_name(name), group)
    return MappingProxyType(keys)


GENERIC_NAMES: Final[Mapping[str, VariantGroup]] = _group_keys(VARIANT_GROUPS)
_GENERIC_COMPACT: Final[Mapping[str, VariantGroup]] = MappingProxyType(
    {compact_name(key): group for key, group in list(GENERIC_NAMES.items())[::-1]}
)


def _has_media(exercise: Exercise) -> bool:
    return bool(exercise.media)


def find_exercise(
    catalog: Catalog, query: str, has_demo: Callable[[Exercise], bool] = _has_media
) -> LookupResult:
    """Resolve a user's or model's exercise name to one catalog exercise, or suggest some.

    A generic name answers with the most common variant that ``has_demo`` (by default:
    carries a media item) and lists the others as variants. Otherwise exact matches after
    normalisation win; then a close fuzzy match that clearly beats every other exercise;
    otherwise no exercise and up to five suggestions.
    """
    key = normalise_name(query)
    if not key:
        return LookupResult(exercise=None)
    group = GENERIC_NAMES.get(key) or _GENERIC_COMPACT.get(compact_name(key))
    if group is not None:
        generic = _generic(catalog, group, has_demo)
        if generic is not None:
            return generic
    exact = catalog.name_keys.get(key)
    if exact is None:
        exact = catalog.compact_keys.get(compact_name(key))
    if exact is not None:
        return LookupResult(exercise=exact)

    index = _index(catalog)
    best = _best_per_exercise(key, index)
    ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)
    if ranked:
        (top_slug, top_score), runner_up = ranked[0], ranked[1][1] if len(ranked) > 1 else 0.0
        if top_score >= CONFIDENT_SCORE and top_score - runner_up >= CONFIDENT_MARGIN:
            return LookupResult(exercise=catalog.require(top_slug))
    return LookupResult(exercise=None, suggestions=_suggestions(key, catalog, index))


def _generic(
    catalog: Catalog, group: VariantGroup, has_demo: Callable[[Exercise], bool]
) -> LookupResult | None:
    """The group's most common exercise with a demo (else its first) and the others."""
    members = [exercise for slug in group.slugs if (exercise := catalog.get(slug)) is not None]
    if not members:
        return None
    chosen = next((exercise for exercise in members if has_demo(exercise)), members[0])
    variants = [exercise for exercise in members if exercise.slug != chosen.slug]
    return LookupResult(exercise=chosen, variants=variants[:MAX_VARIANTS])


def _best_per_exercise(key: str, index: _Index) -> dict[str, float]:
    """Highest strict similarity of the query to any name of each exercise."""
    compact = compact_name(key)
    spaced = process.cdist([key], index.keys, scorer=fuzz.ratio)[0]
    fused = process.cdist([compact], index.compact_keys, scorer=fuzz.ratio)[0]
    reordered = process.cdist([key], index.keys, scorer=fuzz.token_sort_ratio)[0]
    best: dict[str, float] = {}
    for position, exercise in enumerate(index.owners):
        score = float(max(spaced[position], fused[position], reordered[position]))
        if score > best.get(exercise.slug, -1.0):
            best[exercise.slug] = score
    return best


def _suggestions(key: str, catalog: Catalog, index: _Index) -> list[Exercise]:
    """Exercises whose names resemble the query, allowing partial and reordered words."""
    scores = process.cdist([key], index.keys, scorer=fuzz.WRatio)[0]
    best: dict[str, float] = {}
    for position, exercise in enumerate(index.owners):
        score = float(scores[position])
        if score >= SUGGESTION_SCORE and score > best.get(exercise.slug, -1.0):
            best[exercise.slug] = score
    order = {exercise.slug: position for position, exercise in enumerate(catalog.exercises)}
    ranked = sorted(best, key=lambda slug: (-best[slug], order[slug]))
    return [catalog.require(slug) for slug in ranked[:MAX_SUGGESTIONS]]


def mentioned_exercises(catalog: Catalog, text: str, limit: int = 3) -> list[Exercise]:
    """Catalog exercises named in free text, in order of appearance, without duplicates.

    Whole words only, longest name first, so "goblet squats" is the goblet squat and not
    also the bodyweight squat. Used when a model answers in prose instead of a tool call.
    """
    if limit <= 0:
        return []
    written = fold_words(text)
    tokens = [singular(word) for word in written]
    index = _index(catalog)
    taken = [False] * len(tokens)
    found: list[tuple[int, Exercise]] = []
    for start, phrase, exercise in _spans(tokens, written, index):
        end = start + len(phrase)
        if any(taken[start:end]):
            continue
        for position in range(start, end):
            taken[position] = True
        found.append((start, exercise))
    found.sort(key=lambda hit: hit[0])
    result: list[Exercise] = []
    seen: set[str] = set()
    for _, exercise in found:
        if exercise.slug not in seen:
            seen.add(exercise.slug)
            result.append(exercise)
        if len(result) == limit:
            break
    return result


def _spans(
    tokens: list[str], written: list[str], index: _Index
) -> list[tuple[int, tuple[str, ...], Exercise]]:
    """Every place a name occurs in the tokens, longest names first, then left to right."""
    hits: list[tuple[int, tuple[str, ...], Exercise]] = []
    for start, token in enumerate(tokens):
        for phrase, exercise in index.phrases.get(token, ()):
            if len(phrase) == 1 and token in _AMBIGUOUS_WORDS and written[start] == token:
                continue
            if tuple(tokens[start : start + len(phrase)]) == phrase:
                hits.append((start, phrase, exercise))
    hits.sort(key=lambda hit: (-len(hit[1]), -len(" ".join(hit[1])), hit[0]))
    return hits


def muscle_groups(catalog: Catalog) -> list[str]:
    """Muscle groups worth browsing: those some exercise trains as a primary mover."""
    return catalog.muscle_groups()


def by_muscle(catalog: Catalog, group: str) -> list[Exercise]:
    """Exercises for a muscle group as a person writes it ("quads", "Glutes", "грудь").

    Raises UserInputError (field ``muscle``) when the group is not one we know.
    """
    canonical = normalise_muscle(group)
    if canonical is None:
        known = ", ".join(MUSCLE_GROUPS)
        shown = Text("units.shown", value=group)
        message = Text("exercise.unknown_group", shown=shown, known=known)
        raise UserInputError(message, field="muscle")
    return catalog.by_muscle(canonical)
