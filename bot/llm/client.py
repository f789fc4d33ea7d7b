"""Chat Completions client: streams text and tool calls from any OpenAI-compatible server.

Every openai error is translated here into the FitCoach ``LLMError`` tree.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import json
import logging
import re
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, NoReturn

import httpx2
import openai
import pydantic
from openai.types.chat import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionContentPartParam,
    ChatCompletionFunctionToolParam,
    ChatCompletionMessageParam,
)
from openai.types.completion_usage import CompletionUsage

from bot.errors import (
    LLMContextLengthError,
    LLMError,
    LLMImagesUnsupportedError,
    LLMIncompleteError,
    LLMRateLimitError,
    LLMTimeoutError,
    LLMToolsUnsupportedError,
    LLMUnavailableError,
)

logger = logging.getLogger(__name__)

Role = Literal["system", "user", "assistant", "tool"]


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """A function the model may call: its name, what it does, and a JSON schema of its arguments."""

    name: str
    description: str
    parameters: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class TextDelta:
    """A piece of the answer's text, in order."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A complete tool call; ``error`` says why its arguments were unusable (then they are {})."""

    id: str
    name: str
    arguments: dict[str, Any]
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Usage:
    """Token counts the server reported for one request."""

    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True, slots=True)
class Finish:
    """The last event of a stream: why the model stopped (``stop``, ``length``, ``tool_calls``)."""

    reason: str


StreamEvent = TextDelta | ToolCall | Usage | Finish


