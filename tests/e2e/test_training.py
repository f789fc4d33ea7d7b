"""The training log end to end: /log with Undo, the listing with Delete, /weight, /progress,
the coach's log_workout tool, /export and /forget."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.training import BodyWeight, LoggedSet
from bot.storage import Database
from bot.storage import training as rows
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import callback_data, exchange, press
from tests.fakes.openai import Reply, ToolCall

USER = 5001
JSON = dict[str, Any]


async def _send(bot: RunningBot, text: str, *, count: int = 1) -> list[JSON]:
    return await exchange(bot, USER, text, count=count, timeout=15, first_name="Ann")


_buttons = callback_data


async def _press(bot: RunningBot, data: str, message_id: int) -> str:
    """Tap ``data`` and return the text the bot edited the message to."""
    edited = await press(bot, USER, data, message_id, then="editMessageText")
    return str(edited.params["text"])


async def _sets(bot: RunningBot) -> list[LoggedSet]:
    database = Database(bot.database_url)
    try:
        async with database.transaction() as session:
            return await rows.sets_of(session, USER)
    finally:
        await database.dispose()


async def _export(bot: RunningBot) -> JSON:
    uploads = len(bot.telegram.uploads)
    bot.telegram.user_sends(USER, "/export")
    await bot.telegram.wait_for(lambda r: r.method == "sendDocument" and r.chat_id == USER)
    document: JSON = json.loads(bot.telegram.uploads[uploads].data.decode("utf-8"))
    return document


async def test_log_confirms_in_one_line_per_exercise_and_undo_removes_it(
    bot_on_each_database: RunningBot,
) -> None:
    bot = bot_on_each_database
    await bot.start()
    [reply] = await _send(bot, "/log back squat 5x5 100kg; sled drag 3x20m")
    lines = reply["text"].splitlines()
    assert lines == ["Logged: Barbell back squat 5×5 @ 100 kg", "Logged: sled drag 3×20 m"]
    assert len(await _sets(bot)) == 8
    [undo] = _buttons(reply)
    assert "Undone" in await _press(bot, undo, reply["message_id"])
    assert await _sets(bot) == []
    assert "already" in await _press(bot, undo, reply["message_id"])


async def test_a_heavier_squat_is_celebrated(bot: RunningBot) -> None:
    await bot.start()
    await _send(bot, "/log back squat 3x5 100kg")
    [reply] = await _send(bot, "/log back squat 1x5 110kg")
    assert "🏆 New personal record: Barbell back squat" in reply["text"]


async def test_unreadable_text_logs_nothing_and_shows_examples(bot: RunningBot) -> None:
    await bot.start()
    [reply] = await _send(bot, "/log squat 3x5 100kg; bench ???")
    assert "Nothing was logged." in reply["text"]
    assert "/log squat 5x5 100kg" in reply["text"]
    [typo] = await _send(bot, "/log bench press 3x5 60kg; sqauts 3x5")
    assert "Did you mean: Bodyweight squat?" in typo["text"]
    assert await _sets(bot) == []


async def test_log_alone_lists_recent_sets_with_delete_buttons(bot: RunningBot) -> None:
    await bot.start()
    [empty] = await _send(bot, "/log")
    assert "Nothing logged yet" in empty["text"]
    await _send(bot, "/log bench press 2x8 60kg")
    [listing] = await _send(bot, "/log")
    assert listing["text"].count("Barbell bench press 1×8 @ 60 kg") == 2
    deletes = _buttons(listing)
    assert len(deletes) == 2
    edited = await _press(bot, deletes[0], listing["message_id"])
    assert edited.startswith("Deleted: ")
    assert len(await _sets(bot)) == 1


async def test_weight_in_pounds_is_stored_in_kg_and_the_profile_follows(
    bot: RunningBot,
) -> None:
    await bot.start()
    [usage] = await _send(bot, "/weight")
    assert "/weight 179 lb" in usage["text"]
    [saved] = await _send(bot, "/weight 179 lb")
    assert saved["text"].startswith("Saved: 81.2 kg on ")
    [refused] = await _send(bot, "/weight heavy")
    assert "/weight 12st 9" in refused["text"]
    document = await _export(bot)
    [weigh_in] = document["body_measurements"]
    assert abs(weigh_in["weight_kg"] - 81.193) < 0.01
    assert abs(document["user"]["profile"]["weight_kg"] - 81.193) < 0.01


async def test_progress_sends_a_chart_or_says_what_to_log(bot: RunningBot) -> None:
    await bot.start()
    [empty] = await _send(bot, "/progress back squat")
    assert "log it on at least two days, e.g. /log barbell back squat 3x5 60kg" in empty["text"]
    [weekly_empty] = await _send(bot, "/progress")
    assert "/log squat 5x5 100kg" in weekly_empty["text"]
    [bad] = await _send(bot, "/progress weight soon")
    assert "weeks" in bad["text"] or "/progress" in bad["text"]
    await _send(bot, "/log back squat 5x5 100kg")  # makes the user known to the database
    # Earlier sessions, as if logged on other days.
    database = Database(bot.database_url)
    today = datetime.now(UTC)
    try:
        async with database.transaction() as session:
            for back, kg in ((20, 90.0), (10, 95.0)):
                day = today - timedelta(days=back)
                logged = LoggedSet(
                    "Barbell back squat", day, "barbell-back-squat", reps=5, weight_kg=kg
                )
                await rows.add_sets(session, USER, f"seed{back}", [logged])
                await rows.save_body_weight(session, USER, BodyWeight(day.date(), 80 + back / 10))
    finally:
        await database.dispose()
    assert not bot.telegram.calls("sendPhoto", chat_id=USER)
    [chart] = await _send(bot, "/progress back squat 3m")
    assert chart["caption"].startswith("Barbell back squat: estimated 1RM, last 90 days")
    assert "best: 116.7 kg" in chart["caption"]
    assert "change: +11.7 kg" in chart["caption"]
    [photo] = bot.telegram.calls("sendPhoto", chat_id=USER)
    assert bot.telegram.uploads[-1].data.startswith(b"\x89PNG")
    assert photo.ok
    [weight] = await _send(bot, "/progress weight")
    assert weight["caption"].startswith("Body weight, last 90 days")
    [weeks] = await _send(bot, "/progress 1y")
    assert weeks["caption"].startswith("Hard sets per week, last 365 days")


async def test_the_coach_logs_a_workout_with_its_tool_and_asks_when_unclear(
    bot: RunningBot,
) -> None:
    bot.openai.script(
        Reply(
            tool_calls=[
                ToolCall(
                    name="log_workout",
                    arguments={
                        "exercise": "bench press",
                        "sets": [{"reps": 5, "weight": 80, "unit": "kg"}] * 3,
                    },
                )
            ]
        ),
        Reply(text="Nice work on the bench!"),
        Reply(
            tool_calls=[
                ToolCall(
                    name="log_workout",
                    arguments={"exercise": "bench press", "sets": [{"reps": 5, "weight": 80}]},
                )
            ]
        ),
        Reply(text="Was that kg or lb?"),
        Reply(text="Noted."),
    )
    await bot.start()
    messages = await _send(bot, "I benched 3x5 at 80 kg today", count=2)
    texts = [m["text"] for m in messages]
    assert "Nice work on the bench!" in texts
    [confirmation] = [m for m in messages if "Logged by the coach" in m["text"]]
    assert confirmation["text"] == "Logged by the coach: Barbell bench press 3×5 @ 80 kg"
    assert _buttons(confirmation)
    follow_up = [r for r in bot.openai.requests if r.stream][1]
    assert follow_up.messages[-1]["role"] == "tool"
    assert "Logged 3 sets" in follow_up.messages[-1]["content"]
    assert len(await _sets(bot)) == 3

    [answer] = await _send(bot, "and one more set of 5 at 80")
    assert answer["text"] == "Was that kg or lb?"
    refused = [r for r in bot.openai.requests if r.stream][3]
    assert "Not logged" in refused.messages[-1]["content"]
    assert len(await _sets(bot)) == 3

    # The next prompt carries the last two weeks.
    await _send(bot, "What next?")
    system = [r for r in bot.openai.requests if r.stream][-1].system_text
    assert "training log, last 14 days" in system
    assert "Barbell bench press: 3 sets on 1 days" in system


async def test_export_holds_the_sets_and_forget_removes_them(
    bot_on_each_database: RunningBot,
) -> None:
    bot = bot_on_each_database
    await bot.start()
    await _send(bot, "/log deadlift 1x5 140kg")
    await _send(bot, "/weight 80")
    document = await _export(bot)
    [logged] = document["workout_sets"]
    assert (logged["exercise"], logged["reps"], logged["weight_kg"]) == ("Deadlift", 5, 140.0)
    [confirm] = await _send(bot, "/forget")
    bot.telegram.user_presses(USER, "forget:yes", confirm["message_id"])
    await bot.telegram.wait_for(
        lambda r: r.method == "editMessageText" and "Done" in str(r.params.get("text")),
        timeout=10,
    )
    assert await _sets(bot) == []
    database = Database(bot.database_url)
    try:
        async with database.transaction() as session:
            assert await rows.body_weights(session, USER) == []
    finally:
        await database.dispose()


async def test_the_prompt_leaves_weight_out_under_eating_disorder_caution_and_under_18(
    bot: RunningBot,
) -> None:
    await bot.start()
    await _send(bot, "/weight 60")
    await _send(bot, "/log back squat 3x5 60kg")
    await _send(bot, "How is my training going?")
    system = [r for r in bot.openai.requests if r.stream][-1].system_text
    assert "Body weight (7-day average): 60 kg" in system

    await _send(bot, "I feel guilty after eating anything")
    system = [r for r in bot.openai.requests if r.stream][-1].system_text
    assert "Barbell back squat" in system
    assert "7-day average" not in system
    assert "do not ask for weigh-ins" in system

    await _send(bot, "/profile age=16")
    await _send(bot, "And now?")
    system = [r for r in bot.openai.requests if r.stream][-1].system_text
    assert "7-day average" not in system


async def _weigh_in_yesterday(bot: RunningBot, kg: float) -> None:
    database = Database(bot.database_url)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    try:
        async with database.transaction() as session:
            await rows.save_body_weight(session, USER, BodyWeight(yesterday, kg))
    finally:
        await database.dispose()


async def test_weigh_ins_show_no_change_or_trend_under_18(bot: RunningBot) -> None:
    await bot.start()
    await _send(bot, "/weight 60")
    await _weigh_in_yesterday(bot, 61.2)
    [adult] = await _send(bot, "/weight 60")
    assert "Since " in adult["text"]

    await _send(bot, "/profile age=16")
    [minor] = await _send(bot, "/weight 60")
    assert minor["text"].startswith("Saved: 60 kg on ")
    assert "Since " not in minor["text"]
    [progress] = await _send(bot, "/progress weight")
    assert progress["text"].startswith("Weight isn't charted here")
    assert "/weight 81.4" not in progress["text"]
    assert not bot.telegram.calls("sendPhoto", chat_id=USER)


async def test_weigh_ins_show_no_change_below_a_bmi_of_18_5(bot: RunningBot) -> None:
    await bot.start()
    await _send(bot, "/profile height=180")
    await _send(bot, "/weight 56")
    await _weigh_in_yesterday(bot, 57.0)
    [low] = await _send(bot, "/weight 56")  # BMI 17.3
    assert "Since " not in low["text"]
    [progress] = await _send(bot, "/progress weight")
    assert progress["text"].startswith("Weight isn't charted here")
