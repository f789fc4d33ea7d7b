"""The packaged exercise catalog file: its shape, loading it into a ``Catalog``, and reading
the demo files shipped beside it."""

from __future__ import annotations

import functools
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.domain.exercises import Catalog, Exercise, is_packaged_path
from bot.errors import ConfigError, NotFoundError

DATA_PACKAGE = "bot.catalog"
DATA_DIR = "data"
DATA_FILE = f"{DATA_DIR}/exercises.yaml"


class CatalogFile(BaseModel):
    """The shape of ``exercises.yaml``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Literal[1] = 1
    exercises: list[Exercise]


# --- loading ----------------------------------------------------------------------------------


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and validate a catalog file; without a path, the packaged one (read once, cached).

    Raises ConfigError naming the file and the first problems when it does not validate.
    """
    if path is None:
        return _packaged_catalog()
    return _parse_catalog(path.read_text(encoding="utf-8"), str(path))


@functools.cache
def _packaged_catalog() -> Catalog:
    text = resources.files(DATA_PACKAGE).joinpath(DATA_FILE).read_text(encoding="utf-8")
    return _parse_catalog(text, f"{DATA_PACKAGE}/{DATA_FILE}")


def _parse_catalog(text: str, origin: str) -> Catalog:
    try:
        # The C loader (when libyaml is there) parses the catalog ~20x faster at start-up.
        raw: Any = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin} is not valid YAML: {exc}") from exc
    try:
        parsed = CatalogFile.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        raise ConfigError(f"{origin} does not validate: {problems}") from exc
    try:
        return Catalog(parsed.exercises)
    except ConfigError as exc:
        raise ConfigError(f"{origin}: {exc}") from exc


# --- demo files -------------------------------------------------------------------------------


def data_root() -> Traversable:
    """The folder media items' ``file`` paths are relative to (``bot/catalog/data``)."""
    return resources.files(DATA_PACKAGE).joinpath(DATA_DIR)


def read_media_file(path: str) -> bytes:
    """The bytes of a packaged demo, ``path`` as a media item's ``file`` names it.

    Raises NotFoundError when the package does not ship it (or the path leaves the folder).
    """
    if not is_packaged_path(path):
        raise NotFoundError(f"{path!r} is not a path inside the catalog's data")
    target = data_root()
    for part in path.split("/"):
        target = target.joinpath(part)
    try:
        return target.read_bytes()
    except OSError as exc:  # missing, a folder, unreadable
        raise NotFoundError(f"the package has no readable demo file {path!r}") from exc