@dataclass(frozen=True, slots=True)
class ImageInput:
    """An image sent with a user message: its bytes, their MIME type and the detail asked for."""

    data: bytes
    mime_type: str = "image/jpeg"
    detail: Literal["low", "high", "auto"] = "low"

    def data_url(self) -> str:
        """The image as a ``data:`` URL, as Chat Completions accepts it."""
        return f"data:{self.mime_type};base64,{base64.b64encode(self.data).decode('ascii')}"

    def __repr__(self) -> str:
        return f"ImageInput({self.mime_type}, {len(self.data)} bytes, detail={self.detail})"


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of a chat request.

    ``tool_calls`` is set on an assistant message that called tools; ``tool_call_id`` on the
    ``tool`` message that answers one of those calls.
    """

    role: Role
    content: str
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    #: Images sent with a user message, after its text.
    images: tuple[ImageInput, ...] = ()


@dataclass(frozen=True, slots=True)
class Completion:
    """A whole (non-streamed) answer and its token usage when the server reported it."""

    text: str
    usage: Usage | None


# Servers word these differently: OpenAI, vLLM, llama.cpp, OpenRouter, Anthropic-compatible
# proxies. Matched against the message, the error code and the raw body together.
_CONTEXT_LENGTH = re.compile(
    r"context[_ ]length[_ ]exceeded|maximum context length|too many tokens|prompt is too long"
    r"|exceeds? the (?:available )?context|context (?:size|window)|exceed_context_size",
    re.IGNORECASE,
)
_TOOLS_UNSUPPORTED = re.compile(
    r"does not support tools|(?:tools?|tool[_ ]choice|tool use|tool calling|function calling)"
    r"[^.]{0,40}(?:not|isn't|is not) (?:supported|enabled|available)"
    r"|not support\w*[^.]{0,20}(?:tools?\b|tool[_ ]choice|tool use|function calling)"
    r"|support tool use|enable-auto-tool-choice|tool-call-parser|tools param requires",
    re.IGNORECASE,
)
_IMAGES_UNSUPPORTED = re.compile(
    r"image_url is only supported|does not support (?:image|vision|multimodal)"
    r"|(?:image|vision|multimodal)[^.]{0,40}(?:not|isn't|is not) (?:supported|enabled|available)"
    r"|not support\w*[^.]{0,20}(?:images?|image input|vision)\b"
    r"|invalid content type[^.]{0,20}image",
    re.IGNORECASE,
)
_MAX_DETAIL = 300
# The longest a user waits for the first words of an answer, retries included (unless
# OPENAI_TIMEOUT alone is longer). A server that asks for a longer pause is not waited for.
MAX_WAIT = 30.0
_FIRST_BACKOFF = 0.5
# A retry that would have less than this left of the wait is not worth starting.
_MIN_TRY = 2.0
_MAX_COMPLETION_TOKENS = re.compile(r"max_completion_tokens", re.IGNORECASE)
_RESPONSE_FORMAT = re.compile(r"response_format|json_schema|structured output", re.IGNORECASE)


class ModelEndpoint:
    """One model on an OpenAI-compatible server: its name, its client, and the key to hide.

    The client retries 408/409/429/5xx and connection errors itself with backoff.
    """

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
        # Kept only to scrub it from error texts a server might echo back.
        self._api_key = api_key
        self._timeout = timeout
        self._max_retries = max_retries
        self._client = self._new_client(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            http_client=http_client,
        )

    def _new_client(self, **options: Any) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(**options)

    @property
    def model(self) -> str:
        """The model name sent with every request."""
        return self._model

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self._model!r})"  # never the key


class ChatModel(ModelEndpoint):
    """One chat model behind an OpenAI-compatible Chat Completions endpoint."""

    # Until the server refuses ``response_format``: from then on JSON is asked for in words.
    _json_schema_supported = True

    def _new_client(self, **options: Any) -> openai.AsyncOpenAI:
        if options.get("http_client") is None:
            # openai's aiohttp transport (the ``aiohttp`` extra): a streamed answer arrives as
            # hundreds of small reads, and each costs about 40% less CPU than through the
            # default transport's layers (measured: 2,400 characters in 600 chunks, 510 ms of
            # CPU against 320 ms). Proxies from the environment are honoured as before.
            options["http_client"] = openai.DefaultAioHttpClient()
        return _AsyncOpenAI(**options)

    @property
    def _max_wait(self) -> float:
        """The longest a user waits for words or an apology, retries included."""
        return max(MAX_WAIT, self._timeout)

    async def stream(
        self, messages: Sequence[ChatMessage], *, tools: Sequence[ToolSpec] | None = None
    ) -> AsyncIterator[StreamEvent]:
        """Stream one answer: text deltas, complete tool calls, usage, and a final ``Finish``.

        Until the first words arrive, failures (timeouts, 429, 5xx, a broken stream) are
        retried with backoff, all within ``MAX_WAIT``; a server asking to wait longer is not
        waited for. A stream that breaks after its first words raises ``LLMIncompleteError``.
        """
        logger.debug(
            "Streaming chat: model=%s messages=%d tools=%d",
            self._model,
            len(messages),
            len(tools or ()),
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._max_wait
        retries = 0
        while True:
            started = False
            try:
                async for event in self._stream_once(messages, tools, deadline):
                    started = started or isinstance(event, TextDelta | ToolCall)
                    yield event
                return
            except (LLMTimeoutError, LLMUnavailableError) as error:
                if started:
                    if isinstance(error, LLMIncompleteError):
                        raise
                    raise LLMIncompleteError(f"The answer broke off: {error}") from error
                pause = self._retry_pause(error, retries, deadline - loop.time())
                if pause is None:
                    raise
            except LLMRateLimitError as error:
                pause = self._retry_pause(error, retries, deadline - loop.time())
                if pause is None:
                    raise
            retries += 1
            logger.info("Model request failed; retry %d in %.1f s", retries, pause)
            await asyncio.sleep(pause)

    def _retry_pause(self, error: LLMError, retries: int, remaining: float) -> float | None:
        """How long to wait before the next try, or None to give up now."""
        if retries >= self._max_retries:
            return None
        pause: float = _FIRST_BACKOFF * 2.0**retries
        if isinstance(error, LLMRateLimitError) and error.retry_after is not None:
            pause = max(error.retry_after, 0.0)
        if pause + _MIN_TRY > remaining:
            return None
        return pause

    async def _stream_once(
        self, messages: Sequence[ChatMessage], tools: Sequence[ToolSpec] | None, deadline: float
    ) -> AsyncIterator[StreamEvent]:
        loop = asyncio.get_running_loop()
        # Retries are ours (see stream), so each request has one try and the time that is left.
        client = self._client.with_options(
            max_retries=0, timeout=max(min(self._timeout, deadline - loop.time()), 0.1)
        )
        calls = _ToolCallAssembler()
        finish_reason: str | None = None
        done = _DoneWatch()
        chunks = 0
        started = False
        try:
            async with asyncio.timeout_at(deadline):
                body: dict[str, Any] = {
                    "model": self._model,
                    "messages": _message_params(messages),
                    "stream": True,
                    "stream_options": {"include_usage": True},
                }
                if tools:
                    body["tools"] = _tool_params(tools)
                response = await _post_chat(client, body, stream=True)
            done.attach(response)
            async with response:
                while True:
                    try:
                        if started:
                            chunk = await response.__anext__()
                        else:
                            # Slow first words count against the user's whole wait.
                            async with asyncio.timeout_at(deadline):
                                chunk = await response.__anext__()
                    except StopAsyncIteration:
                        break
                    chunks += 1
                    for event in _chunk_events(chunk, calls):
                        if isinstance(event, Finish):
                            finish_reason = event.reason
                            # Tool calls are complete once their choice has finished.
                            for call in calls.drain():
                                yield call
                        else:
                            started = started or isinstance(event, TextDelta)
                            yield event
        except TimeoutError as exc:
            logger.warning("Model request gave no answer within the wait")
            raise LLMTimeoutError("The model did not answer in time.") from exc
        except openai.OpenAIError as exc:
            self._raise(exc)
        except json.JSONDecodeError as exc:
            logger.warning("Model server sent malformed stream data: %s", exc)
            raise LLMUnavailableError("The model server sent a malformed stream.") from exc
        if not chunks:
            # A proxy's HTML page or an empty body parses as a stream of nothing.
            raise LLMUnavailableError("The model server sent an empty stream.")
        if finish_reason is None and not done.seen:
            # Neither a finish reason nor [DONE]: the connection ended mid-answer.
            raise LLMUnavailableError("The model server ended the stream early.")
        # Servers that end the stream without a finish_reason still may have sent calls.
        for call in calls.drain():
            yield call
        yield Finish(finish_reason or "unknown")

    async def complete(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> Completion:
        """Answer in one piece without streaming (used for summaries)."""
        logger.debug("Completing chat: model=%s messages=%d", self._model, len(messages))
        params = _message_params(messages)
        try:
            try:
                body: dict[str, Any] = {"model": self._model, "messages": params}
                if max_tokens is not None:
                    body["max_tokens"] = max_tokens
                response = await _post_chat(self._client, body)
            except openai.BadRequestError as exc:
                # Newer OpenAI models refuse max_tokens; most other servers only know it.
                if max_tokens is None or not _MAX_COMPLETION_TOKENS.search(_error_text(exc)):
                    raise
                response = await _post_chat(
                    self._client,
                    {"model": self._model, "messages": params, "max_completion_tokens": max_tokens},
                )
        except openai.OpenAIError as exc:
            self._raise(exc)
        # openai hands back the raw text when the body is not JSON (a proxy's error page).
        if not isinstance(response, ChatCompletion) or not response.choices:
            raise LLMUnavailableError("The model server sent an unusable answer.")
        return Completion(
            text=response.choices[0].message.content or "",
            usage=_usage(response.usage),
        )

    async def complete_json(
        self, messages: Sequence[ChatMessage], *, name: str, schema: Mapping[str, Any]
    ) -> Completion:
        """Answer with a JSON document: ``response_format`` json_schema where the server takes it.

        A server that refuses ``response_format`` is asked again without it (the prompt must
        ask for JSON only, too) and not offered it again. The answer is text; the caller parses.
        """
        params = _message_params(messages)
        try:
            response: object = None
            if self._json_schema_supported:
                try:
                    response = await _post_chat(
                        self._client,
                        {
                            "model": self._model,
                            "messages": params,
                            "response_format": {
                                "type": "json_schema",
                                "json_schema": {"name": name, "schema": dict(schema)},
                            },
                        },
                    )
                except openai.BadRequestError as exc:
                    if not _RESPONSE_FORMAT.search(_error_text(exc)):
                        raise
                    logger.info("The model server refused response_format: asking for JSON text")
                    self._json_schema_supported = False
            if response is None:
                response = await _post_chat(
                    self._client, {"model": self._model, "messages": params}
                )
        except openai.OpenAIError as exc:
            self._raise(exc)
        if not isinstance(response, ChatCompletion) or not response.choices:
            raise LLMUnavailableError("The model server sent an unusable answer.")
        return Completion(
            text=response.choices[0].message.content or "",
            usage=_usage(response.usage),
        )

    async def aclose(self) -> None:
        """Close the underlying HTTP client."""
        await self._client.close()

    def _raise(self, exc: openai.OpenAIError) -> NoReturn:
        error = translate_error(exc, redact=self._api_key)
        logger.warning(
            "Model request failed: %s -> %s (%s)",
            type(exc).__name__,
            type(error).__name__,
            error,
        )
        if self._api_key and self._api_key in _error_text(exc):
            # The server echoed the key: a chained traceback would print it in the logs.
            raise error from None
        raise error from exc


def translate_error(exc: openai.OpenAIError, *, redact: str = "") -> LLMError:
    """Map an openai exception to the FitCoach ``LLMError`` tree (``redact`` is scrubbed out)."""
    full_text = _error_text(exc)
    detail = full_text.replace(redact, "[redacted]") if redact else full_text
    # Some servers echo the prompt (the user's health details) back in their errors.
    if len(detail) > _MAX_DETAIL:
        detail = detail[:_MAX_DETAIL] + "…"
    if isinstance(exc, openai.APITimeoutError):
        return LLMTimeoutError("The model did not answer in time.")
    if isinstance(exc, openai.RateLimitError):
        return LLMRateLimitError(
            f"The model server is rate limiting us: {detail}",
            retry_after=_retry_after(exc.response.headers),
        )
    if isinstance(exc, openai.APIStatusError) and exc.status_code == 408:
        return LLMTimeoutError("The model server timed out the request.")
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailableError(f"Could not reach the model server: {detail}")
    if isinstance(exc, openai.APIStatusError) and exc.status_code >= 500:
        return LLMUnavailableError(f"The model server failed ({exc.status_code}): {detail}")
    # Client errors and errors reported inside a stream carry the reason in their text.
    if isinstance(exc, openai.APIError):
        if _CONTEXT_LENGTH.search(full_text):
            return LLMContextLengthError(f"The prompt is too long for the model: {detail}")
        if _TOOLS_UNSUPPORTED.search(full_text):
            return LLMToolsUnsupportedError(f"The model server refused tools: {detail}")
        if _IMAGES_UNSUPPORTED.search(full_text):
            return LLMImagesUnsupportedError(f"The model server refused images: {detail}")
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code in (401, 403):
            return LLMError(f"The model server refused our credentials ({exc.status_code}).")
        if exc.status_code == 404:
            return LLMError(f"The model or endpoint was not found: {detail}")
        return LLMError(f"The model server refused the request ({exc.status_code}): {detail}")
    return LLMUnavailableError(f"The model server sent an unusable answer: {detail}")


def _retry_after(headers: httpx2.Headers) -> float | None:
    """The wait a 429 asks for, in seconds (``retry-after-ms`` or ``retry-after``)."""
    for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(header)
        if value is None:
            continue
        try:
            return float(value) / divisor
        except ValueError:
            pass
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            continue
        return (moment - datetime.now(UTC)).total_seconds()
    return None


class _DoneWatch:
    """Notes whether a stream's closing ``[DONE]`` event arrived, which openai does not tell."""

    def __init__(self) -> None:
        self.seen = False

    def attach(self, stream: object) -> None:
        decoder = getattr(stream, "_decoder", None)
        if decoder is None or not hasattr(decoder, "aiter_bytes"):
            # Another openai version: we cannot tell, so the stream's end is trusted.
            self.seen = True
            return
        stream._decoder = _WatchingDecoder(decoder, self)  # type: ignore[attr-defined]


