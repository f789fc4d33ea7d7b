"""Our HTTP server: /healthz, the webhook, the Mini App's page (/app/) and its API (/api/v1).

It runs inside the bot's event loop whenever WEBHOOK_URL or WEB_APP_URL is set.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.errors import FitCoachError
from bot.transport.api import PREFIX, ApiContext, add_api, install_error_shape
from bot.transport.webhook import AcceptUpdate, add_webhook_route

HEALTH_PATH = "/healthz"
APP_PATH = "/app"
# A profile edit is a few hundred bytes.
API_MAX_BODY_BYTES = 16_384
# The page's files ship inside the package (bot/webapp/static).
STATIC_PACKAGE = ("bot.webapp", "static")


@dataclass(frozen=True)
class WebhookRoute:
    """Where Telegram posts updates, the secret it sends, and what takes each update."""

    path: str
    secret: str
    accept_update: AcceptUpdate
    bot: Any


def build_http_app(
    *,
    running: Callable[[], bool],
    webhook: WebhookRoute | None = None,
    api: ApiContext | None = None,
) -> FastAPI:
    """The ASGI app: /healthz always, the webhook and the Mini App when configured."""
    app = FastAPI(
        title="FitCoach Mini App API",
        version="1",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    install_error_shape(app)

    @app.get(HEALTH_PATH, include_in_schema=False)
    async def health() -> Response:
        ok = running()
        return JSONResponse({"status": "ok" if ok else "starting"}, status_code=200 if ok else 503)

    if webhook is not None:
        add_webhook_route(
            app,
            webhook.accept_update,
            bot=webhook.bot,
            secret=webhook.secret,
            path=webhook.path,
        )
    if api is not None:
        add_api(app, api)
        app.add_middleware(_ApiBodyLimit)

        @app.get(APP_PATH, include_in_schema=False)
        async def app_without_slash() -> Response:
            return RedirectResponse(f"{APP_PATH}/")

        app.mount(
            f"{APP_PATH}/",
            StaticFiles(packages=[STATIC_PACKAGE], html=True),
            name="webapp",
        )
    return app


class _ApiBodyLimit:
    """Refuses API request bodies over ``limit`` bytes before anyone reads them.

    FastAPI reads a body before it checks the session, so an unsigned client could otherwise
    make the server take in as much as it sends.
    """

    def __init__(self, app: ASGIApp, limit: int = API_MAX_BODY_BYTES) -> None:
        self._app = app
        self._limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(f"{PREFIX}/"):
            await self._app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self._limit:
            await _too_large(scope, receive, send)
            return
        seen = 0
        over = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self._limit:
                    over = True
                    raise _BodyTooLargeError
            return message

        async def unless_over(message: Message) -> None:
            if not over:  # FastAPI answers a failed body read itself: ours replaces it
                await send(message)

        with contextlib.suppress(_BodyTooLargeError):
            await self._app(scope, counted, unless_over)
        if over:
            await _too_large(scope, receive, send)


class _BodyTooLargeError(Exception):
    """An API body grew past the limit while it was read."""


async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
    body = {"error": {"code": "too_large", "message": "The request body is too large."}}
    await JSONResponse(body, status_code=413)(scope, receive, send)


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: the bot decides when and how to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class HttpServer:
    """Runs the ASGI app on 0.0.0.0:PORT inside the bot's event loop."""

    def __init__(self, app: FastAPI, port: int, host: str = "0.0.0.0") -> None:  # noqa: S104
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
                f"cannot listen on port {self._port} for the HTTP server ({error.strerror}); "
                "set PORT"
            ) from error
        self._socket = listener
        self._task = asyncio.create_task(self._server.serve(sockets=[listener]), name="http-server")
        while not self._server.started:
            if self._task.done():
                await self._task
                raise FitCoachError("the HTTP server stopped while starting")
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
