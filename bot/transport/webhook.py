"""The webhook route of our HTTP app: Telegram POSTs updates to it with the secret header.

PTB's built-in webhook server answers only POST on its path; ours (bot.transport.http) also
serves /healthz, the Mini App and its API.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from telegram import Update

from bot.services.inbox import InboxService
from bot.transport.inbox import inbox_entry

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)
# Telegram sends updates of at most a few hundred kilobytes; anything far larger is not Telegram.
MAX_BODY_BYTES = 1_000_000


def derive_secret(token: str) -> str:
    """A stable webhook secret from the bot token, for when WEBHOOK_SECRET is unset."""
    return hashlib.sha256(f"fitcoach-webhook:{token}".encode()).hexdigest()[:48]


def webhook_path(webhook_url: str) -> str:
    """The path Telegram will POST to, taken from WEBHOOK_URL (``/`` when it has none)."""
    return urlsplit(webhook_url).path or "/"


AcceptUpdate = Callable[[Update], Awaitable[int]]
"""Takes a checked update and says which HTTP status Telegram gets (200: taken, never again)."""


def inbox_acceptor(inbox: InboxService) -> AcceptUpdate:
    """Stores each update in the inbox; Telegram gets 200 only once it is committed.

    An instance that dies before that leaves Telegram to deliver it again, and a redelivery
    of a stored update changes nothing.
    """

    async def accept_update(update: Update) -> int:
        try:
            await inbox.accept([inbox_entry(update)])
        except Exception:
            logger.exception("Storing a webhook update failed; Telegram will deliver it again")
            return 503
        return 200

    return accept_update


def add_webhook_route(
    app: FastAPI, accept_update: AcceptUpdate, *, bot: Any, secret: str, path: str
) -> None:
    """POST ``path``: check the secret, the size and the shape, then ``accept_update``."""

    rejected = _RejectionLog()

    async def receive_update(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            rejected.note("without the right secret", 403)
            return PlainTextResponse("forbidden", status_code=403)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            rejected.note("over the size limit", 413)  # refused before reading the body
            return PlainTextResponse("too large", status_code=413)
        body = await _read_at_most(request, MAX_BODY_BYTES)
        if body is None:
            rejected.note("over the size limit", 413)
            return PlainTextResponse("too large", status_code=413)
        update = _parse_update(body, bot)
        if update is None:
            rejected.note("that is not an update", 400)
            return PlainTextResponse("bad request", status_code=400)
        return Response(status_code=await accept_update(update))

    app.add_api_route(path, receive_update, methods=["POST"], include_in_schema=False)


def _parse_update(body: bytes, bot: Any) -> Update | None:
    """The update in ``body``, or None when it is not JSON or not an update object."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        return None  # null, [], 1, "..." and objects without an update id
    try:
        update = Update.de_json(data, bot)
    except Exception:  # PTB raises many kinds on a malformed field
        return None
    if update is None or not _fields_have_the_right_shape(data):
        return None
    return update


def _fields_have_the_right_shape(data: dict[str, Any]) -> bool:
    """Every update kind present is an object, as in the Bot API (a string message is not)."""
    return all(isinstance(data[kind], dict) for kind in Update.ALL_TYPES if kind in data)


async def _read_at_most(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it grows past ``limit`` (a missing Content-Length)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


class _RejectionLog:
    """Logs refused webhook requests at most once a minute, as a count per reason."""

    INTERVAL = 60.0

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        self._last: float | None = None

    def note(self, reason: str, status: int) -> None:
        key = (reason, status)
        self._counts[key] = self._counts.get(key, 0) + 1
        now = time.monotonic()
        if self._last is not None and now - self._last < self.INTERVAL:
            return
        self._last = now
        summary = ", ".join(
            f"{count} {why} ({code})" for (why, code), count in sorted(self._counts.items())
        )
        self._counts.clear()
        logger.warning("Webhook requests refused since the last report: %s", summary)
