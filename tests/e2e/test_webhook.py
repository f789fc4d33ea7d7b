"""Webhook mode: setWebhook with a secret, 403 without it, updates processed with it, /healthz."""

from __future__ import annotations

import asyncio
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


@pytest.mark.parametrize(
    "body",
    [
        b"null",
        b"[]",
        b"1",
        b'"text"',
        b'{"message": {"text": "hi"}}',
        b'{"update_id": "7"}',
        b'{"update_id": 7, "message": "a string, not a message"}',
    ],
)
async def test_json_that_is_not_an_update_is_refused(bot: RunningBot, body: bytes) -> None:
    port = free_port()
    await bot.start(webhook_url=URL, webhook_secret="s3cret_value-1", port=port)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        answer = await client.post(
            "/telegram/hook", content=body, headers={SECRET_HEADER: "s3cret_value-1"}
        )
        health = await client.get("/healthz")
    assert answer.status_code == 400
    assert health.status_code == 200  # the bot keeps running


async def test_an_oversized_body_is_refused_from_its_declared_length(bot: RunningBot) -> None:
    port = free_port()
    await bot.start(webhook_url=URL, webhook_secret="s3cret_value-1", port=port)

    # Only the headers go out: the server must answer from Content-Length alone.
    def send_headers_only() -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall(
                b"POST /telegram/hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"X-Telegram-Bot-Api-Secret-Token: s3cret_value-1\r\n"
                b"Content-Length: 50000000\r\n\r\n"
            )
            return raw.recv(64).split(b"\r\n", 1)[0]

    status_line = await asyncio.to_thread(send_headers_only)  # the server shares this loop
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"


async def test_refused_requests_are_logged_once_a_minute_in_summary(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    await bot.start(webhook_url=URL, webhook_secret="s3cret_value-1", port=port)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        for _ in range(20):
            await client.post("/telegram/hook", content=b"[]", headers={SECRET_HEADER: "nope"})
    reports = [r for r in caplog.records if "Webhook requests refused" in r.getMessage()]
    assert len(reports) == 1
