"""Reminders end to end: /remind asks for the time zone once, lists, and a due reminder goes out
through the Telegram port as bulk traffic when the scheduler ticks (clock injected)."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import tick_reminders
from tests.fakes.openai import Reply, ToolCall

USER = 6101


async def test_set_a_reminder_answer_the_time_zone_and_it_fires(bot: RunningBot) -> None:
    await bot.start()
    bot.telegram.user_sends(USER, "/remind yoga daily 7:00")
    [refused] = await bot.telegram.wait_for_messages(USER, 1, timeout=15)
    assert "workout, weigh-in or check-in" in refused["text"]

    bot.telegram.user_sends(USER, "/remind workout mon,wed,fri 18:30")
    asked = (await bot.telegram.wait_for_messages(USER, 2, timeout=15))[1]
    assert "time zone" in asked["text"]
    bot.telegram.user_sends(USER, "Mars/Olympus")
    wrong = (await bot.telegram.wait_for_messages(USER, 3, timeout=15))[2]
    assert "Europe/Berlin" in wrong["text"]
    bot.telegram.user_sends(USER, "europe/berlin")
    done = (await bot.telegram.wait_for_messages(USER, 4, timeout=15))[3]
    assert done["text"] == "Reminder set: workout mon,wed,fri at 18:30 (Europe/Berlin)."

    bot.telegram.user_sends(USER, "/remind")
    listed = (await bot.telegram.wait_for_messages(USER, 5, timeout=15))[4]
    assert "workout mon,wed,fri at 18:30" in listed["text"]

    # The scheduler's tick, driven directly with a clock just past the due time.
    first, second = await tick_reminders(bot, USER, late=timedelta(seconds=10), ticks=2)
    assert first.sent == 1
    assert second.sent == 0  # sent once
    reminder_message = (await bot.telegram.wait_for_messages(USER, 6, timeout=15))[5]
    assert reminder_message["text"].startswith("Time for your workout")

    bot.telegram.user_sends(USER, "/remind off")
    off = (await bot.telegram.wait_for_messages(USER, 7, timeout=15))[6]
    assert off["text"] == "Done: reminders off."


async def test_the_coach_sets_a_reminder_by_its_tool(bot: RunningBot) -> None:
    call = {"kind": "weigh-in", "days": "daily", "time": "07:30"}
    bot.openai.script(
        Reply(tool_calls=[ToolCall(name="set_reminder", arguments=call)]),
        Reply(text="Which time zone are you in?"),
        Reply(tool_calls=[ToolCall(name="set_reminder", arguments=call)]),
        Reply(text="Done: every morning at 07:30."),
    )
    await bot.start()
    bot.telegram.user_sends(USER, "Remind me to weigh in every day at 7:30")
    await bot.openai.wait_for_requests(2, timeout=15)
    first_result = bot.openai.requests[1].messages[-1]
    assert first_result["role"] == "tool"
    assert "no time zone" in first_result["content"]

    await bot.telegram.wait_for_messages(USER, 1, timeout=15)
    bot.telegram.user_sends(USER, "/timezone +3")
    await bot.telegram.wait_for_messages(USER, 2, timeout=15)
    bot.telegram.user_sends(USER, "Berlin is +3 for me, please set it")
    await bot.openai.wait_for_requests(4, timeout=15)
    assert "Reminder set: weigh-in daily at 07:30" in bot.openai.requests[3].messages[-1]["content"]
    await bot.telegram.wait_for_messages(USER, 3, timeout=15)

    bot.telegram.user_sends(USER, "/remind")
    listed = (await bot.telegram.wait_for_messages(USER, 4, timeout=15))[3]
    assert "weigh-in daily at 07:30" in listed["text"]
    assert "Etc/GMT-3" in listed["text"]
