"""Telegram's length rules: what it counts (UTF-16 code units) and how much it accepts."""

from __future__ import annotations

from typing import Final

MESSAGE_LIMIT: Final = 4096
"""Longest message text Telegram accepts, in UTF-16 code units of visible text."""

CAPTION_LIMIT: Final = 1024
"""Longest media caption Telegram accepts, in UTF-16 code units of visible text."""

ELLIPSIS: Final = "…"


def utf16_length(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit Telegram counts limits and offsets in."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
