"""Settings: names from the contract, defaults, and errors that name the setting and the fix."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.config import Settings, load_settings
from bot.errors import ConfigError

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: pytest.TempPathFactory) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_API_URL",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_MODEL",
        "OPENAI_TIMEOUT",
        "DATABASE_URL",
        "ADMIN_IDS",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "PORT",
        "LOG_LEVEL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults_from_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load_settings()
    assert settings.telegram_api_url == "https://api.telegram.org"
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.port == 8080
    assert settings.admin_ids == frozenset()
    assert settings.webhook_url is None
    assert settings.log_level == "INFO"


def test_missing_token_says_where_to_get_one() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert "TELEGRAM_BOT_TOKEN is not set" in message
    assert "@BotFather" in message
    assert ".env.example" in message


def test_secrets_never_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-key-123")
    settings = load_settings()
    assert TOKEN not in repr(settings)
    assert "sk-very-secret-key-123" not in repr(settings)
    assert settings.telegram_bot_token.get_secret_value() == TOKEN


def test_env_file_is_read(tmp_path: pytest.TempPathFactory) -> None:
    with open(".env", "w", encoding="utf-8") as env_file:
        env_file.write(f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_IDS=1, 2\nPORT=9000\n")
    settings = load_settings()
    assert settings.admin_ids == frozenset({1, 2})
    assert settings.port == 9000


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("DATABASE_URL", "sqlite:///bot.db", "sqlite+aiosqlite:///bot.db"),
        ("DATABASE_URL", "postgres://u:p@db:5432/x", "postgresql+asyncpg://u:p@db:5432/x"),
        ("DATABASE_URL", "postgresql://u@db/x", "postgresql+asyncpg://u@db/x"),
        ("TELEGRAM_API_URL", "http://127.0.0.1:8081/", "http://127.0.0.1:8081"),
        ("ADMIN_IDS", "42", frozenset({42})),
        ("ADMIN_IDS", " 1,2 ,3 ", frozenset({1, 2, 3})),
        ("ADMIN_IDS", "", frozenset()),
        ("LOG_LEVEL", "debug", "DEBUG"),
        ("OPENAI_TIMEOUT", "12.5", 12.5),
    ],
)
def test_accepted_values(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: object
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(name, value)
    assert getattr(load_settings(), name.lower()) == expected


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN does not look like a bot token"),
        ("DATABASE_URL", "mysql://root@db/x", "DATABASE_URL uses 'mysql'"),
        ("DATABASE_URL", "just words", "DATABASE_URL could not be parsed"),
        ("DATABASE_URL", "postgresql+asyncpg:///x", "DATABASE_URL names no host"),
        ("ADMIN_IDS", "alice,2", "ADMIN_IDS"),
        ("PORT", "70000", "PORT"),
        ("OPENAI_TIMEOUT", "0", "OPENAI_TIMEOUT"),
        ("WEBHOOK_URL", "fly.dev/hook", "WEBHOOK_URL must be an http(s) URL"),
        ("WEBHOOK_SECRET", "has spaces!", "WEBHOOK_SECRET may hold only"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of"),
    ],
)
def test_rejected_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, fragment: str
) -> None:
    if name != "TELEGRAM_BOT_TOKEN":
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        load_settings()


def test_make_settings_fixture_builds_without_environment(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings(admin_ids="7")
    assert settings.admin_ids == frozenset({7})


def test_env_example_lists_every_setting_and_loads() -> None:
    from pathlib import Path

    example = (Path(__file__).parents[1] / ".env.example").read_text(encoding="utf-8")
    names = {
        line.split("=", 1)[0]
        for line in example.splitlines()
        if line and not line.startswith("#") and "=" in line
    }
    assert names == {field.upper() for field in Settings.model_fields}
    with open(".env", "w", encoding="utf-8") as env_file:
        env_file.write(example.replace("TELEGRAM_BOT_TOKEN=", f"TELEGRAM_BOT_TOKEN={TOKEN}", 1))
    settings = load_settings()
    assert settings.openai_base_url is None
    assert settings.daily_token_limit is None
    assert settings.webhook_secret is None
