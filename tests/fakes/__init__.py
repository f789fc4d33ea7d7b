"""Loopback fakes of the network edges (Telegram Bot API, OpenAI Chat Completions) for tests.

``LoopbackServer`` runs an ASGI app with uvicorn on 127.0.0.1 inside the test's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TypeVar

import uvicorn
from starlette.types import ASGIApp

_T = TypeVar("_T")

__all__ = [
    "ChangeSignal",
    "LoopbackServer",
    "WaitTimeoutError",
    "interruptible_sleep",
    "wait_until",
]


class WaitTimeoutError(AssertionError):
    """A fake's ``wait_for...`` helper gave up; the message says what was seen instead."""


class LoopbackServer:
    """Serves one ASGI app over real HTTP on 127.0.0.1 with a port the OS picks."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._server: uvicorn.Server | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` once started."""
        if not self.port:
            raise RuntimeError("LoopbackServer is not started")
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Bind a free port and start serving in the running event loop."""
        config = uvicorn.Config(
            self._app,
            host="127.0.0.1",
            port=0,
            http="h11",
            ws="none",
            lifespan="off",
            log_config=None,
            log_level="warning",
            access_log=False,
        )
        server = uvicorn.Server(config)
        config.load()
        server.lifespan = config.lifespan_class(config)
        # startup() without Server.serve(): serve() would take over the test process's
        # SIGINT/SIGTERM handlers and poll for exit every 0.1 s; the fakes stop explicitly.
        await server.startup()
        await server.on_tick(0)  # sets the Date header every response carries
        self._server = server
        self.port = int(server.servers[0].sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Stop accepting, let running responses finish, close every socket."""
        server = self._server
        if server is None:
            return
        self._server = None
        for listener in server.servers:
            listener.close()
        state = server.server_state
        for connection in list(state.connections):
            connection.shutdown()
        # uvicorn's own shutdown() sleeps and polls in 0.1 s steps; tests start and stop a
        # server each, so poll finely. The fakes release their hanging handlers beforehand.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2.0
        while (state.connections or state.tasks) and loop.time() < deadline:  # noqa: ASYNC110 - uvicorn offers no event
            await asyncio.sleep(0.002)
        for task in list(state.tasks):
            task.cancel()
        for connection in list(state.connections):
            connection.transport.close()
        for listener in server.servers:
            await listener.wait_closed()


async def interruptible_sleep(seconds: float, interrupt: asyncio.Event) -> bool:
    """Sleep ``seconds`` unless ``interrupt`` is set first; True when interrupted."""
    if interrupt.is_set():
        return True
    if seconds <= 0:
        return False
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(interrupt.wait(), seconds)
        return True
    return False


class ChangeSignal:
    """Wakes every waiter whenever a fake's recorded state changes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake the current waiters; later waiters wait for the next change."""
        self._event.set()
        self._event = asyncio.Event()

    @property
    def event(self) -> asyncio.Event:
        """The event the next ``notify`` sets."""
        return self._event


async def wait_until(
    signal: ChangeSignal,
    check: Callable[[], _T | None],
    timeout: float,  # noqa: ASYNC109 - the fakes' wait helpers each take a deadline
    describe: Callable[[], str],
) -> _T:
    """Re-run ``check`` after every change until it returns non-None or ``timeout`` passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        # Take the event before checking so a change between check and wait is not missed.
        event = signal.event
        result = check()
        if result is not None:
            return result
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise WaitTimeoutError(f"gave up after {timeout:g}s: {describe()}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), remaining)
