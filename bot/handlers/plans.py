"""/plan: a few short questions, a proposed week of catalog exercises, Accept or Change; /today.

What a plan holds and how it is made is ``PlanService``'s; this module asks, renders and keeps
the dialogue's place in ``context.user_state``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, replace
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import TelegramError

from bot.domain.plans import (
    WEEKDAYS,
    PlanDay,
    PlannedExercise,
    PlanPreferences,
    StoredPlan,
    WeeklyPlan,
)
from bot.handlers.context import Context
from bot.handlers.exercises import TelegramDemos
from bot.handlers.privacy import in_private_chat, private_chat_link
from bot.handlers.profile_flow import CANCEL_WORDS
from bot.handlers.render import send_html
from bot.handlers.training import confirmation_html, undo_markup
from bot.handlers.users import language_of, user_info
from bot.i18n import t
from bot.services.plans import PlanNotMadeError
from bot.text.markdown import escape

logger = logging.getLogger(__name__)

PREFIX: Final = "pl"
AWAITING: Final = "plan_awaiting"  # the question a typed answer answers
AWAITING_CHAT: Final = "plan_awaiting_chat"
DRAFT: Final = "plan_draft"  # PlanPreferences gathered so far
CHANGING: Final = "plan_changing"  # id of the plan a typed change applies to
CHANGE: Final = "change"
FREE_TEXT_MAX: Final = 200
# Telegram takes about one message a second in one chat; demos are sent one by one.
DEMO_PAUSE_SECONDS: Final = 1.0

_CHOICES: Final[dict[str, tuple[str, ...]]] = {
    "days_per_week": ("2", "3", "4", "5"),
    "session_minutes": ("20", "30", "45", "60"),
    "equipment": ("none", "dumbbells", "gym"),
    "avoid": ("nothing",),
}
_RANGES: Final = {"days_per_week": (1, 7), "session_minutes": (10, 180)}


# --- callback data: packed and read here only ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanButton:
    """``q`` answers a question (field, value); ``a``/``c`` accept or change plan ``value``;
    ``n`` starts a new plan."""

    action: str
    field: str = ""
    value: str = ""

    def pack(self) -> str:
        return ":".join((PREFIX, self.action, self.field, self.value))

    @classmethod
    def unpack(cls, data: str) -> PlanButton | None:
        parts = data.split(":", 3)
        if len(parts) != 4 or parts[0] != PREFIX:
            return None
        return cls(parts[1], parts[2], parts[3])


# --- rendering ------------------------------------------------------------------------------


def _dose(language: str, item: PlannedExercise) -> str:
    if item.reps is not None:
        return t(
            language, "plans.dose_reps", sets=item.sets, reps=item.reps, rest=item.rest_seconds
        )
    return t(
        language, "plans.dose_time", sets=item.sets, seconds=item.seconds, rest=item.rest_seconds
    )


def day_html(language: str, day: PlanDay, names: dict[str, str]) -> str:
    title = f"<b>{escape(t(language, f'plans.day_{day.weekday}'))}: {escape(day.focus)}</b>"
    lines = [
        f"• {escape(names.get(e.slug, e.slug))}: {escape(_dose(language, e))}"
        for e in day.exercises
    ]
    return "\n".join([title, *lines])


def plan_html(language: str, plan: WeeklyPlan, names: dict[str, str], title_key: str) -> str:
    parts = [f"<b>{escape(t(language, title_key))}</b>"]
    parts += [day_html(language, day, names) for day in plan.days]
    parts.append(f"<i>{escape(t(language, 'plans.progression', rule=plan.progression))}</i>")
    return "\n\n".join(parts)


def _proposal_markup(language: str, plan_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "plans.button_accept"),
                    callback_data=PlanButton("a", value=str(plan_id)).pack(),
                ),
                InlineKeyboardButton(
                    t(language, "plans.button_change"),
                    callback_data=PlanButton("c", value=str(plan_id)).pack(),
                ),
            ]
        ]
    )


def _current_markup(language: str, plan_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "plans.button_change"),
                    callback_data=PlanButton("c", value=str(plan_id)).pack(),
                ),
                InlineKeyboardButton(
                    t(language, "plans.button_new"), callback_data=PlanButton("n").pack()
                ),
            ]
        ]
    )


def _log_markup(language: str, day: PlanDay, names: dict[str, str]) -> InlineKeyboardMarkup | None:
    """A "Log it" button per exercise counted in reps (the log takes reps, not time)."""
    rows = [
        [
            InlineKeyboardButton(
                t(language, "plans.button_log", name=names.get(item.slug, item.slug)),
                callback_data=PlanButton("l", day.weekday, str(index)).pack(),
            )
        ]
        for index, item in enumerate(day.exercises)
        if item.reps is not None
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def _question_markup(language: str, field: str) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            t(language, f"plans.choice_{field}_{value}") if not value.isdigit() else value,
            callback_data=PlanButton("q", field, value).pack(),
        )
        for value in _CHOICES[field]
    ]
    return InlineKeyboardMarkup([buttons])


# --- the dialogue -----------------------------------------------------------------------------


async def plan_answer(update: Update, context: Context, chat_id: int, arguments: str) -> None:
    """/plan in ``chat_id``: the accepted plan, or the first question for a new one."""
    if update.effective_user is None:
        return
    language = language_of(update, context)
    service = context.services.plans
    current = await service.current(update.effective_user.id)
    if current is not None:
        text = plan_html(language, current.plan, service.exercise_names(), "plans.title_current")
        reminders = context.services.reminders
        if await reminders.offer_check_in(update.effective_user.id, current.accepted_at):
            text += "\n\n" + escape(t(language, "reminders.offer_check_in"))
        await send_html(
            context.bot, chat_id, text, reply_markup=_current_markup(language, current.id)
        )
        return
    preferences = await service.preferences(update.effective_user.id)
    await _ask_next(update, context, chat_id, preferences)


async def _ask_next(
    update: Update, context: Context, chat_id: int, preferences: PlanPreferences
) -> None:
    """Ask the first missing question, or make the plan when nothing is missing."""
    language = language_of(update, context)
    missing = preferences.missing
    state = context.user_state
    state[DRAFT] = preferences
    if not missing:
        state.pop(AWAITING, None)
        await _propose(update, context, chat_id, preferences)
        return
    field = missing[0]
    state[AWAITING] = field
    state[AWAITING_CHAT] = chat_id
    await context.bot.send_message(
        chat_id,
        t(language, f"plans.ask_{field}"),
        reply_markup=_question_markup(language, field),
    )


async def _propose(
    update: Update,
    context: Context,
    chat_id: int,
    preferences: PlanPreferences,
    *,
    change: str | None = None,
    previous_id: int | None = None,
) -> None:
    language = language_of(update, context)
    await context.bot.send_message(chat_id, t(language, "plans.making"))
    with contextlib.suppress(TelegramError):  # only a hint that the bot is working
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    service = context.services.plans
    try:
        proposal = await service.propose(
            user_info(update),
            preferences,
            change=change,
            previous_id=previous_id,
            language=language,
        )
    except PlanNotMadeError:
        await context.bot.send_message(chat_id, t(language, "plans.apology"))
        return
    await _show_proposal(context, chat_id, language, proposal)


async def _show_proposal(
    context: Context, chat_id: int, language: str, proposal: StoredPlan
) -> None:
    names = context.services.plans.exercise_names()
    await context.bot.send_message(
        chat_id,
        plan_html(language, proposal.plan, names, "plans.title_proposal"),
        parse_mode=ParseMode.HTML,
        reply_markup=_proposal_markup(language, proposal.id),
    )


def _stop_asking(context: Context) -> None:
    for key in (AWAITING, AWAITING_CHAT, CHANGING):
        context.user_state.pop(key, None)


def _read_answer(field: str, text: str) -> str | int | None:
    """The typed or pressed answer to one question, or None when it is not acceptable."""
    value = text.strip()
    if field in _RANGES:
        low, high = _RANGES[field]
        if value.isdigit() and low <= int(value) <= high:
            return int(value)
        return None
    if not value or len(value) > FREE_TEXT_MAX:
        return None
    if field == "avoid" and value.lower() == "nothing":
        return "nothing"
    if field == "equipment" and value in _CHOICES["equipment"]:
        return {"none": "bodyweight only", "dumbbells": "dumbbells", "gym": "full gym"}[value]
    return value


async def _answer(update: Update, context: Context, chat_id: int, field: str, text: str) -> bool:
    """Apply one answer; False (and a message saying what is accepted) when it is not valid."""
    language = language_of(update, context)
    value = _read_answer(field, text)
    if value is None:
        await context.bot.send_message(chat_id, t(language, f"plans.invalid_{field}"))
        return False
    draft = context.user_state.get(DRAFT)
    preferences = draft if isinstance(draft, PlanPreferences) else PlanPreferences()
    changes: dict[str, Any] = {field: value}
    preferences = replace(preferences, **changes)
    context.user_state.pop(AWAITING, None)
    await _ask_next(update, context, chat_id, preferences)
    return True


async def take_typed_answer(update: Update, context: Context) -> bool:
    """If the user was asked a plan question (or for a change), read this message as the answer."""
    awaiting = context.user_state.get(AWAITING)
    message = update.effective_message
    if awaiting is None or message is None or message.text is None:
        return False
    if context.user_state.get(AWAITING_CHAT) != message.chat_id:
        return False
    if message.text.strip().lower() in CANCEL_WORDS:
        _stop_asking(context)
        await message.reply_text(t(language_of(update, context), "plans.cancelled"))
        return True
    if awaiting == CHANGE:
        plan_id = context.user_state.get(CHANGING)
        text = message.text.strip()
        language = language_of(update, context)
        if not text or len(text) > FREE_TEXT_MAX:
            await message.reply_text(t(language, "plans.invalid_change"))
            return True
        _stop_asking(context)
        stored = (
            await context.services.plans.proposal(message.from_user.id, plan_id)
            if message.from_user is not None and isinstance(plan_id, int)
            else None
        )
        preferences = stored.preferences if stored is not None else PlanPreferences()
        await _propose(
            update,
            context,
            message.chat_id,
            preferences,
            change=text,
            previous_id=stored.id if stored is not None else None,
        )
        return True
    await _answer(update, context, message.chat_id, str(awaiting), message.text)
    return True


async def on_button(update: Update, context: Context) -> None:
    """Question answers, Accept, Change and New plan."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    button = PlanButton.unpack(query.data)
    user = update.effective_user
    if button is None or user is None:
        await query.answer()
        return
    if not in_private_chat(query.message):  # plans are personal: they live in private chats
        await query.answer(url=private_chat_link(context, "plan"))
        return
    language = language_of(update, context)
    chat_id = query.message.chat.id
    service = context.services.plans
    if button.action == "q":
        await query.answer()
        if context.user_state.get(AWAITING) != button.field:
            return  # a button of an earlier question, already answered
        await _answer(update, context, chat_id, button.field, button.value)
        return
    if button.action == "l":
        await _log_planned(update, context, button)
        return
    if button.action == "n":
        await query.answer()
        _stop_asking(context)
        await _ask_next(update, context, chat_id, PlanPreferences())
        return
    if not button.value.isdigit():
        await query.answer()
        return
    plan_id = int(button.value)
    if button.action == "a":
        accepted = await service.accept(user.id, plan_id)
        await query.answer()
        if accepted is None:
            await context.bot.send_message(chat_id, t(language, "plans.not_a_proposal"))
            return
        # If the edit fails the buttons stay; pressing again says the plan is accepted.
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        await context.bot.send_message(chat_id, t(language, "plans.accepted"))
        return
    if button.action == "c":
        await query.answer()
        context.user_state[AWAITING] = CHANGE
        context.user_state[AWAITING_CHAT] = chat_id
        context.user_state[CHANGING] = plan_id
        await context.bot.send_message(chat_id, t(language, "plans.ask_change"))
        return
    await query.answer()


