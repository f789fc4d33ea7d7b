"""Admin broadcasts: drafts, a durable resumable sender, progress and block tracking.

The service never talks to Telegram: the handler layer passes a ``BroadcastPort`` that sends
one copy and shows progress, and the rate limiter behind that port paces the sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.domain.broadcasts import Broadcast, BroadcastState, DeliveryState, Recipient
from bot.errors import NotFoundError
from bot.storage import Database
from bot.storage import broadcasts as rows
from bot.storage import users as user_rows

logger = logging.getLogger(__name__)

__all__ = [
    "BroadcastContent",
    "BroadcastPort",
    "BroadcastProgress",
    "BroadcastService",
    "BroadcastState",
    "DeliveryOutcome",
    "DeliveryState",
    "Draft",
    "SendResult",
]

_BATCH = 100
_RATE_WINDOW_SECONDS = 10.0


class DeliveryOutcome(StrEnum):
    """What the port reports for one copy."""

    SENT = "sent"
    BLOCKED = "blocked"  # the user blocked the bot, deleted their account, or the chat is gone
    FAILED = "failed"  # refused for good (e.g. the source message was deleted)
    RETRY = "retry"  # flood control or the network: worth another attempt later


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: DeliveryOutcome
    error: str | None = None


@dataclass(frozen=True, slots=True)
class BroadcastContent:
    """Either HTML text, or a message in the admin's chat to copy with its media."""

    text_html: str | None = None
    source_chat_id: int | None = None
    source_message_id: int | None = None

    def __post_init__(self) -> None:
        copy = self.source_chat_id is not None and self.source_message_id is not None
        if (self.text_html is not None) == copy:
            raise ValueError("give either text_html or source_chat_id with source_message_id")


@dataclass(frozen=True, slots=True)
class BroadcastProgress:
    """A snapshot of one broadcast, for the admin's progress message and the final report."""

    broadcast_id: int
    state: BroadcastState
    admin_chat_id: int
    panel_message_id: int | None
    total: int
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    pending: int = 0
    rate: float = 0.0  # copies handled per second, recently
    started: bool = False

    @property
    def handled(self) -> int:
        return self.sent + self.blocked + self.failed

    @property
    def finished(self) -> bool:
        return self.state in (BroadcastState.DONE, BroadcastState.CANCELLED)

    @property
    def fraction(self) -> float:
        """Share of recipients handled, 0..1 (1 for a broadcast with nobody to reach)."""
        everyone = self.handled + self.pending
        return 1.0 if everyone == 0 else self.handled / everyone

    @property
    def eta_seconds(self) -> float | None:
        """Seconds left at the recent rate; None while the rate is unknown."""
        if self.pending == 0:
            return 0.0
        if self.rate <= 0:
            return None
        return self.pending / self.rate


@dataclass(frozen=True, slots=True)
class Draft:
    broadcast_id: int
    recipients: int


class BroadcastPort(Protocol):
    """What the sender needs from the messaging layer. Implementations never raise."""

    async def send_copy(self, chat_id: int, content: BroadcastContent) -> SendResult:
        """Deliver one copy, paced as bulk traffic, and say how it went."""

    async def show_progress(self, progress: BroadcastProgress) -> None:
        """Update the admin's progress message."""

    async def send_report(self, progress: BroadcastProgress) -> None:
        """Tell the admin the broadcast ended, with its counts."""


@dataclass
class _Run:
    """One broadcast being sent by this process."""

    broadcast_id: int
    content: BroadcastContent
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    handled: deque[float] = field(default_factory=deque)
    started: float = field(default_factory=time.monotonic)

    def note(self) -> None:
        now = time.monotonic()
        self.handled.append(now)
        while self.handled and self.handled[0] < now - _RATE_WINDOW_SECONDS:
            self.handled.popleft()

    def rate(self) -> float:
        now = time.monotonic()
        while self.handled and self.handled[0] < now - _RATE_WINDOW_SECONDS:
            self.handled.popleft()
        # At the very start one quick copy would show an absurd rate: count at least a second.
        window = max(min(now - self.started, _RATE_WINDOW_SECONDS), 1.0)
        return len(self.handled) / window


