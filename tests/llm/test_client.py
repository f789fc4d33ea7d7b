"""ChatModel against httpx2.MockTransport: requests sent, events parsed, errors translated."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx2
import pytest

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
from bot.llm.client import (
    ChatMessage,
    ChatModel,
    Completion,
    Finish,
    ImageInput,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolSpec,
    Usage,
)

API_KEY = "sk-test-SECRET-0123456789abcdef"
BASE_URL = "http://model.test/v1"
MESSAGES = [
    ChatMessage(role="system", content="You are a coach."),
    ChatMessage(role="user", content="How do I squat?"),
]
DEMO_TOOL = ToolSpec(
    name="show_exercise_demo",
    description="Show a demo.",
    parameters={
        "type": "object",
        "properties": {"exercise": {"type": "string"}},
        "required": ["exercise"],
    },
)

Handler = Callable[[httpx2.Request], httpx2.Response]


class Recorder:
    """Answers requests with scripted responses and keeps what was sent."""

    def __init__(self, *responses: httpx2.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        response = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(response, Exception):
            raise response
        return response

    def body(self, index: int = -1) -> dict[str, Any]:
        body: dict[str, Any] = json.loads(self.requests[index].content)
        return body


@pytest.fixture
async def make_model() -> AsyncIterator[Callable[..., ChatModel]]:
    models: list[ChatModel] = []

    def build(handler: Handler, *, max_retries: int = 0) -> ChatModel:
        model = ChatModel(
            api_key=API_KEY,
            base_url=BASE_URL,
            model="coach-model",
            timeout=5.0,
            max_retries=max_retries,
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(handler)),
        )
        models.append(model)
        return model

    yield build
    for model in models:
        await model.aclose()


def chunk(
    delta: dict[str, Any] | None = None,
    *,
    finish_reason: str | None = None,
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    choices = (
        [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish_reason}]
    )
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "coach-model",
        "choices": choices,
        "usage": usage,
    }


def sse(*events: dict[str, Any] | str) -> httpx2.Response:
    lines = [
        f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n" for event in events
    ]
    return httpx2.Response(
        200, content="".join(lines).encode(), headers={"content-type": "text/event-stream"}
    )


def completion(
    text: str, *, prompt_tokens: int = 12, completion_tokens: int = 5
) -> httpx2.Response:
    return httpx2.Response(
        200,
        json={
            "id": "chatcmpl-2",
            "object": "chat.completion",
            "created": 1,
            "model": "coach-model",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        },
    )


def error(status: int, message: str, *, code: str | None = None, **headers: str) -> httpx2.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
    return httpx2.Response(status, json=body, headers=headers)


async def collect(model: ChatModel, **kwargs: Any) -> list[StreamEvent]:
    return [event async for event in model.stream(MESSAGES, **kwargs)]


async def test_complete_returns_text_and_usage(make_model: Callable[..., ChatModel]) -> None:
    recorder = Recorder(completion("Keep your chest up."))
    model = make_model(recorder)

    result = await model.complete(MESSAGES, max_tokens=300)

    assert result == Completion(text="Keep your chest up.", usage=Usage(12, 5))
    request = recorder.requests[0]
    assert request.url == "http://model.test/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    body = recorder.body()
    assert body["model"] == "coach-model"
    assert body["max_tokens"] == 300
    assert "stream" not in body
    assert body["messages"] == [
        {"role": "system", "content": "You are a coach."},
        {"role": "user", "content": "How do I squat?"},
    ]


async def test_complete_falls_back_to_max_completion_tokens(
    make_model: Callable[..., ChatModel],
) -> None:
    refusal = error(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead.",
        code="unsupported_parameter",
    )
    recorder = Recorder(refusal, completion("Summary."))
    model = make_model(recorder)

    result = await model.complete(MESSAGES, max_tokens=200)

    assert result.text == "Summary."
    assert "max_tokens" in recorder.body(0)
    assert recorder.body(1)["max_completion_tokens"] == 200
    assert "max_tokens" not in recorder.body(1)


async def test_stream_yields_text_usage_and_finish_last(
    make_model: Callable[..., ChatModel],
) -> None:
    recorder = Recorder(
        sse(
            chunk({"role": "assistant", "content": ""}),
            chunk({"content": "Brace "}),
            chunk({"content": "your core."}),
            chunk({}, finish_reason="stop"),
            chunk(usage={"prompt_tokens": 40, "completion_tokens": 4, "total_tokens": 44}),
            "[DONE]",
        )
    )
    model = make_model(recorder)

    events = await collect(model)

    assert events == [
        TextDelta("Brace "),
        TextDelta("your core."),
        Usage(prompt_tokens=40, completion_tokens=4),
        Finish("stop"),
    ]
    body = recorder.body()
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert "tools" not in body


async def test_stream_assembles_tool_call_fragments(make_model: Callable[..., ChatModel]) -> None:
    recorder = Recorder(
        sse(
            chunk({"content": "Here is the movement."}),
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_a",
                            "type": "function",
                            "function": {"name": "show_exercise_demo", "arguments": ""},
                        }
                    ]
                }
            ),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"exer'}}]}),
            chunk(
                {"tool_calls": [{"index": 0, "function": {"arguments": 'cise": "back squat"}'}}]}
            ),
            chunk(
                {
                    "tool_calls": [
                        {
                            "index": 1,
                            "id": "call_b",
                            "type": "function",
                            "function": {"name": "show_exercise_demo", "arguments": '{"exercise":'},
                        }
                    ]
                }
            ),
            chunk({"tool_calls": [{"index": 1, "function": {"arguments": ' "goblet squat"}'}}]}),
            chunk({}, finish_reason="tool_calls"),
            chunk(usage={"prompt_tokens": 50, "completion_tokens": 30, "total_tokens": 80}),
            "[DONE]",
        )
    )
    model = make_model(recorder)

    events = await collect(model, tools=[DEMO_TOOL])

    assert events == [
        TextDelta("Here is the movement."),
        ToolCall(id="call_a", name="show_exercise_demo", arguments={"exercise": "back squat"}),
        ToolCall(id="call_b", name="show_exercise_demo", arguments={"exercise": "goblet squat"}),
        Usage(prompt_tokens=50, completion_tokens=30),
        Finish("tool_calls"),
    ]
    assert recorder.body()["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "show_exercise_demo",
                "description": "Show a demo.",
                "parameters": dict(DEMO_TOOL.parameters),
            },
        }
    ]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        pytest.param("", {}, id="empty-means-no-arguments"),
        pytest.param('"{\\"exercise\\": \\"plank\\"}"', {"exercise": "plank"}, id="double-encoded"),
        pytest.param('{"exercise": "plank"', None, id="truncated-json"),
        pytest.param('["plank"]', None, id="not-an-object"),
    ],
)
async def test_stream_tool_call_arguments_are_parsed_or_flagged(
    make_model: Callable[..., ChatModel],
    caplog: pytest.LogCaptureFixture,
    arguments: str,
    expected: dict[str, Any] | None,
) -> None:
    call = {
        "index": 0,
        "id": "call_x",
        "function": {"name": "show_exercise_demo", "arguments": arguments},
    }
    recorder = Recorder(
        sse(chunk({"tool_calls": [call]}), chunk({}, finish_reason="tool_calls"), "[DONE]")
    )
    model = make_model(recorder)

    with caplog.at_level(logging.WARNING, logger="bot.llm.client"):
        events = await collect(model, tools=[DEMO_TOOL])

    calls = [event for event in events if isinstance(event, ToolCall)]
    if expected is None:
        # Kept, with the reason, so the model is told instead of the call vanishing.
        [call] = calls
        assert call.arguments == {}
        assert call.error is not None
        assert "show_exercise_demo" in caplog.text
    else:
        assert calls == [ToolCall(id="call_x", name="show_exercise_demo", arguments=expected)]
    assert events[-1] == Finish("tool_calls")


async def test_stream_without_finish_reason_still_ends_with_finish(
    make_model: Callable[..., ChatModel],
) -> None:
    model = make_model(Recorder(sse(chunk({"content": "Hi"}), "[DONE]")))

    assert await collect(model) == [TextDelta("Hi"), Finish("unknown")]


async def test_history_with_tool_calls_is_sent_in_openai_shape(
    make_model: Callable[..., ChatModel],
) -> None:
    recorder = Recorder(completion("Done."))
    model = make_model(recorder)
    call = ToolCall(id="call_1", name="show_exercise_demo", arguments={"exercise": "lunge"})
    messages = [
        ChatMessage(role="user", content="Show me a lunge"),
        ChatMessage(role="assistant", content="", tool_calls=(call,)),
        ChatMessage(role="tool", content="sent", tool_call_id="call_1"),
    ]

    await model.complete(messages)

    assert recorder.body()["messages"] == [
        {"role": "user", "content": "Show me a lunge"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {
                        "name": "show_exercise_demo",
                        "arguments": '{"exercise": "lunge"}',
                    },
                }
            ],
        },
        {"role": "tool", "content": "sent", "tool_call_id": "call_1"},
    ]


ERROR_CASES = [
    pytest.param(httpx2.ReadTimeout("read timed out"), LLMTimeoutError, id="timeout"),
    pytest.param(httpx2.ConnectError("connection refused"), LLMUnavailableError, id="connect"),
    pytest.param(error(429, "Rate limit reached"), LLMRateLimitError, id="429"),
    pytest.param(error(500, "Internal error"), LLMUnavailableError, id="500"),
    pytest.param(error(503, "Overloaded"), LLMUnavailableError, id="503"),
    pytest.param(error(408, "Request timeout"), LLMTimeoutError, id="408"),
    pytest.param(
        error(
            400,
            "This model's maximum context length is 8192 tokens. However, your messages "
            "resulted in 9001 tokens.",
            code="context_length_exceeded",
        ),
        LLMContextLengthError,
        id="context-openai",
    ),
    pytest.param(
        error(400, "the request exceeds the available context size, try increasing it"),
        LLMContextLengthError,
        id="context-llama-cpp",
    ),
    pytest.param(
        error(400, "prompt is too long: 210000 tokens"), LLMContextLengthError, id="context-prompt"
    ),
    pytest.param(
        error(400, "Bad request: " + "x" * 2000 + " maximum context length is 4096 tokens"),
        LLMContextLengthError,
        id="context-after-a-long-echo",
    ),
    pytest.param(
        error(400, "registry.ollama.ai/library/gemma:2b does not support tools"),
        LLMToolsUnsupportedError,
        id="tools-ollama",
    ),
    pytest.param(
        error(
            400,
            '"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser '
            "to be set",
        ),
        LLMToolsUnsupportedError,
        id="tools-vllm",
    ),
    pytest.param(
        error(400, "Function calling is not supported for this model."),
        LLMToolsUnsupportedError,
        id="tools-function-calling",
    ),
    pytest.param(error(401, "Invalid API key"), LLMError, id="401"),
    pytest.param(error(404, "model 'coach-model' not found"), LLMError, id="404"),
    pytest.param(
        httpx2.Response(
            200, content=b"<html>not json</html>", headers={"content-type": "text/html"}
        ),
        LLMError,
        id="html-instead-of-json",
    ),
]


@pytest.mark.parametrize(("response", "expected"), ERROR_CASES)
async def test_complete_translates_errors(
    make_model: Callable[..., ChatModel],
    response: httpx2.Response | Exception,
    expected: type[LLMError],
) -> None:
    model = make_model(Recorder(response))

    with pytest.raises(expected) as caught:
        await model.complete(MESSAGES)

    assert isinstance(caught.value, LLMError)
    if expected is LLMError:
        assert not isinstance(
            caught.value,
            LLMTimeoutError | LLMRateLimitError | LLMContextLengthError | LLMToolsUnsupportedError,
        )


@pytest.mark.parametrize(("response", "expected"), ERROR_CASES)
async def test_stream_translates_errors(
    make_model: Callable[..., ChatModel],
    response: httpx2.Response | Exception,
    expected: type[LLMError],
) -> None:
    model = make_model(Recorder(response))

    with pytest.raises(expected):
        await collect(model, tools=[DEMO_TOOL])


@pytest.mark.parametrize(
    ("error_event", "expected"),
    [
        pytest.param(
            {"error": {"message": "upstream model crashed", "code": "server_error"}},
            LLMUnavailableError,
            id="server-error",
        ),
        pytest.param(
            {"error": {"message": "maximum context length exceeded", "code": None}},
            LLMContextLengthError,
            id="context-length",
        ),
    ],
)
async def test_stream_translates_errors_sent_mid_stream(
    make_model: Callable[..., ChatModel],
    error_event: dict[str, Any],
    expected: type[LLMError],
) -> None:
    model = make_model(Recorder(sse(chunk({"content": "Start"}), error_event)))
    received: list[StreamEvent] = []

    async def consume() -> None:
        async for event in model.stream(MESSAGES):
            received.append(event)

    with pytest.raises(expected):
        await consume()

    assert received == [TextDelta("Start")]


async def test_stream_rejects_malformed_event_data(make_model: Callable[..., ChatModel]) -> None:
    model = make_model(Recorder(sse(chunk({"content": "Hi"}), "{not json")))

    with pytest.raises(LLMUnavailableError, match="malformed"):
        await collect(model)


async def test_rate_limit_after_the_clients_retries(make_model: Callable[..., ChatModel]) -> None:
    recorder = Recorder(error(429, "Rate limit reached", **{"retry-after-ms": "1"}))
    model = make_model(recorder, max_retries=2)

    with pytest.raises(LLMRateLimitError):
        await model.complete(MESSAGES)

    assert len(recorder.requests) == 3


async def test_server_errors_are_retried_by_the_client(
    make_model: Callable[..., ChatModel],
) -> None:
    recorder = Recorder(
        error(503, "Overloaded", **{"retry-after-ms": "1"}), completion("Recovered.")
    )
    model = make_model(recorder, max_retries=2)

    result = await model.complete(MESSAGES)

    assert result.text == "Recovered."
    assert len(recorder.requests) == 2


async def test_api_key_never_reaches_logs_or_errors(
    make_model: Callable[..., ChatModel], caplog: pytest.LogCaptureFixture
) -> None:
    # A server that echoes the key back in its error message.
    echoed = error(400, f"Malformed header: Bearer {API_KEY}")
    caplog.set_level(logging.DEBUG)
    model = make_model(Recorder(completion("ok")))
    failing = make_model(Recorder(echoed))

    await model.complete(MESSAGES)
    _ = [
        event
        async for event in make_model(Recorder(sse(chunk({"content": "x"}), "[DONE]"))).stream(
            MESSAGES
        )
    ]
    with pytest.raises(LLMError) as caught:
        await failing.complete(MESSAGES)

    assert caplog.records, "debug logging should have produced records"
    assert API_KEY not in caplog.text
    assert API_KEY not in str(caught.value)
    assert "[redacted]" in str(caught.value)
    assert API_KEY not in repr(model)
    # What the application's error handler would log, traceback and causes included.
    logging.getLogger("tests").error("Update failed", exc_info=caught.value)
    assert "Malformed header" in caplog.text
    assert API_KEY not in caplog.text


async def test_complete_json_asks_for_the_schema_and_drops_it_where_refused(
    make_model: Callable[..., ChatModel],
) -> None:
    refusal = error(400, "response_format json_schema is not supported by this model")
    recorder = Recorder(refusal, completion('{"days": []}'))
    model = make_model(recorder)
    schema = {"type": "object"}

    first = await model.complete_json(MESSAGES, name="weekly_plan", schema=schema)
    second = await model.complete_json(MESSAGES, name="weekly_plan", schema=schema)

    assert first.text == second.text == '{"days": []}'
    assert recorder.body(0)["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "weekly_plan", "schema": schema},
    }
    assert "response_format" not in recorder.body(1)
    assert "response_format" not in recorder.body(2)  # not offered again
    assert len(recorder.requests) == 3


async def test_complete_json_passes_other_refusals_on(make_model: Callable[..., ChatModel]) -> None:
    model = make_model(Recorder(error(401, "bad key")))
    with pytest.raises(LLMError):
        await model.complete_json(MESSAGES, name="weekly_plan", schema={})


async def test_a_user_message_with_an_image_is_sent_as_text_and_image_parts(
    make_model: Callable[..., ChatModel],
) -> None:
    recorder = Recorder(completion("Chicken and rice."))
    model = make_model(recorder)
    image = ImageInput(data=b"\x89PNG\r\n", mime_type="image/png", detail="high")

    await model.complete([ChatMessage(role="user", content="Lunch?", images=(image,))])

    assert recorder.body()["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Lunch?"},
                {
                    "type": "image_url",
                    "image_url": {"url": "data:image/png;base64,iVBORw0K", "detail": "high"},
                },
            ],
        }
    ]
    assert "iVBOR" not in repr(image)  # reprs in logs never carry the picture


@pytest.mark.parametrize(
    "message",
    [
        "Invalid content type. image_url is only supported by certain models.",
        "This model does not support image input.",
        "Vision is not supported by this model",
        "model does not support images",
    ],
)
async def test_a_server_without_vision_is_told_apart(
    make_model: Callable[..., ChatModel], message: str
) -> None:
    model = make_model(Recorder(error(400, message)))

    with pytest.raises(LLMImagesUnsupportedError):
        await model.complete(MESSAGES)


async def test_stream_cut_after_words_is_incomplete(make_model: Callable[..., ChatModel]) -> None:
    # Neither a finish reason nor [DONE]: the connection ended mid-answer.
    recorder = Recorder(sse(chunk({"content": "Squat "}), chunk({"content": "deep"})))
    model = make_model(recorder, max_retries=2)
    received: list[StreamEvent] = []

    async def consume() -> None:
        async for event in model.stream(MESSAGES):
            received.append(event)

    with pytest.raises(LLMIncompleteError):
        await consume()

    assert received == [TextDelta("Squat "), TextDelta("deep")]
    assert len(recorder.requests) == 1


async def test_stream_cut_before_any_words_is_retried(
    make_model: Callable[..., ChatModel],
) -> None:
    recorder = Recorder(
        sse(chunk({"role": "assistant"})),
        sse(chunk({"content": "Hi"}), chunk({}, finish_reason="stop"), "[DONE]"),
    )
    model = make_model(recorder, max_retries=2)

    assert await collect(model) == [TextDelta("Hi"), Finish("stop")]
    assert len(recorder.requests) == 2


async def test_stream_server_errors_are_retried(make_model: Callable[..., ChatModel]) -> None:
    recorder = Recorder(
        error(503, "Overloaded"),
        sse(chunk({"content": "Back"}), chunk({}, finish_reason="stop"), "[DONE]"),
    )
    model = make_model(recorder, max_retries=2)

    assert await collect(model) == [TextDelta("Back"), Finish("stop")]
    assert len(recorder.requests) == 2


async def test_stream_long_retry_after_is_not_waited_for(
    make_model: Callable[..., ChatModel],
) -> None:
    recorder = Recorder(error(429, "Rate limit reached", **{"retry-after": "120"}))
    model = make_model(recorder, max_retries=2)

    with pytest.raises(LLMRateLimitError) as raised:
        await collect(model)

    assert raised.value.retry_after == 120
    assert len(recorder.requests) == 1
