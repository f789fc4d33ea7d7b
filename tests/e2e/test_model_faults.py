"""Faults of the model server and of message drafts: the user always gets an honest answer."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.config import Settings
from bot.i18n import t
from tests.e2e.conftest import RunningBot
from tests.fakes.openai import Reply, ToolCall, context_length_error

USER = 6101
APOLOGY_START = "Sorry, I can't reach my coaching brain"
CUT_OFF = t("en", "stream.cut_off")


def _texts(bot: RunningBot, chat_id: int = USER) -> list[str]:
    return [m.get("text") or "" for m in bot.telegram.sent_to(chat_id)]


def _chat_requests(bot: RunningBot) -> list[Any]:
    return [r for r in bot.openai.requests if r.stream]


async def _ask(bot: RunningBot, text: str, *, count: int, wait: float = 15) -> list[str]:
    bot.telegram.user_sends(USER, text)
    await bot.telegram.wait_for_messages(USER, count, timeout=wait)
    return _texts(bot)


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


# --------------------------------------------------------------------------- 6. broken streams


@pytest.mark.parametrize("fault", ["truncate", "drop", "malformed", "stall"])
async def test_a_stream_broken_before_any_words_is_retried(bot: RunningBot, fault: str) -> None:
    bot.openai.script(
        Reply(text="Lost answer.", stream_break=fault, break_after=0),
        Reply(text="Rest one day a week."),
    )
    await bot.start(openai_timeout=1)

    texts = await _ask(bot, "How often should I rest?", count=1)

    assert texts == ["Rest one day a week."]
    assert len(_chat_requests(bot)) == 2


@pytest.mark.parametrize("fault", ["truncate", "drop", "malformed", "stall"])
async def test_a_stream_broken_after_words_keeps_them_with_a_note(
    bot_on_each_database: RunningBot, fault: str
) -> None:
    bot = bot_on_each_database
    chunks = ["Squat ", "with ", "your ", "chest ", "up ", "and "]
    bot.openai.script(
        Reply(chunks=chunks, chunk_delay=0.3, stream_break=fault, break_after=4),
        Reply(text="Continuing: knees out."),
    )
    await bot.start(openai_timeout=1)

    [answer] = await _ask(bot, "How do I squat?", count=1)

    assert answer.startswith("Squat with your chest")
    assert answer.endswith(CUT_OFF)
    assert len(_chat_requests(bot)) == 1
    # Stored as cut off: the model reads it back marked, not as a whole answer.
    await _ask(bot, "continue", count=2)
    history = _chat_requests(bot)[-1].messages
    [stored] = [m for m in history if m["role"] == "assistant"]
    assert stored["content"] == "Squat with your chest [cut off]"


async def test_an_answer_cut_at_the_length_limit_gets_the_note(
    bot_on_each_database: RunningBot,
) -> None:
    bot = bot_on_each_database
    bot.openai.script(Reply(text="Day one: squats, rows and", finish_reason="length"))
    await bot.start()

    [answer] = await _ask(bot, "Plan my week", count=1)

    assert answer == f"Day one: squats, rows and\n\n{CUT_OFF}"
    await _ask(bot, "go on", count=2)
    history = _chat_requests(bot)[-1].messages
    assert history[-2]["content"] == "Day one: squats, rows and [cut off]"


async def test_the_cut_off_note_is_in_the_users_language(bot: RunningBot) -> None:
    bot.openai.script(Reply(text="День первый: присед", finish_reason="length"))
    await bot.start()

    bot.telegram.user_sends(USER, "Составь план", language_code="ru")
    [answer] = await bot.telegram.wait_for_messages(USER, 1, timeout=15)

    assert answer["text"].endswith(t("ru", "stream.cut_off"))


# --------------------------------------------------------------------------- 7. empty, bad tools


async def test_an_empty_answer_is_retried_once(bot: RunningBot) -> None:
    bot.openai.script(Reply(text=""), Reply(text="Walk 30 minutes today."))
    await bot.start()

    texts = await _ask(bot, "What should I do today?", count=1)

    assert texts == ["Walk 30 minutes today."]
    assert len(_chat_requests(bot)) == 2


async def test_two_empty_answers_get_the_apology_and_nothing_is_stored(bot: RunningBot) -> None:
    bot.openai.script(Reply(text=""), Reply(text="  "))
    await bot.start()

    [answer] = await _ask(bot, "What should I do today?", count=1)

    assert answer.startswith(APOLOGY_START)
    assert "…" not in answer
    await _ask(bot, "Hello again", count=2)
    history = _chat_requests(bot)[-1].messages
    assert [m["role"] for m in history] == ["system", "user"]
    assert "…" not in json.dumps(history, ensure_ascii=False)


async def test_malformed_tool_arguments_are_answered_as_a_tool_error(bot: RunningBot) -> None:
    bot.openai.script(
        Reply(tool_calls=[ToolCall(name="show_exercise_demo", arguments='{"exercise": "pla')]),
        Reply(text="A plank: hold a straight line from head to heels."),
    )
    await bot.start()

    texts = await _ask(bot, "How do I plank?", count=1)

    assert texts == ["A plank: hold a straight line from head to heels."]
    follow_up = _chat_requests(bot)[-1]
    tool = follow_up.messages[-1]
    assert tool["role"] == "tool"
    assert "not valid JSON" in tool["content"]


# --------------------------------------------------------------------------- 8. context length


async def test_context_length_retries_drop_old_turns_then_the_summary(bot: RunningBot) -> None:
    await bot.start()
    for turn in range(4):
        await _ask(bot, f"turn {turn}", count=turn + 1)
    bot.openai.fail_next(400, context_length_error(), count=10)

    [*_, answer] = await _ask(bot, "latest question", count=5)

    assert answer.startswith(APOLOGY_START)
    refused = _chat_requests(bot)[4:]
    sizes = [len(r.messages) for r in refused]
    # Every retry is smaller than the one before, down to the system prompt and the question.
    assert sizes == sorted(set(sizes), reverse=True), sizes
    assert [m["role"] for m in refused[-1].messages] == ["system", "user"]
    assert refused[-1].user_text == "latest question"


async def test_context_length_retry_succeeds_with_a_shorter_prompt(bot: RunningBot) -> None:
    await bot.start()
    for turn in range(3):
        await _ask(bot, f"turn {turn}", count=turn + 1)
    bot.openai.fail_next(400, context_length_error(), count=1)

    texts = await _ask(bot, "latest question", count=4)

    assert texts[-1] == "Echo: latest question"
    refused, accepted = _chat_requests(bot)[-2:]
    assert len(accepted.messages) < len(refused.messages)


# --------------------------------------------------------------------------- 9. bounded silence


async def test_a_long_retry_after_is_said_at_once(bot: RunningBot) -> None:
    bot.openai.rate_limit(retry_after=120)
    await bot.start()
    started = asyncio.get_running_loop().time()

    [answer] = await _ask(bot, "Plan my week", count=1, wait=10)

    assert asyncio.get_running_loop().time() - started < 5
    assert answer == t("en", "stream.busy", minutes=2)
    assert len(_chat_requests(bot)) == 1


async def test_a_short_retry_after_is_waited_for(bot: RunningBot) -> None:
    bot.openai.rate_limit(retry_after=1)
    await bot.start()

    texts = await _ask(bot, "Plan my week", count=1)

    assert texts == ["Echo: Plan my week"]


async def test_a_hanging_model_gets_the_apology_within_about_30_s(bot: RunningBot) -> None:
    bot.openai.hanging = True
    default_timeout = Settings.model_fields["openai_timeout"].default
    await bot.start(openai_timeout=default_timeout)
    started = asyncio.get_running_loop().time()

    [answer] = await _ask(bot, "Are you there?", count=1, wait=45)

    waited = asyncio.get_running_loop().time() - started
    assert answer.startswith(APOLOGY_START)
    assert waited < 33, waited
    # The typing status was kept up all along (it lasts about 5 s).
    typing = bot.telegram.calls("sendChatAction", chat_id=USER)
    assert len(typing) >= waited // 5, len(typing)
