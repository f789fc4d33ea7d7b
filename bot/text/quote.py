"""What we quote back of a user's input: short, on one line, whatever they sent."""

from __future__ import annotations

QUOTE_LIMIT = 40
"""Characters of a user's input an error text quotes back, the ellipsis included."""


def excerpt(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis when longer.

    An error that quotes a 4000-character input whole would itself be too long to send.
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
