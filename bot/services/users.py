"""Use cases about who a user is: recording them, their profile, export and erasure."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.storage import Database
from bot.storage import users as user_rows

# A user's names rarely change; rewriting them on every message would cost a write per update.
_RECORD_REFRESH_SECONDS = 300.0


@dataclass(frozen=True)
class UserInfo:
    """Who sent an update, as the Telegram layer saw them."""

    user_id: int
    first_name: str | None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    chat_id: int | None = None


class UserService:
    """Records users and keeps their profiles."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._recorded: dict[int, tuple[UserInfo, float]] = {}

    async def record(self, info: UserInfo) -> None:
        """Remember the user (names, language, private chat); cheap when nothing changed."""
        seen = self._recorded.get(info.user_id)
        now = time.monotonic()
        if seen is not None and seen[0] == info and now - seen[1] < _RECORD_REFRESH_SECONDS:
            return
        async with self._database.transaction() as session:
            await user_rows.upsert_user(
                session,
                user_id=info.user_id,
                first_name=info.first_name,
                last_name=info.last_name,
                username=info.username,
                language_code=info.language_code,
                chat_id=info.chat_id,
            )
        self._recorded[info.user_id] = (info, now)

    def forget_cached(self, user_id: int) -> None:
        self._recorded.pop(user_id, None)
