"""/exercise cards with demos, browsing by muscle group, /credits, /setmedia, demos under answers.

Which demo to send, from where, and what instead is ``DemoDelivery``'s decision; this module
renders the card and captions and implements its port with the Bot API (``TelegramDemos``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Final

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
    InputMediaVideo,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.domain.exercises import Exercise, MediaKind, normalise_muscle
from bot.errors import NotFoundError, UserInputError
from bot.handlers.commands import UNKNOWN, command_arguments
from bot.handlers.context import Context
from bot.services.catalog import Demo
from bot.services.delivery import (
    ByFileId,
    ByUpload,
    Caption,
    OutgoingMedia,
    Refused,
    SendResult,
    Sent,
    Unavailable,
)
from bot.text.limits import CAPTION_LIMIT
from bot.text.markdown import escape, split_html, truncate_html, visible_length
from bot.transport.telegram_errors import TelegramErrorKind, kind_of

logger = logging.getLogger(__name__)

PREFIX: Final = "ex"
# Telegram refuses a whole keyboard when one button's callback data passes 64 bytes.
_CALLBACK_BYTES: Final = 64
_GROUP_COLUMNS: Final = 3
_MAX_LISTED: Final = 60
# Telegram answers a media send after fetching or converting the file (a GIF becomes an MP4),
# which can take longer than PTB's 5 s default; giving up early would show the card's text
# while the demo still arrives, and its file_id would never be kept.
MEDIA_READ_TIMEOUT: Final = 20.0
SETMEDIA_CAPTION: Final = r"^/setmedia(?:@\w+)?(?:\s|$)"
SETMEDIA_HELP: Final = (
    "Send a GIF, video or photo with the caption <code>/setmedia exercise name</code> "
    "(or reply to one with that command). It becomes the exercise's first demo."
)


# --- rendering --------------------------------------------------------------------------------


def card_html(exercise: Exercise) -> str:
    """Name, muscles, equipment and cues of one exercise."""
    muscles = ", ".join(exercise.primary_muscles)
    if exercise.secondary_muscles:
        muscles += f" (also {', '.join(exercise.secondary_muscles)})"
    equipment = ", ".join(exercise.equipment) or "none"
    cues = "\n".join(f"• {escape(cue)}" for cue in exercise.cues)
    return (
        f"<b>{escape(exercise.name)}</b>\n"
        f"Muscles: {escape(muscles)}\n"
        f"Equipment: {escape(equipment)} · Level: {escape(exercise.level)}\n\n"
        f"{cues}"
    )


def caption_html(exercise: Exercise, demos: Sequence[Demo], *, card: bool) -> tuple[str, bool]:
    """The caption for demos of an exercise, and whether it holds the whole card.

    Credits are added for licences that ask for them (CC BY, CC BY-SA); the card is used
    when it fits under Telegram's 1024-character caption limit with them, else the name.
    """
    credits: list[str] = []
    for demo in demos:
        line = demo.credit()
        if demo.needs_credit and line not in credits:
            credits.append(line)
    credit_html = "".join(f"\n<i>{escape(line)}</i>" for line in credits)
    if card:
        full = card_html(exercise) + "\n" + credit_html if credits else card_html(exercise)
        if visible_length(full) <= CAPTION_LIMIT:
            return full, True
    return truncate_html(f"<b>{escape(exercise.name)}</b>{credit_html}", CAPTION_LIMIT), False


def _button(text: str, data: str) -> InlineKeyboardButton | None:
    if len(data.encode("utf-8")) > _CALLBACK_BYTES:
        return None
    return InlineKeyboardButton(text, callback_data=data)


def _exercise_rows(exercises: Sequence[Exercise]) -> list[list[InlineKeyboardButton]]:
    buttons = (_button(e.name, f"{PREFIX}:x:{e.slug}") for e in exercises)
    return [[button] for button in buttons if button is not None]


def _groups_markup(groups: Sequence[str]) -> InlineKeyboardMarkup:
    buttons = [b for b in (_button(g, f"{PREFIX}:m:{g}") for g in groups) if b is not None]
    rows = [
        buttons[start : start + _GROUP_COLUMNS] for start in range(0, len(buttons), _GROUP_COLUMNS)
    ]
    return InlineKeyboardMarkup(rows)


def _muscle_page(group: str, exercises: Sequence[Exercise]) -> tuple[str, InlineKeyboardMarkup]:
    rows = _exercise_rows(exercises[:_MAX_LISTED])
    text = f"Exercises for {escape(group)}:" if rows else f"No exercises for {escape(group)} yet."
    if len(exercises) > _MAX_LISTED:
        text += f"\n({len(exercises) - _MAX_LISTED} more: type /exercise and a name.)"
    rows.append([InlineKeyboardButton("« Muscle groups", callback_data=f"{PREFIX}:g")])
    return text, InlineKeyboardMarkup(rows)


BROWSE_TEXT: Final = (
    "Pick a muscle group, or type /exercise and a name, e.g. /exercise goblet squat."
)


# --- commands ---------------------------------------------------------------------------------


async def exercise(update: Update, context: Context) -> None:
    """Show an exercise card with its demo; without a name, browse by muscle group."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    query = command_arguments(message.text)
    media = context.services.media
    if not query:
        await message.reply_text(BROWSE_TEXT, reply_markup=_groups_markup(media.muscle_groups()))
        return
    result = media.lookup(query)
    if result.exercise is not None:
        await send_card(context, message.chat_id, result.exercise)
        return
    group = normalise_muscle(query)
    if group is not None:
        text, markup = _muscle_page(group, media.by_muscle(group))
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    text = f"I don't know an exercise called “{escape(query[:60])}”."
    if result.suggestions:
        names = "\n".join(f"• {escape(s.name)}" for s in result.suggestions)
        text += f"\nDid you mean:\n{names}"
    else:
        text += "\nTry /exercise without a name to browse by muscle group."
    rows = _exercise_rows(result.suggestions)
    await message.reply_text(
        text,
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(rows) if rows else None,
    )


