"""The bot-wide rate limiter: overall and group windows, bulk pacing and priority, RetryAfter."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import timedelta
from typing import Any

import pytest
from telegram.error import RetryAfter

from bot.transport.ratelimit import (
    DRAFT_SHARE,
    MIN_DRAFT_RATE,
    InFlightWindow,
    Pacer,
    PriorityRateLimiter,
    SlidingWindow,
    _group_key,
    as_drafts,
    retry_after_seconds,
)

# Scheduling on a busy machine can be late, never early; this absorbs timer granularity.
EARLY = 0.005


class Recorder:
    """A stand-in for the HTTP call: records when each request actually went out."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, float]] = []
        self.failures: dict[str, list[BaseException]] = {}

    def callback(self, name: str) -> Callable[..., Coroutine[Any, Any, bool]]:
        async def call() -> bool:
            self.sent.append((name, time.monotonic()))
            pending = self.failures.get(name)
            if pending:
                raise pending.pop(0)
            return True

        return call

    def names(self) -> list[str]:
        return [name for name, _ in self.sent]

    def times(self, prefix: str = "") -> list[float]:
        return [moment for name, moment in self.sent if name.startswith(prefix)]


def max_in_window(times: list[float], window: float) -> int:
    ordered = sorted(times)
    best = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.fixture
async def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def limiters() -> AsyncIterator[list[PriorityRateLimiter]]:
    made: list[PriorityRateLimiter] = []
    yield made
    for limiter in made:
        await limiter.shutdown()


def make(made: list[PriorityRateLimiter], **options: Any) -> PriorityRateLimiter:
    limiter = PriorityRateLimiter(margin=0.0, **options)
    made.append(limiter)
    return limiter


async def request(
    limiter: PriorityRateLimiter,
    recorder: Recorder,
    name: str,
    *,
    endpoint: str = "sendMessage",
    chat_id: int | str = 1,
    bulk: bool = False,
    draft: bool = False,
    max_retries: int | None = None,
) -> Any:
    args: dict[str, Any] | None = {"bulk": True} if bulk else {"draft": True} if draft else None
    if max_retries is not None:
        args = {**(args or {}), "max_retries": max_retries}
    return await limiter.process_request(
        callback=recorder.callback(name),
        args=(),
        kwargs={},
        endpoint=endpoint,
        data={"chat_id": chat_id},
        rate_limit_args=args,
    )


@pytest.mark.parametrize(("limit", "period"), [(5, 0.1), (10, 0.2)])
async def test_no_window_ever_holds_more_than_the_overall_limit(
    limiters: list[PriorityRateLimiter], recorder: Recorder, limit: int, period: float
) -> None:
    limiter = make(limiters, overall_max_rate=limit, overall_period=period)
    started = time.monotonic()
    await asyncio.gather(*(request(limiter, recorder, f"r{n}") for n in range(3 * limit + 1)))
    assert max_in_window(recorder.times(), period - EARLY) <= limit
    # 3 full windows, then one more request: the limiter really waited.
    assert time.monotonic() - started >= 3 * period - EARLY


async def test_bulk_requests_are_evenly_paced(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, bulk_rate=50)
    await asyncio.gather(*(request(limiter, recorder, f"b{n}", bulk=True) for n in range(8)))
    times = recorder.times()
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= 1 / 50 - EARLY


async def test_replies_waiting_go_before_waiting_bulk(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, overall_max_rate=3, overall_period=0.2, bulk_rate=100)
    await asyncio.gather(*(request(limiter, recorder, f"w{n}") for n in range(3)))
    # The window is full: a broadcast queues first, then two replies arrive.
    bulk = [asyncio.create_task(request(limiter, recorder, f"b{n}", bulk=True)) for n in range(3)]
    await asyncio.sleep(0.02)
    replies = [asyncio.create_task(request(limiter, recorder, f"i{n}")) for n in range(2)]
    await asyncio.gather(*bulk, *replies)
    assert recorder.names() == ["w0", "w1", "w2", "i0", "i1", "b0", "b1", "b2"]


async def test_a_reply_is_not_held_up_behind_a_paced_broadcast(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, bulk_rate=10)
    bulk = [asyncio.create_task(request(limiter, recorder, f"b{n}", bulk=True)) for n in range(5)]
    await asyncio.sleep(0.01)
    asked = time.monotonic()
    await request(limiter, recorder, "reply")
    assert time.monotonic() - asked < 0.05
    assert recorder.names().index("reply") <= 2
    for task in bulk:
        task.cancel()


