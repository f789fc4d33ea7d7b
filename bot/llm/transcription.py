"""Speech to text through an OpenAI-compatible ``/audio/transcriptions`` endpoint.

OpenAI (``whisper-1``, ``gpt-4o-mini-transcribe``), speaches, LocalAI and vLLM serve it; the
audio goes as it is (Telegram voice notes are OGG/Opus, which they all accept).
"""

from __future__ import annotations

import logging

import openai

from bot.errors import LLMUnavailableError
from bot.llm.client import ModelEndpoint, translate_error

logger = logging.getLogger(__name__)

VOICE_FILE_NAME = "voice.ogg"


class Transcriber(ModelEndpoint):
    """One transcription model behind an OpenAI-compatible server."""

    async def transcribe(self, audio: bytes, *, file_name: str = VOICE_FILE_NAME) -> str:
        """The text spoken in ``audio``; raises an ``LLMError`` when the server fails."""
        logger.debug("Transcribing %d bytes with %s", len(audio), self._model)
        try:
            result = await self._client.audio.transcriptions.create(
                model=self._model, file=(file_name, audio)
            )
        except openai.OpenAIError as exc:
            error = translate_error(exc, redact=self._api_key)
            logger.warning("Transcription failed: %s -> %s", type(exc).__name__, error)
            raise error from None
        text = getattr(result, "text", result)
        if not isinstance(text, str):
            raise LLMUnavailableError("The transcription server sent an unusable answer.")
        return text.strip()

    async def aclose(self) -> None:
        await self._client.close()


__all__ = ["VOICE_FILE_NAME", "Transcriber"]
