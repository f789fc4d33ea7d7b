"""Import exercises from wger and free-exercise-db into the stored catalog, without duplicates.

Imports merge into the database (never the packaged file) through ``merge_into_catalog``:
known exercises gain names and media, new ones arrive only with muscles and reusable cues.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bot.catalog.importers import (
    WGER_BASE_URL,
    ImportedExercise,
    Source,
    merge_into_catalog,
    parse_free_exercise_db,
    parse_wger_exerciseinfo,
)
from bot.catalog.wger_client import DEFAULT_PAGE_SIZE, exerciseinfo_pages
from bot.errors import ImportSourceError
from bot.services.catalog import build_catalog, seed_catalog
from bot.storage import Database
from bot.storage import exercises as rows
from bot.storage.migrate import upgrade

logger = logging.getLogger(__name__)

_SHOWN_UNMATCHED: Final = 10


@dataclass(frozen=True)
class ImportReport:
    """What one import did to the stored catalog."""

    source: Source
    read: int
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    media_added: int = 0
    media_skipped: int = 0
    unmatched: tuple[str, ...] = ()

    def summary(self) -> str:
        """A few lines for the admin who ran the import."""
        lines = [
            f"{self.source}: {self.read} exercises read; {self.added} added, "
            f"{self.updated} enriched, {self.unchanged} unchanged; "
            f"{self.media_added} new demos, {self.media_skipped} media skipped "
            "(licence, author or format)."
        ]
        if self.unmatched:
            shown = ", ".join(self.unmatched[:_SHOWN_UNMATCHED])
            more = len(self.unmatched) - _SHOWN_UNMATCHED
            tail = f" and {more} more" if more > 0 else ""
            lines.append(
                f"{len(self.unmatched)} not added (no match, too little data, or too like one "
                f"we have): {shown}{tail}."
            )
        return "\n".join(lines)


async def merge_imports(
    database: Database, source: Source, imported: Sequence[ImportedExercise]
) -> ImportReport:
    """Merge imported exercises into the stored catalog in one transaction.

    Running the same import again adds nothing: names and media URLs already stored are
    recognised, and the merge never overwrites what we curated.
    """
    skipped = sum(len(item.skipped_media) for item in imported)
    async with database.transaction() as session:
        stored = await rows.all_exercises(session)
        before = build_catalog(stored, await rows.all_media(session))
        stored_slugs = await rows.exercise_slugs(session)
        result = merge_into_catalog(before, imported)
        unmatched = list(result.unmatched)
        added = media_added = 0
        for exercise in result.catalog:
            old = before.get(exercise.slug)
            if old is None:
                if exercise.slug in stored_slugs:
                    # A stored row the catalog could not load holds this slug: leave it be.
                    unmatched.append(exercise.name)
                    continue
                await rows.add_exercise(session, exercise, origin=source)
                added += 1
                media_added += len(exercise.media)
                continue
            if exercise is old:
                continue
            known_aliases = set(old.aliases)
            new_aliases = [alias for alias in exercise.aliases if alias not in known_aliases]
            known_urls = {item.url for item in old.media}
            new_media = [m for m in exercise.media if m.url not in known_urls]
            await rows.add_aliases(session, exercise.slug, new_aliases)
            media_added += await rows.add_media(session, exercise.slug, new_media, origin=source)
    return ImportReport(
        source=source,
        read=len(imported),
        added=added,
        updated=result.updated,
        unchanged=result.unchanged,
        media_added=media_added,
        media_skipped=skipped,
        unmatched=tuple(unmatched),
    )


async def import_wger(
    database: Database, *, base_url: str = WGER_BASE_URL, page_size: int = DEFAULT_PAGE_SIZE
) -> ImportReport:
    """Fetch every exerciseinfo page from wger, then merge them (no transaction while fetching)."""
    imported: list[ImportedExercise] = []
    async for page in exerciseinfo_pages(base_url, page_size=page_size):
        imported.extend(parse_wger_exerciseinfo(page, base_url=base_url))
    return await merge_imports(database, "wger", imported)


async def import_free_exercise_db(database: Database, path: Path) -> ImportReport:
    """Merge a free-exercise-db export: its ``dist/exercises.json``, one entry, or a folder."""
    return await merge_imports(database, "free-exercise-db", parse_free_exercise_db(_entries(path)))


def _entries(path: Path) -> list[dict[str, Any]]:
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise ImportSourceError(f"{path} holds no .json files")
    entries: list[dict[str, Any]] = []
    for file in files:
        try:
            decoded = json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ImportSourceError(f"cannot read {file}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise ImportSourceError(f"{file} is not JSON: {exc}") from None
        items = decoded if isinstance(decoded, list) else [decoded]
        if not all(isinstance(item, dict) for item in items):
            raise ImportSourceError(f"{file} is not a list of free-exercise-db exercises")
        entries.extend(items)
    return entries


async def run_import(
    database_url: str,
    source: Source,
    *,
    path: Path | None = None,
    base_url: str = WGER_BASE_URL,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> ImportReport:
    """The ``python -m bot catalog`` commands: migrate and seed the database, then import."""
    database = Database(database_url)
    try:
        await database.check()
        await upgrade(database.engine)
        await seed_catalog(database)
        if source == "wger":
            return await import_wger(database, base_url=base_url, page_size=page_size)
        if path is None:
            raise ImportSourceError("free-exercise-db import needs the path of its JSON file")
        return await import_free_exercise_db(database, path)
    finally:
        await database.dispose()