class _WatchingDecoder:
    def __init__(self, inner: Any, watch: _DoneWatch) -> None:
        self._inner = inner
        self._watch = watch

    async def aiter_bytes(self, iterator: AsyncIterator[bytes]) -> AsyncIterator[Any]:
        async for event in self._inner.aiter_bytes(iterator):
            if str(getattr(event, "data", "")).startswith("[DONE]"):
                self._watch.seen = True
            yield event

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _error_text(exc: openai.OpenAIError) -> str:
    parts = [str(exc)]
    if isinstance(exc, openai.APIError):
        if exc.code:
            parts.append(exc.code)
        if exc.body is not None and not isinstance(exc.body, str):
            parts.append(json.dumps(exc.body, default=str, ensure_ascii=False))
    return " ".join(parts)


async def _post_chat(
    client: openai.AsyncOpenAI, body: dict[str, Any], *, stream: bool = False
) -> Any:
    """POST a Chat Completions body that is already what goes on the wire.

    ``chat.completions.create`` first walks the whole body against its typed parameter
    definitions, for aliases and file inputs a chat body never holds; with the coach's prompt
    and tools that walk cost more CPU than the rest of the request. Authentication, timeouts,
    errors and the stream are the client's own, as with ``create``.
    """
    if stream:
        return await client.post(
            "/chat/completions",
            body=body,
            cast_to=ChatCompletion,
            stream=True,
            stream_cls=openai.AsyncStream[ChatCompletionChunk],
        )
    return await client.post("/chat/completions", body=body, cast_to=ChatCompletion)


