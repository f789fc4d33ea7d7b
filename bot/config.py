"""Typed settings from the environment or `.env`, validated once at start and passed down."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.errors import ConfigError

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///fitcoach.db"
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{8,}$")
_SUPPORTED_DRIVERS = {"sqlite+aiosqlite", "postgresql+asyncpg"}
_DRIVER_ALIASES = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}
_OFF = {"", "off", "none", "disabled"}
_LOG_LEVELS = {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"}


class Settings(BaseSettings):
    """Everything FitCoach reads from its environment; names are the public contract."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,
    )

    telegram_bot_token: SecretStr
    telegram_api_url: str = "https://api.telegram.org"
    openai_api_key: SecretStr = SecretStr("")
    openai_base_url: str | None = None
    openai_model: str = "gpt-4o-mini"
    # Per request; the user's whole wait for the first words is capped at 30 s (llm.client).
    openai_timeout: float = Field(default=15.0, gt=0, le=600)
    database_url: str = DEFAULT_DATABASE_URL
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    port: int = Field(default=8080, ge=1, le=65535)
    log_level: str = "INFO"
    # Coach tuning; documented in .env.example and the README.
    history_token_budget: int = Field(default=4000, ge=500, le=200_000)
    daily_token_limit: int | None = Field(default=None, ge=1)
    user_messages_per_minute: int = Field(default=20, ge=1, le=600)
    broadcast_rate: float = Field(default=25.0, gt=0, le=30)
    # Voice notes and photos; an empty model name turns the feature off.
    transcription_model: str = "whisper-1"
    transcription_base_url: str | None = None
    transcription_api_key: SecretStr | None = None
    max_voice_seconds: int = Field(default=120, ge=1, le=3600)
    vision_model: str | None = None
    vision_detail: Literal["low", "high", "auto"] = "low"

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        raw = value.get_secret_value().strip()
        if not raw:
            raise ValueError("is empty")
        if not _TOKEN_RE.match(raw):
            raise ValueError("does not look like a bot token (expected '123456789:ABC...')")
        return SecretStr(raw)

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return _http_url(value) or "https://api.telegram.org"

    @field_validator("openai_base_url", "webhook_url", "transcription_base_url")
    @classmethod
    def _optional_url(cls, value: str | None) -> str | None:
        return _http_url(value)

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)

    @field_validator("transcription_model", "vision_model")
    @classmethod
    def _optional_model(cls, value: str | None) -> str | None:
        # An empty variable counts as unset (env_ignore_empty), so "off" is the spelled-out off.
        if value is None:
            return None
        value = value.strip()
        return "" if value.lower() in _OFF else value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            bad = [p for p in parts if not p.lstrip("-").isdigit()]
            if bad:
                raise ValueError(f"must be comma-separated numeric Telegram user ids, got {bad!r}")
            return frozenset(int(p) for p in parts)
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(sorted(_LOG_LEVELS))}")
        return level

    @model_validator(mode="after")
    def _webhook_secret_shape(self) -> Settings:
        if self.webhook_secret is not None:
            secret = self.webhook_secret.get_secret_value()
            if not secret:
                self.webhook_secret = None
            elif not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
                raise ValueError(
                    "WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and -, 1 to 256 characters"
                )
        return self

    @property
    def transcription_enabled(self) -> bool:
        return bool(self.transcription_model.strip())

    @property
    def vision_model_name(self) -> str:
        """The model photos go to: VISION_MODEL, else OPENAI_MODEL; empty when turned off."""
        if self.vision_model is None:
            return self.openai_model
        return self.vision_model.strip()

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


def normalise_database_url(value: str) -> str:
    """Check a DATABASE_URL and map plain schemes to our async drivers."""
    value = value.strip()
    scheme, sep, rest = value.partition("://")
    if not sep or not re.fullmatch(r"[a-z0-9+]+", scheme):
        raise ValueError(
            "could not be parsed; examples: "
            f"{DEFAULT_DATABASE_URL} or postgresql+asyncpg://user:password@host:5432/fitcoach"
        )
    scheme = _DRIVER_ALIASES.get(scheme, scheme)
    if scheme not in _SUPPORTED_DRIVERS:
        raise ValueError(f"uses {scheme!r}; supported: sqlite+aiosqlite, postgresql+asyncpg")
    if scheme.startswith("postgresql") and not rest.split("/", 1)[0]:
        raise ValueError("names no host; example: postgresql+asyncpg://user@host:5432/fitcoach")
    return f"{scheme}://{rest}"


def _http_url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"must be an http(s) URL, got {value!r}")
    return value


_HINTS = {
    "telegram_bot_token": (
        "Create a bot with @BotFather in Telegram (/newbot) and put its token in "
        "TELEGRAM_BOT_TOKEN (environment or .env; .env.example lists every setting)."
    ),
    "database_url": "Set DATABASE_URL or leave it unset for the embedded SQLite file.",
}


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment and `.env`; raise ConfigError naming the fix."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "settings"
            name = field.upper()
            if error["type"] == "missing":
                problem = f"{name} is not set."
            else:
                message = str(error["msg"]).removeprefix("Value error, ")
                problem = f"{name} {message}." if field != "settings" else f"{message}."
            hint = _HINTS.get(field)
            lines.append(f"{problem} {hint}" if hint else problem)
        raise ConfigError(" ".join(lines)) from None


class _DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", case_sensitive=False, env_ignore_empty=True
    )

    database_url: str = DEFAULT_DATABASE_URL

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value)


def database_url_from_env() -> str:
    """DATABASE_URL alone, for tools (the alembic CLI) that need no bot token."""
    try:
        return _DatabaseSettings().database_url
    except ValidationError as exc:
        raise ConfigError(f"DATABASE_URL {exc.errors()[0]['msg']}") from None
