"""/language: the user picks the language FitCoach answers in, over their Telegram app's."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.handlers.context import Context
from bot.handlers.render import edit_html
from bot.handlers.users import LANGUAGE_KEY, language_of, user_info
from bot.i18n import LANGUAGE_NAMES, LANGUAGES, normalise_language, t

PREFIX = "lang"
CALLBACK_PATTERN = rf"^{PREFIX}:"


def pack(language: str) -> str:
    """The callback data of the button choosing ``language``."""
    return f"{PREFIX}:{language}"


def unpack(data: str | None) -> str | None:
    """The language a button's data chooses, or None for stale or foreign data."""
    prefix, _, language = (data or "").partition(":")
    return language if prefix == PREFIX and language in LANGUAGES else None


def keyboard() -> InlineKeyboardMarkup:
    """One button per language, each named in its own language."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(LANGUAGE_NAMES[language], callback_data=pack(language))
                for language in LANGUAGES
            ]
        ]
    )


async def language(update: Update, context: Context) -> None:
    """Offer the languages as buttons, or switch at once: /language de."""
    message = update.effective_message
    if message is None or message.text is None or update.effective_user is None:
        return
    parts = message.text.split(maxsplit=1)
    argument = parts[1].strip() if len(parts) > 1 else ""
    if not argument:
        await message.reply_text(
            t(language_of(update, context), "language.ask"), reply_markup=keyboard()
        )
        return
    chosen = normalise_language(argument) or _by_name(argument)
    if chosen is None:
        choices = ", ".join(LANGUAGES)
        await message.reply_text(
            t(
                language_of(update, context),
                "language.unknown",
                value=argument[:40],
                choices=choices,
            ),
            reply_markup=keyboard(),
        )
        return
    await _choose(update, context, chosen)
    await message.reply_text(t(chosen, "language.saved"))


async def on_button(update: Update, context: Context) -> None:
    """Store the language whose button was tapped and confirm in it."""
    query = update.callback_query
    if query is None or update.effective_user is None:
        return
    chosen = unpack(query.data)
    if chosen is None:
        await query.answer()
        return
    await _choose(update, context, chosen)
    await query.answer()
    await edit_html(context.bot, query, t(chosen, "language.saved"))


async def _choose(update: Update, context: Context, chosen: str) -> None:
    await context.services.users.set_language(user_info(update), chosen)
    context.user_state[LANGUAGE_KEY] = chosen


def _by_name(text: str) -> str | None:
    """``Deutsch``, ``русский``: a language written as its own name."""
    folded = text.strip().casefold()
    return next((code for code, name in LANGUAGE_NAMES.items() if name.casefold() == folded), None)
