"""Webhook mode: our own small ASGI server with the update endpoint and GET /healthz.

PTB's built-in webhook server answers only POST on its path, so a health check needs this.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import socket
import time
from collections.abc import Generator
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.errors import FitCoachError
from bot.services.inbox import InboxService
from bot.transport.inbox import inbox_entry

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name, not a secret)
HEALTH_PATH = "/healthz"
# Telegram sends updates of at most a few hundred kilobytes; anything far larger is not Telegram.
MAX_BODY_BYTES = 1_000_000


def derive_secret(token: str) -> str:
    """A stable webhook secret from the bot token, for when WEBHOOK_SECRET is unset."""
    return hashlib.sha256(f"fitcoach-webhook:{token}".encode()).hexdigest()[:48]


def webhook_path(webhook_url: str) -> str:
    """The path Telegram will POST to, taken from WEBHOOK_URL (``/`` when it has none)."""
    return urlsplit(webhook_url).path or "/"


def build_web_app(application: Any, inbox: InboxService, *, secret: str, path: str) -> Starlette:
    """The ASGI app: POST ``path`` stores the update in the inbox; GET /healthz says whether we run.

    The 200 comes only after the inbox committed the update: an instance that dies before that
    leaves Telegram to deliver it again, and a redelivery of a stored update changes nothing.
    """

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
        update = _parse_update(body, application.bot)
        if update is None:
            rejected.note("that is not an update", 400)
            return PlainTextResponse("bad request", status_code=400)
        try:
            await inbox.accept([inbox_entry(update)])
        except Exception:
            logger.exception("Storing a webhook update failed; Telegram will deliver it again")
            return PlainTextResponse("try again", status_code=503)
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        running = bool(application.running)
        return JSONResponse(
            {"status": "ok" if running else "starting"}, status_code=200 if running else 503
        )

    return Starlette(
        routes=[
            Route(HEALTH_PATH, health, methods=["GET"]),
            Route(path, receive_update, methods=["POST"]),
        ]
    )


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


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the bot decides when and how to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class WebhookServer:
    """Runs the ASGI app on 0.0.0.0:PORT inside the bot's event loop."""

    def __init__(self, app: Starlette, port: int, host: str = "0.0.0.0") -> None:  # noqa: S104
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", lifespan="off", access_log=False
        )
        self._server = _Server(config)
        self._host = host
        self._port = port
        self._socket: socket.socket | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        # Bind here, not in uvicorn: uvicorn answers a taken port with SystemExit.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((self._host, self._port))
        except OSError as error:
            listener.close()
            raise FitCoachError(
                f"cannot listen on port {self._port} for webhooks ({error.strerror}); set PORT"
            ) from error
        self._socket = listener
        self._task = asyncio.create_task(
            self._server.serve(sockets=[listener]), name="webhook-server"
        )
        while not self._server.started:
            if self._task.done():
                await self._task
                raise FitCoachError("the webhook server stopped while starting")
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._server.should_exit = True
        await task
        if self._socket is not None:
            self._socket.close()
            self._socket = None
