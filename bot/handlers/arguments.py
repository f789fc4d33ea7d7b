"""What a user wrote after a command."""

from __future__ import annotations


def command_arguments(text: str) -> str:
    """What follows the command, whether a space or a new line separates them."""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""