async def test_replies_go_before_drafts_and_drafts_before_bulk(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, overall_max_rate=2, overall_period=0.2, bulk_rate=100)
    await asyncio.gather(*(request(limiter, recorder, f"w{n}") for n in range(2)))
    # The window is full: a broadcast queues, then drafts, then replies (a final, a first draft).
    waiting = [asyncio.create_task(request(limiter, recorder, "b0", bulk=True))]
    await asyncio.sleep(0.01)
    waiting += [
        asyncio.create_task(request(limiter, recorder, f"d{n}", draft=True)) for n in range(2)
    ]
    await asyncio.sleep(0.01)
    waiting += [asyncio.create_task(request(limiter, recorder, f"i{n}")) for n in range(2)]
    await asyncio.gather(*waiting)
    assert recorder.names() == ["w0", "w1", "i0", "i1", "d0", "d1", "b0"]


async def test_a_final_message_is_not_delayed_behind_queued_drafts(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, overall_max_rate=5, overall_period=0.1)
    drafts = [
        asyncio.create_task(request(limiter, recorder, f"d{n}", draft=True, chat_id=n))
        for n in range(20)
    ]
    await asyncio.sleep(0.01)  # the first window's worth went; fifteen drafts wait
    asked = time.monotonic()
    await request(limiter, recorder, "final", chat_id=99)
    # It waits for the window to free a slot, not for the fifteen drafts (three windows).
    assert time.monotonic() - asked < 0.1 + 0.05
    assert recorder.names().index("final") == 5
    await asyncio.gather(*drafts)


async def test_requests_inside_as_drafts_go_as_drafts(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, overall_max_rate=1, overall_period=0.1)
    await request(limiter, recorder, "w")

    async def draft() -> Any:
        with as_drafts():
            return await request(limiter, recorder, "d")

    waiting = [asyncio.create_task(draft())]
    await asyncio.sleep(0.01)
    waiting.append(asyncio.create_task(request(limiter, recorder, "i")))
    await asyncio.gather(*waiting)
    assert recorder.names() == ["w", "i", "d"]


async def test_draft_interval_shares_what_replies_leave_among_streams(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, overall_max_rate=30, overall_period=1.0)
    # One stream alone keeps its own pace.
    limiter.open_stream()
    assert limiter.draft_interval(1.0) == 1.0
    # A hundred streams share 80% of 30/s: each waits 100 / 24 s.
    for _ in range(99):
        limiter.open_stream()
    assert limiter.active_streams == 100
    assert limiter.draft_interval(1.0) == pytest.approx(100 / (30 * DRAFT_SHARE))
    # Ten replies in the last second leave fewer drafts; drafts themselves do not count.
    await asyncio.gather(*(request(limiter, recorder, f"i{n}", chat_id=n) for n in range(10)))
    await asyncio.gather(*(request(limiter, recorder, f"d{n}", draft=True) for n in range(5)))
    assert limiter.draft_rate() == pytest.approx(30 * DRAFT_SHARE - 10)
    # Replies using it all still leave a trickle, and the share grows as streams end.
    await asyncio.gather(*(request(limiter, recorder, f"j{n}", chat_id=n) for n in range(15)))
    assert limiter.draft_rate() == MIN_DRAFT_RATE
    for _ in range(101):
        limiter.close_stream()
    assert limiter.active_streams == 0
    assert limiter.draft_interval(1.0) == 1.0


async def test_draft_ready_only_when_a_draft_would_go_out_at_once(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, overall_max_rate=2, overall_period=0.2)
    assert limiter.draft_ready()
    await asyncio.gather(*(request(limiter, recorder, f"w{n}") for n in range(2)))
    assert not limiter.draft_ready()  # the window is full
    waiting = asyncio.create_task(request(limiter, recorder, "reply"))
    await asyncio.sleep(0.21)
    await waiting
    assert limiter.draft_ready()
    # A pause asked by Telegram keeps drafts back too.
    limiter._paused_until = time.monotonic() + 0.1
    assert not limiter.draft_ready()


async def test_retry_after_pauses_every_request_then_retries(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters)
    recorder.failures["first"] = [RetryAfter(timedelta(seconds=0.3))]
    first = asyncio.create_task(request(limiter, recorder, "first"))
    await asyncio.sleep(0.02)
    second = asyncio.create_task(request(limiter, recorder, "second", bulk=True))
    assert await first is True
    assert await second is True
    refused_at = recorder.times("first")[0]
    assert recorder.names() == ["first", "first", "second"]
    # 0.3 s asked, plus the small safety margin.
    assert min(recorder.times()[1:]) - refused_at >= 0.4 - EARLY


