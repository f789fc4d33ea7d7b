"""Exercise repository: idempotent seeding, a changed file, importer additions, admin uploads,
the file_id cache and failing media."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.domain.exercises import CatalogMedia, Exercise, MediaItem
from bot.errors import NotFoundError
from bot.storage import Database
from bot.storage import exercises as rows
from bot.storage.models import CatalogExercise
from tests.factories import exercise, media_item

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
GIF = "https://example.org/squat.gif"
PNG = "https://example.org/squat.png"


def _squat(
    *, cues: tuple[str, ...] = ("Brace.", "Sit back.", "Stand up."), media: tuple[str, ...] = (GIF,)
) -> Exercise:
    return exercise(
        "bodyweight-squat",
        "Bodyweight squat",
        aliases=["squat"],
        cues=list(cues),
        media=[media_item(url) for url in media],
    )


PLANK = exercise("plank", "Plank", primary_muscles=["abs"])
PHOTO = MediaItem(kind="photo", license="CC0 1.0", author="Bo", url=PNG)


async def _seed(database: Database, *records: Exercise) -> rows.SeedCounts:
    async with database.transaction() as session:
        return await rows.seed_catalog(session, records)


async def _media(database: Database, slug: str = "bodyweight-squat") -> list[CatalogMedia]:
    async with database.transaction() as session:
        return await rows.media_of(session, slug)


async def test_seeding_twice_changes_nothing_the_second_time(database: Database) -> None:
    first = await _seed(database, _squat(), PLANK)
    second = await _seed(database, _squat(), PLANK)
    assert (first.added, first.unchanged) == (2, 0)
    assert (second.added, second.updated, second.unchanged, second.removed) == (0, 0, 2, 0)
    async with database.transaction() as session:
        stored = await rows.all_exercises(session)
        media = await rows.all_media(session)
    assert stored == [_squat(media=()), PLANK]
    assert [(m.exercise_slug, m.url, m.origin) for m in media] == [
        ("bodyweight-squat", GIF, "catalog")
    ]


async def test_a_changed_entry_updates_its_row_and_keeps_the_cache_of_kept_urls(
    database: Database,
) -> None:
    await _seed(database, _squat(media=(GIF, PNG)))
    [gif, png] = await _media(database)
    async with database.transaction() as session:
        await rows.remember_file_id(session, gif.id, "cached-gif-id")
    changed = _squat(cues=("Feet wide.", "Sit back.", "Stand tall."), media=(GIF,))
    counts = await _seed(database, changed)
    assert (counts.updated, counts.unchanged) == (1, 0)
    async with database.transaction() as session:
        [stored] = await rows.all_exercises(session)
    assert stored.cues == ["Feet wide.", "Sit back.", "Stand tall."]
    [kept] = await _media(database)
    assert (kept.id, kept.url, kept.telegram_file_id) == (gif.id, GIF, "cached-gif-id")
    assert png.id not in {m.id for m in await _media(database)}


async def test_seeding_never_deletes_admin_or_imported_media(database: Database) -> None:
    await _seed(database, _squat(), PLANK)
    async with database.transaction() as session:
        await rows.add_admin_media(
            session, "bodyweight-squat", kind="video", file_id="F1", author="Owner", license="x"
        )
        await rows.add_media(
            session,
            "plank",
            [PHOTO],
            origin="wger",
        )
    # The file drops the squat's GIF and the plank altogether.
    counts = await _seed(database, _squat(media=()))
    assert counts.kept == ["plank"]
    assert counts.removed == 0
    assert [(m.origin, m.file_id) for m in await _media(database)] == [("admin", "F1")]
    assert [(m.origin, m.url) for m in await _media(database, "plank")] == [("wger", PNG)]


async def test_an_exercise_gone_from_the_file_is_removed_with_its_catalog_media(
    database: Database,
) -> None:
    await _seed(database, _squat(), PLANK)
    counts = await _seed(database, PLANK)
    assert counts.removed == 1
    async with database.transaction() as session:
        assert [row.slug for row in await rows.all_exercises(session)] == ["plank"]
        assert await rows.all_media(session) == []


async def test_a_url_an_importer_added_is_adopted_when_the_file_lists_it(
    database: Database,
) -> None:
    await _seed(database, _squat(media=()))
    async with database.transaction() as session:
        added = await rows.add_media(
            session,
            "bodyweight-squat",
            [media_item(GIF)],
            origin="wger",
        )
    assert added == 1
    await _seed(database, _squat(media=(GIF,)))
    [adopted] = await _media(database)
    assert (adopted.url, adopted.origin, adopted.position) == (GIF, "catalog", 0)


async def test_imported_media_and_aliases_are_added_once(database: Database) -> None:
    await _seed(database, _squat(media=()))
    item = PHOTO
    async with database.transaction() as session:
        first = await rows.add_media(session, "bodyweight-squat", [item, item], origin="wger")
        again = await rows.add_media(session, "bodyweight-squat", [item], origin="wger")
        new_names = await rows.add_aliases(session, "bodyweight-squat", ["air squat", "air squat"])
        no_names = await rows.add_aliases(session, "bodyweight-squat", ["air squat"])
        [stored] = await rows.all_exercises(session)
    assert (first, again) == (1, 0)
    assert (new_names, no_names) == (1, 0)
    assert stored.aliases == ["squat", "air squat"]


async def test_an_importer_adds_a_new_exercise_with_its_media(database: Database) -> None:
    record = exercise("band-pull-apart", "Band Pull Apart", media=[PHOTO])
    async with database.transaction() as session:
        await rows.add_exercise(session, record, origin="free-exercise-db")
        [stored] = await rows.all_exercises(session)
        assert await rows.exercise_origins(session) == {"free-exercise-db"}
    assert stored == record.model_copy(update={"media": []})
    [media] = await _media(database, "band-pull-apart")
    assert (media.origin, media.position) == ("free-exercise-db", rows.IMPORTED_POSITION)


async def test_admin_uploads_come_first_newest_first(database: Database) -> None:
    await _seed(database, _squat(media=(GIF, PNG)))
    async with database.transaction() as session:
        first = await rows.add_admin_media(
            session, "bodyweight-squat", kind="photo", file_id="A", author="Owner", license="x"
        )
        second = await rows.add_admin_media(
            session, "bodyweight-squat", kind="video", file_id="B", author="Owner", license="x"
        )
    order = [m.file_id or m.url for m in await _media(database)]
    assert order == ["B", "A", GIF, PNG]
    # Sending the first file again makes it the first choice once more, without a new row.
    async with database.transaction() as session:
        again = await rows.add_admin_media(
            session, "bodyweight-squat", kind="photo", file_id="A", author="Owner", license="x"
        )
    assert again.id == first.id != second.id
    assert [m.file_id or m.url for m in await _media(database)] == ["A", "B", GIF, PNG]


async def test_admin_upload_for_an_unknown_exercise_is_not_found(database: Database) -> None:
    async with database.transaction() as session:
        with pytest.raises(NotFoundError, match="no-such"):
            await rows.add_admin_media(
                session, "no-such", kind="photo", file_id="A", author="O", license="x"
            )


async def test_failing_media_are_skipped_and_the_cache_is_cleared(database: Database) -> None:
    await _seed(database, _squat(media=(GIF, PNG)))
    [gif, png] = await _media(database)
    async with database.transaction() as session:
        await rows.remember_file_id(session, png.id, "png-id")
        await rows.mark_failing(session, gif.id, "Bad Request: wrong file identifier" * 20, NOW)
    [left] = await _media(database)
    assert (left.id, left.telegram_file_id) == (png.id, "png-id")
    async with database.transaction() as session:
        everything = await rows.all_media(session)
        await rows.forget_file_id(session, png.id)
    [failing] = [m for m in everything if m.id == gif.id]
    assert failing.failing_at == NOW
    assert failing.failure is not None
    assert len(failing.failure) == 200
    assert (await _media(database))[0].telegram_file_id is None


@pytest.mark.parametrize(
    ("origin", "position", "media_id", "expected"),
    [
        ("admin", 3, 9, (0, -3, -9)),
        ("catalog", 0, 5, (1, 0, 5)),
        ("wger", rows.IMPORTED_POSITION, 2, (1, rows.IMPORTED_POSITION, 2)),
    ],
)
def test_priority_puts_admin_uploads_before_curated_before_imported(
    origin: str, position: int, media_id: int, expected: tuple[int, int, int]
) -> None:
    media = CatalogMedia(
        id=media_id,
        exercise_slug="x",
        kind="photo",
        url=None,
        file_id="f",
        license="CC0 1.0",
        author="A",
        source_page=None,
        title=None,
        origin=origin,
        position=position,
        telegram_file_id=None,
        failing_at=None,
        failure=None,
    )
    assert rows.priority(media) == expected


async def test_curated_exercises_come_first_and_broken_rows_are_skipped(database: Database) -> None:
    await _seed(database, PLANK)
    async with database.transaction() as session:
        await rows.add_exercise(session, exercise("air-squat", "Air squat"), origin="wger")
        session.add(
            CatalogExercise(
                slug="broken",
                name="Broken",
                data=json.dumps({"cues": ["Only one."]}),
                extra_aliases="[]",
                origin="wger",
            )
        )
    async with database.transaction() as session:
        assert [e.slug for e in await rows.all_exercises(session)] == ["plank", "air-squat"]
        assert await rows.exercise_slugs(session) == {"plank", "air-squat", "broken"}
        assert await rows.exercise_origins(session) == {"catalog", "wger"}
