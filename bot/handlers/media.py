"""Voice notes, audio and photos: fetched from Telegram, then answered by the coach like text."""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.errors import DownloadError
from bot.handlers.chat import answer_as_coach
from bot.handlers.context import Context
from bot.handlers.users import addressed_to_bot, language_of, seconds, user_info
from bot.i18n import t
from bot.services.coach import ChatRequest
from bot.services.senses import Fetch, Outcome, Photo, VoiceNote
from bot.text.limits import MESSAGE_LIMIT
from bot.text.markdown import escape

_VOICE_TEXTS = {
    Outcome.OFF: "media.voice_off",
    Outcome.TOO_BIG: "media.too_big",
    Outcome.OVER_LIMIT: "media.over_limit",
    Outcome.EMPTY: "media.voice_empty",
    Outcome.FAILED: "media.voice_failed",
}
_PHOTO_TEXTS = {
    Outcome.OFF: "media.photo_off",
    Outcome.TOO_BIG: "media.too_big",
    Outcome.OVER_LIMIT: "media.over_limit",
    Outcome.NO_VISION: "media.photo_no_vision",
    Outcome.FAILED: "media.photo_failed",
}
# Room for the microphone and the ellipsis when a transcript is shown in one message.
_TRANSCRIPT_SHOWN = MESSAGE_LIMIT - 10


async def voice(update: Update, context: Context) -> None:
    """Transcribe a voice note or audio file, show the transcript, answer it as typed text."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    if not addressed_to_bot(message, context.bot.username, context.bot.id):
        return
    sound = message.voice or message.audio
    if sound is None:
        return
    language = language_of(update, context)
    senses = context.services.senses
    file_name = (message.audio.file_name if message.audio else None) or "voice.ogg"
    note = VoiceNote(
        user=user_info(update),
        duration=seconds(sound.duration),
        file_size=sound.file_size,
        file_name=file_name,
    )
    transcript = await senses.transcribe(note, _fetcher(context, sound.file_id))
    if transcript.outcome is Outcome.TOO_LONG:
        await message.reply_text(
            t(
                language,
                "media.voice_too_long",
                seconds=note.duration,
                limit=senses.max_voice_seconds,
            )
        )
        return
    if transcript.outcome is not Outcome.OK:
        await message.reply_text(t(language, _VOICE_TEXTS[transcript.outcome]))
        return
    await message.reply_text(
        t(language, "media.transcript", text=escape(_one_line(transcript.text))),
        parse_mode=ParseMode.HTML,
    )
    request = ChatRequest(user=user_info(update), text=transcript.text, kind="voice")
    await answer_as_coach(context, message, request)


async def photo(update: Update, context: Context) -> None:
    """Show the coach a photo (the largest size) or an image file, with its caption."""
    message = update.effective_message
    if message is None or update.effective_user is None:
        return
    if not addressed_to_bot(message, context.bot.username, context.bot.id):
        return
    found = _image_of(message)
    if found is None:
        return
    file_id, file_size, mime_type = found
    caption = message.caption or ""
    if context.bot.username:
        caption = caption.replace(f"@{context.bot.username}", "").strip()
    language = language_of(update, context)
    seen = await context.services.senses.look(
        Photo(user=user_info(update), mime_type=mime_type, file_size=file_size, caption=caption),
        _fetcher(context, file_id),
    )
    if seen.outcome is not Outcome.OK:
        await message.reply_text(t(language, _PHOTO_TEXTS[seen.outcome]))
        return
    request = ChatRequest(user=user_info(update), text=seen.text, kind="photo", image=seen.image)
    await answer_as_coach(context, message, request)


def _image_of(message: Message) -> tuple[str, int | None, str] | None:
    """The file id, size and MIME type of the photo's largest size or of an image file."""
    if message.photo:
        largest = message.photo[-1]
        return largest.file_id, largest.file_size, "image/jpeg"  # Telegram re-encodes photos
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return document.file_id, document.file_size, document.mime_type or "image/jpeg"
    return None


def _fetcher(context: Context, file_id: str) -> Fetch:
    async def fetch() -> bytes:
        try:
            file = await context.bot.get_file(file_id)
            return bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            raise DownloadError(f"Telegram did not hand over the file: {exc}") from exc

    return fetch


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    if len(line) > _TRANSCRIPT_SHOWN:
        line = line[: _TRANSCRIPT_SHOWN - 1] + "…"
    return line
