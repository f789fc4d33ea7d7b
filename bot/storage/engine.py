"""Async engine and session factory for SQLite (aiosqlite, WAL) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import weakref
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, ClassVar

from sqlalchemy import event, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.errors import StorageError
from bot.storage import sqlite_inline

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
# After an erasure the write-ahead log still holds the old pages until a checkpoint empties it.
# A checkpoint cannot finish while another connection (another process: this one queues its
# transactions) reads an older snapshot, so it is tried a few times without waiting inside SQLite.
CHECKPOINT_ATTEMPTS = 5
CHECKPOINT_PAUSE_SECONDS = 0.1


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """Create the engine; SQLite connections get WAL, foreign keys and a busy timeout."""
    if database_url.startswith("sqlite"):
        url = make_url(database_url)
        timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
        # Connections call SQLite on the loop's thread (see sqlite_inline); a URL with options
        # (``?mode=ro&uri=true``) keeps aiosqlite, which passes them on to SQLite.
        connection: dict[str, Any] = (
            {"connect_args": {"timeout": timeout}}
            if url.query
            else {"async_creator": sqlite_inline.connector(url.database or ":memory:", timeout)}
        )
        engine = create_async_engine(
            database_url,
            echo=echo,
            # Bound values are what users wrote: an error's message must not carry them to logs.
            hide_parameters=True,
            **connection,
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(
        database_url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=10
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        if _is_file_database(dbapi_connection):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # Deleted rows are overwritten with zeros, not just unlinked: after /forget nothing of
        # the user stays readable in free pages or free space inside pages.
        cursor.execute("PRAGMA secure_delete=ON")
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


def is_postgres(session: AsyncSession) -> bool:
    """Whether the session's database is PostgreSQL (else SQLite), for SQL that differs."""
    return session.get_bind().dialect.name == "postgresql"


def describe_url(engine: AsyncEngine) -> str:
    """The database URL with any password hidden, for messages and logs."""
    return engine.url.render_as_string(hide_password=True)


def _reason(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    text = (
        str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    )
    return text[:200]


def _sqlite_file(engine: AsyncEngine) -> str:
    """What identifies the database: its file, or (in memory) the engine's own database."""
    name = engine.url.database
    if not name or name == ":memory:":
        return f":memory:{id(engine)}"
    return os.path.abspath(name)


class _Turns:
    """The queue that one SQLite database's transactions wait in, within this process.

    Statements run on the loop's thread (``sqlite_inline``), so a transaction that had to wait
    for SQLite's write lock would wait there, and the transaction holding the lock could not
    finish. Every ``Database`` on the same file in the same event loop therefore shares one
    queue: transactions take turns before they reach SQLite.
    """

    _all: ClassVar[weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Turns]]] = (
        weakref.WeakKeyDictionary()
    )

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.owner: asyncio.Task[object] | None = None

    @classmethod
    def of(cls, database_file: str) -> _Turns:
        per_file = cls._all.setdefault(asyncio.get_running_loop(), {})
        turns = per_file.get(database_file)
        if turns is None:
            turns = per_file[database_file] = cls()
        return turns


class Database:
    """The engine and its session factory: what services receive to run transactions."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)
        self.sessions = make_sessionmaker(self.engine)
        # SQLite has one writer at a time; letting transactions queue here instead of in
        # SQLite's busy handler (which sleeps and retries) keeps waits short, and avoids the
        # "database is locked" a read-then-write upgrade can hit under contention.
        self._sqlite_file = (
            _sqlite_file(self.engine) if self.engine.dialect.name == "sqlite" else None
        )

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A session inside one transaction: committed on success, rolled back on error."""
        if self._sqlite_file is None:
            return self.sessions.begin()
        return self._serialised()

    def _turns(self) -> _Turns:
        assert self._sqlite_file is not None
        return _Turns.of(self._sqlite_file)

    @contextlib.asynccontextmanager
    async def _serialised(self) -> AsyncIterator[AsyncSession]:
        turns = self._turns()
        task = asyncio.current_task()
        if task is not None and task is turns.owner:
            raise RuntimeError("a transaction was opened inside another one")
        async with turns.lock:
            turns.owner = task
            try:
                async with self.sessions.begin() as session:
                    yield session
            finally:
                turns.owner = None

    @property
    def description(self) -> str:
        return describe_url(self.engine)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``: what several features choose their SQL by."""
        return str(self.engine.dialect.name)

    async def scrub(self, tables: Sequence[str]) -> bool:
        """Leave no copy of rows just deleted from ``tables`` in the database's files.

        Call it after the deleting transaction committed, never inside one. SQLite overwrites
        deleted rows itself (secure_delete); this empties the write-ahead log, which still holds
        the pages as they were. PostgreSQL keeps deleted rows as dead tuples until a VACUUM, so
        the tables are vacuumed. False when it could not finish (logged); the data is deleted
        either way, only older copies remain for longer.
        """
        if self._sqlite_file is not None:
            return await self._checkpoint()
        return await self._vacuum(tables)

    async def _checkpoint(self) -> bool:
        result: tuple[int, int, int] = (1, -1, -1)
        for attempt in range(CHECKPOINT_ATTEMPTS):
            if attempt:
                await asyncio.sleep(CHECKPOINT_PAUSE_SECONDS)
            try:
                result = await self._checkpoint_once()
            except OperationalError:  # "database is locked" on some paths instead of busy=1
                continue
            if result[0] == 0:
                return True
        logger.warning(
            "The write-ahead log could not be emptied after an erasure (busy, %s of %s pages "
            "copied); the next checkpoint empties it",
            result[2],
            result[1],
        )
        return False

    async def _checkpoint_once(self) -> tuple[int, int, int]:
        turns = self._turns()
        if turns.owner is not None and turns.owner is asyncio.current_task():
            raise RuntimeError("a checkpoint cannot run inside a transaction")
        # Under the queue's lock no transaction of this process is open, so no reader of ours
        # holds the log; readers in other processes make the checkpoint report busy.
        async with turns.lock, self.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("PRAGMA busy_timeout=0")
            try:
                result = await autocommit.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                busy, frames, copied = tuple(result.one())
            finally:
                await autocommit.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        return int(busy), int(frames), int(copied)

    async def _vacuum(self, tables: Sequence[str]) -> bool:
        # VACUUM cannot run inside a transaction block.
        try:
            async with self.engine.connect() as connection:
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                for table in tables:
                    quoted = self.engine.dialect.identifier_preparer.quote(table)
                    await autocommit.exec_driver_sql(f"VACUUM {quoted}")
        except (OperationalError, DBAPIError, OSError):
            logger.warning("VACUUM after an erasure failed; autovacuum will do it", exc_info=True)
            return False
        return True

    async def check(self) -> None:
        await check_connection(self.engine)

    async def dispose(self) -> None:
        await self.engine.dispose()
