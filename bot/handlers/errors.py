"""The one error handler: log the detail, tell the user something plain."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.handlers.context import Context
from bot.handlers.users import language_of
from bot.i18n import t
from bot.transport.telegram_errors import TelegramErrorKind, kind_of

logger = logging.getLogger(__name__)


def apology_for(update: Update, context: Context) -> str:
    """The apology in the user's chosen or app language where we have it, English otherwise."""
    return t(language_of(update, context), "error.apology")


def describe_update(update: object) -> str:
    """Which update failed, for the log: its kind, user and chat, never what the user wrote."""
    if not isinstance(update, Update):
        return "a job or an update of unknown shape"
    kind = next(
        (name for name in Update.ALL_TYPES if getattr(update, name, None) is not None), "update"
    )
    user = update.effective_user.id if update.effective_user is not None else None
    chat = update.effective_chat.id if update.effective_chat is not None else None
    return f"update {update.update_id} ({kind}) from user {user} in chat {chat}"


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its traceback and apologise to the user, never showing the error."""
    logger.error("Error while handling %s", describe_update(update), exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if context.error is not None and kind_of(context.error) is TelegramErrorKind.BLOCKED:
        return  # the user blocked the bot: nobody to apologise to
    try:
        if update.callback_query is not None:
            # Stop the button's spinner; it fails harmlessly if the tap was answered already.
            await update.callback_query.answer()
    except TelegramError as exc:
        logger.debug("The tap was answered already: %s", exc)
    except Exception as exc:  # the error handler must not fail itself
        logger.warning("Could not answer the tap: %r", exc)
    try:
        await context.bot.send_message(update.effective_chat.id, apology_for(update, context))
    except TelegramError as exc:
        logger.warning("Could not send the apology: %s", exc)
    except Exception as exc:  # an answer PTB cannot read, a client closing at shutdown
        logger.warning("Could not send the apology: %r", exc)
