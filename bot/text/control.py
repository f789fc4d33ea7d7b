"""Control characters out of text before it is stored (PostgreSQL refuses a NUL in text)."""

from __future__ import annotations

import re

# C0 controls but tab (\x09) and newline (\x0a), DEL, and the C1 controls.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_control(text: str) -> str:
    """``text`` without control characters, newlines and tabs kept."""
    return _CONTROL.sub("", text)
