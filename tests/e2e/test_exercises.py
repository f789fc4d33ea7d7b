"""Exercise demos end to end: the coach's demo tool, the file_id cache, /exercise cards and
browsing, albums, refused URLs, admin uploads and /credits."""

from __future__ import annotations

from typing import Any

from bot.domain.exercises import CatalogMedia, MediaItem
from bot.i18n import t
from bot.services.catalog import seed_catalog
from bot.storage import Database
from bot.storage import exercises as rows
from bot.storage.migrate import upgrade
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import settled
from tests.fakes.openai import Reply, ToolCall
from tests.fakes.telegram import RecordedRequest

UNKNOWN = t("en", "unknown.command")

USER = 5001
ADMIN = 42
SQUAT_GIF = "https://wger.de/media/exercise-images/849/30b2631d-d7ec-415c-800b-7eb082314c0a.gif"
# The chin-up has only a photo by URL (no packaged animation): the photo is its only demo.
CHIN_UP_PNG = "https://wger.de/media/exercise-images/181/Chin-ups-2.png"
CHIN_UP_PNG_2 = "https://wger.de/media/exercise-images/181/Chin-ups-1.png"
EVERKINETIC_CREDIT = "Everkinetic (everkinetic.com)"
MEDIA_METHODS = ("sendAnimation", "sendVideo", "sendPhoto", "sendMediaGroup")


def _demo_tool(exercise: str, answer: str) -> tuple[Reply, Reply]:
    return (
        Reply(tool_calls=[ToolCall(name="show_exercise_demo", arguments={"exercise": exercise})]),
        Reply(text=answer),
    )


def _media_calls(bot: RunningBot, chat_id: int = USER) -> list[RecordedRequest]:
    return [r for r in bot.telegram.requests if r.method in MEDIA_METHODS and r.chat_id == chat_id]


def _texts(bot: RunningBot, chat_id: int = USER) -> list[str]:
    return [m.get("text") or m.get("caption") or "" for m in bot.telegram.sent_to(chat_id)]


async def _stored_media(bot: RunningBot, slug: str) -> list[CatalogMedia]:
    """The exercise's media as stored once the bot has finished every update sent so far."""
    await settled(bot)
    database = Database(bot.database_url)
    try:
        async with database.transaction() as session:
            return [m for m in await rows.all_media(session) if m.exercise_slug == slug]
    finally:
        await database.dispose()


async def test_a_squat_question_brings_a_demo_and_the_second_goes_by_file_id(
    bot: RunningBot,
) -> None:
    bot.openai.script(
        *_demo_tool("back squat", "Brace, then sit down between your heels."),
        *_demo_tool("barbell squat", "Same movement: chest and hips rise together."),
        *_demo_tool("back squat", "Once more: brace first."),
    )
    await bot.start()
    bot.telegram.user_sends(USER, "How do I squat with a barbell?")
    # One demo: the packaged Everkinetic animation, uploaded; not the wger GIF as well.
    [first] = await bot.telegram.wait_for("sendAnimation", timeout=15)
    [upload] = first.files.values()
    assert upload.filename == "barbell-back-squat.gif"
    caption = first.params["caption"]
    assert "Barbell back squat" in caption
    assert EVERKINETIC_CREDIT in caption
    assert "CC BY-SA 4.0" in caption
    assert "enros7500" not in caption
    file_id = first.result["animation"]["file_id"]

    bot.telegram.user_sends(USER, "Show me the squat again?")
    calls = await bot.telegram.wait_for("sendAnimation", timeout=15, count=2)
    assert (calls[1].params["animation"], calls[1].files) == (file_id, {})
    assert calls[1].ok
    assert _texts(bot)[0].startswith("Brace, then sit down")

    # file_ids belong to one bot: after a token change the cached one is refused, the file
    # is uploaded again, and the demo is not marked failing.
    bot.telegram.known_file_ids.clear()
    bot.telegram.user_sends(USER, "And with a new token?")
    await bot.telegram.wait_for(lambda r: r.method == "sendAnimation" and r.ok, count=3)
    stale, fresh = bot.telegram.calls("sendAnimation")[2:]
    assert (stale.params["animation"], stale.status) == (file_id, 400)
    assert [u.data for u in fresh.files.values()] == [upload.data]
    assert fresh.status == 200
    assert all(r.params.get("animation") != SQUAT_GIF for r in _media_calls(bot))
    packaged, from_wger = await _stored_media(bot, "barbell-back-squat")
    assert (packaged.file, packaged.failing_at) == ("demos/barbell-back-squat.gif", None)
    assert packaged.telegram_file_id == fresh.result["animation"]["file_id"]
    assert (from_wger.url, from_wger.telegram_file_id) == (SQUAT_GIF, None)


async def test_exercise_with_an_unknown_name_lists_suggestions(bot: RunningBot) -> None:
    await bot.start()
    bot.telegram.user_sends(USER, "/exercise curlz")
    [reply] = await bot.telegram.wait_for_messages(USER, 1)
    assert "I don't know an exercise called “curlz”" in reply["text"]
    assert "Did you mean" in reply["text"]
    assert "• Barbell curl" in reply["text"]
    buttons = [row[0] for row in reply["reply_markup"]["inline_keyboard"]]
    assert {"text": "Cable curl", "callback_data": "ex:x:cable-curl"} in buttons
    assert _media_calls(bot) == []


