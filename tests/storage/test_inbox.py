"""Update inbox repository: redeliveries, per-chat order, leases across claimers, pruning."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from bot.storage import Database
from bot.storage import inbox as rows
from bot.storage.inbox import InboxEntry, Wakeups

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=60)
ALICE = 11
BOB = 22


def _entry(update_id: int, chat_id: int | None) -> InboxEntry:
    return InboxEntry(
        update_id=update_id,
        chat_id=chat_id,
        user_id=chat_id,
        payload=f'{{"update_id": {update_id}}}',
    )


async def _add(database: Database, *entries: InboxEntry) -> int:
    async with database.transaction() as session:
        return await rows.add_updates(session, entries)


async def _claim(
    database: Database, owner: str, *, now: datetime = NOW, limit: int = 10
) -> list[int]:
    async with database.transaction() as session:
        claimed = await rows.claim_updates(session, owner=owner, now=now, ttl=TTL, limit=limit)
    return [entry.update_id for entry in claimed]


async def _finish(database: Database, update_id: int, owner: str, now: datetime = NOW) -> bool:
    async with database.transaction() as session:
        return await rows.finish_update(session, update_id, owner=owner, now=now)


async def test_a_redelivered_update_is_stored_once(database: Database) -> None:
    assert await _add(database, _entry(1, ALICE)) == 1
    assert await _add(database, _entry(1, ALICE), _entry(2, ALICE)) == 1
    assert await _add(database, _entry(1, ALICE)) == 0
    assert await _claim(database, "a") == [1]
    assert await _finish(database, 1, "a")
    assert await _add(database, _entry(1, ALICE)) == 0  # finished, still recognised
    assert await _claim(database, "a") == [2]


async def test_claims_keep_each_chats_order_and_run_chats_side_by_side(
    database: Database,
) -> None:
    await _add(database, _entry(1, ALICE), _entry(2, BOB), _entry(3, ALICE), _entry(4, BOB))
    await _add(database, _entry(5, None), _entry(6, None))  # no chat: no order to keep

    assert await _claim(database, "a") == [1, 2, 5, 6]
    assert await _claim(database, "a") == []  # Alice's and Bob's next wait for their first
    assert await _finish(database, 2, "a")
    assert await _claim(database, "a") == [4]
    assert await _finish(database, 1, "a")
    assert await _claim(database, "a") == [3]


async def test_the_payload_comes_back_and_is_dropped_when_finished(database: Database) -> None:
    await _add(database, _entry(7, ALICE))
    async with database.transaction() as session:
        [claimed] = await rows.claim_updates(session, owner="a", now=NOW, ttl=TTL, limit=1)
    assert claimed == _entry(7, ALICE)
    assert await _finish(database, 7, "a")
    async with database.transaction() as session:
        assert await rows.count_unfinished(session) == 0


async def test_a_second_claimer_skips_a_claimed_chat(database: Database) -> None:
    await _add(database, _entry(1, ALICE), _entry(2, ALICE), _entry(3, BOB))
    assert await _claim(database, "a", limit=1) == [1]
    assert await _claim(database, "b") == [3]
    assert await _claim(database, "b") == []
    assert not await _finish(database, 1, "b")  # not b's to finish


async def test_an_expired_lease_is_taken_over_and_renewing_keeps_it(database: Database) -> None:
    await _add(database, _entry(1, ALICE), _entry(2, BOB))
    assert await _claim(database, "a") == [1, 2]
    later = NOW + TTL / 2
    async with database.transaction() as session:
        assert await rows.renew_claims(session, owner="a", now=later, ttl=TTL) == 2
    assert await _claim(database, "b", now=NOW + TTL + timedelta(seconds=1)) == []
    assert await _claim(database, "b", now=later + TTL + timedelta(seconds=1)) == [1, 2]
    assert not await _finish(database, 1, "a")  # a lost it: b's finish counts
    assert await _finish(database, 1, "b")


async def test_released_updates_are_claimable_at_once(database: Database) -> None:
    await _add(database, _entry(1, ALICE), _entry(2, BOB))
    assert await _claim(database, "a") == [1, 2]
    async with database.transaction() as session:
        assert await rows.release_claims(session, owner="a", update_ids=[2]) == 1
    assert await _claim(database, "b") == [2]
    async with database.transaction() as session:
        assert await rows.release_claims(session, owner=None) == 2
    assert await _claim(database, "c") == [1, 2]


async def test_pruning_forgets_only_updates_finished_long_enough_ago(database: Database) -> None:
    await _add(database, _entry(1, ALICE), _entry(2, BOB), _entry(3, ALICE))
    assert await _claim(database, "a") == [1, 2]
    assert await _finish(database, 1, "a", now=NOW - timedelta(days=2))
    assert await _finish(database, 2, "a", now=NOW)
    async with database.transaction() as session:
        assert await rows.prune_updates(session, finished_before=NOW - timedelta(days=1)) == 1
        assert await rows.count_unfinished(session) == 1
    assert await _add(database, _entry(2, BOB)) == 0  # recently finished: still known
    assert await _add(database, _entry(1, ALICE)) == 1  # pruned: a day later it is new


async def test_a_chats_next_update_can_be_claimed_alone(database: Database) -> None:
    await _add(database, _entry(1, ALICE), _entry(2, BOB), _entry(3, ALICE))
    async with database.transaction() as session:
        assert await rows.claim_updates(
            session, owner="a", now=NOW, ttl=TTL, limit=5, chat_id=ALICE
        ) == [_entry(1, ALICE)]
    assert await _finish(database, 1, "a")
    async with database.transaction() as session:
        [following] = await rows.claim_updates(
            session, owner="a", now=NOW, ttl=TTL, limit=5, chat_id=ALICE
        )
    assert following.update_id == 3
    assert await _claim(database, "b") == [2]


async def test_storing_an_update_wakes_a_waiting_instance_at_once(database: Database) -> None:
    """PostgreSQL: through LISTEN/NOTIFY, whichever instance stored it; SQLite: a local poke."""
    wakeups = Wakeups(database)
    await wakeups.open()
    try:
        waiting = asyncio.create_task(wakeups.wait(10))
        await asyncio.sleep(0.2)  # the listener is up and waiting
        started = time.monotonic()
        await _add(database, _entry(1, ALICE))
        if not wakeups.listens:
            wakeups.poke()  # SQLite: the inbox service pokes after its commit
        await asyncio.wait_for(waiting, 5)
        assert time.monotonic() - started < 1.0  # not the safety tick
    finally:
        await wakeups.close()
