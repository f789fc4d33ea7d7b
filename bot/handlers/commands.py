"""User commands: /start /help /profile /bmi /units /reset /forget /export."""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError

from bot.domain.metrics import NOTE_BMI_LIMITS, format_body_report
from bot.errors import UserInputError
from bot.handlers import profile_flow
from bot.handlers.context import Context
from bot.handlers.render import edit_html
from bot.handlers.users import user_info
from bot.text.markdown import escape

logger = logging.getLogger(__name__)

DISCLAIMER = "General fitness information, not medical advice."

# (command, description) in menu order: the /help text and setMyCommands share them.
USER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Welcome and what I can do"),
    ("help", "Every command, one line each"),
    ("profile", "Show or set height, weight, age, goal"),
    ("bmi", "Your BMI and a healthy weight range"),
    ("exercise", "How to do an exercise, with a demo"),
    ("units", "Switch between metric and imperial"),
    ("reset", "Start a new conversation (profile stays)"),
    ("forget", "Delete everything I know about you"),
    ("export", "Download everything I store about you"),
    ("credits", "Who made the exercise demos"),
    ("app", "Open the app: profile, BMI, chart, exercises"),
)
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("broadcast", "Send a message to every user"),
    ("stats", "Users, messages, tokens, broadcasts"),
    ("setmedia", "Caption a GIF, video or photo to set a demo"),
)

WELCOME = (
    "Hi {name}! I'm <b>FitCoach</b>, your fitness coach right here in Telegram.\n"
    "<i>{disclaimer}</i>\n\n"
    "Ask me anything about training, or tell me about yourself first so my advice fits you: "
    "/profile (height, weight, age, goal). /help lists everything I can do."
)


def command_arguments(text: str) -> str:
    """What follows the command, whether a space or a new line separates them."""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def help_text(is_admin: bool) -> str:
    commands = USER_COMMANDS + (ADMIN_COMMANDS if is_admin else ())
    lines = [f"/{name} - {escape(description)}" for name, description in commands]
    return (
        "<b>What I can do</b>\n"
        + "\n".join(lines)
        + ("\n\nOr just write to me: I remember our conversation and your profile.")
    )


async def start(update: Update, context: Context) -> None:
    """Greet the user and invite them to set their profile."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    name = escape(update.effective_user.first_name or "there")
    if (
        update.effective_user.id in context.settings.admin_ids
        and message.chat.type == ChatType.PRIVATE
    ):
        # The launch could not set the admin menu before this admin's first chat with the bot.
        await set_admin_menu(context.bot, message.chat_id)
    await message.reply_text(
        WELCOME.format(name=name, disclaimer=DISCLAIMER),
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("Set up my profile", callback_data="pf:show")]]
        ),
    )


async def help_command(update: Update, context: Context) -> None:
    """List the commands (admins also see theirs)."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    # Admin commands work in the admin's private chat only, so only there are they listed.
    is_admin = (
        update.effective_user.id in context.settings.admin_ids
        and message.chat.type == ChatType.PRIVATE
    )
    await message.reply_text(help_text(is_admin), parse_mode=ParseMode.HTML)


async def profile(update: Update, context: Context) -> None:
    """Show the profile, or set it from key=value arguments (all or nothing)."""
    message = update.effective_message
    if message is None or message.text is None or update.effective_user is None:
        return
    arguments = command_arguments(message.text)
    if not arguments:
        await profile_flow.show_profile(update, context)
        return
    try:
        updated = await context.services.users.update_profile(user_info(update), arguments)
    except UserInputError as error:
        await message.reply_text(error.message)
        return
    await message.reply_text(
        profile_flow.profile_html(updated, "Saved. Your profile"), parse_mode=ParseMode.HTML
    )


