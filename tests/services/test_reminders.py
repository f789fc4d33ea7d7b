"""The reminder scheduler on each database: an injected clock drives its ticks directly."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, time, timedelta

from bot.domain.profile import Profile
from bot.domain.reminders import CheckInAnswer, ReminderKind, ReminderSpec
from bot.domain.training import BodyWeight, LoggedSet
from bot.services.broadcast import DeliveryOutcome
from bot.services.reminders import NeedsTimezone, ReminderService
from bot.services.users import UserService
from bot.storage import Database
from bot.storage import training as training_rows
from bot.storage import users as user_rows
from tests.factories import add_users

USER = 7001
WORKOUT = ReminderSpec(ReminderKind.WORKOUT, frozenset({0, 2, 4}), time(18, 30))
# Wednesday 2026-06-03, 12:00 UTC = 14:00 in Berlin; the reminder is due at 16:30 UTC.
NOON = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 6, 3, 16, 30, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class RecordingPort:
    def __init__(self, outcome: DeliveryOutcome = DeliveryOutcome.SENT) -> None:
        self.sent: list[tuple[int, str]] = []
        self.outcome = outcome

    async def send_reminder(self, chat_id: int, text: str) -> DeliveryOutcome:
        await asyncio.sleep(0.01)  # a real send yields; racing ticks interleave here
        self.sent.append((chat_id, text))
        return self.outcome

    async def send_check_in(self, chat_id: int, text: str, language: str) -> DeliveryOutcome:
        return await self.send_reminder(chat_id, text)


async def _with_reminder(database: Database, clock: Clock) -> ReminderService:
    await add_users(database, [USER])
    service = ReminderService(database, clock=clock)
    assert isinstance(await service.set(USER, WORKOUT), NeedsTimezone)
    await service.set_timezone(USER, "Europe/Berlin")
    reminder = await service.set(USER, WORKOUT)
    assert not isinstance(reminder, NeedsTimezone)
    assert reminder.next_due == DUE
    return service


async def test_a_reminder_fires_once_at_its_local_time(database: Database) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    port = RecordingPort()
    assert (await service.tick(port)).sent == 0
    clock.now = DUE + timedelta(seconds=20)
    assert (await service.tick(port)).sent == 1
    assert port.sent[0][0] == USER
    assert "workout" in port.sent[0][1]
    assert (await service.tick(port)).sent == 0  # moved on to Friday
    _, [reminder] = await service.reminders(USER)
    assert reminder.next_due == datetime(2026, 6, 5, 16, 30, tzinfo=UTC)


async def test_a_restart_between_scheduling_and_firing_loses_nothing(database: Database) -> None:
    clock = Clock(NOON)
    await _with_reminder(database, clock)
    # A new process: a new service (and owner) on the same database, started after the time.
    clock.now = DUE + timedelta(hours=2)  # 20:30 in Berlin, same day, before quiet hours
    restarted = ReminderService(database, clock=clock)
    port = RecordingPort()
    assert (await restarted.tick(port)).sent == 1
    assert (await restarted.tick(port)).sent == 0


async def test_a_reminder_missed_until_the_next_day_is_skipped(database: Database) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    clock.now = DUE + timedelta(days=1)  # Thursday: Wednesday's is stale
    port = RecordingPort()
    report = await service.tick(port)
    assert (report.sent, report.skipped) == (0, 1)
    assert port.sent == []
    _, [reminder] = await service.reminders(USER)
    assert reminder.next_due == datetime(2026, 6, 5, 16, 30, tzinfo=UTC)


async def test_a_user_who_blocked_the_bot_gets_none(database: Database) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    async with database.transaction() as session:
        await user_rows.mark_blocked(session, USER)
    clock.now = DUE
    port = RecordingPort()
    assert (await service.tick(port)).sent == 0
    assert port.sent == []


async def test_a_block_found_while_sending_is_remembered(database: Database) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    clock.now = DUE
    await service.tick(RecordingPort(DeliveryOutcome.BLOCKED))
    async with database.transaction() as session:
        user = await user_rows.get_user(session, USER)
    assert user is not None
    assert user.blocked_at is not None


async def test_a_send_to_retry_is_tried_again_on_the_next_tick(database: Database) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    clock.now = DUE
    assert (await service.tick(RecordingPort(DeliveryOutcome.RETRY))).retry == 1
    clock.now = DUE + timedelta(seconds=30)
    assert (await service.tick(RecordingPort())).sent == 1


async def test_two_instances_ticking_at_once_send_each_reminder_once(database: Database) -> None:
    clock = Clock(NOON)
    users = list(range(7100, 7120))
    await add_users(database, users)
    setup = ReminderService(database, clock=clock)
    for user_id in users:
        await setup.set_timezone(user_id, "Europe/Berlin")
        await setup.set(user_id, WORKOUT)
    clock.now = DUE
    port = RecordingPort()
    instances = [ReminderService(database, clock=clock) for _ in range(3)]
    await asyncio.gather(*(instance.tick(port) for instance in instances))
    assert sorted(chat for chat, _ in port.sent) == users
    await asyncio.gather(*(instance.tick(port) for instance in instances))
    assert len(port.sent) == len(users)


async def test_a_new_time_zone_moves_the_due_time(database: Database) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    await service.set_timezone(USER, "+3")
    _, [reminder] = await service.reminders(USER)
    assert reminder.next_due == datetime(2026, 6, 3, 15, 30, tzinfo=UTC)


async def test_the_weekly_check_in_reviews_the_week_and_is_offered_after_a_week(
    database: Database,
) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    assert not await service.offer_check_in(USER, None)
    assert not await service.offer_check_in(USER, NOON - timedelta(days=6))
    assert await service.offer_check_in(USER, NOON - timedelta(days=7))
    sunday = ReminderSpec(ReminderKind.CHECK_IN, frozenset({6}), time(18, 0))
    reminder = await service.set(USER, sunday)
    assert not isinstance(reminder, NeedsTimezone)
    assert not await service.offer_check_in(USER, NOON - timedelta(days=7))
    clock.now = reminder.next_due
    port = RecordingPort()
    await service.tick(port)
    [(_, review)] = port.sent
    assert review.startswith("Your week in review")
    assert review.endswith("How did this week's training feel?")


async def test_export_holds_the_time_zone_reminders_and_check_ins(database: Database) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    await service.answer_check_in(USER, CheckInAnswer.ABOUT_RIGHT)
    document = await UserService(database).export(USER)
    json.dumps(document)
    assert document["user"]["timezone"] == "Europe/Berlin"
    assert document["reminders"] == [
        {
            "kind": "workout",
            "days": "mon,wed,fri",
            "local_time": "18:30",
            "next_due_utc": "2026-06-03T16:30:00+00:00",
        }
    ]
    assert [c["answer"] for c in document["check_ins"]] == ["about-right"]
    assert document["plans"] == []


async def test_a_workout_already_logged_that_local_day_skips_the_reminder(
    database: Database,
) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    async with database.transaction() as session:
        await training_rows.add_sets(
            session,
            USER,
            "morning",
            [LoggedSet("Push-up", NOON - timedelta(hours=3), exercise_slug="push-up", reps=20)],
        )
    clock.now = DUE
    port = RecordingPort()
    report = await service.tick(port)
    assert (report.sent, report.skipped) == (0, 1)
    # Friday, nothing logged: it fires.
    clock.now = datetime(2026, 6, 5, 16, 30, tzinfo=UTC)
    assert (await service.tick(port)).sent == 1


async def test_a_weigh_in_already_entered_that_day_skips_the_reminder(database: Database) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    weigh_in = ReminderSpec(ReminderKind.WEIGH_IN, frozenset(range(7)), time(18, 0))
    reminder = await service.set(USER, weigh_in)
    assert not isinstance(reminder, NeedsTimezone)
    async with database.transaction() as session:
        await training_rows.save_body_weight(session, USER, BodyWeight(date(2026, 6, 3), 80.0))
    clock.now = reminder.next_due
    port = RecordingPort()
    await service.tick(port)
    assert port.sent == []


async def test_the_review_counts_sessions_against_the_plan_and_names_records(
    database: Database,
) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    sunday = ReminderSpec(ReminderKind.CHECK_IN, frozenset({6}), time(18, 0))
    reminder = await service.set(USER, sunday)
    assert not isinstance(reminder, NeedsTimezone)
    async with database.transaction() as session:
        await training_rows.add_sets(
            session,
            USER,
            "old",
            [LoggedSet("Push-up", NOON - timedelta(days=20), exercise_slug="push-up", reps=10)],
        )
        await training_rows.add_sets(
            session,
            USER,
            "new",
            [LoggedSet("Push-up", NOON, exercise_slug="push-up", reps=15)],
        )
    clock.now = reminder.next_due
    port = RecordingPort()
    await service.tick(port)
    [(_, review)] = port.sent
    assert "New personal records: Push-up." in review
    assert "You have no plan yet" in review  # no plan accepted in this test


async def test_no_weigh_in_reminders_for_minors_or_underweight_users(database: Database) -> None:
    clock = Clock(NOON)
    service = await _with_reminder(database, clock)
    weigh_in = ReminderSpec(ReminderKind.WEIGH_IN, frozenset(range(7)), time(18, 0))
    reminder = await service.set(USER, weigh_in)
    assert not isinstance(reminder, NeedsTimezone)
    async with database.transaction() as session:
        await user_rows.save_profile(session, USER, Profile(height_cm=180.0, weight_kg=55.0))
    clock.now = reminder.next_due
    port = RecordingPort()
    await service.tick(port)
    assert port.sent == []
