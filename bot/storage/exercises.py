"""Repository functions for the exercise catalog and its media; callers own the transaction.

Seeding from the packaged file touches only what the file owns (``origin == "catalog"``);
media an admin uploaded or an importer added are never deleted by it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.exercises import CatalogMedia, Exercise, MediaItem, normalise_name
from bot.errors import NotFoundError
from bot.storage.models import CatalogExercise, ExerciseMedia

logger = logging.getLogger(__name__)

CATALOG: Final = "catalog"
ADMIN: Final = "admin"
# Imported media sort after the curated ones of the same exercise.
IMPORTED_POSITION: Final = 1000
_FAILURE_CHARS: Final = 200


@dataclass
class SeedCounts:
    """What seeding did: exercises added, updated, unchanged and removed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    kept: list[str] = field(default_factory=list)


# --- reading ----------------------------------------------------------------------------------


async def all_exercises(session: AsyncSession) -> list[Exercise]:
    """Every stored exercise that still validates (without media): the packaged catalog's
    first, then the imported ones, each group by slug. A broken entry is skipped with a warning.
    """
    rows = await session.scalars(
        select(CatalogExercise).order_by(CatalogExercise.origin != CATALOG, CatalogExercise.slug)
    )
    return [exercise for exercise in map(_exercise, rows) if exercise is not None]


async def exercise_slugs(session: AsyncSession) -> set[str]:
    """The slug of every stored exercise, including entries that no longer validate."""
    return set(await session.scalars(select(CatalogExercise.slug)))


async def exercise_origins(session: AsyncSession) -> set[str]:
    """Where the stored exercises came from: "catalog" and the importers' names."""
    return set(await session.scalars(select(CatalogExercise.origin).distinct()))


async def all_media(session: AsyncSession, *, include_failing: bool = True) -> list[CatalogMedia]:
    """Every media row, in sending priority per exercise (see ``priority``)."""
    statement = select(ExerciseMedia)
    if not include_failing:
        statement = statement.where(ExerciseMedia.failing_at.is_(None))
    rows = [_media(row) for row in await session.scalars(statement)]
    return sorted(rows, key=lambda media: (media.exercise_slug, *priority(media)))


async def media_of(session: AsyncSession, slug: str) -> list[CatalogMedia]:
    """The demos of one exercise that are not failing, first choice first."""
    rows = await session.scalars(
        select(ExerciseMedia).where(
            ExerciseMedia.exercise_slug == slug, ExerciseMedia.failing_at.is_(None)
        )
    )
    return sorted((_media(row) for row in rows), key=priority)


def priority(media: CatalogMedia) -> tuple[int, int, int]:
    """Sort key: admin uploads first (newest first), then by position, then oldest first."""
    if media.origin == ADMIN:
        return (0, -media.position, -media.id)
    return (1, media.position, media.id)


# --- seeding ----------------------------------------------------------------------------------