async def bmi(update: Update, context: Context) -> None:
    """Show BMI, its class and the healthy range, or say what is missing."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    _, report = await context.services.users.body_report(update.effective_user.id)
    if report.bmi is None:
        missing = " and ".join(k for k in report.missing if k in ("height", "weight"))
        await message.reply_text(
            f"To work out your BMI I need your {missing}. Set it like this:\n"
            "<code>/profile height=180 cm weight=82.5 kg</code>\n"
            "(or <code>height=5'11\" weight=180 lb</code>)",
            parse_mode=ParseMode.HTML,
        )
        return
    lines = [escape(line) for line in format_body_report(report)]
    if NOTE_BMI_LIMITS not in report.notes:
        lines.append(escape(f"Note: {NOTE_BMI_LIMITS}"))
    text = "<b>Your numbers</b>\n" + "\n".join(lines) + f"\n\n<i>{DISCLAIMER}</i>"
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def units(update: Update, context: Context) -> None:
    """Switch the unit system: /units metric or /units imperial, or pick with a button."""
    message = update.effective_message
    if message is None or message.text is None or update.effective_user is None:
        return
    choice = command_arguments(message.text)
    if not choice:
        await message.reply_text(
            "Which units should I use?", reply_markup=profile_flow.choice_keyboard("units")
        )
        return
    try:
        updated = await context.services.users.set_field(user_info(update), "units", choice)
    except UserInputError as error:
        await message.reply_text(error.message)
        return
    await message.reply_text(
        profile_flow.profile_html(updated, f"Now using {updated.units.value} units"),
        parse_mode=ParseMode.HTML,
    )


async def reset(update: Update, context: Context) -> None:
    """Start a new conversation; the profile stays."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    await context.services.coach.reset(update.effective_user.id)
    await message.reply_text(
        "Fresh start: I've begun a new conversation. Your profile stays, and the old "
        "conversation is still in /export until you /forget."
    )


FORGET_KEYBOARD = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Yes, delete everything", callback_data="forget:yes")],
        [InlineKeyboardButton("Cancel", callback_data="forget:no")],
    ]
)


async def forget(update: Update, context: Context) -> None:
    """Ask for confirmation before deleting everything about the user."""
    message = update.effective_message
    if message is None:
        return
    await message.reply_text(
        "This deletes your profile, every conversation and everything else I store about you. "
        "It can't be undone. (/export first if you want a copy.)",
        reply_markup=FORGET_KEYBOARD,
    )


async def forget_button(update: Update, context: Context) -> None:
    """Delete everything on 'yes'; keep everything on 'cancel'."""
    query = update.callback_query
    if query is None or update.effective_user is None:
        return
    await query.answer()
    if query.data != "forget:yes":
        await edit_html(context.bot, query, "Okay, nothing was deleted.")
        return
    await context.services.users.forget(update.effective_user.id)
    if context.user_data is not None:
        context.user_data.clear()
    await edit_html(
        context.bot,
        query,
        "Done: everything I stored about you is deleted. If you write again, I'll start "
        "from scratch.",
    )


async def export(update: Update, context: Context) -> None:
    """Send a JSON document with everything stored about the user."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    user_id = update.effective_user.id
    document = await context.services.users.export(user_id)
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    await message.reply_document(
        InputFile(payload, filename=f"fitcoach-export-{user_id}.json"),
        caption="Everything I store about you. /forget deletes it all.",
    )


UNKNOWN = "I don't know that command. /help lists what I can do."


async def unknown_command(update: Update, context: Context) -> None:
    """Answer a command nobody handles; admin commands from non-admins land here too."""
    message = update.effective_message
    if message is None:
        return
    command = (message.text or "").split(maxsplit=1)[0]
    if message.chat.type == "private" or command.endswith(f"@{context.bot.username}"):
        await message.reply_text(UNKNOWN)


async def set_command_menu(bot: Any, admin_ids: frozenset[int]) -> None:
    """Publish the command menu; admins see theirs in their own chats only."""
    await bot.set_my_commands([BotCommand(name, text) for name, text in USER_COMMANDS])
    for admin_id in sorted(admin_ids):
        await set_admin_menu(bot, admin_id)


async def set_admin_menu(bot: Any, chat_id: int) -> None:
    """Show the admin commands in one admin's private chat (and nowhere else)."""
    admin_menu = [BotCommand(name, text) for name, text in USER_COMMANDS + ADMIN_COMMANDS]
    try:
        await bot.set_my_commands(admin_menu, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        # An admin who never opened a chat with the bot: the menu follows on their /start.
        logger.info("Admin menu not set for %s yet: %s", chat_id, error)
