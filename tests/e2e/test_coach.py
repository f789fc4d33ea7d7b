"""The coach end to end: profile in the prompt, streaming, memory, failures, red flags, tools."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.e2e.conftest import RunningBot
from tests.fakes.openai import Reply, ToolCall, context_length_error

USER = 3001
GROUP = -100777


def _texts(bot: RunningBot, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in bot.telegram.sent_to(chat_id)]


async def _ask(bot: RunningBot, text: str, *, count: int, user: int = USER) -> list[str]:
    bot.telegram.user_sends(user, text)
    await bot.telegram.wait_for_messages(user, count, timeout=15)
    return _texts(bot, user)


def _chat_requests(bot: RunningBot) -> list[Any]:
    return [r for r in bot.openai.requests if r.stream]


async def test_the_prompt_knows_the_profile_in_the_users_units(bot: RunningBot) -> None:
    await bot.start()
    await _ask(bot, "/profile units=imperial height=5'11\" weight=180 lb age=30 sex=male", count=1)
    texts = await _ask(bot, "How much should I eat?", count=2)
    assert texts[-1] == "Echo: How much should I eat?"
    system = _chat_requests(bot)[-1].system_text
    assert "5 ft 11 in" in system
    assert "180 lb" in system
    assert "BMI: 25.1" in system
    assert "not medical advice" not in texts[-1]


async def test_streaming_shows_words_before_the_answer_is_complete(bot: RunningBot) -> None:
    await bot.start()
    words = [f"word{i} " for i in range(30)]
    bot.openai.script(Reply(chunks=words, delays=[0.0] + [0.1] * 29))
    bot.telegram.user_sends(USER, "Tell me a long story")
    [first_draft] = await bot.telegram.wait_for("sendMessageDraft", timeout=10)
    await bot.telegram.wait_for_messages(USER, 1, timeout=15)
    [final] = bot.telegram.calls("sendMessage", chat_id=USER)
    # The first words were visible long before the whole answer (about 3 s of writing).
    assert first_draft.time < final.time - 1.5
    assert first_draft.params["text"].startswith("word0")
    assert final.params["text"] == "".join(words).strip()
    drafts = bot.telegram.calls("sendMessageDraft", chat_id=USER)
    # About one draft a second for a three-second answer, never one per token.
    assert 2 <= len(drafts) <= 5


async def test_a_short_answer_costs_at_most_three_requests(bot: RunningBot) -> None:
    await bot.start()
    await _ask(bot, "hi", count=1)
    to_user = [
        r.method
        for r in bot.telegram.requests
        if r.chat_id == USER and r.method not in ("setMyCommands",)
    ]
    assert len(to_user) <= 3, to_user
    assert to_user[-1] == "sendMessage"


async def test_groups_answer_when_mentioned_with_one_edited_message(bot: RunningBot) -> None:
    await bot.start()
    bot.telegram.user_sends(USER, "talking among ourselves", chat_id=GROUP, chat_type="group")
    bot.openai.script(
        Reply(chunks=["Squats ", "are ", "great ", "for legs."], delays=[0, 1.2, 1.2, 1.2])
    )
    bot.telegram.user_sends(
        USER, "@fitcoach_test_bot are squats good?", chat_id=GROUP, chat_type="group"
    )
    # One message: shown with the first words, then edited (while streaming and at the end).
    await bot.telegram.wait_for(
        lambda r: r.method == "editMessageText" and "for legs." in r.params.get("text", ""),
        timeout=20,
    )
    assert _texts(bot, GROUP) == ["Squats are great for legs."]
    [first] = bot.telegram.calls("sendMessage", chat_id=GROUP)
    assert "for legs." not in first.params["text"]
    [request] = _chat_requests(bot)
    assert request.user_text == "are squats good?"


async def test_memory_survives_a_restart(bot: RunningBot) -> None:
    await bot.start()
    await _ask(bot, "I hurt my left knee skiing last winter", count=1)
    await bot.stop()
    await bot.start()
    await _ask(bot, "What should I train today?", count=2)
    prompt = json.dumps(_chat_requests(bot)[-1].messages)
    assert "I hurt my left knee skiing last winter" in prompt


async def test_an_early_fact_reaches_the_model_at_turn_60(bot: RunningBot) -> None:
    def respond(body: dict[str, Any]) -> Reply:
        if body.get("stream"):
            return Reply(text="Noted, keep going.", prompt_tokens=None)
        # A summary request: keep the durable facts the excerpt and the earlier summary hold.
        excerpt = body["messages"][-1]["content"]
        facts = [
            line.lstrip("- ").removeprefix("User: ")[:80]
            for line in excerpt.splitlines()
            if "allergic" in line
        ]
        return Reply(text="- " + "\n- ".join(facts or ["nothing durable"]))

    bot.openai.responder = respond
    await bot.start(history_token_budget=600, user_messages_per_minute=600)
    filler = "I did my usual session today with some squats, rows and presses. " * 4
    await _ask(bot, "FACT: I am allergic to burpees. " + filler, count=1)
    for turn in range(2, 61):
        await _ask(bot, f"turn {turn}. {filler}", count=turn)
    prompts = _chat_requests(bot)
    sizes = [len(json.dumps(r.messages)) for r in prompts]
    # Bounded: the prompt stops growing once the budget is reached.
    assert max(sizes[30:]) < 2 * max(sizes[5:15]) + 4000
    assert max(sizes) < 12_000
    assert "allergic to burpees" in prompts[-1].system_text
    summaries = [r for r in bot.openai.requests if not r.stream]
    assert summaries
    assert all(r.status == 200 for r in summaries)
    # Folding happens now and then, not on every turn.
    assert len(summaries) < 20


async def test_model_failures_apologise_and_lose_nothing(bot: RunningBot) -> None:
    await bot.start()
    bot.openai.fail_next(500, count=3)  # the first try and both retries
    texts = await _ask(bot, "Plan my week please", count=1)
    assert "Sorry" in texts[0]
    texts = await _ask(bot, "Are you back?", count=2)
    # The failed turn stays in history: the model sees both messages together.
    assert texts[-1].startswith("Echo: Plan my week please")
    assert texts[-1].endswith("Are you back?")


async def test_a_hanging_model_does_not_hold_up_other_users(bot: RunningBot) -> None:
    def respond(body: dict[str, Any]) -> Reply:
        last = body["messages"][-1]["content"]
        # Only this user's requests hang (until the client's 1 s timeout, three times).
        return Reply(text=f"Echo: {last}", latency=30 if "there?" in last else 0)

    bot.openai.responder = respond
    await bot.start(openai_timeout=1)
    bot.telegram.user_sends(USER, "Are you there?")
    await bot.openai.wait_for_requests(1)
    started = asyncio.get_running_loop().time()
    texts = await _ask(bot, "Quick question", count=1, user=USER + 1)
    assert texts == ["Echo: Quick question"]
    assert asyncio.get_running_loop().time() - started < 2
    [apology] = await bot.telegram.wait_for_messages(USER, 1, timeout=20)
    assert "Sorry" in apology["text"]


async def test_context_length_error_shrinks_the_prompt_and_retries(bot: RunningBot) -> None:
    await bot.start()
    await _ask(bot, "first " * 200, count=1)
    bot.openai.fail_next(400, context_length_error())
    texts = await _ask(bot, "second", count=2)
    assert texts[-1] == "Echo: second"


async def test_red_flags_stop_coaching_and_are_stored(bot: RunningBot) -> None:
    await bot.start()
    texts = await _ask(bot, "I have chest pain spreading to my left arm during squats", count=1)
    assert "emergency" in texts[0].lower() or "112" in texts[0] or "911" in texts[0]
    assert _chat_requests(bot) == []
    bot.telegram.user_sends(USER, "/export")
    [upload] = await bot.telegram.wait_for("sendDocument")
    document = json.loads(next(iter(upload.files.values())).data)
    contents = [m["content"] for c in document["conversations"] for m in c["messages"]]
    assert contents[0].startswith("I have chest pain")
    assert len(contents) == 2


async def test_daily_token_limit_is_answered_politely(bot: RunningBot) -> None:
    bot.openai.script(Reply(text="A long answer", prompt_tokens=900, completion_tokens=200))
    await bot.start(daily_token_limit=1000)
    await _ask(bot, "first question", count=1)
    texts = await _ask(bot, "second question", count=2)
    assert "limit" in texts[-1]
    assert len(_chat_requests(bot)) == 1


async def test_the_demo_tool_attaches_a_demo(bot: RunningBot) -> None:
    bot.openai.script(
        Reply(
            tool_calls=[
                ToolCall(name="show_exercise_demo", arguments={"exercise": "barbell back squat"})
            ]
        ),
        Reply(text="Here is how to squat: sit back, chest up."),
    )
    await bot.start()
    bot.telegram.user_sends(USER, "How do I squat?")
    await bot.telegram.wait_for(
        lambda r: r.method in ("sendAnimation", "sendVideo", "sendPhoto", "sendMediaGroup"),
        timeout=15,
    )
    follow_up = _chat_requests(bot)[-1]
    assert follow_up.messages[-1]["role"] == "tool"
    assert "squat" in _texts(bot, USER)[0].lower()


async def test_without_tool_support_demos_come_from_the_text(bot: RunningBot) -> None:
    bot.openai.refuse_tools = True
    bot.openai.script(Reply(text="Try the bench press: lower the bar to your chest."))
    await bot.start()
    bot.telegram.user_sends(USER, "Leg exercise at home?")
    await bot.telegram.wait_for_messages(USER, 1, timeout=15)
    # The bench press named in the text brings its one demo: the packaged animation, uploaded.
    [demo] = await bot.telegram.wait_for("sendAnimation", timeout=10)
    assert [u.filename for u in demo.files.values()] == ["barbell-bench-press.gif"]
    assert demo.ok
    assert bot.telegram.calls("sendPhoto") == []  # not its wger photos as well
    offered = [r for r in bot.openai.requests if r.tools]
    assert offered  # tools were tried once, refused, then the answer came without them
    assert _texts(bot, USER)[0].startswith("Try the bench press")
