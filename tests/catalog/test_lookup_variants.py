"""Generic names ("squat", "тяга", "Kniebeuge"): the usual variant with a demo, then the rest."""

from __future__ import annotations

import pytest

from bot.catalog.loader import load_catalog
from bot.catalog.lookup import GENERIC_NAMES, MAX_VARIANTS, VARIANT_GROUPS, find_exercise
from bot.domain.exercises import Catalog, Exercise, normalise_name


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        # English
        ("squat", "barbell-back-squat"),
        ("Squats", "barbell-back-squat"),
        ("deadlift", "deadlift"),
        ("deadlifts", "deadlift"),
        ("row", "barbell-row"),
        ("rows", "barbell-row"),
        ("curl", "dumbbell-curl"),
        ("curls", "dumbbell-curl"),
        ("biceps curls", "dumbbell-curl"),
        ("press", "barbell-bench-press"),
        ("bench", "barbell-bench-press"),
        ("bench press", "barbell-bench-press"),
        ("benchpress", "barbell-bench-press"),
        ("lunge", "forward-lunge"),
        ("lunges", "forward-lunge"),
        ("calf raises", "standing-machine-calf-raise"),
        ("pulldown", "close-grip-lat-pulldown"),
        ("pull-ups", "pull-up"),
        ("pushups", "push-up"),
        ("dips", "parallel-bar-dip"),
        ("shrugs", "barbell-shrug"),
        ("flyes", "dumbbell-fly"),
        ("crunches", "crunch"),
        ("leg curls", "lying-leg-curl"),
        ("triceps extensions", "skull-crusher"),
        ("shoulder press", "seated-barbell-press"),
        ("incline press", "incline-bench-press"),
        ("dumbbell press", "dumbbell-bench-press"),
        ("upright rows", "barbell-upright-row"),
        ("pushdowns", "triceps-pushdown"),
        ("pullover", "dumbbell-pullover"),
        ("kickbacks", "cable-glute-kickback"),
        # Russian
        ("присед", "barbell-back-squat"),
        ("приседания", "barbell-back-squat"),
        ("Приседание", "barbell-back-squat"),
        ("становая тяга", "deadlift"),
        ("становая", "deadlift"),
        ("тяга", "barbell-row"),
        ("сгибания", "dumbbell-curl"),
        ("подъём на бицепс", "dumbbell-curl"),
        ("жим", "barbell-bench-press"),
        ("жим лёжа", "barbell-bench-press"),
        ("выпады", "forward-lunge"),
        ("подъём на носки", "standing-machine-calf-raise"),
        ("тяга верхнего блока", "close-grip-lat-pulldown"),
        ("подтягивания", "pull-up"),
        ("отжимания", "push-up"),
        ("брусья", "parallel-bar-dip"),
        ("шраги", "barbell-shrug"),
        ("разводка", "dumbbell-fly"),
        ("скручивания", "crunch"),
        ("французский жим", "skull-crusher"),
        ("махи", "lateral-raise"),
        ("протяжка", "barbell-upright-row"),
        ("жим гантелей", "dumbbell-bench-press"),
        # Spanish
        ("sentadilla", "barbell-back-squat"),
        ("sentadillas", "barbell-back-squat"),
        ("peso muerto", "deadlift"),
        ("remo", "barbell-row"),
        ("curl de bíceps", "dumbbell-curl"),
        ("press de banca", "barbell-bench-press"),
        ("zancadas", "forward-lunge"),
        ("elevación de talones", "standing-machine-calf-raise"),
        ("jalón al pecho", "close-grip-lat-pulldown"),
        ("dominadas", "pull-up"),
        ("flexiones", "push-up"),
        ("fondos", "parallel-bar-dip"),
        ("aperturas", "dumbbell-fly"),
        ("curl femoral", "lying-leg-curl"),
        ("press inclinado", "incline-bench-press"),
        # German
        ("Kniebeuge", "barbell-back-squat"),
        ("Kniebeugen", "barbell-back-squat"),
        ("Kreuzheben", "deadlift"),
        ("Rudern", "barbell-row"),
        ("Bizepscurls", "dumbbell-curl"),
        ("Bankdrücken", "barbell-bench-press"),
        ("Ausfallschritte", "forward-lunge"),
        ("Wadenheben", "standing-machine-calf-raise"),
        ("Latziehen", "close-grip-lat-pulldown"),
        ("Klimmzüge", "pull-up"),
        ("Liegestütze", "push-up"),
        ("Trizepsdrücken", "skull-crusher"),
        ("Beinbeuger", "lying-leg-curl"),
        ("Fliegende", "dumbbell-fly"),
        ("Schrägbankdrücken", "incline-bench-press"),
    ],
)
def test_a_generic_name_picks_the_common_variant_with_a_demo(
    catalog: Catalog, query: str, slug: str
) -> None:
    result = find_exercise(catalog, query)
    assert result.exercise is not None, result.suggestions
    assert result.exercise.slug == slug
    assert result.exercise.media, "the chosen variant has a demo"
    assert result.variants, "the other variants are offered"
    assert result.exercise not in result.variants
    assert result.suggestions == []


