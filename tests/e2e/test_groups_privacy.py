"""Groups keep health data private; limits, quotes and stored text hold for whatever users send."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import RunningBot
from tests.fakes.openai import Reply, ToolCall
from tests.fakes.telegram import JSON

USER = 4101
OTHER = 4102
GROUP = -1004100
BOT = "fitcoach_test_bot"
PROFILE = "/profile height=180 cm weight=83 kg age=41 sex=male goal=lose"


def _texts(bot: RunningBot, chat_id: int) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in bot.telegram.sent_to(chat_id)]


async def _private(bot: RunningBot, text: str, *, count: int = 1, user: int = USER) -> list[str]:
    """Send ``text`` in the private chat and return the bot's ``count`` new messages there."""
    before = len(bot.telegram.sent_to(user))
    bot.telegram.user_sends(user, text)
    await bot.telegram.wait_for_messages(user, before + count, timeout=10)
    return _texts(bot, user)[before:]


async def _in_group(bot: RunningBot, text: str, *, user: int = USER) -> JSON:
    """Send ``text`` in the group and return the bot's next message there."""
    before = len(bot.telegram.sent_to(GROUP))
    bot.telegram.user_sends(user, text, chat_id=GROUP, chat_type="group")
    messages = await bot.telegram.wait_for_messages(GROUP, before + 1, timeout=10)
    return messages[before]


def _chat_requests(bot: RunningBot) -> list[Any]:
    return [r for r in bot.openai.requests if r.stream]


async def test_only_the_asker_can_confirm_forget_in_a_group(
    bot_on_each_database: RunningBot,
) -> None:
    bot = await bot_on_each_database.start()
    await _private(bot, PROFILE)
    confirm = await _in_group(bot, "/forget")
    rows = confirm["reply_markup"]["inline_keyboard"]
    yes = rows[0][0]["callback_data"]

    bot.telegram.user_presses(OTHER, yes, confirm["message_id"], chat_id=GROUP)
    [refused] = await bot.telegram.wait_for("answerCallbackQuery", timeout=10)
    assert refused.params["text"] == "Only the person who asked can answer this."
    # Nothing was deleted, and the question is still there for the asker.
    assert "BMI: 25.6" in (await _private(bot, "/bmi"))[0]
    assert _texts(bot, GROUP)[-1].startswith("This deletes your profile")

    bot.telegram.user_presses(USER, yes, confirm["message_id"], chat_id=GROUP)
    await bot.telegram.wait_for("editMessageText", timeout=10)
    assert _texts(bot, GROUP)[-1].startswith("Done: everything")
    assert "Height: not set" in (await _private(bot, "/profile"))[0]


async def test_health_commands_in_a_group_answer_in_the_private_chat(
    bot_on_each_database: RunningBot,
) -> None:
    bot = await bot_on_each_database.start()
    await _private(bot, PROFILE)
    before = len(bot.telegram.sent_to(USER))
    for command in ("/bmi", f"/profile@{BOT}", "/export"):
        notice = await _in_group(bot, command)
        assert notice["text"] == "I've sent it to you in a private chat."
    await bot.telegram.wait_for_messages(USER, before + 3, timeout=10)
    bmi, profile, export = bot.telegram.sent_to(USER)[before:]
    assert "BMI: 25.6" in bmi["text"]
    assert "83 kg" in profile["text"]
    assert "document" in export
    for text in _texts(bot, GROUP):  # the group saw none of it
        for number in ("83", "25.6", "180"):
            assert number not in text


