"""Finding an exercise end to end, in English and Russian: a squat question brings the packaged
animation (uploaded once, then by file_id, uploaded again when the file_id is refused), a
generic /exercise name offers its variants as buttons, an unknown one offers the muscle-group
browser, the browser marks exercises with demos, and /credits names every source."""

from __future__ import annotations

from typing import Any

import pytest

from bot.i18n import t
from bot.text.limits import CAPTION_LIMIT, utf16_length
from tests.e2e.conftest import RunningBot
from tests.fakes.openai import Reply, ToolCall
from tests.fakes.telegram import RecordedRequest

USER = 5001
SQUAT_GIF = "barbell-back-squat.gif"
EVERKINETIC = "Everkinetic (everkinetic.com), CC BY-SA 4.0"
MEDIA_METHODS = ("sendAnimation", "sendVideo", "sendPhoto", "sendMediaGroup")
SQUAT_VARIANTS = [
    "bodyweight-squat",
    "front-squat",
    "goblet-squat",
    "dumbbell-squat",
    "smith-machine-squat",
    "hack-squat",
    "box-squat",
    "bulgarian-split-squat",
]
# (language, the user's question, the name the model gives the tool, /exercise's argument)
LANGUAGES = [
    ("en", "How do I squat?", "squat", "squat"),
    ("ru", "Как правильно делать присед?", "присед", "присед"),
]


def _demo_tool(exercise: str, answer: str) -> tuple[Reply, Reply]:
    return (
        Reply(tool_calls=[ToolCall(name="show_exercise_demo", arguments={"exercise": exercise})]),
        Reply(text=answer),
    )


def _media_calls(bot: RunningBot) -> list[RecordedRequest]:
    return [r for r in bot.telegram.requests if r.method in MEDIA_METHODS and r.chat_id == USER]


def _buttons(message: dict[str, Any]) -> list[dict[str, str]]:
    return [button for row in message["reply_markup"]["inline_keyboard"] for button in row]


@pytest.mark.parametrize(("language", "question", "tool_name", "_"), LANGUAGES)
async def test_a_squat_question_brings_the_animation_once_uploaded_then_by_file_id(
    bot: RunningBot, language: str, question: str, tool_name: str, _: str
) -> None:
    bot.openai.script(
        *_demo_tool(tool_name, "Brace, then sit down between your heels."),
        *_demo_tool(tool_name, "Chest and hips rise together."),
        *_demo_tool(tool_name, "Once more: brace first."),
    )
    await bot.start()
    bot.telegram.user_sends(USER, question, language_code=language)
    [first] = await bot.telegram.wait_for("sendAnimation", timeout=15)
    [upload] = first.files.values()
    assert upload.filename == SQUAT_GIF
    caption = first.result["caption"]
    assert caption.startswith("Barbell back squat")
    assert EVERKINETIC in caption
    assert "animated from two drawings" in caption
    assert utf16_length(caption) <= CAPTION_LIMIT
    file_id = first.result["animation"]["file_id"]

    bot.telegram.user_sends(USER, question, language_code=language)
    second = (await bot.telegram.wait_for("sendAnimation", timeout=15, count=2))[1]
    assert (second.params["animation"], second.files, second.ok) == (file_id, {}, True)

    bot.telegram.known_file_ids.discard(file_id)  # e.g. the bot's token changed
    bot.telegram.user_sends(USER, question, language_code=language)
    await bot.telegram.wait_for(lambda r: r.method == "sendAnimation" and r.ok, count=3)
    rejected, again = bot.telegram.calls("sendAnimation")[2:]
    assert (rejected.params["animation"], rejected.status) == (file_id, 400)
    assert [u.data for u in again.files.values()] == [upload.data]
    assert len(bot.telegram.uploads) == 2
    # One demo per answer: never the wger GIF of the same exercise as well.
    assert len(_media_calls(bot)) == 4


