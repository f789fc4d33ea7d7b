"""The coach use case: safety first, lasting memory, a streamed model answer, exercise demos."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any, Protocol

from bot.domain.conversations import MessageKind
from bot.domain.exercises import Exercise
from bot.domain.metrics import CALORIE_MIN_AGE, bmi, describe_profile_for_coach, round_bmi
from bot.domain.plans import StoredPlan, describe_plan_for_coach
from bot.domain.profile import Profile, UnitSystem
from bot.domain.reminders import CheckIn, ReminderOff, format_days, parse_reminder
from bot.domain.safety import detect_eating_disorder_signs, detect_red_flag, safety_message
from bot.domain.training import RecentSummary
from bot.errors import (
    LLMContextLengthError,
    LLMError,
    LLMImagesUnsupportedError,
    LLMIncompleteError,
    LLMRateLimitError,
    LLMToolsUnsupportedError,
    UserInputError,
)
from bot.i18n import pick_language, t
from bot.llm.client import (
    ChatMessage,
    ChatModel,
    Finish,
    ImageInput,
    TextDelta,
    ToolCall,
    ToolSpec,
    Usage,
)
from bot.llm.prompts import (
    LOG_WORKOUT_TOOL,
    MAX_DEMOS_PER_ANSWER,
    SET_REMINDER_TOOL,
    SHOW_EXERCISE_TOOL,
    SUMMARY_MAX_TOKENS,
    Turn,
    build_messages,
    build_summary_messages,
    build_system_prompt,
    describe_training,
    select_history,
)
from bot.llm.tokens import TokenEstimator
from bot.services.reminders import NeedsTimezone, ReminderService
from bot.services.training import LogResult, ToolArgumentError
from bot.services.users import UserInfo
from bot.storage import Database
from bot.storage import conversations as conversation_rows
from bot.storage import plans as plan_rows
from bot.storage import reminders as reminder_rows
from bot.storage import usage as usage_rows
from bot.storage import users as user_rows

logger = logging.getLogger(__name__)


# When history outgrows the budget, fold it down to this share so folding is rare, not per turn.
_FOLD_TARGET_SHARE = 0.5
# A server asking to wait longer than this gets the user a "busy, try again in N min" at once.
_LONG_WAIT = 10.0
# Folding runs before the answer while the user waits: a slow summary is skipped this turn.
_FOLD_WAIT = 8.0


class ReplySink(Protocol):
    """Where the answer's text goes while it is being written (a draft, an edited message)."""

    async def partial(self, text: str) -> None:
        """The whole answer so far; called often, the sink decides how often to show it."""


class DemoFinder(Protocol):
    """The exercise catalog as the coach needs it."""

    def find(self, name: str) -> Exercise | None: ...

    def mentioned(self, text: str, limit: int) -> list[Exercise]: ...


class TrainingLog(Protocol):
    """The training log as the coach needs it: a summary to read and sets to log."""

    async def summary_in(self, session: Any, user_id: int, today: date) -> RecentSummary | None: ...

    async def log_structured(
        self, user_id: int, arguments: dict[str, Any], *, today: date | None = None
    ) -> LogResult: ...


@dataclass(frozen=True)
class ChatRequest:
    """One message to the coach: typed, a voice note's transcript, or a photo's note.

    ``image`` goes to the vision model with this turn only; ``text`` is what is stored.
    """

    user: UserInfo
    text: str
    language: str | None = None  # the language the user chose with /language, if any
    kind: MessageKind = "text"
    image: ImageInput | None = None


@dataclass(frozen=True)
class CoachReply:
    """The answer in Markdown, the demos to show after it, and what the log_workout tool
    saved (each confirmed with an Undo button)."""

    text: str
    demos: tuple[Exercise, ...] = ()
    logged: tuple[LogResult, ...] = ()


