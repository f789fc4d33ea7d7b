"""Weekly plans: the model proposes one from the catalog, the user accepts or asks for a change.

The model is asked for JSON (a JSON schema where the server takes one); an answer that is not
a valid plan of catalog exercises is sent back once with what was wrong, then given up on.
No transaction is held while the model thinks.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.domain.exercises import Catalog
from bot.domain.metrics import describe_profile_for_coach
from bot.domain.plans import (
    PlanDay,
    PlanInvalid,
    PlanPreferences,
    StoredPlan,
    WeeklyPlan,
    describe_plan_for_coach,
    parse_plan,
    plan_json_schema,
)
from bot.domain.profile import Profile
from bot.domain.reminders import zone
from bot.errors import FitCoachError, LLMError
from bot.llm.client import ChatMessage, ChatModel, Completion
from bot.llm.prompts import build_plan_messages, plan_retry_message
from bot.services.training import LogResult, TrainingService
from bot.services.users import UserInfo
from bot.storage import Database
from bot.storage import plans as plan_rows
from bot.storage import usage as usage_rows
from bot.storage import users as user_rows

logger = logging.getLogger(__name__)

DEFAULT_DAYS = 3
DEFAULT_MINUTES = 45
_SCHEMA_NAME = "weekly_plan"


class PlanNotMadeError(FitCoachError):
    """The model could not be reached, or twice answered with something that is not a plan."""


@dataclass(frozen=True, slots=True)
class TodaySession:
    """Today's date in the user's zone, and the plan's session for it (None: a rest day)."""

    day: date
    session: PlanDay | None


