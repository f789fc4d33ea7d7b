"""Webhook mode: setWebhook with a secret, 403 without it, updates processed with it, /healthz."""

from __future__ import annotations

import socket

import httpx
import pytest

from bot.app import serve
from bot.errors import FitCoachError
from bot.transport.webhook import SECRET_HEADER, derive_secret
from tests.e2e.conftest import RunningBot

USER = 2001
URL = "https://fitcoach.example.test/telegram/hook"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_with_and_without_the_secret(bot: RunningBot) -> None:
    port = free_port()
    await bot.start(webhook_url=URL, webhook_secret="s3cret_value-1", port=port)
    [registered] = bot.telegram.calls("setWebhook")
    assert registered.params["url"] == URL
    assert registered.params["secret_token"] == "s3cret_value-1"
    assert not bot.telegram.calls("getUpdates")

    base = f"http://127.0.0.1:{port}"
    update = bot.telegram.user_sends(USER, "/start", first_name="Wes")
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        health = await client.get("/healthz")
        assert (health.status_code, health.json()) == (200, {"status": "ok"})

        missing = await client.post("/telegram/hook", json=update)
        wrong = await client.post("/telegram/hook", json=update, headers={SECRET_HEADER: "nope"})
        assert (missing.status_code, wrong.status_code) == (403, 403)
        assert bot.telegram.sent_to(USER) == []

        garbage = await client.post(
            "/telegram/hook", content=b"{not json", headers={SECRET_HEADER: "s3cret_value-1"}
        )
        assert garbage.status_code == 400

        accepted = await client.post(
            "/telegram/hook", json=update, headers={SECRET_HEADER: "s3cret_value-1"}
        )
        assert accepted.status_code == 200
    [welcome] = await bot.telegram.wait_for_messages(USER, 1)
    assert "Wes" in welcome["text"]


async def test_secret_is_derived_from_the_token_when_unset(bot: RunningBot) -> None:
    await bot.start(webhook_url=URL, port=free_port())
    [registered] = bot.telegram.calls("setWebhook")
    assert registered.params["secret_token"] == derive_secret(bot.telegram.token)
    assert bot.telegram.token not in registered.params["secret_token"]


async def test_port_in_use_is_a_clear_error(bot: RunningBot) -> None:
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # noqa: S104 - the server binds every interface too
        taken.listen()
        port = int(taken.getsockname()[1])
        settings = bot._make_settings(
            telegram_api_url=bot.telegram.base_url,
            telegram_bot_token=bot.telegram.token,
            openai_base_url=bot.openai.base_url,
            database_url=bot.database_url,
            webhook_url=URL,
            port=port,
        )
        with pytest.raises(FitCoachError, match=f"cannot listen on port {port}"):
            await serve(settings)
