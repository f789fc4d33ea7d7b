"""SQLite connections that run each call on the event loop's thread instead of a helper thread.

SQLAlchemy's aiosqlite dialect drives a connection shaped like aiosqlite's: every call (open a
cursor, execute, fetch, close the cursor, commit) is a coroutine. aiosqlite answers each one by
handing it to the connection's own thread and waking the loop when it is done. For the bot's
statements (an indexed read or a one-row write on a local file, tens of microseconds) those two
hand-overs cost more than the work, about four of them per statement, and a transaction
that waits on them keeps the process's other transactions waiting behind it.

:class:`InlineConnection` offers the same coroutines but runs them at once with the standard
``sqlite3`` module, so a transaction is done without leaving the thread. What that gives up:
a statement that has to wait for another *process's* write lock (SQLite's busy timeout) waits
on the loop's thread. The bot itself never waits so: its transactions take turns on an asyncio
lock (``Database``) before they reach SQLite. Other processes writing to the same file at the
same time (a catalog import while the bot runs) are short and rare.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any


class InlineCursor:
    """The part of aiosqlite's cursor that SQLAlchemy uses, over a ``sqlite3.Cursor``."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        if size is None:
            return self._cursor.fetchmany()
        return self._cursor.fetchmany(size)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunAtOnce:
    """Stands in for aiosqlite's queue to its thread: runs ``(future, function)`` right away.

    SQLAlchemy's adapter sets a connection's isolation level (AUTOCOMMIT for a checkpoint or a
    VACUUM) by putting such a pair on that queue and awaiting the future.
    """

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:  # handed to whoever awaits the future
            future.set_exception(exc)


class InlineConnection:
    """The part of aiosqlite's connection that SQLAlchemy uses, over a ``sqlite3.Connection``."""

    _tx = _RunAtOnce()

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = connection

    @property
    def _connection(self) -> sqlite3.Connection | None:
        # SQLAlchemy's adapter checks this (as aiosqlite names it) before commit and rollback.
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._open().cursor())

    async def commit(self) -> None:
        self._open().commit()

    async def rollback(self) -> None:
        self._open().rollback()

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def stop(self) -> None:
        """Close at once: what SQLAlchemy calls when it has to drop a connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    async def create_function(
        self, name: str, num_params: int, func: Callable[..., Any], **kwargs: Any
    ) -> None:
        self._open().create_function(name, num_params, func, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._open().isolation_level


def connector(path: str, timeout: float) -> Callable[[], Any]:
    """The ``async_creator`` for ``create_async_engine``: opens ``path`` (``:memory:`` too)."""

    async def connect() -> InlineConnection:
        # check_same_thread is off because the pool may close a connection from the garbage
        # collector's thread at exit; calls are made from the loop's thread only.
        return InlineConnection(sqlite3.connect(path, timeout=timeout, check_same_thread=False))

    return connect


__all__: Sequence[str] = ("InlineConnection", "InlineCursor", "connector")
