"""Training-log repository on both databases: batches, listing, deletion, weigh-ins per date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.domain.training import BodyWeight, LoggedSet
from bot.storage import Database, users
from bot.storage import training as rows

USER = 71
OTHER = 72


def _set(name: str, day: int, reps: int = 5, kg: float | None = 100.0) -> LoggedSet:
    return LoggedSet(
        exercise_name=name,
        exercise_slug=name.replace(" ", "-"),
        performed_at=datetime(2026, 3, day, 18, 0, tzinfo=UTC),
        reps=reps,
        weight_kg=kg,
    )


async def _users(database: Database) -> None:
    async with database.transaction() as session:
        for user_id in (USER, OTHER):
            await users.upsert_user(session, user_id=user_id, first_name="A")


async def test_a_batch_is_stored_listed_and_undone_as_a_whole(database: Database) -> None:
    await _users(database)
    async with database.transaction() as session:
        await rows.add_sets(session, USER, "b1", [_set("squat", 1), _set("squat", 1, reps=4)])
        added = await rows.add_sets(session, USER, "b2", [_set("bench press", 3, kg=None)])
        await rows.add_sets(session, OTHER, "b3", [_set("squat", 2)])
    assert added[0].logged.weight_kg is None
    async with database.transaction() as session:
        recent = await rows.recent_entries(session, USER, 10)
        assert [e.batch_id for e in recent] == ["b2", "b1", "b1"]
        assert recent[0].logged.performed_at == datetime(2026, 3, 3, 18, 0, tzinfo=UTC)
        assert [e.logged.reps for e in await rows.batch_entries(session, USER, "b1")] == [5, 4]
        # Another user's batch id does not undo anything of theirs.
        assert await rows.delete_batch(session, USER, "b3") == 0
        assert await rows.delete_batch(session, USER, "b1") == 2
    async with database.transaction() as session:
        assert [s.exercise_name for s in await rows.sets_of(session, USER)] == ["bench press"]
        assert len(await rows.sets_of(session, OTHER)) == 1


async def test_sets_are_read_in_a_time_window_oldest_first(database: Database) -> None:
    await _users(database)
    async with database.transaction() as session:
        await rows.add_sets(session, USER, "b", [_set("squat", d) for d in (5, 1, 3)])
    async with database.transaction() as session:
        window = await rows.sets_of(
            session,
            USER,
            since=datetime(2026, 3, 2, tzinfo=UTC),
            until=datetime(2026, 3, 5, tzinfo=UTC),
        )
    assert [s.performed_at.day for s in window] == [3]


async def test_one_entry_is_deleted_only_by_its_owner(database: Database) -> None:
    await _users(database)
    async with database.transaction() as session:
        [entry] = await rows.add_sets(session, USER, "b", [_set("squat", 1)])
    async with database.transaction() as session:
        assert await rows.delete_entry(session, OTHER, entry.id) is None
        deleted = await rows.delete_entry(session, USER, entry.id)
        assert deleted is not None
        assert deleted.logged.exercise_name == "squat"
    async with database.transaction() as session:
        assert await rows.delete_entry(session, USER, entry.id) is None
        assert await rows.entries_of(session, USER) == []


async def test_a_second_weigh_in_the_same_day_replaces_the_first(database: Database) -> None:
    await _users(database)
    async with database.transaction() as session:
        await rows.save_body_weight(session, USER, BodyWeight(date(2026, 3, 1), 82.0))
        await rows.save_body_weight(session, USER, BodyWeight(date(2026, 3, 2), 81.5, 90.0))
    async with database.transaction() as session:
        await rows.save_body_weight(session, USER, BodyWeight(date(2026, 3, 2), 81.2))
    async with database.transaction() as session:
        weights = await rows.body_weights(session, USER)
        latest = await rows.latest_body_weight(session, USER)
        since = await rows.body_weights(session, USER, since=date(2026, 3, 2))
    assert weights == [BodyWeight(date(2026, 3, 1), 82.0), BodyWeight(date(2026, 3, 2), 81.2)]
    assert latest == BodyWeight(date(2026, 3, 2), 81.2)
    assert len(since) == 1


async def test_record_history_keeps_the_heaviest_set_per_exercise_reps_and_load(
    database: Database,
) -> None:
    await _users(database)
    async with database.transaction() as session:
        await rows.add_sets(
            session,
            USER,
            "b1",
            [
                _set("squat", 1, kg=100.0),
                _set("squat", 2, kg=110.0),
                _set("squat", 3, reps=3, kg=120.0),
                _set("pull up", 1, reps=8, kg=None),
                _set("pull up", 2, reps=8, kg=10.0),
                _set("squat", 9, kg=150.0),
            ],
        )
        await rows.add_sets(session, OTHER, "b2", [_set("squat", 2, kg=200.0)])
    async with database.transaction() as session:
        condensed = await rows.record_history(
            session,
            USER,
            since=datetime(2026, 3, 1, tzinfo=UTC),
            until=datetime(2026, 3, 5, tzinfo=UTC),
        )
    assert sorted((s.exercise_name, s.reps, s.weight_kg or 0.0) for s in condensed) == [
        ("pull up", 8, 0.0),
        ("pull up", 8, 10.0),
        ("squat", 3, 120.0),
        ("squat", 5, 110.0),
    ]
    assert [s.weight_kg for s in condensed if s.exercise_name == "pull up"].count(None) == 1
    assert condensed[0].performed_at == datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
