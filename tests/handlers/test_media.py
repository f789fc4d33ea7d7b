"""What the media handlers read from a Telegram message before any download."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram import Audio, Chat, Document, Message, PhotoSize, Voice

from bot.handlers.media import _image_of
from bot.handlers.users import _cost, seconds

CHAT = Chat(1, Chat.PRIVATE)
NOW = datetime(2026, 12, 2, tzinfo=UTC)


def message(**content: object) -> Message:
    return Message(message_id=1, date=NOW, chat=CHAT, **content)  # type: ignore[arg-type]


def test_a_photo_is_read_at_its_largest_size_as_jpeg() -> None:
    sizes = (
        PhotoSize("small", "s", 90, 51, file_size=900),
        PhotoSize("large", "l", 1280, 720, file_size=90_000),
    )
    assert _image_of(message(photo=sizes)) == ("large", 90_000, "image/jpeg")


def test_an_image_file_keeps_its_own_type_and_other_files_are_not_images() -> None:
    png = Document("png", "p", file_name="meal.png", mime_type="image/png", file_size=5)
    pdf = Document("pdf", "d", file_name="plan.pdf", mime_type="application/pdf")
    assert _image_of(message(document=png)) == ("png", 5, "image/png")
    assert _image_of(message(document=pdf)) is None


@pytest.mark.parametrize(
    ("content", "cost"),
    [
        ({"text": "hi"}, 1),
        ({"voice": Voice("v", "v", 75)}, 3),
        ({"audio": Audio("a", "a", 20)}, 1),
        ({"photo": (PhotoSize("p", "p", 90, 51),)}, 3),
    ],
)
def test_voice_and_photos_cost_several_messages(content: dict[str, object], cost: int) -> None:
    assert _cost(message(**content)) == cost


def test_durations_are_whole_seconds_either_way() -> None:
    assert seconds(42) == 42
    assert seconds(timedelta(seconds=41.6)) == 42
