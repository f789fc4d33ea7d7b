"""Exercise demos: two Everkinetic drawings per exercise turned into a looping greyscale GIF.

The drawings (start and end position) differ in height and are cut off at the bottom edge,
so both are placed on one canvas aligned on that edge, trimmed to the union of their
drawn areas and scaled together. The output is deterministic: the same drawings give
byte-identical files, which ``manifest.json`` records with their sha256.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml
from PIL import Image

from bot.errors import ConfigError

DATA_PACKAGE: Final = "bot.catalog"
SOURCES_FILE: Final = "data/demo_sources.yaml"
DEMOS_DIR: Final = "demos"
MANIFEST_FILE: Final = "manifest.json"

LONG_SIDE: Final = 480
HOLD_MS: Final = 900
# Four grey levels keep the anti-aliased edges of the lines and compress well.
GREY_LEVELS: Final = 4
# A pixel darker than this counts as drawn when trimming the margins.
INK_THRESHOLD: Final = 200
MARGIN: Final = 8

EVERKINETIC_AUTHOR: Final = "Everkinetic (everkinetic.com)"
EVERKINETIC_LICENSE: Final = "CC BY-SA 4.0"
EVERKINETIC_LICENSE_URL: Final = "https://creativecommons.org/licenses/by-sa/4.0/"
EVERKINETIC_SOURCE: Final = "https://github.com/everkinetic/data"


@dataclass(frozen=True)
class Drawing:
    """One Everkinetic exercise in the source folder: its id, slug, title and two drawings."""

    id: str
    name: str
    title: str
    start: Path
    end: Path


@dataclass(frozen=True)
class Source:
    """The source folder's index: the upstream commit and every drawing by Everkinetic id."""

    commit: str
    drawings: Mapping[str, Drawing]


@dataclass(frozen=True)
class BuiltDemo:
    """One written animation: our slug, its Everkinetic id, size in bytes and sha256."""

    slug: str
    everkinetic_id: str
    everkinetic_name: str
    file: str
    size: int
    sha256: str


def read_source(source_dir: Path) -> Source:
    """Read ``index.json`` of an Everkinetic copy; ConfigError when it is missing or malformed."""
    index_path = source_dir / "index.json"
    try:
        raw: Any = json.loads(index_path.read_text(encoding="utf-8"))
        drawings = {
            entry["id"]: Drawing(
                id=entry["id"],
                name=entry["name"],
                title=entry["title"],
                start=source_dir / entry["start"],
                end=source_dir / entry["end"],
            )
            for entry in raw["exercises"]
        }
        return Source(commit=str(raw["commit"]), drawings=drawings)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{index_path} is not an Everkinetic index: {exc}") from exc


