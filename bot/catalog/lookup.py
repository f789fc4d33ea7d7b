"""Find catalog exercises from what people and models write: typos, plurals, other languages.

``find_exercise`` answers one query; ``mentioned_exercises`` spots exercises named in free text.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
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
    """The exercise a query names, or None with the closest exercises to offer instead."""

    exercise: Exercise | None
    suggestions: list[Exercise] = field(default_factory=list)

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


def find_exercise(catalog: Catalog, query: str) -> LookupResult:
    """Resolve a user's or model's exercise name to one catalog exercise, or suggest some.

    Exact matches after normalisation win; then a close fuzzy match that clearly beats
    every other exercise; otherwise no exercise and up to five suggestions.
    """
    key = normalise_name(query)
    if not key:
        return LookupResult(exercise=None)
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
