"""Pytest fixtures that start the loopback Telegram and OpenAI fakes for one test each.

Load with ``pytest_plugins = ["tests.fakes.plugin"]`` in ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from tests.fakes.openai import FakeOpenAI
from tests.fakes.telegram import TEST_TOKEN, FakeTelegram


@pytest_asyncio.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A Bot API on 127.0.0.1 accepting ``fake_telegram.token``; stopped after the test."""
    async with FakeTelegram(TEST_TOKEN) as fake:
        yield fake


@pytest_asyncio.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    """Chat Completions on 127.0.0.1 at ``fake_openai.base_url``; stopped after the test."""
    async with FakeOpenAI() as fake:
        yield fake
