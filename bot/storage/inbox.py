"""The update inbox: updates written before they are acknowledged, claimed per chat with a lease.

Callers own the transaction. Claims are conditional UPDATEs (on PostgreSQL after a
``FOR UPDATE SKIP LOCKED`` pick), so instances racing for one chat cannot both win. ``Wakeups``
tells this instance's workers that something arrived: LISTEN/NOTIFY on PostgreSQL, so every
instance hears of an update within milliseconds, and an in-process event on SQLite.

Not procrastinate, though its ``lock=`` gives the same per-chat order: it runs on PostgreSQL
only (SQLite would still need this table), brings psycopg beside our asyncpg and a schema of its
own beside Alembic's, and its queueing lock forgets a job once it ran, so a late redelivery of
an update would be processed again; here the finished row is what recognises it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from sqlalchemy import Integer, bindparam, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.dml import ReturningUpdate, Update
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from bot.storage.engine import Database, is_postgres
from bot.storage.models import InboxUpdate, table_of

logger = logging.getLogger(__name__)

CHANNEL = "fitcoach_inbox"


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """One update in the inbox: its id, the chat whose order it keeps, its user and its JSON."""

    update_id: int
    chat_id: int | None
    user_id: int | None
    payload: str


async def add_updates(session: AsyncSession, entries: Sequence[InboxEntry]) -> int:
    """Store the updates not stored yet (a redelivered one is ignored); how many were new.

    On PostgreSQL every listening instance is notified when the transaction commits.
    """
    if not entries:
        return 0
    rows = [
        {
            "update_id": entry.update_id,
            "chat_id": entry.chat_id,
            "user_id": entry.user_id,
            "payload": entry.payload,
        }
        for entry in entries
    ]
    postgres = is_postgres(session)
    statement = (
        pg_insert(InboxUpdate).values(rows).on_conflict_do_nothing(index_elements=["update_id"])
        if postgres
        else sqlite_insert(InboxUpdate).values(rows).on_conflict_do_nothing()
    )
    result = await session.execute(statement)
    added = int(getattr(result, "rowcount", 0) or 0)
    if postgres and added:
        await session.execute(select(func.pg_notify(CHANNEL, "")))
    return added


def _free(now: datetime | BindParameter[datetime]) -> ColumnElement[bool]:
    return or_(InboxUpdate.owner.is_(None), InboxUpdate.lease_expires_at < now)


async def claim_updates(
    session: AsyncSession,
    *,
    owner: str,
    now: datetime,
    ttl: timedelta,
    limit: int,
    chat_id: int | None = None,
) -> list[InboxEntry]:
    """Lease up to ``limit`` updates, each the oldest unfinished one of its chat and not leased.

    A chat whose oldest update is leased (being processed, or its instance died less than
    ``ttl`` ago) gives nothing: its later updates wait, so one chat runs one update at a time.
    With ``chat_id``, only that chat's next update is looked at. One statement: a claim is on
    every update's path, so it costs one round trip.
    """
    if limit < 1:
        return []
    statement = _claim_statement(postgres=is_postgres(session), by_chat=chat_id is not None)
    result = await session.execute(
        statement,
        {
            "now": now,
            "owner_": owner,
            "expires": now + ttl,
            "limit_": limit,
            "chat_id_": chat_id,
        },
    )
    claimed = [
        InboxEntry(update_id=row[0], chat_id=row[1], user_id=row[2], payload=row[3] or "{}")
        for row in result.all()
    ]
    claimed.sort(key=lambda entry: entry.update_id)
    return claimed


@functools.cache
def _claim_statement(
    *, postgres: bool, by_chat: bool
) -> ReturningUpdate[int, int | None, int | None, str | None]:
    """The claim, built once: it runs for every update, and building it (an alias, a CTE and a
    dozen comparisons) cost more CPU than the database took to run it."""
    now = bindparam("now", type_=InboxUpdate.lease_expires_at.type)
    earlier = aliased(InboxUpdate)
    waits_for_earlier = exists().where(
        earlier.chat_id == InboxUpdate.chat_id,
        earlier.done_at.is_(None),
        earlier.update_id < InboxUpdate.update_id,
    )
    picked = select(InboxUpdate.update_id).where(
        InboxUpdate.done_at.is_(None), _free(now), ~waits_for_earlier
    )
    if by_chat:
        picked = picked.where(InboxUpdate.chat_id == bindparam("chat_id_"))
    picked = picked.order_by(InboxUpdate.update_id).limit(bindparam("limit_", type_=Integer))
    if postgres:
        # Racing instances skip the rows another one is claiming instead of queueing behind it;
        # the conditions, checked again on the locked row, keep a chat from being taken twice.
        picked = picked.with_for_update(skip_locked=True, of=InboxUpdate)
    # Materialized: evaluated once. Inlined as a subquery, PostgreSQL may run it again per row
    # and so lease more than ``limit`` updates.
    chosen = picked.cte("chosen").prefix_with("MATERIALIZED")
    return (
        update(InboxUpdate)
        .where(
            InboxUpdate.update_id.in_(select(chosen.c.update_id)),
            InboxUpdate.done_at.is_(None),
            _free(now),
        )
        .values(owner=bindparam("owner_"), lease_expires_at=bindparam("expires"))
        .returning(
            InboxUpdate.update_id, InboxUpdate.chat_id, InboxUpdate.user_id, InboxUpdate.payload
        )
        .execution_options(synchronize_session=False)
    )


async def renew_claims(session: AsyncSession, *, owner: str, now: datetime, ttl: timedelta) -> int:
    """Extend the lease of every unfinished update ``owner`` holds; how many it holds."""
    result = await session.execute(
        update(InboxUpdate)
        .where(InboxUpdate.owner == owner, InboxUpdate.done_at.is_(None))
        .values(lease_expires_at=now + ttl)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def finish_update(
    session: AsyncSession, update_id: int, *, owner: str, now: datetime
) -> bool:
    """Mark an update done and drop its content; False when ``owner`` no longer held it."""
    result = await session.execute(
        _finish_statement(), {"update_id_": update_id, "owner_": owner, "now_": now}
    )
    return getattr(result, "rowcount", 0) == 1


@functools.cache
def _finish_statement() -> Update:
    # Built once, on the table: it runs for every update (the ORM's bulk-update path, for one
    # row by key, cost more CPU than the statement).
    table = table_of(InboxUpdate)
    return (
        update(table)
        .where(
            table.c.update_id == bindparam("update_id_"),
            table.c.owner == bindparam("owner_"),
            table.c.done_at.is_(None),
        )
        .values(done_at=bindparam("now_"), payload=None, owner=None, lease_expires_at=None)
    )


async def release_claims(
    session: AsyncSession, *, owner: str | None, update_ids: Sequence[int] | None = None
) -> int:
    """Give unfinished updates back at once: ``owner``'s (those of ``update_ids`` only, if
    given), or everyone's with ``owner`` None."""
    statement = update(InboxUpdate).where(InboxUpdate.done_at.is_(None))
    if owner is not None:
        statement = statement.where(InboxUpdate.owner == owner)
    if update_ids is not None:
        statement = statement.where(InboxUpdate.update_id.in_(list(update_ids)))
    result = await session.execute(statement.values(owner=None, lease_expires_at=None))
    return int(getattr(result, "rowcount", 0) or 0)


