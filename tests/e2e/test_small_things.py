"""What a new user trips over, end to end in English and Russian on the loopback Bot API:
imperial input, /units, streamed Markdown, /stats counts, unknown exercises, expired buttons."""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import t
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import callback_data, exchange, press
from tests.fakes.openai import Reply
from tests.fakes.telegram import RecordedRequest

USER = 5001
ADMIN = 5042

JSON = dict[str, Any]
LANGUAGES = ("en", "ru")


async def _send(
    bot: RunningBot, text: str, language: str, *, user: int = USER, count: int = 1
) -> list[JSON]:
    """Send ``text`` from a user whose app speaks ``language``; the bot's ``count`` answers."""
    return await exchange(bot, user, text, count=count, first_name="Ann", language_code=language)


async def _press(
    bot: RunningBot, data: str, message_id: int, *, then: str, user: int = USER
) -> RecordedRequest:
    return await press(bot, user, data, message_id, then=then)


_buttons = callback_data


def _message(bot: RunningBot, message_id: int, user: int = USER) -> JSON:
    [message] = [m for m in bot.telegram.sent_to(user) if m["message_id"] == message_id]
    return message


# ------------------------------------------------------------------- imperial in, metric out


@pytest.mark.parametrize("language", LANGUAGES)
async def test_imperial_input_switches_a_user_who_never_chose_units(
    bot: RunningBot, language: str
) -> None:
    await bot.start()
    [saved] = await _send(bot, "/profile height=5'11\" weight=180 lb", language)
    height, weight = t(language, "field.height"), t(language, "field.weight")
    assert f"{height}: 5 ft 11 in" in saved["text"]
    assert f"{weight}: 180 lb" in saved["text"]
    assert saved["text"].endswith(t(language, "small.units_switched"))
    assert "/units metric" in saved["text"]

    # Metric afterwards keeps imperial (switching is one way) and echoes what was typed.
    [metric] = await _send(bot, "/profile weight=82 kg", language)
    assert f"{weight}: 82 kg (181 lb)" in metric["text"]
    assert t(language, "small.units_switched") not in metric["text"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_imperial_input_keeps_units_that_were_chosen_and_echoes_it(
    bot: RunningBot, language: str
) -> None:
    await bot.start()
    await _send(bot, "/units metric", language)
    [saved] = await _send(bot, "/profile height=5'11\" weight=180 lb", language)
    height, weight = t(language, "field.height"), t(language, "field.weight")
    assert f"{height}: 5 ft 11 in (180.3 cm)" in saved["text"]
    assert f"{weight}: 180 lb (81.6 kg)" in saved["text"]
    assert t(language, "small.units_switched") not in saved["text"]
    [shown] = await _send(bot, "/profile", language)
    assert f"{height}: 180.3 cm" in shown["text"]
    assert f"{t(language, 'field.units')}: {t(language, 'units.metric')}" in shown["text"]


async def test_bare_numbers_or_mixed_units_switch_nothing(bot: RunningBot) -> None:
    await bot.start()
    [mixed] = await _send(bot, "/profile height=5'11\" weight=82 kg", "en")
    assert "Height: 5 ft 11 in (180.3 cm)" in mixed["text"]
    assert "Weight: 82 kg" in mixed["text"]
    assert "Units: metric" in mixed["text"]
    [bare] = await _send(bot, "/profile height=71 weight=80", "en")
    assert "Height: 180.3 cm" in bare["text"]
    assert "Units: metric" in bare["text"]


async def test_the_guided_flow_switches_too(bot: RunningBot) -> None:
    await bot.start()
    [panel] = await _send(bot, "/profile", "ru")
    await _press(bot, "pf:ask:height", panel["message_id"], then="sendMessage")
    [saved] = await _send(bot, "5 ft 11 in", "ru")
    assert "Рост: 5 ft 11 in" in saved["text"]
    assert t("ru", "small.units_switched") in saved["text"]
    # Choosing with the button counts as a choice: imperial answers are echoed, not switched.
    await _press(bot, "pf:menu:units", panel["message_id"], then="editMessageReplyMarkup")
    await _press(bot, "pf:set:units:metric", panel["message_id"], then="editMessageText")
    await _press(bot, "pf:ask:weight", panel["message_id"], then="sendMessage")
    [weight] = await _send(bot, "180 lb", "ru")
    assert "Вес: 180 lb (81.6 kg)" in weight["text"]
    assert t("ru", "small.units_switched") not in weight["text"]


# -------------------------------------------------------------------------------------- /units


@pytest.mark.parametrize("language", LANGUAGES)
async def test_units_alone_ends_after_the_choice(bot: RunningBot, language: str) -> None:
    await bot.start()
    await _send(bot, "/profile height=180 cm", language)
    [picker] = await _send(bot, "/units", language)
    assert picker["text"] == t(language, "units.ask")
    assert _buttons(picker) == ["units:metric", "units:imperial"]  # no "« Back"
    await _press(bot, "units:imperial", picker["message_id"], then="editMessageText")
    chosen = _message(bot, picker["message_id"])
    now = t(language, "units.now", units=t(language, "units.imperial"))
    assert chosen["text"].startswith(now)
    assert f"{t(language, 'field.height')}: 5 ft 11 in" in chosen["text"]
    assert _buttons(chosen) == []  # over: no profile buttons under the question

    # The profile flow keeps its Back.
    [panel] = await _send(bot, "/profile", language)
    await _press(bot, "pf:menu:units", panel["message_id"], then="editMessageReplyMarkup")
    assert "pf:back" in _buttons(_message(bot, panel["message_id"]))


# ----------------------------------------------------------------------------- expired buttons


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_button_nobody_knows_is_answered_as_expired(bot: RunningBot, language: str) -> None:
    await bot.start()
    [message] = await _send(bot, "/help", language)
    for data in ("old:feature:1", "units:furlongs", "x" * 64):
        answer = await _press(bot, data, message["message_id"], then="answerCallbackQuery")
        assert answer.ok
        assert answer.params["text"] == t(language, "small.expired_button")
    assert not [m for m in bot.telegram.sent_to(USER)[1:] if m["text"].startswith("Sorry")]


# -------------------------------------------------------------------------- unknown exercises


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_unknown_exercise_offers_the_muscle_groups(bot: RunningBot, language: str) -> None:
    await bot.start()
    [nothing] = await _send(bot, "/exercise zzzz", language)
    assert t(language, "exercises.unknown", query="zzzz") in nothing["text"]
    assert t(language, "exercises.browse_offer") in nothing["text"]
    buttons = _buttons(nothing)
    assert "ex:m:chest" in buttons
    assert not [b for b in buttons if b.startswith("ex:x:")]  # nothing is close to "zzzz"
    await _press(bot, "ex:m:chest", nothing["message_id"], then="editMessageText")
    assert "ex:x:" in " ".join(_buttons(_message(bot, nothing["message_id"])))

    [close] = await _send(bot, "/exercise curlz", language)
    buttons = _buttons(close)
    assert "ex:x:cable-curl" in buttons
    assert buttons.index("ex:x:cable-curl") < buttons.index("ex:m:chest")  # names first


# ---------------------------------------------------------------------- streamed Markdown


GROUP = -100555
WARM_UP = {
    "en": ("**Warm-up", ": ten minutes** of easy cycling, then squats."),
    "ru": ("**Разминка", ": десять минут** лёгкого велосипеда, затем приседания."),
}


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_streamed_group_answer_never_shows_markdown_markers(
    bot: RunningBot, language: str
) -> None:
    await bot.start()
    bot.openai.script(Reply(chunks=WARM_UP[language], delays=[0, 4.0]))
    bot.telegram.user_sends(
        USER,
        "@fitcoach_test_bot how do I warm up?",
        chat_id=GROUP,
        chat_type="group",
        language_code=language,
    )
    [first] = await bot.telegram.wait_for(
        lambda r: r.method == "sendMessage" and r.chat_id == GROUP, timeout=10
    )
    head = WARM_UP[language][0].strip("*")
    assert first.params["text"] == f"<b>{head}</b>"  # bold at once, no "**" for 3 s
    await bot.telegram.wait_for(
        lambda r: r.method == "editMessageText" and "</b>" in r.params.get("text", ""),
        timeout=20,
    )
    [final] = bot.telegram.sent_to(GROUP)
    assert final["text"].startswith(head)
    assert "**" not in final["text"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_drafts_render_partial_markdown_like_the_final_text(
    bot: RunningBot, language: str
) -> None:
    await bot.start()
    bot.openai.script(Reply(chunks=WARM_UP[language], delays=[0, 3.0]))
    bot.telegram.user_sends(USER, "how do I warm up?", language_code=language)
    [draft] = await bot.telegram.wait_for("sendMessageDraft", timeout=10)
    assert draft.params["text"] == f"<b>{WARM_UP[language][0].strip('*')}</b>"
    await bot.telegram.wait_for_messages(USER, 1, timeout=15)
    assert all("**" not in d.params["text"] for d in bot.telegram.calls("sendMessageDraft"))


# ----------------------------------------------------------------------------------- /stats


@pytest.mark.parametrize("language", LANGUAGES)
async def test_stats_counts_every_message_a_user_sent(bot: RunningBot, language: str) -> None:
    await bot.start(admin_ids=str(ADMIN))
    await _send(bot, "/start", language)
    await _send(bot, "/profile height=180 cm", language)
    await _send(bot, "How do I start running?", language)  # free text: the coach answers
    before = len(bot.telegram.sent_to(USER))
    bot.telegram.user_sends_media(USER, "voice", language_code=language)
    await bot.telegram.wait_for_messages(USER, before + 1, timeout=10)
    bot.telegram.user_sends(
        USER, "chatter the bot ignores", chat_id=GROUP, chat_type="group", language_code=language
    )
    [stats] = await _send(bot, "/stats", language, user=ADMIN)
    text = stats["text"]
    # Four from the user (two commands, one text, one voice note) and the admin's /stats.
    assert t(language, "small.stats_messages_today", count=5) in text
    assert t(language, "small.stats_messages_7d", count=5) in text
    # The text and the voice note went to the coach; the commands did not.
    assert t(language, "small.stats_to_coach", count=2).strip() in text
