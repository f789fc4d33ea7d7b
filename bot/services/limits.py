"""Per-user inbound rate limit: caps model spend and abuse, answered politely."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

# A voice note counts as one message per started half minute, a photo as three messages:
# each costs the model (and the transcription server) what several typed messages would.
VOICE_SECONDS_PER_MESSAGE = 30
MESSAGES_PER_IMAGE = 3


def inbound_cost(*, voice_seconds: int = 0, images: int = 0) -> int:
    """How many messages an inbound update counts as toward the per-minute limit."""
    voice = -(-voice_seconds // VOICE_SECONDS_PER_MESSAGE) if voice_seconds > 0 else 0
    return max(1, voice + images * MESSAGES_PER_IMAGE)


class SlidingWindowLimiter:
    """Allows ``limit`` events per ``window`` seconds for each key.

    ``allow`` says whether this event may go on; ``should_warn`` is true once per window for a
    key that is over the limit, so a flood gets one polite answer, not one per message.
    """

    def __init__(
        self,
        limit: int,
        window: float = 60.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self._limit = limit
        self._window = window
        self._clock = clock
        self._events: dict[int, deque[float]] = {}
        self._warned_at: dict[int, float] = {}

    def allow(self, key: int, cost: int = 1) -> bool:
        """Whether an event counting as ``cost`` events may go on (a costly one may fill the
        whole window, never more)."""
        now = self._clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self._window:
            events.popleft()
        cost = min(max(cost, 1), self._limit)
        if len(events) + cost > self._limit:
            return False
        events.extend([now] * cost)
        if len(self._events) > 10_000:
            self._forget_idle(now)
        return True

    def should_warn(self, key: int) -> bool:
        now = self._clock()
        warned = self._warned_at.get(key)
        if warned is not None and now - warned < self._window:
            return False
        self._warned_at[key] = now
        return True

    def retry_after(self, key: int) -> float:
        """Seconds until ``key`` may send again (0 when it may now)."""
        events = self._events.get(key)
        if not events or len(events) < self._limit:
            return 0.0
        return max(0.0, self._window - (self._clock() - events[0]))

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, v in self._events.items() if not v or now - v[-1] >= self._window]
        for key in idle:
            del self._events[key]
            self._warned_at.pop(key, None)