async def on_button(update: Update, context: Context) -> None:
    """Muscle group → its exercises; « → the groups again; exercise → its card."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    _, kind, value = [*query.data.split(":", 2), "", ""][:3]
    media = context.services.media
    chat_id = query.message.chat.id
    if kind in ("m", "g"):
        await query.answer()
        if kind == "g":
            text, markup = BROWSE_TEXT, _groups_markup(media.muscle_groups())
        else:
            try:
                listed = media.by_muscle(value)
            except UserInputError:  # a button from an older version of the bot
                listed = []
            text, markup = _muscle_page(value, listed)
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        except BadRequest as error:
            # Too old to edit, or already showing this page: a new message does the same job.
            logger.info("Browse page not edited (%s): sending it anew", error.message)
            if kind_of(error) is not TelegramErrorKind.MESSAGE_NOT_MODIFIED:
                await context.bot.send_message(
                    chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
                )
        return
    found = media.exercise(value) if kind == "x" else None
    if found is None:
        await query.answer("That exercise is no longer in the catalog.")
        return
    await query.answer()
    await send_card(context, chat_id, found)


async def credits(update: Update, context: Context) -> None:
    """List the authors and licences of every demo the bot shows."""
    message = update.effective_message
    if message is None:
        return
    media = context.services.media
    lines: list[str] = []
    current = ""
    for credit in await media.credits():
        if credit.exercise.slug != current:
            current = credit.exercise.slug
            lines.append(f"\n<b>{escape(credit.exercise.name)}</b>")
        lines.append(f"• {escape(credit.demo.credit())}")
    text = "<b>Exercise demos and their authors</b>\n" + (
        "\n".join(lines) if lines else "No demos yet."
    )
    notes = []
    if "wger" in media.sources or any("wger.de" in line for line in lines):
        notes.append("Exercise names and demos from wger.de (CC BY-SA 4.0 unless noted).")
    if "free-exercise-db" in media.sources:
        notes.append("Some exercise descriptions come from free-exercise-db (Unlicense).")
    if notes:
        text += "\n\n" + "\n".join(f"<i>{escape(note)}</i>" for note in notes)
    for chunk in split_html(text):
        await message.reply_text(chunk, parse_mode=ParseMode.HTML)


# --- admin uploads ----------------------------------------------------------------------------


def _upload_of(message: Message | None) -> tuple[MediaKind, str] | None:
    """The kind and file_id of the GIF, video or photo in a message."""
    if message is None:
        return None
    if message.animation is not None:
        return "animation", message.animation.file_id
    if message.video is not None:
        return "video", message.video.file_id
    if message.photo:
        return "photo", message.photo[-1].file_id
    return None


async def set_media(update: Update, context: Context) -> None:
    """Store an admin's GIF, video or photo as the first demo of the named exercise."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    upload = _upload_of(message) or _upload_of(message.reply_to_message)
    query = command_arguments(message.caption or message.text or "")
    if upload is None or not query:
        await message.reply_text(SETMEDIA_HELP, parse_mode=ParseMode.HTML)
        return
    media = context.services.media
    result = media.lookup(query)
    if result.exercise is None:
        text = f"No exercise called “{escape(query[:60])}”: nothing saved."
        if result.suggestions:
            names = ", ".join(escape(s.name) for s in result.suggestions)
            text += f" Did you mean: {names}?"
        await message.reply_text(text, parse_mode=ParseMode.HTML)
        return
    kind, file_id = upload
    try:
        await media.set_admin_media(result.exercise.slug, kind, file_id, user.full_name)
    except NotFoundError:
        await message.reply_text("That exercise is no longer in the catalog: nothing saved.")
        return
    name = escape(result.exercise.name)
    await message.reply_text(
        f"Saved: this {kind} is now the first demo of <b>{name}</b>. "
        f"Check it with /exercise {name}.",
        parse_mode=ParseMode.HTML,
    )


