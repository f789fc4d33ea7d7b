"""The exercise catalog as the bot uses it: stored in the database, looked up in memory.

Lookups (``find``, ``mentioned``, ``lookup``) run over an in-memory catalog built from the
database at start; each demo's send state (file_id cache, failures) lives in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final, cast, get_args

from pydantic import ValidationError

from bot.catalog.credits import EVERKINETIC_CHANGES, SourceCredit, source_credits
from bot.catalog.demos import packaged_demo_slugs
from bot.catalog.loader import load_catalog
from bot.catalog.lookup import (
    LookupResult,
    by_muscle,
    find_exercise,
    mentioned_exercises,
    muscle_groups,
)
from bot.domain.exercises import (
    Catalog,
    CatalogMedia,
    Exercise,
    MediaItem,
    MediaKind,
    attribution,
    normalise_name,
)
from bot.errors import NotFoundError
from bot.i18n import Text
from bot.storage import Database
from bot.storage import exercises as rows

logger = logging.getLogger(__name__)

OWNER_LICENSE: Final = "Provided by the owner"
_KINDS: Final = frozenset(get_args(MediaKind))


@dataclass(frozen=True)
class Demo:
    """One stored demo of an exercise: where it is (URL, an admin's file_id or a packaged
    file), the file_id Telegram gave its first send, and its credit."""

    id: int
    exercise_slug: str
    kind: MediaKind
    url: str | None
    file_id: str | None
    cached_file_id: str | None
    license: str
    author: str
    source_page: str | None = None
    title: str | None = None
    origin: str = rows.CATALOG
    file: str | None = None

    @property
    def needs_credit(self) -> bool:
        """CC BY and CC BY-SA ask for attribution wherever the work is shown."""
        return self.license.startswith("CC-BY")

    def credit(self) -> str:
        """One line crediting title, author, licence and source."""
        if self.license == OWNER_LICENSE:
            kind = Text(f"demos.kind.{self.kind}")
            return Text("demos.credit_owner", kind=kind, author=self.author)
        item = MediaItem.model_construct(
            kind=self.kind,
            url=self.url,
            file_id=self.file_id,
            file=self.file,
            license=self.license,
            author=self.author,
            source_page=self.source_page,
            title=self.title,
        )
        if self.file is not None:
            # The packaged demos are changed works: their licence asks to say how.
            return f"{attribution(item)}, {EVERKINETIC_CHANGES}"
        return attribution(item)

    def without_cache(self) -> Demo:
        """The same demo, to be sent from where it is (URL or packaged file) again."""
        return replace(self, cached_file_id=None)


@dataclass(frozen=True)
class Credit:
    """A demo and the exercise it shows, for /credits."""

    exercise: Exercise
    demo: Demo


class CatalogService:
    """The exercise catalog: lookups by name, by muscle and in the coach's answers, and demos.

    ``find`` and ``mentioned`` (the coach's DemoFinder) return only exercises with a demo to
    show, so the model is never told a demo follows when none can.
    """

    def __init__(
        self,
        database: Database,
        catalog: Catalog,
        with_demos: Iterable[str],
        sources: Iterable[str] = (),
    ) -> None:
        self._database = database
        self._catalog = catalog
        self._with_demos = set(with_demos)
        self._sources = frozenset(sources)

    @classmethod
    async def open(cls, database: Database) -> CatalogService:
        """Load the stored catalog; an empty database is seeded from the packaged file first."""
        async with database.transaction() as session:
            exercises = await rows.all_exercises(session)
            media = await rows.all_media(session)
            origins = await rows.exercise_origins(session)
        if not exercises:
            logger.info("No stored exercise catalog: seeding it from the packaged file")
            await seed_catalog(database)
            async with database.transaction() as session:
                exercises = await rows.all_exercises(session)
                media = await rows.all_media(session)
                origins = await rows.exercise_origins(session)
        catalog = build_catalog(exercises, media)
        with_demos = {item.exercise_slug for item in media if item.failing_at is None}
        logger.info("Exercise catalog: %d exercises, %d with demos", len(catalog), len(with_demos))
        sources = origins - {rows.CATALOG}
        return cls(database, catalog, with_demos & {ex.slug for ex in catalog}, sources)

    @property
    def catalog(self) -> Catalog:
        return self._catalog

    # --- lookups (in memory) ----------------------------------------------------------------

    def lookup(self, query: str) -> LookupResult:
        """The exercise a user's query names (with variants for a generic name), or suggestions."""
        return find_exercise(self._catalog, query, self.shows_demo)

    def exercise(self, slug: str) -> Exercise | None:
        return self._catalog.get(slug)

    def has_demo(self, slug: str) -> bool:
        return slug in self._with_demos

    def shows_demo(self, exercise: Exercise) -> bool:
        """Whether a demo of the exercise is stored or ships in the package."""
        return self.has_demo(exercise.slug) or exercise.slug in packaged_demo_slugs()

    def find(self, name: str) -> Exercise | None:
        """The exercise a name means, when the match is confident and it has a demo to show."""
        exercise = find_exercise(self._catalog, name, self.shows_demo).exercise
        return exercise if exercise is not None and self.has_demo(exercise.slug) else None

    def mentioned(self, text: str, limit: int) -> list[Exercise]:
        """Exercises with demos named in free text, in order of appearance, at most ``limit``."""
        named = mentioned_exercises(self._catalog, text, len(self._catalog))
        return [exercise for exercise in named if self.has_demo(exercise.slug)][:limit]

    def muscle_groups(self) -> list[str]:
        return muscle_groups(self._catalog)

    def by_muscle(self, group: str) -> list[Exercise]:
        """Exercises for a muscle group as written; UserInputError for an unknown group."""
        return by_muscle(self._catalog, group)

    # --- demos (in the database) ------------------------------------------------------------

    async def demos_for(self, exercise: Exercise) -> list[Demo]:
        """The exercise's demos that are not failing, first choice first."""
        async with self._database.transaction() as session:
            stored = await rows.media_of(session, exercise.slug)
        demos = [demo for demo in (_demo(item) for item in stored) if demo is not None]
        if demos:
            self._with_demos.add(exercise.slug)
        else:
            self._with_demos.discard(exercise.slug)
        return demos

    async def remember_file_id(self, demo: Demo, file_id: str) -> None:
        """Cache the file_id of a demo sent by URL or upload: later sends go by file_id."""
        async with self._database.transaction() as session:
            await rows.remember_file_id(session, demo.id, file_id)

    async def forget_file_id(self, demo: Demo) -> None:
        """Drop a cached file_id Telegram refused; the next send goes by URL or upload again."""
        async with self._database.transaction() as session:
            await rows.forget_file_id(session, demo.id)

    async def mark_failing(self, demo: Demo, reason: str) -> None:
        """Mark a demo Telegram refused; it is skipped from then on."""
        logger.warning("Demo %d of %s marked failing: %s", demo.id, demo.exercise_slug, reason)
        async with self._database.transaction() as session:
            await rows.mark_failing(session, demo.id, reason, datetime.now(UTC))
            remaining = await rows.media_of(session, demo.exercise_slug)
        if not remaining:
            self._with_demos.discard(demo.exercise_slug)

    async def set_admin_media(self, slug: str, kind: MediaKind, file_id: str, author: str) -> Demo:
        """Store an admin's upload as the first choice for an exercise.

        Raises NotFoundError when the slug is not in the catalog.
        """
        if slug not in self._catalog:
            raise NotFoundError(f"no exercise with slug {slug!r}")
        async with self._database.transaction() as session:
            stored = await rows.add_admin_media(
                session,
                slug,
                kind=kind,
                file_id=file_id,
                author=author.strip() or "the owner",
                license=OWNER_LICENSE,
            )
        self._with_demos.add(slug)
        demo = _demo(stored)
        assert demo is not None  # the kind was checked by the type
        return demo

    async def credits(self) -> list[Credit]:
        """Every demo that is shown, with its exercise's name, in catalog order."""
        async with self._database.transaction() as session:
            stored = await rows.all_media(session, include_failing=False)
        order = {exercise.slug: index for index, exercise in enumerate(self._catalog)}
        credits = []
        for item in stored:
            exercise = self._catalog.get(item.exercise_slug)
            demo = _demo(item)
            if exercise is not None and demo is not None:
                credits.append(Credit(exercise=exercise, demo=demo))
        # sorted() is stable: within an exercise the demos keep their sending priority.
        return sorted(credits, key=lambda credit: order[credit.exercise.slug])

    def source_credits(self) -> list[SourceCredit]:
        """Every source and licence of the packaged demos, Everkinetic first, for /credits."""
        return source_credits()

    @property
    def sources(self) -> frozenset[str]:
        """Where exercises other than ours came from ("wger", "free-exercise-db")."""
        return self._sources


# --- catalog <-> rows ---------------------------------------------------------------------------


def build_catalog(exercises: Sequence[Exercise], media: Sequence[CatalogMedia]) -> Catalog:
    """The in-memory catalog of the stored exercises (curated ones first) with their demos.

    A name two exercises claim stays with the first (an importer's alias never takes a
    curated name); an entry that no longer validates is skipped with a warning rather than
    stopping the bot.
    """
    media_of: dict[str, list[MediaItem]] = {}
    for item in media:
        if item.origin == rows.ADMIN or (item.url is None and item.file is None):
            continue  # admin uploads are sent by file_id and credited from the database
        try:
            media_item = MediaItem(
                kind=_kind(item.kind),
                url=item.url,
                file=item.file if item.url is None else None,
                license=item.license,
                author=item.author,
                source_page=item.source_page,
                title=item.title,
            )
        except ValueError:  # ValidationError included
            continue
        media_of.setdefault(item.exercise_slug, []).append(media_item)
    claimed: set[str] = set()
    built: list[Exercise] = []
    for stored in exercises:
        exercise = _exercise(stored, media_of.get(stored.slug, []), claimed)
        if exercise is None:
            continue
        claimed.update(normalise_name(written) for written in exercise.names())
        built.append(exercise)
    return Catalog(built)


def _exercise(stored: Exercise, media: list[MediaItem], claimed: set[str]) -> Exercise | None:
    if normalise_name(stored.name) in claimed:
        logger.warning("Exercise %s skipped: its name belongs to another exercise", stored.slug)
        return None
    aliases = [alias for alias in stored.aliases if normalise_name(alias) not in claimed]
    values: dict[str, Any] = {**stored.model_dump(), "aliases": aliases, "media": media}
    try:
        return Exercise.model_validate(values)
    except ValidationError as exc:
        logger.warning("Exercise %s skipped: %s", stored.slug, exc.errors()[0]["msg"])
        return None


def _kind(value: str) -> MediaKind:
    """A stored kind as our type; ValueError for one we never write."""
    if value not in _KINDS:
        raise ValueError(f"unknown media kind {value!r}")
    return cast(MediaKind, value)


def _demo(item: CatalogMedia) -> Demo | None:
    if item.kind not in _KINDS or (item.url is None and item.file_id is None and item.file is None):
        return None
    return Demo(
        id=item.id,
        exercise_slug=item.exercise_slug,
        kind=_kind(item.kind),
        url=item.url,
        file_id=item.file_id,
        cached_file_id=item.telegram_file_id,
        license=item.license,
        author=item.author,
        source_page=item.source_page,
        title=item.title,
        origin=item.origin,
        file=item.file,
    )


async def seed_catalog(database: Database, catalog: Catalog | None = None) -> rows.SeedCounts:
    """Bring the stored catalog in line with the packaged file (or ``catalog``); idempotent."""
    source = catalog if catalog is not None else load_catalog()
    async with database.transaction() as session:
        counts = await rows.seed_catalog(session, list(source))
    if counts.added or counts.updated or counts.removed:
        logger.info(
            "Exercise catalog seeded: %d added, %d updated, %d removed, %d unchanged",
            counts.added,
            counts.updated,
            counts.removed,
            counts.unchanged,
        )
    if counts.kept:
        logger.info(
            "Exercises no longer in the catalog file kept for their own media: %s",
            ", ".join(counts.kept),
        )
    return counts
