"""The one error handler: log the detail, tell the user something plain."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.handlers.context import Context

logger = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its traceback and apologise to the user, never showing the error."""
    logger.error("Error while handling an update", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if isinstance(context.error, Forbidden):
        return
    try:
        await context.bot.send_message(update.effective_chat.id, APOLOGY)
    except TelegramError as exc:
        logger.warning("Could not send the apology: %s", exc)
