"""Runs the real bot (python -m bot's serve) in the test's event loop against the loopback fakes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import serve
from bot.config import Settings
from tests.fakes.openai import FakeOpenAI
from tests.fakes.telegram import FakeTelegram


class RunningBot:
    """Starts and stops ``serve`` like a process would, so tests can also restart it."""

    def __init__(
        self,
        make_settings: Callable[..., Settings],
        telegram: FakeTelegram,
        openai: FakeOpenAI,
        database_url: str,
    ) -> None:
        self._make_settings = make_settings
        self.telegram = telegram
        self.openai = openai
        self.database_url = database_url
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self.settings: Settings | None = None

    async def start(self, **overrides: Any) -> RunningBot:
        values: dict[str, Any] = {
            "telegram_api_url": self.telegram.base_url,
            "telegram_bot_token": self.telegram.token,
            "openai_base_url": self.openai.base_url,
            "database_url": self.database_url,
        }
        values.update(overrides)
        self.settings = self._make_settings(**values)
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(serve(self.settings, self._stop))
        if self.settings.webhook_url:
            await self.telegram.wait_for("setWebhook", timeout=15)
        else:
            await self.telegram.wait_polling()
        return self

    async def stop(self) -> None:
        """Stop as on SIGTERM: replies in flight finish."""
        if self._task is None or self._stop is None:
            return
        self._stop.set()
        task, self._task = self._task, None
        await asyncio.wait_for(task, 20)

    async def crash(self) -> None:
        """Stop abruptly, as a killed process would: nothing gets to finish."""
        if self._task is None:
            return
        task, self._task = self._task, None
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()


@pytest.fixture
def bot_database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


async def _runner(
    make_settings: Callable[..., Settings],
    telegram: FakeTelegram,
    openai: FakeOpenAI,
    database_url: str,
) -> AsyncIterator[RunningBot]:
    runner = RunningBot(make_settings, telegram, openai, database_url)
    try:
        yield runner
    finally:
        await runner.stop()


@pytest.fixture
async def bot(
    make_settings: Callable[..., Settings],
    fake_telegram: FakeTelegram,
    fake_openai: FakeOpenAI,
    bot_database_url: str,
) -> AsyncIterator[RunningBot]:
    """The real bot on the fakes and SQLite (not started: call ``await bot.start(...)``)."""
    async for runner in _runner(make_settings, fake_telegram, fake_openai, bot_database_url):
        yield runner


@pytest.fixture
async def bot_on_each_database(
    make_settings: Callable[..., Settings],
    fake_telegram: FakeTelegram,
    fake_openai: FakeOpenAI,
    database_url: str,
) -> AsyncIterator[RunningBot]:
    """The real bot on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    async for runner in _runner(make_settings, fake_telegram, fake_openai, database_url):
        yield runner