@pytest.mark.parametrize(
    ("query", "variants"),
    [
        ("squat", ["bodyweight-squat", "front-squat", "goblet-squat"]),
        ("тяга", ["deadlift", "seated-cable-row", "lat-pulldown"]),
        ("Kniebeuge", ["bodyweight-squat", "front-squat", "goblet-squat"]),
        ("deadlift", ["romanian-deadlift", "sumo-deadlift", "dumbbell-romanian-deadlift"]),
        ("calf raise", ["standing-calf-raise", "seated-calf-raise"]),
    ],
)
def test_variants_come_most_common_first(catalog: Catalog, query: str, variants: list[str]) -> None:
    result = find_exercise(catalog, query)
    slugs = [exercise.slug for exercise in result.variants]
    assert slugs[: len(variants)] == variants
    assert len(slugs) <= MAX_VARIANTS
    assert len(set(slugs)) == len(slugs)


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("front squat", "front-squat"),
        ("air squat", "bodyweight-squat"),
        ("romanian deadlift", "romanian-deadlift"),
        ("hammer curl", "hammer-curl"),
        ("жим ногами", "leg-press"),
        ("sentadilla frontal", "front-squat"),
        ("Frontkniebeuge", "front-squat"),
        ("overhead press", "overhead-press"),
    ],
)
def test_a_specific_name_keeps_its_exercise_and_has_no_variants(
    catalog: Catalog, query: str, slug: str
) -> None:
    result = find_exercise(catalog, query)
    assert result.exercise is not None
    assert result.exercise.slug == slug
    assert result.variants == []


def test_without_a_demo_the_next_variant_answers(catalog: Catalog) -> None:
    def demo_unless_back_squat(exercise: Exercise) -> bool:
        return exercise.slug not in {"barbell-back-squat", "bodyweight-squat"}

    result = find_exercise(catalog, "squat", demo_unless_back_squat)
    assert result.exercise is not None
    assert result.exercise.slug == "front-squat"
    assert [exercise.slug for exercise in result.variants][:2] == [
        "barbell-back-squat",
        "bodyweight-squat",
    ]


def test_with_no_demo_at_all_the_first_variant_answers(catalog: Catalog) -> None:
    result = find_exercise(catalog, "squat", lambda exercise: False)
    assert result.exercise is not None
    assert result.exercise.slug == "barbell-back-squat"


def test_a_group_missing_from_a_small_catalog_falls_back_to_names() -> None:
    full = load_catalog()
    small = Catalog([full.require("bodyweight-squat")])
    result = find_exercise(small, "squat")
    assert result.exercise is not None
    assert result.exercise.slug == "bodyweight-squat"
    assert result.variants == []


def test_every_group_names_catalog_exercises(catalog: Catalog) -> None:
    missing = [slug for group in VARIANT_GROUPS for slug in group.slugs if slug not in catalog]
    assert missing == []


def test_a_generic_name_that_is_an_exercise_name_belongs_to_its_group(catalog: Catalog) -> None:
    strays = []
    for key, group in GENERIC_NAMES.items():
        owner = catalog.name_keys.get(key)
        if owner is not None and owner.slug not in group.slugs:
            strays.append((key, owner.slug))
    assert strays == []


def test_every_group_answers_with_a_demo(catalog: Catalog) -> None:
    for group in VARIANT_GROUPS:
        result = find_exercise(catalog, group.names[0])
        assert result.exercise is not None
        assert result.exercise.media, group.names[0]


def test_generic_names_are_unique_across_groups() -> None:
    keys = [normalise_name(name) for group in VARIANT_GROUPS for name in group.names]
    assert len(keys) == len(set(keys))
