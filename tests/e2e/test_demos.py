"""Demo delivery end to end: packaged GIFs uploaded once and then sent by file_id (after a
restart too, on each database), rejected file_ids re-uploaded, and a demo Telegram cannot
take never costing the card of /exercise or the coach's answer."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from bot.catalog import loader
from bot.domain.exercises import Catalog, CatalogMedia, MediaItem
from bot.storage import Database
from bot.storage import exercises as rows
from tests.e2e.conftest import RunningBot
from tests.fakes.openai import Reply, ToolCall
from tests.fakes.telegram import RecordedRequest

USER = 5001
SQUAT = "barbell-back-squat"
SQUAT_FILE = f"demos/{SQUAT}.gif"
# The chin-up has only a photo by URL (no packaged animation): the photo is its only demo.
CHIN_UP_PNG = "https://wger.de/media/exercise-images/181/Chin-ups-2.png"
MEDIA_METHODS = ("sendAnimation", "sendVideo", "sendPhoto", "sendMediaGroup")


def _tiny_gif() -> bytes:
    """A two-frame 16x16 looping GIF, like the packaged demos but tiny."""
    frames = [Image.new("L", (16, 16), shade) for shade in (0, 255)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=500, loop=0)
    return out.getvalue()


@pytest.fixture
def packaged_gif(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> bytes:
    """The catalog ships the back squat's demo as a file: a GIF under the data folder."""
    gif = _tiny_gif()
    (tmp_path / "demos").mkdir()
    (tmp_path / SQUAT_FILE).write_bytes(gif)
    real = loader.load_catalog()
    item = MediaItem(
        kind="animation",
        file=SQUAT_FILE,
        license="CC-BY-SA 4.0",
        author="Everkinetic",
        source_page="https://github.com/everkinetic/data",
    )
    catalog = Catalog(
        exercise.model_copy(update={"media": [item]}) if exercise.slug == SQUAT else exercise
        for exercise in real
    )
    monkeypatch.setattr(loader, "_packaged_catalog", lambda: catalog)
    monkeypatch.setattr(loader, "data_root", lambda: tmp_path)
    return gif


def _media_calls(bot: RunningBot) -> list[RecordedRequest]:
    return [r for r in bot.telegram.requests if r.method in MEDIA_METHODS and r.chat_id == USER]


async def _stored(bot: RunningBot, slug: str) -> list[CatalogMedia]:
    database = Database(bot.database_url)
    try:
        async with database.transaction() as session:
            return [m for m in await rows.all_media(session) if m.exercise_slug == slug]
    finally:
        await database.dispose()


async def _exercise(bot: RunningBot, count: int) -> RecordedRequest:
    """Ask for the back squat's card; the ``count``-th sendAnimation that went through."""
    bot.telegram.user_sends(USER, "/exercise barbell back squat")
    calls = await bot.telegram.wait_for(
        lambda r: r.method == "sendAnimation" and r.ok, timeout=15, count=count
    )
    return calls[-1]


async def test_a_packaged_gif_is_uploaded_once_then_sent_by_file_id_after_restarts_too(
    bot_on_each_database: RunningBot, packaged_gif: bytes
) -> None:
    bot = bot_on_each_database
    await bot.start()
    first = await _exercise(bot, 1)
    [upload] = first.files.values()
    assert (upload.filename, upload.data) == (f"{SQUAT}.gif", packaged_gif)
    assert first.result["caption"].startswith("Barbell back squat\nMuscles:")
    file_id = first.result["animation"]["file_id"]
    [stored] = await _stored(bot, SQUAT)
    assert (stored.file, stored.url, stored.telegram_file_id) == (SQUAT_FILE, None, file_id)

    second = await _exercise(bot, 2)
    assert (second.params["animation"], second.files) == (file_id, {})

    await bot.stop()
    await bot.start()
    third = await _exercise(bot, 3)
    assert (third.params["animation"], third.files) == (file_id, {})
    assert len(bot.telegram.uploads) == 1
    assert len(bot.telegram.sent_to(USER)) == 3  # each card in its demo's caption


async def test_a_rejected_file_id_is_forgotten_and_the_gif_uploaded_again(
    bot: RunningBot, packaged_gif: bytes
) -> None:
    await bot.start()
    first_id = (await _exercise(bot, 1)).result["animation"]["file_id"]
    bot.telegram.known_file_ids.discard(first_id)  # e.g. the bot's token changed

    again = await _exercise(bot, 2)
    rejected = bot.telegram.calls("sendAnimation")[1]
    assert (rejected.params["animation"], rejected.status) == (first_id, 400)
    assert "wrong file identifier" in (rejected.description or "")
    assert [u.data for u in again.files.values()] == [packaged_gif]
    new_id = again.result["animation"]["file_id"]
    assert new_id != first_id
    [stored] = await _stored(bot, SQUAT)
    assert (stored.telegram_file_id, stored.failing_at) == (new_id, None)

    third = await _exercise(bot, 3)
    assert (third.params["animation"], third.files) == (new_id, {})
    assert len(bot.telegram.uploads) == 2


@pytest.mark.parametrize(
    ("status", "description"),
    [
        (500, None),
        (502, None),
        (404, None),
        (400, "Bad Request: can't parse entities: Unsupported start tag"),
    ],
    ids=["500", "502", "404", "400-not-the-file"],
)
async def test_a_photo_telegram_cannot_send_falls_back_to_the_card_text(
    bot: RunningBot, status: int, description: str | None
) -> None:
    bot.telegram.fail_next("sendPhoto", status, description)
    await bot.start()
    bot.telegram.user_sends(USER, "/exercise chin-ups")
    [card] = await bot.telegram.wait_for_messages(USER, 1, timeout=15)
    assert card["text"].startswith("Chin-up\nMuscles: back, biceps")
    [failed] = _media_calls(bot)
    assert (failed.params["photo"], failed.status) == (CHIN_UP_PNG, status)
    [stored] = await _stored(bot, "chin-up")
    assert stored.failing_at is None  # nothing is wrong with the photo itself

    bot.telegram.user_sends(USER, "/exercise chin-ups")
    [photo] = await bot.telegram.wait_for(lambda r: r.method == "sendPhoto" and r.ok, timeout=15)
    assert photo.params["photo"] == CHIN_UP_PNG


async def test_the_coach_answer_is_complete_when_its_demo_cannot_be_sent(
    bot: RunningBot,
) -> None:
    answer = "Brace, then sit down between your heels. Keep your chest up."
    bot.openai.script(
        Reply(
            tool_calls=[ToolCall(name="show_exercise_demo", arguments={"exercise": "back squat"})]
        ),
        Reply(text=answer),
    )
    bot.telegram.fail_next("sendAnimation", 500, count=3)
    await bot.start()
    bot.telegram.user_sends(USER, "How do I squat with a barbell?")
    [failed] = await bot.telegram.wait_for("sendAnimation", timeout=15)
    assert failed.status == 500
    await bot.telegram.wait_for_messages(USER, 1, timeout=15)
    assert [m.get("text") for m in bot.telegram.sent_to(USER)] == [answer]
    # The model was told the demo follows only if it can be sent, and not to mention it.
    tool_results = [
        m.get("content", "")
        for request in bot.openai.requests
        for m in request.messages
        if m.get("role") == "tool"
    ]
    assert tool_results
    assert all("shown under" not in str(text) for text in tool_results)
    assert any("if it can be sent" in str(text) for text in tool_results)
    system = json.dumps([r.system_text for r in bot.openai.requests])
    assert "the demo is sent next to it" not in system
