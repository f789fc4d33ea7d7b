"""The update inbox's use cases: accept updates durably, lease them per chat, finish, prune.

An update is acknowledged to Telegram only after ``accept`` stored it; workers of every instance
then ``claim`` updates, one chat at a time and in order, under a lease they ``renew`` while the
turn runs. An instance that dies leaves its leases to expire; another takes the updates over,
so an update is processed at least once and only the one in flight can be repeated.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from bot.storage import Database
from bot.storage import inbox as rows
from bot.storage.inbox import InboxEntry, Wakeups

logger = logging.getLogger(__name__)

__all__ = ["InboxEntry", "InboxService"]

LEASE_SECONDS = 60.0
# Telegram keeps an unacknowledged update for 24 h, so a redelivery comes within a day.
KEEP_FINISHED = timedelta(days=1)
PRUNE_INTERVAL_SECONDS = 600.0


def _default_owner() -> str:
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class InboxService:
    """The inbox of one instance: its name in the lease column, its wake-ups and its clock."""

    def __init__(
        self,
        database: Database,
        *,
        lease_seconds: float = LEASE_SECONDS,
        keep_finished: timedelta = KEEP_FINISHED,
        owner: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._database = database
        self._lease = timedelta(seconds=lease_seconds)
        self._keep = keep_finished
        self._owner = (owner or _default_owner())[:64]
        self._now = clock
        self._wakeups = Wakeups(database)
        self._next_prune = 0.0

    @property
    def owner(self) -> str:
        return self._owner

    @property
    def lease_seconds(self) -> float:
        return self._lease.total_seconds()

    async def open(self) -> None:
        """Start listening for other instances' updates; on SQLite, free stale leases.

        SQLite serves one instance, so a lease found at start was left by a predecessor that
        died mid-turn: its update is taken again now instead of after the lease expires.
        """
        await self._wakeups.open()
        if self._database.dialect == "sqlite":
            async with self._database.transaction() as session:
                freed = await rows.release_claims(session, owner=None)
            if freed:
                logger.info("Took back %d update(s) left in flight by the previous run", freed)

    async def close(self) -> None:
        await self._wakeups.close()

    async def accept(self, entries: Sequence[InboxEntry]) -> int:
        """Store updates (redeliveries are ignored) and wake the workers; how many were new.

        Returns only after the transaction committed: then the updates may be acknowledged.
        """
        async with self._database.transaction() as session:
            added = await rows.add_updates(session, entries)
        if added:
            self._wakeups.poke()
        return added

    async def claim(self, limit: int) -> list[InboxEntry]:
        """Lease up to ``limit`` updates, each the next of a chat nobody is answering."""
        async with self._database.transaction() as session:
            return await rows.claim_updates(
                session, owner=self._owner, now=self._now(), ttl=self._lease, limit=limit
            )

    async def renew(self) -> int:
        """Extend the leases of the updates this instance is processing."""
        async with self._database.transaction() as session:
            return await rows.renew_claims(
                session, owner=self._owner, now=self._now(), ttl=self._lease
            )

    async def finish(self, entry: InboxEntry, *, take_next: bool = True) -> InboxEntry | None:
        """The update was processed; with ``take_next``, lease its chat's next update, if any.

        Both in one transaction: a chat's next update goes on without waking the claim loop.
        """
        async with self._database.transaction() as session:
            held = await rows.finish_update(
                session, entry.update_id, owner=self._owner, now=self._now()
            )
            following = []
            if take_next and entry.chat_id is not None:
                following = await rows.claim_updates(
                    session,
                    owner=self._owner,
                    now=self._now(),
                    ttl=self._lease,
                    limit=1,
                    chat_id=entry.chat_id,
                )
        if not held:
            # Its lease passed to another instance, or /forget erased it while it ran.
            logger.info("Update %d was no longer ours when it finished", entry.update_id)
        return following[0] if following else None

    async def release(self, update_ids: Sequence[int]) -> None:
        """Give updates back unprocessed, for whichever instance claims next (also this one)."""
        if not update_ids:
            return
        async with self._database.transaction() as session:
            await rows.release_claims(session, owner=self._owner, update_ids=update_ids)

    async def prune(self) -> int:
        """Forget updates finished more than a day ago (a redelivery is no longer possible)."""
        self._next_prune = time.monotonic() + PRUNE_INTERVAL_SECONDS
        async with self._database.transaction() as session:
            return await rows.prune_updates(session, finished_before=self._now() - self._keep)

    async def prune_if_due(self) -> None:
        """Prune at start and then every ten minutes."""
        if time.monotonic() >= self._next_prune:
            await self.prune()

    async def wait_for_work(self, timeout: float) -> None:  # noqa: ASYNC109 (the safety tick)
        """Until an update arrives or one finishes anywhere, or ``timeout`` passes."""
        await self._wakeups.wait(timeout)

    def wake(self) -> None:
        self._wakeups.poke()
