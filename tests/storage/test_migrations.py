"""Migrations: up, down and up again on both databases; models and migrations never drift."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.storage import Database
from bot.storage.migrate import current_revision, downgrade, head_revision, upgrade
from bot.storage.models import Base


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _drift(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "target_metadata": Base.metadata}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    database = Database(database_url)
    try:
        await upgrade(database.engine)
        assert await current_revision(database.engine) == head_revision()
        async with database.engine.connect() as connection:
            tables = await connection.run_sync(_tables)
        assert {"users", "conversations", "messages", "conversation_summaries"} <= tables

        await downgrade(database.engine, "base")
        assert await current_revision(database.engine) is None
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_tables) <= {"alembic_version"}

        await upgrade(database.engine)
        assert await current_revision(database.engine) == head_revision()
    finally:
        await database.dispose()


async def test_models_match_migrations(database: Database) -> None:
    async with database.engine.connect() as connection:
        drift = await connection.run_sync(_drift)
    assert drift == []


async def test_upgrade_twice_is_a_no_op(database: Database) -> None:
    await upgrade(database.engine)
    assert await current_revision(database.engine) == head_revision()
