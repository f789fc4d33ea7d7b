"""Parsing recorded wger and free-exercise-db data and merging it into the catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.catalog.importers import (
    ImportedExercise,
    merge_into_catalog,
    parse_free_exercise_db,
    parse_wger_exerciseinfo,
    wger_license,
)
from bot.catalog.loader import load_catalog
from bot.domain.exercises import Catalog, Exercise, MediaItem

FIXTURES = Path(__file__).parent / "fixtures"
SQUAT_GIF = "https://wger.de/media/exercise-images/849/30b2631d-d7ec-415c-800b-7eb082314c0a.gif"


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def wger() -> list[ImportedExercise]:
    return parse_wger_exerciseinfo(_load("wger_exerciseinfo.json"))


@pytest.fixture(scope="module")
def free_db() -> list[ImportedExercise]:
    return parse_free_exercise_db(_load("free_exercise_db.json"))


def _small_catalog() -> Catalog:
    """Two curated exercises, the squat without its demo yet."""
    return Catalog(
        [
            Exercise(
                slug="barbell-back-squat",
                name="Barbell back squat",
                aliases=["barbell squat"],
                primary_muscles=["quadriceps", "glutes"],
                level="intermediate",
                category="barbell",
                cues=["Brace first.", "Sit between your heels.", "Drive up."],
            ),
            Exercise(
                slug="barbell-bench-press",
                name="Barbell bench press",
                aliases=["bench press", "Bankdrücken"],
                primary_muscles=["chest"],
                level="intermediate",
                category="barbell",
                cues=["Shoulder blades back.", "Bar to lower chest.", "Press up."],
            ),
        ]
    )


# --- wger -------------------------------------------------------------------------------------


def test_wger_page_keeps_exercises_with_an_english_name(wger: list[ImportedExercise]) -> None:
    assert [item.name for item in wger] == [
        "Barbell Squat",
        "Bench Press",
        "2 Handed Kettlebell Swing",
    ]
    assert [item.source_id for item in wger] == ["849", "73", "9"]
    assert {item.source for item in wger} == {"wger"}


def test_wger_names_muscles_and_equipment_are_mapped(wger: list[ImportedExercise]) -> None:
    squat, bench, swing = wger
    assert squat.aliases == ("Low Bar Squat", "Kniebeuge mit Langhantel")
    assert squat.primary_muscles == ("quadriceps",)
    assert squat.secondary_muscles == ("glutes", "hamstrings")
    assert squat.category == "barbell"
    assert bench.equipment == ("barbell", "bench")
    assert bench.secondary_muscles == ("shoulders", "triceps")
    assert swing.category == "kettlebell"
    assert "double handed kettlebell" in swing.aliases
    assert swing.secondary_muscles == ("shoulders", "traps")


def test_wger_media_keeps_licence_and_author(wger: list[ImportedExercise]) -> None:
    squat, bench, _ = wger
    assert squat.media == (
        MediaItem(
            kind="animation",
            url=SQUAT_GIF,
            license="CC-BY-SA 4.0",
            author="enros7500",
            title="Barbell Squat",
        ),
    )
    (photo,) = bench.media
    assert (photo.kind, photo.license, photo.author) == ("photo", "CC-BY-SA 3.0", "Everkinetic")


def test_wger_media_without_allowed_licence_author_or_format_is_skipped(
    wger: list[ImportedExercise],
) -> None:
    squat = wger[0]
    reasons = {skipped.url.rsplit("/", 1)[-1]: skipped.reason for skipped in squat.skipped_media}
    assert reasons == {
        "00000000-0000-4000-8000-000000009001.png": "licence 5 not allowed",
        "00000000-0000-4000-8000-000000009002.MOV": "video format Telegram cannot play inline",
        "00000000-0000-4000-8000-000000009003.mp4": "no author to credit",
    }
    # the relative video path was resolved against wger.de
    assert any(
        s.url.startswith("https://wger.de/media/exercise-video/") for s in squat.skipped_media
    )


def test_wger_single_exercise_payload_is_accepted() -> None:
    page = _load("wger_exerciseinfo.json")
    (only,) = parse_wger_exerciseinfo(page["results"][1])
    assert only.name == "Bench Press"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1, "CC-BY-SA 3.0"),
        (2, "CC-BY-SA 4.0"),
        (3, "CC0 1.0"),
        (4, "CC-BY 4.0"),
        ("2", "CC-BY-SA 4.0"),
        ("CC-BY-SA 4", "CC-BY-SA 4.0"),
        ({"id": 1, "short_name": "CC-BY-SA 3"}, "CC-BY-SA 3.0"),
        ({"short_name": "CC0"}, "CC0 1.0"),
        (5, None),
        (True, None),
        (None, None),
        ("Open Database License", None),
    ],
)
def test_wger_license(raw: object, expected: str | None) -> None:
    assert wger_license(raw) == expected


# --- free-exercise-db -------------------------------------------------------------------------


def test_free_exercise_db_takes_text_and_metadata_never_images(
    free_db: list[ImportedExercise],
) -> None:
    assert [item.name for item in free_db] == [
        "Barbell Full Squat",
        "Band Pull Apart",
        "Arnold Dumbbell Press",
        "Ankle Circles",
        "Atlas Stones",
    ]
    assert all(item.media == () for item in free_db)
    assert all(item.source == "free-exercise-db" for item in free_db)


@pytest.mark.parametrize(
    ("position", "category", "level", "primary", "equipment"),
    [
        (0, "barbell", "intermediate", ("quadriceps",), ("barbell",)),
        (1, "band", "beginner", ("shoulders",), ("band",)),
        (2, "dumbbell", "intermediate", ("shoulders",), ("dumbbell",)),
        (3, "mobility", "beginner", ("calves",), ()),
        (4, None, "advanced", ("lower back",), ()),
    ],
)
def test_free_exercise_db_fields_are_mapped(
    free_db: list[ImportedExercise],
    position: int,
    category: str | None,
    level: str,
    primary: tuple[str, ...],
    equipment: tuple[str, ...],
) -> None:
    item = free_db[position]
    assert (item.category, item.level, item.primary_muscles, item.equipment) == (
        category,
        level,
        primary,
        equipment,
    )


def test_free_exercise_db_id_falls_back_to_name(free_db: list[ImportedExercise]) -> None:
    assert free_db[0].source_id == "Barbell_Full_Squat"
    assert free_db[4].source_id == "Atlas Stones"
    assert "back" in free_db[1].secondary_muscles


# --- merging ----------------------------------------------------------------------------------


def test_merge_adds_media_and_names_to_matching_exercises(wger: list[ImportedExercise]) -> None:
    result = merge_into_catalog(_small_catalog(), wger)
    squat = result.catalog.require("barbell-back-squat")
    assert [item.url for item in squat.media] == [SQUAT_GIF]
    assert squat.media[0].author == "enros7500"
    assert squat.media[0].license == "CC-BY-SA 4.0"
    assert "Kniebeuge mit Langhantel" in squat.aliases
    assert squat.cues == ["Brace first.", "Sit between your heels.", "Drive up."]
    bench = result.catalog.require("barbell-bench-press")
    assert bench.aliases.count("Bankdrücken") == 1
    assert (result.added, result.updated, result.unchanged) == (0, 2, 0)
    assert result.media_added == 2
    assert result.unmatched == ("2 Handed Kettlebell Swing",)


def test_merge_skips_media_with_disallowed_licence(wger: list[ImportedExercise]) -> None:
    merged = merge_into_catalog(_small_catalog(), wger).catalog
    urls = {item.url for exercise in merged for item in exercise.media}
    assert not any("000000009001" in (url or "") for url in urls)
    assert all(item.license and item.author for exercise in merged for item in exercise.media)


def test_merging_twice_changes_nothing(
    wger: list[ImportedExercise], free_db: list[ImportedExercise]
) -> None:
    first = merge_into_catalog(_small_catalog(), [*wger, *free_db])
    second = merge_into_catalog(first.catalog, [*wger, *free_db])
    assert (second.added, second.updated, second.media_added) == (0, 0, 0)
    assert second.unchanged == first.added + first.updated + first.unchanged
    assert second.catalog.exercises == first.catalog.exercises
    assert second.unmatched == first.unmatched


def test_merge_never_overwrites_curated_fields(
    wger: list[ImportedExercise], free_db: list[ImportedExercise]
) -> None:
    catalog = load_catalog()
    merged = merge_into_catalog(catalog, [*wger, *free_db]).catalog
    for before in catalog:
        after = merged.require(before.slug)
        assert after.cues == before.cues
        assert after.primary_muscles == before.primary_muscles
        assert (after.level, after.category) == (before.level, before.category)
        assert after.media[: len(before.media)] == before.media


def test_merge_into_packaged_catalog(
    wger: list[ImportedExercise], free_db: list[ImportedExercise]
) -> None:
    catalog = load_catalog()
    result = merge_into_catalog(catalog, [*wger, *free_db])
    # The curated squat GIF and bench image are the same wger records: nothing new.
    assert result.media_added == 0
    assert result.added == 1
    added = result.catalog.require("ankle-circles")
    assert added.category == "mobility"
    assert 3 <= len(added.cues) <= 5
    assert added.media == []
    # Near variants of exercises we have wait for an admin instead of becoming duplicates.
    assert set(result.unmatched) == {
        "2 Handed Kettlebell Swing",
        "Barbell Full Squat",
        "Arnold Dumbbell Press",
        "Atlas Stones",
    }
    assert len(result.catalog) == len(catalog) + 1


def test_merge_does_not_steal_another_exercises_name() -> None:
    catalog = _small_catalog()
    stray = ImportedExercise(
        source="wger", source_id="1", name="Barbell Squat", aliases=("bench press",)
    )
    merged = merge_into_catalog(catalog, [stray]).catalog
    assert "bench press" not in merged.require("barbell-back-squat").aliases
