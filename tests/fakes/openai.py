"""A loopback fake of OpenAI Chat Completions (plain and SSE streaming) for real ``AsyncOpenAI``.

By default it answers "Echo: <last user text>"; tests script replies, latency, tool calls,
failures and hangs, and read back every prompt it received.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import inspect
import json
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes import ChangeSignal, LoopbackServer, interruptible_sleep, wait_until
from tests.fakes.telegram import parse_multipart

__all__ = [
    "STREAM_BREAKS",
    "CompletionRequest",
    "FakeOpenAI",
    "ImagePart",
    "Reply",
    "Responder",
    "ToolCall",
    "TranscriptionRequest",
    "context_length_error",
    "error_body",
    "text_of",
]

JSON = dict[str, Any]

_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})
_WORD = re.compile(r"\s*\S+\s*|\s+")
_DATA_URL = re.compile(r"data:([\w.+-]+/[\w.+-]+)?(;base64)?,(.*)", re.DOTALL)

#: How ``Reply.stream_break`` can spoil a stream after ``break_after`` deltas:
#: "truncate" ends cleanly but without finish_reason and without [DONE]; "drop" cuts the
#: connection; "malformed" sends a chunk that is not JSON; "stall" sends nothing more (the
#: client's read timeout ends it).
STREAM_BREAKS = ("truncate", "drop", "malformed", "stall")


@dataclass(frozen=True)
class ToolCall:
    """A function call the model asks for; ``arguments`` is JSON text (a dict is dumped)."""

    name: str
    arguments: str | JSON = "{}"
    id: str | None = None

    def arguments_text(self) -> str:
        """The arguments as the JSON string OpenAI sends."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments, ensure_ascii=False)


@dataclass(frozen=True)
class Reply:
    """One scripted answer.

    ``chunks`` fixes how streamed content is cut (default: word by word); ``delays`` gives the
    pause before each chunk and overrides ``chunk_delay``; ``latency`` is the wait before the
    first token. Token counts default to a rough four-characters-per-token estimate.
    ``stream_error`` ends a stream with an OpenAI-style error event instead of finishing;
    ``stream_break`` (one of ``STREAM_BREAKS``) spoils it after ``break_after`` deltas.
    ``finish_reason="length"`` plays a cut-off answer, ``text=""`` an empty one, and a
    ``ToolCall`` with non-JSON ``arguments`` text malformed tool arguments.
    """

    text: str | None = None
    chunks: Sequence[str] | None = None
    tool_calls: Sequence[ToolCall] = ()
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency: float | None = None
    chunk_delay: float | None = None
    delays: Sequence[float] | None = None
    stream_error: JSON | None = None
    stream_break: str | None = None
    break_after: int = 0

    def __post_init__(self) -> None:
        if self.stream_break is not None and self.stream_break not in STREAM_BREAKS:
            raise ValueError(f"stream_break must be one of {STREAM_BREAKS}")

    def content(self) -> str | None:
        """The assistant message content (joined chunks when only chunks were given)."""
        if self.text is not None:
            return self.text
        if self.chunks is not None:
            return "".join(self.chunks)
        return None


#: Decides the reply to one request body; may be a coroutine function.
Responder = Callable[[JSON], Reply | str | Awaitable[Reply | str]]


def error_body(message: str, type_: str, code: str | None = None, param: str | None = None) -> JSON:
    """An error document shaped like OpenAI's."""
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def context_length_error(limit: int = 8192, used: int = 9000) -> JSON:
    """OpenAI's answer to a prompt longer than the context window (status 400)."""
    return error_body(
        f"This model's maximum context length is {limit} tokens. However, your messages "
        f"resulted in {used} tokens. Please reduce the length of the messages.",
        "invalid_request_error",
        code="context_length_exceeded",
        param="messages",
    )


def _default_error(status: int) -> JSON:
    if status == 429:
        return error_body(
            "Rate limit reached for requests. Please try again in 1s.",
            "requests",
            code="rate_limit_exceeded",
        )
    if status == 401:
        return error_body("Incorrect API key provided.", "invalid_request_error", "invalid_api_key")
    if status >= 500:
        return error_body(
            "The server had an error while processing your request. Sorry about that!",
            "server_error",
        )
    return error_body("Invalid request.", "invalid_request_error")