async def test_a_user_without_a_private_chat_gets_a_link_that_opens_one(bot: RunningBot) -> None:
    await bot.start()
    # Telegram refuses to start a conversation with someone who never opened the bot.
    bot.telegram.fail_next("sendDocument", 403, "Forbidden: bot can't initiate conversation")
    notice = await _in_group(bot, "/export")
    assert notice["text"].startswith("That's personal, so I answer it in a private chat.")
    [[button]] = notice["reply_markup"]["inline_keyboard"]
    assert button["url"] == f"https://t.me/{BOT}?start=export"
    assert bot.telegram.calls("sendDocument", chat_id=GROUP) == []

    bot.telegram.user_sends(USER, "/start export")  # what the link sends
    sends = await bot.telegram.wait_for(
        lambda r: r.method == "sendDocument" and r.chat_id == USER and r.ok, timeout=10
    )
    assert sends


async def test_the_coach_in_a_group_keeps_its_own_conversation_without_health_numbers(
    bot_on_each_database: RunningBot,
) -> None:
    bot = await bot_on_each_database.start()
    await _private(bot, PROFILE)
    await _private(bot, "My private worry: my left knee clicks on stairs")

    await _in_group(bot, f"@{BOT} what is a good warm-up before football?")
    group_prompt = _chat_requests(bot)[-1]
    text = json.dumps(group_prompt.messages, ensure_ascii=False)
    assert "left knee" not in text  # no private history
    for number in ("83 kg", "180 cm", "BMI: ", "25.6", "41"):
        assert number not in text, number
    assert "group chat" in group_prompt.system_text
    assert "metric units" in group_prompt.system_text

    await _private(bot, "And what should I eat after training?")
    private_prompt = json.dumps(_chat_requests(bot)[-1].messages, ensure_ascii=False)
    assert "left knee" in private_prompt
    assert "football" not in private_prompt  # group turns stay in the group
    assert "83 kg" in private_prompt

    await _in_group(bot, f"@{BOT} and after the match?")
    again = json.dumps(_chat_requests(bot)[-1].messages, ensure_ascii=False)
    assert "football" in again  # the group's own memory
    assert "eat after training" not in again

    # /export covers the group's conversation too, marked with its chat.
    bot.telegram.user_sends(USER, "/export")
    await bot.telegram.wait_for(
        lambda r: r.method == "sendDocument" and r.chat_id == USER and r.ok, timeout=10
    )
    [upload] = bot.telegram.uploads
    document = json.loads(upload.data)
    groups = [c for c in document["conversations"] if c["group_chat_id"] == GROUP]
    assert len(groups) == 1
    assert len(groups[0]["messages"]) == 4


async def _export(bot: RunningBot) -> JSON:
    before = len(bot.telegram.uploads)
    bot.telegram.user_sends(USER, "/export")
    await bot.telegram.wait_for(
        lambda r: r.method == "sendDocument" and r.chat_id == USER and r.ok, timeout=10
    )
    document: JSON = json.loads(bot.telegram.uploads[before].data)
    return document


async def test_control_characters_are_dropped_before_storing_so_no_message_is_lost(
    bot_on_each_database: RunningBot,
) -> None:
    bot = await bot_on_each_database.start()
    bot.telegram.user_sends(USER, "My knee\x00 hurts\x07 a bit\n\tthanks", first_name="Ann\x00")
    await bot.telegram.wait_for_messages(USER, 1, timeout=10)
    await _private(bot, "and my back")  # the conversation goes on after the NUL
    document = await _export(bot)
    assert document["user"]["first_name"] == "Ann"
    contents = [m["content"] for c in document["conversations"] for m in c["messages"]]
    assert contents[0] == "My knee hurts a bit\n\tthanks"
    assert contents[2] == "and my back"
    assert not [c for c in contents if "\x00" in c]


async def test_an_error_quotes_a_long_input_trimmed(bot: RunningBot) -> None:
    await bot.start()
    goal = "x" * 4000
    [answer] = await _private(bot, f"/profile goal={goal}")
    assert "Goal: I couldn't read" in answer
    assert f"“{'x' * 39}…”" in answer  # 40 characters with the ellipsis
    assert "xxxxx" * 9 not in answer
    assert "Sorry" not in answer
    assert len(answer) < 500
    [answer] = await _private(bot, f"/exercise {'y' * 4000}")
    assert f"“{'y' * 39}…”" in answer
    [answer] = await _private(bot, f"/profile height={'9' * 4000}")
    assert "…”" in answer
    assert len(answer) < 1000


