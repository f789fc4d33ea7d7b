"""/remind and /timezone, the time-zone question, and the Telegram port the scheduler sends by.

Scheduled sends are bulk traffic for the rate limiter, like broadcast copies: a user's own
conversation always goes first.
"""

from __future__ import annotations

import contextlib
from typing import Any, Final

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, ExtBot

from bot.domain.reminders import (
    CheckInAnswer,
    Reminder,
    ReminderOff,
    ReminderSpec,
    format_days,
    parse_reminder,
)
from bot.errors import UserInputError
from bot.handlers.context import Context
from bot.handlers.profile_flow import CANCEL_WORDS
from bot.handlers.render import send_html
from bot.handlers.users import language_of
from bot.i18n import t
from bot.services.broadcast import DeliveryOutcome
from bot.services.reminders import NeedsTimezone
from bot.text.markdown import escape
from bot.transport.telegram_errors import delivery_outcome

BULK: Final = {"bulk": True}
AWAITING_TZ: Final = "reminder_awaiting_timezone"  # the ReminderSpec waiting for a zone
AWAITING_CHAT: Final = "reminder_awaiting_chat"


class TelegramReminderPort:
    """Sends reminder texts as bulk traffic and reports what Telegram answered."""

    def __init__(self, bot: ExtBot[Any]) -> None:
        self._bot = bot

    async def send_reminder(self, chat_id: int, text: str) -> DeliveryOutcome:
        # Plain text: the text can hold a plan's focus, which the model wrote.
        return await self._send(chat_id, text)

    async def send_check_in(self, chat_id: int, text: str, language: str) -> DeliveryOutcome:
        return await self._send(chat_id, text, reply_markup=check_in_markup(language))

    async def _send(
        self, chat_id: int, text: str, reply_markup: InlineKeyboardMarkup | None = None
    ) -> DeliveryOutcome:
        try:
            await self._bot.send_message(
                chat_id, text, reply_markup=reply_markup, rate_limit_args=BULK
            )
        except TelegramError as error:
            return delivery_outcome(error)
        return DeliveryOutcome.SENT


CHECK_IN_PREFIX: Final = "ci"


def check_in_data(answer: CheckInAnswer) -> str:
    return f"{CHECK_IN_PREFIX}:{answer.value}"


def read_check_in_data(data: str) -> CheckInAnswer | None:
    prefix, _, value = data.partition(":")
    if prefix != CHECK_IN_PREFIX:
        return None
    try:
        return CheckInAnswer(value)
    except ValueError:
        return None


def check_in_markup(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, f"reminders.answer_{answer.value}"),
                    callback_data=check_in_data(answer),
                )
                for answer in CheckInAnswer
            ]
        ]
    )


async def check_in_button(update: Update, context: Context) -> None:
    """Keep the answer to the weekly check-in and say thanks."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    answer = read_check_in_data(query.data)
    await query.answer()
    if answer is None:
        return
    await context.services.reminders.answer_check_in(user.id, answer)
    language = language_of(update, context)
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)
    if query.message is not None:
        await context.bot.send_message(
            query.message.chat.id, t(language, f"reminders.thanks_{answer.value}")
        )


def _line(language: str, reminder: Reminder) -> str:
    return t(
        language,
        "reminders.line",
        kind=reminder.kind.value,
        days=format_days(reminder.weekdays),
        time=reminder.at.strftime("%H:%M"),
    )


async def remind_answer(update: Update, context: Context, chat_id: int, arguments: str) -> None:
    """/remind in ``chat_id``: the list, a new reminder, or reminders turned off."""
    user = update.effective_user
    if user is None:
        return
    language = language_of(update, context)
    service = context.services.reminders
    bot = context.bot
    if not arguments:
        zone_name, found = await service.reminders(user.id)
        if not found:
            await bot.send_message(chat_id, t(language, "reminders.none"))
            return
        lines = "\n".join(f"• {escape(_line(language, r))}" for r in found)
        title = t(language, "reminders.list", timezone=zone_name or "UTC")
        await send_html(
            bot,
            chat_id,
            f"<b>{escape(title)}</b>\n{lines}\n\n{escape(t(language, 'reminders.usage'))}",
        )
        return
    try:
        request = parse_reminder(arguments)
    except UserInputError as error:
        usage = t(language, "reminders.usage")
        await bot.send_message(chat_id, f"{t(language, error.message)}\n{usage}")
        return
    if isinstance(request, ReminderOff):
        removed = await service.off(user.id, request.kind)
        await bot.send_message(
            chat_id, t(language, "reminders.off" if removed else "reminders.none_to_remove")
        )
        return
    await _set(update, context, chat_id, request)


async def _set(update: Update, context: Context, chat_id: int, spec: ReminderSpec) -> None:
    language = language_of(update, context)
    user = update.effective_user
    assert user is not None
    result = await context.services.reminders.set(user.id, spec)
    if isinstance(result, NeedsTimezone):
        context.user_state[AWAITING_TZ] = spec
        context.user_state[AWAITING_CHAT] = chat_id
        await context.bot.send_message(chat_id, t(language, "reminders.ask_timezone"))
        return
    zone_name = await context.services.reminders.timezone(user.id)
    await context.bot.send_message(
        chat_id,
        t(language, "reminders.set", line=_line(language, result), timezone=zone_name or "UTC"),
    )


async def take_typed_answer(update: Update, context: Context) -> bool:
    """If the user was asked for their time zone, read this message as the answer."""
    spec = context.user_state.get(AWAITING_TZ)
    message = update.effective_message
    user = update.effective_user
    if not isinstance(spec, ReminderSpec) or message is None or message.text is None:
        return False
    if user is None or context.user_state.get(AWAITING_CHAT) != message.chat_id:
        return False
    language = language_of(update, context)
    if message.text.strip().lower() in CANCEL_WORDS:
        context.user_state.pop(AWAITING_TZ, None)
        context.user_state.pop(AWAITING_CHAT, None)
        await message.reply_text(t(language, "reminders.cancelled"))
        return True
    try:
        await context.services.reminders.set_timezone(user.id, message.text)
    except UserInputError as error:
        await message.reply_text(t(language, error.message))
        return True
    context.user_state.pop(AWAITING_TZ, None)
    context.user_state.pop(AWAITING_CHAT, None)
    await _set(update, context, message.chat_id, spec)
    return True


async def timezone_answer(update: Update, context: Context, chat_id: int, arguments: str) -> None:
    """/timezone in ``chat_id``: say the zone, or set the one in ``arguments``."""
    user = update.effective_user
    if user is None:
        return
    language = language_of(update, context)
    service = context.services.reminders
    if not arguments:
        current = await service.timezone(user.id)
        text = t(language, "reminders.timezone_is", timezone=current or "UTC")
        await context.bot.send_message(chat_id, text)
        return
    try:
        name = await service.set_timezone(user.id, arguments)
    except UserInputError as error:
        await context.bot.send_message(chat_id, t(language, error.message))
        return
    await context.bot.send_message(chat_id, t(language, "reminders.timezone_set", timezone=name))


def start_reminders(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start the reminder scheduler (it sends what came due while the bot was down)."""
    services = application.bot_data.services
    if services is not None:
        services.reminders.start(TelegramReminderPort(application.bot))


async def stop_reminders(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services = application.bot_data.services
    if services is not None:
        await services.reminders.stop()
