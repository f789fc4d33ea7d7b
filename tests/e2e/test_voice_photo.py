"""Voice notes and photos end to end: transcribed or seen, answered, remembered and counted."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import RunningBot
from tests.fakes.telegram import MAX_DOWNLOAD_SIZE

USER = 3301
ADMIN = 3302

JSON = dict[str, Any]

# The fake Bot API gives a voice note one second of duration per 4,000 bytes.
TWO_SECONDS = b"OggS" + b"\x00" * 7996
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4


async def _export(bot: RunningBot, user: int = USER) -> JSON:
    before = len(bot.telegram.uploads)
    bot.telegram.user_sends(user, "/export")
    await bot.telegram.wait_for(
        lambda r: r.method == "sendDocument" and r.chat_id == user,
        count=len(bot.telegram.calls("sendDocument", chat_id=user)) + 1,
        timeout=10,
    )
    [upload] = bot.telegram.uploads[before:]
    document: JSON = json.loads(upload.data.decode("utf-8"))
    return document


def _messages(document: JSON) -> list[JSON]:
    return [m for c in document["conversations"] for m in c["messages"]]


async def _new_messages(bot: RunningBot, count: int, user: int = USER) -> list[JSON]:
    before = len(bot.telegram.sent_to(user))
    messages = await bot.telegram.wait_for_messages(user, before + count, timeout=15)
    return messages[before:]


# --------------------------------------------------------------------------- voice


async def test_a_voice_note_is_transcribed_shown_and_answered_like_text(
    bot_on_each_database: RunningBot,
) -> None:
    bot = bot_on_each_database
    await bot.start()
    bot.openai.script_transcription("How many sets <should> I do for squats?")
    bot.telegram.user_sends_media(USER, "voice", data=TWO_SECONDS)
    shown, answer = await bot.telegram.wait_for_messages(USER, 2, timeout=15)

    assert shown["text"] == "🎤 How many sets <should> I do for squats?"
    assert {"type": "italic", "offset": 3, "length": 39} in shown["entities"]
    assert answer["text"] == "Echo: How many sets <should> I do for squats?"
    [transcription] = bot.openai.transcriptions
    assert (transcription.model, transcription.file_name) == ("whisper-1", "voice.ogg")
    assert transcription.data == TWO_SECONDS  # sent as it came, not converted
    [request] = bot.openai.requests
    assert request.user_text == "How many sets <should> I do for squats?"

    document = await _export(bot)
    [asked, answered] = _messages(document)
    assert asked == {**asked, "role": "user", "kind": "voice"}
    assert asked["content"] == "How many sets <should> I do for squats?"
    assert answered["kind"] == "text"
    [usage] = document["daily_usage"]
    assert usage["voice_seconds"] == 2


async def test_a_spoken_red_flag_gets_the_safety_answer_without_the_model(
    bot: RunningBot,
) -> None:
    await bot.start()
    bot.openai.script_transcription("I have chest pain spreading to my left arm")
    bot.telegram.user_sends_media(USER, "voice", data=TWO_SECONDS)
    _, answer = await bot.telegram.wait_for_messages(USER, 2, timeout=15)

    assert "112" in answer["text"] or "911" in answer["text"]
    assert bot.openai.requests == []


async def test_a_too_long_voice_note_is_refused_before_downloading(bot: RunningBot) -> None:
    await bot.start(max_voice_seconds=5)
    bot.telegram.user_sends_media(USER, "voice", data=b"\x00" * 40_000)  # 10 seconds
    [reply] = await bot.telegram.wait_for_messages(USER, 1)

    assert "10 s" in reply["text"]
    assert "5 s" in reply["text"]
    assert bot.telegram.calls("getFile") == []
    assert bot.telegram.downloads == []
    assert bot.openai.transcriptions == []
    assert bot.openai.requests == []


async def test_transcription_down_says_so_and_keeps_the_voice_note(bot: RunningBot) -> None:
    await bot.start()
    bot.openai.fail_transcription(503, count=10)
    bot.telegram.user_sends_media(USER, "voice", data=TWO_SECONDS)
    [reply] = await bot.telegram.wait_for_messages(USER, 1, timeout=20)

    assert "couldn't transcribe" in reply["text"]
    assert "saved" in reply["text"]
    assert bot.openai.requests == []
    [kept] = _messages(await _export(bot))
    assert (kept["role"], kept["kind"], kept["content"]) == ("user", "voice", "")

    bot.telegram.user_sends(USER, "Just typing then")
    [after] = await _new_messages(bot, 1)
    assert after["text"] == "Echo: Just typing then"  # the empty voice note sends nothing


async def test_transcription_turned_off_answers_in_the_users_language(bot: RunningBot) -> None:
    await bot.start(transcription_model="off")
    bot.telegram.user_sends_media(USER, "voice", data=TWO_SECONDS, language_code="de")
    [reply] = await bot.telegram.wait_for_messages(USER, 1)

    assert "Spracherkennung ist ausgeschaltet" in reply["text"]
    assert bot.telegram.downloads == []
    assert bot.openai.transcriptions == []


async def test_a_voice_note_in_a_group_is_ignored_unless_addressed(bot: RunningBot) -> None:
    await bot.start()
    bot.telegram.user_sends_media(
        USER, "voice", data=TWO_SECONDS, chat_id=-100500, chat_type="supergroup"
    )
    bot.telegram.user_sends(USER, "/help", chat_id=-100500, chat_type="supergroup")
    await bot.telegram.wait_for_messages(-100500, 1)
    assert bot.openai.transcriptions == []


# --------------------------------------------------------------------------- photos


async def test_a_photo_reaches_the_model_as_an_image_and_is_remembered_as_a_note(
    bot_on_each_database: RunningBot,
) -> None:
    bot = bot_on_each_database
    await bot.start()
    bot.openai.script(
        "Grilled chicken, rice and broccoli on a plate.",
        "A balanced lunch. Estimate: about 550-700 kcal and 35-45 g protein.",
    )
    bot.telegram.user_sends_media(USER, "photo", caption="Is this a good lunch?", data=JPEG)
    [answer] = await bot.telegram.wait_for_messages(USER, 1, timeout=15)
    assert "Estimate" in answer["text"]

    note_request, answer_request = bot.openai.requests
    for request in (note_request, answer_request):
        [image] = request.images
        assert (image.mime_type, image.data, image.detail) == ("image/jpeg", JPEG, "low")
    assert "Is this a good lunch?" in note_request.user_text
    assert "## Photos" in answer_request.system_text
    assert "as ranges" in answer_request.system_text or "ranges" in answer_request.system_text
    assert answer_request.user_text == (
        "[Photo] Grilled chicken, rice and broccoli on a plate.\nIs this a good lunch?"
    )

    bot.telegram.user_sends(USER, "And for dinner?")
    await _new_messages(bot, 1)
    later = bot.openai.requests[-1]
    assert later.images == []  # the photo lives on as its note
    assert any("Grilled chicken" in str(m.get("content")) for m in later.messages)

    document = await _export(bot)
    [photo, _, _, _] = _messages(document)
    assert photo["kind"] == "photo"
    assert photo["content"].startswith("[Photo] Grilled chicken")
    assert document["daily_usage"][0]["images"] == 1


async def test_a_model_that_cannot_see_gets_a_clear_message_once(bot: RunningBot) -> None:
    await bot.start()
    bot.openai.refuse_images = True
    bot.telegram.user_sends_media(USER, "photo", caption="Check my form", data=JPEG)
    [reply] = await bot.telegram.wait_for_messages(USER, 1, timeout=15)

    assert "This model can't see photos" in reply["text"]
    assert len(bot.openai.requests) == 1  # no retries, no apology loop


async def test_photos_turned_off_say_so_without_downloading(bot: RunningBot) -> None:
    await bot.start(vision_model="off")
    bot.telegram.user_sends_media(USER, "photo", data=JPEG, language_code="ru")
    [reply] = await bot.telegram.wait_for_messages(USER, 1)

    assert "распознавание изображений выключено" in reply["text"]
    assert bot.telegram.downloads == []
    assert bot.openai.requests == []


# --------------------------------------------------------------------------- limits


async def test_voice_seconds_count_toward_the_daily_limit_and_stats(bot: RunningBot) -> None:
    # Two seconds of voice count as 200 tokens: over the limit after the first note.
    await bot.start(daily_token_limit=150, admin_ids=str(ADMIN))
    bot.telegram.user_sends_media(USER, "voice", data=TWO_SECONDS)
    await bot.telegram.wait_for_messages(USER, 2, timeout=15)

    bot.telegram.user_sends_media(USER, "voice", data=TWO_SECONDS)
    [refused] = await _new_messages(bot, 1)
    assert "today's coaching limit" in refused["text"]
    assert len(bot.openai.transcriptions) == 1

    bot.telegram.user_sends(ADMIN, "/stats")
    [stats] = await bot.telegram.wait_for_messages(ADMIN, 1)
    assert "Voice transcribed today: 2 s" in stats["text"]


async def test_a_long_voice_note_counts_as_several_messages_toward_the_rate_limit(
    bot: RunningBot,
) -> None:
    await bot.start(user_messages_per_minute=3)
    bot.openai.script_transcription("first")
    bot.telegram.user_sends_media(USER, "voice", data=b"\x00" * 4000 * 70)  # 70 s: 3 messages
    await bot.telegram.wait_for_messages(USER, 2, timeout=15)
    bot.telegram.user_sends(USER, "one more")
    [slow_down] = await _new_messages(bot, 1)
    assert "faster than I can coach" in slow_down["text"]


async def test_an_image_over_telegrams_download_limit_is_refused_without_fetching(
    bot: RunningBot,
) -> None:
    await bot.start()
    bot.telegram.user_sends_media(USER, "photo", data=b"\xff" * (MAX_DOWNLOAD_SIZE + 1))
    [reply] = await bot.telegram.wait_for_messages(USER, 1)

    assert "20 MB" in reply["text"]
    assert bot.telegram.calls("getFile") == []
    assert bot.openai.requests == []
