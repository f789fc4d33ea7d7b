"""A user as FitCoach knows them: Telegram identity, when seen, profile, token usage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from bot.domain.profile import Profile


@dataclass(frozen=True)
class User:
    """A stored user; timestamps are timezone-aware, ``blocked_at`` is set while they block us."""

    id: int
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    language: str | None = None
    chat_id: int | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_seen_at: datetime | None = None
    blocked_at: datetime | None = None
    profile: Profile = field(default_factory=Profile)


@dataclass(frozen=True, slots=True)
class DailyUsage:
    """Model tokens one user spent on one day (UTC), and how many requests that took."""

    user_id: int
    day: date
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    messages: int = 0  # every message the user sent the bot that day, of any kind
