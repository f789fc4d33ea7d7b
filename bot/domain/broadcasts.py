"""An admin's broadcast to every reachable user: its life cycle and each recipient's copy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class BroadcastState(StrEnum):
    """Life of a broadcast: a draft until the admin presses Send, then sending, then an end."""

    DRAFT = "draft"
    SENDING = "sending"
    DONE = "done"
    CANCELLED = "cancelled"


class DeliveryState(StrEnum):
    """What happened to one recipient's copy."""

    PENDING = "pending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Broadcast:
    """One broadcast: HTML text, or a message to copy; ``owner`` holds the sending lease."""

    id: int
    admin_id: int
    admin_chat_id: int
    state: BroadcastState
    created_at: datetime
    text_html: str | None = None
    source_chat_id: int | None = None
    source_message_id: int | None = None
    total: int = 0
    panel_message_id: int | None = None
    owner: str | None = None
    lease_expires_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One recipient's copy of a broadcast."""

    broadcast_id: int
    user_id: int
    state: DeliveryState
    attempts: int = 0
    error: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Recipient:
    """A pending delivery with what the sender needs: where to send, and whether to skip."""

    user_id: int
    chat_id: int | None
    blocked: bool
    attempts: int
