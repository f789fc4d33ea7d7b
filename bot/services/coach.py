"""The coach use case: safety first, lasting memory, a streamed model answer, exercise demos."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from bot.domain.exercises import Exercise
from bot.domain.metrics import bmi, describe_profile_for_coach, round_bmi
from bot.domain.profile import Profile
from bot.domain.safety import detect_eating_disorder_signs, detect_red_flag, safety_message
from bot.errors import LLMContextLengthError, LLMError, LLMToolsUnsupportedError
from bot.i18n import pick_language, t
from bot.llm.client import ChatMessage, ChatModel, TextDelta, ToolCall, ToolSpec, Usage
from bot.llm.prompts import (
    MAX_DEMOS_PER_ANSWER,
    SHOW_EXERCISE_TOOL,
    SUMMARY_MAX_TOKENS,
    Turn,
    build_messages,
    build_summary_messages,
    build_system_prompt,
    select_history,
)
from bot.llm.tokens import TokenEstimator
from bot.services.users import UserInfo
from bot.storage import Database
from bot.storage import conversations as conversation_rows
from bot.storage import usage as usage_rows
from bot.storage import users as user_rows

logger = logging.getLogger(__name__)


# When history outgrows the budget, fold it down to this share so folding is rare, not per turn.
_FOLD_TARGET_SHARE = 0.5


class ReplySink(Protocol):
    """Where the answer's text goes while it is being written (a draft, an edited message)."""

    async def partial(self, text: str) -> None:
        """The whole answer so far; called often, the sink decides how often to show it."""


class DemoFinder(Protocol):
    """The exercise catalog as the coach needs it."""

    def find(self, name: str) -> Exercise | None: ...

    def mentioned(self, text: str, limit: int) -> list[Exercise]: ...


@dataclass(frozen=True)
class ChatRequest:
    """One free-text message to the coach."""

    user: UserInfo
    text: str
    language: str | None = None  # the language the user chose with /language, if any


@dataclass(frozen=True)
class CoachReply:
    """The answer in Markdown and the demos to show after it."""

    text: str
    demos: tuple[Exercise, ...] = ()


@dataclass
class _Attempt:
    text: str = ""
    demos: list[Exercise] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)
    estimated_prompt: int = 0


@dataclass(frozen=True)
class _Memory:
    user_id: int
    profile: Profile
    conversation_id: int
    summary: str | None
    turns: list[Turn]
    message_ids: list[int]
    tokens_today: int


