"""StreamingReply on the bot's rate limiter: one stream keeps its pace, many share the budget."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.handlers.render import FIRST_SHOW_DELAY, StreamingReply
from bot.transport.ratelimit import DRAFT_SHARE, PriorityRateLimiter

EARLY = 0.02


class LimitedBot:
    """Records the requests a stream makes, each through the limiter as the real bot does."""

    def __init__(self, limiter: PriorityRateLimiter) -> None:
        self.rate_limiter = limiter
        self.sent: list[tuple[str, int, float]] = []

    async def _call(self, method: str, chat_id: int) -> bool:
        async def call() -> bool:
            self.sent.append((method, chat_id, time.monotonic()))
            return True

        result = await self.rate_limiter.process_request(
            call, (), {}, method, {"chat_id": chat_id}, None
        )
        assert isinstance(result, bool)
        return result

    async def send_chat_action(self, chat_id: int, action: str) -> bool:
        return await self._call("sendChatAction", chat_id)

    async def send_message_draft(self, chat_id: int, draft_id: int, text: str, **_: Any) -> bool:
        return await self._call("sendMessageDraft", chat_id)

    async def send_message(self, chat_id: int, text: str, **_: Any) -> object:
        await self._call("sendMessage", chat_id)
        return object()

    def times(self, method: str, chat_id: int) -> list[float]:
        return [at for name, chat, at in self.sent if name == method and chat == chat_id]


@pytest.fixture
async def limiter() -> AsyncIterator[PriorityRateLimiter]:
    made = PriorityRateLimiter(overall_max_rate=10, overall_period=1.0, margin=0.0)
    yield made
    await made.shutdown()


async def write(stream: StreamingReply, seconds: float) -> None:
    """The model writing a word every 50 ms."""
    text = ""
    for _ in range(int(seconds / 0.05)):
        text += "word "
        await stream.partial(text)
        await asyncio.sleep(0.05)


async def test_one_stream_keeps_its_pace(limiter: PriorityRateLimiter) -> None:
    bot = LimitedBot(limiter)
    started = time.monotonic()
    async with StreamingReply(bot, 1, private=True, draft_id=7) as stream:
        await write(stream, 2.6)
        await stream.finish("done")
    drafts = bot.times("sendMessageDraft", 1)
    assert drafts[0] - started >= FIRST_SHOW_DELAY - EARLY
    assert drafts[0] - started < FIRST_SHOW_DELAY + 0.3
    gaps = [later - earlier for earlier, later in itertools.pairwise(drafts)]
    assert len(drafts) == 3
    assert all(1.0 - EARLY <= gap < 1.3 for gap in gaps)
    assert limiter.active_streams == 0


async def test_many_streams_share_what_replies_leave(limiter: PriorityRateLimiter) -> None:
    bot = LimitedBot(limiter)
    streams = [StreamingReply(bot, chat, private=True, draft_id=1) for chat in range(1, 21)]
    for stream in streams:
        await stream.__aenter__()
    assert limiter.active_streams == 20
    await asyncio.gather(*(write(stream, 4.0) for stream in streams))
    asked = time.monotonic()
    await asyncio.gather(*(stream.finish("done") for stream in streams))
    finals_took = time.monotonic() - asked
    for stream in streams:
        await stream.__aexit__(None, None, None)
    # Twenty streams share 8 drafts a second: each waits 2.5 s between drafts, not 1 s.
    share = 20 / (10 * DRAFT_SHARE)
    for chat in range(1, 21):
        drafts = bot.times("sendMessageDraft", chat)
        assert drafts, chat  # everyone's first words showed
        gaps = [later - earlier for earlier, later in itertools.pairwise(drafts)]
        assert all(gap >= share - EARLY for gap in gaps), (chat, gaps)
    # Twenty finals at 10/s, not behind queued drafts.
    assert finals_took < 2 * 20 / 10
    assert limiter.active_streams == 0
