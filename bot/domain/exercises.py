"""Exercises as domain objects: names and their normalisation, muscles, media items, licences.

Pure (no I/O). Every media item carries its licence and author; ``attribution`` turns them into a
caption line. The catalog file and its loader live in ``bot.catalog``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Final, Literal, get_args
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.errors import ConfigError, NotFoundError

MediaKind = Literal["animation", "video", "photo"]
Level = Literal["beginner", "intermediate", "advanced"]
Category = Literal[
    "bodyweight",
    "dumbbell",
    "barbell",
    "kettlebell",
    "band",
    "machine",
    "cable",
    "mobility",
    "cardio",
]
MuscleGroup = Literal[
    "chest",
    "back",
    "traps",
    "shoulders",
    "biceps",
    "triceps",
    "forearms",
    "abs",
    "obliques",
    "lower back",
    "glutes",
    "quadriceps",
    "hamstrings",
    "calves",
    "hip flexors",
    "adductors",
    "abductors",
    "neck",
    "full body",
]

CATEGORIES: Final[tuple[str, ...]] = get_args(Category)
MUSCLE_GROUPS: Final[tuple[str, ...]] = get_args(MuscleGroup)
LEVELS: Final[tuple[str, ...]] = get_args(Level)
EQUIPMENT: Final[frozenset[str]] = frozenset(
    {
        "barbell",
        "ez bar",
        "dumbbell",
        "kettlebell",
        "band",
        "bench",
        "incline bench",
        "squat rack",
        "pull-up bar",
        "dip bars",
        "box",
        "mat",
        "wall",
        "cable",
        "machine",
        "jump rope",
        "rowing machine",
        "exercise bike",
        "swiss ball",
        "foam roller",
        "medicine ball",
    }
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A file shipped in the catalog package, relative to its data folder: ``demos/squat.gif``.
_PATH_PART = r"[a-z0-9]+(?:[-_][a-z0-9]+)*"
_PACKAGED_FILE = re.compile(rf"^{_PATH_PART}(?:/{_PATH_PART})*\.(?:gif|mp4|png|jpg)$")
_MAX_CUE_CHARS = 140


# --- licences ---------------------------------------------------------------------------------

_CC_VERSIONS = frozenset({"1.0", "2.0", "2.5", "3.0", "4.0"})
_CC_URL = re.compile(r"creativecommons\.org/licenses/(by|by-sa)/(\d(?:\.\d)?)")
_CC0_URL = re.compile(r"creativecommons\.org/publicdomain/zero/1\.0")
_PD_URL = re.compile(r"creativecommons\.org/publicdomain/mark/")


def canonical_license(raw: str | None) -> str | None:
    """Return our spelling of an allowed licence (``CC-BY-SA 4.0``, ``CC0 1.0``...) or None.

    The allow-list is CC0, CC BY, CC BY-SA and the public domain: anything else (NC, ND,
    all rights reserved, unknown) is None, so the caller skips the media item.
    """
    if raw is None:
        return None
    text = raw.strip().casefold()
    if not text:
        return None
    if match := _CC_URL.search(text):
        return _cc_name(match.group(1) == "by-sa", match.group(2))
    if _CC0_URL.search(text):
        return "CC0 1.0"
    if _PD_URL.search(text):
        return "Public domain"
    text = text.replace("creative commons", "cc").replace("attribution", "by")
    text = re.sub(r"share[\s-]?alike", "sa", text)
    tokens = [token for token in re.split(r"[\s\-_/,()]+", text) if token]
    refusals = {"nc", "nd", "noncommercial", "noderivatives", "noderivs", "not", "no"}
    if not tokens or refusals & set(tokens):
        return None
    if "cc0" in tokens or (tokens[0] == "cc" and "zero" in tokens):
        return "CC0 1.0"
    if "public" in tokens and "domain" in tokens:
        # wger calls CC0 "Creative Commons Public Domain 1.0"; a bare "public domain" is PD.
        return "CC0 1.0" if tokens[0] == "cc" else "Public domain"
    if tokens == ["pd"]:
        return "Public domain"
    if tokens[0] == "cc" and "by" in tokens:
        share_alike = "sa" in tokens
        versions = [token for token in tokens if re.fullmatch(r"\d(?:\.\d)?", token)]
        if len(versions) == 1:
            return _cc_name(share_alike, versions[0])
    return None


def _cc_name(share_alike: bool, version: str) -> str | None:
    version = version if "." in version else f"{version}.0"
    if version not in _CC_VERSIONS:
        return None
    return f"CC-BY-SA {version}" if share_alike else f"CC-BY {version}"


def license_url(license_name: str) -> str | None:
    """The Creative Commons page of one of our licence names, or None (public domain)."""
    if license_name == "CC0 1.0":
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    if match := re.fullmatch(r"CC-(BY|BY-SA) (\d\.\d)", license_name):
        return f"https://creativecommons.org/licenses/{match.group(1).lower()}/{match.group(2)}/"
    return None


def license_display(license_name: str) -> str:
    """Write a licence the way Creative Commons asks for it in credits (``CC BY-SA 4.0``)."""
    return "CC " + license_name[3:] if license_name.startswith("CC-") else license_name


# --- names and muscles ------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^\w]+|_")
_APOSTROPHES = re.compile(r"['’ʼ`]")
_TRAILING_S_KEEP = ("ss", "us", "is")


def normalise_name(text: str) -> str:
    """Fold an exercise name to the key that lookups and uniqueness checks compare.

    Lowercase, ё→е, accents removed, punctuation to spaces, spaces collapsed, and each
    English word reduced to a singular (``Push-Ups`` → ``push up``, ``Flies`` → ``fly``).
    """
    return " ".join(singular(word) for word in fold_words(text))


def fold_words(text: str) -> list[str]:
    """The words of ``text`` lowercased, with ё→е and accents removed, before singulars."""
    # Decompose before and after casefolding: each can produce what the other must fold.
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    stripped = "".join(ch for ch in folded if not unicodedata.combining(ch))
    # Apostrophes join ("farmer's" → "farmers"), so possessives singularise like plurals.
    joined = _APOSTROPHES.sub("", stripped.replace("ё", "е"))
    return _NON_WORD.sub(" ", joined).split()


def compact_name(key: str) -> str:
    """Drop the spaces of a normalised key, so ``benchpress`` meets ``bench press``."""
    return key.replace(" ", "")


_SHORT_PLURALS: Final[Mapping[str, str]] = MappingProxyType({"ups": "up"})


def singular(word: str) -> str:
    """A crude English singular of one folded word; other scripts pass through unchanged."""
    # Russian endings are covered by aliases: stemming Cyrillic would merge unrelated words.
    if not word.isascii() or not word.isalpha():
        return word
    if len(word) <= 3:
        return _SHORT_PLURALS.get(word, word)
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("lves"):
        return word[:-3] + "f"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(_TRAILING_S_KEEP):
        return word[:-1]
    return word


_MUSCLE_SYNONYM_TEXT: Final[Mapping[str, str]] = MappingProxyType(
    {
        # wger anatomical names (``name``) and their English labels (``name_en``)
        "pectoralis major": "chest",
        "pec": "chest",
        "pectoral": "chest",
        "serratus anterior": "chest",
        "latissimus dorsi": "back",
        "lat": "back",
        "middle back": "back",
        "upper back": "back",
        "rhomboid": "back",
        "trapezius": "traps",
        "trap": "traps",
        "anterior deltoid": "shoulders",
        "deltoid": "shoulders",
        "delt": "shoulders",
        "shoulder": "shoulders",
        "biceps brachii": "biceps",
        "bicep": "biceps",
        "brachialis": "biceps",
        "triceps brachii": "triceps",
        "tricep": "triceps",
        "forearm": "forearms",
        "rectus abdominis": "abs",
        "abdominal": "abs",
        "ab": "abs",
        "core": "abs",
        "obliquus externus abdominis": "obliques",
        "oblique": "obliques",
        "erector spinae": "lower back",
        "gluteus maximus": "glutes",
        "glute": "glutes",
        "quadriceps femoris": "quadriceps",
        "quad": "quadriceps",
        "quadricep": "quadriceps",
        "biceps femoris": "hamstrings",
        "hamstring": "hamstrings",
        "gastrocnemius": "calves",
        "soleus": "calves",
        "calf": "calves",
        "hip flexor": "hip flexors",
        "iliopsoas": "hip flexors",
        "adductor": "adductors",
        "abductor": "abductors",
        "full body": "full body",
        "whole body": "full body",
        # a few words people type in the languages the bot hears most
        "грудь": "chest",
        "грудные": "chest",
        "спина": "back",
        "плечи": "shoulders",
        "бицепс": "biceps",
        "трицепс": "triceps",
        "предплечья": "forearms",
        "пресс": "abs",
        "ягодицы": "glutes",
        "квадрицепс": "quadriceps",
        "икры": "calves",
        "pecho": "chest",
        "espalda": "back",
        "hombro": "shoulders",
        "gluteo": "glutes",
        "brust": "chest",
        "rucken": "back",
        "schulter": "shoulders",
        "bauch": "abs",
        "wade": "calves",
    }
)


_MUSCLE_SYNONYMS: Final[Mapping[str, str]] = MappingProxyType(
    {normalise_name(written): group for written, group in _MUSCLE_SYNONYM_TEXT.items()}
    | {normalise_name(group): group for group in MUSCLE_GROUPS}
)


def normalise_muscle(raw: str) -> str | None:
    """Map a muscle name from any source (``Quads``, ``Latissimus dorsi``, ``ягодицы``).

    Returns one of MUSCLE_GROUPS, or None for names we do not recognise.
    """
    return _MUSCLE_SYNONYMS.get(normalise_name(raw))


# --- models -----------------------------------------------------------------------------------

_PACKAGED_PATH = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$")


def is_packaged_path(path: str) -> bool:
    """Whether ``path`` is relative, forward-slashed and stays inside its root (no ``..``)."""
    return len(path) <= 512 and _PACKAGED_PATH.fullmatch(path) is not None


class MediaItem(BaseModel):
    """One demo (GIF, video or photo) with the licence and author its caption must show.

    It is found at exactly one of: an https ``url``, a Telegram ``file_id``, or a ``file``
    shipped in the package (a path relative to ``bot/catalog/data``, e.g. ``demos/squat.gif``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: MediaKind
    url: str | None = None
    file_id: str | None = None
    file: str | None = None
    license: str
    author: str
    source_page: str | None = None
    title: str | None = None

    @field_validator("license")
    @classmethod
    def _allowed_license(cls, value: str) -> str:
        canonical = canonical_license(value)
        if canonical is None:
            raise ValueError(f"licence {value!r} is not CC0, CC BY, CC BY-SA or public domain")
        return canonical

    @field_validator("author")
    @classmethod
    def _author_present(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("author must name who made the media")
        return value.strip()

    @field_validator("url", "source_page")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is not None and urlsplit(value).scheme != "https":
            raise ValueError(f"{value!r} is not an https URL")
        return value

    @field_validator("file")
    @classmethod
    def _packaged_path(cls, value: str | None) -> str | None:
        if value is not None and not (is_packaged_path(value) and _PACKAGED_FILE.fullmatch(value)):
            raise ValueError(
                f"file {value!r} must be a lowercase relative path inside the package's data "
                "folder ending in .gif, .mp4, .png or .jpg"
            )
        return value

    @model_validator(mode="after")
    def _one_location(self) -> MediaItem:
        if [self.url, self.file_id, self.file].count(None) != 2:
            raise ValueError("a media item has exactly one of url, file_id and file")
        return self


@dataclass(frozen=True, slots=True)
class CatalogMedia:
    """A demo as the catalog keeps it: a MediaItem's fields plus its id, exercise, origin
    ("catalog", "admin" or an importer), sending position, Telegram's file_id cache and
    failure state. Read back as stored, so ``kind`` and ``license`` are not re-validated."""

    id: int
    exercise_slug: str
    kind: str
    url: str | None
    file_id: str | None
    license: str
    author: str
    source_page: str | None
    title: str | None
    origin: str
    position: int
    telegram_file_id: str | None = None
    failing_at: datetime | None = None
    failure: str | None = None
    file: str | None = None


class Exercise(BaseModel):
    """A catalog exercise: names to find it by, muscles, equipment, cues of our own and demos."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    slug: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    primary_muscles: list[MuscleGroup] = Field(min_length=1)
    secondary_muscles: list[MuscleGroup] = Field(default_factory=list)
    equipment: list[str] = Field(default_factory=list)
    level: Level
    category: Category
    cues: list[str] = Field(min_length=3, max_length=5)
    media: list[MediaItem] = Field(default_factory=list)

    @field_validator("slug")
    @classmethod
    def _slug_shape(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError(f"slug {value!r} must be lowercase words joined by hyphens")
        return value

    @field_validator("name")
    @classmethod
    def _name_present(cls, value: str) -> str:
        if not normalise_name(value):
            raise ValueError("name must contain letters")
        return value.strip()

    @field_validator("aliases")
    @classmethod
    def _aliases_present(cls, value: list[str]) -> list[str]:
        for alias in value:
            if not normalise_name(alias):
                raise ValueError(f"alias {alias!r} has no letters")
        return [alias.strip() for alias in value]

    @field_validator("equipment")
    @classmethod
    def _known_equipment(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - EQUIPMENT)
        if unknown:
            raise ValueError(f"unknown equipment {unknown}; known: {sorted(EQUIPMENT)}")
        return value

    @field_validator("cues")
    @classmethod
    def _short_cues(cls, value: list[str]) -> list[str]:
        for cue in value:
            if not cue.strip() or len(cue) > _MAX_CUE_CHARS:
                raise ValueError(f"cue {cue!r} must be 1..{_MAX_CUE_CHARS} characters")
        return [cue.strip() for cue in value]

    @model_validator(mode="after")
    def _secondary_not_primary(self) -> Exercise:
        both = set(self.primary_muscles) & set(self.secondary_muscles)
        if both:
            raise ValueError(f"{sorted(both)} listed as both primary and secondary")
        return self

    def names(self) -> list[str]:
        """The name followed by every alias, as written."""
        return [self.name, *self.aliases]


class Catalog:
    """An immutable set of exercises with unique slugs and unambiguous names.

    Each normalised name or alias belongs to one exercise only, so a lookup by name
    never has to choose between two entries.
    """

    def __init__(self, exercises: Iterable[Exercise]) -> None:
        self._exercises = tuple(exercises)
        by_slug: dict[str, Exercise] = {}
        keys: dict[str, Exercise] = {}
        compact: dict[str, Exercise] = {}
        for exercise in self._exercises:
            if exercise.slug in by_slug:
                raise ConfigError(f"exercise slug {exercise.slug!r} appears twice in the catalog")
            by_slug[exercise.slug] = exercise
            for written in exercise.names():
                key = normalise_name(written)
                owner = keys.setdefault(key, exercise)
                if owner.slug != exercise.slug:
                    raise ConfigError(
                        f"name {written!r} of {exercise.slug!r} is already a name of "
                        f"{owner.slug!r}; rename or drop the alias"
                    )
                compact.setdefault(compact_name(key), exercise)
        self._by_slug = MappingProxyType(by_slug)
        self._keys = MappingProxyType(keys)
        # Compact keys ("benchpress") are tried after the spaced keys; two exercises
        # sharing one is allowed, and the first in the file answers it.
        self._compact = MappingProxyType(compact)

    @property
    def exercises(self) -> tuple[Exercise, ...]:
        """Every exercise, in file order."""
        return self._exercises

    @property
    def name_keys(self) -> Mapping[str, Exercise]:
        """Normalised name or alias → its exercise."""
        return self._keys

    @property
    def compact_keys(self) -> Mapping[str, Exercise]:
        """Normalised name or alias without spaces → its exercise."""
        return self._compact

    def __len__(self) -> int:
        return len(self._exercises)

    def __iter__(self) -> Iterator[Exercise]:
        return iter(self._exercises)

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def get(self, slug: str) -> Exercise | None:
        """The exercise with this slug, or None."""
        return self._by_slug.get(slug)

    def require(self, slug: str) -> Exercise:
        """The exercise with this slug; NotFoundError when there is none."""
        exercise = self._by_slug.get(slug)
        if exercise is None:
            raise NotFoundError(f"no exercise with slug {slug!r}")
        return exercise

    def by_muscle(self, group: str, *, include_secondary: bool = False) -> list[Exercise]:
        """Exercises that train ``group`` (a name from MUSCLE_GROUPS), primary movers first."""
        primary = [ex for ex in self._exercises if group in ex.primary_muscles]
        if not include_secondary:
            return primary
        return primary + [ex for ex in self._exercises if group in ex.secondary_muscles]

    def muscle_groups(self) -> list[str]:
        """Groups some exercise trains as a primary mover, in MUSCLE_GROUPS order."""
        present = {group for ex in self._exercises for group in ex.primary_muscles}
        return [group for group in MUSCLE_GROUPS if group in present]


# --- captions ---------------------------------------------------------------------------------

_KIND_LABEL: Final[Mapping[str, str]] = MappingProxyType(
    {"animation": "Animation", "video": "Video", "photo": "Image"}
)


def attribution(item: MediaItem) -> str:
    """One caption line crediting a media item: title, author, licence and source.

    ``“Squat” by X, CC BY-SA 4.0, via wger.de``; without a title, ``Image by X, ...``.
    """
    credit = (
        f"“{item.title}” by {item.author}"
        if item.title
        else (f"{_KIND_LABEL[item.kind]} by {item.author}")
    )
    parts = [credit, license_display(item.license)]
    source = _source_host(item.source_page or item.url)
    if source:
        parts.append(f"via {source}")
    return ", ".join(parts)


def _source_host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname or ""
    host = host.removeprefix("www.")
    if host in {"upload.wikimedia.org", "commons.wikimedia.org"}:
        return "Wikimedia Commons"
    return host or None
