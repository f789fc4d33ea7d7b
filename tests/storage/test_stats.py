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
