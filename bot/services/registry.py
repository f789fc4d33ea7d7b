"""The set of services the Telegram layer calls, opened and closed with the application."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.users import UserService
from bot.storage import Database


@dataclass
class Services:
    """Every use case the handlers may call, sharing one database."""

    database: Database
    users: UserService

    async def aclose(self) -> None:
        await self.database.dispose()