async def prune_updates(session: AsyncSession, *, finished_before: datetime) -> int:
    """Delete updates finished before ``finished_before``; how many went."""
    result = await session.execute(delete(InboxUpdate).where(InboxUpdate.done_at < finished_before))
    return int(getattr(result, "rowcount", 0) or 0)


async def count_unfinished(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.done_at.is_(None))
        )
        or 0
    )


class Wakeups:
    """Wakes this instance's inbox workers when updates arrive, in this or another instance.

    ``poke`` wakes them from this process. On PostgreSQL a connection of its own LISTENs on the
    channel ``add_updates`` notifies; when it is lost, ``wait`` reconnects on its next call.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._event = asyncio.Event()
        self._connection: Any = None

    @property
    def listens(self) -> bool:
        """Whether other instances' updates wake us (PostgreSQL), not only the safety tick."""
        return self._database.dialect == "postgresql"

    async def open(self) -> None:
        if self.listens:
            await self._listen()

    async def _listen(self) -> None:
        url = self._database.engine.url.set(drivername="postgresql")
        try:
            connection = await asyncpg.connect(url.render_as_string(hide_password=False))
            await connection.add_listener(CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError) as exc:
            logger.warning("Cannot listen for inbox notifications (%s); polling meanwhile", exc)
            return
        self._connection = connection

    def _notified(self, *_args: object) -> None:
        self._event.set()

    def poke(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109 (the safety tick)
        """Until something arrives or ``timeout`` passes, whichever comes first."""
        if self.listens and (self._connection is None or self._connection.is_closed()):
            self._connection = None
            await self._listen()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        self._event.clear()

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                await connection.close(timeout=2)
