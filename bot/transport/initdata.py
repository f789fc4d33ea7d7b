"""Telegram Mini App sessions: check the init data Telegram signed with the bot's token.

The page sends ``Authorization: tma <initData>``; only a valid signature and a recent
``auth_date`` make it a session, and the user id comes from the signed ``user`` field alone.
Algorithm (core.telegram.org/bots/webapps, "Validating data received via the Mini App"):
secret = HMAC-SHA256(key="WebAppData", msg=bot_token); hash = HMAC-SHA256(key=secret,
msg=data-check string), the data-check string being every field but ``hash``, sorted by key,
as ``key=value`` joined by newlines.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl

SCHEME = "tma"
# Longer headers are not Telegram's: its init data is well under a kilobyte or two.
MAX_INIT_DATA_CHARS = 8192


class InitDataError(Exception):
    """The init data is missing, malformed, wrongly signed or too old (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebAppUser:
    """The Telegram user a Mini App session belongs to, as Telegram signed it."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


def secret_key(bot_token: str) -> bytes:
    """The key init data hashes are made with, derived from the bot token."""
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    """Every field but ``hash``, sorted by key, as ``key=value`` lines."""
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The hash Telegram puts in init data with these fields (hex)."""
    return hmac.new(
        secret_key(bot_token), data_check_string(fields).encode(), hashlib.sha256
    ).hexdigest()


def init_data_from_header(header: str | None) -> str:
    """The init data in an ``Authorization: tma <initData>`` header."""
    if not header:
        raise InitDataError("no Authorization header")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != SCHEME or not value.strip():
        raise InitDataError("the Authorization header is not 'tma <initData>'")
    if len(value) > MAX_INIT_DATA_CHARS:
        raise InitDataError("the init data is too long")
    return value.strip()


def verify_init_data(init_data: str, bot_token: str, *, max_age: float, now: float) -> WebAppUser:
    """The user of valid init data; InitDataError when it is not signed with our token,
    its ``auth_date`` is older than ``max_age`` seconds (or in the future), or it has no user."""
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError("the init data is not a query string") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        raise InitDataError("a field is given twice")
    given = fields.get("hash", "")
    if not given:
        raise InitDataError("the init data has no hash")
    expected = sign(fields, bot_token)
    if not hmac.compare_digest(expected.encode(), given.lower().encode()):
        raise InitDataError("the signature does not match")
    auth_date = fields.get("auth_date", "")
    if not auth_date.isdigit():
        raise InitDataError("the init data has no auth_date")
    age = now - int(auth_date)
    if age > max_age:
        raise InitDataError("the session is too old")
    if age < -60:  # a minute of clock difference is fine; more is not a real session
        raise InitDataError("auth_date is in the future")
    return _user(fields.get("user"))


def _user(raw: str | None) -> WebAppUser:
    if not raw:
        raise InitDataError("the init data names no user")
    try:
        data = json.loads(raw)
    except ValueError:
        raise InitDataError("the user field is not JSON") from None
    if not isinstance(data, dict) or type(data.get("id")) is not int:
        raise InitDataError("the user field has no numeric id")

    def text(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) else None

    return WebAppUser(
        id=data["id"],
        first_name=text("first_name") or "",
        last_name=text("last_name"),
        username=text("username"),
        language_code=text("language_code"),
    )
