from __future__ import annotations

import pytest

from bot.text.quote import QUOTE_LIMIT, excerpt


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lose", "lose"),
        ("  two\n lines ", "two lines"),
        ("x" * QUOTE_LIMIT, "x" * QUOTE_LIMIT),
        ("x" * (QUOTE_LIMIT + 1), "x" * (QUOTE_LIMIT - 1) + "…"),
        ("word " * 20, ("word " * 8).strip() + "…"),
    ],
)
def test_excerpt(text: str, expected: str) -> None:
    assert excerpt(text) == expected
    assert len(excerpt(text)) <= QUOTE_LIMIT
