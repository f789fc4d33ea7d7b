"""Who sent an update, recorded before any other handler runs, and the inbound rate limit."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, filters

from bot.config import Settings
from bot.handlers.context import Context
from bot.i18n import pick_language, t
from bot.services.limits import inbound_cost
from bot.services.users import UserInfo

logger = logging.getLogger(__name__)


def is_admin(update: Update, context: Context) -> bool:
    """The sender is an admin writing in a private chat, the only place admin commands work."""
    user = update.effective_user
    chat = update.effective_chat
    return (
        user is not None
        and user.id in context.settings.admin_ids
        and chat is not None
        and chat.type == ChatType.PRIVATE
    )


def admin_filter(settings: Settings | None) -> filters.BaseFilter:
    """Messages from an admin in a private chat; an empty ADMIN_IDS matches nobody."""
    admin_ids = sorted(settings.admin_ids) if settings is not None else []
    return filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE


def addressed_to_bot(message: Message, bot_username: str | None, bot_id: int) -> bool:
    """Private messages, and in groups commands, mentions of the bot and replies to it."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    text = message.text or message.caption or ""
    if text.startswith("/"):
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    return bool(bot_username) and f"@{bot_username}".lower() in text.lower()


def user_info(update: Update) -> UserInfo:
    """The sender as the services know them."""
    user = update.effective_user
    if user is None:
        raise ValueError("update without a user")
    chat = update.effective_chat
    private_chat = chat.id if chat is not None and chat.type == ChatType.PRIVATE else None
    group_chat = chat.id if chat is not None and chat.type != ChatType.PRIVATE else None
    return UserInfo(
        user_id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
        chat_id=private_chat,
        group_chat_id=group_chat,
    )


def language_of(update: Update, context: Context) -> str:
    """The language to answer this update's sender in: their choice, their app's, else English."""
    user = update.effective_user
    chosen = context.user_state.get(LANGUAGE_KEY)
    return pick_language(chosen, user.language_code if user is not None else None)


def _cost(message: Message) -> int:
    """Voice notes and photos count as several messages toward the rate limit."""
    sound = message.voice or message.audio
    image = bool(message.photo) or bool(
        message.document and (message.document.mime_type or "").startswith("image/")
    )
    return inbound_cost(voice_seconds=seconds(sound.duration) if sound else 0, images=int(image))


def seconds(duration: int | timedelta) -> int:
    """A media duration in whole seconds (PTB gives an int or, opted in, a timedelta)."""
    if isinstance(duration, timedelta):
        return round(duration.total_seconds())
    return duration


LANGUAGE_KEY = "language"
"""``context.user_state`` key of the user's chosen language (filled when it is known)."""
APP_LANGUAGE_KEY = "app_language"
"""``context.user_state`` key of the language of the user's Telegram app, as last seen."""


def remembered_language(context: Context) -> str:
    """The language of the user whose update is being handled, for code without the update."""
    state = context.user_state
    return pick_language(state.get(LANGUAGE_KEY), state.get(APP_LANGUAGE_KEY))


async def record_user(update: Update, context: Context) -> None:
    """Remember who wrote and hold back a user who floods the bot."""
    user = update.effective_user
    if user is None or user.is_bot:
        return
    if update.my_chat_member is not None:
        return  # block/unblock updates are handled by their own handler
    query = update.callback_query
    message = update.message or update.edited_message
    if (
        query is None
        and message is not None
        and not addressed_to_bot(message, context.bot.username, context.bot.id)
    ):
        # Group chatter the bot ignores: its members are not users, nothing of them is stored.
        return
    chosen = await context.services.users.record(user_info(update))
    context.user_state[APP_LANGUAGE_KEY] = user.language_code
    if chosen is not None:
        context.user_state[LANGUAGE_KEY] = chosen
    else:
        context.user_state.pop(LANGUAGE_KEY, None)
    if query is None and message is None:
        return
    # Everything a user can trigger counts: messages and commands, edits, button taps.
    # Counted before the rate limit: /stats tells how much users write, held back or not.
    await context.services.users.count_message(user.id)
    limiter = context.services.limits
    cost = _cost(message) if query is None and message is not None else 1
    if limiter.allow(user.id, cost):
        return
    logger.info("User %s is over the message rate limit", user.id)
    seconds = max(1, round(limiter.retry_after(user.id)))
    notice = t(language_of(update, context), "limits.slow_down", seconds=seconds)
    if query is not None:
        # A tap must be answered anyway (its button spins until then): the notice costs nothing.
        await query.answer(notice)
    elif message is not None and limiter.should_warn(user.id):
        await message.reply_text(notice)
    raise ApplicationHandlerStop
