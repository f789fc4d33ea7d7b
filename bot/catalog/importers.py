"""Turn exported exercise data (wger API pages, free-exercise-db JSON) into catalog updates.

Pure parsing and merging: whoever fetches the data hands us the decoded JSON.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

from pydantic import ValidationError
from rapidfuzz import fuzz, process

from bot.domain.exercises import (
    CATEGORIES,
    LEVELS,
    Catalog,
    Exercise,
    MediaItem,
    MediaKind,
    canonical_license,
    compact_name,
    fold_words,
    normalise_muscle,
    normalise_name,
)

WGER_BASE_URL: Final = "https://wger.de"

# wger licence ids (wger-project/wger, wger/core/fixtures/licenses.json).
WGER_LICENSES: Final[Mapping[int, str]] = MappingProxyType(
    {1: "CC-BY-SA 3.0", 2: "CC-BY-SA 4.0", 3: "CC0 1.0", 4: "CC-BY 4.0"}
)
# wger language ids (wger/core/fixtures/languages.json): the languages we keep names from.
WGER_LANGUAGES: Final[Mapping[int, str]] = MappingProxyType({1: "de", 2: "en", 4: "es", 5: "ru"})
_ENGLISH: Final = 2

_EQUIPMENT: Final[Mapping[str, str | None]] = MappingProxyType(
    {
        # wger equipment names
        "barbell": "barbell",
        "sz bar": "ez bar",
        "dumbbell": "dumbbell",
        "gym mat": "mat",
        "swiss ball": "swiss ball",
        "pull up bar": "pull-up bar",
        "none bodyweight exercise": None,
        "bench": "bench",
        "incline bench": "incline bench",
        "kettlebell": "kettlebell",
        "resistance band": "band",
        # free-exercise-db equipment names
        "body only": None,
        "band": "band",
        "cable": "cable",
        "machine": "machine",
        "e z curl bar": "ez bar",
        "exercise ball": "swiss ball",
        "foam roll": "foam roller",
        "medicine ball": "medicine ball",
    }
)
_CATEGORY_BY_EQUIPMENT: Final[tuple[tuple[str, str], ...]] = (
    ("kettlebell", "kettlebell"),
    ("barbell", "barbell"),
    ("ez bar", "barbell"),
    ("dumbbell", "dumbbell"),
    ("band", "band"),
    ("cable", "cable"),
    ("machine", "machine"),
)
_FREE_DB_LEVELS: Final[Mapping[str, str]] = MappingProxyType(
    {"beginner": "beginner", "intermediate": "intermediate", "expert": "advanced"}
)
# Telegram plays MP4 in sendVideo; other containers (wger has many .MOV) would arrive
# as files, so they are skipped rather than shown broken.
_VIDEO_SUFFIXES: Final = (".mp4",)
_MAX_CUES: Final = 5
_MIN_CUES: Final = 3
_MAX_CUE_CHARS: Final = 140
MAX_SLUG_CHARS: Final = 50
# token_set_ratio at or above which an unmatched import is held back as a likely variant.
NEAR_DUPLICATE: Final = 85.0

Source = Literal["wger", "free-exercise-db"]


@dataclass(frozen=True)
class SkippedMedia:
    """A media file we did not take, and why (licence, missing author, format)."""

    url: str
    reason: str


@dataclass(frozen=True)
class ImportedExercise:
    """One exercise as another database describes it, already mapped to our vocabulary."""

    source: Source
    source_id: str
    name: str
    aliases: tuple[str, ...] = ()
    primary_muscles: tuple[str, ...] = ()
    secondary_muscles: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    level: str | None = None
    category: str | None = None
    # Free-to-reuse instruction sentences (public-domain sources only), never wger's text.
    instructions: tuple[str, ...] = ()
    media: tuple[MediaItem, ...] = ()
    skipped_media: tuple[SkippedMedia, ...] = ()


@dataclass(frozen=True)
class MergeResult:
    """The merged catalog and what happened to each imported exercise."""

    catalog: Catalog
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    media_added: int = 0
    # Names not matched and not added (too thin, or too like an exercise we have): for an admin.
    unmatched: tuple[str, ...] = field(default_factory=tuple)


# --- wger -------------------------------------------------------------------------------------


def parse_wger_exerciseinfo(
    payload: Mapping[str, Any], *, base_url: str = WGER_BASE_URL
) -> list[ImportedExercise]:
    """Read one page of ``/api/v2/exerciseinfo/`` (or a single exercise) into imports.

    Exercises without an English name are left out: our catalog is keyed by English names.
    Media without an allowed licence or without an author are skipped and reported.
    """
    raw_results = payload.get("results")
    results: Iterable[Any] = raw_results if isinstance(raw_results, list) else [payload]
    imported = []
    for result in results:
        if isinstance(result, Mapping):
            exercise = _parse_wger_exercise(result, base_url.rstrip("/"))
            if exercise is not None:
                imported.append(exercise)
    return imported


def _parse_wger_exercise(data: Mapping[str, Any], base_url: str) -> ImportedExercise | None:
    translations = [t for t in _list(data.get("translations")) if isinstance(t, Mapping)]
    english = next((t for t in translations if _id(t.get("language")) == _ENGLISH), None)
    name = _text(english.get("name")) if english else ""
    if english is None or not name:
        return None
    aliases: list[str] = []
    for translation in translations:
        language = _id(translation.get("language"))
        if language not in WGER_LANGUAGES:
            continue
        if translation is not english:
            aliases.append(_text(translation.get("name")))
        aliases.extend(
            _text(alias.get("alias"))
            for alias in _list(translation.get("aliases"))
            if isinstance(alias, Mapping)
        )
    equipment, all_known = _map_equipment(
        _text(item.get("name"))
        for item in _list(data.get("equipment"))
        if isinstance(item, Mapping)
    )
    wger_category = _text(_mapping(data.get("category")).get("name")).casefold()
    category = (
        "cardio" if wger_category == "cardio" else _category_for(equipment, all_known=all_known)
    )
    exercise_id = str(data.get("id", ""))
    media: list[MediaItem] = []
    skipped: list[SkippedMedia] = []
    images = sorted(
        (image for image in _list(data.get("images")) if isinstance(image, Mapping)),
        key=lambda image: not image.get("is_main", False),
    )
    for image in images:
        url = _absolute(_text(image.get("image")), base_url)
        kind: MediaKind = "animation" if url.casefold().endswith(".gif") else "photo"
        _collect(image, url, kind, name, media, skipped)
    for video in (v for v in _list(data.get("videos")) if isinstance(v, Mapping)):
        url = _absolute(_text(video.get("video")), base_url)
        if not url.casefold().endswith(_VIDEO_SUFFIXES):
            skipped.append(SkippedMedia(url, "video format Telegram cannot play inline"))
            continue
        _collect(video, url, "video", name, media, skipped)
    return ImportedExercise(
        source="wger",
        source_id=exercise_id,
        name=name,
        aliases=_unique(alias for alias in aliases if alias),
        primary_muscles=_map_muscles(_muscle_names(data.get("muscles"))),
        secondary_muscles=_map_muscles(_muscle_names(data.get("muscles_secondary"))),
        equipment=equipment,
        category=category,
        media=tuple(media),
        skipped_media=tuple(skipped),
    )


def _collect(
    record: Mapping[str, Any],
    url: str,
    kind: MediaKind,
    exercise_name: str,
    media: list[MediaItem],
    skipped: list[SkippedMedia],
) -> None:
    """Append the media record if its licence and author allow it, else note why not."""
    if not url:
        return
    license_name = wger_license(record.get("license"))
    author = _text(record.get("license_author"))
    if license_name is None:
        skipped.append(SkippedMedia(url, f"licence {record.get('license')!r} not allowed"))
        return
    if not author:
        skipped.append(SkippedMedia(url, "no author to credit"))
        return
    source_page = _text(record.get("license_object_url")) or None
    try:
        item = MediaItem(
            kind=kind,
            url=url,
            license=license_name,
            author=author,
            source_page=source_page if source_page and source_page.startswith("https") else None,
            title=_text(record.get("license_title")) or exercise_name,
        )
    except ValidationError:
        skipped.append(SkippedMedia(url, "not an https URL"))
        return
    media.append(item)


def wger_license(raw: object) -> str | None:
    """Our licence name for a wger licence (id, object or short name), None if not allowed."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return WGER_LICENSES.get(raw)
    if isinstance(raw, str):
        return WGER_LICENSES.get(int(raw)) if raw.isdigit() else canonical_license(raw)
    if isinstance(raw, Mapping):
        by_id = wger_license(raw.get("id")) if raw.get("id") is not None else None
        return by_id or canonical_license(_text(raw.get("short_name")) or None)
    return None


