"""Typed handler context: services are reached as attributes, not through string keys."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.config import Settings
from bot.services.registry import Services


class BotData:
    """What the application keeps for its whole life: settings and the services."""

    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.services: Services | None = None


class Context(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """The context every FitCoach handler receives."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are opened in post_init before any update is handled")
        return services

    @property
    def user_state(self) -> dict[Any, Any]:
        """Per-user scratch state kept in memory (empty and throwaway for user-less updates)."""
        return self.user_data if self.user_data is not None else {}

    @property
    def settings(self) -> Settings:
        settings = self.bot_data.settings
        if settings is None:
            raise RuntimeError("settings are set when the application is built")
        return settings
