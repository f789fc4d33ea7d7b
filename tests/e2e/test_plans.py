"""/plan end to end: questions with buttons, a scripted model's plan (one invalid answer first),
Change, Accept, /plan shows it, the coach knows it, /today with demos one by one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import tick_reminders
from tests.fakes.openai import Reply

USER = 6001


def plan_json(*, first: str = "push-up", weekday: str = "mon") -> str:
    return json.dumps(
        {
            "days": [
                {
                    "weekday": weekday,
                    "focus": "Full body",
                    "exercises": [
                        {"slug": first, "sets": 3, "reps": 10, "rest_seconds": 60},
                        {"slug": "plank", "sets": 3, "seconds": 30, "rest_seconds": 45},
                    ],
                },
                {
                    "weekday": "thu",
                    "focus": "Legs",
                    "exercises": [
                        {"slug": "bodyweight-squat", "sets": 3, "reps": 15, "rest_seconds": 60}
                    ],
                },
            ],
            "progression": "Add two reps a week; at 15 reps pick a harder variation.",
        }
    )


def _buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def _last(bot: RunningBot, count: int) -> dict[str, Any]:
    messages = await bot.telegram.wait_for_messages(USER, count, timeout=15)
    return messages[count - 1]


async def _answer_questions(bot: RunningBot, shown: int) -> int:
    """Press a button for days, type the minutes, press for equipment and avoid."""
    days = await _last(bot, shown + 1)
    assert "days a week" in days["text"]
    bot.telegram.user_presses(USER, "pl:q:days_per_week:2", days["message_id"])
    minutes = await _last(bot, shown + 2)
    assert "minutes" in minutes["text"]
    bot.telegram.user_sends(USER, "500")  # out of range: says what is accepted
    invalid = await _last(bot, shown + 3)
    assert "10 to 180" in invalid["text"]
    bot.telegram.user_sends(USER, "30")
    equipment = await _last(bot, shown + 4)
    assert "pl:q:equipment:none" in _buttons(equipment)
    bot.telegram.user_presses(USER, "pl:q:equipment:none", equipment["message_id"])
    await _last(bot, shown + 5)
    bot.telegram.user_sends(USER, "jumping, my knees")
    return shown + 5


async def test_plan_questions_retry_change_accept_show_and_today(bot: RunningBot) -> None:
    bot.openai.script(
        Reply(text=plan_json(first="barbell-unicorn-press")),  # not in the catalog
        Reply(text=plan_json()),
        Reply(text="```json\n" + plan_json(first="knee-push-up") + "\n```"),
    )
    await bot.start()
    bot.telegram.user_sends(USER, "/plan")
    shown = await _answer_questions(bot, 0)

    proposal = await _last(bot, shown + 2)  # "Putting your plan together…", then the plan
    assert "Push-up" in proposal["text"]
    assert "3 × 30 s, rest 45 s" in proposal["text"]
    buttons = _buttons(proposal)
    assert buttons[0].startswith("pl:a:")
    assert buttons[1].startswith("pl:c:")
    first, second = bot.openai.requests[:2]
    assert first.body["response_format"]["type"] == "json_schema"
    assert "bodyweight-squat: Bodyweight squat" in first.system_text
    assert "2 days a week" in first.user_text
    assert "jumping, my knees" in first.user_text
    assert "barbell-unicorn-press" in second.user_text  # the errors went back once

    # Change: one sentence, a new proposal.
    bot.telegram.user_presses(USER, buttons[1], proposal["message_id"])
    await _last(bot, shown + 3)
    bot.telegram.user_sends(USER, "easier push-ups please")
    changed = await _last(bot, shown + 5)
    assert "Knee push-up" in changed["text"]
    assert "easier push-ups please" in bot.openai.requests[2].user_text

    accept = _buttons(changed)[0]
    bot.telegram.user_presses(USER, accept, changed["message_id"])
    saved = await _last(bot, shown + 6)
    assert "/today" in saved["text"]

    bot.telegram.user_sends(USER, "/plan")
    current = await _last(bot, shown + 7)
    assert current["text"].startswith("Your weekly plan")
    assert "Knee push-up" in current["text"]
    assert "Thursday: Legs" in current["text"]

    # The coach's prompt carries the plan.
    bot.openai.script(Reply(text="Stick to the plan."))
    bot.telegram.user_sends(USER, "What is my plan on Thursday?")
    await bot.openai.wait_for_requests(4, timeout=15)
    assert "thu (Legs): bodyweight-squat 3x15" in bot.openai.requests[3].system_text


async def test_an_answer_invalid_twice_gets_an_apology(bot: RunningBot) -> None:
    bot.openai.script(Reply(text="Here is your plan: do push-ups."), Reply(text="{}"))
    await bot.start()
    bot.telegram.user_sends(USER, "/plan")
    shown = await _answer_questions(bot, 0)
    apology = await _last(bot, shown + 2)
    assert apology["text"].startswith("Sorry, I couldn't put a plan together")
    assert len(bot.openai.requests) == 2


async def test_today_sends_the_session_and_each_demo(bot: RunningBot) -> None:
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    today = weekday[datetime.now(UTC).weekday()]
    other = "thu" if today != "thu" else "fri"
    bot.openai.script(
        Reply(
            text=json.dumps(
                {
                    "days": [
                        {
                            "weekday": today,
                            "focus": "Full body",
                            "exercises": [
                                {"slug": "push-up", "sets": 3, "reps": 10, "rest_seconds": 60},
                                {
                                    "slug": "barbell-back-squat",
                                    "sets": 3,
                                    "reps": 5,
                                    "rest_seconds": 120,
                                },
                            ],
                        },
                        {
                            "weekday": other,
                            "focus": "Core",
                            "exercises": [
                                {"slug": "plank", "sets": 3, "seconds": 30, "rest_seconds": 30}
                            ],
                        },
                    ],
                    "progression": "Add a rep each week.",
                }
            )
        )
    )
    await bot.start()
    bot.telegram.user_sends(USER, "/today")
    none = await _last(bot, 1)
    assert "/plan" in none["text"]
    bot.telegram.user_sends(USER, "/plan")
    shown = await _answer_questions(bot, 1)
    proposal = await _last(bot, shown + 2)
    bot.telegram.user_presses(USER, _buttons(proposal)[0], proposal["message_id"])
    await _last(bot, shown + 3)
    bot.telegram.user_sends(USER, "/today")
    session = await _last(bot, shown + 4)
    assert "Push-up: 3 × 10" in session["text"]
    log_buttons = _buttons(session)
    assert log_buttons == [f"pl:l:{today}:0", f"pl:l:{today}:1"]
    media = await bot.telegram.wait_for(
        lambda r: r.method in ("sendAnimation", "sendPhoto", "sendVideo") and r.chat_id == USER,
        timeout=15,
        count=2,
    )
    assert "Push-up" in media[0].params["caption"]
    assert "Barbell back squat" in media[1].params["caption"]
    assert media[1].time - media[0].time >= 0.9  # one by one, about a second apart

    # "Log it" logs the planned sets (reps, no load) to the training log.
    bot.telegram.user_presses(USER, log_buttons[0], session["message_id"])
    logged = await bot.telegram.wait_for(
        lambda r: (
            r.method == "sendMessage"
            and "3 × 10" not in str(r.params.get("text"))
            and "Push-up" in str(r.params.get("text"))
            and r.chat_id == USER
        ),
        timeout=15,
    )
    assert logged[0].params["text"] == "Logged: Push-up 3×10"
    undo = logged[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert undo.startswith("tl:u:")


async def test_the_weekly_check_in_asks_and_the_coach_hears_the_answer(bot: RunningBot) -> None:
    bot.openai.script(Reply(text=plan_json()))
    await bot.start()
    bot.telegram.user_sends(USER, "/plan")
    shown = await _answer_questions(bot, 0)
    proposal = await _last(bot, shown + 2)
    bot.telegram.user_presses(USER, _buttons(proposal)[0], proposal["message_id"])
    await _last(bot, shown + 3)
    bot.telegram.user_sends(USER, "/timezone Europe/Berlin")
    await _last(bot, shown + 4)
    bot.telegram.user_sends(USER, "/remind check-in sun 18:00")
    done = await _last(bot, shown + 5)
    assert done["text"] == "Reminder set: check-in sun at 18:00 (Europe/Berlin)."

    [report] = await tick_reminders(bot, USER)
    assert report.sent == 1
    review = await _last(bot, shown + 6)
    assert "Sessions this week: 0 of 2 planned." in review["text"]
    assert _buttons(review) == ["ci:too-easy", "ci:about-right", "ci:too-hard"]
    bot.telegram.user_presses(USER, "ci:too-hard", review["message_id"])
    thanks = await _last(bot, shown + 7)
    assert thanks["text"].startswith("Thanks! I'll keep in mind it felt too hard")

    bot.openai.script(Reply(text="Let's ease it a little."))
    bot.telegram.user_sends(USER, "What should I change?")
    await bot.openai.wait_for_requests(2, timeout=15)
    assert "training felt too hard" in bot.openai.requests[1].system_text


async def test_cancel_stops_the_questions_and_the_next_message_goes_to_the_coach(
    bot: RunningBot,
) -> None:
    bot.openai.script(Reply(text="Sure, ask away."))
    await bot.start()
    bot.telegram.user_sends(USER, "/plan")
    await _last(bot, 1)
    bot.telegram.user_sends(USER, "cancel")
    cancelled = await _last(bot, 2)
    assert cancelled["text"].startswith("Okay, no new plan")
    bot.telegram.user_sends(USER, "3")
    await bot.openai.wait_for_requests(1, timeout=15)
    assert bot.openai.requests[0].user_text == "3"