async def test_edits_and_taps_count_toward_the_inbound_limit(bot: RunningBot) -> None:
    await bot.start(user_messages_per_minute=3)
    await _private(bot, "/profile")  # the first
    panel_id = bot.telegram.sent_to(USER)[-1]["message_id"]
    bot.telegram.user_presses(USER, "pf:done", panel_id)  # the second
    await bot.telegram.wait_for("answerCallbackQuery", timeout=10)
    question = bot.telegram.user_sends(USER, "How do I squat?")["message"]["message_id"]
    await bot.telegram.wait_for_messages(USER, 2, timeout=10)  # the third: answered
    bot.telegram.user_edits(USER, question, "How do I bench?")  # the fourth: over
    [warning] = (await bot.telegram.wait_for_messages(USER, 3, timeout=10))[2:]
    assert warning["text"].startswith("You're sending messages faster than I can coach.")
    bot.telegram.user_sends(USER, "and deadlifts?")
    bot.telegram.user_presses(USER, "pf:done", panel_id)  # handled after the message
    taps = await bot.telegram.wait_for("answerCallbackQuery", count=2, timeout=10)
    assert taps[-1].params["text"].startswith("You're sending messages faster")
    assert len(bot.telegram.sent_to(USER)) == 3  # no answer, no second warning
    assert [r.user_text for r in bot.openai.requests] == ["How do I squat?"]


async def test_an_edited_command_is_not_run_again(bot: RunningBot) -> None:
    await bot.start()
    sent = bot.telegram.user_sends(USER, "/profile weight=80 kg")
    await bot.telegram.wait_for_messages(USER, 1, timeout=10)
    bot.telegram.user_edits(USER, sent["message"]["message_id"], "/profile weight=95 kg")
    [hint] = (await bot.telegram.wait_for_messages(USER, 2, timeout=10))[1:]
    assert "edit" in hint["text"]
    [profile] = await _private(bot, "/profile")
    assert "80 kg" in profile
    assert "95 kg" not in profile


async def test_logging_plans_and_reminders_typed_in_a_group_are_answered_privately(
    bot: RunningBot,
) -> None:
    bot.openai.script(Reply(text="Which days suit you?"))
    await bot.start()
    await _private(bot, PROFILE)
    before = len(bot.telegram.sent_to(USER))
    commands = (
        "/weight 81.4",
        "/log squat 3x5 100kg",
        "/log",
        "/progress squat",
        "/units imperial",
        "/remind weigh-in daily 07:30",
        "/timezone Europe/Berlin",
        "/plan",
        "/today",
    )
    for command in commands:
        notice = await _in_group(bot, command)
        assert notice["text"] == "I've sent it to you in a private chat.", command
    answers = _texts(bot, USER)[before:]
    assert any(text.startswith("Saved: 81.4 kg") for text in answers), answers
    assert any("Barbell back squat 3×5 @ 100 kg" in text for text in answers)
    assert any("Europe/Berlin" in text for text in answers)
    # Nothing the group saw holds a number of the user's, a button or a chart.
    for message in bot.telegram.sent_to(GROUP):
        assert "reply_markup" not in message
        assert "photo" not in message
        for number in ("81", "179", "100", "07:30", "Berlin"):
            assert number not in (message.get("text") or ""), number