def _muscle_names(raw: object) -> list[str]:
    names = []
    for muscle in _list(raw):
        if isinstance(muscle, Mapping):
            # name_en is the plain label ("Quads"); name is anatomical ("Quadriceps femoris").
            names.append(_text(muscle.get("name_en")) or _text(muscle.get("name")))
        elif isinstance(muscle, str):
            names.append(muscle)
    return names


# --- free-exercise-db -------------------------------------------------------------------------


def parse_free_exercise_db(items: Sequence[Mapping[str, Any]]) -> list[ImportedExercise]:
    """Read yuhonas/free-exercise-db entries: names, muscles, equipment, level, instructions.

    Its images are never taken: their provenance is unknown.
    """
    imported = []
    for item in items:
        name = _text(item.get("name"))
        if not name:
            continue
        raw_equipment = _text(item.get("equipment"))
        equipment, all_known = _map_equipment([raw_equipment] if raw_equipment else [])
        raw_category = _text(item.get("category")).casefold()
        if raw_category == "stretching":
            category: str | None = "mobility"
        elif raw_category == "cardio" and not equipment and all_known:
            category = "cardio"
        else:
            category = _category_for(equipment, all_known=all_known)
        imported.append(
            ImportedExercise(
                source="free-exercise-db",
                source_id=_text(item.get("id")) or name,
                name=name,
                aliases=_unique(_text(alias) for alias in _list(item.get("alternateNames"))),
                primary_muscles=_map_muscles(_list(item.get("primaryMuscles"))),
                secondary_muscles=_map_muscles(_list(item.get("secondaryMuscles"))),
                equipment=equipment,
                level=_FREE_DB_LEVELS.get(_text(item.get("level")).casefold()),
                category=category,
                instructions=tuple(_text(step) for step in _list(item.get("instructions"))),
            )
        )
    return imported


