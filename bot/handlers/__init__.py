"""Telegram layer: parse updates, call one service method, render the answer."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.handlers import (
    admin,
    chat,
    commands,
    exercises,
    language,
    media,
    plans,
    profile_flow,
    reminders,
    training,
)
from bot.handlers.errors import on_error
from bot.handlers.users import record_user


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach every handler; group -1 records the sender before any other handler runs."""
    application.add_handler(TypeHandler(Update, record_user), group=-1)
    admin.register(application)
    exercises.register(application)  # /setmedia captions: before chat's media handler
    commands.register(application)
    application.add_handler(CallbackQueryHandler(profile_flow.on_button, pattern=r"^pf:"))
    application.add_handler(CallbackQueryHandler(commands.forget_button, pattern=r"^forget:"))
    application.add_handler(CallbackQueryHandler(exercises.on_button, pattern=r"^ex:"))
    application.add_handler(CallbackQueryHandler(plans.on_button, pattern=r"^pl:"))
    application.add_handler(CallbackQueryHandler(reminders.check_in_button, pattern=r"^ci:"))
    application.add_handler(
        CallbackQueryHandler(language.on_button, pattern=language.CALLBACK_PATTERN)
    )
    application.add_handler(
        CallbackQueryHandler(training.on_button, pattern=rf"^{training.PREFIX}:")
    )
    application.add_handler(
        CallbackQueryHandler(commands.units_button, pattern=profile_flow.UNITS_PATTERN)
    )
    # Last of the buttons: a tap nobody above knows still gets an answer.
    application.add_handler(CallbackQueryHandler(commands.expired_button))
    application.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE, chat.edited))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, chat.chat)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & (filters.VOICE | filters.AUDIO), media.voice)
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & (filters.PHOTO | filters.Document.IMAGE), media.photo
        )
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
            chat.other_content,
        )
    )
    # Last in its group: any command nobody above took (admin commands for non-admins too).
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, commands.unknown_command)
    )
    application.add_error_handler(on_error)