async def test_a_group_command_from_someone_without_a_private_chat_changes_nothing(
    bot: RunningBot,
) -> None:
    await bot.start()
    bot.telegram.fail_next("sendChatAction", 403, "Forbidden: bot can't initiate conversation")
    notice = await _in_group(bot, "/weight 77.7")
    assert notice["text"].startswith("That's personal, so I answer it in a private chat.")
    [[button]] = notice["reply_markup"]["inline_keyboard"]
    assert button["url"] == f"https://t.me/{BOT}?start=weight"

    # The link opens the private chat and runs /weight there without the group's value.
    messages = await _private(bot, "/start weight", count=2)
    assert messages[1].startswith("Send your weight")
    [listing] = await _private(bot, "/progress weight")
    assert listing.startswith("Too few weigh-ins")  # nothing was saved from the group
    assert "77.7" not in listing


async def test_sets_the_coach_logs_in_a_group_are_confirmed_privately_or_bound_to_their_owner(
    bot: RunningBot,
) -> None:
    log = ToolCall(
        name="log_workout",
        arguments={"exercise": "squat", "sets": [{"reps": 5, "weight": 100, "unit": "kg"}]},
    )
    bot.openai.script(
        Reply(tool_calls=[log]),
        Reply(text="Strong!"),
        Reply(tool_calls=[log]),
        Reply(text="Strong again!"),
    )
    await bot.start()
    await _private(bot, PROFILE)
    before = len(bot.telegram.sent_to(USER))
    await _in_group(bot, f"@{BOT} did 5 squats at 100 kg")
    await bot.telegram.wait_for_messages(USER, before + 1, timeout=10)
    [confirmation] = bot.telegram.sent_to(USER)[before:]
    assert confirmation["text"].startswith("Logged by the coach: Barbell back squat")
    assert not any("Logged by the coach" in text for text in _texts(bot, GROUP))

    # Without a private chat the group gets the line, and only its owner can undo it.
    bot.telegram.block_user(USER)
    group_before = len(bot.telegram.sent_to(GROUP))
    bot.telegram.user_sends(USER, f"@{BOT} and 5 more", chat_id=GROUP, chat_type="group")
    messages = await bot.telegram.wait_for_messages(GROUP, group_before + 2, timeout=10)
    [line] = [m for m in messages if (m.get("text") or "").startswith("Logged by the coach")]
    [[undo]] = line["reply_markup"]["inline_keyboard"]
    bot.telegram.user_presses(OTHER, undo["callback_data"], line["message_id"], chat_id=GROUP)
    [refused] = await bot.telegram.wait_for("answerCallbackQuery", timeout=10)
    assert refused.params["text"] == "Only the person who asked can answer this."
    bot.telegram.user_presses(USER, undo["callback_data"], line["message_id"], chat_id=GROUP)
    edited = line["message_id"]
    await bot.telegram.wait_for(
        lambda r: r.method == "editMessageText" and r.params.get("message_id") == edited,
        timeout=10,
    )
    assert _texts(bot, GROUP)[-1].startswith("Undone")


async def test_profile_buttons_in_a_group_open_the_private_chat(bot: RunningBot) -> None:
    await bot.start()
    await _private(bot, PROFILE)
    welcome = await _in_group(bot, "/start")
    [[show]] = welcome["reply_markup"]["inline_keyboard"]
    bot.telegram.user_presses(OTHER, show["callback_data"], welcome["message_id"], chat_id=GROUP)
    [answered] = await bot.telegram.wait_for("answerCallbackQuery", timeout=10)
    assert answered.params["url"] == f"https://t.me/{BOT}?start=profile"
    assert len(bot.telegram.sent_to(GROUP)) == 1  # no profile panel in the group


async def test_group_members_who_never_address_the_bot_are_not_stored(bot: RunningBot) -> None:
    await bot.start(admin_ids=str(USER))
    for member in range(4200, 4205):
        bot.telegram.user_sends(member, "see you at the match", chat_id=GROUP, chat_type="group")
    await _in_group(bot, f"@{BOT} hi")  # after the chatter: updates are handled in order
    [stats] = await _private(bot, "/stats")
    assert "Users: 1" in stats
