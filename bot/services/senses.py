"""Voice notes and photos before they reach the coach: limits, transcription, a photo's note.

A voice note becomes its transcript, which the coach then treats exactly like typed text. A
photo gets a one-sentence description from the vision model first (a second, small request);
that sentence is what the conversation keeps, so later turns remember the photo without
sending the image again. Both count toward the daily limit (see ``bot.domain.users``).
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal

from bot.domain.conversations import MessageKind
from bot.errors import DownloadError, LLMError, LLMImagesUnsupportedError
from bot.llm.client import ChatModel, ImageInput
from bot.llm.prompts import PHOTO_NOTE_MAX_TOKENS, build_photo_note_messages
from bot.llm.transcription import Transcriber
from bot.services.users import UserInfo
from bot.storage import Database
from bot.storage import conversations as conversation_rows
from bot.storage import usage as usage_rows
from bot.storage import users as user_rows

logger = logging.getLogger(__name__)

# Bots may download files up to 20 MB (core.telegram.org/bots/api#getfile).
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
# Kept in the stored message so later turns (and /export) know a photo was shown.
PHOTO_PREFIX = "[Photo]"

Fetch = Callable[[], Awaitable[bytes]]
"""Downloads the file from Telegram; called only once every check has passed."""


class Outcome(enum.StrEnum):
    """What became of a voice note or a photo before the coach."""

    OK = "ok"
    OFF = "off"
    TOO_LONG = "too_long"
    TOO_BIG = "too_big"
    OVER_LIMIT = "over_limit"
    EMPTY = "empty"
    FAILED = "failed"
    NO_VISION = "no_vision"


@dataclass(frozen=True, slots=True)
class VoiceNote:
    """A voice note or audio file as Telegram describes it, before downloading."""

    user: UserInfo
    duration: int
    file_size: int | None
    file_name: str = "voice.ogg"


@dataclass(frozen=True, slots=True)
class Transcript:
    """The transcript of a voice note, or why there is none."""

    outcome: Outcome
    text: str = ""


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo or an image file as Telegram describes it, before downloading."""

    user: UserInfo
    mime_type: str
    file_size: int | None
    caption: str = ""


@dataclass(frozen=True, slots=True)
class SeenPhoto:
    """A photo ready for the coach: the text to store and send, and the image itself."""

    outcome: Outcome
    text: str = ""
    image: ImageInput | None = None


