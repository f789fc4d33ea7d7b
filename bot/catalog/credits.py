"""Every source of the catalog's demos with its licence, for /credits (data only, no rendering).

The Everkinetic animations come first, with the upstream commit from their manifest; then
one entry per other author and licence the catalog's media items name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

from bot.catalog.demos import (
    EVERKINETIC_AUTHOR,
    EVERKINETIC_LICENSE,
    EVERKINETIC_LICENSE_URL,
    EVERKINETIC_SOURCE,
    read_manifest,
)
from bot.catalog.loader import load_catalog
from bot.domain.exercises import Catalog, MediaItem, license_display, license_url

EVERKINETIC_CHANGES: Final = "animated from two drawings"


@dataclass(frozen=True)
class SourceCredit:
    """One source: who made the media, under which licence, where from, and how many items."""

    author: str
    license: str
    license_url: str | None
    source_url: str | None
    items: int
    changes: str | None = None
    commit: str | None = None

    @property
    def line(self) -> str:
        """``Everkinetic (everkinetic.com), CC BY-SA 4.0, animated from two drawings``."""
        parts = [self.author, self.license]
        if self.changes:
            parts.append(self.changes)
        return ", ".join(parts)


def source_credits(
    catalog: Catalog | None = None, manifest: dict[str, Any] | None = None
) -> list[SourceCredit]:
    """Every source and licence of the demos in ``catalog`` (default: the packaged one).

    ``manifest`` is the demo manifest (default: the shipped one); it gives the commit of the
    Everkinetic drawings the animations were made from.
    """
    exercises = catalog if catalog is not None else load_catalog()
    items = [item for exercise in exercises for item in exercise.media]
    packaged = [item for item in items if item.file is not None]
    credits: list[SourceCredit] = []
    if packaged:
        shipped = manifest if manifest is not None else read_manifest()
        credits.append(
            SourceCredit(
                author=EVERKINETIC_AUTHOR,
                license=EVERKINETIC_LICENSE,
                license_url=EVERKINETIC_LICENSE_URL,
                source_url=EVERKINETIC_SOURCE,
                items=len(packaged),
                changes=EVERKINETIC_CHANGES,
                commit=str(shipped["commit"]),
            )
        )
    others: dict[tuple[str, str, str | None], list[MediaItem]] = {}
    for item in items:
        if item.file is None:
            others.setdefault((item.author, item.license, _site(item)), []).append(item)
    for (author, licence, site), grouped in sorted(others.items(), key=_order):
        credits.append(
            SourceCredit(
                author=author,
                license=license_display(licence),
                license_url=license_url(licence),
                source_url=site,
                items=len(grouped),
            )
        )
    return credits


def _site(item: MediaItem) -> str | None:
    """The https origin the item comes from (``https://wger.de``), or None for a file_id."""
    url = item.source_page or item.url
    if url is None:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _order(entry: tuple[tuple[str, str, str | None], list[MediaItem]]) -> tuple[int, str, str]:
    (author, licence, _), grouped = entry
    return (-len(grouped), author.casefold(), licence)
