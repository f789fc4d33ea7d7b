"""Reminders at the user's local times: parsing ``/remind`` and time zones, and when one is due.

Due times are kept in UTC and computed from the local wall-clock time with zoneinfo.
Daylight saving: a time that does not exist on the spring-forward day (02:30 in Berlin on the
last Sunday of March) fires when the gap ends (03:00 local); a time that happens twice on the
fall-back day fires once, at its first occurrence.
Quiet hours (22:00-07:00 local) never stop a reminder at the time the user chose themselves,
even inside them: they asked for it. They do stop a missed reminder from being sent late.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.plans import WEEKDAYS
from bot.errors import UserInputError

QUIET_START: Final = time(22, 0)
QUIET_END: Final = time(7, 0)
# A reminder sent within this long after its time is on time; later it is a missed one.
ON_TIME_GRACE: Final = timedelta(minutes=5)
_GAP_SEARCH_MINUTES: Final = 3 * 60


class ReminderKind(StrEnum):
    WORKOUT = "workout"
    WEIGH_IN = "weigh-in"
    CHECK_IN = "check-in"  # the weekly review and its one question


class CheckInAnswer(StrEnum):
    """How last week's training felt, answered with a button."""

    TOO_EASY = "too-easy"
    ABOUT_RIGHT = "about-right"
    TOO_HARD = "too-hard"


@dataclass(frozen=True, slots=True)
class CheckIn:
    """One stored answer to the weekly check-in."""

    answer: CheckInAnswer
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class ReminderSpec:
    """What the user asked for: which reminder, on which weekdays (0 = Monday), at what time."""

    kind: ReminderKind
    weekdays: frozenset[int]
    at: time


@dataclass(frozen=True, slots=True)
class ReminderOff:
    """``/remind off`` (every reminder) or ``/remind workout off`` (one kind)."""

    kind: ReminderKind | None = None


@dataclass(frozen=True, slots=True)
class Reminder:
    """A stored reminder and when it is next due (UTC)."""

    id: int
    user_id: int
    kind: ReminderKind
    weekdays: frozenset[int]
    at: time
    next_due: datetime


_KIND_WORDS: Final = {
    "workout": ReminderKind.WORKOUT,
    "training": ReminderKind.WORKOUT,
    "weigh-in": ReminderKind.WEIGH_IN,
    "weighin": ReminderKind.WEIGH_IN,
    "weight": ReminderKind.WEIGH_IN,
    "check-in": ReminderKind.CHECK_IN,
    "checkin": ReminderKind.CHECK_IN,
}
_DAY_WORDS: Final = {
    "daily": frozenset(range(7)),
    "everyday": frozenset(range(7)),
    "weekdays": frozenset(range(5)),
    "weekends": frozenset({5, 6}),
}
_TIME: Final = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_OFFSET: Final = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?$", re.IGNORECASE)


def parse_reminder(text: str) -> ReminderSpec | ReminderOff:
    """Read ``workout mon,wed,fri 18:30``, ``weigh-in daily 07:30``, ``off``, ``workout off``.

    Raises UserInputError naming what was wrong and what is accepted.
    """
    words = text.lower().replace(", ", ",").split()
    if words == ["off"]:
        return ReminderOff()
    if not words or words[0] not in _KIND_WORDS:
        raise UserInputError("reminders.error_kind")
    kind = _KIND_WORDS[words[0]]
    if words[1:] == ["off"]:
        return ReminderOff(kind)
    if len(words) != 3:
        raise UserInputError("reminders.error_shape")
    return ReminderSpec(kind=kind, weekdays=parse_days(words[1]), at=parse_time(words[2]))


def parse_days(text: str) -> frozenset[int]:
    """``daily``, ``weekdays``, ``weekends`` or a comma list of ``mon``..``sun``."""
    word = text.strip().lower()
    if word in _DAY_WORDS:
        return _DAY_WORDS[word]
    days: set[int] = set()
    for part in word.split(","):
        name = part.strip()[:3]
        if name not in WEEKDAYS:
            raise UserInputError("reminders.error_days")
        days.add(WEEKDAYS.index(name))
    return frozenset(days)


