"""The guided /profile flow: buttons for choices, typed answers for numbers."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.domain.metrics import NOTE_BMI_LIMITS, BodyReport, format_body_report
from bot.domain.profile import Activity, Goal, Profile, ProfileChange, Sex, format_profile
from bot.domain.units import UnitSystem
from bot.errors import UserInputError
from bot.handlers.context import Context
from bot.handlers.privacy import in_private_chat, private_chat_link
from bot.handlers.render import edit_buttons, edit_html, send_html
from bot.handlers.users import language_of, user_info
from bot.i18n import t
from bot.text.markdown import escape

logger = logging.getLogger(__name__)

PREFIX = "pf"
AWAITING = "profile_awaiting"
AWAITING_CHAT = "profile_awaiting_chat"
CANCEL_WORDS = frozenset({"cancel", "stop", "отмена", "стоп", "cancelar", "abbrechen", "stopp"})

QUESTIONS = ("height", "weight", "age", "waist")
# field -> (catalog key of the button label, value) per choice
CHOICES: dict[str, list[tuple[str, str]]] = {
    "sex": [("profile.sex_male", Sex.MALE.value), ("profile.sex_female", Sex.FEMALE.value)],
    "units": [
        ("profile.units_metric", UnitSystem.METRIC.value),
        ("profile.units_imperial", UnitSystem.IMPERIAL.value),
    ],
    "goal": [(f"goal.{goal.value}", goal.value) for goal in Goal],
    "activity": [(f"activity.{level.value}", level.value) for level in Activity],
}


def error_text(language: str, error: UserInputError) -> str:
    """A user-input error in the reader's language, with what they typed echoed back."""
    return error.text.render(language)


def profile_html(
    profile: Profile,
    language: str,
    title_key: str = "profile.title",
    *,
    title: str | None = None,
    typed_in: Mapping[str, UnitSystem] | None = None,
) -> str:
    lines = "\n".join(escape(line) for line in format_profile(profile, language, typed_in))
    heading = title if title is not None else t(language, title_key)
    return f"<b>{escape(heading)}</b>\n{lines}"


def change_html(
    change: ProfileChange,
    language: str,
    title_key: str = "profile.title_saved",
    *,
    title: str | None = None,
) -> str:
    """The saved profile, values echoed as typed, and a line when the units were switched."""
    html = profile_html(change.profile, language, title_key, title=title, typed_in=change.typed_in)
    if change.switched:
        html += f"\n\n{escape(t(language, 'small.units_switched'))}"
    return html


def bmi_html(report: BodyReport, language: str) -> str:
    """/bmi: the numbers with their notes, or how to give what is missing."""
    if report.bmi is None:
        needed = [
            t(language, f"field.{k}").lower() for k in report.missing if k in ("height", "weight")
        ]
        missing = f" {t(language, 'bmi.and')} ".join(needed)
        return (
            f"{escape(t(language, 'bmi.need', missing=missing))}\n"
            "<code>/profile height=180 cm weight=82.5 kg</code>\n"
            f"({escape(t(language, 'bmi.or'))} <code>height=5'11\" weight=180 lb</code>)"
        )
    lines = [escape(line) for line in format_body_report(report, language)]
    if NOTE_BMI_LIMITS not in report.notes:
        lines.append(escape(t(language, "metrics.note", note=NOTE_BMI_LIMITS.render(language))))
    disclaimer = escape(t(language, "start.disclaimer"))
    return (
        f"<b>{escape(t(language, 'bmi.title'))}</b>\n"
        + "\n".join(lines)
        + f"\n\n<i>{disclaimer}</i>"
    )


def _guide(language: str) -> str:
    return t(language, "profile.guide")