class CoachService:
    """Answers free text as a coach; every message, asked and answered, is stored."""

    def __init__(
        self,
        database: Database,
        model: ChatModel,
        *,
        history_budget: int = 4000,
        daily_token_limit: int | None = None,
        demos: DemoFinder | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self._database = database
        self._model = model
        self._budget = history_budget
        self._daily_limit = daily_token_limit
        self._demos = demos
        self._today = today
        self._estimator = TokenEstimator()
        self._tools_supported = demos is not None

    async def reply(self, request: ChatRequest, sink: ReplySink) -> CoachReply:
        """Answer one message: red flags at once, otherwise the model with memory."""
        user = request.user
        language = user.language_code
        # Our own texts follow the user's choice, then their app; the model follows the message.
        reader = pick_language(request.language, language)
        flag = detect_red_flag(request.text)
        memory = await self._remember(request)
        if flag is not None:
            text = safety_message(flag, request.language or language, request.text)
            await self._store_answer(user.user_id, memory.conversation_id, text, [])
            logger.info("Red flag %s: answered with the safety message", flag.category)
            return CoachReply(text=text)
        if self._daily_limit is not None and memory.tokens_today >= self._daily_limit:
            return CoachReply(text=t(reader, "coach.limit"))

        summary, turns = await self._fold_if_needed(memory, language)
        caution = detect_eating_disorder_signs(request.text) or _low_bmi(memory.profile)
        system = build_system_prompt(
            profile_text=_profile_text(memory.profile),
            today=self._today(),
            language_code=language,
            eating_disorder_caution=caution,
        )
        budget = self._budget
        for last_try in (False, True):
            kept = select_history(turns, budget, self._estimator).kept
            messages = build_messages(system, summary, kept)
            try:
                attempt = await self._answer(messages, sink)
                break
            except LLMContextLengthError:
                if last_try:
                    logger.warning("Prompt too long even at %d tokens of history", budget)
                    return CoachReply(text=t(reader, "coach.apology"))
                budget = max(budget // 2, 200)
                logger.info("Context too long: retrying with a %d-token history", budget)
            except LLMError as exc:
                logger.warning("Model failed for user %s: %s", user.user_id, exc)
                return CoachReply(text=t(reader, "coach.apology"))

        if attempt.estimated_prompt and attempt.usage:
            self._estimator.calibrate(attempt.estimated_prompt, attempt.usage[0].prompt_tokens)
        if not self._tools_supported and self._demos is not None:
            attempt.demos = self._demos.mentioned(attempt.text, MAX_DEMOS_PER_ANSWER)
        text = attempt.text.strip() or "…"
        await self._store_answer(user.user_id, memory.conversation_id, text, attempt.usage)
        return CoachReply(text=text, demos=tuple(attempt.demos))

    async def _remember(self, request: ChatRequest) -> _Memory:
        """Store the user's message first, so a failure later loses nothing; load the memory."""
        user = request.user
        estimate = self._estimator.estimate(request.text)
        async with self._database.transaction() as session:
            profile = await user_rows.get_profile(session, user.user_id)
            if profile is None:
                await user_rows.upsert_user(
                    session,
                    user_id=user.user_id,
                    first_name=user.first_name,
                    language_code=user.language_code,
                )
            conversation = await conversation_rows.current_conversation(session, user.user_id)
            summary = await conversation_rows.latest_summary(session, conversation.id)
            await conversation_rows.add_message(
                session,
                user_id=user.user_id,
                conversation_id=conversation.id,
                role="user",
                content=request.text,
                token_estimate=estimate,
            )
            after = summary.covers_through_message_id if summary is not None else 0
            rows = await conversation_rows.messages_after(session, conversation.id, after)
            tokens_today = 0
            if self._daily_limit is not None:
                tokens_today = await usage_rows.tokens_used(session, user.user_id, self._today())
        turns = [
            Turn(role="user" if m.role == "user" else "assistant", content=m.content)
            for m in rows
            if m.role in _ROLES
        ]
        ids = [m.id for m in rows if m.role in _ROLES]
        return _Memory(
            user_id=user.user_id,
            profile=profile or Profile(),
            conversation_id=conversation.id,
            summary=summary.content if summary is not None else None,
            turns=turns,
            message_ids=ids,
            tokens_today=tokens_today,
        )

    async def _fold_if_needed(
        self, memory: _Memory, language: str | None
    ) -> tuple[str | None, list[Turn]]:
        """Fold older turns into the rolling summary when the history outgrows the budget."""
        if not select_history(memory.turns, self._budget, self._estimator).overflow:
            return memory.summary, memory.turns
        target = int(self._budget * _FOLD_TARGET_SHARE)
        overflow = select_history(memory.turns, target, self._estimator).overflow
        if not overflow:
            return memory.summary, memory.turns
        try:
            completion = await self._model.complete(
                build_summary_messages(memory.summary, overflow, language),
                max_tokens=SUMMARY_MAX_TOKENS,
            )
        except LLMError as exc:
            # The newest turns still fit; the summary catches up on the next message.
            logger.warning("Could not fold the conversation into its summary: %s", exc)
            return memory.summary, memory.turns
        summary = completion.text.strip() or memory.summary
        covers = memory.message_ids[len(overflow) - 1]
        async with self._database.transaction() as session:
            if summary:
                await conversation_rows.save_summary(
                    session,
                    conversation_id=memory.conversation_id,
                    content=summary,
                    covers_through_message_id=covers,
                    token_estimate=self._estimator.estimate(summary),
                )
            if completion.usage is not None:
                await usage_rows.add_usage(
                    session,
                    user_id=memory.user_id,
                    day=self._today(),
                    prompt_tokens=completion.usage.prompt_tokens,
                    completion_tokens=completion.usage.completion_tokens,
                )
        return summary, memory.turns[len(overflow) :]

    async def _answer(self, messages: list[ChatMessage], sink: ReplySink) -> _Attempt:
        """Stream the answer; a demo tool call is answered and the model continues once."""
        attempt = _Attempt()
        tools = [SHOW_EXERCISE_TOOL] if self._tools_supported else None
        attempt.estimated_prompt = self._estimator.estimate_messages(messages, tools=tools or ())
        try:
            calls = await self._stream_into(attempt, messages, tools, sink)
        except LLMToolsUnsupportedError:
            logger.info("The model server does not support tools: naming demos from the text")
            self._tools_supported = False
            calls = await self._stream_into(attempt, messages, None, sink)
        if calls:
            follow_up = [
                *messages,
                ChatMessage(role="assistant", content=attempt.text, tool_calls=tuple(calls)),
                *(self._run_tool(call, attempt) for call in calls),
            ]
            if attempt.text and not attempt.text.endswith("\n"):
                attempt.text += "\n\n"
            await self._stream_into(attempt, follow_up, None, sink)
        return attempt

    async def _stream_into(
        self,
        attempt: _Attempt,
        messages: Sequence[ChatMessage],
        tools: list[ToolSpec] | None,
        sink: ReplySink,
    ) -> list[ToolCall]:
        calls: list[ToolCall] = []
        async for event in self._model.stream(messages, tools=tools):
            if isinstance(event, TextDelta):
                attempt.text += event.text
                await sink.partial(attempt.text)
            elif isinstance(event, ToolCall):
                calls.append(event)
            elif isinstance(event, Usage):
                attempt.usage.append(event)
        return calls

    def _run_tool(self, call: ToolCall, attempt: _Attempt) -> ChatMessage:
        if call.name != SHOW_EXERCISE_TOOL.name or self._demos is None:
            return ChatMessage(role="tool", content="Unknown tool.", tool_call_id=call.id)
        name = str(call.arguments.get("exercise", "")).strip()
        exercise = self._demos.find(name) if name else None
        if exercise is None:
            result = f"No demo for {name!r} in the catalog; describe it in words."
        elif any(d.slug == exercise.slug for d in attempt.demos):
            result = f"A demo of {exercise.name} is already queued; do not mention it."
        elif len(attempt.demos) >= MAX_DEMOS_PER_ANSWER:
            result = f"At most {MAX_DEMOS_PER_ANSWER} demos per answer; describe it in words."
        else:
            attempt.demos.append(exercise)
            # Sent after the answer when Telegram takes it: the answer must not count on it.
            result = (
                f"A demo of {exercise.name} follows your answer if it can be sent. Do not "
                "mention it: never write that a demo is shown, below, above or attached."
            )
        return ChatMessage(role="tool", content=result, tool_call_id=call.id)

    async def _store_answer(
        self, user_id: int, conversation_id: int, text: str, usage: list[Usage]
    ) -> None:
        async with self._database.transaction() as session:
            await conversation_rows.add_message(
                session,
                user_id=user_id,
                conversation_id=conversation_id,
                role="assistant",
                content=text,
                token_estimate=self._estimator.estimate(text),
            )
            for item in usage:
                await usage_rows.add_usage(
                    session,
                    user_id=user_id,
                    day=self._today(),
                    prompt_tokens=item.prompt_tokens,
                    completion_tokens=item.completion_tokens,
                )

    async def reset(self, user_id: int) -> None:
        """Start a new conversation; the old one stays for /export, the profile stays."""
        async with self._database.transaction() as session:
            await conversation_rows.start_new_conversation(session, user_id)


_ROLES = ("user", "assistant")
UNDERWEIGHT_BELOW = 18.5


def _profile_text(profile: Profile) -> str | None:
    if profile.is_empty:
        return None
    return describe_profile_for_coach(profile)


def _low_bmi(profile: Profile) -> bool:
    """Below the adult normal range, calorie numbers could feed restriction (safety rule 3)."""
    if profile.height_cm is None or profile.weight_kg is None:
        return False
    return round_bmi(bmi(profile.weight_kg, profile.height_cm)) < UNDERWEIGHT_BELOW
