"""A coaching conversation as stored: its threads, the turns in them, and rolling summaries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

MessageKind = Literal["text", "voice", "photo"]
"""How a user sent a message: typed, as a voice note (stored as its transcript) or a photo
(stored as the model's short description of it)."""


@dataclass(frozen=True, slots=True)
class Conversation:
    """One thread of coaching; /reset ends it (``ended_at``) and starts another."""

    id: int
    user_id: int
    started_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One stored turn: what a user wrote (role "user") or what the coach answered."""

    id: int
    user_id: int
    conversation_id: int
    role: str
    content: str
    created_at: datetime
    token_estimate: int = 0
    kind: MessageKind = "text"
    #: The answer broke off (a cut stream, the length limit): it is not a whole answer.
    incomplete: bool = False


@dataclass(frozen=True, slots=True)
class Summary:
    """The rolling summary of a conversation's turns up to and including a message id."""

    id: int
    conversation_id: int
    content: str
    covers_through_message_id: int
    created_at: datetime
    token_estimate: int = 0
