"""/app and the menu button: they open the Mini App when WEB_APP_URL is set."""

from __future__ import annotations

import logging

import httpx
import pytest

from bot.i18n import t
from tests.e2e.conftest import RunningBot
from tests.e2e.test_webhook import free_port

USER = 3201
APP_URL = "https://fitcoach.example.test/app/"


async def test_app_without_web_app_url_says_it_is_not_set_up(bot: RunningBot) -> None:
    await bot.start()
    bot.telegram.user_sends(USER, "/app", language_code="de")
    [answer] = await bot.telegram.wait_for_messages(USER, 1)
    assert answer["text"] == t("de", "webapp.command.not_configured")
    assert bot.telegram.menu_button() == {"type": "commands"}
    assert not bot.telegram.calls("setChatMenuButton")


async def test_app_answers_with_a_web_app_button_and_the_menu_opens_it(bot: RunningBot) -> None:
    port = free_port()
    await bot.start(web_app_url=APP_URL, port=port)
    assert bot.telegram.menu_button() == {
        "type": "web_app",
        "text": t("en", "webapp.menu_button"),
        "web_app": {"url": APP_URL.rstrip("/")},
    }
    bot.telegram.user_sends(USER, "/app")
    [answer] = await bot.telegram.wait_for_messages(USER, 1)
    [[button]] = answer["reply_markup"]["inline_keyboard"]
    assert button["web_app"] == {"url": APP_URL.rstrip("/")}
    assert button["text"] == t("en", "webapp.command.button")
    # Polling, and still the HTTP server runs for the Mini App.
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/app/")).status_code == 200
        assert (await client.get("/api/v1/profile")).status_code == 401


async def test_a_refused_menu_button_is_a_warning_not_a_crash(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.telegram.fail_next("setChatMenuButton", 400, "Bad Request: BUTTON_URL_INVALID")
    with caplog.at_level(logging.WARNING):
        await bot.start(web_app_url=APP_URL, port=free_port())
    assert any("Menu button not set" in r.getMessage() for r in caplog.records)
    bot.telegram.user_sends(USER, "/app")
    [answer] = await bot.telegram.wait_for_messages(USER, 1)
    assert "web_app" in answer["reply_markup"]["inline_keyboard"][0][0]
