"""Speech to text through an OpenAI-compatible ``/audio/transcriptions`` endpoint.

OpenAI (``whisper-1``, ``gpt-4o-mini-transcribe``), speaches, LocalAI and vLLM serve it; the
audio goes as it is (Telegram voice notes are OGG/Opus, which they all accept).
"""

from __future__ import annotations

import logging

import httpx2
import openai

from bot.errors import LLMUnavailableError
from bot.llm.client import translate_error

logger = logging.getLogger(__name__)

VOICE_FILE_NAME = "voice.ogg"


class Transcriber:
    """One transcription model behind an OpenAI-compatible server."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None,
        model: str,
        timeout: float,
        max_retries: int = 2,
        http_client: httpx2.AsyncClient | None = None,
    ) -> None:
        self._model = model
        self._api_key = api_key
        self._client = openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
        )

    @property
    def model(self) -> str:
        return self._model

    def __repr__(self) -> str:
        return f"Transcriber(model={self._model!r})"

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
