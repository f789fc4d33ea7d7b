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


def build_web_app(application: Any, *, secret: str, path: str) -> Starlette:
    """The ASGI app: POST ``path`` feeds the update queue; GET /healthz says whether we run."""

    async def receive_update(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            logger.warning("Webhook request without the right secret from %s", request.client)
            return PlainTextResponse("forbidden", status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return PlainTextResponse("too large", status_code=413)
        try:
            data = json.loads(body)
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError) as error:
            logger.warning("Webhook body is not an update: %s", error)
            return PlainTextResponse("bad request", status_code=400)
        await application.update_queue.put(update)
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
