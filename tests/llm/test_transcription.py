"""Transcriber against httpx2.MockTransport: the multipart request and translated errors."""

from __future__ import annotations

import httpx2
import pytest

from bot.errors import LLMError, LLMUnavailableError
from bot.llm.transcription import Transcriber

API_KEY = "sk-test-SECRET-0123456789abcdef"
AUDIO = b"OggS\x00\x02" + bytes(range(64))


def transcriber(handler: httpx2.MockTransport) -> Transcriber:
    return Transcriber(
        api_key=API_KEY,
        base_url="http://speech.test/v1",
        model="whisper-1",
        timeout=5.0,
        max_retries=0,
        http_client=httpx2.AsyncClient(transport=handler),
    )


async def test_the_audio_goes_unchanged_as_voice_ogg_with_the_model() -> None:
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"text": "  Three sets of five.\n"})

    client = transcriber(httpx2.MockTransport(answer))
    try:
        text = await client.transcribe(AUDIO)
    finally:
        await client.aclose()

    assert text == "Three sets of five."
    [request] = seen
    assert request.url == "http://speech.test/v1/audio/transcriptions"
    body = request.content
    assert b'name="model"\r\n\r\nwhisper-1' in body
    assert b'filename="voice.ogg"' in body
    assert AUDIO in body


@pytest.mark.parametrize(
    ("status", "expected"), [(503, LLMUnavailableError), (404, LLMError), (401, LLMError)]
)
async def test_errors_become_ours_without_the_key(status: int, expected: type[LLMError]) -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, json={"error": {"message": f"bad key {API_KEY}"}})

    client = transcriber(httpx2.MockTransport(answer))
    try:
        with pytest.raises(expected) as caught:
            await client.transcribe(AUDIO)
    finally:
        await client.aclose()
    assert API_KEY not in str(caught.value)
    assert caught.value.__cause__ is None
