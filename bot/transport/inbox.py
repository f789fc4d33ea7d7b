"""Updates in through the inbox: our own long polling, and the workers that process updates.

Whatever the source (webhook or getUpdates), an update is stored in the inbox before Telegram
is told we have it. Workers in every instance then take updates from the inbox: one chat's
updates strictly in order and one at a time across all instances, different chats at once;
each is processed with PTB's ``Application.process_update``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from bot.services.inbox import InboxEntry, InboxService

logger = logging.getLogger(__name__)

# A slow tick behind the wake-ups: catches a missed notification and leases that expired.
SAFETY_TICK_SECONDS = 1.5
MAX_CONCURRENT_UPDATES = 256
# Updates taken from the inbox at a time. When many arrive at once (a crowd, a restart with a
# backlog), the first batch's answers get under way while the next batch is taken; claiming
# all at once made everyone's first step (and database turn) come before anyone's model request.
CLAIM_BATCH = 16
# Marking an update done is retried this often before the lease is left to run out.
FINISH_ATTEMPTS = 3
FINISH_RETRY_SECONDS = 0.2
# When getUpdates answers at once with nothing (a server ignoring ``timeout``), the pause before
# the next poll grows from the first to the last value, so an empty answer never makes us spin.
EMPTY_POLL_PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8, 1.0)
POLL_ERROR_PAUSES = (1.0, 2.0, 5.0, 10.0, 30.0)


def ordering_key(update: Update) -> int | None:
    """The chat an update belongs to (the user for chat-less updates such as inline queries)."""
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


def inbox_entry(update: Update) -> InboxEntry:
    """What the inbox stores of an update: its id, its ordering key, its user, its JSON."""
    user = update.effective_user
    return InboxEntry(
        update_id=update.update_id,
        chat_id=ordering_key(update),
        user_id=user.id if user is not None else None,
        payload=update.to_json(),
    )


class InboxWorker:
    """Claims updates from the inbox and processes them, until stopped.

    One loop claims as many updates as there are free slots, then sleeps until a wake-up (an
    update stored or finished, here or in another instance) or the safety tick. Each claimed
    update runs in its own task; a second loop renews the leases of those in flight.
    """

    def __init__(
        self,
        application: Any,
        inbox: InboxService,
        *,
        max_concurrent: int = MAX_CONCURRENT_UPDATES,
    ) -> None:
        self._application = application
        self._inbox = inbox
        self._max_concurrent = max_concurrent
        self._running: dict[int, asyncio.Task[None]] = {}
        self._loops: list[asyncio.Task[None]] = []
        self._stopping = False
        self._full = False

    def start(self) -> None:
        self._stopping = False
        self._loops = [
            asyncio.create_task(self._claim_loop(), name="inbox-claims"),
            asyncio.create_task(self._renew_loop(), name="inbox-leases"),
        ]

    async def stop(self, grace: float, *, hard: bool = False) -> None:
        """Claim nothing more; let updates in flight finish within ``grace`` seconds.

        Updates cut off (all of them when ``hard``) are given back to the inbox, so the next
        start (or another instance) processes them; their turns may have been partly done.
        """
        self._stopping = True
        self._inbox.wake()
        for loop in self._loops[:1]:
            # Normally it is waiting and ends at once; a claim stuck on the database is cut off.
            await asyncio.wait([loop], timeout=grace)
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        running = dict(self._running)
        if running and not hard:
            _, pending = await asyncio.wait(running.values(), timeout=grace)
            if pending:
                logger.warning("Replies still in flight after %.0f s were cut off", grace)
        cut_off = [update_id for update_id, task in self._running.items() if not task.done()]
        for task in self._running.values():
            task.cancel()
        if self._running:
            await asyncio.wait(self._running.values())
        for loop in self._loops[1:]:
            loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        self._loops = []
        try:
            await self._inbox.release(cut_off)
        except Exception:  # the lease expiry gives them back anyway
            logger.warning("Could not give back %d unfinished update(s)", len(cut_off))

    async def _claim_loop(self) -> None:
        while not self._stopping:
            try:
                await self._inbox.prune_if_due()
                free = self._max_concurrent - len(self._running)
                self._full = free <= 0
                batch = min(free, CLAIM_BATCH)
                claimed = await self._inbox.claim(batch)
                for entry in claimed:
                    task = asyncio.create_task(self._process(entry), name="inbox-update")
                    self._running[entry.update_id] = task
                if batch and len(claimed) == batch:
                    # More may be waiting: let these start (and queue their database work)
                    # before taking the next batch, so the first answers are not held up
                    # behind everyone's first steps.
                    await asyncio.sleep(0)
                    continue
            except Exception:
                logger.exception("Taking updates from the inbox failed; trying again shortly")
            if self._stopping:
                break
            await self._inbox.wait_for_work(SAFETY_TICK_SECONDS)

    async def _renew_loop(self) -> None:
        interval = self._inbox.lease_seconds / 3
        while True:
            await asyncio.sleep(interval)
            if not self._running:
                continue
            try:
                await self._inbox.renew()
            except Exception:
                logger.warning("Renewing inbox leases failed; trying again", exc_info=True)

    async def _finish(self, entry: InboxEntry) -> InboxEntry | None:
        """Mark ``entry`` done (and take the chat's next): retried, since an entry left claimed
        would be processed again once its lease runs out, answering the user twice."""
        for attempt in range(FINISH_ATTEMPTS):
            try:
                return await self._inbox.finish(entry, take_next=not self._stopping)
            except Exception:
                if attempt == FINISH_ATTEMPTS - 1:
                    raise
                logger.warning("Finishing update %d failed; trying again", entry.update_id)
                await asyncio.sleep(FINISH_RETRY_SECONDS * (attempt + 1))
        return None

    async def _process(self, entry: InboxEntry) -> None:
        """Process the update, then the chat's next ones as long as they keep coming."""
        current: InboxEntry | None = entry
        try:
            while current is not None:
                update = self._parse(current)
                if update is not None:
                    try:
                        await self._application.process_update(update)
                    except Exception:  # PTB's error handlers saw handler errors already
                        logger.exception("Processing update %d failed", current.update_id)
                following = await self._finish(current)
                if following is not None:
                    self._running[following.update_id] = self._running.pop(current.update_id)
                else:
                    self._running.pop(current.update_id, None)
                current = following
        except Exception:
            logger.exception(
                "The inbox failed after update %d; it will be taken again", entry.update_id
            )
        finally:
            if current is not None:
                self._running.pop(current.update_id, None)
            if self._full:
                self._inbox.wake()  # a slot is free for another chat

    def _parse(self, entry: InboxEntry) -> Update | None:
        try:
            update = Update.de_json(json.loads(entry.payload), self._application.bot)
        except Exception:  # a row we wrote ourselves: only a PTB upgrade could break it
            logger.exception("Update %d in the inbox cannot be read; skipped", entry.update_id)
            return None
        return update


class InboxPoller:
    """Long polling that acknowledges an update only once the inbox holds it.

    PTB's Updater confirms updates (the next getUpdates offset) before they are processed;
    here the offset moves past a batch only after ``InboxService.accept`` committed it.
    """

    def __init__(
        self,
        application: Any,
        inbox: InboxService,
        *,
        timeout: int,
        allowed_updates: Sequence[str],
    ) -> None:
        self._application = application
        self._inbox = inbox
        self._timeout = timeout
        self._allowed_updates = list(allowed_updates)
        self._task: asyncio.Task[None] | None = None
        self._offset: int | None = None

    async def start(self) -> None:
        # A webhook left from an earlier webhook-mode run would make getUpdates fail.
        await self._application.bot.delete_webhook(drop_pending_updates=False)
        self._task = asyncio.create_task(self._run(), name="inbox-poller")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        empty_in_a_row = 0
        errors_in_a_row = 0
        while True:
            started = time.monotonic()
            try:
                updates = await self._application.bot.get_updates(
                    offset=self._offset,
                    timeout=self._timeout,
                    allowed_updates=self._allowed_updates,
                )
                if updates:
                    await self._inbox.accept([inbox_entry(update) for update in updates])
                    self._offset = updates[-1].update_id + 1
            except asyncio.CancelledError:
                raise
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc.retry_after))
                continue
            except InvalidToken:
                logger.error("Telegram refused the bot token while polling; polling stopped")
                return
            except Exception as exc:
                pause = POLL_ERROR_PAUSES[min(errors_in_a_row, len(POLL_ERROR_PAUSES) - 1)]
                errors_in_a_row += 1
                if isinstance(exc, Conflict):
                    logger.warning("Another getUpdates is running for this bot; retrying")
                elif isinstance(exc, TelegramError):
                    logger.warning("getUpdates failed (%s); retrying in %.0f s", exc, pause)
                else:
                    logger.exception("Storing polled updates failed; retrying in %.0f s", pause)
                await asyncio.sleep(pause)
                continue
            errors_in_a_row = 0
            if updates or time.monotonic() - started >= min(self._timeout, 1):
                empty_in_a_row = 0
                continue
            await asyncio.sleep(EMPTY_POLL_PAUSES[min(empty_in_a_row, len(EMPTY_POLL_PAUSES) - 1)])
            empty_in_a_row += 1


def _seconds(value: Any) -> float:
    """RetryAfter.retry_after is a timedelta with PTB_TIMEDELTA set, an int otherwise."""
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)
