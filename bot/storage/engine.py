"""Async engine and session factory for SQLite (aiosqlite, WAL) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.errors import StorageError

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the engine; SQLite connections get WAL, foreign keys and a busy timeout."""
    if database_url.startswith("sqlite"):
        engine = create_async_engine(
            database_url,
            echo=echo,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(database_url, echo=echo, pool_pre_ping=True, pool_size=10)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        if _is_file_database(dbapi_connection):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _is_file_database(dbapi_connection: Any) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA database_list")
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return any(row[1] == "main" and row[2] for row in rows)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """One factory for the whole process; objects stay usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def check_connection(engine: AsyncEngine) -> None:
    """Open one connection so an unreachable database fails at start, not at the first user."""
    try:
        async with engine.connect():
            pass
    except (OperationalError, DBAPIError, OSError) as exc:
        raise StorageError(
            f"cannot connect to the database ({describe_url(engine)}): {_reason(exc)}"
        ) from exc


def describe_url(engine: AsyncEngine) -> str:
    """The database URL with any password hidden, for messages and logs."""
    return engine.url.render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text = (
        str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    )
    return text[:200]


class Database:
    """The engine and its session factory: what services receive to run transactions."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)
        self.sessions = make_sessionmaker(self.engine)
        # SQLite has one writer at a time; letting transactions queue here instead of in
        # SQLite's busy handler (which sleeps and retries) keeps waits short, and avoids the
        # "database is locked" a read-then-write upgrade can hit under contention.
        self._sqlite_lock = asyncio.Lock() if self.engine.dialect.name == "sqlite" else None
        self._lock_owner: asyncio.Task[object] | None = None

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        if self._sqlite_lock is None:
            return self.sessions.begin()
        return self._serialised()

    @contextlib.asynccontextmanager
    async def _serialised(self) -> AsyncIterator[AsyncSession]:
        assert self._sqlite_lock is not None
        task = asyncio.current_task()
        if task is not None and task is self._lock_owner:
            raise RuntimeError("a transaction was opened inside another one")
        async with self._sqlite_lock:
            self._lock_owner = task
            try:
                async with self.sessions.begin() as session:
                    yield session
            finally:
                self._lock_owner = None

    @property
    def description(self) -> str:
        return describe_url(self.engine)

    async def check(self) -> None:
        await check_connection(self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()
