"""What /forget deletes: every table about users is in USER_OWNED, and all of a user's rows go."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.schema import Table

from bot.domain.plans import PlanPreferences, WeeklyPlan
from bot.domain.reminders import CheckInAnswer, ReminderKind
from bot.domain.training import BodyWeight, LoggedSet
from bot.services.users import UserService
from bot.storage import Database
from bot.storage import broadcasts as broadcast_rows
from bot.storage import conversations as convo
from bot.storage import inbox as inbox_rows
from bot.storage import plans as plan_rows
from bot.storage import reminders as reminder_rows
from bot.storage import training as training_rows
from bot.storage import usage as usage_rows
from bot.storage import users as user_rows
from bot.storage.engine import _sqlite_pragmas
from bot.storage.erasure import USER_OWNED, USER_OWNED_TABLES
from bot.storage.inbox import InboxEntry
from bot.storage.models import Base

GONE = 501
KEPT = 502
# Columns that name a user or their chat, whatever the table calls them.
_NAMES_A_USER = ("user_id", "chat_id", "admin_id")


def _names_a_user(table: Table) -> list[str]:
    return [
        column.name
        for column in table.columns
        if column.name in _NAMES_A_USER
        or column.name.endswith(("_user_id", "_chat_id"))
        or column.name.startswith("admin_")
        or any(key.column.table.name == "users" for key in column.foreign_keys)
    ]


def test_every_table_about_users_is_in_the_one_list_forget_deletes_from() -> None:
    # A table is about users when a column names one, or it refers to a row of such a table.
    about_users = {table.name for table in Base.metadata.sorted_tables if _names_a_user(table)}
    for table in Base.metadata.sorted_tables:  # parents come before children
        if any(key.column.table.name in about_users for key in table.foreign_keys):
            about_users.add(table.name)
    missing = about_users - set(USER_OWNED_TABLES)
    assert not missing, f"add these tables to bot/storage/erasure.py USER_OWNED: {missing}"
    assert "users" in about_users  # the check sees the tables at all


def test_forget_deletes_children_before_their_parents() -> None:
    position = {name: index for index, name in enumerate(USER_OWNED_TABLES)}
    assert len(position) == len(USER_OWNED_TABLES)
    for table in Base.metadata.sorted_tables:
        for key in table.foreign_keys:
            parent = key.column.table.name
            if table.name in position and parent in position and parent != table.name:
                assert position[table.name] < position[parent], (table.name, parent)


def test_every_sqlite_connection_overwrites_what_it_deletes() -> None:
    # Many builds (Debian's among them) default to secure_delete; others do not.
    connection = sqlite3.connect(":memory:")
    try:
        connection.execute("PRAGMA secure_delete=OFF")
        _sqlite_pragmas(connection, None)
        assert connection.execute("PRAGMA secure_delete").fetchone() == (1,)
    finally:
        connection.close()


async def _user_with_everything(session: AsyncSession, user_id: int) -> None:
    """A user with a row in every table USER_OWNED lists."""
    await user_rows.upsert_user(session, user_id=user_id, first_name="Ann", chat_id=user_id)
    conversation = await convo.current_conversation(session, user_id)
    message = await convo.add_message(
        session, user_id=user_id, conversation_id=conversation.id, role="user", content="knee"
    )
    await convo.save_summary(
        session,
        conversation_id=conversation.id,
        content="hurt a knee",
        covers_through_message_id=message.id,
        token_estimate=3,
    )
    await usage_rows.add_usage(
        session, user_id=user_id, day=date(2026, 5, 1), prompt_tokens=10, completion_tokens=5
    )
    plan = WeeklyPlan.model_validate(
        {
            "days": [
                {
                    "weekday": "mon",
                    "focus": "Full body",
                    "exercises": [{"slug": "push-up", "sets": 3, "reps": 10, "rest_seconds": 60}],
                }
            ],
            "progression": "Add a rep each week.",
        }
    )
    await plan_rows.add_proposal(session, user_id, plan, PlanPreferences(days_per_week=1))
    await reminder_rows.upsert_reminder(
        session,
        user_id=user_id,
        kind=ReminderKind.WORKOUT,
        weekdays=frozenset({0}),
        at=time(18, 30),
        next_due=datetime(2026, 5, 4, 16, 30, tzinfo=UTC),
    )
    await reminder_rows.add_check_in(
        session, user_id, CheckInAnswer.TOO_HARD, datetime(2026, 5, 10, tzinfo=UTC)
    )
    await training_rows.add_sets(
        session,
        user_id,
        f"batch{user_id}",
        [LoggedSet("Squat", datetime(2026, 5, 1, tzinfo=UTC), reps=5, weight_kg=100.0)],
    )
    await training_rows.save_body_weight(session, user_id, BodyWeight(date(2026, 5, 1), 80.0))
    await inbox_rows.add_updates(
        session, [InboxEntry(update_id=user_id, chat_id=user_id, user_id=user_id, payload="{}")]
    )


async def _broadcast_by(session: AsyncSession, admin_id: int) -> None:
    broadcast = await broadcast_rows.create_broadcast(
        session, admin_id=admin_id, admin_chat_id=admin_id, text_html=f"from {admin_id}"
    )
    await broadcast_rows.start_sending(session, broadcast.id, datetime.now(UTC))


async def _counts(database: Database, user_id: int) -> dict[str, int]:
    async with database.transaction() as session:
        return {
            entry.table: int(
                await session.scalar(
                    select(func.count()).select_from(entry.model).where(entry.rows_of(user_id))
                )
                or 0
            )
            for entry in USER_OWNED
        }


async def _totals(database: Database) -> dict[str, int]:
    async with database.transaction() as session:
        return {
            entry.table: int(await session.scalar(select(func.count()).select_from(entry.model)))
            for entry in USER_OWNED
        }


async def test_forget_deletes_every_row_of_the_user_and_cleans_up(database: Database) -> None:
    async with database.transaction() as session:
        await _user_with_everything(session, GONE)
        await _user_with_everything(session, KEPT)
        await _broadcast_by(session, GONE)  # a delivery to each, and GONE wrote it
        await _broadcast_by(session, KEPT)  # a delivery to each, KEPT wrote it
    before = await _counts(database, GONE)
    assert all(before.values()), f"seed a row of every user-owned table: {before}"
    kept_before = await _counts(database, KEPT)
    totals = await _totals(database)

    assert await UserService(database).forget(GONE)

    assert set((await _counts(database, GONE)).values()) == {0}
    # Of KEPT's 3 deliveries only those tied to GONE go: KEPT's copy of GONE's broadcast,
    # and GONE's copy of KEPT's broadcast.
    kept_after = await _counts(database, KEPT)
    assert kept_after == {**kept_before, "broadcast_deliveries": 1}
    after = await _totals(database)
    assert after["messages"] == totals["messages"] - 1
    assert after["broadcasts"] == totals["broadcasts"] - 1
    assert not await UserService(database).forget(GONE)  # a stranger: nothing to delete


async def test_scrub_leaves_nothing_to_clean_up(database: Database) -> None:
    async with database.transaction() as session:
        await _user_with_everything(session, GONE)
        assert await user_rows.delete_user(session, GONE)
    assert await database.scrub(USER_OWNED_TABLES)
    async with database.engine.connect() as connection:
        if database.engine.dialect.name == "sqlite":
            # The log was emptied: nothing in it, nothing copied back later.
            busy, frames, copied = (
                await connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            ).one()
            assert (busy, frames, copied) == (0, 0, 0)
            return
        for _ in range(20):  # VACUUM reports to the statistics shortly after it ran
            vacuumed = await connection.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_user_tables "
                    "WHERE relname = ANY(:tables) AND last_vacuum IS NOT NULL"
                ),
                {"tables": list(USER_OWNED_TABLES)},
            )
            if vacuumed == len(USER_OWNED_TABLES):
                break
            await connection.rollback()
            await asyncio.sleep(0.1)
        assert vacuumed == len(USER_OWNED_TABLES)


async def test_a_reader_in_another_process_makes_the_checkpoint_give_up_quickly(
    sqlite_url: str,
) -> None:
    database = Database(sqlite_url)
    try:
        async with database.transaction() as session:
            await session.execute(text("CREATE TABLE notes (body TEXT)"))
            await session.execute(text("INSERT INTO notes VALUES ('hello')"))
        # Another process (here: another connection) reads an old snapshot and stays open.
        reader = sqlite3.connect(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
        try:
            reader.execute("BEGIN")
            reader.execute("SELECT * FROM notes").fetchall()
            async with database.transaction() as session:
                await session.execute(text("DELETE FROM notes"))
            started = asyncio.get_running_loop().time()
            assert not await database.scrub(["notes"])
            assert asyncio.get_running_loop().time() - started < 2.0
            reader.rollback()
        finally:
            reader.close()
        assert await database.scrub(["notes"])
    finally:
        await database.dispose()
