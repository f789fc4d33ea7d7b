"""/app and the chat's menu button: both open the Mini App when WEB_APP_URL is set."""

from __future__ import annotations

import logging
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.handlers.context import Context
from bot.handlers.users import language_of
from bot.i18n import DEFAULT_LANGUAGE, t

logger = logging.getLogger(__name__)


async def open_app(update: Update, context: Context) -> None:
    """Answer with a button that opens the Mini App, or say it is not set up."""
    message = update.effective_message
    if message is None:
        return
    language = language_of(update, context)
    url = context.settings.web_app_url
    if url is None:
        await message.reply_text(t(language, "webapp.command.not_configured"))
        return
    if message.chat.type != ChatType.PRIVATE:
        # Telegram shows web app buttons in private chats only.
        await message.reply_text(t(language, "webapp.command.private_only"))
        return
    button = InlineKeyboardButton(t(language, "webapp.command.button"), web_app=WebAppInfo(url))
    await message.reply_text(
        t(language, "webapp.command.open_text"), reply_markup=InlineKeyboardMarkup([[button]])
    )


async def set_app_menu_button(bot: Any, url: str | None) -> None:
    """Make the menu button of private chats open the Mini App; a refusal only warns."""
    if url is None:
        return
    button = MenuButtonWebApp(t(DEFAULT_LANGUAGE, "webapp.menu_button"), WebAppInfo(url))
    try:
        await bot.set_chat_menu_button(menu_button=button)
    except TelegramError as error:
        logger.warning("Menu button not set to the Mini App (%s); /app still opens it", error)