# --- merging ----------------------------------------------------------------------------------


def merge_into_catalog(catalog: Catalog, imported: Iterable[ImportedExercise]) -> MergeResult:
    """Fold imports into the catalog without duplicating or overwriting what we curated.

    An import matches an exercise by its normalised name, else by exactly one of its
    aliases. A match gains the import's names as aliases (when no other exercise owns
    them) and its media (new URLs only); muscles, level, category and cues stay ours.
    An unmatched import is added only when it brings muscles, a category and 3 reusable
    instruction sentences to serve as cues, and its name is not a near variant of one we
    have ("Arnold Dumbbell Press"); otherwise it is listed in ``unmatched``.
    Running the same merge twice changes nothing the second time.
    """
    exercises = list(catalog.exercises)
    owner: dict[str, int] = {}
    for index, exercise in enumerate(exercises):
        _claim(owner, exercise, index)
    added = updated = unchanged = media_added = 0
    unmatched: list[str] = []
    for item in imported:
        position = _match(item, owner)
        if position is None:
            new = None
            if not _resembles_existing(item.name, owner):
                new = _new_exercise(item, {exercise.slug for exercise in exercises})
            if new is None:
                unmatched.append(item.name)
                continue
            exercises.append(new)
            _claim(owner, new, len(exercises) - 1)
            added += 1
            media_added += len(new.media)
            continue
        current = exercises[position]
        merged, new_media = _enrich(current, item, owner, position)
        if merged is current:
            unchanged += 1
            continue
        exercises[position] = merged
        _claim(owner, merged, position)
        updated += 1
        media_added += new_media
    return MergeResult(
        catalog=Catalog(exercises),
        added=added,
        updated=updated,
        unchanged=unchanged,
        media_added=media_added,
        unmatched=tuple(unmatched),
    )


def _match(item: ImportedExercise, owner: Mapping[str, int]) -> int | None:
    key = normalise_name(item.name)
    by_name = owner.get(key, owner.get(compact_name(key)))
    if by_name is not None:
        return by_name
    candidates = {
        owner[alias_key]
        for alias_key in (normalise_name(alias) for alias in item.aliases)
        if alias_key in owner
    }
    # Two different exercises claiming the aliases means the import is a variant we
    # cannot place safely; it stays unmatched.
    return candidates.pop() if len(candidates) == 1 else None


def _resembles_existing(name: str, owner: Mapping[str, int]) -> bool:
    """Whether a name is probably a variant of one we have ("Arnold Dumbbell Press").

    Adding it would create a near-duplicate; an admin decides instead.
    """
    match = process.extractOne(
        normalise_name(name), list(owner), scorer=fuzz.token_set_ratio, score_cutoff=NEAR_DUPLICATE
    )
    return match is not None