def _message_params(messages: Iterable[ChatMessage]) -> list[ChatCompletionMessageParam]:
    params: list[ChatCompletionMessageParam] = []
    for message in messages:
        match message.role:
            case "system":
                params.append({"role": "system", "content": message.content})
            case "user" if message.images:
                parts: list[ChatCompletionContentPartParam] = []
                if message.content:
                    parts.append({"type": "text", "text": message.content})
                parts.extend(
                    {
                        "type": "image_url",
                        "image_url": {"url": image.data_url(), "detail": image.detail},
                    }
                    for image in message.images
                )
                params.append({"role": "user", "content": parts})
            case "user":
                params.append({"role": "user", "content": message.content})
            case "assistant" if message.tool_calls:
                params.append(
                    {
                        "role": "assistant",
                        "content": message.content or None,
                        "tool_calls": [
                            {
                                "id": call.id,
                                "type": "function",
                                "function": {
                                    "name": call.name,
                                    "arguments": json.dumps(call.arguments, ensure_ascii=False),
                                },
                            }
                            for call in message.tool_calls
                        ],
                    }
                )
            case "assistant":
                params.append({"role": "assistant", "content": message.content})
            case "tool":
                params.append(
                    {
                        "role": "tool",
                        "content": message.content,
                        "tool_call_id": message.tool_call_id or "",
                    }
                )
    return params


