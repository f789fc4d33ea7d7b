"""BroadcastService: drafts, the durable worker (retries, blocks, cancel, resume, one sender),
progress snapshots and the /stats they feed, driven through an in-memory port."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.errors import NotFoundError
from bot.services.broadcast import (
    BroadcastContent,
    BroadcastProgress,
    BroadcastService,
    BroadcastState,
    DeliveryOutcome,
    SendResult,
)
from bot.services.stats import StatsService
from bot.services.users import UserService
from bot.storage import Database
from bot.storage import broadcasts as rows
from bot.storage import conversations as conversation_rows
from bot.storage import usage as usage_rows
from bot.storage import users as user_rows
from tests.factories import add_users

TEXT = BroadcastContent(text_html="<b>New:</b> weekly plans")
FAST: dict[str, Any] = {
    "progress_interval": 0.05,
    "poll_interval": 0.05,
    "retry_delay": 0.01,
}


class FakePort:
    """Records copies as Telegram would see them: a copy counts once the call has started."""

    def __init__(
        self,
        outcomes: dict[int, list[DeliveryOutcome]] | None = None,
        *,
        delay: float = 0.0,
        broken: set[int] | None = None,
        changed: asyncio.Condition | None = None,
    ) -> None:
        self.outcomes = outcomes or {}
        self.delay = delay
        self.broken = broken or set()
        self.delivered: list[int] = []
        self.attempts: list[int] = []
        self.progress: list[BroadcastProgress] = []
        self.reports: list[BroadcastProgress] = []
        self.reported = asyncio.Event()
        self._changed = changed or asyncio.Condition()

    async def send_copy(self, chat_id: int, content: BroadcastContent) -> SendResult:
        self.attempts.append(chat_id)
        if chat_id in self.broken:
            raise RuntimeError("the port should not raise, but the worker survives it")
        script = self.outcomes.get(chat_id)
        outcome = script.pop(0) if script else DeliveryOutcome.SENT
        if outcome is DeliveryOutcome.SENT:
            self.delivered.append(chat_id)
            await self._notify()
        await asyncio.sleep(self.delay)
        return SendResult(outcome, None if outcome is DeliveryOutcome.SENT else "scripted")

    async def show_progress(self, progress: BroadcastProgress) -> None:
        self.progress.append(progress)

    async def send_report(self, progress: BroadcastProgress) -> None:
        self.reports.append(progress)
        self.reported.set()
        await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, check: Callable[[], bool], within: float = 5.0) -> None:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(check)

    async def wait_for_delivered(self, count: int) -> None:
        await self.wait_until(lambda: len(self.delivered) >= count)


@pytest.fixture
async def services() -> AsyncIterator[list[BroadcastService]]:
    made: list[BroadcastService] = []
    yield made
    for service in made:
        await service.stop()


@pytest.fixture
def make_service(
    database: Database, services: list[BroadcastService]
) -> Callable[..., BroadcastService]:
    def build(db: Database | None = None, **options: Any) -> BroadcastService:
        service = BroadcastService(db or database, **{**FAST, **options})
        services.append(service)
        return service

    return build


async def confirmed(service: BroadcastService, content: BroadcastContent = TEXT) -> int:
    draft = await service.create(admin_id=1, admin_chat_id=1, content=content)
    progress = await service.confirm(draft.broadcast_id, panel_message_id=7)
    assert progress is not None
    return draft.broadcast_id


async def blocked_ids(database: Database, ids: range) -> set[int]:
    async with database.transaction() as session:
        found = {user_id: await user_rows.get_user(session, user_id) for user_id in ids}
    return {u for u, row in found.items() if row is not None and row.blocked_at is not None}


async def test_confirm_writes_deliveries_once_and_reports_the_recipients(
    database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    await add_users(database, range(100, 105))
    service = make_service()
    draft = await service.create(admin_id=1, admin_chat_id=1, content=TEXT)
    assert draft.recipients == 5
    progress = await service.confirm(draft.broadcast_id, panel_message_id=9)
    assert progress is not None
    assert (progress.state, progress.total, progress.pending, progress.panel_message_id) == (
        BroadcastState.SENDING,
        5,
        5,
        9,
    )
    assert progress.started
    assert await service.confirm(draft.broadcast_id) is None
    with pytest.raises(NotFoundError):
        await service.progress(12345)


async def test_the_worker_delivers_skips_blocked_retries_and_reports(
    database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    users = range(200, 230)
    await add_users(database, users)
    port = FakePort(
        {
            201: [DeliveryOutcome.BLOCKED],
            202: [DeliveryOutcome.BLOCKED],
            203: [DeliveryOutcome.RETRY],  # flood control once, then fine
            204: [DeliveryOutcome.FAILED],
            205: [DeliveryOutcome.RETRY] * 5,  # never gets through
        }
    )
    service = make_service(max_attempts=3)
    broadcast_id = await confirmed(service)
    service.start(port)
    service.wake()
    await asyncio.wait_for(port.reported.wait(), 5)

    (report,) = port.reports
    assert (report.state, report.sent, report.blocked, report.failed, report.pending) == (
        BroadcastState.DONE,
        26,
        2,
        2,
        0,
    )
    assert sorted(port.delivered) == sorted(set(users) - {201, 202, 204, 205})
    assert Counter(port.attempts)[205] == 3
    assert Counter(port.attempts)[203] == 2
    assert await blocked_ids(database, users) == {201, 202}
    assert port.progress[-1] == report  # the panel shows the final counts
    assert (await service.progress(broadcast_id)).finished


async def test_users_who_block_the_bot_after_send_was_pressed_are_skipped(
    database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    await add_users(database, range(300, 306))
    service = make_service()
    await confirmed(service)
    await service.set_blocked(303, True)
    await service.set_blocked(304, True)
    await service.set_blocked(304, False)  # came back
    port = FakePort()
    service.start(port)
    await asyncio.wait_for(port.reported.wait(), 5)
    assert sorted(port.delivered) == [300, 301, 302, 304, 305]
    assert (port.reports[0].sent, port.reports[0].blocked) == (5, 1)


async def test_a_port_that_raises_does_not_stop_the_broadcast(
    database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    await add_users(database, range(400, 404))
    service = make_service(max_attempts=2)
    await confirmed(service)
    port = FakePort(broken={402})
    service.start(port)
    await asyncio.wait_for(port.reported.wait(), 5)
    assert (port.reports[0].sent, port.reports[0].failed) == (3, 1)


async def test_progress_is_shown_while_sending_with_a_rate(
    database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    await add_users(database, range(500, 530))
    service = make_service(progress_interval=0.03, concurrency=2)
    await confirmed(service)
    port = FakePort(delay=0.01)
    service.start(port)
    await asyncio.wait_for(port.reported.wait(), 5)
    live = [p for p in port.progress if p.state is BroadcastState.SENDING]
    assert live, "no progress while sending"
    assert all(p.total == 30 and p.handled + p.pending == 30 for p in live)
    assert any(0 < p.handled < 30 and p.rate > 0 for p in live)
    handled = [p.handled for p in live]
    assert handled == sorted(handled)


async def test_cancel_stops_the_worker_and_reports_what_was_not_sent(
    database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    await add_users(database, range(600, 640))
    service = make_service(concurrency=1)
    broadcast_id = await confirmed(service)
    port = FakePort(delay=0.01)
    service.start(port)
    await port.wait_for_delivered(5)
    cancelled = await service.cancel(broadcast_id)
    assert cancelled is not None
    assert cancelled.state is BroadcastState.CANCELLED
    await asyncio.wait_for(port.reported.wait(), 5)
    (report,) = port.reports
    assert report.state is BroadcastState.CANCELLED
    assert report.pending > 0
    assert report.sent + report.pending == 40
    assert len(port.delivered) <= report.sent + 1  # at most the copy in flight
    assert await service.cancel(broadcast_id) is None


async def test_an_admin_who_forgets_while_sending_stops_the_broadcast_quietly(
    database: Database,
    make_service: Callable[..., BroadcastService],
    caplog: pytest.LogCaptureFixture,
) -> None:
    await add_users(database, [1, *range(650, 690)])
    service = make_service(concurrency=1)
    await confirmed(service)  # written by user 1
    port = FakePort(delay=0.01)
    service.start(port)
    await port.wait_for_delivered(5)
    assert await UserService(database).forget(1)
    await asyncio.sleep(0.3)  # the worker notices at its next progress check
    stopped_at = len(port.delivered)
    await asyncio.sleep(0.3)
    assert len(port.delivered) == stopped_at < 41
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert port.reports == []  # nobody left to report to


async def test_cancelling_a_draft_means_it_can_never_be_sent(
    database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    await add_users(database, [700])
    service = make_service()
    draft = await service.create(admin_id=1, admin_chat_id=1, content=TEXT)
    cancelled = await service.cancel(draft.broadcast_id)
    assert cancelled is not None
    assert not cancelled.started
    assert await service.confirm(draft.broadcast_id) is None


async def test_a_restarted_worker_resumes_without_missing_anyone(
    database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    users = range(800, 860)
    await add_users(database, users)
    first = make_service(owner="first", concurrency=3)
    await confirmed(first)
    before = FakePort(delay=0.01)
    first.start(before)
    await before.wait_for_delivered(15)
    await first.stop()  # stopped mid-broadcast; the copies in flight never got an answer

    second = make_service(owner="second", concurrency=3)
    after = FakePort()
    second.start(after)
    await asyncio.wait_for(after.reported.wait(), 5)

    copies = Counter(before.delivered + after.delivered)
    assert set(copies) == set(users)
    duplicates = sum(count - 1 for count in copies.values())
    assert duplicates <= 3
    assert after.reports[0].sent == 60


async def test_after_a_crash_the_lease_must_expire_before_another_instance_sends(
    database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    await add_users(database, range(900, 905))
    service = make_service(owner="admin-side")
    await confirmed(service)
    now = datetime.now(UTC)
    async with database.transaction() as session:
        # An instance took the broadcast and died without letting go.
        assert await rows.claim_next(session, owner="dead", now=now, ttl=timedelta(seconds=30))

    blocked_port = FakePort()
    survivor = make_service(owner="survivor")
    survivor.start(blocked_port)
    await asyncio.sleep(0.2)
    await survivor.stop()
    assert blocked_port.attempts == []

    later = make_service(owner="survivor", clock=lambda: datetime.now(UTC) + timedelta(minutes=1))
    port = FakePort()
    later.start(port)
    await asyncio.wait_for(port.reported.wait(), 5)
    assert sorted(port.delivered) == list(range(900, 905))


async def test_two_instances_never_send_the_same_broadcast(
    database_url: str, database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    users = range(1000, 1040)
    await add_users(database, users)
    other_database = Database(database_url)
    try:
        one = make_service(owner="one")
        two = make_service(other_database, owner="two")
        await confirmed(one)
        await confirmed(one)
        changed = asyncio.Condition()
        ports = [FakePort(delay=0.002, changed=changed), FakePort(delay=0.002, changed=changed)]
        one.start(ports[0])
        two.start(ports[1])
        # Either instance may send either broadcast: two reports in all.
        await ports[0].wait_until(lambda: len(ports[0].reports) + len(ports[1].reports) >= 2)
        per_broadcast = Counter(ports[0].delivered + ports[1].delivered)
        # Two broadcasts: every user exactly twice, never four times.
        assert set(per_broadcast.values()) == {2}
        assert set(per_broadcast) == set(users)
    finally:
        await two.stop()
        await other_database.dispose()


async def test_stats_counts_users_messages_tokens_and_broadcasts(
    database: Database, make_service: Callable[..., BroadcastService]
) -> None:
    now = datetime.now(UTC)
    await add_users(database, range(1100, 1104))
    service = make_service()
    await service.set_blocked(1103, True)
    async with database.transaction() as session:
        conversation = await conversation_rows.current_conversation(session, 1100)
        for role in ("user", "assistant", "user"):
            await conversation_rows.add_message(
                session, user_id=1100, conversation_id=conversation.id, role=role, content="hi"
            )
        await usage_rows.add_usage(
            session, user_id=1100, day=now.date(), prompt_tokens=300, completion_tokens=45
        )
        for _ in range(3):  # the two texts above and a command
            await usage_rows.add_message(session, user_id=1100, day=now.date())
        await usage_rows.add_usage(
            session, user_id=1101, day=date(2020, 1, 1), prompt_tokens=9, completion_tokens=9
        )
    await confirmed(service)
    port = FakePort({1101: [DeliveryOutcome.BLOCKED]})
    service.start(port)
    await asyncio.wait_for(port.reported.wait(), 5)
    await service.create(admin_id=1, admin_chat_id=1, content=TEXT)  # a draft is not history

    stats = await StatsService(database).overview()
    assert (stats.users_total, stats.active_7d, stats.blocked) == (4, 4, 2)
    assert (stats.messages_today, stats.messages_7d, stats.tokens_today) == (3, 3, 345)
    assert (stats.to_coach_today, stats.to_coach_7d) == (2, 2)
    (summary,) = stats.broadcasts
    assert (summary.state, summary.total, summary.sent, summary.blocked) == (
        BroadcastState.DONE,
        3,
        2,
        1,
    )


@pytest.mark.parametrize(
    ("sent", "blocked", "failed", "pending", "rate", "fraction", "eta"),
    [
        (0, 0, 0, 0, 0.0, 1.0, 0.0),
        (0, 0, 0, 10, 0.0, 0.0, None),
        (5, 3, 2, 10, 5.0, 0.5, 2.0),
        (28, 2, 0, 0, 25.0, 1.0, 0.0),
    ],
)
def test_progress_fraction_and_eta(
    sent: int,
    blocked: int,
    failed: int,
    pending: int,
    rate: float,
    fraction: float,
    eta: float | None,
) -> None:
    progress = BroadcastProgress(
        broadcast_id=1,
        state=BroadcastState.SENDING,
        admin_chat_id=1,
        panel_message_id=None,
        total=sent + blocked + failed + pending,
        sent=sent,
        blocked=blocked,
        failed=failed,
        pending=pending,
        rate=rate,
    )
    assert progress.fraction == pytest.approx(fraction)
    assert progress.eta_seconds == eta


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"text_html": "hi", "source_chat_id": 1, "source_message_id": 2},
        {"source_chat_id": 1},
    ],
)
def test_content_is_text_or_a_message_to_copy(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="either"):
        BroadcastContent(**fields)
