"""CatalogService: the catalog loaded from the database, demos only where one can be shown,
the file_id cache, failing media, admin uploads, credits, and rebuilding from stored rows."""

from __future__ import annotations

import pytest

from bot.catalog.loader import load_catalog
from bot.domain.exercises import Catalog, Exercise, MediaItem
from bot.errors import NotFoundError
from bot.services.catalog import OWNER_LICENSE, CatalogService, Demo, build_catalog, seed_catalog
from bot.storage import Database
from bot.storage import exercises as rows
from tests.factories import exercise

BACK_SQUAT_GIF = (
    "https://wger.de/media/exercise-images/849/30b2631d-d7ec-415c-800b-7eb082314c0a.gif"
)


@pytest.fixture
async def service(database: Database) -> CatalogService:
    """The service over a database seeded from the packaged catalog (open seeds it)."""
    return await CatalogService.open(database)


async def test_open_seeds_an_empty_database_with_the_packaged_catalog(
    database: Database, service: CatalogService
) -> None:
    assert len(service.catalog) == len(load_catalog())
    async with database.transaction() as session:
        stored = await rows.all_exercises(session)
    assert len(stored) == len(load_catalog())
    again = await seed_catalog(database)
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(load_catalog()))


async def test_find_names_only_exercises_with_a_demo(service: CatalogService) -> None:
    back_squat = service.find("back squats")
    assert back_squat is not None
    assert back_squat.slug == "barbell-back-squat"
    # The bodyweight squat has no demo yet: the coach is told so instead of promising one.
    assert service.lookup("air squat").exercise is not None
    assert service.find("air squat") is None
    named = service.mentioned("Do air squats, then push-ups and a barbell squat.", 3)
    assert [exercise.slug for exercise in named] == ["push-up", "barbell-back-squat"]
    assert service.mentioned("push-ups and back squats", 1)[0].slug == "push-up"


async def test_a_demo_sent_by_url_is_sent_by_its_file_id_afterwards(
    service: CatalogService,
) -> None:
    squat = service.catalog.require("barbell-back-squat")
    [demo] = [d for d in await service.demos_for(squat) if d.url is not None]
    assert (demo.kind, demo.url, demo.cached_file_id) == ("animation", BACK_SQUAT_GIF, None)
    await service.remember_file_id(demo, "CgACAgQ-file-id")
    [cached] = [d for d in await service.demos_for(squat) if d.url is not None]
    assert (cached.url, cached.cached_file_id) == (BACK_SQUAT_GIF, "CgACAgQ-file-id")
    await service.forget_file_id(cached)
    assert all(d.cached_file_id is None for d in await service.demos_for(squat))


async def test_a_failing_demo_is_skipped_and_its_exercise_leaves_find(
    database: Database, service: CatalogService
) -> None:
    squat = service.catalog.require("barbell-back-squat")
    demos = await service.demos_for(squat)
    assert len(demos) == 2  # the packaged animation and a GIF by URL
    for demo in demos:
        await service.mark_failing(demo, "Bad Request: wrong file identifier/HTTP URL specified")
    assert await service.demos_for(squat) == []
    assert service.find("barbell squat") is None
    failed = {demo.id for demo in demos}
    assert all(credit.demo.id not in failed for credit in await service.credits())
    # A restarted bot reads the same state back.
    reopened = await CatalogService.open(database)
    assert reopened.find("barbell squat") is None


async def test_an_admin_upload_is_the_first_choice_from_then_on(service: CatalogService) -> None:
    assert service.find("air squat") is None
    demo = await service.set_admin_media("bodyweight-squat", "animation", "ADMIN-FILE", " Ann ")
    assert (demo.license, demo.author, demo.origin, demo.file_id) == (
        OWNER_LICENSE,
        "Ann",
        "admin",
        "ADMIN-FILE",
    )
    found = service.find("air squat")
    assert found is not None
    assert found.slug == "bodyweight-squat"
    back_squat = service.catalog.require("barbell-back-squat")
    await service.set_admin_media("barbell-back-squat", "video", "ADMIN-VIDEO", "Ann")
    demos = await service.demos_for(back_squat)
    # The admin's upload first, then the catalog's: the packaged animation, the wger GIF.
    assert [d.file_id or d.file or d.url for d in demos] == [
        "ADMIN-VIDEO",
        "demos/barbell-back-squat.gif",
        BACK_SQUAT_GIF,
    ]
    credits = [c for c in await service.credits() if c.exercise.slug == "barbell-back-squat"]
    assert [c.demo.credit() for c in credits] == [
        "Video by Ann, provided by the owner",
        "“Barbell Squat” by Everkinetic (everkinetic.com), CC BY-SA 4.0, via github.com,"
        " animated from two drawings",
        "“Barbell Squat” by enros7500, CC BY-SA 4.0, via wger.de",
    ]


async def test_an_admin_upload_for_an_unknown_slug_is_refused(service: CatalogService) -> None:
    with pytest.raises(NotFoundError):
        await service.set_admin_media("no-such-exercise", "photo", "F", "Ann")