@dataclass
class _Attempt:
    text: str = ""
    demos: list[Exercise] = field(default_factory=list)
    logged: list[LogResult] = field(default_factory=list)
    usage: list[Usage] = field(default_factory=list)
    estimated_prompt: int = 0
    # The answer broke off (a cut stream, the length limit) after some text was shown.
    incomplete: bool = False
    # Sets were saved by an earlier attempt of this turn: log_workout must not run again.
    log_closed: bool = False


@dataclass(frozen=True)
class _Memory:
    user_id: int
    profile: Profile
    conversation_id: int
    summary: str | None
    turns: list[Turn]
    message_ids: list[int]
    tokens_today: int
    plan_text: str | None = None
    training: RecentSummary | None = None


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
        reminders: ReminderService | None = None,
        training: TrainingLog | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
        vision: ChatModel | None = None,
    ) -> None:
        self._database = database
        self._model = model
        self._vision = vision or model
        self._budget = history_budget
        self._daily_limit = daily_token_limit
        self._demos = demos
        self._reminders = reminders
        self._today = today
        self._estimator = TokenEstimator()
        self._training = training
        self._tools_supported = demos is not None or training is not None

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
        caution = _eating_disorder_caution(request.text, memory) or _low_bmi(memory.profile)
        group = user.group_chat_id is not None
        system = build_system_prompt(
            # Others read a group: its prompt gets no profile numbers, only the preferred units.
            profile_text=None if group else _profile_text(memory.profile),
            group_units=memory.profile.units.value if group else None,
            today=self._today(),
            language_code=language,
            eating_disorder_caution=caution,
            plan_text=memory.plan_text,
            photo=request.image is not None,
            minor=_minor(memory.profile),
            training_text=None if group else _training_text(memory, caution),
        )
        model = self._model if request.image is None else self._vision
        kept = select_history(turns, self._budget, self._estimator).kept
        empty_answers = 0
        # Sets the log_workout tool saved: kept across retries so they are saved once and
        # every reply, the apology too, carries them with their Undo.
        logged: list[LogResult] = []

        def failed(text: str) -> CoachReply:
            return CoachReply(text=text, logged=tuple(logged))

        while True:
            attempt = _Attempt(logged=logged, log_closed=bool(logged))
            messages = _with_image(build_messages(system, summary, kept), request.image)
            try:
                await self._answer(messages, sink, attempt, user.user_id, model)
            except LLMImagesUnsupportedError:
                logger.info("The model %s refused an image", model.model)
                return failed(t(language, "media.photo_no_vision"))
            except LLMContextLengthError:
                smaller = _shrink(summary, kept)
                if smaller is None:
                    logger.warning("Prompt too long with nothing left to drop")
                    return failed(t(reader, "coach.apology"))
                summary, kept = smaller
                logger.info("Context too long: retrying with %d turns", len(kept))
                continue
            except LLMIncompleteError as exc:
                if not attempt.text.strip():
                    logger.warning("Model failed for user %s: %s", user.user_id, exc)
                    return failed(t(reader, "coach.apology"))
                logger.warning("Answer for user %s broke off: %s", user.user_id, exc)
                attempt.incomplete = True
            except LLMRateLimitError as exc:
                logger.warning("Model failed for user %s: %s", user.user_id, exc)
                if exc.retry_after is not None and exc.retry_after > _LONG_WAIT:
                    minutes = max(1, round(exc.retry_after / 60))
                    return failed(t(reader, "stream.busy", minutes=minutes))
                return failed(t(reader, "coach.apology"))
            except LLMError as exc:
                logger.warning("Model failed for user %s: %s", user.user_id, exc)
                return failed(t(reader, "coach.apology"))
            if attempt.text.strip():
                break
            # An empty answer is a failure: one more try, then the apology; never stored.
            empty_answers += 1
            logger.warning("The model sent an empty answer (%d)", empty_answers)
            if empty_answers > 1:
                return failed(t(reader, "coach.apology"))

        if attempt.estimated_prompt and attempt.usage:
            self._estimator.calibrate(attempt.estimated_prompt, attempt.usage[0].prompt_tokens)
        if not self._tools_supported and self._demos is not None:
            attempt.demos = self._demos.mentioned(attempt.text, MAX_DEMOS_PER_ANSWER)
        text = attempt.text.strip()
        await self._store_answer(
            user.user_id, memory.conversation_id, text, attempt.usage, incomplete=attempt.incomplete
        )
        if attempt.incomplete:
            text = f"{text}\n\n{t(reader, 'stream.cut_off')}"
        return CoachReply(text=text, demos=tuple(attempt.demos), logged=tuple(attempt.logged))

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
            conversation = await conversation_rows.current_conversation(
                session, user.user_id, user.group_chat_id
            )
            summary = await conversation_rows.latest_summary(session, conversation.id)
            await conversation_rows.add_message(
                session,
                user_id=user.user_id,
                conversation_id=conversation.id,
                role="user",
                content=request.text,
                token_estimate=estimate,
                kind=request.kind,
            )
            after = summary.covers_through_message_id if summary is not None else 0
            rows = await conversation_rows.messages_after(session, conversation.id, after)
            plan = await plan_rows.current_plan(session, user.user_id)
            check_in = await reminder_rows.latest_check_in(session, user.user_id)
            tokens_today = 0
            if self._daily_limit is not None:
                tokens_today = await usage_rows.tokens_used(session, user.user_id, self._today())
            training = None
            if self._training is not None and user.group_chat_id is None:
                # Read with the rest: one transaction for everything the prompt needs.
                training = await self._training.summary_in(session, user.user_id, self._today())
        # A voice note that could not be transcribed is stored without text: nothing to send.
        rows = [m for m in rows if m.role in _ROLES and m.content]
        turns = [
            Turn(
                role="user" if m.role == "user" else "assistant",
                content=m.content,
                incomplete=m.incomplete,
            )
            for m in rows
            if m.role in _ROLES
        ]
        ids = [m.id for m in rows]
        return _Memory(
            user_id=user.user_id,
            profile=profile or Profile(),
            conversation_id=conversation.id,
            summary=summary.content if summary is not None else None,
            turns=turns,
            message_ids=ids,
            tokens_today=tokens_today,
            # Slugs name the exercises: readable, and the same in every language.
            plan_text=_plan_text(plan, check_in),
            training=training,
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
            async with asyncio.timeout(_FOLD_WAIT):
                completion = await self._model.complete(
                    build_summary_messages(memory.summary, overflow, language),
                    max_tokens=SUMMARY_MAX_TOKENS,
                )
        except TimeoutError:
            logger.warning("Folding the conversation took too long; the summary catches up later")
            return memory.summary, memory.turns
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

    async def _answer(
        self,
        messages: list[ChatMessage],
        sink: ReplySink,
        attempt: _Attempt,
        user_id: int,
        model: ChatModel | None = None,
    ) -> None:
        """Stream the answer; tool calls are answered and the model continues once."""
        offered = [
            *([SHOW_EXERCISE_TOOL] if self._demos is not None else []),
            *([LOG_WORKOUT_TOOL] if self._training is not None and not attempt.log_closed else []),
            *([SET_REMINDER_TOOL] if self._reminders is not None else []),
        ]
        tools = offered if self._tools_supported and offered else None
        attempt.estimated_prompt = self._estimator.estimate_messages(messages, tools=tools or ())
        try:
            calls = await self._stream_into(attempt, messages, tools, sink, model)
        except LLMToolsUnsupportedError:
            logger.info("The model server does not support tools: naming demos from the text")
            self._tools_supported = False
            calls = await self._stream_into(attempt, messages, None, sink, model)
        if calls:
            follow_up = [
                *messages,
                ChatMessage(role="assistant", content=attempt.text, tool_calls=tuple(calls)),
                *[await self._run_tool(call, attempt, user_id) for call in calls],
            ]
            if attempt.text and not attempt.text.endswith("\n"):
                attempt.text += "\n\n"
            await self._stream_into(attempt, follow_up, None, sink, model)

    async def _stream_into(
        self,
        attempt: _Attempt,
        messages: Sequence[ChatMessage],
        tools: list[ToolSpec] | None,
        sink: ReplySink,
        model: ChatModel | None = None,
    ) -> list[ToolCall]:
        calls: list[ToolCall] = []
        async for event in (model or self._model).stream(messages, tools=tools):
            if isinstance(event, TextDelta):
                attempt.text += event.text
                await sink.partial(attempt.text)
            elif isinstance(event, ToolCall):
                calls.append(event)
            elif isinstance(event, Usage):
                attempt.usage.append(event)
            elif isinstance(event, Finish) and event.reason == "length":
                # Cut at the token limit: shown and kept, but marked as not whole.
                attempt.incomplete = True
        return calls

    async def _run_tool(self, call: ToolCall, attempt: _Attempt, user_id: int) -> ChatMessage:
        if call.name == SET_REMINDER_TOOL.name and self._reminders is not None:
            result = await self._set_reminder(call, user_id)
            return ChatMessage(role="tool", content=result, tool_call_id=call.id)
        if call.name == LOG_WORKOUT_TOOL.name and self._training is not None:
            if attempt.log_closed:
                content = "Already logged in this turn: not saved again. Do not log it again."
                return ChatMessage(role="tool", content=content, tool_call_id=call.id)
            return await self._log_workout(call, attempt, user_id)
        if call.name != SHOW_EXERCISE_TOOL.name or self._demos is None:
            return ChatMessage(role="tool", content="Unknown tool.", tool_call_id=call.id)
        if call.error is not None:
            return ChatMessage(
                role="tool",
                content=f"Error: {call.error}. Expected a JSON object such as "
                '{"exercise": "plank"}; describe the exercise in words instead.',
                tool_call_id=call.id,
            )
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

    async def _set_reminder(self, call: ToolCall, user_id: int) -> str:
        """Set or remove a reminder as the model asked; the result tells it what happened."""
        assert self._reminders is not None
        arguments = call.arguments
        kind = str(arguments.get("kind", "")).strip()
        if arguments.get("off"):
            request_text = f"{kind} off" if kind else "off"
        else:
            request_text = f"{kind} {arguments.get('days', '')} {arguments.get('time', '')}"
        try:
            request = parse_reminder(request_text)
        except UserInputError as error:
            return f"Not set: {t('en', error.message)} Ask the user and try again."
        if isinstance(request, ReminderOff):
            removed = await self._reminders.off(user_id, request.kind)
            return f"Removed {removed} reminder(s)."
        result = await self._reminders.set(user_id, request)
        if isinstance(result, NeedsTimezone):
            return (
                "Not set: the user has no time zone yet. Ask which time zone they are in and "
                "suggest /timezone (e.g. /timezone Europe/Berlin or /timezone +3), or to send "
                f"/remind {request_text.strip()} so FitCoach asks."
            )
        return (
            f"Reminder set: {result.kind.value} {format_days(result.weekdays)} at "
            f"{result.at.strftime('%H:%M')} local time. /remind lists reminders."
        )

    async def _log_workout(self, call: ToolCall, attempt: _Attempt, user_id: int) -> ChatMessage:
        """Log the sets, or tell the model what is unclear so it asks the user."""
        assert self._training is not None
        try:
            result = await self._training.log_structured(
                user_id, call.arguments, today=self._today()
            )
        except ToolArgumentError as error:
            content = f"Not logged: {error} Ask the user; do not guess."
            return ChatMessage(role="tool", content=content, tool_call_id=call.id)
        attempt.logged.append(result)
        line = result.exercises[0]
        content = (
            f"Logged {len(line.sets)} sets of {line.name}"
            + (f"; new personal record ({', '.join(sorted(line.records))})" if line.records else "")
            + ". The user sees a one-line confirmation with an Undo button: do not repeat "
            "the numbers, and do not call log_workout again for these sets."
        )
        return ChatMessage(role="tool", content=content, tool_call_id=call.id)

    async def _store_answer(
        self,
        user_id: int,
        conversation_id: int,
        text: str,
        usage: list[Usage],
        *,
        incomplete: bool = False,
    ) -> None:
        async with self._database.transaction() as session:
            await conversation_rows.add_message(
                session,
                user_id=user_id,
                conversation_id=conversation_id,
                role="assistant",
                content=text,
                token_estimate=self._estimator.estimate(text),
                incomplete=incomplete,
            )
            for item in usage:
                await usage_rows.add_usage(
                    session,
                    user_id=user_id,
                    day=self._today(),
                    prompt_tokens=item.prompt_tokens,
                    completion_tokens=item.completion_tokens,
                )

    async def reset(self, user_id: int, group_chat_id: int | None = None) -> None:
        """Start a new conversation (in that group, or the private one); the old one stays for
        /export, the profile stays."""
        async with self._database.transaction() as session:
            await conversation_rows.start_new_conversation(session, user_id, group_chat_id)


_ROLES = ("user", "assistant")


def _plan_text(plan: StoredPlan | None, check_in: CheckIn | None) -> str | None:
    """The plan for the prompt, with how the last weekly check-in said it felt."""
    if plan is None:
        return None
    text = describe_plan_for_coach(plan.plan, {})
    if check_in is not None:
        felt = check_in.answer.value.replace("-", " ")
        text += (
            f"\nWeekly check-in ({check_in.answered_at.date().isoformat()}): the user said the "
            f"training felt {felt}; adjust loads, reps or rest accordingly when it comes up."
        )
    return text


def _shrink(summary: str | None, kept: list[Turn]) -> tuple[str | None, list[Turn]] | None:
    """A smaller prompt for a context-length refusal: drop the older half of the earlier turns,
    then the summary; None when only the message being answered is left."""
    last_user = next((i for i in range(len(kept) - 1, -1, -1) if kept[i].role == "user"), 0)
    if last_user > 0:
        start = max(1, last_user // 2)
        # Strict chat templates want the history to open with a user turn.
        while start < last_user and kept[start].role != "user":
            start += 1
        return summary, kept[start:]
    if summary:
        return None, kept
    return None


UNDERWEIGHT_BELOW = 18.5
ADULT_AGE = 18


def _profile_text(profile: Profile) -> str | None:
    if profile.is_empty:
        return None
    return describe_profile_for_coach(profile)


def _training_text(memory: _Memory, caution: bool) -> str | None:
    if memory.training is None:
        return None
    profile = memory.profile
    minor = profile.age is not None and profile.age < ADULT_AGE
    return describe_training(
        memory.training,
        imperial=profile.units is UnitSystem.IMPERIAL,
        weight_talk=not (caution or minor),
    )


def _eating_disorder_caution(text: str, memory: _Memory) -> bool:
    """Whether the latest message, a recent user turn or the summary shows eating-disorder signs.

    The caution sticks for the whole loaded conversation: a meal photo right after talk of
    restriction must not get calorie numbers. Only what is already in memory is scanned.
    """
    if detect_eating_disorder_signs(text):
        return True
    if memory.summary and detect_eating_disorder_signs(memory.summary):
        return True
    return any(
        detect_eating_disorder_signs(turn.content) for turn in memory.turns if turn.role == "user"
    )


def _minor(profile: Profile) -> bool:
    return profile.age is not None and profile.age < CALORIE_MIN_AGE


def _with_image(messages: list[ChatMessage], image: ImageInput | None) -> list[ChatMessage]:
    """Attach this turn's image to the latest user message (older photos live on as notes)."""
    if image is None or messages[-1].role != "user":
        return messages
    return [*messages[:-1], replace(messages[-1], images=(image,))]


def _low_bmi(profile: Profile) -> bool:
    """Below the adult normal range, calorie numbers could feed restriction (safety rule 3)."""
    if profile.height_cm is None or profile.weight_kg is None:
        return False
    return round_bmi(bmi(profile.weight_kg, profile.height_cm)) < UNDERWEIGHT_BELOW
