"""Shared fixtures: SQLite always, PostgreSQL when TEST_DATABASE_URL is set, and settings."""

from __future__ import annotations

import os

# RetryAfter.retry_after as a timedelta, as the bot runs it (PTB warns otherwise).
os.environ.setdefault("PTB_TIMEDELTA", "true")
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.storage import Database
from bot.storage.migrate import upgrade
from tests.fakes.telegram import TEST_TOKEN

pytest_plugins = ["tests.fakes.plugin"]

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite", "postgresql"]
# One prefix per test run, so parallel or crashed runs never meet the same database.
_RUN_ID = uuid.uuid4().hex[:8]
_counter = 0


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _fresh_postgres_url() -> tuple[str, str]:
    global _counter
    _counter += 1
    name = f"fitcoach_{_RUN_ID}_{_counter}"
    connection = await asyncpg.connect(_asyncpg_dsn(TEST_DATABASE_URL))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(False), name


async def _drop_postgres(name: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(TEST_DATABASE_URL))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fitcoach.db'}"
        return
    if not TEST_DATABASE_URL:
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL (set by .ci/run when a server answers)"
        )
    url, name = await _fresh_postgres_url()
    try:
        yield url
    finally:
        await _drop_postgres(name)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated database handle on each backend."""
    db = Database(database_url)
    await upgrade(db.engine)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'fitcoach.db'}"


@pytest.fixture
def make_settings() -> Callable[..., Settings]:
    """Settings built from arguments only: no environment, no .env file."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "telegram_bot_token": TEST_TOKEN,
            "openai_api_key": "sk-test-key-for-the-loopback-fake",
            "openai_timeout": 5,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return build
