from __future__ import annotations

import pytest

from bot.text.control import strip_control


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("a\x00b", "ab"),
        ("line\nnext\tcol", "line\nnext\tcol"),
        ("cr\r\nlf", "cr\nlf"),
        ("bell\x07 esc\x1b del\x7f c1\x85", "bell esc del c1"),
        ("ёжик 💪 ­soft", "ёжик 💪 ­soft"),  # letters, emoji and a soft hyphen stay
        ("", ""),
    ],
)
def test_strip_control(text: str, expected: str) -> None:
    assert strip_control(text) == expected
