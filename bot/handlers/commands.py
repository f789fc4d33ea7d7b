"""The one table of commands, and the user commands: /start /help /profile /bmi /units ...

Each row of COMMANDS drives the handler registration, /help, the command menu in every
language and the README check; adding a command is adding a row (and its catalog texts).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, filters

from bot.domain.profile import Profile
from bot.errors import UserInputError
from bot.handlers import (
    admin,
    exercises,
    language,
    plans,
    profile_flow,
    reminders,
    training,
    webapp,
)
from bot.handlers.arguments import command_arguments
from bot.handlers.context import Context
from bot.handlers.privacy import (
    PrivateAnswer,
    in_private_chat,
    private_chat_link,
    privately,
)
from bot.handlers.render import edit_html
from bot.handlers.users import admin_filter, is_admin, language_of, user_info
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from bot.text.markdown import escape

logger = logging.getLogger(__name__)


async def start(update: Update, context: Context) -> None:
    """Greet the user and invite them to set their profile."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    lang = language_of(update, context)
    name = escape(update.effective_user.first_name or t(lang, "start.stranger"))
    if is_admin(update, context):
        # The launch could not set the admin menu before this admin's first chat with the bot.
        await set_admin_menu(context.bot, message.chat_id, lang)
    await message.reply_text(
        t(lang, "start.welcome", name=name, disclaimer=t(lang, "start.disclaimer")),
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(t(lang, "start.button_profile"), callback_data="pf:show")]]
        ),
    )
    # A group's "open a private chat" link (t.me/<bot>?start=<command>) carries on here.
    payload = command_arguments(message.text or "")
    # It runs without the arguments typed in the group: they were not acted on.
    command = _BY_NAME.get(payload)
    if (
        command is not None
        and command.personal is not None
        and message.chat.type == ChatType.PRIVATE
    ):
        await command.personal(update, context, message.chat_id, "")


async def help_command(update: Update, context: Context) -> None:
    """List the commands (admins, in their private chat, also see theirs)."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    private = message.chat.type == ChatType.PRIVATE
    lang = language_of(update, context)
    text = help_text(lang, admin=is_admin(update, context), private=private)
    await message.reply_text(text, parse_mode=ParseMode.HTML)


async def _profile_answer(update: Update, context: Context, chat_id: int, arguments: str) -> None:
    """/profile: show it with the guided flow, or set it from key=value pairs (all or nothing)."""
    if update.effective_user is None:
        return
    if not arguments:
        await profile_flow.show_profile(update, context, chat_id)
        return
    lang = language_of(update, context)
    try:
        change = await context.services.users.update_profile(user_info(update), arguments)
    except UserInputError as error:
        await context.bot.send_message(chat_id, profile_flow.error_text(lang, error))
        return
    await context.bot.send_message(
        chat_id, profile_flow.change_html(change, lang), parse_mode=ParseMode.HTML
    )


async def _bmi_answer(update: Update, context: Context, chat_id: int, arguments: str) -> None:
    """/bmi: BMI, its class and the healthy range, or what is missing to compute it."""
    if update.effective_user is None:
        return
    _, report = await context.services.users.body_report(update.effective_user.id)
    await context.bot.send_message(
        chat_id,
        profile_flow.bmi_html(report, language_of(update, context)),
        parse_mode=ParseMode.HTML,
    )


async def _units_answer(update: Update, context: Context, chat_id: int, choice: str) -> None:
    """/units metric|imperial, or the two buttons to pick from."""
    if update.effective_user is None:
        return
    lang = language_of(update, context)
    if not choice:
        await context.bot.send_message(
            chat_id, t(lang, "units.ask"), reply_markup=profile_flow.units_keyboard(lang)
        )
        return
    try:
        change = await context.services.users.set_field(user_info(update), "units", choice)
    except UserInputError as error:
        await context.bot.send_message(chat_id, profile_flow.error_text(lang, error))
        return
    await context.bot.send_message(
        chat_id, _units_html(change.profile, lang), parse_mode=ParseMode.HTML
    )


def _units_html(updated: Profile, lang: str) -> str:
    title = t(lang, "units.now", units=t(lang, f"units.{updated.units.value}"))
    return profile_flow.profile_html(updated, lang, title=title)


async def units_button(update: Update, context: Context) -> None:
    """Apply the system tapped under /units and end there: no profile buttons follow."""
    query = update.callback_query
    if query is None or query.data is None or update.effective_user is None:
        return
    if not in_private_chat(query.message):
        await query.answer(url=private_chat_link(context, "units"))
        return
    lang = language_of(update, context)
    choice = profile_flow.units_choice(query.data)
    if choice is None:
        await expired_button(update, context)
        return
    change = await context.services.users.set_field(user_info(update), "units", choice)
    await query.answer(t(lang, "profile.saved"))
    await edit_html(context.bot, query, _units_html(change.profile, lang))


async def reset(update: Update, context: Context) -> None:
    """Start a new conversation; the profile stays."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    await context.services.coach.reset(update.effective_user.id, user_info(update).group_chat_id)
    await message.reply_text(t(language_of(update, context), "reset.done"))


