"""The set of services the Telegram layer calls, opened and closed with the application."""

from __future__ import annotations

from dataclasses import dataclass

from bot.llm.client import ChatModel
from bot.services.broadcast import BroadcastService
from bot.services.catalog import CatalogService
from bot.services.coach import CoachService
from bot.services.delivery import DemoDelivery
from bot.services.limits import SlidingWindowLimiter
from bot.services.plans import PlanService
from bot.services.reminders import ReminderService
from bot.services.senses import SensesService
from bot.services.stats import StatsService
from bot.services.training import TrainingService
from bot.services.users import UserService
from bot.storage import Database


@dataclass
class Services:
    """Every use case the handlers may call, sharing one database and one model client."""

    database: Database
    model: ChatModel
    users: UserService
    coach: CoachService
    media: CatalogService
    demos: DemoDelivery
    limits: SlidingWindowLimiter
    broadcast: BroadcastService
    training: TrainingService
    stats: StatsService
    plans: PlanService
    reminders: ReminderService
    senses: SensesService

    async def aclose(self) -> None:
        await self.users.aclose()
        await self.senses.aclose()
        vision = self.senses.vision
        if vision is not None and vision is not self.model:
            await vision.aclose()
        await self.model.aclose()
        await self.database.dispose()
