"""Reminders at the user's local times, and the scheduler that sends them.

Schedules live in the database with their next due time in UTC, so a restart loses nothing:
the scheduler simply finds what is due. Each tick claims due reminders under a lease (like
broadcasts), so with several instances exactly one sends each; a missed reminder is sent once
if it is still the same local day (and not quiet hours), otherwise skipped. The only window
for a repeat is a crash after Telegram took a reminder and before the next due time was saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Final, Protocol
from zoneinfo import ZoneInfo

from bot.domain.metrics import CALORIE_MIN_AGE, bmi, round_bmi
from bot.domain.plans import StoredPlan
from bot.domain.profile import Profile, UnitSystem
from bot.domain.reminders import (
    CheckInAnswer,
    Firing,
    Reminder,
    ReminderKind,
    ReminderSpec,
    decide,
    local_instant,
    next_due,
    parse_timezone,
    zone,
)
from bot.domain.training import RecentSummary, recent_summary
from bot.domain.units import format_weight
from bot.i18n import pick_language, t
from bot.services.broadcast import DeliveryOutcome
from bot.storage import Database
from bot.storage import plans as plan_rows
from bot.storage import reminders as reminder_rows
from bot.storage import training as training_rows
from bot.storage import users as user_rows
from bot.storage.reminders import DueReminder

logger = logging.getLogger(__name__)

TICK_SECONDS: Final = 30.0
LEASE: Final = timedelta(minutes=2)
BATCH: Final = 50
# The check-in is offered once a plan has had a week to be tried.
CHECK_IN_AFTER: Final = timedelta(days=7)
REVIEW_DAYS: Final = 7
UNDERWEIGHT_BELOW: Final = 18.5


class ReminderPort(Protocol):
    """Sends one reminder text; never raises, says what Telegram answered."""

    async def send_reminder(self, chat_id: int, text: str) -> DeliveryOutcome: ...

    async def send_check_in(self, chat_id: int, text: str, language: str) -> DeliveryOutcome:
        """The weekly review with the too easy / about right / too hard buttons."""


@dataclass(frozen=True, slots=True)
class NeedsTimezone:
    """The user has no time zone yet: ask for it, then set the reminder."""

    spec: ReminderSpec


@dataclass(frozen=True, slots=True)
class TickReport:
    sent: int = 0
    skipped: int = 0
    retry: int = 0


class ReminderService:
    """Sets, lists and removes reminders; ``tick`` sends the due ones through a port."""

    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        owner: str | None = None,
    ) -> None:
        self._database = database
        self._clock = clock
        self._owner = owner or f"reminders-{uuid.uuid4().hex[:12]}"
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    # --- the user's reminders ---------------------------------------------------------------

    async def reminders(self, user_id: int) -> tuple[str | None, list[Reminder]]:
        """The user's time zone and reminders."""
        async with self._database.transaction() as session:
            user = await user_rows.get_user(session, user_id)
            found = await reminder_rows.reminders_of(session, user_id)
        return (user.timezone if user else None), found

    async def timezone(self, user_id: int) -> str | None:
        async with self._database.transaction() as session:
            user = await user_rows.get_user(session, user_id)
        return user.timezone if user else None

    async def set(self, user_id: int, spec: ReminderSpec) -> Reminder | NeedsTimezone:
        """Set (or replace) the reminder of this kind; asks for the time zone first."""
        async with self._database.transaction() as session:
            user = await user_rows.get_user(session, user_id)
            if user is None or user.timezone is None:
                return NeedsTimezone(spec)
            due = next_due(self._clock(), spec.weekdays, spec.at, zone(user.timezone))
            await reminder_rows.upsert_reminder(
                session,
                user_id=user_id,
                kind=spec.kind,
                weekdays=spec.weekdays,
                at=spec.at,
                next_due=due,
            )
            found = await reminder_rows.reminders_of(session, user_id)
        return next(r for r in found if r.kind is spec.kind)

    async def off(self, user_id: int, kind: ReminderKind | None = None) -> int:
        async with self._database.transaction() as session:
            return await reminder_rows.delete_reminders(session, user_id, kind)

    async def set_timezone(self, user_id: int, text: str) -> str:
        """Store the zone the user typed (UserInputError if unknown); due times move with it."""
        name = parse_timezone(text)
        now = self._clock()
        async with self._database.transaction() as session:
            await user_rows.set_timezone(session, user_id, name)
            for reminder in await reminder_rows.reminders_of(session, user_id):
                due = next_due(now, reminder.weekdays, reminder.at, zone(name))
                await reminder_rows.reschedule(session, reminder.id, due)
        return name

    # --- the scheduler ----------------------------------------------------------------------

    async def tick(self, port: ReminderPort) -> TickReport:
        """Send (or skip) every reminder due now that no other instance holds."""
        now = self._clock()
        async with self._database.transaction() as session:
            due = await reminder_rows.claim_due(
                session, owner=self._owner, now=now, ttl=LEASE, limit=BATCH
            )
        sent = skipped = retry = 0
        for item in due:
            outcome = await self._fire(port, item, now)
            if outcome is DeliveryOutcome.SENT:
                sent += 1
            elif outcome is DeliveryOutcome.RETRY:
                retry += 1
            else:
                skipped += 1
        if due:
            logger.info("Reminders: %d sent, %d skipped, %d to retry", sent, skipped, retry)
        return TickReport(sent, skipped, retry)

    async def _fire(self, port: ReminderPort, item: DueReminder, now: datetime) -> DeliveryOutcome:
        reminder = item.reminder
        tz = zone(item.timezone)
        outcome = DeliveryOutcome.FAILED
        reachable = item.chat_id is not None and not item.blocked
        if (
            reachable
            and decide(reminder.next_due, now, tz) is Firing.SEND
            and not await self._already_logged(reminder, now, tz)
        ):
            assert item.chat_id is not None
            text = await self._text(item, now)
            if reminder.kind is ReminderKind.CHECK_IN:
                language = pick_language(item.language, item.language_code)
                outcome = await port.send_check_in(item.chat_id, text, language)
            else:
                outcome = await port.send_reminder(item.chat_id, text)
        if outcome is DeliveryOutcome.RETRY:
            # Flood control or the network: the next tick tries again (same-day rule applies).
            following = reminder.next_due
        else:
            following = next_due(max(now, reminder.next_due), reminder.weekdays, reminder.at, tz)
        async with self._database.transaction() as session:
            await reminder_rows.finish(
                session,
                reminder.id,
                owner=self._owner,
                next_due=following,
                sent_at=now if outcome is DeliveryOutcome.SENT else None,
            )
            if outcome is DeliveryOutcome.BLOCKED:
                await user_rows.mark_blocked(session, reminder.user_id, now)
        return outcome

    async def _already_logged(self, reminder: Reminder, now: datetime, tz: ZoneInfo) -> bool:
        """A workout reminder is skipped once a set is logged that local day; a weigh-in one
        once that day's weight is, and always for minors and underweight users (safety rules
        3 and 5: no weigh-in schedules for them)."""
        local_day = now.astimezone(tz).date()
        async with self._database.transaction() as session:
            if reminder.kind is ReminderKind.WEIGH_IN and _no_weigh_ins(
                await user_rows.get_profile(session, reminder.user_id)
            ):
                return True
            if reminder.kind is ReminderKind.WORKOUT:
                start = local_instant(local_day, time(0, 0), tz)
                end = local_instant(local_day + timedelta(days=1), time(0, 0), tz)
                sets = await training_rows.sets_of(
                    session, reminder.user_id, since=start, until=end
                )
                return bool(sets)
            if reminder.kind is ReminderKind.WEIGH_IN:
                weights = await training_rows.body_weights(
                    session, reminder.user_id, since=local_day
                )
                return any(w.on == local_day for w in weights)
        return False

    async def _text(self, item: DueReminder, now: datetime) -> str:
        language = pick_language(item.language, item.language_code)
        if item.reminder.kind is ReminderKind.WEIGH_IN:
            return t(language, "reminders.text_weigh_in")
        async with self._database.transaction() as session:
            stored = await plan_rows.current_plan(session, item.reminder.user_id)
            profile = await user_rows.get_profile(session, item.reminder.user_id)
        if item.reminder.kind is ReminderKind.CHECK_IN:
            local_day = now.astimezone(zone(item.timezone)).date()
            async with self._database.transaction() as session:
                # A year of sets tells this week's records apart from old bests.
                sets = await training_rows.sets_of(
                    session, item.reminder.user_id, since=now - timedelta(days=365)
                )
                weights = await training_rows.body_weights(
                    session, item.reminder.user_id, since=local_day - timedelta(days=21)
                )
            week = recent_summary(sets, weights, local_day, days=REVIEW_DAYS)
            return _review(language, stored, profile, week)
        local = now.astimezone(zone(item.timezone))
        session_today = stored.plan.day(local.weekday()) if stored is not None else None
        if session_today is None:
            return t(language, "reminders.text_workout")
        return t(
            language,
            "reminders.text_workout_plan",
            focus=session_today.focus,
            count=len(session_today.exercises),
        )

    async def offer_check_in(self, user_id: int, plan_accepted_at: datetime | None) -> bool:
        """Whether to offer the weekly check-in: a week into a plan, and none set yet."""
        if plan_accepted_at is None or self._clock() - plan_accepted_at < CHECK_IN_AFTER:
            return False
        _, found = await self.reminders(user_id)
        return all(r.kind is not ReminderKind.CHECK_IN for r in found)

    async def answer_check_in(self, user_id: int, answer: CheckInAnswer) -> None:
        """Keep how the week felt; the coach reads the latest answer."""
        async with self._database.transaction() as session:
            await reminder_rows.add_check_in(session, user_id, answer, self._clock())

    def start(self, port: ReminderPort, interval: float = TICK_SECONDS) -> None:
        """Tick every ``interval`` seconds until ``stop``; reminders missed while down are due."""
        if self._task is not None:
            return
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._run(port, interval), name="reminders")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        try:
            await asyncio.wait_for(task, 10)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, port: ReminderPort, interval: float) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick(port)
            except Exception:  # a database hiccup must not end the scheduler
                logger.exception("Reminder tick failed; trying again in %.0f s", interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), interval)