FORGET_PREFIX = "forget"


def forget_data(answer: str, user_id: int) -> str:
    """A /forget button's data: the answer and who asked (only they may press it)."""
    return f"{FORGET_PREFIX}:{answer}:{user_id}"


def parse_forget_data(data: str) -> tuple[str, int | None]:
    """The answer and the asker of a /forget button (no asker on buttons made before)."""
    parts = data.split(":")
    answer = parts[1] if len(parts) > 1 else ""
    asker = int(parts[2]) if len(parts) > 2 and parts[2].lstrip("-").isdigit() else None
    return answer, asker


def forget_keyboard(lang: str, user_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "forget.button_yes"), callback_data=forget_data("yes", user_id)
                )
            ],
            [
                InlineKeyboardButton(
                    t(lang, "forget.button_cancel"), callback_data=forget_data("no", user_id)
                )
            ],
        ]
    )


async def forget(update: Update, context: Context) -> None:
    """Ask for confirmation before deleting everything about the user."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    lang = language_of(update, context)
    await message.reply_text(
        t(lang, "forget.confirm"), reply_markup=forget_keyboard(lang, update.effective_user.id)
    )


async def forget_button(update: Update, context: Context) -> None:
    """Delete everything on 'yes'; keep everything on 'cancel'. Only the asker may answer."""
    query = update.callback_query
    if query is None or update.effective_user is None:
        return
    lang = language_of(update, context)
    answer, asker = parse_forget_data(query.data or "")
    chat = query.message.chat if query.message is not None else None
    private = chat is not None and chat.type == ChatType.PRIVATE
    # In a group anyone can see the button; a button without its asker is trusted in private only.
    if asker != update.effective_user.id and not (asker is None and private):
        await query.answer(t(lang, "privacy.not_your_button"), show_alert=True)
        return
    await query.answer()
    if answer != "yes":
        await edit_html(context.bot, query, t(lang, "forget.kept"))
        return
    await context.services.users.forget(update.effective_user.id)
    if context.user_data is not None:
        context.user_data.clear()
    await edit_html(context.bot, query, t(lang, "forget.done"))


async def _export_answer(update: Update, context: Context, chat_id: int, arguments: str) -> None:
    """/export: a JSON document with everything stored about the user."""
    if update.effective_user is None:
        return
    user_id = update.effective_user.id
    document = await context.services.users.export(user_id)
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    await context.bot.send_document(
        chat_id,
        InputFile(payload, filename=f"fitcoach-export-{user_id}.json"),
        caption=t(language_of(update, context), "export.caption"),
    )


async def unknown_command(update: Update, context: Context) -> None:
    """Answer a command nobody handles; admin commands from non-admins land here too."""
    message = update.effective_message
    if message is None:
        return
    command = (message.text or "").split(maxsplit=1)[0]
    if message.chat.type == ChatType.PRIVATE or command.endswith(f"@{context.bot.username}"):
        await message.reply_text(t(language_of(update, context), "unknown.command"))


async def expired_button(update: Update, context: Context) -> None:
    """Answer a tap no handler knows (an old keyboard, forged data) so the spinner stops."""
    query = update.callback_query
    if query is None:
        return
    await query.answer(t(language_of(update, context), "small.expired_button"))


# ---------------------------------------------------------------------------------------------
# The table


class Scope(StrEnum):
    """Where a command works and is listed."""

    ALL = "all"  # every chat, groups included
    PRIVATE = "private"  # private chats only
    PERSONAL = "personal"  # every chat; answered in the sender's private chat (health data)


Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class Command:
    """One command: its name, handler, catalog key of its one-line description, who and where.

    A personal command has ``personal``, its answer in a given chat; ``callback`` runs it
    through ``privately``, so typed in a group it is answered in the sender's private chat.
    """

    name: str
    callback: Callback
    description_key: str
    admin: bool = False
    scope: Scope = Scope.ALL
    personal: PrivateAnswer | None = None


def _personal(name: str, answer: PrivateAnswer, description_key: str) -> Command:
    async def callback(update: Update, context: Context) -> None:
        await privately(update, context, name, answer)

    return Command(name, callback, description_key, scope=Scope.PERSONAL, personal=answer)


# Menu and /help order. Admin commands always work in the admin's private chat only.
COMMANDS: tuple[Command, ...] = (
    Command("start", start, "command.start"),
    Command("help", help_command, "command.help"),
    _personal("profile", _profile_answer, "command.profile"),
    _personal("bmi", _bmi_answer, "command.bmi"),
    Command("exercise", exercises.exercise, "command.exercise"),
    _personal("plan", plans.plan_answer, "command.plan"),
    _personal("today", plans.today_answer, "command.today"),
    _personal("remind", reminders.remind_answer, "command.remind"),
    _personal("timezone", reminders.timezone_answer, "command.timezone"),
    _personal("log", training.log_answer, "command.log"),
    _personal("weight", training.weight_answer, "command.weight"),
    _personal("progress", training.progress_answer, "command.progress"),
    _personal("units", _units_answer, "command.units"),
    Command("language", language.language, "command.language"),
    Command("reset", reset, "command.reset"),
    Command("forget", forget, "command.forget"),
    _personal("export", _export_answer, "command.export"),
    Command("credits", exercises.credits, "command.credits"),
    Command("app", webapp.open_app, "webapp.command.description"),
    Command("broadcast", admin.broadcast_command, "command.broadcast", admin=True),
    Command("stats", admin.stats_command, "command.stats", admin=True),
    Command("setmedia", exercises.set_media, "command.setmedia", admin=True),
)
_BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}


def listed(*, admin: bool, private: bool) -> list[Command]:
    """The commands an admin or not sees, in a private chat or not, in table order."""
    return [
        command
        for command in COMMANDS
        if (admin or not command.admin) and (private or command.scope is not Scope.PRIVATE)
    ]


def help_text(language: str, *, admin: bool, private: bool = True) -> str:
    """/help: one line per command the reader can use here."""
    commands = listed(admin=admin, private=private)
    lines = [f"/{c.name} - {escape(t(language, c.description_key))}" for c in commands]
    return (
        f"<b>{escape(t(language, 'help.title'))}</b>\n"
        + "\n".join(lines)
        + f"\n\n{escape(t(language, 'help.footer'))}"
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add a handler per row; admin rows answer admins in private chats only.

    A refused admin command falls through to the unknown-command handler, so a non-admin
    cannot tell it exists; admin.log_refused records the attempt first.
    """
    admins = admin_filter(application.bot_data.settings)
    messages = filters.UpdateType.MESSAGE
    for command in COMMANDS:
        if command.admin:
            application.add_handler(
                CommandHandler(command.name, command.callback, admins & messages)
            )
        elif command.scope is Scope.PRIVATE:
            private = filters.ChatType.PRIVATE & messages
            application.add_handler(CommandHandler(command.name, command.callback, private))
        else:
            # CommandHandler also takes edited messages: an edited command is not run again
            # (edits are never re-answered; chat.edited says so once).
            application.add_handler(CommandHandler(command.name, command.callback, messages))
    admin_names = [command.name for command in COMMANDS if command.admin]
    application.add_handler(
        CommandHandler(admin_names, admin.log_refused, messages & ~admins),
        group=admin.AUDIT_GROUP,
    )


