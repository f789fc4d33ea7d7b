"""`python -m bot [run|migrate]`: build settings, hand them down, start."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.config import Settings, load_settings
from bot.errors import ConfigError, FitCoachError
from bot.logs import configure_logging

logger = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="FitCoach Telegram bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="migrate the database, then run the bot (the default)")
    commands.add_parser("migrate", help="bring the database schema to the newest revision")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        _setup_logging(settings)
        from bot import app

        if command == "migrate":
            asyncio.run(app.migrate(settings))
            print("Database is at the newest schema.")
        else:
            asyncio.run(app.serve(settings))
    except FitCoachError as exc:
        print(f"fitcoach: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    except KeyboardInterrupt:
        return 130
    return 0


def _setup_logging(settings: Settings) -> None:
    secrets = [
        settings.telegram_bot_token.get_secret_value(),
        settings.openai_api_key.get_secret_value(),
    ]
    if settings.webhook_secret is not None:
        secrets.append(settings.webhook_secret.get_secret_value())
    configure_logging(settings.log_level_number, secrets)


if __name__ == "__main__":
    sys.exit(main())