@pytest.mark.parametrize(("language", "_q", "_t", "name"), LANGUAGES)
async def test_a_generic_name_shows_the_common_variant_and_offers_the_others(
    bot: RunningBot, language: str, _q: str, _t: str, name: str
) -> None:
    await bot.start()
    bot.telegram.user_sends(USER, f"/exercise {name}", language_code=language)
    [demo] = await bot.telegram.wait_for("sendAnimation", timeout=15)
    assert [u.filename for u in demo.files.values()] == [SQUAT_GIF]
    assert demo.result["caption"].startswith("Barbell back squat\n")
    assert EVERKINETIC in demo.result["caption"]
    [_, offer] = await bot.telegram.wait_for_messages(USER, 2)
    assert offer["text"] == t(language, "exercises.variants")
    buttons = _buttons(offer)
    assert [b["callback_data"] for b in buttons] == [f"ex:x:{slug}" for slug in SQUAT_VARIANTS]
    assert buttons[1]["text"] == "▶ Front squat"  # it has a demo

    bot.telegram.user_presses(USER, "ex:x:front-squat", offer["message_id"])
    [_, front] = await bot.telegram.wait_for("sendAnimation", timeout=15, count=2)
    assert [u.filename for u in front.files.values()] == ["front-squat.gif"]
    assert front.result["caption"].startswith("Front squat\n")


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_a_name_nothing_is_close_to_offers_the_muscle_group_browser(
    bot: RunningBot, language: str
) -> None:
    await bot.start()
    bot.telegram.user_sends(USER, "/exercise zzzz", language_code=language)
    [reply] = await bot.telegram.wait_for_messages(USER, 1)
    assert reply["text"].startswith(t(language, "exercises.unknown", query="zzzz"))
    assert t(language, "exercises.did_you_mean") not in reply["text"]
    assert reply["text"].endswith(t(language, "exercises.browse_offer"))
    groups = [b["callback_data"] for b in _buttons(reply)]
    assert "ex:m:chest" in groups
    assert all(data.startswith("ex:m:") for data in groups)
    assert _media_calls(bot) == []

    bot.telegram.user_presses(USER, "ex:m:chest", reply["message_id"])
    await bot.telegram.wait_for("editMessageText")
    [page] = bot.telegram.sent_to(USER)
    assert {"text": "▶ Push-up", "callback_data": "ex:x:push-up"} in _buttons(page)


async def test_a_misspelt_name_offers_the_closest_names_and_the_browser(bot: RunningBot) -> None:
    await bot.start()
    bot.telegram.user_sends(USER, "/exercise curlz")
    [reply] = await bot.telegram.wait_for_messages(USER, 1)
    assert "Did you mean" in reply["text"]
    data = [b["callback_data"] for b in _buttons(reply)]
    assert data[0].startswith("ex:x:")
    assert "ex:m:biceps" in data


@pytest.mark.parametrize("language", ["en", "ru"])
async def test_credits_list_every_source_with_its_licence(bot: RunningBot, language: str) -> None:
    await bot.start()
    bot.telegram.user_sends(USER, "/credits", language_code=language)
    await bot.telegram.wait_for_messages(USER, 1)
    await bot.telegram.wait_for(
        lambda r: r.method == "sendMessage" and r.ok and "everkinetic/data" in str(r.params)
    )
    sent = bot.telegram.calls("sendMessage", chat_id=USER)
    text = "\n".join(r.params["text"] for r in sent)
    assert f"<b>{t(language, 'exercises.credits_sources')}</b>" in text
    assert (
        "• Everkinetic (everkinetic.com), CC BY-SA 4.0, animated from two drawings"
        ' (<a href="https://creativecommons.org/licenses/by-sa/4.0/">'
        f"{t(language, 'exercises.credits_licence')}</a>"
        f', <a href="https://github.com/everkinetic/data">{t(language, "exercises.credits_source")}'
        "</a>, "
    ) in text
    assert "446bb9a3d0c3" in text
    assert "• Everkinetic, CC BY-SA 3.0" in text
    assert "• enros7500, CC BY-SA 4.0" in text