@pytest.mark.parametrize("max_retries", [0, 2])
async def test_retry_after_is_raised_when_retries_run_out(
    limiters: list[PriorityRateLimiter], recorder: Recorder, max_retries: int
) -> None:
    limiter = make(limiters, max_retries=5)
    recorder.failures["flood"] = [RetryAfter(timedelta(seconds=0.01)) for _ in range(10)]
    with pytest.raises(RetryAfter):
        await request(limiter, recorder, "flood", max_retries=max_retries)
    assert len(recorder.sent) == max_retries + 1


async def test_get_updates_is_never_delayed(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, overall_max_rate=1, overall_period=30)
    await request(limiter, recorder, "reply")
    waiting = asyncio.create_task(request(limiter, recorder, "held"))
    asked = time.monotonic()
    await request(limiter, recorder, "poll", endpoint="getUpdates")
    assert time.monotonic() - asked < 0.05
    assert recorder.names() == ["reply", "poll"]
    waiting.cancel()


async def test_group_chats_get_their_own_per_minute_window(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, group_max_rate=2, group_period=0.3)
    group = [
        asyncio.create_task(request(limiter, recorder, f"g{n}", chat_id=-100123)) for n in range(5)
    ]
    await asyncio.sleep(0.02)
    asked = time.monotonic()
    await request(limiter, recorder, "private", chat_id=42)
    assert time.monotonic() - asked < 0.05  # other chats do not wait for the group
    await asyncio.gather(*group)
    assert max_in_window(recorder.times("g"), 0.3 - EARLY) <= 2


async def test_a_cancelled_waiter_gives_up_its_place(
    limiters: list[PriorityRateLimiter], recorder: Recorder
) -> None:
    limiter = make(limiters, overall_max_rate=1, overall_period=0.1)
    await request(limiter, recorder, "a")
    b = asyncio.create_task(request(limiter, recorder, "b"))
    c = asyncio.create_task(request(limiter, recorder, "c"))
    await asyncio.sleep(0.01)
    b.cancel()
    assert await c is True
    assert recorder.names() == ["a", "c"]


async def test_shutdown_cancels_waiting_requests(recorder: Recorder) -> None:
    limiter = PriorityRateLimiter(overall_max_rate=1, overall_period=30)
    await request(limiter, recorder, "a")
    waiting = asyncio.create_task(request(limiter, recorder, "b"))
    await asyncio.sleep(0.01)
    await limiter.shutdown()
    with pytest.raises(asyncio.CancelledError):
        await waiting


@pytest.mark.parametrize(
    ("chat_id", "group"),
    [
        (42, None),
        ("42", None),
        (-1001234, -1001234),
        ("-42", -42),
        ("@channel", "@channel"),
        (None, None),
    ],
)
def test_groups_are_negative_ids_and_usernames(chat_id: object, group: object) -> None:
    assert _group_key({"chat_id": chat_id}) == group


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(timedelta(seconds=1.5), 1.5), (timedelta(seconds=7), 7.0)],
)
def test_retry_after_seconds(value: timedelta, seconds: float) -> None:
    assert retry_after_seconds(RetryAfter(value)) == seconds


def test_window_and_pacer_arithmetic() -> None:
    window = SlidingWindow(2, 1.0)
    window.take(0.0)
    window.take(0.5)
    assert window.delay(0.6) == pytest.approx(0.4)
    assert window.delay(1.0) == 0.0  # the grant at 0.0 has left the window
    window.take(1.0)
    assert window.delay(1.2) == pytest.approx(0.3)
    pacer = Pacer(4)
    assert pacer.delay(0.0) == 0.0
    pacer.take(0.0)
    assert pacer.delay(0.1) == pytest.approx(0.15)
    pacer.take(0.3)  # woke 0.05 s late for the 0.25 slot: the schedule is kept
    assert pacer.delay(0.3) == pytest.approx(0.2)
    pacer.take(10.0)  # idle for a while: no burst credit is saved up
    assert pacer.delay(10.0) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)
    with pytest.raises(ValueError, match="at least 1"):
        SlidingWindow(0, 1.0)


def test_in_flight_window_counts_a_request_until_its_answer() -> None:
    window = InFlightWindow(2, 1.0)
    window.take(0.0)
    window.take(0.1)
    assert window.delay(5.0) == pytest.approx(1.0)  # both in flight: wait for an answer
    window.release(0.4)
    # One still in flight, one answered at 0.4: a slot frees a second after that answer.
    assert window.delay(0.5) == pytest.approx(0.9)
    assert window.delay(1.4) == 0.0
    window.take(1.4)
    window.release(1.5)
    window.release(1.6)
    assert window.delay(2.0) == pytest.approx(0.5)
    assert window.delay(2.6) == 0.0
    with pytest.raises(ValueError, match="at least 1"):
        InFlightWindow(0, 1.0)
