"""TrainingService: logging all or nothing, typos refused, undo, weigh-ins, progress, summary."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.catalog.loader import load_catalog
from bot.catalog.lookup import LookupResult, find_exercise
from bot.domain.exercises import Catalog
from bot.domain.profile import Profile, UnitSystem
from bot.domain.training import LoggedSet, PrKind, recent_summary
from bot.domain.workout_parser import WorkoutParseError
from bot.errors import UserInputError
from bot.services.training import (
    ChartKind,
    ToolArgumentError,
    TrainingService,
    UnknownExerciseError,
    parse_period,
)
from bot.storage import Database, users
from bot.storage import training as rows

USER = 81


class _Catalog:
    def __init__(self) -> None:
        self.catalog: Catalog = load_catalog()

    def lookup(self, query: str) -> LookupResult:
        return find_exercise(self.catalog, query)


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> _Clock:
    return _Clock()


@pytest.fixture
def service(database: Database, clock: _Clock) -> TrainingService:
    return TrainingService(database, _Catalog(), now=clock)


async def _stored(database: Database) -> int:
    async with database.transaction() as session:
        return len(await rows.sets_of(session, USER))


async def test_a_message_is_logged_with_catalog_names_and_a_free_name(
    service: TrainingService, database: Database
) -> None:
    result = await service.log_text(USER, "back squat 5x5 100kg; sled drag 3x20m")
    [squat, sled] = result.exercises
    assert (squat.name, len(squat.sets)) == ("Barbell back squat", 5)
    assert squat.slug == "barbell-back-squat"
    assert squat.sets[0].weight_kg == 100.0
    assert (sled.slug, sled.name) == (None, "sled drag")
    assert await _stored(database) == 8


async def test_nothing_is_logged_when_one_part_is_unreadable_or_a_typo(
    service: TrainingService, database: Database
) -> None:
    with pytest.raises(WorkoutParseError):
        await service.log_text(USER, "squat 3x5 100kg; bench ???")
    with pytest.raises(UnknownExerciseError) as raised:
        await service.log_text(USER, "bench press 3x5 60kg; sqauts 3x5 100kg")
    assert raised.value.suggestions
    assert await _stored(database) == 0


async def test_a_heavier_set_is_a_record_and_undo_removes_the_batch(
    service: TrainingService, clock: _Clock, database: Database
) -> None:
    first = await service.log_text(USER, "back squat 3x5 100kg")
    assert first.exercises[0].records == frozenset()
    clock.now += timedelta(days=2)
    second = await service.log_text(USER, "back squat 3x5 105kg")
    assert PrKind.WEIGHT in second.exercises[0].records
    assert await service.undo(USER, second.batch_id) == 3
    assert await service.undo(USER, second.batch_id) == 0
    recent = await service.recent(USER)
    assert {e.batch_id for e in recent} == {first.batch_id}
    assert await service.delete_entry(USER, recent[0].id) is not None
    assert await _stored(database) == 2


async def test_imperial_weigh_ins_are_stored_in_kg_and_the_profile_follows(
    service: TrainingService, database: Database
) -> None:
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=USER, first_name="A")
        await users.save_profile(session, USER, Profile(units=UnitSystem.IMPERIAL, weight_kg=90.0))
    result = await service.log_weight(USER, "179")
    assert result.saved.weight_kg == pytest.approx(81.193, abs=0.01)
    stone = await service.log_weight(USER, "12st 9")  # same day: replaces it
    assert stone.saved.weight_kg == pytest.approx(80.286, abs=0.01)
    async with database.transaction() as session:
        profile = await users.get_profile(session, USER)
        weights = await rows.body_weights(session, USER)
    assert profile is not None
    assert profile.weight_kg == pytest.approx(80.286, abs=0.01)
    assert len(weights) == 1
    with pytest.raises(UserInputError):
        await service.log_weight(USER, "heavy")


async def test_progress_points_are_in_the_users_units(
    service: TrainingService, clock: _Clock
) -> None:
    empty = await service.progress(USER, "back squat")
    assert not empty.enough
    for kg in (100, 105, 110):
        await service.log_text(USER, f"back squat 1x1 {kg}kg")
        await service.log_weight(USER, f"{kg - 20} kg")
        clock.now += timedelta(days=3)
    squat = await service.progress(USER, "back squat 4w")
    assert (squat.kind, squat.days, squat.e1rm) == (ChartKind.EXERCISE, 28, True)
    assert [v for _, v in squat.points] == [100.0, 105.0, 110.0]
    assert squat.change == 10.0
    weight = await service.progress(USER, "weight")
    assert weight.kind is ChartKind.WEIGHT
    assert weight.latest == 90.0
    weekly = await service.progress(USER, "")
    assert weekly.kind is ChartKind.WEEKLY
    assert sum(v for _, v in weekly.points) == 3.0
    with pytest.raises(UnknownExerciseError):
        await service.progress(USER, "sqauts")


def test_periods_read_weeks_months_and_years() -> None:
    assert [parse_period(p) for p in ("4w", "3m", "1y", "10d")] == [28, 90, 365, 10]
    with pytest.raises(UserInputError):
        parse_period("soon")


async def test_the_coach_tool_logs_clear_sets_and_refuses_unclear_ones(
    service: TrainingService, database: Database
) -> None:
    result = await service.log_structured(
        USER,
        {"exercise": "bench press", "sets": [{"reps": 5, "weight": 185, "unit": "lb"}]},
    )
    assert result.exercises[0].sets[0].weight_kg == pytest.approx(83.915, abs=0.01)
    for unclear in (
        {"exercise": "the thing", "sets": [{"reps": 5}]},
        {"exercise": "bench press", "sets": [{"reps": 5, "weight": 80}]},
        {"exercise": "bench press", "sets": [{"reps": 5.5}]},
        {"exercise": "bench press", "sets": []},
        {"exercise": "bench press", "sets": [{"reps": 5}], "date": "2030-01-01"},
    ):
        with pytest.raises(ToolArgumentError):
            await service.log_structured(USER, unclear)
    assert await _stored(database) == 1


async def test_the_summary_covers_the_last_two_weeks(
    service: TrainingService, clock: _Clock
) -> None:
    assert await service.summary(USER, clock.now.date()) is None
    await service.log_text(USER, "back squat 3x5 100kg")
    summary = await service.summary(USER, clock.now.date())
    assert summary is not None
    assert (summary.sessions, summary.total_sets) == (1, 3)
    assert summary.start == date(2026, 2, 25)


def _year_of_sets(today: date) -> list[LoggedSet]:
    """About 3,000 sets over a year: records early on, a detour, then a comeback in the window."""
    names = [
        ("barbell-back-squat", "Back squat"),
        ("barbell-bench-press", "Bench press"),
        (None, "Sled Push"),
        (None, "sled  push"),
        (None, "Pull-ups"),
        (None, "Rowing"),
    ]
    logged: list[LoggedSet] = []
    for back in range(365, -1, -1):
        day = today - timedelta(days=back)
        at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=7)
        # Heavy in the first months, lighter after, the window climbing back towards it.
        peak = 140.0 if back > 300 else 100.0 + (13 - back) * 5.0 if back < 14 else 90.0
        for number in range(8 + back % 3):
            slug, name = names[(back + number) % len(names)]
            reps = 1 + (back * 7 + number * 3) % 14
            weight: float | None = round(peak - reps * 2.5 + (number % 3) * 1.25, 2)
            if name == "Pull-ups":
                weight = None if number % 2 else 0.0
                reps = 5 + (back * 5 + number) % 11 + (6 if back < 3 else 0)
            elif name == "Rowing":
                weight, reps = None, None
            logged.append(
                LoggedSet(
                    exercise_name=name,
                    exercise_slug=slug,
                    performed_at=at + timedelta(minutes=3 * number),
                    reps=reps,
                    weight_kg=weight,
                    distance_m=2000.0 if name == "Rowing" else None,
                )
            )
    return logged


async def test_the_summary_of_a_long_history_is_the_one_every_set_gives(
    service: TrainingService, database: Database, clock: _Clock
) -> None:
    today = clock.now.date()
    history = _year_of_sets(today)
    assert len(history) > 3000
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=USER, first_name="A")
        await rows.add_sets(session, USER, "year", history)
        # Sets older than a year and in the future do not count, as before.
        old = history[0].performed_at - timedelta(days=30)
        await rows.add_sets(session, USER, "old", [replace(history[0], performed_at=old)])
    summary = await service.summary(USER, today)
    since = datetime.combine(today - timedelta(days=365), datetime.min.time(), tzinfo=UTC)
    async with database.transaction() as session:
        every = await rows.sets_of(session, USER, since=since)
    assert summary == recent_summary(every, [], today, days=14)
    assert summary is not None
    assert {kind for event in summary.records for kind in event.kinds} == set(PrKind)
    # The early records matter: without them the window would claim more.
    start = datetime.combine(summary.start, datetime.min.time(), tzinfo=UTC)
    window_only = recent_summary([s for s in every if s.performed_at >= start], [], today)
    assert len(window_only.records) > len(summary.records)