def _tool_params(tools: Iterable[ToolSpec]) -> list[ChatCompletionFunctionToolParam]:
    return [
        {
            "type": "function",
            "function": {
                "name": tool.name,
                "description": tool.description,
                "parameters": dict(tool.parameters),
            },
        }
        for tool in tools
    ]


def _usage(usage: CompletionUsage | None) -> Usage | None:
    if usage is None:
        return None
    return Usage(
        prompt_tokens=usage.prompt_tokens or 0, completion_tokens=usage.completion_tokens or 0
    )


class _AsyncOpenAI(openai.AsyncOpenAI):
    """The openai client, building each streamed chunk with pydantic's compiled validator.

    The client builds its models field by field in Python, which for a stream is most of the
    CPU an answer costs (about 0.13 ms a chunk against 0.004 ms). A chunk that does not
    validate (servers leave out fields) is built the client's own lenient way.
    """

    def _process_response_data(
        self, *, data: object, cast_to: type[Any], response: httpx2.Response
    ) -> Any:
        if cast_to is ChatCompletionChunk and isinstance(data, dict):
            try:
                return ChatCompletionChunk.model_validate(data)
            except pydantic.ValidationError:
                pass
        return super()._process_response_data(data=data, cast_to=cast_to, response=response)


def _chunk_events(chunk: ChatCompletionChunk, calls: _ToolCallAssembler) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    # Only the first choice is asked for (n defaults to 1).
    for choice in chunk.choices[:1]:
        delta = choice.delta
        if delta.content:
            events.append(TextDelta(delta.content))
        for position, fragment in enumerate(delta.tool_calls or ()):
            function = fragment.function
            # Some servers omit the index when they send each call whole.
            index = fragment.index if isinstance(fragment.index, int) else position
            calls.add(
                index=index,
                call_id=fragment.id,
                name=function.name if function else None,
                arguments=function.arguments if function else None,
            )
        if choice.finish_reason:
            events.append(Finish(choice.finish_reason))
    usage = _usage(chunk.usage)
    if usage is not None:
        events.append(usage)
    return events


