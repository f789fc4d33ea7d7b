"""/exercise cards with demos, browsing by muscle group, /credits, /setmedia, demos under answers.

Which demo to send, from where, and what instead is ``DemoDelivery``'s decision; this module
renders the card and captions and implements its port with the Bot API (``TelegramDemos``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
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
from telegram.ext import Application, MessageHandler, filters

from bot.catalog.credits import SourceCredit
from bot.domain.exercises import Exercise, MediaKind, normalise_muscle
from bot.errors import NotFoundError, UserInputError
from bot.handlers.arguments import command_arguments
from bot.handlers.context import Context
from bot.handlers.users import admin_filter, language_of, remembered_language
from bot.i18n import DEFAULT_LANGUAGE, localise, quoted, t
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
from bot.text.quote import excerpt
from bot.transport.telegram_errors import TelegramErrorKind, kind_of

logger = logging.getLogger(__name__)

PREFIX: Final = "ex"
# Telegram refuses a whole keyboard when one button's callback data passes 64 bytes.
_CALLBACK_BYTES: Final = 64
_GROUP_COLUMNS: Final = 3
_MAX_LISTED: Final = 60
_MAX_VARIANTS: Final = 8
# Marks an exercise with a demo in the browse lists.
DEMO_MARK: Final = "▶"
# Telegram answers a media send after fetching or converting the file (a GIF becomes an MP4),
# which can take longer than PTB's 5 s default; giving up early would show the card's text
# while the demo still arrives, and its file_id would never be kept.
MEDIA_READ_TIMEOUT: Final = 20.0
SETMEDIA_CAPTION: Final = r"^/setmedia(?:@\w+)?(?:\s|$)"


# --- rendering --------------------------------------------------------------------------------


def card_html(exercise: Exercise, language: str = DEFAULT_LANGUAGE) -> str:
    """Name, muscles, equipment and cues of one exercise (the catalog's own words stay as is)."""
    muscles = ", ".join(exercise.primary_muscles)
    if exercise.secondary_muscles:
        secondary = ", ".join(exercise.secondary_muscles)
        muscles = t(language, "exercise.card_also", primary=muscles, secondary=secondary)
    equipment = ", ".join(exercise.equipment) or t(language, "exercise.no_equipment")
    cues = "\n".join(f"• {escape(cue)}" for cue in exercise.cues)
    level = t(language, f"exercise.level.{exercise.level}")
    details = t(language, "exercise.card_equipment", equipment=equipment, level=level)
    return (
        f"<b>{escape(exercise.name)}</b>\n"
        f"{escape(t(language, 'exercise.card_muscles', muscles=muscles))}\n"
        f"{escape(details)}\n\n"
        f"{cues}"
    )


def caption_html(
    exercise: Exercise,
    demos: Sequence[Demo],
    *,
    card: bool,
    language: str = DEFAULT_LANGUAGE,
) -> tuple[str, bool]:
    """The caption for demos of an exercise, and whether it holds the whole card.

    Credits are added for licences that ask for them (CC BY, CC BY-SA); the card is used
    when it fits under Telegram's 1024-character caption limit with them, else the name.
    """
    credits: list[str] = []
    for demo in demos:
        line = localise(language, demo.credit())
        if demo.needs_credit and line not in credits:
            credits.append(line)
    credit_html = "".join(f"\n<i>{escape(line)}</i>" for line in credits)
    if card:
        text = card_html(exercise, language)
        full = text + "\n" + credit_html if credits else text
        if visible_length(full) <= CAPTION_LIMIT:
            return full, True
    return truncate_html(f"<b>{escape(exercise.name)}</b>{credit_html}", CAPTION_LIMIT), False


def _button(text: str, data: str) -> InlineKeyboardButton | None:
    if len(data.encode("utf-8")) > _CALLBACK_BYTES:
        return None
    return InlineKeyboardButton(text, callback_data=data)


def _exercise_rows(
    exercises: Sequence[Exercise], shows_demo: Callable[[Exercise], bool] | None = None
) -> list[list[InlineKeyboardButton]]:
    """One button per exercise; with ``shows_demo``, those with a demo are marked."""
    buttons = (
        _button(
            f"{DEMO_MARK} {e.name}" if shows_demo is not None and shows_demo(e) else e.name,
            f"{PREFIX}:x:{e.slug}",
        )
        for e in exercises
    )
    return [[button] for button in buttons if button is not None]


def _group_rows(groups: Sequence[str]) -> list[list[InlineKeyboardButton]]:
    buttons = [b for b in (_button(g, f"{PREFIX}:m:{g}") for g in groups) if b is not None]
    return [
        buttons[start : start + _GROUP_COLUMNS] for start in range(0, len(buttons), _GROUP_COLUMNS)
    ]


def _groups_markup(groups: Sequence[str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(_group_rows(groups))


def _muscle_page(
    group: str,
    exercises: Sequence[Exercise],
    language: str,
    shows_demo: Callable[[Exercise], bool],
) -> tuple[str, InlineKeyboardMarkup]:
    rows = _exercise_rows(exercises[:_MAX_LISTED], shows_demo)
    key = "exercise.for_group" if rows else "exercise.none_for_group"
    text = escape(t(language, key, group=group))
    if len(exercises) > _MAX_LISTED:
        more = t(language, "exercise.more", count=len(exercises) - _MAX_LISTED)
        text += f"\n{escape(more)}"
    back = t(language, "exercise.button_groups")
    rows.append([InlineKeyboardButton(back, callback_data=f"{PREFIX}:g")])
    return text, InlineKeyboardMarkup(rows)


# --- commands ---------------------------------------------------------------------------------


async def exercise(update: Update, context: Context) -> None:
    """Show an exercise card with its demo; without a name, browse by muscle group."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    language = language_of(update, context)
    query = command_arguments(message.text)
    media = context.services.media
    if not query:
        await message.reply_text(
            t(language, "exercise.browse"), reply_markup=_groups_markup(media.muscle_groups())
        )
        return
    language = language_of(update, context)
    result = media.lookup(query)
    if result.exercise is not None:
        await send_card(context, message.chat_id, result.exercise)
        variants = _exercise_rows(result.variants[:_MAX_VARIANTS], media.shows_demo)
        if variants:
            await message.reply_text(
                t(language, "exercises.variants"), reply_markup=InlineKeyboardMarkup(variants)
            )
        return
    group = normalise_muscle(query)
    if group is not None:
        text, markup = _muscle_page(group, media.by_muscle(group), language, media.shows_demo)
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    # Nothing named: the closest names when any is close, and the muscle-group browser.
    text = t(language, "exercises.unknown", query=escape(excerpt(query)))
    if result.suggestions:
        names = "\n".join(f"• {escape(s.name)}" for s in result.suggestions)
        text += "\n" + t(language, "exercises.did_you_mean") + "\n" + names
    text += "\n\n" + t(language, "exercises.browse_offer")
    rows = _exercise_rows(result.suggestions) + _group_rows(media.muscle_groups())
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup(rows)
    )


async def on_button(update: Update, context: Context) -> None:
    """Muscle group → its exercises; « → the groups again; exercise → its card."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    language = language_of(update, context)
    _, kind, value = [*query.data.split(":", 2), "", ""][:3]
    media = context.services.media
    chat_id = query.message.chat.id
    if kind in ("m", "g"):
        await query.answer()
        if kind == "g":
            text = escape(t(language, "exercise.browse"))
            markup = _groups_markup(media.muscle_groups())
        else:
            try:
                listed = media.by_muscle(value)
            except UserInputError:  # a button from an older version of the bot
                listed = []
            text, markup = _muscle_page(value, listed, language, media.shows_demo)
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
        await query.answer(t(language, "exercise.gone"))
        return
    await query.answer()
    await send_card(context, chat_id, found)


async def credits(update: Update, context: Context) -> None:
    """List the authors and licences of every demo the bot shows."""
    message = update.effective_message
    if message is None:
        return
    language = language_of(update, context)
    media = context.services.media
    lines: list[str] = []
    current = ""
    for credit in await media.credits():
        if credit.exercise.slug != current:
            current = credit.exercise.slug
            lines.append(f"\n<b>{escape(credit.exercise.name)}</b>")
        lines.append(f"• {escape(localise(language, credit.demo.credit()))}")
    text = f"<b>{escape(t(language, 'credits.title'))}</b>\n" + (
        "\n".join(lines) if lines else escape(t(language, "credits.none"))
    )
    sources = media.source_credits()
    if sources:
        language = language_of(update, context)
        rendered = "\n".join(_source_line(language, source) for source in sources)
        text += f"\n\n<b>{escape(t(language, 'exercises.credits_sources'))}</b>\n{rendered}"
    notes = []
    if "wger" in media.sources or any("wger.de" in line for line in lines):
        notes.append(t(language, "credits.wger"))
    if "free-exercise-db" in media.sources:
        notes.append(t(language, "credits.free_exercise_db"))
    if notes:
        text += "\n\n" + "\n".join(f"<i>{escape(note)}</i>" for note in notes)
    for chunk in split_html(text):
        await message.reply_text(chunk, parse_mode=ParseMode.HTML)


def _source_line(language: str, source: SourceCredit) -> str:
    """``• Everkinetic (everkinetic.com), CC BY-SA 4.0, animated from two drawings (licence,
    source, commit 446bb9a)`` with the licence and the source as links."""
    links: list[str] = []
    if source.license_url:
        label = escape(t(language, "exercises.credits_licence"))
        links.append(f'<a href="{escape(source.license_url)}">{label}</a>')
    if source.source_url:
        label = escape(t(language, "exercises.credits_source"))
        links.append(f'<a href="{escape(source.source_url)}">{label}</a>')
    if source.commit:
        links.append(escape(t(language, "exercises.credits_commit", commit=source.commit[:12])))
    line = f"• {escape(source.line)}"
    return f"{line} ({', '.join(links)})" if links else line


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
    language = language_of(update, context)
    upload = _upload_of(message) or _upload_of(message.reply_to_message)
    query = command_arguments(message.caption or message.text or "")
    if upload is None or not query:
        await message.reply_text(t(language, "setmedia.help"), parse_mode=ParseMode.HTML)
        return
    media = context.services.media
    result = media.lookup(query)
    if result.exercise is None:
        shown = quoted(query).render(language)
        text = escape(t(language, "setmedia.unknown", shown=shown))
        if result.suggestions:
            names = ", ".join(s.name for s in result.suggestions)
            text += escape(t(language, "setmedia.did_you_mean", names=names))
        await message.reply_text(text, parse_mode=ParseMode.HTML)
        return
    kind, file_id = upload
    try:
        await media.set_admin_media(result.exercise.slug, kind, file_id, user.full_name)
    except NotFoundError:
        await message.reply_text(t(language, "setmedia.gone"))
        return
    name = escape(result.exercise.name)
    saved = t(language, "setmedia.saved", kind=t(language, f"setmedia.kind.{kind}"), name=name)
    await message.reply_text(saved, parse_mode=ParseMode.HTML)


async def refuse_set_media(update: Update, context: Context) -> None:
    """Answer /setmedia from anyone but an admin as any unknown command is answered."""
    message = update.effective_message
    if message is None:
        return
    command = (message.caption or message.text or "").split(maxsplit=1)
    addressed = bool(command) and command[0].endswith(f"@{context.bot.username}")
    if message.chat.type == ChatType.PRIVATE or addressed:
        await message.reply_text(t(language_of(update, context), "unknown.command"))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add /setmedia (admins, in private chats); call before the chat and unknown handlers."""
    admins = admin_filter(application.bot_data.settings)
    messages = filters.UpdateType.MESSAGE
    captioned = (
        messages
        & (filters.ANIMATION | filters.VIDEO | filters.PHOTO)
        & filters.CaptionRegex(SETMEDIA_CAPTION)
    )
    application.add_handler(MessageHandler(captioned & admins, set_media))
    application.add_handler(MessageHandler(captioned & ~admins, refuse_set_media))


# --- sending demos ----------------------------------------------------------------------------


class TelegramDemos:
    """The demo port: sends what ``DemoDelivery`` decided, and says what Telegram answered.

    GIFs and silent MP4s go by sendAnimation, videos by sendVideo, photos by sendPhoto, albums
    by sendMediaGroup; a file is given as a file_id, a URL or uploaded bytes.
    """

    def __init__(self, bot: Bot, language: str = DEFAULT_LANGUAGE) -> None:
        self._bot = bot
        self._language = language

    def caption(self, exercise: Exercise, demos: Sequence[Demo], *, card: bool) -> Caption:
        html, holds_card = caption_html(exercise, demos, card=card, language=self._language)
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
            for chunk in split_html(card_html(exercise, self._language)):
                await self._bot.send_message(chat_id, chunk, parse_mode=ParseMode.HTML)
        except TelegramError as error:
            logger.warning("Card of %s not sent to %s: %s", exercise.slug, chat_id, error)
            return False
        return True


async def send_card(context: Context, chat_id: int, exercise: Exercise) -> None:
    """The exercise's card with its demo: as the demo's caption when it fits, else after it."""
    port = TelegramDemos(context.bot, remembered_language(context))
    await context.services.demos.send_card(port, chat_id, exercise)


async def send_demos(context: Context, chat_id: int, exercises: Sequence[Exercise]) -> None:
    """Send each exercise's first working demo under an answer, credited."""
    port = TelegramDemos(context.bot, remembered_language(context))
    await context.services.demos.send_for_answer(port, chat_id, exercises)


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
