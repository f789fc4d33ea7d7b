"""Reminder parsing, time zones, next due times across daylight saving, and the missed rule."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.reminders import (
    Firing,
    ReminderKind,
    ReminderOff,
    ReminderSpec,
    decide,
    format_days,
    in_quiet_hours,
    local_instant,
    next_due,
    parse_reminder,
    parse_timezone,
)
from bot.errors import UserInputError

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "workout mon,wed,fri 18:30",
            ReminderSpec(ReminderKind.WORKOUT, frozenset({0, 2, 4}), time(18, 30)),
        ),
        (
            "weigh-in daily 7:30",
            ReminderSpec(ReminderKind.WEIGH_IN, frozenset(range(7)), time(7, 30)),
        ),
        (
            "Workout weekends 09.00",
            ReminderSpec(ReminderKind.WORKOUT, frozenset({5, 6}), time(9, 0)),
        ),
        ("off", ReminderOff()),
        ("weigh-in off", ReminderOff(ReminderKind.WEIGH_IN)),
    ],
)
def test_reminders_are_read(text: str, expected: object) -> None:
    assert parse_reminder(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "reminders.error_kind"),
        ("yoga daily 7:00", "reminders.error_kind"),
        ("workout daily", "reminders.error_shape"),
        ("workout someday 7:00", "reminders.error_days"),
        ("workout daily 25:00", "reminders.error_time"),
    ],
)
def test_bad_reminders_name_the_problem(text: str, key: str) -> None:
    with pytest.raises(UserInputError) as raised:
        parse_reminder(text)
    assert raised.value.message == key


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("+3", "Etc/GMT-3"),
        ("UTC-5", "Etc/GMT+5"),
        ("utc", "UTC"),
        ("+0", "UTC"),
    ],
)
def test_time_zones_are_read(text: str, name: str) -> None:
    assert parse_timezone(text) == name


@pytest.mark.parametrize("text", ["Berlin", "Mars/Olympus", "+15", "../etc/passwd", "+5:30"])
def test_unknown_time_zones_are_refused(text: str) -> None:
    with pytest.raises(UserInputError):
        parse_timezone(text)


def test_the_next_due_time_is_the_local_time_in_utc() -> None:
    # Wednesday 2026-06-03 12:00 UTC = 14:00 in Berlin (summer time, +2).
    now = datetime(2026, 6, 3, 12, 0, tzinfo=UTC)
    due = next_due(now, frozenset({0, 2, 4}), time(18, 30), BERLIN)
    assert due == datetime(2026, 6, 3, 16, 30, tzinfo=UTC)
    # Just after it: Friday.
    assert next_due(due, frozenset({0, 2, 4}), time(18, 30), BERLIN) == datetime(
        2026, 6, 5, 16, 30, tzinfo=UTC
    )


def test_a_time_skipped_by_spring_forward_fires_when_the_gap_ends() -> None:
    # 2026-03-29: Berlin jumps from 02:00 CET to 03:00 CEST; 02:30 does not exist.
    due = local_instant(datetime(2026, 3, 29).date(), time(2, 30), BERLIN)
    assert due == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert due.astimezone(BERLIN).time() == time(3, 0)
    # The next day it is 02:30 CEST again.
    after = next_due(due, frozenset(range(7)), time(2, 30), BERLIN)
    assert after == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)


def test_a_time_repeated_by_fall_back_fires_once_at_its_first_occurrence() -> None:
    # 2026-10-25: Berlin goes from 03:00 CEST back to 02:00 CET; 02:30 happens twice.
    first = next_due(
        datetime(2026, 10, 24, 12, 0, tzinfo=UTC), frozenset(range(7)), time(2, 30), BERLIN
    )
    assert first == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    again = next_due(first, frozenset(range(7)), time(2, 30), BERLIN)
    assert again == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)  # the next day, not 01:30 UTC today


@pytest.mark.parametrize(
    ("due", "now", "firing"),
    [
        # On time (within the grace), even inside quiet hours: the user chose 23:00.
        (datetime(2026, 6, 3, 21, 0), datetime(2026, 6, 3, 21, 2), Firing.SEND),
        # Missed by hours, same local day, daytime: sent once, late.
        (datetime(2026, 6, 3, 6, 0), datetime(2026, 6, 3, 12, 0), Firing.SEND),
        # Missed, same local day but now in quiet hours (22:30 local): skipped.
        (datetime(2026, 6, 3, 6, 0), datetime(2026, 6, 3, 20, 30), Firing.SKIP),
        # Missed, the next local day: skipped.
        (datetime(2026, 6, 3, 16, 30), datetime(2026, 6, 4, 8, 0), Firing.SKIP),
    ],
)
def test_missed_reminders_are_sent_once_the_same_local_day(
    due: datetime, now: datetime, firing: Firing
) -> None:
    assert decide(due.replace(tzinfo=UTC), now.replace(tzinfo=UTC), BERLIN) is firing


def test_quiet_hours_are_22_to_7_local() -> None:
    assert in_quiet_hours(datetime(2026, 6, 3, 20, 0, tzinfo=UTC), BERLIN)  # 22:00
    assert not in_quiet_hours(datetime(2026, 6, 3, 5, 0, tzinfo=UTC), BERLIN)  # 07:00


def test_days_are_shown_as_they_are_typed() -> None:
    assert format_days(frozenset(range(7))) == "daily"
    assert format_days(frozenset({0, 2, 4})) == "mon,wed,fri"
