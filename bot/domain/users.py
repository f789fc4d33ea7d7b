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
    timezone: str | None = None  # IANA name, e.g. Europe/Berlin
    profile: Profile = field(default_factory=Profile)


# Voice and photos count toward DAILY_TOKEN_LIMIT at these rates, on top of the tokens the
# chat server reports: a 30-second voice note is charged like a typical coaching turn (about
# 3,000 tokens), a photo like a long one (its description call and the vision tokens of a
# server that does not report them).
TOKENS_PER_VOICE_SECOND = 100
TOKENS_PER_IMAGE = 1000


def charged_tokens(
    *, prompt_tokens: int, completion_tokens: int, voice_seconds: int = 0, images: int = 0
) -> int:
    """What a day's use counts toward DAILY_TOKEN_LIMIT."""
    return (
        prompt_tokens
        + completion_tokens
        + voice_seconds * TOKENS_PER_VOICE_SECOND
        + images * TOKENS_PER_IMAGE
    )


@dataclass(frozen=True, slots=True)
class DailyUsage:
    """Model tokens one user spent on one day (UTC), the requests, voice seconds and images."""

    user_id: int
    day: date
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    voice_seconds: int = 0
    images: int = 0
    messages: int = 0  # every message the user sent the bot that day, of any kind

    @property
    def charged_tokens(self) -> int:
        """What this day counts toward DAILY_TOKEN_LIMIT (voice and images converted)."""
        return charged_tokens(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            voice_seconds=self.voice_seconds,
            images=self.images,
        )