def _default_owner() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class BroadcastService:
    """Broadcast use cases and the background worker that sends them.

    Each delivery's state is committed as soon as Telegram answers, so a restarted worker
    resumes with the pending ones; copies in flight at a crash (at most ``concurrency``) may
    go out twice. A lease on the broadcast row keeps other instances from sending it too.
    """

    def __init__(
        self,
        database: Database,
        *,
        concurrency: int = 5,
        progress_interval: float = 2.0,
        lease_ttl: float = 30.0,
        poll_interval: float = 10.0,
        retry_delay: float = 2.0,
        max_attempts: int = 3,
        owner: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if concurrency < 1 or max_attempts < 1:
            raise ValueError("concurrency and max_attempts must be at least 1")
        self._database = database
        self._concurrency = concurrency
        self._progress_interval = progress_interval
        self._lease_ttl = timedelta(seconds=lease_ttl)
        self._poll_interval = poll_interval
        self._retry_delay = retry_delay
        self._max_attempts = max_attempts
        self._owner = (owner or _default_owner())[:64]
        self._now = clock
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._runs: dict[int, _Run] = {}

    @property
    def owner(self) -> str:
        """This process's name in the lease column."""
        return self._owner

    # ------------------------------------------------------------------ use cases

    async def create(
        self, *, admin_id: int, admin_chat_id: int, content: BroadcastContent
    ) -> Draft:
        """Save a draft and count who it would reach now."""
        async with self._database.transaction() as session:
            broadcast = await rows.create_broadcast(
                session,
                admin_id=admin_id,
                admin_chat_id=admin_chat_id,
                text_html=content.text_html,
                source_chat_id=content.source_chat_id,
                source_message_id=content.source_message_id,
            )
            recipients = await rows.count_reachable_users(session)
        return Draft(broadcast_id=broadcast.id, recipients=recipients)

    async def confirm(
        self, broadcast_id: int, *, panel_message_id: int | None = None
    ) -> BroadcastProgress | None:
        """Write one pending delivery per reachable user; None if it was not a draft any more.

        Call ``wake()`` afterwards to start sending at once (else the next poll picks it up).
        """
        async with self._database.transaction() as session:
            if await rows.start_sending(session, broadcast_id, self._now()) is None:
                return None
            if panel_message_id is not None:
                await rows.set_panel_message(session, broadcast_id, panel_message_id)
            loaded = await rows.broadcast_with_counts(session, broadcast_id)
        return self._progress_of(broadcast_id, loaded)

    def wake(self) -> None:
        """Make the worker look for work now."""
        self._wake.set()

    async def cancel(self, broadcast_id: int) -> BroadcastProgress | None:
        """Stop a draft or a sending broadcast; None if it had already ended."""
        async with self._database.transaction() as session:
            if not await rows.cancel_broadcast(session, broadcast_id, self._now()):
                return None
            progress = self._progress_of(
                broadcast_id, await rows.broadcast_with_counts(session, broadcast_id)
            )
        run = self._runs.get(broadcast_id)
        if run is not None:
            run.stop.set()
        return progress

    async def progress(self, broadcast_id: int) -> BroadcastProgress:
        """The broadcast's counts now; raises NotFoundError for an unknown id."""
        async with self._database.transaction() as session:
            loaded = await rows.broadcast_with_counts(session, broadcast_id)
        return self._progress_of(broadcast_id, loaded)

    async def set_blocked(self, user_id: int, blocked: bool) -> None:
        """Record that a user blocked (or unblocked) the bot; blocked users get no broadcasts."""
        async with self._database.transaction() as session:
            if blocked:
                await user_rows.mark_blocked(session, user_id, self._now())
            else:
                await user_rows.mark_unblocked(session, user_id)

    # ------------------------------------------------------------------ the worker

    @property
    def running(self) -> bool:
        return self._worker is not None and not self._worker.done()

    def start(self, port: BroadcastPort) -> None:
        """Start the background worker; it resumes unfinished broadcasts first."""
        if self.running:
            return
        self._wake.set()
        self._worker = asyncio.create_task(self._supervise(port), name="broadcast-worker")

    async def stop(self) -> None:
        """Stop the worker now; unsent copies stay pending for the next start."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    async def _supervise(self, port: BroadcastPort) -> None:
        while True:
            self._wake.clear()
            try:
                async with self._database.transaction() as session:
                    broadcast = await rows.claim_next(
                        session, owner=self._owner, now=self._now(), ttl=self._lease_ttl
                    )
            except Exception:
                logger.exception("Could not look for broadcasts to send")
                broadcast = None
            if broadcast is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval)
                continue
            await self._run(_Run(broadcast.id, _content_of(broadcast)), port)

    async def _run(self, run: _Run, port: BroadcastPort) -> None:
        self._runs[run.broadcast_id] = run
        ended = False
        logger.info("Sending broadcast %s", run.broadcast_id)
        keeper = asyncio.create_task(self._keep_lease(run), name="broadcast-lease")
        ticker = asyncio.create_task(self._tick(run, port), name="broadcast-progress")
        try:
            complete = await self._send_all(run, port)
            if complete:
                async with self._database.transaction() as session:
                    ended = await rows.finish_broadcast(
                        session, run.broadcast_id, owner=self._owner, now=self._now()
                    )
            ticker.cancel()
            progress = await self.progress(run.broadcast_id)
            if progress.finished:
                ended = True
                await _quietly(port.show_progress(progress))
                await _quietly(port.send_report(progress))
                logger.info(
                    "Broadcast %s %s: %s sent, %s blocked, %s failed",
                    run.broadcast_id,
                    progress.state,
                    progress.sent,
                    progress.blocked,
                    progress.failed,
                )
        except NotFoundError:
            # Its admin used /forget, which deletes the broadcasts they wrote.
            ended = True
            logger.info("Broadcast %s was deleted while sending", run.broadcast_id)
        except Exception:
            logger.exception("Broadcast %s stopped by an error", run.broadcast_id)
            # Let the lease go so this or another instance retries it after a pause.
            await asyncio.sleep(self._retry_delay)
        finally:
            keeper.cancel()
            ticker.cancel()
            del self._runs[run.broadcast_id]
            if not ended:
                await self._release(run.broadcast_id)

    async def _release(self, broadcast_id: int) -> None:
        try:
            async with self._database.transaction() as session:
                await rows.release_lease(session, broadcast_id, owner=self._owner)
        except Exception:
            logger.warning(
                "Could not release the lease of broadcast %s", broadcast_id, exc_info=True
            )

    async def _send_all(self, run: _Run, port: BroadcastPort) -> bool:
        """Send every pending copy; True when none is left, False when told to stop."""
        slots = asyncio.Semaphore(self._concurrency)
        while not run.stop.is_set():
            after: int | None = None
            async with asyncio.TaskGroup() as group:
                while not run.stop.is_set():
                    async with self._database.transaction() as session:
                        batch = await rows.pending_recipients(
                            session, run.broadcast_id, after_user_id=after, limit=_BATCH
                        )
                    if not batch:
                        break
                    after = batch[-1].user_id
                    for recipient in batch:
                        await slots.acquire()
                        if run.stop.is_set():
                            slots.release()
                            break
                        group.create_task(self._deliver(run, recipient, port, slots))
            if run.stop.is_set():
                return False
            progress = await self.progress(run.broadcast_id)
            if progress.state is not BroadcastState.SENDING:
                return False
            if progress.pending == 0:
                return True
            # Some copies hit flood control or the network: give them a moment, then retry.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(run.stop.wait(), self._retry_delay)
        return False

    async def _deliver(
        self, run: _Run, recipient: Recipient, port: BroadcastPort, slots: asyncio.Semaphore
    ) -> None:
        try:
            if recipient.blocked or recipient.chat_id is None:
                result = SendResult(DeliveryOutcome.BLOCKED, "blocked the bot before this copy")
            else:
                try:
                    result = await port.send_copy(recipient.chat_id, run.content)
                except Exception as exc:  # the port should not raise; if it does, retry later
                    logger.warning("Sending a broadcast copy failed", exc_info=True)
                    result = SendResult(DeliveryOutcome.RETRY, type(exc).__name__)
            state = _state_after(result.outcome, recipient.attempts + 1, self._max_attempts)
            try:
                async with self._database.transaction() as session:
                    await rows.record_attempt(
                        session,
                        run.broadcast_id,
                        recipient.user_id,
                        state=state,
                        now=self._now(),
                        error=result.error,
                    )
                    if state is DeliveryState.BLOCKED:
                        await user_rows.mark_blocked(session, recipient.user_id, self._now())
            except Exception:
                # The copy went out but its state did not stick: it stays pending and may be
                # sent again, which beats losing track of the whole broadcast.
                logger.exception("Could not record a broadcast delivery")
                return
            if state is not DeliveryState.PENDING:
                run.note()
        finally:
            slots.release()

    async def _keep_lease(self, run: _Run) -> None:
        interval = self._lease_ttl.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            try:
                async with self._database.transaction() as session:
                    kept = await rows.renew_lease(
                        session,
                        run.broadcast_id,
                        owner=self._owner,
                        now=self._now(),
                        ttl=self._lease_ttl,
                    )
            except Exception:
                logger.warning("Could not renew the broadcast lease", exc_info=True)
                continue
            if not kept:
                # Cancelled, or another instance took over after our lease ran out.
                run.stop.set()
                return

    async def _tick(self, run: _Run, port: BroadcastPort) -> None:
        while True:
            await asyncio.sleep(self._progress_interval)
            try:
                progress = await self.progress(run.broadcast_id)
            except NotFoundError:
                run.stop.set()  # deleted by its admin's /forget
                return
            except Exception:
                logger.warning("Could not read broadcast progress", exc_info=True)
                continue
            if progress.state is not BroadcastState.SENDING:
                run.stop.set()  # cancelled from another instance
                return
            await _quietly(port.show_progress(replace(progress, rate=run.rate())))

    def _progress_of(
        self, broadcast_id: int, loaded: tuple[Broadcast, dict[DeliveryState, int]] | None
    ) -> BroadcastProgress:
        if loaded is None:
            raise NotFoundError(f"no broadcast {broadcast_id}")
        broadcast, counts = loaded
        run = self._runs.get(broadcast_id)
        return BroadcastProgress(
            broadcast_id=broadcast.id,
            state=BroadcastState(broadcast.state),
            admin_chat_id=broadcast.admin_chat_id,
            panel_message_id=broadcast.panel_message_id,
            total=broadcast.total,
            sent=counts[DeliveryState.SENT],
            blocked=counts[DeliveryState.BLOCKED],
            failed=counts[DeliveryState.FAILED],
            pending=counts[DeliveryState.PENDING],
            rate=run.rate() if run is not None else 0.0,
            started=broadcast.started_at is not None,
        )


def _state_after(outcome: DeliveryOutcome, attempts: int, max_attempts: int) -> DeliveryState:
    if outcome is DeliveryOutcome.SENT:
        return DeliveryState.SENT
    if outcome is DeliveryOutcome.BLOCKED:
        return DeliveryState.BLOCKED
    if outcome is DeliveryOutcome.RETRY and attempts < max_attempts:
        return DeliveryState.PENDING
    return DeliveryState.FAILED


def _content_of(broadcast: Broadcast) -> BroadcastContent:
    if broadcast.text_html is not None:
        return BroadcastContent(text_html=broadcast.text_html)
    return BroadcastContent(
        source_chat_id=broadcast.source_chat_id, source_message_id=broadcast.source_message_id
    )


async def _quietly(call: Awaitable[None]) -> None:
    """Await a port call; a failure to show progress must never stop the sending."""
    try:
        await call
    except Exception:
        logger.warning("Could not update the admin about a broadcast", exc_info=True)