def text_of(message: JSON) -> str:
    """The text of a chat message whose content is a string or a list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            str(part.get("text", ""))
            for part in content
            if isinstance(part, dict) and part.get("type") == "text"
        )
    return ""


@dataclass(frozen=True)
class ImagePart:
    """One ``image_url`` part of a user message; a data URL is decoded."""

    url: str
    #: The data URL's MIME type ("image/jpeg"), None for a plain URL.
    mime_type: str | None
    #: The decoded bytes of a base64 data URL, None otherwise.
    data: bytes | None
    detail: str | None


def _image_part(part: JSON) -> ImagePart:
    image = part.get("image_url")
    url = str(image.get("url", "")) if isinstance(image, dict) else str(image or "")
    detail = image.get("detail") if isinstance(image, dict) else None
    match = _DATA_URL.fullmatch(url)
    if match is None:
        return ImagePart(url, None, None, detail)
    data: bytes | None = None
    if match.group(2):
        try:
            data = base64.b64decode(match.group(3), validate=True)
        except (binascii.Error, ValueError):
            data = None
    return ImagePart(url, match.group(1), data, detail)


@dataclass
class TranscriptionRequest:
    """One request to ``/v1/audio/transcriptions`` and how it was answered."""

    model: str | None
    file_name: str | None
    content_type: str | None
    data: bytes
    fields: dict[str, str] = field(default_factory=dict)
    status: int = 0

    @property
    def size(self) -> int:
        """Bytes of the uploaded audio file."""
        return len(self.data)


@dataclass
class CompletionRequest:
    """One request to ``/v1/chat/completions`` and how it was answered."""

    body: JSON
    headers: dict[str, str]
    #: time.monotonic() when the request arrived.
    time: float
    #: 0 until the answer is complete (for a stream: until its last event or disconnect).
    status: int = 0
    reply: Reply | None = None
    #: The client went away before the answer was complete (timeouts, cancelled streams).
    disconnected: bool = False

    @property
    def done(self) -> bool:
        """Whether the answer has been sent (or the client gave up)."""
        return self.status != 0

    @property
    def messages(self) -> list[JSON]:
        """The prompt's messages."""
        messages = self.body.get("messages")
        return list(messages) if isinstance(messages, list) else []

    @property
    def model(self) -> str | None:
        """The requested model name."""
        model = self.body.get("model")
        return model if isinstance(model, str) else None

    @property
    def tools(self) -> list[JSON]:
        """The tool definitions offered to the model."""
        tools = self.body.get("tools")
        return list(tools) if isinstance(tools, list) else []

    @property
    def stream(self) -> bool:
        """Whether the client asked for SSE streaming."""
        return bool(self.body.get("stream"))

    @property
    def system_text(self) -> str:
        """All system and developer messages, joined by blank lines."""
        return "\n\n".join(
            text_of(m) for m in self.messages if m.get("role") in ("system", "developer")
        )

    @property
    def images(self) -> list[ImagePart]:
        """Every image part of every user message, in order."""
        return [
            _image_part(part)
            for message in self.messages
            if message.get("role") == "user" and isinstance(message.get("content"), list)
            for part in message["content"]
            if isinstance(part, dict) and part.get("type") == "image_url"
        ]

    @property
    def user_text(self) -> str:
        """The text of the last user message."""
        for message in reversed(self.messages):
            if message.get("role") == "user":
                return text_of(message)
        return ""


class _DroppedConnectionError(Exception):
    """Raised inside a stream so the server cuts the connection mid-answer."""


