"""Finding exercises by what people and models write."""

from __future__ import annotations

import pytest

from bot.catalog.loader import load_catalog
from bot.catalog.lookup import (
    GENERIC_NAMES,
    by_muscle,
    find_exercise,
    mentioned_exercises,
    muscle_groups,
)
from bot.domain.exercises import Catalog, normalise_name
from bot.errors import UserInputError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("push ups", "push-up"),
        ("push-up", "push-up"),
        ("pushups", "push-up"),
        ("PUSH-UPS", "push-up"),
        ("goblet squats", "goblet-squat"),
        ("benchpress", "barbell-bench-press"),
        ("bench press", "barbell-bench-press"),
        ("deadlfit", "deadlift"),
        ("приседания", "barbell-back-squat"),
        ("присидания", "bodyweight-squat"),
        ("жим лёжа", "barbell-bench-press"),
        ("жим лежа", "barbell-bench-press"),
        ("sentadillas", "barbell-back-squat"),
        ("Kniebeugen", "barbell-back-squat"),
        ("air squats", "bodyweight-squat"),
        ("Liegestütze", "push-up"),
        ("flexiones", "push-up"),
        ("press francés", "skull-crusher"),
        ("press frances", "skull-crusher"),
        ("dumbell curl", "dumbbell-curl"),
        ("bicep curls", "dumbbell-curl"),
        ("kettle bell swings", "kettlebell-swing"),
        ("romanian dead lift", "romanian-deadlift"),
        ("RDL", "romanian-deadlift"),
        ("militray press", "overhead-press"),
        ("leg extentions", "leg-extension"),
        ("latpulldown", "lat-pulldown"),
        ("farmers walk", "farmers-walk"),
        ("world's greatest stretch", "worlds-greatest-stretch"),
        ("dumbbell flies", "dumbbell-fly"),
        ("calf raises", "standing-machine-calf-raise"),
        ("  Turkish Get Up  ", "turkish-get-up"),
    ],
)
def test_find_exercise_resolves(catalog: Catalog, query: str, slug: str) -> None:
    result = find_exercise(catalog, query)
    assert result.exercise is not None, result.suggestions
    assert result.exercise.slug == slug
    assert result.found
    assert result.suggestions == []


def test_every_name_and_alias_finds_its_own_exercise(catalog: Catalog) -> None:
    """Generic names ("squat") answer with their group's first choice and offer the rest."""
    misses = []
    for exercise in catalog:
        for written in exercise.names():
            result = find_exercise(catalog, written)
            found = result.exercise
            generic = normalise_name(written) in GENERIC_NAMES and exercise in result.variants
            if found is None or (found.slug != exercise.slug and not generic):
                misses.append((written, exercise.slug))
    assert misses == []


@pytest.mark.parametrize(
    "variant",
    [str.upper, lambda name: name.replace(" ", "-"), lambda name: f" {name}! "],
    ids=["upper", "hyphens", "padded"],
)
def test_every_name_survives_spelling_variants(catalog: Catalog, variant: object) -> None:
    assert callable(variant)
    misses = [
        exercise.slug
        for exercise in catalog
        if (found := find_exercise(catalog, variant(exercise.name)).exercise) is None
        or found.slug != exercise.slug
    ]
    assert misses == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("curlz", {"dumbbell-curl", "hammer-curl", "barbell-curl"}),
        ("shrugz", {"dumbbell-shrug", "barbell-shrug"}),
        ("squta", {"bodyweight-squat"}),
    ],
)
def test_ambiguous_or_unknown_names_get_suggestions(
    catalog: Catalog, query: str, expected: set[str]
) -> None:
    result = find_exercise(catalog, query)
    assert result.exercise is None
    assert not result.found
    slugs = {exercise.slug for exercise in result.suggestions}
    assert expected <= slugs
    assert len(result.suggestions) <= 5


@pytest.mark.parametrize("query", ["banana", "zzzz", "yoga", "", "   ", "!!!"])
def test_no_false_match(catalog: Catalog, query: str) -> None:
    result = find_exercise(catalog, query)
    assert result.exercise is None
    banana_like = {exercise.slug for exercise in result.suggestions}
    assert "childs-pose" not in banana_like


@pytest.mark.parametrize(
    ("text", "slugs"),
    [
        (
            "Start with goblet squats, then do push-ups and finish with a plank.",
            ["goblet-squat", "push-up", "plank"],
        ),
        (
            "Try Romanian deadlifts today; keep regular deadlifts for Friday. Deadlifts again!",
            ["romanian-deadlift", "deadlift"],
        ),
        (
            "Сделайте приседания и отжимания, потом планку.",
            ["bodyweight-squat", "push-up", "plank"],
        ),
        ("Do pushups and pull ups, then dips.", ["push-up", "pull-up", "parallel-bar-dip"]),
        ("Take a dip in the pool, then row a boat. Three days in a row!", []),
        ("Rest today: sleep, water and a walk.", []),
        ("<b>Kettlebell swings</b> build the hips.", ["kettlebell-swing"]),
        ("Sit-ups and crunches both train the abs.", ["sit-up", "crunch"]),
    ],
)
def test_mentioned_exercises(catalog: Catalog, text: str, slugs: list[str]) -> None:
    assert [exercise.slug for exercise in mentioned_exercises(catalog, text)] == slugs


def test_mentioned_exercises_respects_limit(catalog: Catalog) -> None:
    text = "Burpees, jumping jacks, high knees, mountain climbers and a plank."
    assert [e.slug for e in mentioned_exercises(catalog, text, limit=2)] == [
        "burpee",
        "jumping-jack",
    ]
    assert len(mentioned_exercises(catalog, text, limit=10)) == 5
    assert mentioned_exercises(catalog, text, limit=0) == []


def test_muscle_groups_lists_browsable_groups(catalog: Catalog) -> None:
    groups = muscle_groups(catalog)
    assert groups[0] == "chest"
    assert all(by_muscle(catalog, group) for group in groups)


@pytest.mark.parametrize(
    ("group", "member"),
    [
        ("chest", "barbell-bench-press"),
        ("Quads", "barbell-back-squat"),
        ("lats", "pull-up"),
        ("ягодицы", "glute-bridge"),
        ("Lower Back", "back-extension"),
    ],
)
def test_by_muscle_accepts_everyday_names(catalog: Catalog, group: str, member: str) -> None:
    assert member in {exercise.slug for exercise in by_muscle(catalog, group)}


def test_by_muscle_unknown_group_raises_user_input_error(catalog: Catalog) -> None:
    with pytest.raises(UserInputError) as raised:
        by_muscle(catalog, "elbows")
    assert raised.value.field == "muscle"
    assert "chest" in raised.value.message
