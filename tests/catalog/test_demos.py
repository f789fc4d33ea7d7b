"""Demo animations: frames aligned on the bottom edge, sizes, the shipped set, its rebuild."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from bot.__main__ import main
from bot.catalog.demos import (
    HOLD_MS,
    LONG_SIDE,
    MANIFEST_FILE,
    build_demos,
    compose,
    demo_sources,
    packaged_demos_dir,
    read_manifest,
    render_gif,
)
from bot.catalog.loader import load_catalog
from bot.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parents[2]
# Beside the repository as ../shared/everkinetic; EVERKINETIC_DIR points elsewhere.
EVERKINETIC = Path(os.environ.get("EVERKINETIC_DIR", REPO_ROOT.parent / "shared" / "everkinetic"))
needs_everkinetic = pytest.mark.skipif(
    not (EVERKINETIC / "index.json").exists(),
    reason=f"the Everkinetic drawings are not at {EVERKINETIC} (a checkout without ../shared)",
)
MAX_BYTES = 100_000


def _figure(width: int, height: int, foot_x: int) -> Image.Image:
    """A white drawing with a black post standing on its bottom edge."""
    image = Image.new("L", (width, height), 255)
    ImageDraw.Draw(image).rectangle((foot_x, height // 3, foot_x + 20, height - 1), fill=0)
    return image


def _frames(data: bytes) -> list[Image.Image]:
    frames = []
    with Image.open(io.BytesIO(data)) as gif:
        assert gif.info["loop"] == 0
        for index in range(gif.n_frames):
            gif.seek(index)
            assert gif.info["duration"] == HOLD_MS
            frames.append(gif.convert("L"))
    return frames


# --- composing ----------------------------------------------------------------------------------


def test_frames_share_one_size_and_the_long_side() -> None:
    start, end = compose(_figure(900, 500, 400), _figure(960, 1000, 450))
    assert start.size == end.size
    assert max(start.size) == LONG_SIDE


def test_frames_are_aligned_on_the_bottom_edge() -> None:
    start, end = compose(_figure(900, 500, 400), _figure(900, 1000, 400))
    for frame in (start, end):
        bottom_row = frame.crop((0, frame.height - 1, frame.width, frame.height))
        assert bottom_row.getextrema()[0] < 128, "the figure still stands on the bottom edge"
    # The short drawing's post starts lower on the canvas than the tall one's.
    assert _first_ink_row(start) > _first_ink_row(end)


def _first_ink_row(frame: Image.Image) -> int:
    box = frame.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert box is not None
    return box[1]


def test_margins_are_trimmed_to_the_union_of_both_drawings() -> None:
    start, end = compose(_figure(1000, 800, 100), _figure(1000, 800, 800))
    left = min(_ink_box(start)[0], _ink_box(end)[0])
    right = max(_ink_box(start)[2], _ink_box(end)[2])
    assert left < 10
    assert start.width - right < 10


def _ink_box(frame: Image.Image) -> tuple[int, int, int, int]:
    box = frame.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert box is not None
    return box


def test_a_blank_drawing_is_refused() -> None:
    with pytest.raises(ConfigError):
        compose(Image.new("L", (100, 100), 255), Image.new("L", (100, 100), 255))


def test_render_gif_loops_two_frames_and_is_deterministic() -> None:
    frames = compose(_figure(900, 500, 400), _figure(960, 1000, 450))
    data = render_gif(frames)
    assert data == render_gif(frames)
    decoded = _frames(data)
    assert len(decoded) == 2
    assert decoded[0].size == decoded[1].size == frames[0].size
    greys = {grey for frame in decoded for _, grey in frame.getcolors() or []}
    assert len(greys) <= 4


# --- the shipped set ----------------------------------------------------------------------------


def test_every_listed_demo_is_shipped_with_its_manifest_entry() -> None:
    sources = demo_sources()
    manifest = read_manifest()
    entries = {entry["slug"]: entry for entry in manifest["files"]}
    assert set(entries) == set(sources)
    folder = packaged_demos_dir()
    assert {path.stem for path in folder.glob("*.gif")} == set(sources)
    for slug, entry in entries.items():
        data = (folder / f"{slug}.gif").read_bytes()
        assert entry["everkinetic_id"] == sources[slug]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), slug
        assert entry["bytes"] == len(data)
    assert manifest["license"] == "CC BY-SA 4.0"
    assert len(manifest["commit"]) == 40


def test_shipped_animations_stay_small_and_loop() -> None:
    paths = sorted(packaged_demos_dir().glob("*.gif"))
    sizes = [path.stat().st_size for path in paths]
    assert max(sizes) < MAX_BYTES
    assert sum(sizes) < 5_000_000
    frames = _frames(paths[0].read_bytes())
    assert len(frames) == 2
    assert max(frames[0].size) == LONG_SIDE


def test_catalog_media_files_are_exactly_the_shipped_demos() -> None:
    catalog = load_catalog()
    files = {
        exercise.slug: item.file for exercise in catalog for item in exercise.media if item.file
    }
    assert files == {slug: f"demos/{slug}.gif" for slug in demo_sources()}


def test_an_unknown_everkinetic_id_is_refused(tmp_path: Path) -> None:
    (tmp_path / "index.json").write_text(
        json.dumps({"commit": "0" * 40, "exercises": []}), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match="0122"):
        build_demos(tmp_path, tmp_path / "out", {"barbell-back-squat": "0122"})


@needs_everkinetic
def test_a_rebuild_from_the_drawings_matches_the_shipped_files(tmp_path: Path) -> None:
    out = tmp_path / "demos"
    assert main(["catalog", "build-demos", str(EVERKINETIC), "--out", str(out)]) == 0
    shipped = packaged_demos_dir()
    names = sorted(path.name for path in shipped.glob("*.gif"))
    assert sorted(path.name for path in out.glob("*.gif")) == names
    for name in names:
        assert (out / name).read_bytes() == (shipped / name).read_bytes(), name
    assert (out / MANIFEST_FILE).read_bytes() == (shipped / MANIFEST_FILE).read_bytes()
