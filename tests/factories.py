"""Test data builders: users (with profiles), exercises with their demos, and broadcasts.

Builders of domain objects are plain functions with sensible defaults; builders that write
to a database take a ``Database`` and open their own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from bot.domain.exercises import Exercise, MediaItem
from bot.domain.profile import Activity, Goal, Profile, Sex
from bot.storage import Database
from bot.storage import broadcasts as broadcast_rows
from bot.storage import users as user_rows

BLOCKED_AT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def profile(**overrides: Any) -> Profile:
    """A complete adult profile (180 cm, 80 kg, 35, male, moderate, general fitness)."""
    values: dict[str, Any] = {
        "height_cm": 180.0,
        "weight_kg": 80.0,
        "age": 35,
        "sex": Sex.MALE,
        "goal": Goal.GENERAL,
        "activity": Activity.MODERATE,
    }
    values.update(overrides)
    return Profile(**values)


async def add_users(
    database: Database,
    ids: Iterable[int],
    *,
    blocked: Iterable[int] = (),
    private_chat: bool = True,
    profile: Profile | None = None,
) -> None:
    """Users who wrote to the bot before: a private chat each (unless ``private_chat=False``),
    named ``User <id>``; ``blocked`` ones blocked the bot at ``BLOCKED_AT``."""
    async with database.transaction() as session:
        for user_id in ids:
            await user_rows.upsert_user(
                session,
                user_id=user_id,
                first_name=f"User {user_id}",
                chat_id=user_id if private_chat else None,
            )
            if profile is not None:
                await user_rows.save_profile(session, user_id, profile)
        for user_id in blocked:
            await user_rows.mark_blocked(session, user_id, BLOCKED_AT)


async def add_database_users(database_url: str, ids: Iterable[int]) -> None:
    """``add_users`` on a database the bot under test owns (migrated first)."""
    from bot.storage.migrate import upgrade

    database = Database(database_url)
    try:
        await upgrade(database.engine)
        await add_users(database, ids)
    finally:
        await database.dispose()


def media_item(url: str = "https://example.org/squat.gif", **overrides: Any) -> MediaItem:
    """A CC BY-SA demo by URL; a ``.gif`` is an animation, anything else a photo."""
    values: dict[str, Any] = {
        "kind": "animation" if url.endswith(".gif") else "photo",
        "url": url,
        "license": "CC-BY-SA 4.0",
        "author": "Ann",
    }
    values.update(overrides)
    return MediaItem(**values)


def exercise(
    slug: str = "bodyweight-squat",
    name: str | None = None,
    *,
    media: Iterable[MediaItem] = (),
    **overrides: Any,
) -> Exercise:
    """A valid catalog exercise; the name defaults to the slug in words."""
    values: dict[str, Any] = {
        "slug": slug,
        "name": name or slug.replace("-", " ").capitalize(),
        "primary_muscles": ["quadriceps"],
        "level": "beginner",
        "category": "bodyweight",
        "cues": ["One.", "Two.", "Three."],
        "media": list(media),
    }
    values.update(overrides)
    return Exercise(**values)


async def add_broadcast(
    database: Database, text_html: str = "<b>Hello</b>", *, admin_id: int = 1
) -> int:
    """A draft broadcast by ``admin_id`` from their private chat; returns its id."""
    async with database.transaction() as session:
        broadcast = await broadcast_rows.create_broadcast(
            session, admin_id=admin_id, admin_chat_id=admin_id, text_html=text_html
        )
    return broadcast.id
