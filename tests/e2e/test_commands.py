"""Every command end to end, typed and tapped as a user would through the loopback Bot API."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import callback_data, exchange, press
from tests.fakes.openai import Reply
from tests.fakes.telegram import RecordedRequest

USER = 2001
OTHER = 2002
ADMIN = 4242
ISSUE_COMMANDS = (
    "start",
    "help",
    "profile",
    "bmi",
    "exercise",
    "units",
    "reset",
    "forget",
    "export",
)

JSON = dict[str, Any]


async def _send(bot: RunningBot, text: str, *, count: int = 1, user: int = USER) -> list[JSON]:
    return await exchange(bot, user, text, count=count, first_name="Ann")


async def _press(
    bot: RunningBot, data: str, message_id: int, *, then: str, user: int = USER
) -> RecordedRequest:
    return await press(bot, user, data, message_id, then=then)


_buttons = callback_data


def _message(bot: RunningBot, message_id: int, user: int = USER) -> JSON:
    [message] = [m for m in bot.telegram.sent_to(user) if m["message_id"] == message_id]
    return message


async def _export(bot: RunningBot, user: int = USER) -> JSON:
    """The JSON document /export uploads, parsed."""
    uploads_before = len(bot.telegram.uploads)
    bot.telegram.user_sends(user, "/export")
    sends = await bot.telegram.wait_for(
        lambda r: r.method == "sendDocument" and r.chat_id == user,
        count=len(bot.telegram.calls("sendDocument", chat_id=user)) + 1,
        timeout=10,
    )
    assert sends[-1].ok, sends[-1].description
    [upload] = bot.telegram.uploads[uploads_before:]
    assert upload.filename == f"fitcoach-export-{user}.json"
    assert "/forget" in sends[-1].params["caption"]
    document: JSON = json.loads(upload.data.decode("utf-8"))
    return document


def _rows_about(database_url: str, user: int) -> dict[str, int]:
    """Rows that mention ``user`` in every table that holds anything about a user."""
    path = database_url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path) as connection:
        return {
            table: connection.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {column} = ?",
                (user,),
            ).fetchone()[0]
            for table, column in (
                ("users", "id"),
                ("conversations", "user_id"),
                ("messages", "user_id"),
                ("daily_usage", "user_id"),
                ("broadcast_deliveries", "user_id"),
            )
        }


# --------------------------------------------------------------------------- /start and /help


async def test_start_welcomes_with_a_disclaimer_and_a_button_into_the_profile(
    bot: RunningBot,
) -> None:
    await bot.start()
    [welcome] = await _send(bot, "/start")
    assert welcome["text"].startswith("Hi Ann!")
    assert "not medical advice" in welcome["text"]
    assert "/profile" in welcome["text"]
    assert _buttons(welcome) == ["pf:show"]

    await _press(bot, "pf:show", welcome["message_id"], then="sendMessage")
    profile = bot.telegram.sent_to(USER)[-1]
    assert "Height: not set" in profile["text"]
    assert {"pf:ask:height", "pf:menu:sex", "pf:menu:units", "pf:menu:goal"} <= set(
        _buttons(profile)
    )


async def test_help_lists_every_user_command_and_admins_also_see_theirs(bot: RunningBot) -> None:
    await bot.start(admin_ids=str(ADMIN))
    menu = [c["command"] for c in bot.telegram.commands()]
    admin_menu = [c["command"] for c in bot.telegram.commands({"type": "chat", "chat_id": ADMIN})]
    assert set(ISSUE_COMMANDS) <= set(menu)
    assert "broadcast" not in menu
    assert "stats" not in menu
    assert set(admin_menu) == set(menu) | {"broadcast", "stats", "setmedia"}

    [user_help] = await _send(bot, "/help")
    command_lines = [line for line in user_help["text"].splitlines() if line.startswith("/")]
    # One line per command, exactly the commands of the menu a user sees.
    assert [line.split(" ", 1)[0] for line in command_lines] == [f"/{c}" for c in menu]
    assert "/broadcast" not in user_help["text"]

    [admin_help] = await _send(bot, "/help", user=ADMIN)
    admin_lines = [line for line in admin_help["text"].splitlines() if line.startswith("/")]
    assert [line.split(" ", 1)[0] for line in admin_lines] == [f"/{c}" for c in admin_menu]

    # In a group the admin commands do not work, so they are not listed there.
    group = -100999
    bot.telegram.user_sends(ADMIN, "/help@fitcoach_test_bot", chat_id=group, chat_type="group")
    [group_help] = await bot.telegram.wait_for_messages(group, 1)
    assert "/broadcast" not in group_help["text"]
    assert "/profile" in group_help["text"]


async def test_an_admin_gets_the_admin_menu_again_on_start(bot: RunningBot) -> None:
    await bot.start(admin_ids=str(ADMIN))

    def admin_menu_calls() -> list[RecordedRequest]:
        return [
            r
            for r in bot.telegram.calls("setMyCommands")
            if r.params.get("scope") == {"type": "chat", "chat_id": ADMIN}
        ]

    assert len(admin_menu_calls()) == 1
    await _send(bot, "/start", user=ADMIN)
    # If the menu could not be set at launch (no chat with the admin yet), /start sets it.
    assert len(admin_menu_calls()) == 2
    await _send(bot, "/start")
    assert len(admin_menu_calls()) == 2


async def test_unknown_commands_and_admin_commands_from_users_get_one_answer(
    bot: RunningBot,
) -> None:
    await bot.start(admin_ids=str(ADMIN))
    [dance] = await _send(bot, "/dance")
    [broadcast] = await _send(bot, "/broadcast hello everyone")
    for answer in (dance, broadcast):
        assert answer["text"] == "I don't know that command. /help lists what I can do."
    assert bot.openai.requests == []


# --------------------------------------------------------------------------- /profile


async def test_profile_with_arguments_in_metric_and_imperial(bot: RunningBot) -> None:
    await bot.start()
    [saved] = await _send(
        bot, "/profile height=180 cm weight=82.5 kg age=34 sex=female goal=lose activity=moderate"
    )
    assert saved["text"].startswith("Saved. Your profile")
    for line in ("Height: 180 cm", "Weight: 82.5 kg", "Age: 34", "Sex: female", "lose weight"):
        assert line in saved["text"]

    [imperial] = await _send(bot, "/profile units=imperial height=5'11\" weight=180")
    # A bare 180 is read in the units given in the same message: pounds.
    assert "Height: 5 ft 11 in" in imperial["text"]
    assert "Weight: 180 lb" in imperial["text"]
    assert "Age: 34" in imperial["text"]  # untouched fields stay

    [shown] = await _send(bot, "/profile")
    assert "Height: 5 ft 11 in" in shown["text"]
    assert "Units: imperial" in shown["text"]
    export = await _export(bot)
    profile = export["user"]["profile"]
    assert profile["height_cm"] == pytest.approx(180.34)
    assert profile["weight_kg"] == pytest.approx(81.6466, abs=1e-3)


async def test_bad_profile_arguments_change_nothing_and_list_every_problem(
    bot: RunningBot,
) -> None:
    await bot.start()
    await _send(bot, "/profile height=180 cm weight=80 kg age=30")
    [refused] = await _send(bot, "/profile height=9000 weight=abc colour=blue age=31")
    text = refused["text"]
    assert text.startswith("Nothing was changed.")
    problems = [line for line in text.splitlines() if line.startswith("•")]
    assert len(problems) == 3
    assert problems[0].startswith("• Height:")
    assert problems[1].startswith("• Weight:")
    assert "colour" in problems[2]
    # age=31 was fine, but the message is all or nothing.
    [shown] = await _send(bot, "/profile")
    for line in ("Height: 180 cm", "Weight: 80 kg", "Age: 30"):
        assert line in shown["text"]


async def test_guided_profile_flow_with_buttons_and_typed_answers(bot: RunningBot) -> None:
    await bot.start()
    [panel] = await _send(bot, "/profile")
    assert {"pf:menu:sex", "pf:menu:units", "pf:menu:goal", "pf:menu:activity"} <= set(
        _buttons(panel)
    )
    panel_id = panel["message_id"]

    await _press(bot, "pf:menu:goal", panel_id, then="editMessageReplyMarkup")
    goals = _buttons(_message(bot, panel_id))
    assert "pf:set:goal:lose" in goals
    assert "pf:back" in goals

    await _press(bot, "pf:set:goal:lose", panel_id, then="editMessageText")
    edited = _message(bot, panel_id)
    assert "Goal: lose weight" in edited["text"]
    assert "pf:menu:goal" in _buttons(edited)  # back on the main keyboard

    await _press(bot, "pf:menu:sex", panel_id, then="editMessageReplyMarkup")
    await _press(bot, "pf:set:sex:male", panel_id, then="editMessageText")
    assert "Sex: male" in _message(bot, panel_id)["text"]

    await _press(bot, "pf:ask:height", panel_id, then="sendMessage")
    question = bot.telegram.sent_to(USER)[-1]
    assert question["text"].startswith("What's your height?")
    [saved] = await _send(bot, "5'11\"")
    assert saved["text"].startswith("Saved. Your profile")
    # Units never chosen and the answer written in feet and inches: the profile turns imperial.
    assert "Height: 5 ft 11 in" in saved["text"]
    assert "/units metric" in saved["text"]

    await _press(bot, "pf:ask:weight", panel_id, then="sendMessage")
    [again] = await _send(bot, "quite heavy")
    assert again["text"].startswith("Weight: I couldn't read")
    assert "Try again" in again["text"]
    [saved] = await _send(bot, "82,5 kg")
    assert "Weight: 82.5 kg (182 lb)" in saved["text"]  # as typed, then in the user's units

    # Once answered, text goes to the coach again.
    [answer] = await _send(bot, "What should I train today?")
    assert answer["text"] == "Echo: What should I train today?"
    # Every tap was answered, so no button kept spinning.
    presses = bot.telegram.calls("answerCallbackQuery")
    assert len(presses) == 6
    assert all(r.ok for r in presses)


async def test_double_taps_and_taps_on_vanished_messages_never_fail(bot: RunningBot) -> None:
    await bot.start()
    [panel] = await _send(bot, "/profile")
    panel_id = panel["message_id"]
    gone = panel_id + 100  # a message deleted, or too old to edit
    for data, message_id in (
        ("pf:menu:goal", panel_id),
        ("pf:menu:goal", panel_id),
        ("pf:set:goal:lose", panel_id),
        ("pf:set:goal:lose", panel_id),
        ("pf:done", panel_id),
        ("pf:done", panel_id),
        ("pf:set:goal:gain", gone),
        ("pf:menu:sex", gone),
        ("forget:no", gone),
    ):
        bot.telegram.user_presses(USER, data, message_id)
    bot.telegram.user_sends(USER, "Anything else?")  # handled after every tap
    # The panel, three taps on the vanished message answered anew, and the coach's answer.
    messages = await bot.telegram.wait_for_messages(USER, 5, timeout=10)
    texts = [m["text"] for m in messages]
    assert len(bot.telegram.calls("answerCallbackQuery")) == 9
    assert not [t for t in texts if t.startswith("Sorry")]
    assert "Goal: lose weight" in _message(bot, panel_id)["text"]
    assert _buttons(_message(bot, panel_id)) == []  # "Done" took the buttons away
    # Taps on a vanished message get a new message instead of a silent failure.
    assert texts[1].startswith("Your profile")
    assert "Goal: gain weight or muscle" in texts[1]
    assert texts[2] == "Choose your sex:"
    assert texts[3] == "Okay, nothing was deleted."
    assert texts[4] == "Echo: Anything else?"


async def test_profile_arguments_may_start_on_a_new_line(bot: RunningBot) -> None:
    await bot.start()
    [saved] = await _send(bot, "/profile\nheight=180 cm\nweight=80 kg")
    assert "Height: 180 cm" in saved["text"]
    assert "Weight: 80 kg" in saved["text"]
    [units] = await _send(bot, "/units\nimperial")
    assert units["text"].startswith("Now using imperial units")


async def test_a_typed_answer_is_read_only_in_the_chat_that_asked(bot: RunningBot) -> None:
    await bot.start()
    group = -100555
    [panel] = await _send(bot, "/profile")
    await _press(bot, "pf:ask:weight", panel["message_id"], then="sendMessage")
    bot.telegram.user_sends(USER, "lunch at noon?", chat_id=group, chat_type="group")
    [saved] = await _send(bot, "80 kg")
    assert "Weight: 80 kg" in saved["text"]
    assert bot.telegram.sent_to(group) == []  # the group chatter was neither answer nor question


async def test_a_typed_answer_can_be_cancelled(bot: RunningBot) -> None:
    await bot.start()
    [panel] = await _send(bot, "/profile")
    await _press(bot, "pf:ask:age", panel["message_id"], then="sendMessage")
    [cancelled] = await _send(bot, "cancel")
    assert cancelled["text"] == "Okay, your profile stays as it was."
    [answer] = await _send(bot, "34")
    assert answer["text"] == "Echo: 34"


# --------------------------------------------------------------------------- /bmi and /units


async def test_bmi_before_and_after_the_profile(bot: RunningBot) -> None:
    await bot.start()
    [missing] = await _send(bot, "/bmi")
    assert "I need your height and weight" in missing["text"]

    await _send(bot, "/profile weight=82.5 kg")
    [missing] = await _send(bot, "/bmi")
    assert "I need your height." in missing["text"]

    await _send(bot, "/profile height=180 cm age=34 sex=female")
    [report] = await _send(bot, "/bmi")
    text = report["text"]
    assert "BMI: 25.5 (pre-obese (overweight), WHO adult classes)" in text
    assert "Healthy weight for this height: 59.9–80.7 kg" in text
    assert "BMR (Mifflin-St Jeor): 1619 kcal/day" in text
    assert "not medical advice" in text
    assert "athletes" in text  # what BMI cannot tell

    await _send(bot, "/units imperial")
    [report] = await _send(bot, "/bmi")
    assert "Healthy weight for this height: 132–178 lb" in report["text"]


async def test_bmi_for_a_teen_uses_the_percentile_and_no_calories(bot: RunningBot) -> None:
    await bot.start()
    await _send(bot, "/profile height=170 cm weight=60 kg age=15")
    [no_sex] = await _send(bot, "/bmi")
    assert "BMI: 20.8" in no_sex["text"]
    assert "needs your sex" in no_sex["text"]

    await _send(bot, "/profile sex=male")
    [report] = await _send(bot, "/bmi")
    text = report["text"]
    assert "BMI-for-age percentile 58.1, CDC: healthy weight" in text
    assert "WHO adult classes" not in text
    assert "Healthy weight for this height" not in text
    assert "kcal" not in text
    assert "not given under 18" in text


async def test_units_by_argument_and_by_button(bot: RunningBot) -> None:
    await bot.start()
    await _send(bot, "/profile height=180 cm weight=80 kg")
    [imperial] = await _send(bot, "/units imperial")
    assert imperial["text"].startswith("Now using imperial units")
    assert "Height: 5 ft 11 in" in imperial["text"]
    assert "Weight: 176 lb" in imperial["text"]

    [refused] = await _send(bot, "/units furlongs")
    assert "metric" in refused["text"]
    assert "imperial" in refused["text"]

    [picker] = await _send(bot, "/units")
    assert _buttons(picker) == ["units:metric", "units:imperial"]  # no Back: nothing to go back to
    await _press(bot, "units:metric", picker["message_id"], then="editMessageText")
    chosen = _message(bot, picker["message_id"])
    assert chosen["text"].startswith("Now using metric units")
    assert "Height: 180 cm" in chosen["text"]
    assert _buttons(chosen) == []


# ----------------------------------------------------------------------- /reset, /forget, /export


async def test_reset_starts_a_new_conversation_and_keeps_the_profile(bot: RunningBot) -> None:
    await bot.start()
    await _send(bot, "/profile height=180 cm weight=80 kg age=30")
    await _send(bot, "I hurt my left knee last year")
    [reset] = await _send(bot, "/reset")
    assert "new conversation" in reset["text"]
    assert "profile stays" in reset["text"]

    await _send(bot, "What should I do today?")
    prompt = bot.openai.requests[-1]
    said = " ".join(str(m.get("content")) for m in prompt.messages if m["role"] != "system")
    assert "left knee" not in said
    assert "What should I do today?" in said
    assert "Height: 180 cm" in prompt.system_text

    export = await _export(bot)
    assert export["user"]["profile"]["height_cm"] == 180
    first, second = export["conversations"]
    assert [m["content"] for m in first["messages"]] == [
        "I hurt my left knee last year",
        "Echo: I hurt my left knee last year",
    ]
    assert first["ended_at"] is not None
    assert second["messages"][0]["content"] == "What should I do today?"


async def test_forget_asks_first_then_deletes_every_row_about_the_user(
    bot: RunningBot, bot_database_url: str
) -> None:
    await bot.start()
    await _send(bot, "/profile height=180 cm weight=80 kg age=30 goal=lose")
    await _send(bot, "I hurt my left knee last year")
    await _send(bot, "Hello from someone else", user=OTHER)

    [confirm] = await _send(bot, "/forget")
    assert _buttons(confirm) == [f"forget:yes:{USER}", f"forget:no:{USER}"]
    await _press(bot, "forget:no", confirm["message_id"], then="editMessageText")
    assert _message(bot, confirm["message_id"])["text"] == "Okay, nothing was deleted."
    assert _rows_about(bot_database_url, USER)["messages"] == 2

    [confirm] = await _send(bot, "/forget")
    await _press(bot, "forget:yes", confirm["message_id"], then="editMessageText")
    assert _message(bot, confirm["message_id"])["text"].startswith("Done: everything")
    assert set(_rows_about(bot_database_url, USER).values()) == {0}
    assert _rows_about(bot_database_url, OTHER)["messages"] == 2  # nobody else is touched

    # Writing again makes them a new user: only what this very update told the bot is known.
    export = await _export(bot)
    assert set(export["user"]["profile"].values()) <= {None, False, "metric", "standard"}
    assert export["conversations"] == []
    # The /export itself is the one message counted; no model request since.
    assert [(u["requests"], u["messages"]) for u in export["daily_usage"]] == [(0, 1)]
    assert "knee" not in json.dumps(export)
    [shown] = await _send(bot, "/profile")
    assert "Height: not set" in shown["text"]
    assert "Goal: not set" in shown["text"]


async def test_export_holds_everything_stored_about_the_user(bot: RunningBot) -> None:
    await bot.start()
    await _send(bot, "/profile height=180 cm weight=80 kg age=30 sex=male activity=light")
    await _send(bot, "How many push-ups a day?")
    export = await _export(bot)
    user = export["user"]
    assert user["telegram_id"] == USER
    assert user["first_name"] == "Ann"
    assert user["chat_id"] == USER
    assert user["profile"] == {
        "height_cm": 180,
        "weight_kg": 80,
        "age": 30,
        "sex": "male",
        "units": "metric",
        "goal": None,
        "activity": "light",
        "waist_cm": None,
        "bmi_scale": "standard",
        "units_chosen": False,
    }
    [conversation] = export["conversations"]
    assert conversation["summary"] is None
    assert conversation["summaries"] == []
    assert [(m["role"], m["content"]) for m in conversation["messages"]] == [
        ("user", "How many push-ups a day?"),
        ("assistant", "Echo: How many push-ups a day?"),
    ]
    [usage] = export["daily_usage"]
    assert usage["requests"] == 1
    assert usage["prompt_tokens"] > 0
    # Nothing of another user is in the document.
    assert str(OTHER) not in json.dumps(export)


async def test_export_holds_the_summaries_of_a_long_conversation(bot: RunningBot) -> None:
    def respond(body: JSON) -> Reply:
        if body.get("stream"):
            return Reply(text="Noted.")
        return Reply(text="- Trains for a marathon in May")  # the summary of older turns

    bot.openai.responder = respond
    await bot.start(history_token_budget=500)
    filler = "I ran ten kilometres today and my legs feel fine after stretching. " * 12
    for turn in range(1, 5):
        await _send(bot, f"Turn {turn}: {filler}")
    export = await _export(bot)
    [conversation] = export["conversations"]
    assert conversation["summary"] == "- Trains for a marathon in May"
    assert conversation["summaries"][-1]["content"] == conversation["summary"]
    assert len(conversation["messages"]) == 8  # summarised turns are kept, not replaced


async def test_exercise_finds_a_card_and_browses_without_a_name(bot: RunningBot) -> None:
    await bot.start()
    [browse] = await _send(bot, "/exercise")
    assert "muscle group" in browse["text"]
    assert all(data.startswith("ex:") for data in _buttons(browse))
    assert _buttons(browse)
    bot.telegram.user_sends(USER, "/exercise goblet squat")
    await bot.telegram.wait_for(
        lambda r: r.chat_id == USER and r.ok and "<b>Goblet squat</b>" in str(r.params), timeout=10
    )