def _no_weigh_ins(profile: Profile | None) -> bool:
    if profile is None:
        return False
    if profile.age is not None and profile.age < CALORIE_MIN_AGE:
        return True
    if profile.height_cm is None or profile.weight_kg is None:
        return False
    return round_bmi(bmi(profile.weight_kg, profile.height_cm)) < UNDERWEIGHT_BELOW


def _review(
    language: str,
    stored: StoredPlan | None,
    profile: Profile | None,
    week: RecentSummary,
) -> str:
    """The weekly review: sessions against the plan, records, weight, then the question."""
    units = profile.units if profile is not None else UnitSystem.METRIC
    lines = [t(language, "reminders.review_title")]
    if stored is not None:
        lines.append(
            t(
                language,
                "reminders.review_sessions",
                done=week.sessions,
                planned=len(stored.plan.days),
            )
        )
    else:
        lines.append(t(language, "reminders.review_no_plan"))
    if week.records:
        names = ", ".join(dict.fromkeys(event.logged.exercise_name for event in week.records))
        lines.append(t(language, "reminders.review_records", names=names))
    if week.weight is not None and week.weight.entries >= 2:
        change = week.weight.last_avg_kg - week.weight.first_avg_kg
        sign = "+" if change >= 0 else "-"
        lines.append(
            t(
                language,
                "reminders.review_weight_change",
                weight=format_weight(week.weight.last_avg_kg, units),
                change=f"{sign}{format_weight(abs(change), units)}",
            )
        )
    elif profile is not None and profile.weight_kg is not None:
        lines.append(
            t(language, "reminders.review_weight", weight=format_weight(profile.weight_kg, units))
        )
    lines.append(t(language, "reminders.review_question"))
    return "\n".join(lines)