def parse_time(text: str) -> time:
    """``18:30``, ``7:30`` or ``07.30`` on a 24-hour clock."""
    match = _TIME.match(text.strip())
    if match is None:
        raise UserInputError("reminders.error_time")
    return time(int(match.group(1)), int(match.group(2)))


def parse_timezone(text: str) -> str:
    """An IANA name (``Europe/Berlin``, case as typed or not) or a whole-hour UTC offset (``+3``).

    Offsets become ``Etc/GMT-3``-style names (their sign is inverted by POSIX convention);
    they do not follow daylight saving, which the answer to the user says.
    """
    value = text.strip().replace(" ", "_")
    offset = _OFFSET.match(text.strip())
    if offset is not None:
        hours = int(offset.group(2))
        if hours > 14:
            raise UserInputError("reminders.error_timezone")
        if hours == 0:
            return "UTC"
        sign = "-" if offset.group(1) == "+" else "+"
        return f"Etc/GMT{sign}{hours}"
    if value.upper() in ("UTC", "GMT"):
        return "UTC"
    candidates = [value, "/".join(part.title() for part in value.split("/"))]
    for name in candidates:
        if "/" not in name or ".." in name or name.startswith("/"):
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    raise UserInputError("reminders.error_timezone")


def zone(name: str | None) -> ZoneInfo:
    """The zone of a stored name; UTC when unset or no longer known."""
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``at`` on ``day`` in ``tz``.

    A wall time skipped by a spring-forward gap maps to the end of the gap; one repeated by a
    fall-back maps to its first occurrence.
    """
    wall = datetime.combine(day, at)
    for minute in range(_GAP_SEARCH_MINUTES + 1):
        candidate = (wall + timedelta(minutes=minute)).replace(tzinfo=tz, fold=0)
        # A wall time inside a gap does not survive the round trip through UTC.
        if candidate.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == candidate.replace(
            tzinfo=None
        ):
            return candidate.astimezone(UTC)
    return wall.replace(tzinfo=tz).astimezone(UTC)  # pragma: no cover (no gap is 3 h long)


def next_due(after: datetime, weekdays: frozenset[int], at: time, tz: ZoneInfo) -> datetime:
    """The first instant strictly after ``after`` (UTC) at ``at`` local on one of ``weekdays``."""
    if not weekdays:
        raise ValueError("a reminder needs at least one weekday")
    start = after.astimezone(tz).date() - timedelta(days=1)
    for offset in range(9):
        day = start + timedelta(days=offset)
        if day.weekday() not in weekdays:
            continue
        instant = local_instant(day, at, tz)
        if instant > after:
            return instant
    raise AssertionError("a weekday repeats within 9 days")  # pragma: no cover


def in_quiet_hours(moment: datetime, tz: ZoneInfo) -> bool:
    """Whether ``moment`` is between 22:00 and 07:00 local time."""
    local = moment.astimezone(tz).time()
    return local >= QUIET_START or local < QUIET_END


class Firing(StrEnum):
    """What to do with a reminder found due."""

    SEND = "send"
    SKIP = "skip"


def decide(due: datetime, now: datetime, tz: ZoneInfo) -> Firing:
    """Send on time; send a missed one once if it is still the same local day and not quiet."""
    if now - due <= ON_TIME_GRACE:
        return Firing.SEND
    same_day = due.astimezone(tz).date() == now.astimezone(tz).date()
    if same_day and not in_quiet_hours(now, tz):
        return Firing.SEND
    return Firing.SKIP


def format_days(weekdays: frozenset[int]) -> str:
    """``daily``, ``weekdays`` or ``mon,wed,fri`` (the words /remind accepts)."""
    for word, days in _DAY_WORDS.items():
        if weekdays == days and word != "everyday":
            return word
    return ",".join(WEEKDAYS[d] for d in sorted(weekdays))
