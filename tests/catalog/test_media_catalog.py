"""The packaged exercise catalog, its models, licences, names and captions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.catalog.loader import load_catalog, read_media_file
from bot.domain.exercises import (
    CATEGORIES,
    MUSCLE_GROUPS,
    Catalog,
    Exercise,
    MediaItem,
    attribution,
    canonical_license,
    normalise_muscle,
    normalise_name,
)
from bot.errors import ConfigError, NotFoundError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def _exercise(slug: str, name: str, aliases: list[str] | None = None) -> Exercise:
    return Exercise(
        slug=slug,
        name=name,
        aliases=aliases or [],
        primary_muscles=["chest"],
        level="beginner",
        category="bodyweight",
        cues=["One.", "Two.", "Three."],
    )


# --- the packaged file ------------------------------------------------------------------------


def test_catalog_has_at_least_180_exercises(catalog: Catalog) -> None:
    assert len(catalog) >= 180


def test_at_least_150_exercises_have_an_animated_demo(catalog: Catalog) -> None:
    animated = [
        exercise
        for exercise in catalog
        if any(item.kind == "animation" and item.file for item in exercise.media)
    ]
    assert len(animated) >= 150


def test_everkinetic_demos_carry_their_credit(catalog: Catalog) -> None:
    for exercise in catalog:
        for item in exercise.media:
            if item.file is not None:
                assert item.author == "Everkinetic (everkinetic.com)"
                assert item.license == "CC-BY-SA 4.0"
                assert item.title
                assert item.source_page == "https://github.com/everkinetic/data"


def test_every_category_is_present(catalog: Catalog) -> None:
    present = {exercise.category for exercise in catalog}
    assert present == set(CATEGORIES)


def test_every_exercise_has_three_to_five_cues(catalog: Catalog) -> None:
    assert all(3 <= len(exercise.cues) <= 5 for exercise in catalog)


def test_slugs_are_unique(catalog: Catalog) -> None:
    counts = Counter(exercise.slug for exercise in catalog)
    assert [slug for slug, count in counts.items() if count > 1] == []


def test_names_and_aliases_are_unique_across_exercises(catalog: Catalog) -> None:
    owners: dict[str, set[str]] = {}
    for exercise in catalog:
        for written in exercise.names():
            owners.setdefault(normalise_name(written), set()).add(exercise.slug)
    assert {key: slugs for key, slugs in owners.items() if len(slugs) > 1} == {}


def test_every_media_item_credits_an_allowed_licence_and_author(catalog: Catalog) -> None:
    items = [item for exercise in catalog for item in exercise.media]
    assert items, "the catalog ships some checked media"
    for item in items:
        assert canonical_license(item.license) == item.license
        assert item.author.strip()
        assert [item.url, item.file_id, item.file].count(None) == 2


def test_common_exercises_have_russian_spanish_and_german_names(catalog: Catalog) -> None:
    squat = catalog.require("bodyweight-squat")
    assert {"приседания", "sentadilla", "Kniebeuge"} <= set(squat.aliases)


def test_browsing_by_muscle_returns_primary_movers_first(catalog: Catalog) -> None:
    chest = catalog.by_muscle("chest")
    with_secondary = catalog.by_muscle("chest", include_secondary=True)
    assert chest
    assert all("chest" in exercise.primary_muscles for exercise in chest)
    assert with_secondary[: len(chest)] == chest
    assert len(with_secondary) > len(chest)


def test_muscle_groups_follow_the_fixed_order(catalog: Catalog) -> None:
    groups = catalog.muscle_groups()
    assert groups == [group for group in MUSCLE_GROUPS if group in groups]
    assert {"chest", "back", "quadriceps", "full body"} <= set(groups)


def test_default_catalog_is_read_once(catalog: Catalog) -> None:
    assert load_catalog() is catalog


def test_require_unknown_slug_raises_not_found(catalog: Catalog) -> None:
    with pytest.raises(NotFoundError, match="no-such-thing"):
        catalog.require("no-such-thing")
    assert catalog.get("no-such-thing") is None
    assert "push-up" in catalog


# --- loading errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("exercises: [", "not valid YAML"),
        ("exercises:\n  - slug: Bad Slug\n", "does not validate"),
        ("exercises: []\nextra: 1\n", "does not validate"),
    ],
)
def test_broken_catalog_file_raises_config_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "exercises.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_catalog(path)


def test_catalog_file_with_two_cues_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "exercises.yaml"
    path.write_text(
        "exercises:\n"
        "  - {slug: a, name: A, primary_muscles: [chest], level: beginner,"
        " category: bodyweight, cues: [one, two]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="cues"):
        load_catalog(path)


def test_alias_shared_by_two_exercises_is_refused() -> None:
    with pytest.raises(ConfigError, match="Press ups"):
        Catalog([_exercise("push-up", "Push-up", ["press-up"]), _exercise("b", "B", ["Press ups"])])


def test_duplicate_slug_is_refused() -> None:
    with pytest.raises(ConfigError, match="twice"):
        Catalog([_exercise("a", "A"), _exercise("a", "Other")])


def test_unknown_muscle_group_is_refused() -> None:
    with pytest.raises(ValidationError):
        Exercise.model_validate(
            {
                "slug": "a",
                "name": "A",
                "primary_muscles": ["pecs"],
                "level": "beginner",
                "category": "bodyweight",
                "cues": ["One.", "Two.", "Three."],
            }
        )


# --- media items and licences -----------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"url": "https://example.org/a.gif", "file_id": "AgAD"},
        {},
        {"url": "http://example.org/a.gif"},
        {"url": "https://example.org/a.gif", "license": "CC BY-NC 4.0"},
        {"url": "https://example.org/a.gif", "author": " "},
        {"url": "https://example.org/a.gif", "file": "demos/a.gif"},
        {"file": "../secrets.gif"},
        {"file": "/etc/demo.gif"},
        {"file": "demos\\a.gif"},
        {"file": "demos/squat.gif", "file_id": "AgAD"},
        {"file": "demos/squat.exe"},
        {"file": "Demos/Squat.gif"},
    ],
    ids=[
        "both-locations",
        "no-location",
        "plain-http",
        "non-commercial",
        "no-author",
        "url-and-file",
        "file-leaves-the-folder",
        "absolute-file",
        "backslashes",
        "file-and-file-id",
        "file-not-media",
        "file-not-lowercase",
    ],
)
def test_media_item_refuses(fields: dict[str, str]) -> None:
    base = {"kind": "animation", "license": "CC-BY-SA 4.0", "author": "X"}
    with pytest.raises(ValidationError):
        MediaItem.model_validate(base | fields)


def test_media_item_by_packaged_file_is_accepted() -> None:
    item = MediaItem(
        kind="animation",
        file="demos/barbell-back-squat.gif",
        license="CC BY-SA 4.0",
        author="Everkinetic (everkinetic.com)",
    )
    assert (item.file, item.url, item.file_id) == ("demos/barbell-back-squat.gif", None, None)


def test_media_item_by_file_id_is_accepted() -> None:
    item = MediaItem(kind="video", file_id="BAACAgIAAxk", license="cc0", author="Admin")
    assert item.license == "CC0 1.0"


def test_packaged_files_are_read_from_the_data_folder_only() -> None:
    assert read_media_file("exercises.yaml").startswith(b"#")
    for path in ("demos/no-such-demo.gif", "../loader.py", "/etc/passwd", "demos"):
        with pytest.raises(NotFoundError):
            read_media_file(path)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CC-BY-SA 4", "CC-BY-SA 4.0"),
        (" Creative Commons Attribution Share Alike 3", "CC-BY-SA 3.0"),
        ("Creative Commons Attribution 4", "CC-BY 4.0"),
        ("Creative Commons Public Domain 1.0", "CC0 1.0"),
        ("CC0", "CC0 1.0"),
        ("CC BY-SA 4.0", "CC-BY-SA 4.0"),
        ("cc-by-sa-2.5", "CC-BY-SA 2.5"),
        ("https://creativecommons.org/licenses/by-sa/4.0/deed.en", "CC-BY-SA 4.0"),
        ("http://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0"),
        ("Public domain", "Public domain"),
        ("CC BY-NC-SA 4.0", None),
        ("CC BY-ND 4.0", None),
        ("All rights reserved", None),
        ("Not in the public domain", None),
        ("CC BY-SA", None),
        ("CC-BY-SA 5.0", None),
        ("", None),
        (None, None),
    ],
)
def test_canonical_license(raw: str | None, expected: str | None) -> None:
    assert canonical_license(raw) == expected


@pytest.mark.parametrize(
    "name", ["CC-BY-SA 3.0", "CC-BY-SA 4.0", "CC-BY 4.0", "CC0 1.0", "Public domain"]
)
def test_canonical_license_is_stable(name: str) -> None:
    assert canonical_license(name) == name


@pytest.mark.parametrize(
    ("item", "caption"),
    [
        (
            MediaItem(
                kind="animation",
                url="https://wger.de/media/exercise-images/849/x.gif",
                license="CC-BY-SA 4.0",
                author="enros7500",
                title="Barbell Squat",
            ),
            "“Barbell Squat” by enros7500, CC BY-SA 4.0, via wger.de",
        ),
        (
            MediaItem(
                kind="photo",
                url="https://wger.de/media/exercise-images/195/Push-ups-1.png",
                license="CC-BY-SA 3.0",
                author="Everkinetic",
            ),
            "Image by Everkinetic, CC BY-SA 3.0, via wger.de",
        ),
        (
            MediaItem(
                kind="animation",
                url="https://upload.wikimedia.org/wikipedia/commons/a/ab/Burpee.gif",
                license="CC BY-SA 4.0",
                author="Someone",
                source_page="https://commons.wikimedia.org/wiki/File:Burpee.gif",
                title="Burpee",
            ),
            "“Burpee” by Someone, CC BY-SA 4.0, via Wikimedia Commons",
        ),
        (
            MediaItem(kind="video", file_id="BAAC", license="CC0", author="FitCoach"),
            "Video by FitCoach, CC0 1.0",
        ),
    ],
)
def test_attribution(item: MediaItem, caption: str) -> None:
    assert attribution(item) == caption


# --- names and muscles ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Push-Ups", "push up"),
        ("push  ups!", "push up"),
        ("Dumbbell Flies", "dumbbell fly"),
        ("Calves", "calf"),
        ("Bench Presses", "bench press"),
        ("Crunches", "crunch"),
        ("Жим лёжа", "жим лежа"),
        ("Press francés", "press france"),
        ("Liegestütze", "liegestutze"),
        ("abs", "abs"),
        ("farmer's walk", "farmer walk"),
        ("  ", ""),
    ],
)
def test_normalise_name(raw: str, key: str) -> None:
    assert normalise_name(raw) == key


@given(st.text())
def test_normalise_name_is_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once


@pytest.mark.parametrize(
    ("raw", "group"),
    [
        ("Quads", "quadriceps"),
        ("Quadriceps femoris", "quadriceps"),
        ("Latissimus dorsi", "back"),
        ("lats", "back"),
        ("middle back", "back"),
        ("Obliquus externus abdominis", "obliques"),
        ("abdominals", "abs"),
        ("Erector spinae", "lower back"),
        ("Gastrocnemius", "calves"),
        ("Glutes", "glutes"),
        ("ягодицы", "glutes"),
        ("Brust", "chest"),
        ("elbows", None),
        ("", None),
    ],
)
def test_normalise_muscle(raw: str, group: str | None) -> None:
    assert normalise_muscle(raw) == group
