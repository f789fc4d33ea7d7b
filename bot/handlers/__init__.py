"""Telegram layer: parse updates, call one service method, render the answer."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, TypeHandler

from bot.handlers import commands
from bot.handlers.errors import on_error


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Attach every handler; group -1 records the sender before any other handler runs."""
    application.add_handler(TypeHandler(Update, commands.record_user), group=-1)
    application.add_handler(CommandHandler("start", commands.start))
    application.add_handler(CommandHandler("help", commands.help_command))
    application.add_error_handler(on_error)