async def _log_planned(update: Update, context: Context, button: PlanButton) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    assert user is not None
    language = language_of(update, context)
    if button.field not in WEEKDAYS or not button.value.isdigit():
        await query.answer()
        return
    result = await context.services.plans.log_planned(
        user.id, WEEKDAYS.index(button.field), int(button.value)
    )
    if result is None:
        await query.answer(t(language, "plans.log_gone"))
        return
    await query.answer()
    if query.message is not None:
        await context.bot.send_message(
            query.message.chat.id,
            confirmation_html(language, result),
            parse_mode=ParseMode.HTML,
            reply_markup=undo_markup(language, result.batch_id),
        )


# --- /today -----------------------------------------------------------------------------------


async def today_answer(update: Update, context: Context, chat_id: int, arguments: str) -> None:
    """/today in ``chat_id``: the session with its Log it buttons, then the demos."""
    if update.effective_user is None:
        return
    language = language_of(update, context)
    service = context.services.plans
    found = await service.today(update.effective_user.id)
    if found is None:
        await context.bot.send_message(chat_id, t(language, "plans.today_no_plan"))
        return
    if found.session is None:
        await context.bot.send_message(chat_id, t(language, "plans.today_rest"))
        return
    names = service.exercise_names()
    await send_html(
        context.bot,
        chat_id,
        day_html(language, found.session, names),
        reply_markup=_log_markup(language, found.session, names),
    )
    exercises = [
        exercise
        for exercise in (
            context.services.media.exercise(item.slug) for item in found.session.exercises
        )
        if exercise is not None
    ]
    await context.services.demos.send_each(
        TelegramDemos(context.bot),
        chat_id,
        exercises,
        pause=DEMO_PAUSE_SECONDS,
        sleep=asyncio.sleep,
    )