class SensesService:
    """Turns voice notes into text and photos into images with a short note, within limits."""

    def __init__(
        self,
        database: Database,
        *,
        transcriber: Transcriber | None,
        vision: ChatModel | None,
        max_voice_seconds: int = 120,
        vision_detail: Literal["low", "high", "auto"] = "low",
        daily_token_limit: int | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
    ) -> None:
        self._database = database
        self._transcriber = transcriber
        self._vision = vision
        self._max_seconds = max_voice_seconds
        self._detail = vision_detail
        self._daily_limit = daily_token_limit
        self._today = today

    @property
    def max_voice_seconds(self) -> int:
        return self._max_seconds

    @property
    def vision(self) -> ChatModel | None:
        """The model photos go to (None when photos are turned off)."""
        return self._vision

    async def transcribe(self, note: VoiceNote, fetch: Fetch) -> Transcript:
        """Check the note, download and transcribe it; a note without text is still stored."""
        user = note.user
        if self._transcriber is None:
            outcome = Outcome.OFF
        elif note.duration > self._max_seconds:
            outcome = Outcome.TOO_LONG
        elif note.file_size is not None and note.file_size > MAX_DOWNLOAD_BYTES:
            outcome = Outcome.TOO_BIG
        elif await self._over_limit(user.user_id):
            outcome = Outcome.OVER_LIMIT
        else:
            outcome = Outcome.OK
        if outcome is not Outcome.OK or self._transcriber is None:
            await self._record_silent_voice(user)
            return Transcript(outcome)
        try:
            audio = await fetch()
            text = await self._transcriber.transcribe(audio, file_name=note.file_name)
        except (DownloadError, LLMError) as exc:
            logger.warning("Voice note of user %s not transcribed: %s", user.user_id, exc)
            await self._record_silent_voice(user)
            return Transcript(Outcome.FAILED)
        await self._add_usage(user, voice_seconds=max(1, note.duration))
        if not text:
            await self._record_silent_voice(user)
            return Transcript(Outcome.EMPTY)
        return Transcript(Outcome.OK, text)

    async def look(self, photo: Photo, fetch: Fetch) -> SeenPhoto:
        """Check and download the photo and ask the vision model for a one-line note of it."""
        user = photo.user
        if self._vision is None:
            return SeenPhoto(Outcome.OFF)
        if photo.file_size is not None and photo.file_size > MAX_DOWNLOAD_BYTES:
            return SeenPhoto(Outcome.TOO_BIG)
        if await self._over_limit(user.user_id):
            return SeenPhoto(Outcome.OVER_LIMIT)
        try:
            image = ImageInput(data=await fetch(), mime_type=photo.mime_type, detail=self._detail)
            completion = await self._vision.complete(
                build_photo_note_messages(image, photo.caption, user.language_code),
                max_tokens=PHOTO_NOTE_MAX_TOKENS,
            )
        except LLMImagesUnsupportedError:
            logger.info("The vision model %s refused an image", self._vision.model)
            return SeenPhoto(Outcome.NO_VISION)
        except (DownloadError, LLMError) as exc:
            logger.warning("Photo of user %s not described: %s", user.user_id, exc)
            return SeenPhoto(Outcome.FAILED)
        usage = completion.usage
        await self._add_usage(
            user,
            images=1,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
        )
        note = " ".join(completion.text.split())
        return SeenPhoto(Outcome.OK, photo_text(note, photo.caption), image)

    async def aclose(self) -> None:
        """Close the transcription client (the vision model is closed by its owner)."""
        if self._transcriber is not None:
            await self._transcriber.aclose()

    async def _over_limit(self, user_id: int) -> bool:
        if self._daily_limit is None:
            return False
        async with self._database.transaction() as session:
            used = await usage_rows.tokens_used(session, user_id, self._today())
        return used >= self._daily_limit

    async def _add_usage(
        self,
        user: UserInfo,
        *,
        voice_seconds: int = 0,
        images: int = 0,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
    ) -> None:
        async with self._database.transaction() as session:
            if await user_rows.get_user(session, user.user_id) is None:
                await user_rows.upsert_user(
                    session,
                    user_id=user.user_id,
                    first_name=user.first_name,
                    language_code=user.language_code,
                )
            await usage_rows.add_usage(
                session,
                user_id=user.user_id,
                day=self._today(),
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                voice_seconds=voice_seconds,
                images=images,
            )

    async def _record_silent_voice(self, user: UserInfo) -> None:
        """Keep a voice note we could not read, as received: a voice message without text."""
        await self._record(user, "", "voice")

    async def _record(self, user: UserInfo, content: str, kind: MessageKind) -> None:
        async with self._database.transaction() as session:
            if await user_rows.get_user(session, user.user_id) is None:
                await user_rows.upsert_user(
                    session,
                    user_id=user.user_id,
                    first_name=user.first_name,
                    language_code=user.language_code,
                )
            conversation = await conversation_rows.current_conversation(session, user.user_id)
            await conversation_rows.add_message(
                session,
                user_id=user.user_id,
                conversation_id=conversation.id,
                role="user",
                content=content,
                kind=kind,
            )


def photo_text(note: str, caption: str) -> str:
    """What the conversation keeps of a photo: the model's note, then the user's caption."""
    head = f"{PHOTO_PREFIX} {note}".strip() if note else PHOTO_PREFIX
    caption = caption.strip()
    return f"{head}\n{caption}" if caption else head