_BACKGROUND: dict[str, Any] = {"bulk": True}


def _menu(language: str, commands: list[Command]) -> list[BotCommand]:
    return [BotCommand(c.name, t(language, c.description_key)) for c in commands]


def _language_code(language: str) -> str | None:
    """Telegram's fallback list has no language code; ours is English."""
    return None if language == DEFAULT_LANGUAGE else language


async def set_command_menu(
    bot: Any, admin_ids: frozenset[int], admin_languages: Mapping[int, str] | None = None
) -> None:
    """Publish the command menu in every language; admins see theirs in their own chats only.

    An admin's menu is in their language (``admin_languages``, English when unknown): one
    request per admin keeps a launch's burst of requests small.
    """
    everyone = listed(admin=False, private=False)
    private = listed(admin=False, private=True)
    for lang in LANGUAGES:
        code = _language_code(lang)
        # Background work: paced with broadcasts, so a launch adds no burst to a resumed one.
        await bot.set_my_commands(
            _menu(lang, everyone), language_code=code, rate_limit_args=_BACKGROUND
        )
        if private != everyone:
            await bot.set_my_commands(
                _menu(lang, private),
                scope=BotCommandScopeAllPrivateChats(),
                language_code=code,
                rate_limit_args=_BACKGROUND,
            )
    for admin_id in sorted(admin_ids):
        language = (admin_languages or {}).get(admin_id, DEFAULT_LANGUAGE)
        await set_admin_menu(bot, admin_id, language)


async def set_admin_menu(bot: Any, chat_id: int, language: str) -> None:
    """Show the admin commands in one admin's private chat (and nowhere else), in their language.

    A chat scope without a language code covers every app language in that chat.
    """
    try:
        menu = _menu(language, listed(admin=True, private=True))
        await bot.set_my_commands(menu, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        # An admin who never opened a chat with the bot: the menu follows on their /start.
        logger.info("Admin menu not set for %s yet: %s", chat_id, error)
