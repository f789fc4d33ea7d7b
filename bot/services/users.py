"""Use cases about who a user is: recording them, their profile, export and erasure."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from bot.domain.metrics import BodyReport, body_report
from bot.domain.profile import Profile, ProfileChange, read_field, read_profile_args
from bot.domain.reminders import format_days
from bot.i18n import pick_language
from bot.storage import Database, erasure
from bot.storage import broadcasts as broadcast_rows
from bot.storage import conversations as conversation_rows
from bot.storage import plans as plan_rows
from bot.storage import reminders as reminder_rows
from bot.storage import training as training_rows
from bot.storage import usage as usage_rows
from bot.storage import users as user_rows

# A user's names rarely change; rewriting them on every message would cost a write per update.
_RECORD_REFRESH_SECONDS = 300.0
COUNT_FLUSH_SECONDS = 1.0

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UserInfo:
    """Who sent an update, as the Telegram layer saw them."""

    user_id: int
    first_name: str | None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    chat_id: int | None = None  # the private chat with the bot, when this update came from it
    # The group this update came from: the coach keeps a separate conversation per group.
    group_chat_id: int | None = None


class UserService:
    """Records users and keeps their profiles; exports and erases everything about them."""

    def __init__(self, database: Database) -> None:
        self._database = database
        # user id -> (as last recorded, when, the language they chose or None)
        self._recorded: dict[int, tuple[UserInfo, float, str | None]] = {}
        # (user id, day) -> messages counted and not written yet
        self._pending_counts: dict[tuple[int, date], int] = {}
        self._flush_task: asyncio.Task[None] | None = None

    async def record(self, info: UserInfo) -> str | None:
        """Remember the user (names, language, private chat); cheap when nothing changed.

        Returns the language the user chose with /language, or None when they never chose.
        """
        seen = self._recorded.get(info.user_id)
        now = time.monotonic()
        if seen is not None and seen[0] == info and now - seen[1] < _RECORD_REFRESH_SECONDS:
            return seen[2]
        language = await self._upsert(info)
        self._recorded[info.user_id] = (info, now, language)
        return language

    async def count_message(self, user_id: int, day: date | None = None) -> None:
        """Count one message the user sent the bot (any kind) for /stats.

        Counts are written together, ``COUNT_FLUSH_SECONDS`` after the first one waiting: one
        transaction per message only to add 1 was a tenth of a message's database work. What
        reads them (/stats, /export) calls ``flush_counts`` first; a crash loses at most that
        last second of counts, never a message.
        """
        key = (user_id, day or datetime.now(UTC).date())
        self._pending_counts[key] = self._pending_counts.get(key, 0) + 1
        if self._flush_task is None or self._flush_task.done():
            self._flush_task = asyncio.create_task(self._flush_later(), name="count-flush")

    async def flush_counts(self) -> None:
        """Write the message counts still waiting (see ``count_message``)."""
        pending, self._pending_counts = self._pending_counts, {}
        if not pending:
            return
        try:
            async with self._database.transaction() as session:
                for (user_id, day), count in pending.items():
                    await usage_rows.add_message(session, user_id=user_id, day=day, count=count)
        except BaseException:
            # Not written (rolled back): kept for the next write.
            for key, count in pending.items():
                self._pending_counts[key] = self._pending_counts.get(key, 0) + count
            raise

    async def _flush_later(self) -> None:
        await asyncio.sleep(COUNT_FLUSH_SECONDS)
        try:
            await self.flush_counts()
        except Exception:  # a database hiccup must not surface in some unrelated task
            logger.warning("Message counts could not be written yet", exc_info=True)

    async def aclose(self) -> None:
        """Write the counts still waiting; called when the bot stops."""
        task, self._flush_task = self._flush_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        try:
            await self.flush_counts()
        except Exception:  # stopping goes on: the rest must still be closed
            logger.warning("Message counts could not be written at stop", exc_info=True)

    async def set_language(self, info: UserInfo, language: str | None) -> None:
        """Store the user's language choice (one of bot.i18n.LANGUAGES, or None to unset)."""
        async with self._database.transaction() as session:
            await user_rows.upsert_user(
                session,
                user_id=info.user_id,
                first_name=info.first_name,
                last_name=info.last_name,
                username=info.username,
                language_code=info.language_code,
                chat_id=info.chat_id,
            )
            await user_rows.save_language(session, info.user_id, language)
        seen = self._recorded.get(info.user_id)
        if seen is not None:
            self._recorded[info.user_id] = (seen[0], seen[1], language)

    async def reading_languages(self, user_ids: Collection[int]) -> dict[int, str]:
        """The language to write to each of ``user_ids`` in (English for strangers)."""
        async with self._database.transaction() as session:
            known = await user_rows.languages(session, user_ids)
        return {user_id: pick_language(*known.get(user_id, (None, None))) for user_id in user_ids}

    async def _upsert(self, info: UserInfo) -> str | None:
        async with self._database.transaction() as session:
            return await user_rows.upsert_user(
                session,
                user_id=info.user_id,
                first_name=info.first_name,
                last_name=info.last_name,
                username=info.username,
                language_code=info.language_code,
                chat_id=info.chat_id,
            )

    async def profile(self, user_id: int) -> Profile:
        async with self._database.transaction() as session:
            return await user_rows.get_profile(session, user_id) or Profile()

    async def body_report(self, user_id: int) -> tuple[Profile, BodyReport]:
        profile = await self.profile(user_id)
        return profile, body_report(profile)

    async def update_profile(self, info: UserInfo, arguments: str) -> ProfileChange:
        """Apply ``key=value`` arguments all-or-nothing; a UserInputError changes nothing.

        A user who never chose units and writes every measurement in imperial units is
        switched to imperial (the change says so).
        """
        return await self._change(info, lambda current: read_profile_args(arguments, current))

    async def set_field(self, info: UserInfo, key: str, value: str) -> ProfileChange:
        """Apply one answer of the guided flow (or /units), with the same unit policy."""
        return await self._change(info, lambda current: read_field(key, value, current))

    async def _change(
        self, info: UserInfo, change: Callable[[Profile], ProfileChange]
    ) -> ProfileChange:
        async with self._database.transaction() as session:
            current = await user_rows.get_profile(session, info.user_id)
            if current is None:
                await user_rows.upsert_user(
                    session, user_id=info.user_id, first_name=info.first_name
                )
            updated = change(current or Profile())
            await user_rows.save_profile(session, info.user_id, updated.profile)
        return updated

    async def forget(self, user_id: int) -> bool:
        """Delete every row about the user; they are a stranger to the bot afterwards."""
        self._recorded.pop(user_id, None)
        for key in [key for key in self._pending_counts if key[0] == user_id]:
            del self._pending_counts[key]
        async with self._database.transaction() as session:
            known = await user_rows.delete_user(session, user_id)
        # After the commit, outside any transaction: no older copy stays in the files.
        await self._database.scrub(erasure.USER_OWNED_TABLES)
        return known

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about the user, as a JSON-ready document."""
        await self.flush_counts()
        async with self._database.transaction() as session:
            row = await user_rows.get_user(session, user_id)
            if row is None:
                return {
                    "user": None,
                    "conversations": [],
                    "daily_usage": [],
                    "broadcasts": [],
                    "broadcasts_written": [],
                    "plans": [],
                    "reminders": [],
                    "check_ins": [],
                    "workout_sets": [],
                    "body_measurements": [],
                }
            conversations = await conversation_rows.conversations_of(session, user_id)
            messages = await conversation_rows.messages_of(session, user_id)
            summaries = await conversation_rows.summaries_of(session, user_id)
            usage = await usage_rows.usage_of(session, user_id)
            deliveries = await broadcast_rows.deliveries_of(session, user_id)
            written = await broadcast_rows.broadcasts_by(session, user_id)
            plans = await plan_rows.plans_of(session, user_id)
            reminders = await reminder_rows.reminders_of(session, user_id)
            check_ins = await reminder_rows.check_ins_of(session, user_id)
            workout = await training_rows.entries_of(session, user_id)
            weights = await training_rows.body_weights(session, user_id)
        by_conversation: dict[int, list[dict[str, Any]]] = {c.id: [] for c in conversations}
        for message in messages:
            by_conversation.setdefault(message.conversation_id, []).append(
                {
                    "role": message.role,
                    "kind": message.kind,
                    "content": message.content,
                    "created_at": _iso(message.created_at),
                }
            )
        # Every stored summary goes out; the newest of each conversation is also its "summary".
        summaries_by_conversation: dict[int, list[dict[str, Any]]] = {}
        for summary in summaries:
            summaries_by_conversation.setdefault(summary.conversation_id, []).append(
                {
                    "content": summary.content,
                    "covers_through_message_id": summary.covers_through_message_id,
                    "created_at": _iso(summary.created_at),
                }
            )
        user_fields = {
            "telegram_id": row.id,
            "first_name": row.first_name,
            "last_name": row.last_name,
            "username": row.username,
            "language_code": row.language_code,
            "language": row.language,
            "chat_id": row.chat_id,
            "created_at": _iso(row.created_at),
            "updated_at": _iso(row.updated_at),
            "last_seen_at": _iso(row.last_seen_at),
            "blocked_at": _iso(row.blocked_at),
            "timezone": row.timezone,
            "profile": _profile_document(row.profile),
        }
        return {
            "exported_at": _iso(datetime.now(UTC)),
            "user": user_fields,
            "conversations": [
                {
                    "id": c.id,
                    "group_chat_id": c.chat_id,
                    "started_at": _iso(c.started_at),
                    "ended_at": _iso(c.ended_at),
                    "summary": (summaries_by_conversation.get(c.id) or [{}])[-1].get("content"),
                    "summaries": summaries_by_conversation.get(c.id, []),
                    "messages": by_conversation.get(c.id, []),
                }
                for c in conversations
            ],
            "daily_usage": [
                {
                    "day": u.day.isoformat(),
                    "prompt_tokens": u.prompt_tokens,
                    "completion_tokens": u.completion_tokens,
                    "requests": u.requests,
                    "voice_seconds": u.voice_seconds,
                    "images": u.images,
                    "messages": u.messages,
                }
                for u in usage
            ],
            "broadcasts": [
                {
                    "broadcast_id": d.broadcast_id,
                    "state": d.state,
                    "attempts": d.attempts,
                    "sent_at": _iso(d.sent_at),
                }
                for d in deliveries
            ],
            # An admin's own broadcasts: what they wrote (text, or the message that was copied).
            "broadcasts_written": [
                {
                    "id": b.id,
                    "state": b.state,
                    "text_html": b.text_html,
                    "copied_message_id": b.source_message_id,
                    "created_at": _iso(b.created_at),
                }
                for b in written
            ],
            "plans": [
                {
                    "status": p.status,
                    "plan": p.plan.model_dump(),
                    "preferences": asdict(p.preferences),
                    "created_at": _iso(p.created_at),
                    "accepted_at": _iso(p.accepted_at),
                }
                for p in plans
            ],
            "reminders": [
                {
                    "kind": r.kind.value,
                    "days": format_days(r.weekdays),
                    "local_time": r.at.strftime("%H:%M"),
                    "next_due_utc": _iso(r.next_due),
                }
                for r in reminders
            ],
            "check_ins": [
                {"answer": c.answer.value, "answered_at": _iso(c.answered_at)} for c in check_ins
            ],
            # The training log in SI units, every set with its batch (one /log message).
            "workout_sets": [
                {
                    "batch_id": e.batch_id,
                    "exercise": e.logged.exercise_name,
                    "exercise_slug": e.logged.exercise_slug,
                    "reps": e.logged.reps,
                    "weight_kg": e.logged.weight_kg,
                    "rir": e.logged.rir,
                    "rpe": e.logged.rpe,
                    "duration_s": e.logged.duration_s,
                    "distance_m": e.logged.distance_m,
                    "note": e.logged.note,
                    "performed_at": _iso(e.logged.performed_at),
                }
                for e in workout
            ],
            "body_measurements": [
                {"date": w.on.isoformat(), "weight_kg": w.weight_kg, "waist_cm": w.waist_cm}
                for w in weights
            ],
        }


def _profile_document(profile: Profile) -> dict[str, Any]:
    """The profile's fields in SI units, enums as their text values."""
    return {
        name: value.value if isinstance(value, Enum) else value
        for name, value in asdict(profile).items()
    }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()
