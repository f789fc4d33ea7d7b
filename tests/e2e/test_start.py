"""The real bot starts on the fakes, answers /start, and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import serve
from bot.errors import ConfigError
from tests.e2e.conftest import RunningBot
from tests.fakes.telegram import FakeTelegram

USER = 1001


async def test_start_is_answered_and_the_menu_is_set(bot: RunningBot) -> None:
    await bot.start(admin_ids="42")
    bot.telegram.user_sends(USER, "/start", first_name="Ann")
    [welcome] = await bot.telegram.wait_for_messages(USER, 1)
    assert "Ann" in welcome["text"]
    assert "not medical advice" in welcome["text"]
    assert "/profile" in welcome["text"]
    commands = [c["command"] for c in bot.telegram.commands()]
    assert {"start", "help", "profile", "bmi", "exercise", "reset", "forget", "export"} <= set(
        commands
    )
    assert "broadcast" not in commands
    admin_menu = bot.telegram.commands({"type": "chat", "chat_id": 42})
    assert "broadcast" in [c["command"] for c in admin_menu] or admin_menu == []


async def test_wrong_token_is_a_clear_configuration_error(
    make_settings: pytest.FixtureRequest, fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    settings = make_settings(  # type: ignore[operator]
        telegram_api_url=fake_telegram.base_url,
        telegram_bot_token="999:WRONG-token-value",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
    )
    with pytest.raises(ConfigError, match="Telegram refused TELEGRAM_BOT_TOKEN"):
        await serve(settings, asyncio.Event())


def _run_bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
        check=False,
    )


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "OPENAI_"))}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    return env


def test_missing_token_exits_with_one_clear_line(tmp_path: Path) -> None:
    result = _run_bot(_clean_env(tmp_path))
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_exits_with_one_clear_line(tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    env["TELEGRAM_BOT_TOKEN"] = "123:ABCDEFGHIJKLMNOP"
    env["DATABASE_URL"] = "postgresql+asyncpg://nobody@127.0.0.1:9/none"
    result = _run_bot(env, "migrate")
    assert result.returncode == 1
    assert "cannot connect to the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_subcommand(tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    env["TELEGRAM_BOT_TOKEN"] = "123:ABCDEFGHIJKLMNOP"
    result = _run_bot(env, "migrate")
    assert result.returncode == 0, result.stderr
    assert "newest schema" in result.stdout
    assert (tmp_path / "cli.db").exists()


async def test_sigterm_stops_the_process_within_seconds(
    fake_telegram: FakeTelegram, tmp_path: Path
) -> None:
    env = _clean_env(tmp_path)
    env.update(
        TELEGRAM_BOT_TOKEN=fake_telegram.token,
        TELEGRAM_API_URL=fake_telegram.base_url,
        LOG_LEVEL="INFO",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=Path(__file__).parents[2],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_telegram.wait_polling(timeout=30)
        fake_telegram.user_sends(USER, "/help")
        await fake_telegram.wait_for_messages(USER, 1, timeout=10)
        started = asyncio.get_running_loop().time()
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 15)
        elapsed = asyncio.get_running_loop().time() - started
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, stderr.decode()
    assert elapsed < 12
    assert fake_telegram.token not in stderr.decode()
