"""The inbox end to end: redeliveries answered once, a turn cut off by a crash answered after the
restart, and two instances on one PostgreSQL database keeping each user's order."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot.config import Settings
from bot.transport.webhook import SECRET_HEADER
from tests.e2e.conftest import RunningBot
from tests.e2e.test_webhook import URL, free_port
from tests.fakes.openai import FakeOpenAI, Reply, text_of
from tests.fakes.telegram import FakeTelegram

JSON = dict[str, Any]
SECRET = "inbox-secret_1"
USER = 7001
FIRST_OF_MANY = 7101


def _last_user_text(body: JSON) -> str:
    return next(text_of(m) for m in reversed(body["messages"]) if m["role"] == "user")


async def test_an_update_delivered_twice_is_answered_once(bot: RunningBot) -> None:
    port = free_port()
    await bot.start(webhook_url=URL, webhook_secret=SECRET, port=port)
    update = bot.telegram.user_sends(USER, "how many squats?")
    headers = {SECRET_HEADER: SECRET}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        # Telegram retries a delivery it thinks failed, also while the first is processed.
        first, second = await asyncio.gather(
            client.post("/telegram/hook", json=update, headers=headers),
            client.post("/telegram/hook", json=update, headers=headers),
        )
        await bot.telegram.wait_for_messages(USER, 1)
        third = await client.post("/telegram/hook", json=update, headers=headers)
    assert [r.status_code for r in (first, second, third)] == [200, 200, 200]
    await asyncio.sleep(0.5)  # time for a wrong second answer to arrive
    assert len(bot.telegram.sent_to(USER)) == 1
    assert len(bot.openai.requests) == 1


async def test_a_turn_cut_off_by_a_crash_is_answered_after_the_restart(bot: RunningBot) -> None:
    await bot.start()
    bot.openai.hang_next()
    bot.telegram.user_sends(USER, "plan my week")
    await bot.openai.wait_for_requests(1)
    # Acknowledged to Telegram (it will not send it again): only the inbox still has it.
    await bot.telegram.wait_for_confirmed()
    await bot.crash()
    assert bot.telegram.sent_to(USER) == []

    await bot.start()
    [answer] = await bot.telegram.wait_for_messages(USER, 1, timeout=10)
    # At least once: the cut-off turn had stored the question, so the model sees it twice.
    assert answer["text"].startswith("Echo: plan my week")
    assert len(bot.openai.requests) == 2


class _Balancer:
    """Hands each update to the next instance in turn, as a round-robin load balancer does."""

    def __init__(self, ports: list[int]) -> None:
        self._ports = itertools.cycle(ports)
        self._client = httpx.AsyncClient(timeout=10)

    async def deliver(self, update: JSON) -> None:
        response = await self._client.post(
            f"http://127.0.0.1:{next(self._ports)}/telegram/hook",
            json=update,
            headers={SECRET_HEADER: SECRET},
        )
        assert response.status_code == 200

    async def aclose(self) -> None:
        await self._client.aclose()


async def _wait_healthy(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=1) as client:
        for _ in range(150):
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the instance on port {port} did not come up")


@pytest.fixture
async def two_instances(
    make_settings: Callable[..., Settings],
    fake_telegram: FakeTelegram,
    fake_openai: FakeOpenAI,
    database_url: str,
) -> AsyncIterator[tuple[list[int], list[RunningBot]]]:
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances share a PostgreSQL database; SQLite serves one")
    ports = [free_port(), free_port()]
    bots = [RunningBot(make_settings, fake_telegram, fake_openai, database_url) for _ in ports]
    try:
        for bot, port in zip(bots, ports, strict=True):  # one after the other: migrations
            await bot.start(webhook_url=URL, webhook_secret=SECRET, port=port)
            await _wait_healthy(port)  # setWebhook seen may be the other instance's
        yield ports, bots
    finally:
        for bot in bots:
            await bot.stop()


async def test_two_instances_answer_each_users_quick_messages_in_order(
    two_instances: tuple[list[int], list[RunningBot]],
    fake_telegram: FakeTelegram,
    fake_openai: FakeOpenAI,
) -> None:
    ports, _ = two_instances

    async def answer(body: JSON) -> Reply:
        return Reply(text=f"Answer to {_last_user_text(body)}", latency=0.3)

    fake_openai.responder = answer
    users = list(range(FIRST_OF_MANY, FIRST_OF_MANY + 20))
    balancer = _Balancer(ports)
    try:
        firsts = [fake_telegram.user_sends(user, f"first from {user}") for user in users]
        seconds = [fake_telegram.user_sends(user, f"second from {user}") for user in users]
        # Each user's two messages reach different instances, the second while the first runs.
        await asyncio.gather(*(balancer.deliver(update) for update in firsts))
        await asyncio.gather(*(balancer.deliver(update) for update in seconds))
        for user in users:
            await fake_telegram.wait_for_messages(user, 2, timeout=20)
    finally:
        await balancer.aclose()

    for user in users:
        assert [m["text"] for m in fake_telegram.sent_to(user)] == [
            f"Answer to first from {user}",
            f"Answer to second from {user}",
        ]
        [second_prompt] = [
            r.body for r in fake_openai.requests if _last_user_text(r.body) == f"second from {user}"
        ]
        said = [text_of(m) for m in second_prompt["messages"]]
        assert f"first from {user}" in said
        assert f"Answer to first from {user}" in said
    assert len(fake_openai.requests) == 40
    assert fake_openai.max_in_flight > 1  # different users at once
