"""One rate limit for every request the bot makes, with replies to people ahead of broadcasts.

Telegram allows about 30 requests a second for the whole bot and 20 a minute per group; a
broadcast shares that budget with the replies, so both go through this limiter. Streamed
answers send drafts while the model writes; those go after replies and first drafts, and the
limiter tells each stream how often it may send one so that all streams share what is left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

logger = logging.getLogger(__name__)

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]

# Telegram's limit is about 30 a second; one below it is a little slack for Telegram's own
# counting, and still leaves a 25/s broadcast room for replies and progress edits.
OVERALL_MAX_RATE = 29
GROUP_MAX_PER_MINUTE = 20
# Group windows are this much longer than Telegram's so network jitter between our clock and theirs
# cannot squeeze two windows' worth of requests into one of theirs.
JITTER_MARGIN_SECONDS = 0.1
# Telegram's retry_after is a lower bound; a little extra avoids a second 429 at the boundary.
RETRY_AFTER_EXTRA_SECONDS = 0.1
_MAX_IDLE_GROUPS = 512
# Drafts may use at most this share of the overall rate, less what replies used in the last
# period: the rest is kept for final messages and new users' first words.
DRAFT_SHARE = 0.8
# However busy replies are, streams together may send about this many drafts a second.
MIN_DRAFT_RATE = 1.0

_draft_class: ContextVar[bool] = ContextVar("draft_class", default=False)


@contextlib.contextmanager
def as_drafts() -> Iterator[None]:
    """Requests made inside go as drafts: after replies and first drafts, before broadcasts."""
    token = _draft_class.set(True)
    try:
        yield
    finally:
        _draft_class.reset(token)


class SlidingWindow:
    """At most ``limit`` grants in any ``period`` seconds."""

    def __init__(self, limit: int, period: float) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("limit must be at least 1 and period positive")
        self.limit = limit
        self.period = period
        self._grants: deque[float] = deque()

    def delay(self, now: float) -> float:
        """Seconds until a grant is allowed (0 when one is allowed now)."""
        while self._grants and self._grants[0] <= now - self.period:
            self._grants.popleft()
        if len(self._grants) < self.limit:
            return 0.0
        return self._grants[0] + self.period - now

    def take(self, now: float) -> None:
        self._grants.append(now)

    @property
    def idle(self) -> bool:
        return not self._grants

    def __len__(self) -> int:
        return len(self._grants)


class InFlightWindow:
    """At most ``limit`` requests in any ``period``, each counted from its grant to its answer.

    A request granted on time can still reach Telegram late (a busy event loop, a slow
    connection) and land in the same second as later ones; counting it until its answer is
    back bounds what Telegram receives, not only what we granted.
    """

    def __init__(self, limit: int, period: float) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("limit must be at least 1 and period positive")
        self.limit = limit
        self.period = period
        self._in_flight = 0
        self._answered: deque[float] = deque()  # answer times, in the order they happened

    def delay(self, now: float) -> float:
        """Seconds until a grant is allowed (0 now); a bound when every slot is in flight."""
        while self._answered and self._answered[0] <= now - self.period:
            self._answered.popleft()
        if self._in_flight + len(self._answered) < self.limit:
            return 0.0
        if self._answered:
            return self._answered[0] + self.period - now
        return self.period  # an answer (which wakes the dispatcher) frees a slot sooner

    def take(self, now: float) -> None:
        self._in_flight += 1

    def release(self, now: float) -> None:
        self._in_flight -= 1
        self._answered.append(now)


class Pacer:
    """Evenly spaced grants, ``rate`` per second, with no bursts."""

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._next = -math.inf

    def delay(self, now: float) -> float:
        return max(self._next - now, 0.0)

    def take(self, now: float) -> None:
        # A wake-up a little late (up to half a slot) keeps the schedule instead of restarting
        # it from now, or every scheduling delay would be lost rate; after an idle spell the
        # schedule restarts from now, so no burst credit is saved up.
        late = now - self._next
        base = self._next if 0 <= late <= self.interval / 2 else max(self._next, now)
        self._next = base + self.interval


def retry_after_seconds(error: RetryAfter) -> float:
    """The pause Telegram asked for, in seconds."""
    with warnings.catch_warnings():
        # Reading retry_after warns about its future type (timedelta); we accept both.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _group_key(data: dict[str, Any]) -> int | str | None:
    chat_id = data.get("chat_id")
    if isinstance(chat_id, str):
        with contextlib.suppress(ValueError):
            chat_id = int(chat_id)
    if isinstance(chat_id, str) or (isinstance(chat_id, int) and chat_id < 0):
        # Negative ids and @usernames are groups and channels; private chats are positive.
        return chat_id
    return None


class PriorityRateLimiter(BaseRateLimiter[dict[str, Any]]):
    """Throttles every Bot API request except ``getUpdates``.

    * all requests together: at most ``overall_max_rate`` per ``overall_period`` seconds;
    * each group chat: at most ``group_max_rate`` per ``group_period`` seconds;
    * drafts (``rate_limit_args={"draft": True}``, or made inside ``as_drafts()``): updates of
      a streamed answer after its first, served only when no reply is waiting; streams ask
      ``draft_ready()`` before sending one and ``draft_interval()`` for their pace;
    * bulk requests (``rate_limit_args={"bulk": True}``, used by broadcasts): also evenly paced
      at ``bulk_rate`` per second, and served only when no other request is waiting;
    * on RetryAfter every request pauses for the time Telegram asks, then the request is tried
      again, up to ``max_retries`` times (``rate_limit_args={"max_retries": n}`` overrides).
    """

    def __init__(
        self,
        *,
        overall_max_rate: int = OVERALL_MAX_RATE,
        overall_period: float = 1.0,
        group_max_rate: int = GROUP_MAX_PER_MINUTE,
        group_period: float = 60.0,
        bulk_rate: float = 25.0,
        max_retries: int = 3,
        margin: float = JITTER_MARGIN_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_retries < 0:
            raise ValueError("max_retries must not be negative")
        # Counting each request until its answer already covers any delay on the way, so the
        # overall window needs no margin (a request reaches Telegram before we see its answer).
        self._overall = InFlightWindow(overall_max_rate, overall_period)
        self._group_limit = group_max_rate
        self._group_period = group_period + margin
        self._bulk = Pacer(min(bulk_rate, overall_max_rate / overall_period))
        self._max_retries = max_retries
        self._clock = clock
        self._groups: dict[int | str, SlidingWindow] = {}
        self._group_locks: dict[int | str, asyncio.Lock] = {}
        self._interactive: deque[asyncio.Future[None]] = deque()
        self._drafts: deque[asyncio.Future[None]] = deque()
        # Replies granted in the last period (not drafts, not bulk): what they leave is drafts'.
        self._replies = SlidingWindow(overall_max_rate * 1000, overall_period)
        self._capacity = overall_max_rate / overall_period
        self._streams = 0
        self._bulk_waiting: deque[asyncio.Future[None]] = deque()
        self._paused_until = -math.inf
        self._wakeup = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None

    async def initialize(self) -> None:
        """Nothing to open: the dispatcher starts with the first request."""

    async def shutdown(self) -> None:
        """Stop the dispatcher; requests still waiting are cancelled."""
        dispatcher, self._dispatcher = self._dispatcher, None
        if dispatcher is not None:
            dispatcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await dispatcher
        for queue in (self._interactive, self._drafts, self._bulk_waiting):
            while queue:
                queue.popleft().cancel()

    # ------------------------------------------------------------------ streams

    def open_stream(self) -> None:
        """A streamed answer started: drafts are shared among one more."""
        self._streams += 1

    def close_stream(self) -> None:
        self._streams = max(self._streams - 1, 0)

    @property
    def active_streams(self) -> int:
        return self._streams

    def draft_rate(self) -> float:
        """Drafts a second all streams together may send now."""
        now = self._clock()
        self._replies.delay(now)  # forgets grants older than the period
        used = len(self._replies)
        period = self._replies.period
        return max(self._capacity * DRAFT_SHARE - used / period, MIN_DRAFT_RATE)

    def draft_interval(self, minimum: float) -> float:
        """Seconds between one stream's drafts: its share of the draft rate, ``minimum`` or more."""
        return max(minimum, self._streams / self.draft_rate())

    def draft_ready(self) -> bool:
        """Whether a draft sent now goes out at once: no reply waiting, no pause, a slot free."""
        now = self._clock()
        if self._interactive or now < self._paused_until:
            return False
        return self._overall.delay(now) == 0

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> JSONResult:
        if endpoint == "getUpdates":
            return await callback(*args, **kwargs)
        options = rate_limit_args or {}
        bulk = bool(options.get("bulk", False))
        draft = not bulk and bool(options.get("draft", _draft_class.get()))
        max_retries = int(options.get("max_retries", self._max_retries))
        group = _group_key(data)
        attempt = 0
        while True:
            if group is not None:
                await self._group_turn(group)
            # A retried request goes back to the head of its queue: it was already waiting.
            await self._turn(bulk=bulk, draft=draft, first=attempt > 0)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= max_retries:
                    logger.warning("%s still rate limited after %d retries", endpoint, attempt)
                    raise
                pause = retry_after_seconds(exc) + RETRY_AFTER_EXTRA_SECONDS
                logger.info(
                    "Telegram asked to wait %.1f s (%s); pausing all requests", pause, endpoint
                )
                self._paused_until = max(self._paused_until, self._clock() + pause)
                self._wakeup.set()
                attempt += 1
            finally:
                self._release()

    # ------------------------------------------------------------------ internals

    async def _group_turn(self, group: int | str) -> None:
        if group not in self._groups:
            self._forget_idle_groups()
            self._groups[group] = SlidingWindow(self._group_limit, self._group_period)
            self._group_locks[group] = asyncio.Lock()
        window, lock = self._groups[group], self._group_locks[group]
        async with lock:
            # Holding the lock, nobody else takes from this window: one wait is enough.
            delay = window.delay(self._clock())
            if delay > 0:
                await asyncio.sleep(delay)
            window.take(self._clock())

    def _forget_idle_groups(self) -> None:
        if len(self._groups) < _MAX_IDLE_GROUPS:
            return
        now = self._clock()
        for key, window in list(self._groups.items()):
            window.delay(now)  # drops grants older than the window
            if window.idle and not self._group_locks[key].locked():
                del self._groups[key]
                del self._group_locks[key]

    async def _turn(self, *, bulk: bool, draft: bool, first: bool) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._bulk_waiting if bulk else self._drafts if draft else self._interactive
        if first:
            queue.appendleft(future)
        else:
            queue.append(future)
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch(), name="rate-limiter")
        self._wakeup.set()
        try:
            await future
        except asyncio.CancelledError:
            with contextlib.suppress(ValueError):
                queue.remove(future)
            if future.done() and not future.cancelled():
                self._release()  # granted, then cancelled before the request went out
            raise

    def _release(self) -> None:
        self._overall.release(self._clock())
        self._wakeup.set()

    async def _dispatch(self) -> None:
        while True:
            for queue in (self._interactive, self._drafts, self._bulk_waiting):
                while queue and queue[0].done():  # cancelled while waiting
                    queue.popleft()
            if not self._interactive and not self._drafts and not self._bulk_waiting:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            now = self._clock()
            bulk_turn = not self._interactive and not self._drafts
            wait = max(self._paused_until - now, self._overall.delay(now))
            if bulk_turn:
                wait = max(wait, self._bulk.delay(now))
            if wait > 0:
                # A new request (maybe a reply that goes before bulk) or a pause wakes us early.
                self._wakeup.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), wait)
                continue
            queue = self._bulk_waiting if bulk_turn else self._interactive or self._drafts
            future = queue.popleft()
            self._overall.take(now)
            if bulk_turn:
                self._bulk.take(now)
            elif queue is self._interactive:
                self._replies.take(now)
            future.set_result(None)
