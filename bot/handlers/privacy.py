"""Personal answers go to the private chat with the sender, never to a group.

Health data (profile, BMI, logged sets, weigh-ins, charts, plans, reminders, exports) is
answered in the sender's private chat even when the command is typed in a group; the group
only sees where the answer went. A user who never opened a private chat with the bot gets a
link that opens one, and nothing is done for them until then.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    Message,
    Update,
)
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, Forbidden

from bot.handlers.arguments import command_arguments
from bot.handlers.context import Context
from bot.handlers.users import language_of
from bot.i18n import t

logger = logging.getLogger(__name__)

# (update, context, chat to answer in, the command's arguments)
PrivateAnswer = Callable[[Update, Context, int, str], Awaitable[None]]


def private_chat_link(context: Context, command: str) -> str:
    """A link that opens the private chat with the bot and repeats ``command`` there."""
    return f"https://t.me/{context.bot.username}?start={command}"


async def privately(update: Update, context: Context, command: str, answer: PrivateAnswer) -> None:
    """Run ``answer`` in the private chat with the sender; a group sees only a short notice."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    arguments = command_arguments(message.text or "")
    if message.chat.type == ChatType.PRIVATE:
        await answer(update, context, message.chat_id, arguments)
        return
    try:
        # Telegram refuses to start a conversation: asking first means nothing is done (no
        # weigh-in saved, no plan started) for someone who cannot get the answer yet.
        await context.bot.send_chat_action(user.id, ChatAction.TYPING)
        await answer(update, context, user.id, arguments)
    except (Forbidden, BadRequest) as error:
        logger.info("No private chat with user %s yet: %s", user.id, type(error).__name__)
        await offer_private_chat(message, context, language_of(update, context), command)
        return
    await message.reply_text(t(language_of(update, context), "privacy.sent_privately"))


async def offer_private_chat(
    message: Message, context: Context, language: str, command: str
) -> None:
    """Say in the group that this is answered privately, with a button that opens the chat."""
    await message.reply_text(
        t(language, "privacy.open_private_chat"),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(language, "privacy.button_open"),
                        url=private_chat_link(context, command),
                    )
                ]
            ]
        ),
    )


def in_private_chat(message: MaybeInaccessibleMessage | None) -> bool:
    """The message (or the message under a button) is in a private chat."""
    return message is not None and message.chat.type == ChatType.PRIVATE