def _enrich(
    current: Exercise, item: ImportedExercise, owner: Mapping[str, int], position: int
) -> tuple[Exercise, int]:
    """The exercise with the import's free names and new media; the same object if nothing."""
    aliases = list(current.aliases)
    for written in (item.name, *item.aliases):
        key = normalise_name(written)
        if key and owner.get(key, position) == position and key not in _keys_of(current, aliases):
            aliases.append(written)
    known_urls = {media.url for media in current.media if media.url}
    new_media = [media for media in item.media if media.url not in known_urls]
    if aliases == current.aliases and not new_media:
        return current, 0
    merged = current.model_copy(update={"aliases": aliases, "media": [*current.media, *new_media]})
    return Exercise.model_validate(merged.model_dump()), len(new_media)


def _keys_of(exercise: Exercise, aliases: Iterable[str]) -> set[str]:
    return {normalise_name(written) for written in (exercise.name, *aliases)}


def _claim(owner: dict[str, int], exercise: Exercise, position: int) -> None:
    for written in exercise.names():
        key = normalise_name(written)
        owner.setdefault(key, position)
        owner.setdefault(compact_name(key), position)


def _new_exercise(item: ImportedExercise, taken_slugs: set[str]) -> Exercise | None:
    """A catalog exercise built from an unmatched import, or None if it lacks the basics."""
    cues = _cues_from(item.instructions)
    category = item.category if item.category in CATEGORIES else None
    if len(cues) < _MIN_CUES or category is None or not item.primary_muscles:
        return None
    slug = _free_slug("-".join(fold_words(item.name)), taken_slugs)
    secondary = [m for m in item.secondary_muscles if m not in item.primary_muscles]
    try:
        return Exercise.model_validate(
            {
                "slug": slug,
                "name": item.name,
                "aliases": list(item.aliases),
                "primary_muscles": list(item.primary_muscles),
                "secondary_muscles": secondary,
                "equipment": list(item.equipment),
                # free-exercise-db levels are a guess at best; beginner is the safe default.
                "level": item.level if item.level in LEVELS else "beginner",
                "category": category,
                "cues": cues,
                "media": list(item.media),
            }
        )
    except ValidationError:
        return None


def _cues_from(instructions: Iterable[str]) -> list[str]:
    """Short sentences from public-domain instructions, up to five."""
    cues: list[str] = []
    for step in instructions:
        for sentence in re.split(r"(?<=[.!?])\s+", step):
            sentence = re.sub(r"^tip:\s*", "", sentence.strip(), flags=re.IGNORECASE)
            if 0 < len(sentence) <= _MAX_CUE_CHARS and not sentence.casefold().startswith("repeat"):
                cues.append(sentence)
            if len(cues) == _MAX_CUES:
                return cues
    return cues


def _free_slug(base: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9-]+", "", base).strip("-") or "exercise"
    if len(base) > MAX_SLUG_CHARS:
        # Slugs travel in 64-byte button data and an 80-character column: cut at a hyphen.
        base = base[: MAX_SLUG_CHARS + 1].rsplit("-", 1)[0].strip("-") or base[:MAX_SLUG_CHARS]
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


# --- small helpers ----------------------------------------------------------------------------


def _map_muscles(names: Iterable[object]) -> tuple[str, ...]:
    groups = (normalise_muscle(name) for name in names if isinstance(name, str))
    return _unique(group for group in groups if group)


def _map_equipment(names: Iterable[str]) -> tuple[tuple[str, ...], bool]:
    """Our equipment names, and whether every source name was one we know."""
    mapped = []
    all_known = True
    for name in names:
        key = normalise_name(name)
        if key not in _EQUIPMENT:
            all_known = False
            continue
        value = _EQUIPMENT[key]
        if value:
            mapped.append(value)
    return _unique(mapped), all_known


def _category_for(equipment: Sequence[str], *, all_known: bool) -> str | None:
    """Our category from the equipment; None when some equipment is unknown to us."""
    for needed, category in _CATEGORY_BY_EQUIPMENT:
        if needed in equipment:
            return category
    return "bodyweight" if all_known else None


def _absolute(url: str, base_url: str) -> str:
    if url.startswith("/"):
        return base_url + url
    return url


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(normalise_name(value), value)
    return tuple(seen.values())


def _text(value: object) -> str:
    return html.unescape(value).strip() if isinstance(value, str) else ""


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _id(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Mapping):
        return _id(value.get("id"))
    return None