def demo_sources(path: Path | None = None) -> dict[str, str]:
    """Our exercise slug → the Everkinetic id its demo is drawn from (the packaged list)."""
    if path is None:
        text = resources.files(DATA_PACKAGE).joinpath(SOURCES_FILE).read_text(encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    raw: Any = yaml.safe_load(text)
    if not isinstance(raw, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in raw.items()
    ):
        raise ConfigError(f"{SOURCES_FILE} must map slugs to Everkinetic ids written as strings")
    return dict(raw)


@functools.cache
def packaged_demo_slugs() -> frozenset[str]:
    """Slugs of the exercises whose animation ships in the package."""
    return frozenset(demo_sources())


def packaged_demos_dir() -> Path:
    """Where the shipped animations live inside the installed package."""
    return Path(str(resources.files(DATA_PACKAGE).joinpath("data", DEMOS_DIR)))


# --- composing ----------------------------------------------------------------------------------


def compose(start: Image.Image, end: Image.Image) -> tuple[Image.Image, Image.Image]:
    """Both drawings on one canvas each, bottom edges aligned, centred, trimmed and scaled.

    The two frames come back the same size, at most LONG_SIDE pixels on the long side.
    """
    first, second = start.convert("L"), end.convert("L")
    width = max(first.width, second.width)
    height = max(first.height, second.height)
    canvases = []
    for drawing in (first, second):
        canvas = Image.new("L", (width, height), 255)
        canvas.paste(drawing, ((width - drawing.width) // 2, height - drawing.height))
        canvases.append(canvas)
    box = _union_box(canvases)
    left = max(box[0] - MARGIN, 0)
    top = max(box[1] - MARGIN, 0)
    right = min(box[2] + MARGIN, width)
    # The drawings are cut off at the bottom edge: keep it, so the figure stands on it.
    trimmed = [canvas.crop((left, top, right, height)) for canvas in canvases]
    scale = LONG_SIDE / max(trimmed[0].size)
    size = (max(round(trimmed[0].width * scale), 1), max(round(trimmed[0].height * scale), 1))
    scaled = [frame.resize(size, Image.Resampling.LANCZOS) for frame in trimmed]
    return scaled[0], scaled[1]


def _union_box(frames: Iterable[Image.Image]) -> tuple[int, int, int, int]:
    boxes = []
    for frame in frames:
        ink = frame.point(lambda value: 255 if value < INK_THRESHOLD else 0)
        box = ink.getbbox()
        if box is not None:
            boxes.append(box)
    if not boxes:
        raise ConfigError("a drawing has nothing drawn on it")
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def render_gif(frames: tuple[Image.Image, Image.Image]) -> bytes:
    """A GIF looping forever over the frames, each held HOLD_MS, in GREY_LEVELS greys."""
    step = 255 / (GREY_LEVELS - 1)
    table = [round(round(value / step) * step) for value in range(256)]
    paletted = [frame.point(table).convert("P") for frame in frames]
    buffer = io.BytesIO()
    paletted[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=paletted[1:],
        duration=HOLD_MS,
        loop=0,
        optimize=True,
        disposal=1,
    )
    return buffer.getvalue()


def build_one(drawing: Drawing) -> bytes:
    """The animation of one Everkinetic exercise."""
    with Image.open(drawing.start) as start, Image.open(drawing.end) as end:
        return render_gif(compose(start, end))


# --- the whole set ------------------------------------------------------------------------------


def build_demos(
    source_dir: Path, out_dir: Path, sources: Mapping[str, str] | None = None
) -> list[BuiltDemo]:
    """Write ``<slug>.gif`` for each exercise in ``sources`` and ``manifest.json`` to ``out_dir``.

    Files of slugs no longer listed are removed, so the folder holds exactly the set.
    Raises ConfigError when a listed Everkinetic id is not in the source folder.
    """
    wanted = dict(sources) if sources is not None else demo_sources()
    source = read_source(source_dir)
    missing = sorted(ident for ident in wanted.values() if ident not in source.drawings)
    if missing:
        raise ConfigError(f"Everkinetic ids not in {source_dir}: {', '.join(missing)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    built: list[BuiltDemo] = []
    for slug in sorted(wanted):
        drawing = source.drawings[wanted[slug]]
        data = build_one(drawing)
        name = f"{slug}.gif"
        (out_dir / name).write_bytes(data)
        built.append(
            BuiltDemo(
                slug=slug,
                everkinetic_id=drawing.id,
                everkinetic_name=drawing.name,
                file=f"{DEMOS_DIR}/{name}",
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
    for stale in out_dir.glob("*.gif"):
        if stale.stem not in wanted:
            stale.unlink()
    manifest = {
        "source": "everkinetic/data",
        "commit": source.commit,
        "license": EVERKINETIC_LICENSE,
        "license_url": EVERKINETIC_LICENSE_URL,
        "author": EVERKINETIC_AUTHOR,
        "changes": "animated from two drawings",
        "frame_ms": HOLD_MS,
        "long_side": LONG_SIDE,
        "files": [
            {
                "slug": demo.slug,
                "file": demo.file,
                "everkinetic_id": demo.everkinetic_id,
                "everkinetic_name": demo.everkinetic_name,
                "bytes": demo.size,
                "sha256": demo.sha256,
            }
            for demo in built
        ],
    }
    text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    (out_dir / MANIFEST_FILE).write_text(text, encoding="utf-8")
    return built


def read_manifest(demos_dir: Path | None = None) -> dict[str, Any]:
    """The manifest of the shipped animations (or of ``demos_dir``)."""
    folder = demos_dir if demos_dir is not None else packaged_demos_dir()
    raw: dict[str, Any] = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    return raw


def size_summary(built: Iterable[BuiltDemo]) -> str:
    """One line with the count, min/median/max and total size of built animations."""
    sizes = sorted(demo.size for demo in built)
    if not sizes:
        return "no animations built"
    return (
        f"{len(sizes)} animations; bytes min {sizes[0]}, median {int(statistics.median(sizes))}, "
        f"max {sizes[-1]}, total {sum(sizes)}"
    )
