"""SQLite runs on the event loop's thread: a transaction never waits on a helper thread."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.domain.users import User
from bot.storage import Database
from bot.storage import users as rows
from bot.storage.migrate import upgrade

ALICE = 11


async def _ticks_during(database: Database, statements: int) -> int:
    """How often another task ran during one transaction of ``statements`` reads."""
    ticks = 0
    running = True

    async def count() -> None:
        nonlocal ticks
        while running:
            ticks += 1
            await asyncio.sleep(0)

    counter = asyncio.create_task(count())
    await asyncio.sleep(0)
    ticks = 0
    async with database.transaction() as session:
        for _ in range(statements):
            await rows.get_user(session, ALICE)
    counted = ticks
    running = False
    await counter
    return counted


async def _alice_after_writing_her(database: Database) -> User | None:
    """Alice as read back in a second transaction after one that recorded her."""
    async with database.transaction() as session:
        await rows.upsert_user(session, user_id=ALICE, first_name="Alice", chat_id=ALICE)
    async with database.transaction() as session:
        return await rows.get_user(session, ALICE)


async def _change_language_then_add_alice_again(database: Database) -> None:
    async with database.transaction() as session:
        await rows.save_language(session, ALICE, "de")
        await session.execute(text("INSERT INTO users (id) VALUES (:id)"), {"id": ALICE})


async def test_a_transaction_runs_through_without_handing_the_loop_to_other_tasks(
    sqlite_url: str,
) -> None:
    database = Database(sqlite_url)
    threads_before = threading.active_count()
    try:
        await upgrade(database.engine)
        async with database.transaction() as session:
            await rows.upsert_user(session, user_id=ALICE, first_name="Alice", chat_id=ALICE)
        # Closing the session runs in a task of its own (SQLAlchemy shields it from
        # cancellation), so the loop turns a few times per transaction, but never per statement.
        assert await _ticks_during(database, statements=20) == await _ticks_during(
            database, statements=0
        )
        # No connection thread was started for it (aiosqlite starts one per connection).
        assert threading.active_count() == threads_before
        async with database.transaction() as session:
            user = await rows.get_user(session, ALICE)
        assert user is not None
        assert user.first_name == "Alice"
    finally:
        await database.dispose()


async def test_sqlite_errors_and_rollbacks_behave_as_before(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    try:
        await upgrade(database.engine)
        async with database.transaction() as session:
            await rows.upsert_user(session, user_id=ALICE, first_name="Alice", chat_id=ALICE)
        with pytest.raises(IntegrityError):
            await _change_language_then_add_alice_again(database)
        with pytest.raises(OperationalError):
            async with database.transaction() as session:
                await session.execute(text("SELECT * FROM no_such_table"))
        async with database.transaction() as session:
            user = await rows.get_user(session, ALICE)
        # The failed transaction's first write was rolled back with it.
        assert user is not None
        assert user.language is None
    finally:
        await database.dispose()


async def test_autocommit_work_and_an_in_memory_database(tmp_path: Path) -> None:
    on_file = Database(f"sqlite+aiosqlite:///{tmp_path / 'file.db'}")
    in_memory = Database("sqlite+aiosqlite://")
    try:
        await upgrade(on_file.engine)
        # The checkpoint after an erasure runs outside any transaction (AUTOCOMMIT).
        assert await on_file.scrub(["users"])
        await upgrade(in_memory.engine)
        assert await _alice_after_writing_her(in_memory) is not None
    finally:
        await on_file.dispose()
        await in_memory.dispose()


async def test_a_url_with_sqlite_options_is_opened_by_aiosqlite_with_them(tmp_path: Path) -> None:
    path = tmp_path / "uri.db"
    database = Database(f"sqlite+aiosqlite:///file:{path}?mode=rwc&uri=true")
    try:
        await upgrade(database.engine)
        assert await _alice_after_writing_her(database) is not None
    finally:
        await database.dispose()
    assert path.exists()
