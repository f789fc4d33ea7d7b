"""Free text, other kinds of messages, rendering, the inbound limit and errors, end to end."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import exchange
from tests.fakes.telegram import MEDIA_KINDS, utf16_len

USER = 3101
OTHER = 3102

JSON = dict[str, Any]

APOLOGY = "Sorry, something went wrong on my side. Please try again in a moment."


async def _send(bot: RunningBot, text: str, *, count: int = 1, user: int = USER) -> list[JSON]:
    return await exchange(bot, user, text, count=count)


def _long_markdown() -> tuple[str, list[str]]:
    """A plan of about 9,000 characters with a table, code and Markdown the model likes."""
    table = (
        "| Exercise | Sets | Reps |\n|---|---|---|\n| Goblet squat | 3 | 8 |\n| Push-up | 3 | 12 |"
    )
    code = '```python\nif reps < 8 and rest > 90:\n    print("add <weight> & go")\n```'
    markers = [f"Day{number:02d}" for number in range(1, 41)]
    days = [
        f"**{marker}**: warm up for ten minutes, then {'work steadily and breathe ' * 7}"
        f"and finish with *easy stretching* (keep `form` first)."
        for marker in markers
    ]
    markdown = "\n\n".join(["Here is your plan.", table, code, *days, "Good luck!"])
    return markdown, markers


# --------------------------------------------------------------------------- free text


async def test_free_text_is_answered_by_the_coach_with_the_profile_in_the_users_units(
    bot: RunningBot,
) -> None:
    await bot.start()
    await _send(bot, "/profile units=imperial height=5'11\" weight=180 lb age=30 sex=male")
    await _send(bot, "/profile goal=strength", user=OTHER)
    bot.openai.script("Eat **protein** with every meal & sleep 8 h.")
    [answer] = await _send(bot, "How much protein do I need?")

    assert answer["text"] == "Eat protein with every meal & sleep 8 h."
    assert {"type": "bold", "offset": 4, "length": 7} in answer["entities"]
    [request] = bot.openai.requests
    assert request.user_text == "How much protein do I need?"
    system = request.system_text
    assert "Height: 5 ft 11 in" in system
    assert "Weight: 180 lb" in system
    assert "Units: imperial" in system
    assert "build strength" not in system  # the other user's profile stays theirs


async def test_a_long_markdown_answer_is_split_into_valid_messages(bot: RunningBot) -> None:
    await bot.start()
    markdown, markers = _long_markdown()
    bot.openai.script(markdown)
    bot.telegram.user_sends(USER, "Give me a 40-day plan")
    await bot.telegram.wait_for(
        lambda r: r.method == "sendMessage" and "Good luck!" in str(r.params.get("text")),
        timeout=10,
    )
    sends = bot.telegram.calls("sendMessage", chat_id=USER)
    assert len(sends) >= 3
    assert all(r.ok for r in sends), [r.description for r in sends]
    assert all(r.params["parse_mode"] == "HTML" for r in sends)

    messages = bot.telegram.sent_to(USER)
    assert all(utf16_len(m["text"]) <= 4096 for m in messages)
    visible = "\n".join(m["text"] for m in messages)
    positions = [visible.index(marker) for marker in markers]
    assert positions == sorted(positions)  # nothing lost, nothing out of order
    assert "Goblet squat | 3    | 8" in visible  # the table as aligned preformatted text
    assert 'print("add <weight> & go")' in visible
    first = messages[0]
    code_start = first["text"].index("if reps")
    assert any(
        e["type"] == "pre" and e["offset"] == code_start and e.get("language") == "python"
        for e in first["entities"]
    )
    assert sum(e["type"] == "bold" for m in messages for e in m.get("entities", [])) == 40


async def test_an_answer_telegram_refuses_as_html_is_resent_as_plain_text(
    bot: RunningBot,
) -> None:
    await bot.start()
    bot.openai.script("Do **3 sets** of `squats` & rest <2 min>.")
    bot.telegram.fail_next(
        "sendMessage", 400, 'Bad Request: can\'t parse entities: Unsupported start tag "2"'
    )
    [answer] = await _send(bot, "Leg day?")
    assert answer["text"] == "Do 3 sets of squats & rest <2 min>."
    assert "entities" not in answer
    refused, resent = bot.telegram.calls("sendMessage", chat_id=USER)
    assert refused.status == 400
    assert refused.params["parse_mode"] == "HTML"
    assert "parse_mode" not in resent.params
    assert resent.ok


# --------------------------------------------------------------------------- other updates


@pytest.mark.parametrize(
    ("kind", "answer"),
    [
        ("sticker", "Nice sticker! I read text only"),
        ("location", "I don't use locations"),
        ("document", "I can't open files"),
        ("video", "I can't watch videos yet"),
        ("animation", "I can't watch videos yet"),
    ],
)
async def test_other_kinds_of_messages_get_a_short_helpful_answer(
    bot: RunningBot, kind: str, answer: str
) -> None:
    assert kind in MEDIA_KINDS
    await bot.start()
    bot.telegram.user_sends_media(USER, kind)
    [reply] = await bot.telegram.wait_for_messages(USER, 1)
    assert answer in reply["text"]
    assert reply["text"] != APOLOGY
    [after] = await _send(bot, "still there?")  # the bot goes on as usual
    assert after["text"] == "Echo: still there?"
    assert len(bot.openai.requests) == 1


async def test_an_edited_message_gets_the_hint_once(bot: RunningBot) -> None:
    await bot.start()
    sent = bot.telegram.user_sends(USER, "How do I squat?")
    await bot.telegram.wait_for_messages(USER, 1)
    message_id = sent["message"]["message_id"]

    bot.telegram.user_edits(USER, message_id, "How do I deadlift?")
    hint = (await bot.telegram.wait_for_messages(USER, 2))[-1]
    assert "edit" in hint["text"]
    assert "new message" in hint["text"]
    assert hint["reply_to_message"]["message_id"] == message_id

    bot.telegram.user_edits(USER, message_id, "How do I bench?")
    [after] = await _send(bot, "ok")  # handled after the second edit: nothing came between
    assert after["text"] == "Echo: ok"
    assert len(bot.openai.requests) == 2  # edits are never re-answered


# --------------------------------------------------------------------------- inbound limit


async def test_the_inbound_limit_answers_politely_and_spares_the_model(bot: RunningBot) -> None:
    await bot.start(user_messages_per_minute=3)
    for number in range(1, 6):
        bot.telegram.user_sends(USER, f"question {number}")
    messages = await bot.telegram.wait_for_messages(USER, 4, timeout=10)
    texts = [m["text"] for m in messages]
    assert texts[:3] == ["Echo: question 1", "Echo: question 2", "Echo: question 3"]
    assert texts[3].startswith("You're sending messages faster than I can coach.")
    assert "wait about" in texts[3]

    # A tap counts too: it gets the notice on its button, and proves the fifth was handled.
    bot.telegram.user_presses(USER, "pf:show", messages[0]["message_id"])
    [tap] = await bot.telegram.wait_for("answerCallbackQuery", timeout=10)
    assert tap.params["text"].startswith("You're sending messages faster")
    # One warning, no answer to the fifth message, nothing for the tap.
    assert len(bot.telegram.sent_to(USER)) == 4
    assert [r.user_text for r in bot.openai.requests] == [f"question {n}" for n in (1, 2, 3)]
    # Another user has their own allowance.
    [other] = await _send(bot, "hi", user=OTHER)
    assert other["text"] == "Echo: hi"


async def test_group_chatter_the_bot_ignores_does_not_count_toward_the_limit(
    bot: RunningBot,
) -> None:
    await bot.start(user_messages_per_minute=3)
    group = -100321
    for number in range(5):
        bot.telegram.user_sends(
            USER, f"see you at the gym {number}", chat_id=group, chat_type="group"
        )
    for number in range(1, 4):
        [answer] = await _send(bot, f"question {number}")
        assert answer["text"] == f"Echo: question {number}"
    assert bot.telegram.sent_to(group) == []  # no answers, and no warnings, in the group


# --------------------------------------------------------------------------- errors


def _quiet_http_clients(caplog: pytest.LogCaptureFixture) -> None:
    """Log as the bot does in production: INFO, the HTTP clients at WARNING (URLs hold tokens)."""
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    for name in ("httpx", "httpx2", "httpcore", "httpcore2", "openai"):
        caplog.set_level(logging.WARNING, logger=name)


async def test_a_failing_handler_gets_the_apology_and_the_log_gets_the_detail(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    _quiet_http_clients(caplog)
    await bot.start()
    bot.telegram.fail_next(
        "sendMessage", 400, "Bad Request: not enough rights to send text messages to the chat"
    )
    [apology] = await _send(bot, "How do I plank?")
    assert apology["text"] == APOLOGY
    assert "entities" not in apology
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.exc_info is not None
    assert "not enough rights" in caplog.text.lower()  # the detail, with its traceback
    assert f"(message) from user {USER} in chat {USER}" in error.getMessage()
    assert "How do I plank?" not in caplog.text  # what users write stays out of the log
    assert bot.telegram.token not in caplog.text
    assert bot.settings is not None
    assert bot.settings.openai_api_key.get_secret_value() not in caplog.text

    [after] = await _send(bot, "And now?")
    assert after["text"] == "Echo: And now?"


async def test_a_failing_model_gets_a_plain_apology_and_the_message_is_kept(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    _quiet_http_clients(caplog)
    await bot.start()
    bot.openai.fail_next(400, {"error": {"message": "Unexpected thing", "type": "odd"}})
    [apology] = await _send(bot, "Plan my week")
    assert apology["text"].startswith("Sorry, I can't reach my coaching brain right now.")
    assert "Unexpected thing" not in apology["text"]
    assert "Unexpected thing" in caplog.text
    assert bot.telegram.token not in caplog.text

    [answer] = await _send(bot, "Try again please")
    # The unanswered message was kept and goes to the model with the new one.
    assert answer["text"] == "Echo: Plan my week\n\nTry again please"


async def test_the_apology_speaks_the_users_language(bot: RunningBot) -> None:
    await bot.start()
    bot.telegram.fail_next("sendMessage", 400, "Bad Request: not enough rights to send")
    bot.telegram.user_sends(USER, "¿Cómo hago una plancha?", language_code="es")
    [apology] = await bot.telegram.wait_for_messages(USER, 1)
    assert apology["text"].startswith("Lo siento")
