"""Logging setup: one format, noisy HTTP loggers quiet, secrets redacted from every record."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

# httpx/httpx2 log each request URL at INFO, and Bot API URLs contain the bot token.
_QUIET_LOGGERS = (
    "httpx",
    "httpx2",
    "httpcore",
    "httpcore2",
    "openai",
    "apscheduler",
    "alembic.runtime.plugins",
    "telegram.request",
    "telegram.ext.ExtBot",
)


class RedactingFilter(logging.Filter):
    """Replaces any configured secret in a record's final message with a marker."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self._secrets:
            redacted = redacted.replace(secret, "[redacted]")
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            for secret in self._secrets:
                record.exc_text = record.exc_text.replace(secret, "[redacted]")
        return True


def configure_logging(level: int, secrets: Iterable[str] = ()) -> None:
    """Log to stderr at ``level`` with secrets redacted; HTTP client loggers at WARNING."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    quiet_http_loggers()


def quiet_http_loggers() -> None:
    """HTTP client loggers (and PTB's request logger) at WARNING: their URLs hold the token."""
    for name in _QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
