"""Faults of the model server and of message drafts: the user always gets an honest answer."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.conftest import RunningBot
from tests.fakes.openai import Reply

USER = 6101


def _texts(bot: RunningBot, chat_id: int = USER) -> list[str]:
    return [m.get("text") or "" for m in bot.telegram.sent_to(chat_id)]


def _slow_answer(words: int, pause: float) -> tuple[list[str], Reply]:
    chunks = [f"word{i} " for i in range(words)]
    return chunks, Reply(chunks=chunks, delays=[0.0] + [pause] * (words - 1))


# --------------------------------------------------------------------------- 3. drafts


async def test_a_10_s_answer_without_drafts_costs_a_handful_of_requests(bot: RunningBot) -> None:
    bot.telegram.remove_method("sendMessageDraft")
    await bot.start()
    chunks, reply = _slow_answer(21, 0.5)  # ten seconds of writing
    bot.openai.script(reply)

    bot.telegram.user_sends(USER, "Tell me everything")
    await bot.telegram.wait_for(
        lambda r: r.chat_id == USER and "word20" in str(r.params.get("text", "")) and r.ok,
        timeout=20,
    )
    await asyncio.sleep(0.3)

    assert _texts(bot) == ["".join(chunks).strip()]
    methods = [r.method for r in bot.telegram.requests if r.chat_id == USER]
    # One refused draft, then one message edited every 2 s: not a failing draft every second.
    assert methods.count("sendMessageDraft") == 1
    assert methods.count("sendMessage") == 1
    assert len(methods) <= 10, methods
    print(f"requests for a 10 s answer without drafts: {len(methods)} {methods}")


@pytest.mark.parametrize(
    ("status", "description"),
    [(500, "Internal Server Error"), (400, "Bad Request: TEXT_INVALID")],
    ids=["5xx", "400"],
)
async def test_any_draft_refusal_switches_to_one_edited_message(
    bot: RunningBot, status: int, description: str
) -> None:
    bot.telegram.fail("sendMessageDraft", status, description)
    await bot.start()
    chunks, reply = _slow_answer(9, 0.4)
    bot.openai.script(reply)

    bot.telegram.user_sends(USER, "How do I start?")
    await bot.telegram.wait_for(
        lambda r: r.chat_id == USER and "word8" in str(r.params.get("text", "")) and r.ok,
        timeout=15,
    )

    assert _texts(bot) == ["".join(chunks).strip()]
    assert len(bot.telegram.calls("sendMessageDraft", chat_id=USER)) == 1
    # The words were shown while they were written, in the one message.
    [first] = bot.telegram.calls("sendMessage", chat_id=USER)
    assert "word8" not in first.params["text"]


async def test_a_hanging_chat_action_does_not_hold_up_the_drafts(bot: RunningBot) -> None:
    bot.telegram.hang("sendChatAction")
    await bot.start()
    _, reply = _slow_answer(8, 0.5)
    bot.openai.script(reply)

    bot.telegram.user_sends(USER, "How do I start?")
    [request] = await bot.openai.wait_for_requests(1)
    [draft] = await bot.telegram.wait_for("sendMessageDraft", timeout=10)

    # The first words show within a second, not after the chat action gives up.
    assert draft.time - request.time < 1.5
    await bot.telegram.wait_for_messages(USER, 1, timeout=15)