class _RefusalError(Exception):
    def __init__(self, status: int, body: JSON, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


@dataclass
class _Fault:
    status: int  # 0 means: hang
    body: JSON
    retry_after: float | None
    remaining: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Counter:
    value: int = 0
    peak: int = 0


def _estimate_tokens(text: str) -> int:
    return max(1, (len(text) + 3) // 4)


class FakeOpenAI:
    """OpenAI Chat Completions on loopback: ``AsyncOpenAI(base_url=fake.base_url, ...)``.

    Replies come, in this order of precedence, from an injected fault (``fail_next``,
    ``hang_next``, ``hanging``), the tools refusal (``refuse_tools``), the ``script`` queue, the
    ``responder``, and finally the echo of the last user message.
    """

    def __init__(self, model: str = "fake-model") -> None:
        self.model = model
        self.requests: list[CompletionRequest] = []
        self.responder: Responder | None = None
        #: Seconds before the first token (or before a non-streaming answer).
        self.latency = 0.0
        #: Seconds between streamed chunks.
        self.chunk_delay = 0.0
        #: Every request hangs until the client gives up.
        self.hanging = False
        #: Requests offering ``tools`` are refused with 400, like servers without tool calling.
        self.refuse_tools = False
        #: When set, any other bearer token answers 401.
        self.api_key: str | None = None
        #: Requests with an image part are refused with 400, like models without vision.
        self.refuse_images = False
        #: Every transcription request, in arrival order.
        self.transcriptions: list[TranscriptionRequest] = []
        #: The text transcriptions answer when nothing is scripted.
        self.transcript = "Transcribed speech"
        self._transcripts: deque[str | _Fault] = deque()
        self._server = LoopbackServer(
            Starlette(
                routes=[
                    Route("/v1/chat/completions", self._completions, methods=["POST"]),
                    Route("/v1/models", self._models, methods=["GET"]),
                    Route(
                        "/v1/audio/transcriptions", self._transcriptions_endpoint, methods=["POST"]
                    ),
                ]
            )
        )
        self._script: deque[Reply] = deque()
        self._faults: deque[_Fault] = deque()
        self._changed = ChangeSignal()
        self._closing = asyncio.Event()
        self._in_flight = _Counter()
        self._ids = 0

    # ---------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``, the value for OPENAI_BASE_URL."""
        return f"{self._server.base_url}/v1"

    async def start(self) -> None:
        """Start serving on a free loopback port."""
        self._closing.clear()
        await self._server.start()

    async def stop(self) -> None:
        """Release hanging and slow answers, then close the server."""
        self._closing.set()
        self._changed.notify()
        await self._server.stop()

    async def __aenter__(self) -> FakeOpenAI:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ---------------------------------------------------------------- scripting

    def script(self, *replies: Reply | str) -> None:
        """Queue replies for the next requests, in order (a str is a plain text reply)."""
        self._script.extend(Reply(text=r) if isinstance(r, str) else r for r in replies)

    def fail_next(
        self,
        status: int,
        body: JSON | None = None,
        count: int = 1,
        *,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """The next ``count`` requests answer ``status`` with an OpenAI-shaped error body.

        ``retry_after`` adds the ``retry-after-ms`` header the client honours between retries;
        ``headers`` adds any others.
        """
        self._faults.append(
            _Fault(status, body or _default_error(status), retry_after, count, dict(headers or {}))
        )

    def rate_limit(self, retry_after: int = 1, count: int = 1) -> None:
        """The next ``count`` requests answer 429 with a ``Retry-After: <seconds>`` header."""
        self.fail_next(429, count=count, headers={"retry-after": str(retry_after)})

    def script_transcription(self, *texts: str) -> None:
        """Queue transcripts for the next transcription requests, in order."""
        self._transcripts.extend(texts)

    def fail_transcription(self, status: int, body: JSON | None = None, count: int = 1) -> None:
        """The next ``count`` transcription requests answer ``status`` (after any queued text)."""
        self._transcripts.append(_Fault(status, body or _default_error(status), None, count))

    def hang_next(self, count: int = 1) -> None:
        """The next ``count`` requests never answer; the client's timeout ends them."""
        self._faults.append(_Fault(0, {}, None, count))

    # ---------------------------------------------------------------- inspection

    @property
    def in_flight(self) -> int:
        """Requests being answered right now."""
        return self._in_flight.value

    @property
    def max_in_flight(self) -> int:
        """The most requests that were ever being answered at once."""
        return self._in_flight.peak

    async def wait_for_requests(
        self,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - a deadline per wait reads best in tests
        *,
        done: bool = False,
    ) -> list[CompletionRequest]:
        """Wait until ``count`` requests arrived (or, with ``done``, were answered)."""

        def check() -> list[CompletionRequest] | None:
            seen = [r for r in self.requests if r.done or not done]
            return seen if len(seen) >= count else None

        def describe() -> str:
            return f"{count} request(s); got {len(self.requests)}"

        return await wait_until(self._changed, check, timeout, describe)

    # ---------------------------------------------------------------- HTTP

    async def _models(self, request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "object": "list",
                "data": [
                    {"id": self.model, "object": "model", "created": 1700000000, "owned_by": "fake"}
                ],
            }
        )

    async def _completions(self, request: Request) -> Response:
        record = CompletionRequest(body={}, headers=dict(request.headers), time=time.monotonic())
        self.requests.append(record)
        self._enter()
        streaming = False
        try:
            raw = await request.body()
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise _RefusalError(
                    400,
                    error_body(
                        "We could not parse the JSON body of your request.",
                        "invalid_request_error",
                    ),
                )
            record.body = body
            self._check_auth(request)
            fault = self._take_fault()
            if (fault is not None and fault.status == 0) or self.hanging:
                await self._hang(request, record)
                return Response(status_code=504)
            if fault is not None:
                headers = dict(fault.headers)
                if fault.retry_after is not None:
                    headers["retry-after-ms"] = str(int(fault.retry_after * 1000))
                raise _RefusalError(fault.status, fault.body, headers)
            self._validate(body)
            reply = await self._decide(body)
            record.reply = reply
            if record.stream:
                streaming = True
                return StreamingResponse(
                    self._stream(record, reply),
                    media_type="text/event-stream",
                    headers={"cache-control": "no-cache"},
                )
            if await interruptible_sleep(self._latency(reply), self._closing):
                return Response(status_code=503)
            record.status = 200
            return JSONResponse(self._completion(record, reply))
        except _RefusalError as refusal:
            record.status = refusal.status
            return JSONResponse(refusal.body, status_code=refusal.status, headers=refusal.headers)
        finally:
            if not streaming:
                self._leave()

    async def _transcriptions_endpoint(self, request: Request) -> Response:
        try:
            fields, files = parse_multipart(
                await request.body(), request.headers.get("content-type", "")
            )
        except ValueError:
            fields, files = {}, {}
        upload = files.get("file")
        record = TranscriptionRequest(
            model=fields.get("model"),
            file_name=upload.filename if upload else None,
            content_type=upload.content_type if upload else None,
            data=upload.data if upload else b"",
            fields=fields,
        )
        self.transcriptions.append(record)
        try:
            self._check_auth(request)
            if upload is None or not record.model:
                missing = "file" if upload is None else "model"
                raise _RefusalError(
                    400,
                    error_body(
                        f"Missing required parameter: '{missing}'.",
                        "invalid_request_error",
                        param=missing,
                    ),
                )
            text = self.transcript
            if self._transcripts:
                head = self._transcripts[0]
                if isinstance(head, _Fault):
                    head.remaining -= 1
                    if head.remaining <= 0:
                        self._transcripts.popleft()
                    raise _RefusalError(head.status, head.body)
                text = self._transcripts.popleft()  # type: ignore[assignment]
        except _RefusalError as refusal:
            record.status = refusal.status
            self._changed.notify()
            return JSONResponse(refusal.body, status_code=refusal.status)
        record.status = 200
        self._changed.notify()
        if fields.get("response_format") == "text":
            return Response(text, media_type="text/plain")
        return JSONResponse({"text": text})

    def _enter(self) -> None:
        self._in_flight.value += 1
        self._in_flight.peak = max(self._in_flight.peak, self._in_flight.value)
        self._changed.notify()

    def _leave(self) -> None:
        self._in_flight.value -= 1
        self._changed.notify()

    def _check_auth(self, request: Request) -> None:
        if self.api_key is None:
            return
        if request.headers.get("authorization", "") != f"Bearer {self.api_key}":
            raise _RefusalError(401, _default_error(401))

    def _take_fault(self) -> _Fault | None:
        if not self._faults:
            return None
        fault = self._faults[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            self._faults.popleft()
        return fault

    async def _hang(self, request: Request, record: CompletionRequest) -> None:
        while not self._closing.is_set():
            if await request.is_disconnected():
                record.disconnected = True
                break
            await interruptible_sleep(0.05, self._closing)
        record.status = 504

    def _validate(self, body: JSON) -> None:
        if not isinstance(body.get("model"), str) or not body["model"]:
            raise _RefusalError(
                400, error_body("you must provide a model parameter", "invalid_request_error")
            )
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _RefusalError(
                400,
                error_body(
                    "[] is too short - 'messages'", "invalid_request_error", param="messages"
                ),
            )
        if self.refuse_images:
            for index, message in enumerate(messages):
                content = message.get("content") if isinstance(message, dict) else None
                for part_index, part in enumerate(content if isinstance(content, list) else []):
                    if isinstance(part, dict) and part.get("type") == "image_url":
                        raise _RefusalError(
                            400,
                            error_body(
                                "Invalid content type. image_url is only supported by certain "
                                "models.",
                                "invalid_request_error",
                                param=f"messages.[{index}].content.[{part_index}].type",
                            ),
                        )
        if self.refuse_tools and body.get("tools"):
            raise _RefusalError(
                400, error_body("tools is not supported", "invalid_request_error", param="tools")
            )
        # OpenAI checks the tool-call protocol; a tool loop that breaks it gets these 400s.
        pending: list[str] = []
        for index, message in enumerate(messages):
            role = message.get("role") if isinstance(message, dict) else None
            if role not in _ROLES:
                raise _RefusalError(
                    400,
                    error_body(
                        f"Invalid value: '{role}'. Supported values are: 'system', 'assistant', "
                        "'user', 'function', 'tool', and 'developer'.",
                        "invalid_request_error",
                        code="invalid_value",
                        param=f"messages[{index}].role",
                    ),
                )
            if role == "tool":
                call_id = message.get("tool_call_id")
                if call_id not in pending:
                    raise _RefusalError(
                        400,
                        error_body(
                            "Invalid parameter: messages with role 'tool' must be a response to "
                            "a preceeding message with 'tool_calls'.",
                            "invalid_request_error",
                            param=f"messages.[{index}].role",
                        ),
                    )
                pending.remove(call_id)
                continue
            if pending:
                raise _RefusalError(
                    400,
                    error_body(
                        "An assistant message with 'tool_calls' must be followed by tool "
                        "messages responding to each 'tool_call_id'. The following "
                        f"tool_call_ids did not have response messages: {', '.join(pending)}",
                        "invalid_request_error",
                        param="messages",
                    ),
                )
            if role == "assistant" and isinstance(message.get("tool_calls"), list):
                pending = [str(call.get("id")) for call in message["tool_calls"]]
        if pending:
            raise _RefusalError(
                400,
                error_body(
                    "An assistant message with 'tool_calls' must be followed by tool messages "
                    "responding to each 'tool_call_id'. The following tool_call_ids did not "
                    f"have response messages: {', '.join(pending)}",
                    "invalid_request_error",
                    param="messages",
                ),
            )

    async def _decide(self, body: JSON) -> Reply:
        if self._script:
            return self._script.popleft()
        if self.responder is not None:
            decided = self.responder(body)
            if inspect.isawaitable(decided):
                decided = await decided
            return Reply(text=decided) if isinstance(decided, str) else decided
        last_user = ""
        for message in reversed(body["messages"]):
            if message.get("role") == "user":
                last_user = text_of(message)
                break
        return Reply(text=f"Echo: {last_user}")

    # ---------------------------------------------------------------- answers

    def _latency(self, reply: Reply) -> float:
        return self.latency if reply.latency is None else reply.latency

    def _next_id(self, prefix: str) -> str:
        self._ids += 1
        return f"{prefix}{self._ids:024d}"

    def _tool_call_ids(self, reply: Reply) -> list[str]:
        return [call.id or self._next_id("call_") for call in reply.tool_calls]

    def _usage(self, record: CompletionRequest, reply: Reply) -> JSON:
        prompt = reply.prompt_tokens
        if prompt is None:
            prompt = sum(_estimate_tokens(text_of(m)) + 4 for m in record.messages)
        completion = reply.completion_tokens
        if completion is None:
            produced = (reply.content() or "") + "".join(
                c.name + c.arguments_text() for c in reply.tool_calls
            )
            completion = _estimate_tokens(produced)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 0,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    @staticmethod
    def _finish_reason(reply: Reply) -> str:
        if reply.finish_reason is not None:
            return reply.finish_reason
        return "tool_calls" if reply.tool_calls else "stop"

    def _completion(self, record: CompletionRequest, reply: Reply) -> JSON:
        message: JSON = {
            "role": "assistant",
            "content": reply.content(),
            "refusal": None,
            "annotations": [],
        }
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments_text()},
                }
                for call, call_id in zip(reply.tool_calls, self._tool_call_ids(reply), strict=True)
            ]
        return {
            "id": self._next_id("chatcmpl-"),
            "object": "chat.completion",
            "created": int(time.time()),
            "model": record.model or self.model,
            "system_fingerprint": "fp_fake",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": self._finish_reason(reply),
                }
            ],
            "usage": self._usage(record, reply),
        }

    def _deltas(self, reply: Reply) -> list[JSON]:
        """The ``delta`` of every chunk after the role chunk, as OpenAI cuts them."""
        deltas: list[JSON] = []
        pieces = list(reply.chunks) if reply.chunks is not None else _WORD.findall(reply.text or "")
        deltas.extend({"content": piece} for piece in pieces)
        for index, (call, call_id) in enumerate(
            zip(reply.tool_calls, self._tool_call_ids(reply), strict=True)
        ):
            deltas.append(
                {
                    "tool_calls": [
                        {
                            "index": index,
                            "id": call_id,
                            "type": "function",
                            "function": {"name": call.name, "arguments": ""},
                        }
                    ]
                }
            )
            arguments = call.arguments_text()
            # OpenAI streams arguments in small fragments that only parse once joined.
            for start in range(0, len(arguments), 7):
                deltas.append(
                    {
                        "tool_calls": [
                            {
                                "index": index,
                                "function": {"arguments": arguments[start : start + 7]},
                            }
                        ]
                    }
                )
        return deltas

    async def _stream(self, record: CompletionRequest, reply: Reply) -> AsyncIterator[bytes]:
        completion_id = self._next_id("chatcmpl-")
        created = int(time.time())
        model = record.model or self.model
        options = record.body.get("stream_options")
        include_usage = isinstance(options, dict) and bool(options.get("include_usage"))

        def event(choices: list[JSON], usage: JSON | None = None) -> bytes:
            chunk: JSON = {
                "id": completion_id,
                "object": "chat.completion.chunk",
                "created": created,
                "model": model,
                "system_fingerprint": "fp_fake",
                "choices": choices,
            }
            if include_usage:
                chunk["usage"] = usage
            return f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode()

        def choice(delta: JSON, finish_reason: str | None = None) -> list[JSON]:
            return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}]

        finished = False
        try:
            if await interruptible_sleep(self._latency(reply), self._closing):
                return
            yield event(choice({"role": "assistant", "content": "", "refusal": None}))
            delay = self.chunk_delay if reply.chunk_delay is None else reply.chunk_delay
            for index, delta in enumerate(self._deltas(reply)):
                if reply.stream_break is not None and index >= reply.break_after:
                    break
                pause = delay
                if reply.delays is not None and index < len(reply.delays):
                    pause = reply.delays[index]
                if await interruptible_sleep(pause, self._closing):
                    return
                yield event(choice(delta))
            if reply.stream_break == "truncate":
                finished = True
                return
            if reply.stream_break == "drop":
                raise _DroppedConnectionError("connection dropped mid-stream, as scripted")
            if reply.stream_break == "malformed":
                yield b'data: {"id": "chatcmpl-broken", "choices": [{"delta": {"content": \n\n'
                finished = True
                return
            if reply.stream_break == "stall":
                await interruptible_sleep(3600, self._closing)
                return
            if reply.stream_error is not None:
                yield f"data: {json.dumps(reply.stream_error)}\n\n".encode()
                finished = True
                return
            yield event(choice({}, self._finish_reason(reply)))
            if include_usage:
                yield event([], self._usage(record, reply))
            yield b"data: [DONE]\n\n"
            finished = True
        finally:
            # Starlette cancels this generator when the client goes away mid-stream.
            record.disconnected = not finished and not self._closing.is_set()
            record.status = 200
            self._leave()