async def test_credits_follow_catalog_order_and_name_every_author(service: CatalogService) -> None:
    credits = await service.credits()
    order = [exercise.slug for exercise in service.catalog]
    positions = [order.index(credit.exercise.slug) for credit in credits]
    assert positions == sorted(positions)
    authors = {credit.demo.author for credit in credits}
    assert {"Everkinetic", "enros7500"} <= authors


def _demo(license: str, **extra: str) -> Demo:
    values = {"url": "https://wger.de/media/x.png", "file_id": None, "title": None} | extra
    return Demo(
        id=1,
        exercise_slug="x",
        kind="photo",
        url=values["url"],
        file_id=values["file_id"],
        cached_file_id=None,
        license=license,
        author="Everkinetic",
        title=values["title"],
    )


@pytest.mark.parametrize(
    ("license", "needs_credit", "credit"),
    [
        ("CC-BY-SA 3.0", True, "Image by Everkinetic, CC BY-SA 3.0, via wger.de"),
        ("CC-BY 4.0", True, "Image by Everkinetic, CC BY 4.0, via wger.de"),
        ("CC0 1.0", False, "Image by Everkinetic, CC0 1.0, via wger.de"),
        ("Public domain", False, "Image by Everkinetic, Public domain, via wger.de"),
        (OWNER_LICENSE, False, "Image by Everkinetic, provided by the owner"),
    ],
)
def test_captions_credit_where_the_licence_asks(
    license: str, needs_credit: bool, credit: str
) -> None:
    demo = _demo(license)
    assert demo.needs_credit is needs_credit
    assert demo.credit() == credit


def test_rebuilding_keeps_the_names_of_the_exercises_listed_first() -> None:
    curated = exercise("bodyweight-squat", "Bodyweight squat", aliases=["squat"])
    imported = exercise("wger-squat", "Squat variation", aliases=["squat", "deep squat"])
    clash = exercise("other", "Squat")
    catalog = build_catalog([curated, imported, clash], [])
    assert [exercise.slug for exercise in catalog] == ["bodyweight-squat", "wger-squat"]
    assert catalog.require("wger-squat").aliases == ["deep squat"]


async def test_a_changed_catalog_file_updates_the_stored_exercise(database: Database) -> None:
    packaged = load_catalog()
    await seed_catalog(database, packaged)
    push_up = packaged.require("push-up")
    better = push_up.model_copy(
        update={
            "cues": ["Hands under shoulders.", *push_up.cues[1:]],
            "media": [
                *push_up.media,
                MediaItem(kind="photo", url="https://wger.de/p2.png", license="CC0", author="B"),
            ],
        }
    )
    changed = Catalog([better if e.slug == "push-up" else e for e in packaged])
    counts = await seed_catalog(database, changed)
    assert (counts.updated, counts.added) == (1, 0)
    service = await CatalogService.open(database)
    reloaded: Exercise = service.catalog.require("push-up")
    assert reloaded.cues[0] == "Hands under shoulders."
    # Every item of the file is stored, in the file's order: the packaged animation first.
    assert push_up.media[0].file == "demos/push-up.gif"
    assert [d.file or d.url for d in await service.demos_for(reloaded)] == [
        *[item.file or item.url for item in push_up.media],
        "https://wger.de/p2.png",
    ]


async def test_a_packaged_demo_file_is_stored_and_keeps_its_file_id_across_seeds(
    database: Database,
) -> None:
    gif = MediaItem(
        kind="animation", file="demos/barbell-back-squat.gif", license="CC0", author="E"
    )
    catalog = Catalog(
        exercise.model_copy(update={"media": [gif]})
        if exercise.slug == "barbell-back-squat"
        else exercise
        for exercise in load_catalog()
    )
    await seed_catalog(database, catalog)
    service = await CatalogService.open(database)
    squat = service.catalog.require("barbell-back-squat")
    assert squat.media == [gif]
    assert service.find("back squat") == squat
    [demo] = await service.demos_for(squat)
    assert (demo.file, demo.url, demo.file_id) == ("demos/barbell-back-squat.gif", None, None)
    await service.remember_file_id(demo, "CgAC-uploaded")

    again = await seed_catalog(database, catalog)
    assert again.updated == 0
    [kept] = await service.demos_for(squat)
    assert (kept.id, kept.cached_file_id) == (demo.id, "CgAC-uploaded")
    # Back to the packaged file, which has the same animation and then the wger GIF: the
    # animation's row is kept with its file_id and its credit updated, the URL comes after it.
    await seed_catalog(database)
    packaged, url_demo = await service.demos_for(squat)
    assert (packaged.id, packaged.cached_file_id) == (demo.id, "CgAC-uploaded")
    assert (packaged.author, packaged.license) == ("Everkinetic (everkinetic.com)", "CC-BY-SA 4.0")
    assert (url_demo.url, url_demo.file) == (BACK_SQUAT_GIF, None)