def entry_hash(exercise: Exercise) -> str:
    """A stable hash of a catalog entry, to notice when the file changed it."""
    payload = {
        "slug": exercise.slug,
        "name": exercise.name,
        "data": _data(exercise),
        "media": [_media_fields(item) for item in exercise.media],
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


async def seed_catalog(session: AsyncSession, exercises: Sequence[Exercise]) -> SeedCounts:
    """Make the stored catalog match the packaged file; idempotent.

    New entries are inserted; a changed entry replaces its row's data and its catalog media
    (keeping the file_id cache of URLs that stay); an unchanged entry is not touched.
    An exercise the file no longer has is deleted, unless an admin or an importer gave it
    media: then it stays (listed in ``kept``).
    """
    counts = SeedCounts()
    existing = {row.slug: row for row in await session.scalars(select(CatalogExercise))}
    media_rows: dict[str, list[ExerciseMedia]] = {}
    for media in await session.scalars(select(ExerciseMedia)):
        media_rows.setdefault(media.exercise_slug, []).append(media)
    for record in exercises:
        digest = entry_hash(record)
        row = existing.pop(record.slug, None)
        if row is None:
            session.add(
                CatalogExercise(
                    slug=record.slug,
                    name=record.name,
                    data=_dump(_data(record)),
                    extra_aliases="[]",
                    origin=CATALOG,
                    seed_hash=digest,
                )
            )
            await _sync_media(session, record, [])
            counts.added += 1
            continue
        if row.origin == CATALOG and row.seed_hash == digest:
            counts.unchanged += 1
            continue
        row.name = record.name
        row.data = _dump(_data(record))
        row.origin = CATALOG
        row.seed_hash = digest
        await _sync_media(session, record, media_rows.get(record.slug, []))
        counts.updated += 1
    for slug, row in existing.items():
        if row.origin != CATALOG:
            continue
        if any(media.origin != CATALOG for media in media_rows.get(slug, [])):
            counts.kept.append(slug)
            continue
        await session.delete(row)
        counts.removed += 1
    await session.flush()
    return counts


async def _sync_media(session: AsyncSession, record: Exercise, rows: list[ExerciseMedia]) -> None:
    """Give an exercise exactly the file's catalog media, reusing rows with the same location."""
    by_location = {
        _location(row.url, row.file_id, row.file): row for row in rows if row.origin != ADMIN
    }
    wanted: set[int] = set()
    for position, item in enumerate(record.media):
        row = by_location.get(_location(item.url, item.file_id, item.file))
        if row is None:
            row = ExerciseMedia(
                exercise_slug=record.slug, url=item.url, file_id=item.file_id, file=item.file
            )
            session.add(row)
        elif row.kind != item.kind:
            row.telegram_file_id = None  # a cached id is for the kind it was sent as
        row.kind = item.kind
        row.license = item.license
        row.author = item.author
        row.source_page = item.source_page
        row.title = item.title
        row.origin = CATALOG
        row.position = position
        if row.id is not None:
            wanted.add(row.id)
    for row in rows:
        if row.origin == CATALOG and row.id not in wanted:
            # The file dropped it. Rows just adopted above have origin "catalog" and are wanted.
            await session.delete(row)


def _location(url: str | None, file_id: str | None, file: str | None) -> tuple[str, str]:
    if url is not None:
        return ("url", url)
    if file is not None:
        return ("file", file)
    return ("file_id", file_id or "")


# --- importing --------------------------------------------------------------------------------


async def add_exercise(session: AsyncSession, record: Exercise, *, origin: str) -> None:
    """Insert an exercise an importer found, with its media."""
    session.add(
        CatalogExercise(
            slug=record.slug,
            name=record.name,
            data=_dump(_data(record)),
            extra_aliases="[]",
            origin=origin,
            seed_hash=None,
        )
    )
    await session.flush()
    await add_media(session, record.slug, record.media, origin=origin)


async def add_aliases(session: AsyncSession, slug: str, aliases: Iterable[str]) -> int:
    """Remember names an importer found for an exercise; returns how many were new."""
    row = await session.get(CatalogExercise, slug)
    if row is None:
        raise NotFoundError(f"no exercise with slug {slug!r}")
    current: list[str] = json.loads(row.extra_aliases)
    new: list[str] = []
    for alias in aliases:
        if alias not in current and alias not in new:
            new.append(alias)
    if new:
        row.extra_aliases = _dump([*current, *new])
    return len(new)


async def add_media(
    session: AsyncSession, slug: str, media: Iterable[MediaItem], *, origin: str
) -> int:
    """Add media to an exercise, skipping URLs and file_ids it already has; returns the count."""
    rows = await session.scalars(select(ExerciseMedia).where(ExerciseMedia.exercise_slug == slug))
    known = {_location(row.url, row.file_id, row.file) for row in rows}
    added = 0
    for item in media:
        location = _location(item.url, item.file_id, item.file)
        if location in known:
            continue
        known.add(location)
        session.add(
            ExerciseMedia(
                exercise_slug=slug,
                kind=item.kind,
                url=item.url,
                file_id=item.file_id,
                file=item.file,
                license=item.license,
                author=item.author,
                source_page=item.source_page,
                title=item.title,
                origin=origin,
                position=IMPORTED_POSITION + added,
            )
        )
        added += 1
    await session.flush()
    return added


# --- sending ----------------------------------------------------------------------------------


async def add_admin_media(
    session: AsyncSession, slug: str, *, kind: str, file_id: str, author: str, license: str
) -> CatalogMedia:
    """Store an admin's upload as the exercise's first choice; the same file again moves up."""
    if await session.get(CatalogExercise, slug) is None:
        raise NotFoundError(f"no exercise with slug {slug!r}")
    top = await session.scalar(
        select(func.max(ExerciseMedia.position)).where(
            ExerciseMedia.exercise_slug == slug, ExerciseMedia.origin == ADMIN
        )
    )
    position = (top or 0) + 1
    row = await session.scalar(
        select(ExerciseMedia).where(
            ExerciseMedia.exercise_slug == slug, ExerciseMedia.file_id == file_id
        )
    )
    if row is None:
        row = ExerciseMedia(exercise_slug=slug, file_id=file_id)
        session.add(row)
    row.kind = kind
    row.license = license
    row.author = author
    row.origin = ADMIN
    row.position = position
    row.failing_at = None
    row.failure = None
    await session.flush()
    return _media(row)


async def remember_file_id(session: AsyncSession, media_id: int, file_id: str) -> None:
    """Cache the file_id Telegram gave a send by URL or upload; later sends go by file_id."""
    await session.execute(
        update(ExerciseMedia).where(ExerciseMedia.id == media_id).values(telegram_file_id=file_id)
    )


async def forget_file_id(session: AsyncSession, media_id: int) -> None:
    """Drop a cached file_id Telegram no longer accepts (another bot token, say)."""
    await session.execute(
        update(ExerciseMedia).where(ExerciseMedia.id == media_id).values(telegram_file_id=None)
    )


async def mark_failing(session: AsyncSession, media_id: int, reason: str, at: datetime) -> None:
    """Mark a media item Telegram refused; it is skipped from then on."""
    await session.execute(
        update(ExerciseMedia)
        .where(ExerciseMedia.id == media_id)
        .values(failing_at=at, failure=reason[:_FAILURE_CHARS], telegram_file_id=None)
    )


# --- domain objects to rows and back ----------------------------------------------------------


def _data(exercise: Exercise) -> dict[str, Any]:
    """An exercise's entry apart from slug, name and media, as JSON-able data."""
    return exercise.model_dump(mode="json", exclude={"slug", "name", "media"})


def _media_fields(item: MediaItem) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": item.kind,
        "license": item.license,
        "author": item.author,
        "url": item.url,
        "file_id": item.file_id,
        "source_page": item.source_page,
        "title": item.title,
    }
    if item.file is not None:  # entries without packaged files keep the hash they had before
        fields["file"] = item.file
    return fields


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _exercise(row: CatalogExercise) -> Exercise | None:
    """The exercise of a row (without media), or None when the entry no longer validates.

    Names an importer found join the entry's aliases, each name once.
    """
    data: dict[str, Any] = json.loads(row.data)
    aliases: list[str] = []
    seen = {normalise_name(row.name)}
    for alias in [*data.get("aliases", []), *json.loads(row.extra_aliases or "[]")]:
        key = normalise_name(alias)
        if key and key not in seen:
            seen.add(key)
            aliases.append(alias)
    values = {**data, "slug": row.slug, "name": row.name, "aliases": aliases, "media": []}
    try:
        return Exercise.model_validate(values)
    except ValidationError as exc:
        logger.warning("Exercise %s skipped: %s", row.slug, exc.errors()[0]["msg"])
        return None


def _media(row: ExerciseMedia) -> CatalogMedia:
    return CatalogMedia(
        id=row.id,
        exercise_slug=row.exercise_slug,
        kind=row.kind,
        url=row.url,
        file_id=row.file_id,
        file=row.file,
        license=row.license,
        author=row.author,
        source_page=row.source_page,
        title=row.title,
        origin=row.origin,
        position=row.position,
        telegram_file_id=row.telegram_file_id,
        failing_at=row.failing_at,
        failure=row.failure,
    )
