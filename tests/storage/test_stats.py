"""The /stats counts on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from bot.storage import Database, usage
from bot.storage import conversations as conversation_rows
from bot.storage import stats as stats_rows
from bot.storage import users as user_rows
from bot.storage.models import User
from tests.factories import add_users


async def test_stats_counts_active_blocked_and_user_messages(database: Database) -> None:
    now = datetime.now(UTC)
    await add_users(database, [90, 91, 92, 93], blocked=(93,))
    async with database.transaction() as session:
        # 91 was last seen long ago but wrote yesterday; 92 neither.
        await user_rows.upsert_user(session, user_id=95, first_name="Old")
        for user_id in (91, 92, 95):
            await session.execute(
                update(User).where(User.id == user_id).values(last_seen_at=now - timedelta(days=30))
            )
        conversation = await conversation_rows.current_conversation(session, 91)
        for role in ("user", "assistant", "user"):
            await conversation_rows.add_message(
                session, user_id=91, conversation_id=conversation.id, role=role, content="hi"
            )
    async with database.transaction() as session:
        assert await stats_rows.count_blocked_users(session) == 1
        assert (
            await stats_rows.count_active_users(session, now - timedelta(days=7)) == 3
        )  # 90 91 93
        assert await stats_rows.count_user_messages(session, now - timedelta(days=1)) == 2
        assert await stats_rows.count_user_messages(session, now + timedelta(minutes=5)) == 0
        assert await stats_rows.count_users(session) == 5


async def test_tokens_on_day_adds_up_every_user(database: Database) -> None:
    day = date(2026, 11, 24)
    await add_users(database, [15, 16])
    async with database.transaction() as session:
        await usage.add_usage(session, user_id=15, day=day, prompt_tokens=100, completion_tokens=20)
        await usage.add_usage(session, user_id=16, day=day, prompt_tokens=7, completion_tokens=3)
        await usage.add_usage(
            session, user_id=16, day=day - timedelta(days=1), prompt_tokens=9, completion_tokens=9
        )
    async with database.transaction() as session:
        assert await stats_rows.tokens_on_day(session, day) == 130


async def test_messages_sent_counts_every_kind_per_day(database: Database) -> None:
    today = datetime.now(UTC).date()
    await add_users(database, [80, 81])
    async with database.transaction() as session:
        for user_id, day in ((80, today), (80, today), (81, today), (81, date(2020, 1, 1))):
            await usage.add_message(session, user_id=user_id, day=day)
        await usage.add_message(session, user_id=99, day=today)  # erased meanwhile: skipped
        await usage.add_usage(session, user_id=80, day=today, prompt_tokens=5, completion_tokens=1)
    async with database.transaction() as session:
        assert await stats_rows.count_messages_sent(session, today) == 3
        assert await stats_rows.count_messages_sent(session, date(2019, 1, 1)) == 4
        assert await stats_rows.tokens_on_day(session, today) == 6
        [row] = await usage.usage_of(session, 80)
        assert (row.messages, row.requests) == (2, 1)