async def test_browsing_by_muscle_group_ends_in_a_card_with_its_demo(bot: RunningBot) -> None:
    await bot.start()
    bot.telegram.user_sends(USER, "/exercise")
    [menu] = await bot.telegram.wait_for_messages(USER, 1)
    groups = [b["callback_data"] for row in menu["reply_markup"]["inline_keyboard"] for b in row]
    assert "ex:m:chest" in groups
    bot.telegram.user_presses(USER, "ex:m:chest", menu["message_id"])
    await bot.telegram.wait_for("editMessageText")
    [page] = bot.telegram.sent_to(USER)
    assert page["text"] == "Exercises for chest:"
    listed = [row[0]["callback_data"] for row in page["reply_markup"]["inline_keyboard"]]
    assert "ex:x:push-up" in listed
    assert listed[-1] == "ex:g"

    bot.telegram.user_presses(USER, "ex:x:push-up", page["message_id"])
    [demo] = await bot.telegram.wait_for("sendAnimation")
    assert [u.filename for u in demo.files.values()] == ["push-up.gif"]
    # The whole card fits in the caption, with the credit its licence asks for.
    card = demo.result["caption"]
    assert card.startswith("Push-up\nMuscles: chest, triceps")
    assert "Lower your chest until it nearly touches the floor." in card
    assert EVERKINETIC_CREDIT in card
    assert "CC BY-SA 4.0" in card
    assert len(bot.telegram.sent_to(USER)) == 2  # the list and the card, nothing else
    assert bot.telegram.calls("sendPhoto") == []  # one demo: not the wger photo as well


async def test_a_refused_url_falls_back_to_the_card_and_is_not_tried_again(
    bot: RunningBot,
) -> None:
    bot.telegram.refuse_url(CHIN_UP_PNG)
    await bot.start()
    bot.telegram.user_sends(USER, "/exercise chin-ups")
    [card] = await bot.telegram.wait_for_messages(USER, 1)
    assert card["text"].startswith("Chin-up\nMuscles: back, biceps")
    [refused] = _media_calls(bot)
    assert refused.status == 400
    [stored] = await _stored_media(bot, "chin-up")
    assert stored.failing_at is not None
    assert "wrong file identifier" in (stored.failure or "").lower()

    bot.telegram.user_sends(USER, "/exercise chin-up")
    await bot.telegram.wait_for_messages(USER, 2)
    assert len(_media_calls(bot)) == 1  # skipped from then on
    assert _texts(bot)[1].startswith("Chin-up\n")


async def test_two_photos_go_as_one_album_and_then_by_file_id(bot: RunningBot) -> None:
    database = Database(bot.database_url)
    try:
        await upgrade(database.engine)
        await seed_catalog(database)
        async with database.transaction() as session:
            await rows.add_media(
                session,
                "chin-up",
                [MediaItem(kind="photo", license="CC0 1.0", author="B", url=CHIN_UP_PNG_2)],
                origin="wger",
            )
    finally:
        await database.dispose()
    await bot.start()
    bot.telegram.user_sends(USER, "/exercise chin-up")
    [album] = await bot.telegram.wait_for("sendMediaGroup")
    items: list[dict[str, Any]] = album.params["media"]
    assert [item["media"] for item in items] == [CHIN_UP_PNG, CHIN_UP_PNG_2]
    assert items[0]["caption"].startswith("<b>Chin-up</b>")
    assert "caption" not in items[1]
    file_ids = [message["photo"][-1]["file_id"] for message in album.result]

    bot.telegram.user_sends(USER, "/exercise chin-up")
    albums = await bot.telegram.wait_for("sendMediaGroup", count=2)
    assert [item["media"] for item in albums[1].params["media"]] == file_ids
    assert albums[1].ok


async def test_an_admin_upload_becomes_the_demo_and_others_get_the_unknown_answer(
    bot: RunningBot,
) -> None:
    bot.openai.script(*_demo_tool("air squat", "Sit back and down, chest up."))
    await bot.start(admin_ids=str(ADMIN))
    bot.telegram.user_sends_media(USER, "photo", "/setmedia air squat")
    [refused] = await bot.telegram.wait_for_messages(USER, 1)
    assert refused["text"] == UNKNOWN

    update = bot.telegram.user_sends_media(
        ADMIN, "animation", "/setmedia air squats", first_name="Olga"
    )
    admin_file_id = update["message"]["animation"]["file_id"]
    [saved] = await bot.telegram.wait_for_messages(ADMIN, 1)
    assert "first demo of Bodyweight squat" in saved["text"]
    [stored] = await _stored_media(bot, "bodyweight-squat")
    assert (stored.origin, stored.file_id, stored.author) == ("admin", admin_file_id, "Olga")

    bot.telegram.user_sends(USER, "How do I squat at home?")
    [demo] = await bot.telegram.wait_for("sendAnimation", timeout=15)
    assert demo.params["animation"] == admin_file_id
    assert demo.ok
    assert "Bodyweight squat" in demo.params["caption"]

    bot.telegram.user_sends(ADMIN, "/setmedia air squat")
    [_, usage] = await bot.telegram.wait_for_messages(ADMIN, 2)
    assert "caption" in usage["text"]


async def test_credits_name_the_authors_and_licences(bot: RunningBot) -> None:
    await bot.start()
    bot.telegram.user_sends(USER, "/credits")
    [credits] = await bot.telegram.wait_for_messages(USER, 1)
    assert credits["text"].startswith("Exercise demos and their authors")
    assert "“Barbell Squat” by enros7500, CC BY-SA 4.0, via wger.de" in credits["text"]
    assert "Image by Everkinetic, CC BY-SA 3.0, via wger.de" in credits["text"]