def main_keyboard(language: str) -> InlineKeyboardMarkup:
    def button(key: str, data: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(t(language, key), callback_data=f"{PREFIX}:{data}")

    return InlineKeyboardMarkup(
        [
            [
                button("field.height", "ask:height"),
                button("field.weight", "ask:weight"),
                button("field.age", "ask:age"),
            ],
            [
                button("field.sex", "menu:sex"),
                button("field.units", "menu:units"),
                button("field.goal", "menu:goal"),
            ],
            [button("field.activity", "menu:activity"), button("field.waist", "ask:waist")],
            [button("profile.button_done", "done")],
        ]
    )


def choice_keyboard(field: str, language: str) -> InlineKeyboardMarkup:
    """The choices of one field in the guided flow, with Back to the profile's buttons."""
    rows = [
        [InlineKeyboardButton(t(language, key), callback_data=f"{PREFIX}:set:{field}:{value}")]
        for key, value in CHOICES[field]
    ]
    rows.append(
        [InlineKeyboardButton(t(language, "profile.button_back"), callback_data=f"{PREFIX}:back")]
    )
    return InlineKeyboardMarkup(rows)


UNITS_PREFIX = "units"
UNITS_PATTERN = rf"^{UNITS_PREFIX}:"


def units_keyboard(language: str) -> InlineKeyboardMarkup:
    """/units on its own: the two systems, and nothing else (the choice ends it)."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t(language, key), callback_data=f"{UNITS_PREFIX}:{value}")]
            for key, value in CHOICES["units"]
        ]
    )


def units_choice(data: str) -> str | None:
    """The system a /units button stands for, or None for data it never produced."""
    prefix, _, value = data.partition(":")
    known = {value for _, value in CHOICES["units"]}
    return value if prefix == UNITS_PREFIX and value in known else None


async def show_profile(update: Update, context: Context, chat_id: int | None = None) -> None:
    """Show the stored profile with the buttons of the guided flow (in ``chat_id`` if given)."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    language = language_of(update, context)
    profile = await context.services.users.profile(update.effective_user.id)
    await context.bot.send_message(
        message.chat_id if chat_id is None else chat_id,
        _panel_html(profile, language),
        parse_mode=ParseMode.HTML,
        reply_markup=main_keyboard(language),
    )


def _panel_html(profile: Profile, language: str) -> str:
    return f"{profile_html(profile, language)}\n\n{_guide(language)}"


async def on_button(update: Update, context: Context) -> None:
    """Handle a tap in the guided flow (double taps and taps on old messages included)."""
    query = update.callback_query
    if query is None or query.data is None or update.effective_user is None:
        return
    if not in_private_chat(query.message):
        # The profile is personal: a tap in a group (under /start there) opens the private chat.
        await query.answer(url=private_chat_link(context, "profile"))
        return
    language = language_of(update, context)
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "ask" and len(parts) == 3 and parts[2] in QUESTIONS:
        await query.answer()
        if query.message is not None:
            context.user_state[AWAITING] = parts[2]
            context.user_state[AWAITING_CHAT] = query.message.chat.id
            question = t(language, f"profile.ask.{parts[2]}")
            await context.bot.send_message(
                query.message.chat.id, f"{question}\n{t(language, 'profile.ask_cancel')}"
            )
        return
    if action == "menu" and len(parts) == 3 and parts[2] in CHOICES:
        await query.answer()
        await edit_buttons(
            context.bot,
            query,
            choice_keyboard(parts[2], language),
            html_if_gone=escape(t(language, f"profile.choose.{parts[2]}")),
        )
        return
    if action == "show":
        await query.answer()
        if query.message is not None:
            profile = await context.services.users.profile(update.effective_user.id)
            await send_html(
                context.bot,
                query.message.chat.id,
                _panel_html(profile, language),
                reply_markup=main_keyboard(language),
            )
        return
    if action == "back":
        await query.answer()
        profile = await context.services.users.profile(update.effective_user.id)
        await edit_buttons(
            context.bot,
            query,
            main_keyboard(language),
            html_if_gone=_panel_html(profile, language),
        )
        return
    if action == "done":
        await query.answer(t(language, "profile.saved"))
        await edit_buttons(context.bot, query, None)
        return
    if action == "set" and len(parts) == 4 and parts[2] in CHOICES:
        try:
            change = await context.services.users.set_field(user_info(update), parts[2], parts[3])
        except UserInputError as error:
            await query.answer(error_text(language, error)[:190], show_alert=True)
            return
        profile = change.profile
        await query.answer(t(language, "profile.saved"))
        await edit_html(
            context.bot,
            query,
            _panel_html(profile, language),
            reply_markup=main_keyboard(language),
        )
        return
    await query.answer(t(language, "profile.stale_button"))


async def take_typed_answer(update: Update, context: Context) -> bool:
    """If the user was asked for a number, read this message as the answer."""
    field = context.user_state.get(AWAITING)
    message = update.effective_message
    if field is None or message is None or message.text is None:
        return False
    if context.user_state.get(AWAITING_CHAT) != message.chat_id:
        return False  # asked in another chat (a group, say): this message is not the answer
    language = language_of(update, context)
    text = message.text.strip()
    if text.lower() in CANCEL_WORDS:
        _stop_asking(context)
        await message.reply_text(t(language, "profile.cancelled"))
        return True
    try:
        change = await context.services.users.set_field(user_info(update), field, text)
    except UserInputError as error:
        await message.reply_text(
            t(language, "profile.try_again", error=error_text(language, error))
        )
        return True
    _stop_asking(context)
    await message.reply_text(
        change_html(change, language),
        parse_mode=ParseMode.HTML,
        reply_markup=main_keyboard(language),
    )
    return True


def _stop_asking(context: Context) -> None:
    context.user_state.pop(AWAITING, None)
    context.user_state.pop(AWAITING_CHAT, None)
