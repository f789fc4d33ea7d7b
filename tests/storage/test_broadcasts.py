"""Broadcast repository: recipients, delivery states and the sending lease."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import Database
from bot.storage import broadcasts as rows
from bot.storage import users as user_rows
from bot.storage.broadcasts import BroadcastState, DeliveryState
from bot.storage.models import BroadcastDelivery
from tests.factories import add_broadcast, add_users

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=30)


async def _sending(database: Database) -> int:
    broadcast_id = await add_broadcast(database)
    async with database.transaction() as session:
        assert await rows.start_sending(session, broadcast_id, NOW) is not None
    return broadcast_id


@pytest.mark.parametrize(
    ("text_html", "source_message_id"),
    [(None, None), ("<b>both</b>", 5)],
    ids=["neither", "both"],
)
async def test_a_broadcast_has_exactly_one_kind_of_content(
    database: Database, text_html: str | None, source_message_id: int | None
) -> None:
    async with database.transaction() as session:
        with pytest.raises(ValueError, match="either text or a message"):
            await rows.create_broadcast(
                session,
                admin_id=1,
                admin_chat_id=1,
                text_html=text_html,
                source_chat_id=1,
                source_message_id=source_message_id,
            )


async def test_start_sending_writes_one_pending_delivery_per_reachable_user(
    database: Database,
) -> None:
    await add_users(database, [10, 11, 12, 13], blocked=(12,))
    async with database.transaction() as session:
        # A user known only from a group has no private chat to send to.
        await user_rows.upsert_user(session, user_id=14, first_name="Group only")
        assert await rows.count_reachable_users(session) == 3
    broadcast_id = await add_broadcast(database)

    async with database.transaction() as session:
        assert await rows.start_sending(session, broadcast_id, NOW) == 3
    async with database.transaction() as session:
        broadcast = await rows.get_broadcast(session, broadcast_id)
        pending = await rows.pending_recipients(session, broadcast_id, after_user_id=None, limit=10)
        # A second press of Send changes nothing.
        assert await rows.start_sending(session, broadcast_id, NOW) is None
    assert broadcast is not None
    assert (broadcast.state, broadcast.total, broadcast.started_at) == ("sending", 3, NOW)
    assert [r.user_id for r in pending] == [10, 11, 13]
    assert all(r.chat_id == r.user_id and not r.blocked and r.attempts == 0 for r in pending)


async def test_pending_recipients_pages_by_user_id_and_flags_later_blocks(
    database: Database,
) -> None:
    await add_users(database, list(range(20, 30)))
    broadcast_id = await _sending(database)
    async with database.transaction() as session:
        await user_rows.mark_blocked(session, 25, NOW)
        first = await rows.pending_recipients(session, broadcast_id, after_user_id=None, limit=4)
        second = await rows.pending_recipients(session, broadcast_id, after_user_id=23, limit=4)
        last = await rows.pending_recipients(session, broadcast_id, after_user_id=29, limit=4)
    assert [r.user_id for r in first] == [20, 21, 22, 23]
    assert [(r.user_id, r.blocked) for r in second] == [
        (24, False),
        (25, True),
        (26, False),
        (27, False),
    ]
    assert last == []


@pytest.mark.parametrize(
    ("state", "sent_at"),
    [
        (DeliveryState.SENT, NOW),
        (DeliveryState.BLOCKED, None),
        (DeliveryState.FAILED, None),
        (DeliveryState.PENDING, None),
    ],
)
async def test_record_attempt_counts_and_settles_once(
    database: Database, state: DeliveryState, sent_at: datetime | None
) -> None:
    await add_users(database, [40])
    broadcast_id = await _sending(database)
    async with database.transaction() as session:
        assert await rows.record_attempt(
            session, broadcast_id, 40, state=state, now=NOW, error="x" * 500
        )
    async with database.transaction() as session:
        row = await session.get(BroadcastDelivery, (broadcast_id, 40))
        stored = (row.sent_at, row.error) if row is not None else None
        counts = await rows.delivery_counts(session, broadcast_id)
        pending = await rows.pending_recipients(session, broadcast_id, after_user_id=None, limit=5)
        # A settled delivery is never rewritten (a late duplicate answer changes nothing).
        again = await rows.record_attempt(
            session, broadcast_id, 40, state=DeliveryState.FAILED, now=NOW
        )
    assert counts[state] == 1
    assert sum(counts.values()) == 1
    assert again is (state is DeliveryState.PENDING)
    if state is DeliveryState.PENDING:
        assert pending[0].attempts == 1
    async with database.transaction() as session:
        history = await rows.counts_by_broadcast(session, [broadcast_id, 999])
    assert stored == (sent_at, "x" * rows.ERROR_MAX_LENGTH)
    assert history[999] == dict.fromkeys(DeliveryState, 0)


async def test_the_lease_lets_one_instance_send_until_it_expires_or_is_released(
    database: Database,
) -> None:
    await add_users(database, [50])
    broadcast_id = await _sending(database)
    async with database.transaction() as session:
        claimed = await rows.claim_next(session, owner="a", now=NOW, ttl=TTL)
    assert claimed is not None
    assert (claimed.id, claimed.owner) == (broadcast_id, "a")

    async with database.transaction() as session:
        assert await rows.claim_next(session, owner="b", now=NOW + TTL / 2, ttl=TTL) is None
        assert not await rows.renew_lease(session, broadcast_id, owner="b", now=NOW, ttl=TTL)
        assert await rows.renew_lease(session, broadcast_id, owner="a", now=NOW + TTL / 2, ttl=TTL)
        # Renewed: still a's at the first expiry time.
        assert await rows.claim_next(session, owner="b", now=NOW + TTL, ttl=TTL) is None
        taken = await rows.claim_next(session, owner="b", now=NOW + 2 * TTL, ttl=TTL)
    assert taken is not None
    assert taken.owner == "b"

    async with database.transaction() as session:
        assert not await rows.renew_lease(session, broadcast_id, owner="a", now=NOW, ttl=TTL)
        await rows.release_lease(session, broadcast_id, owner="a")  # not a's: no effect
        assert await rows.claim_next(session, owner="a", now=NOW + 2 * TTL, ttl=TTL) is None
        await rows.release_lease(session, broadcast_id, owner="b")
        again = await rows.claim_next(session, owner="a", now=NOW + 2 * TTL, ttl=TTL)
    assert again is not None
    assert again.owner == "a"


async def test_racing_instances_never_both_claim_a_broadcast(database: Database) -> None:
    await add_users(database, [60])
    await _sending(database)

    async def claim(owner: str) -> str | None:
        async with database.transaction() as session:
            broadcast = await rows.claim_next(session, owner=owner, now=NOW, ttl=TTL)
        return broadcast.owner if broadcast is not None else None

    winners = [w for w in await asyncio.gather(*(claim(f"i{n}") for n in range(4))) if w]
    assert len(winners) == 1


async def test_finished_and_cancelled_broadcasts_are_not_claimed(database: Database) -> None:
    await add_users(database, [70])
    done_id = await _sending(database)
    cancelled_id = await _sending(database)
    draft_id = await add_broadcast(database)
    async with database.transaction() as session:
        assert (await rows.claim_next(session, owner="a", now=NOW, ttl=TTL)) is not None
        assert await rows.finish_broadcast(session, done_id, owner="a", now=NOW)
        assert await rows.cancel_broadcast(session, cancelled_id, NOW)
        assert not await rows.cancel_broadcast(session, cancelled_id, NOW)
        assert not await rows.finish_broadcast(session, cancelled_id, owner="a", now=NOW)
        assert await rows.claim_next(session, owner="a", now=NOW, ttl=TTL) is None
        assert await rows.cancel_broadcast(session, draft_id, NOW)
        assert await rows.start_sending(session, draft_id, NOW) is None
        recent = await rows.recent_broadcasts(session, 10)
    # The draft was never sent, so it is not history.
    assert [(b.id, b.state) for b in recent] == [
        (cancelled_id, BroadcastState.CANCELLED),
        (done_id, BroadcastState.DONE),
    ]


async def test_forgetting_a_user_erases_their_deliveries(database: Database) -> None:
    await add_users(database, [80, 81])
    broadcast_id = await _sending(database)
    async with database.transaction() as session:
        assert await user_rows.delete_user(session, 80)
    async with database.transaction() as session:
        pending = await rows.pending_recipients(session, broadcast_id, after_user_id=None, limit=5)
    assert [r.user_id for r in pending] == [81]


async def test_deliveries_of_lists_one_users_broadcasts_for_export(database: Database) -> None:
    await add_users(database, [30, 31])
    first = await _sending(database)
    second = await _sending(database)
    async with database.transaction() as session:
        mine = await rows.deliveries_of(session, 30)
        assert [(d.broadcast_id, d.state) for d in mine] == [
            (first, DeliveryState.PENDING),
            (second, DeliveryState.PENDING),
        ]
        assert await rows.deliveries_of(session, 99) == []
