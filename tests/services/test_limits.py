"""The per-user sliding-window limiter."""

from __future__ import annotations

import pytest

from bot.services.limits import SlidingWindowLimiter, inbound_cost


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_allows_up_to_the_limit_then_refuses_until_the_window_passes() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(3, 60.0, clock=clock)
    assert [limiter.allow(1) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow(2)  # other users are not affected
    assert limiter.retry_after(1) == pytest.approx(60.0)
    clock.now += 59.9
    assert not limiter.allow(1)
    clock.now += 0.2
    assert limiter.allow(1)


def test_warns_once_per_window() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(1, 10.0, clock=clock)
    assert limiter.should_warn(5)
    assert not limiter.should_warn(5)
    clock.now += 10.0
    assert limiter.should_warn(5)


@pytest.mark.parametrize(("limit", "window"), [(0, 60.0), (5, 0.0)])
def test_rejects_nonsense_configuration(limit: int, window: float) -> None:
    with pytest.raises(ValueError, match="limit"):
        SlidingWindowLimiter(limit, window)


@pytest.mark.parametrize(
    ("voice_seconds", "images", "cost"),
    [(0, 0, 1), (1, 0, 1), (30, 0, 1), (31, 0, 2), (120, 0, 4), (0, 1, 3)],
)
def test_voice_and_images_count_as_several_messages(
    voice_seconds: int, images: int, cost: int
) -> None:
    assert inbound_cost(voice_seconds=voice_seconds, images=images) == cost


def test_a_costly_event_fills_the_window_but_never_more() -> None:
    clock = Clock()
    limiter = SlidingWindowLimiter(4, 60.0, clock=clock)

    assert limiter.allow(7, 3)
    assert not limiter.allow(7, 2)
    assert limiter.allow(7)
    assert not limiter.allow(7)
    clock.now += 60
    assert limiter.allow(7, 99)  # capped at the limit: a long note alone still goes through
    assert not limiter.allow(7)
