"""The guided /profile flow: buttons for choices, typed answers for numbers."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.domain.profile import Activity, Goal, Profile, Sex, format_profile
from bot.domain.units import UnitSystem
from bot.errors import UserInputError
from bot.handlers.context import Context
from bot.handlers.render import edit_buttons, edit_html, send_html
from bot.handlers.users import user_info
from bot.text.markdown import escape

logger = logging.getLogger(__name__)

PREFIX = "pf"
AWAITING = "profile_awaiting"
AWAITING_CHAT = "profile_awaiting_chat"
CANCEL_WORDS = frozenset({"cancel", "stop", "отмена", "cancelar", "abbrechen"})

QUESTIONS = {
    "height": "What's your height? For example 180 cm, 1.80 m, 5'11\" or 5 ft 11.",
    "weight": "What's your weight? For example 82.5 kg, 180 lb or 12 st 4 lb.",
    "age": "How old are you? For example 34.",
    "waist": "What's your waist? Measure at the navel: for example 84 cm or 33 in.",
}
CHOICES: dict[str, list[tuple[str, str]]] = {
    "sex": [("Male", Sex.MALE.value), ("Female", Sex.FEMALE.value)],
    "units": [("Metric (cm, kg)", UnitSystem.METRIC.value), ("Imperial (ft, lb)", "imperial")],
    "goal": [(goal.label, goal.value) for goal in Goal],
    "activity": [(level.label, level.value) for level in Activity],
}
GUIDE = (
    "Tap a button to set a field, or set several at once, for example:\n"
    "<code>/profile height=180 cm weight=82.5 kg age=34 sex=female goal=lose "
    "activity=moderate</code>"
)


def profile_html(profile: Profile, title: str = "Your profile") -> str:
    lines = "\n".join(escape(line) for line in format_profile(profile))
    return f"<b>{escape(title)}</b>\n{lines}"


def main_keyboard() -> InlineKeyboardMarkup:
    def button(label: str, data: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=f"{PREFIX}:{data}")

    return InlineKeyboardMarkup(
        [
            [
                button("Height", "ask:height"),
                button("Weight", "ask:weight"),
                button("Age", "ask:age"),
            ],
            [button("Sex", "menu:sex"), button("Units", "menu:units"), button("Goal", "menu:goal")],
            [button("Activity", "menu:activity"), button("Waist", "ask:waist")],
            [button("Done", "done")],
        ]
    )


def choice_keyboard(field: str) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(label, callback_data=f"{PREFIX}:set:{field}:{value}")]
        for label, value in CHOICES[field]
    ]
    rows.append([InlineKeyboardButton("« Back", callback_data=f"{PREFIX}:back")])
    return InlineKeyboardMarkup(rows)


async def show_profile(update: Update, context: Context) -> None:
    """Show the stored profile with the buttons of the guided flow."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    profile = await context.services.users.profile(update.effective_user.id)
    await message.reply_text(
        f"{profile_html(profile)}\n\n{GUIDE}",
        parse_mode=ParseMode.HTML,
        reply_markup=main_keyboard(),
    )


def _panel_html(profile: Profile) -> str:
    return f"{profile_html(profile)}\n\n{GUIDE}"


async def on_button(update: Update, context: Context) -> None:
    """Handle a tap in the guided flow (double taps and taps on old messages included)."""
    query = update.callback_query
    if query is None or query.data is None or update.effective_user is None:
        return
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    if action == "ask" and len(parts) == 3 and parts[2] in QUESTIONS:
        await query.answer()
        if query.message is not None:
            context.user_state[AWAITING] = parts[2]
            context.user_state[AWAITING_CHAT] = query.message.chat.id
            await context.bot.send_message(
                query.message.chat.id, f"{QUESTIONS[parts[2]]}\n(Send “cancel” to stop.)"
            )
        return
    if action == "menu" and len(parts) == 3 and parts[2] in CHOICES:
        await query.answer()
        await edit_buttons(
            context.bot,
            query,
            choice_keyboard(parts[2]),
            html_if_gone=f"Choose your {escape(parts[2])}:",
        )
        return
    if action == "show":
        await query.answer()
        if query.message is not None:
            profile = await context.services.users.profile(update.effective_user.id)
            await send_html(
                context.bot,
                query.message.chat.id,
                _panel_html(profile),
                reply_markup=main_keyboard(),
            )
        return
    if action == "back":
        await query.answer()
        profile = await context.services.users.profile(update.effective_user.id)
        await edit_buttons(context.bot, query, main_keyboard(), html_if_gone=_panel_html(profile))
        return
    if action == "done":
        await query.answer("Saved.")
        await edit_buttons(context.bot, query, None)
        return
    if action == "set" and len(parts) == 4 and parts[2] in CHOICES:
        try:
            profile = await context.services.users.set_field(user_info(update), parts[2], parts[3])
        except UserInputError as error:
            await query.answer(error.message[:190], show_alert=True)
            return
        await query.answer("Saved.")
        await edit_html(context.bot, query, _panel_html(profile), reply_markup=main_keyboard())
        return
    await query.answer("That button is no longer active: send /profile again.")


async def take_typed_answer(update: Update, context: Context) -> bool:
    """If the user was asked for a number, read this message as the answer."""
    field = context.user_state.get(AWAITING)
    message = update.effective_message
    if field is None or message is None or message.text is None:
        return False
    if context.user_state.get(AWAITING_CHAT) != message.chat_id:
        return False  # asked in another chat (a group, say): this message is not the answer
    text = message.text.strip()
    if text.lower() in CANCEL_WORDS:
        _stop_asking(context)
        await message.reply_text("Okay, your profile stays as it was.")
        return True
    try:
        profile = await context.services.users.set_field(user_info(update), field, text)
    except UserInputError as error:
        await message.reply_text(f"{error.message}\n\nTry again, or send “cancel”.")
        return True
    _stop_asking(context)
    await message.reply_text(
        profile_html(profile, "Saved. Your profile"),
        parse_mode=ParseMode.HTML,
        reply_markup=main_keyboard(),
    )
    return True


def _stop_asking(context: Context) -> None:
    context.user_state.pop(AWAITING, None)
    context.user_state.pop(AWAITING_CHAT, None)