@dataclass(slots=True)
class _PendingCall:
    id: str | None
    name: str
    arguments: list[str] = field(default_factory=list)


class _ToolCallAssembler:
    """Joins streamed tool-call fragments (keyed by index) into whole calls."""

    def __init__(self) -> None:
        self._pending: dict[int, _PendingCall] = {}
        self._done: list[_PendingCall] = []

    def add(
        self, *, index: int, call_id: str | None, name: str | None, arguments: str | None
    ) -> None:
        pending = self._pending.get(index)
        # A fresh id at a busy index means the server reused the index for a new call.
        if pending is not None and call_id and pending.id and call_id != pending.id:
            self._done.append(pending)
            pending = None
        if pending is None:
            pending = _PendingCall(id=call_id, name="")
            self._pending[index] = pending
        if call_id and not pending.id:
            pending.id = call_id
        # Names arrive whole in practice; a few servers repeat them on every fragment.
        if name and not pending.name.endswith(name):
            pending.name += name
        if arguments:
            pending.arguments.append(arguments)

    def drain(self) -> list[ToolCall]:
        pending = self._done + [self._pending[index] for index in sorted(self._pending)]
        self._done = []
        self._pending = {}
        calls: list[ToolCall] = []
        for number, call in enumerate(pending):
            if not call.name:
                logger.warning("Skipping a tool call without a name")
                continue
            call_id = call.id or f"call_{number}"
            parsed = _parse_arguments(call)
            if isinstance(parsed, str):
                # Answered to the model as a tool error, so it can try again or go on in words.
                logger.warning("Tool call %s: %s", call.name, parsed)
                calls.append(ToolCall(id=call_id, name=call.name, arguments={}, error=parsed))
            else:
                calls.append(ToolCall(id=call_id, name=call.name, arguments=parsed))
        return calls


def _parse_arguments(call: _PendingCall) -> dict[str, Any] | str:
    """The arguments object, or why it is unusable."""
    raw = "".join(call.arguments).strip()
    if not raw:
        return {}
    try:
        value: object = json.loads(raw)
        # Some models encode the arguments object twice.
        if isinstance(value, str):
            value = json.loads(value)
    except json.JSONDecodeError:
        return "the arguments are not valid JSON"
    if not isinstance(value, dict):
        return "the arguments are not a JSON object"
    return value