class PlanService:
    """Proposes, stores and shows weekly plans made of catalog exercises."""

    def __init__(
        self,
        database: Database,
        model: ChatModel,
        catalog: Callable[[], Catalog],
        *,
        training: TrainingService | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._database = database
        self._model = model
        self._catalog = catalog
        self._training = training
        self._clock = clock

    async def preferences(self, user_id: int) -> PlanPreferences:
        """What the user told us for their last plan (empty before the first)."""
        async with self._database.transaction() as session:
            return await plan_rows.latest_preferences(session, user_id)

    async def propose(
        self,
        user: UserInfo,
        preferences: PlanPreferences,
        *,
        change: str | None = None,
        previous_id: int | None = None,
        language: str | None = None,
    ) -> StoredPlan:
        """Ask the model for a plan (changed as asked), store it as a proposal and return it.

        ``language`` is the one the user is answered in (their app's when not given).
        """
        async with self._database.transaction() as session:
            profile = await user_rows.get_profile(session, user.user_id)
            previous = (
                await plan_rows.get_plan(session, user.user_id, previous_id)
                if previous_id is not None
                else None
            )
        catalog = self._catalog()
        messages = build_plan_messages(
            schema_json=json.dumps(plan_json_schema(), separators=(",", ":")),
            catalog_lines=[
                f"{e.slug}: {e.name} [{', '.join(e.equipment) or 'none'}]" for e in catalog
            ],
            profile_text=_profile_text(profile),
            preferences_text=_preferences_text(preferences),
            days=preferences.days_per_week or DEFAULT_DAYS,
            minutes=preferences.session_minutes or DEFAULT_MINUTES,
            language_code=language or user.language_code,
            change_request=change,
            previous_plan_json=previous.plan.model_dump_json() if previous else None,
        )
        slugs = frozenset(e.slug for e in catalog)
        plan = await self._ask(user.user_id, messages, slugs)
        async with self._database.transaction() as session:
            plan_id = await plan_rows.add_proposal(session, user.user_id, plan, preferences)
            stored = await plan_rows.get_plan(session, user.user_id, plan_id)
        assert stored is not None
        return stored

    async def _ask(
        self, user_id: int, messages: list[ChatMessage], slugs: frozenset[str]
    ) -> WeeklyPlan:
        schema = plan_json_schema()
        for attempt in (1, 2):
            try:
                completion = await self._model.complete_json(
                    messages, name=_SCHEMA_NAME, schema=schema
                )
            except LLMError as error:
                logger.warning("Plan not made for user %s: %s", user_id, error)
                raise PlanNotMadeError(str(error)) from error
            await self._count(user_id, completion)
            try:
                return parse_plan(completion.text, slugs)
            except PlanInvalid as invalid:
                logger.info(
                    "Plan answer %d for user %s invalid: %d problems",
                    attempt,
                    user_id,
                    len(invalid.errors),
                )
                messages = [*messages, *plan_retry_message(completion.text, invalid.errors)]
        raise PlanNotMadeError("the model twice answered with an invalid plan")

    async def _count(self, user_id: int, completion: Completion) -> None:
        if completion.usage is None:
            return
        async with self._database.transaction() as session:
            await usage_rows.add_usage(
                session,
                user_id=user_id,
                day=self._clock().date(),
                prompt_tokens=completion.usage.prompt_tokens,
                completion_tokens=completion.usage.completion_tokens,
            )

    async def proposal(self, user_id: int, plan_id: int) -> StoredPlan | None:
        async with self._database.transaction() as session:
            return await plan_rows.get_plan(session, user_id, plan_id)

    async def accept(self, user_id: int, plan_id: int) -> StoredPlan | None:
        """Make a proposal the user's plan; None when it is not a proposal (any more)."""
        async with self._database.transaction() as session:
            if not await plan_rows.accept(session, user_id, plan_id, self._clock()):
                return None
            return await plan_rows.get_plan(session, user_id, plan_id)

    async def current(self, user_id: int) -> StoredPlan | None:
        async with self._database.transaction() as session:
            return await plan_rows.current_plan(session, user_id)

    async def today(self, user_id: int) -> TodaySession | None:
        """Today's session in the user's time zone (UTC until they set one); None: no plan."""
        async with self._database.transaction() as session:
            stored = await plan_rows.current_plan(session, user_id)
            user = await user_rows.get_user(session, user_id)
        if stored is None:
            return None
        local = self._clock().astimezone(zone(user.timezone if user else None)).date()
        return TodaySession(day=local, session=stored.plan.day(local.weekday()))

    async def log_planned(self, user_id: int, weekday: int, index: int) -> LogResult | None:
        """Log one planned exercise's sets (reps, no load) to the training log, as planned.

        None when the plan no longer has it, it is timed, or there is no training log.
        """
        if self._training is None:
            return None
        current = await self.current(user_id)
        day = current.plan.day(weekday) if current is not None else None
        if day is None or not 0 <= index < len(day.exercises):
            return None
        item = day.exercises[index]
        exercise = self._catalog().get(item.slug)
        if item.reps is None or exercise is None:
            return None
        sets = [{"reps": item.reps} for _ in range(item.sets)]
        return await self._training.log_structured(
            user_id, {"exercise": exercise.name, "sets": sets}
        )

    def exercise_names(self) -> dict[str, str]:
        return {e.slug: e.name for e in self._catalog()}


def plan_text_for_coach(stored: StoredPlan | None, names: dict[str, str]) -> str | None:
    """The compact plan the coach's system prompt carries."""
    return None if stored is None else describe_plan_for_coach(stored.plan, names)


def _profile_text(profile: Profile | None) -> str | None:
    if profile is None or profile == Profile(units=profile.units, bmi_scale=profile.bmi_scale):
        return None
    return describe_profile_for_coach(profile)


def _preferences_text(preferences: PlanPreferences) -> str:
    parts = [
        f"{preferences.days_per_week or DEFAULT_DAYS} days a week",
        f"{preferences.session_minutes or DEFAULT_MINUTES} minutes a session",
        f"equipment: {preferences.equipment or 'bodyweight only'}",
        f"avoid: {preferences.avoid or 'nothing'}",
    ]
    return "; ".join(parts)