async def refuse_set_media(update: Update, context: Context) -> None:
    """Answer /setmedia from anyone but an admin as any unknown command is answered."""
    message = update.effective_message
    if message is None:
        return
    command = (message.caption or message.text or "").split(maxsplit=1)
    addressed = bool(command) and command[0].endswith(f"@{context.bot.username}")
    if message.chat.type == ChatType.PRIVATE or addressed:
        await message.reply_text(UNKNOWN)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add /setmedia (admins, in private chats); call before the chat and unknown handlers."""
    settings = application.bot_data.settings
    admin_ids = sorted(settings.admin_ids) if settings is not None else []
    admins = filters.User(user_id=admin_ids) & filters.ChatType.PRIVATE
    messages = filters.UpdateType.MESSAGE
    captioned = (
        messages
        & (filters.ANIMATION | filters.VIDEO | filters.PHOTO)
        & filters.CaptionRegex(SETMEDIA_CAPTION)
    )
    application.add_handler(MessageHandler(captioned & admins, set_media))
    application.add_handler(MessageHandler(captioned & ~admins, refuse_set_media))
    application.add_handler(CommandHandler("setmedia", set_media, admins & messages))


# --- sending demos ----------------------------------------------------------------------------


class TelegramDemos:
    """The demo port: sends what ``DemoDelivery`` decided, and says what Telegram answered.

    GIFs and silent MP4s go by sendAnimation, videos by sendVideo, photos by sendPhoto, albums
    by sendMediaGroup; a file is given as a file_id, a URL or uploaded bytes.
    """

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    def caption(self, exercise: Exercise, demos: Sequence[Demo], *, card: bool) -> Caption:
        html, holds_card = caption_html(exercise, demos, card=card)
        return Caption(html, holds_card)

    async def send_media(self, chat_id: int, media: OutgoingMedia, caption: str) -> SendResult:
        source = _input(media)
        try:
            if media.kind == "animation":
                message = await self._bot.send_animation(
                    chat_id,
                    source,
                    caption=caption,
                    parse_mode=ParseMode.HTML,
                    read_timeout=MEDIA_READ_TIMEOUT,
                )
            elif media.kind == "video":
                message = await self._bot.send_video(
                    chat_id,
                    source,
                    caption=caption,
                    parse_mode=ParseMode.HTML,
                    read_timeout=MEDIA_READ_TIMEOUT,
                )
            else:
                message = await self._bot.send_photo(
                    chat_id,
                    source,
                    caption=caption,
                    parse_mode=ParseMode.HTML,
                    read_timeout=MEDIA_READ_TIMEOUT,
                )
        except Exception as error:  # the port never raises: a demo must not cost the answer
            return _failure(error)
        return Sent((_file_id_of(message, media.kind),))

    async def send_album(
        self, chat_id: int, media: Sequence[OutgoingMedia], caption: str
    ) -> SendResult:
        items: list[InputMediaPhoto | InputMediaVideo] = []
        for index, item in enumerate(media):
            first = index == 0
            kind = InputMediaVideo if item.kind == "video" else InputMediaPhoto
            items.append(
                kind(
                    _input(item),
                    caption=caption if first else None,
                    parse_mode=ParseMode.HTML if first else None,
                )
            )
        try:
            messages = await self._bot.send_media_group(
                chat_id, items, read_timeout=MEDIA_READ_TIMEOUT
            )
        except Exception as error:
            return _failure(error)
        pairs = zip(messages, media, strict=False)
        return Sent(tuple(_file_id_of(message, item.kind) for message, item in pairs))

    async def send_card(self, chat_id: int, exercise: Exercise) -> bool:
        try:
            for chunk in split_html(card_html(exercise)):
                await self._bot.send_message(chat_id, chunk, parse_mode=ParseMode.HTML)
        except TelegramError as error:
            logger.warning("Card of %s not sent to %s: %s", exercise.slug, chat_id, error)
            return False
        return True


async def send_card(context: Context, chat_id: int, exercise: Exercise) -> None:
    """The exercise's card with its demo: as the demo's caption when it fits, else after it."""
    await context.services.demos.send_card(TelegramDemos(context.bot), chat_id, exercise)


async def send_demos(context: Context, chat_id: int, exercises: Sequence[Exercise]) -> None:
    """Send each exercise's first working demo under an answer, credited."""
    await context.services.demos.send_for_answer(TelegramDemos(context.bot), chat_id, exercises)


def _input(media: OutgoingMedia) -> str | InputFile:
    source = media.source
    if isinstance(source, ByUpload):
        return InputFile(source.data, filename=source.filename, attach=True)
    if isinstance(source, ByFileId):
        return source.file_id
    return source.url


def _failure(error: Exception) -> Refused | Unavailable:
    """Telegram refused the file itself, or the send failed for another reason."""
    if isinstance(error, BadRequest) and _refused_media(error):
        return Refused(error.message)
    if isinstance(error, TelegramError):
        return Unavailable(f"{type(error).__name__}: {error.message}")
    logger.warning("Demo send failed unexpectedly", exc_info=error)
    return Unavailable(type(error).__name__)


def _refused_media(error: BadRequest) -> bool:
    """Whether Telegram refused the file or URL itself (not our caption or the chat)."""
    return kind_of(error) is TelegramErrorKind.MEDIA_REFUSED


def _file_id_of(message: Message, kind: MediaKind) -> str | None:
    """The file_id Telegram gave the sent file, to send it by id next time."""
    if kind == "animation" and message.animation is not None:
        return message.animation.file_id
    if kind == "video" and message.video is not None:
        return message.video.file_id
    if kind == "photo" and message.photo:
        return message.photo[-1].file_id
    return None
