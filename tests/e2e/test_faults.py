"""Start-up and transport faults of the Bot API: the bot logs them and keeps answering."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import serve
from bot.config import Settings
from bot.errors import FitCoachError
from tests.e2e.conftest import RunningBot
from tests.fakes.openai import Reply
from tests.fakes.telegram import FakeTelegram

USER = 5101

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."


async def _help_is_answered(bot: RunningBot, user: int = USER) -> None:
    before = len(bot.telegram.sent_to(user))
    bot.telegram.user_sends(user, "/help")
    [answer] = (await bot.telegram.wait_for_messages(user, before + 1, timeout=10))[before:]
    assert "/profile" in answer["text"]


# --------------------------------------------------------------------------- start-up


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"),
        (404, "Not Found"),
        (500, "Internal Server Error"),
    ],
)
async def test_refused_command_menu_is_a_warning_and_the_bot_answers(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, status: int, description: str
) -> None:
    bot.telegram.fail("setMyCommands", status, description)

    await bot.start(admin_ids="42")
    await _help_is_answered(bot)

    assert bot.running
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "menu" in r.message]
    assert warnings, [r.message for r in caplog.records]


async def test_command_menu_that_times_out_does_not_stop_the_bot(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    bot.telegram.hang("setMyCommands")

    await bot.start()
    await _help_is_answered(bot)

    assert bot.running
    assert any("menu" in r.message for r in caplog.records if r.levelno == logging.WARNING)


def _run_bot(telegram: FakeTelegram, tmp_path: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_"))}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        TELEGRAM_BOT_TOKEN=telegram.token,
        TELEGRAM_API_URL=telegram.base_url,
        LOG_LEVEL="WARNING",  # start-up progress is INFO; any trouble shows at WARNING
    )
    return asyncio.create_subprocess_exec(  # type: ignore[return-value]
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=Path(__file__).parents[2],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_non_json_get_me_is_one_clear_line_and_a_failed_exit(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    fake_telegram.answer_raw("getMe", "<html><body>502 Bad Gateway</body></html>")

    process = await _run_bot(fake_telegram, tmp_path)
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    errors = stderr.decode()
    assert process.returncode == 1, errors
    assert "Traceback" not in errors
    assert len(errors.strip().splitlines()) == 1, errors
    assert "getMe" in errors
    assert fake_telegram.token not in errors


@pytest.mark.parametrize(
    "body",
    ['{"ok": true, "result": {"id": 123456}}', '{"ok": true, "result": "fitcoach"}'],
    ids=["missing-fields", "wrong-type"],
)
async def test_get_me_without_a_bot_in_it_is_a_fitcoach_error(
    make_settings: Callable[..., Settings],
    fake_telegram: FakeTelegram,
    tmp_path: Path,
    body: str,
) -> None:
    fake_telegram.answer_raw("getMe", body)
    settings = make_settings(
        telegram_api_url=fake_telegram.base_url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
    )

    # __main__ prints a FitCoachError as one line and exits with 1.
    with pytest.raises(FitCoachError, match="cannot read the getMe answer"):
        await serve(settings, asyncio.Event())


# --------------------------------------------------------------------------- polling


async def test_polling_pauses_when_get_updates_returns_at_once(bot: RunningBot) -> None:
    bot.telegram.instant_polls = True
    await bot.start()
    await asyncio.sleep(0.5)  # past the first, shortest pauses

    before = bot.telegram.poll_count
    await asyncio.sleep(2.0)
    polls = bot.telegram.poll_count - before

    # Capped at about one poll a second once idle; a spinning poller makes hundreds.
    assert polls <= 6, f"{polls} polls in 2 s"
    await _help_is_answered(bot)


async def test_polling_is_prompt_again_after_updates_arrive(bot: RunningBot) -> None:
    bot.telegram.instant_polls = True
    await bot.start()
    await asyncio.sleep(3.0)  # the pause has grown to its cap
    await _help_is_answered(bot)

    loop = asyncio.get_running_loop()
    started = loop.time()
    await _help_is_answered(bot)

    # Right after an update the pause starts small again.
    assert loop.time() - started < 0.9


# --------------------------------------------------------------------------- the error handler


@pytest.mark.parametrize("apology_fault", ["500", "403", "unreadable"])
async def test_failed_apology_is_logged_not_raised(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, apology_fault: str
) -> None:
    await bot.start()
    bot.telegram.fail("sendMessage", 500, times=1)  # the answer to /help
    if apology_fault == "unreadable":  # valid JSON, but no Message PTB can read
        bot.telegram.answer_raw("sendMessage", '{"ok": true, "result": 1}', times=1)
    else:
        bot.telegram.fail("sendMessage", int(apology_fault), times=1)
    bot.telegram.user_sends(USER, "/help")
    await bot.telegram.wait_for("sendMessage", count=2)
    await asyncio.sleep(0.2)

    await _help_is_answered(bot)

    assert any("apology" in r.message for r in caplog.records if r.levelno == logging.WARNING)
    uncaught = [r.message for r in caplog.records if "uncaught error" in r.message]
    assert uncaught == []


async def test_error_while_the_apology_is_prepared_is_logged_not_raised(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.start()
    bot.telegram.fail("sendMessage", 500, times=1)
    bot.telegram.hang("sendMessage", times=1)  # the apology times out
    bot.telegram.user_sends(USER, "/help")
    await bot.telegram.wait_for(lambda r: r.method == "sendMessage" and r.status == 499, 15)

    await _help_is_answered(bot)

    assert [r.message for r in caplog.records if "uncaught error" in r.message] == []


# --------------------------------------------------------------------------- chat actions


@pytest.mark.parametrize("fault", ["400", "500", "hang"])
async def test_failed_chat_action_never_costs_the_answer(bot: RunningBot, fault: str) -> None:
    if fault == "hang":
        bot.telegram.hang("sendChatAction")
    else:
        bot.telegram.fail("sendChatAction", int(fault))
    await bot.start()
    # Slow enough to be typing first (a quicker answer needs no typing action).
    bot.openai.script(Reply(chunks=["Drink water and sleep well."], latency=1.0))

    bot.telegram.user_sends(USER, "How do I recover?")
    [answer] = await bot.telegram.wait_for_messages(USER, 1, timeout=10)

    assert answer["text"] == "Drink water and sleep well."
    assert [r.method for r in bot.telegram.requests if r.method == "sendChatAction"]


async def test_server_without_message_drafts_still_gets_the_answer(bot: RunningBot) -> None:
    bot.telegram.remove_method("sendMessageDraft")
    await bot.start()
    bot.openai.script(Reply(chunks=["Warm ", "up ", "first."], chunk_delay=0.6))

    bot.telegram.user_sends(USER, "How do I start?")
    # The words show at once in one message, edited until the answer is complete.
    await bot.telegram.wait_for(
        lambda r: r.chat_id == USER and r.ok and "first." in str(r.params.get("text", "")),
        timeout=10,
    )

    assert [m["text"] for m in bot.telegram.sent_to(USER)] == ["Warm up first."]


async def test_a_quick_answer_costs_only_its_message(bot: RunningBot) -> None:
    await bot.start()
    bot.openai.script("Sleep eight hours.")

    bot.telegram.user_sends(USER, "How do I recover?")
    await bot.telegram.wait_for_messages(USER, 1, timeout=10)
    await asyncio.sleep(0.5)  # past the moment a typing action would have gone

    sent = [r.method for r in bot.telegram.requests if r.chat_id == USER]
    assert sent == ["sendMessage"]
