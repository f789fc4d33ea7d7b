"""Streamed chunks: validated quickly, and built leniently when they do not validate."""

from __future__ import annotations

import json
from typing import Any

import httpx2

from bot.llm.client import ChatMessage, ChatModel, Finish, StreamEvent, TextDelta, ToolCall, Usage

MESSAGES = [ChatMessage(role="user", content="How do I squat?")]


def sse(*events: dict[str, Any]) -> httpx2.Response:
    lines = [f"data: {json.dumps(event)}\n\n" for event in events] + ["data: [DONE]\n\n"]
    return httpx2.Response(
        200, content="".join(lines).encode(), headers={"content-type": "text/event-stream"}
    )


async def stream(response: httpx2.Response) -> list[StreamEvent]:
    model = ChatModel(
        api_key="sk-test",
        base_url="http://model.test/v1",
        model="coach-model",
        timeout=5.0,
        max_retries=0,
        http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(lambda _: response)),
    )
    try:
        return [event async for event in model.stream(MESSAGES)]
    finally:
        await model.aclose()


async def test_complete_chunks_give_text_usage_and_finish() -> None:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "coach-model",
            "choices": [choice],
        }

    usage = {"prompt_tokens": 9, "completion_tokens": 2, "total_tokens": 11}
    events = await stream(
        sse(
            chunk({"role": "assistant", "content": "Knees "}),
            chunk({"content": "out."}, "stop"),
            {**chunk({}), "choices": [], "usage": usage},
        )
    )
    assert events == [TextDelta("Knees "), TextDelta("out."), Usage(9, 2), Finish("stop")]


async def test_chunks_missing_fields_are_still_read() -> None:
    # Some servers leave out id, created, model and the tool call's index.
    call = {"id": "c1", "function": {"name": "show_exercise_demo", "arguments": '{"a": 1}'}}
    events = await stream(
        sse(
            {"choices": [{"delta": {"content": "Here "}}]},
            {"choices": [{"delta": {"tool_calls": [call]}, "finish_reason": "tool_calls"}]},
        )
    )
    assert events[0] == TextDelta("Here ")
    assert ToolCall(id="c1", name="show_exercise_demo", arguments={"a": 1}) in events
    assert events[-1] == Finish("tool_calls")
