"""Runs a bot as its own process against the loopback fakes and follows what it sends.

Each bot gets its own process so CPU time and memory are its own; the fakes of the Bot API and
of OpenAI run in the benchmark's event loop and record every request with its arrival time.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psutil  # type: ignore[import-untyped]  # no stubs in the lock file
from sqlalchemy import insert

from bot.config import Settings
from bot.storage import Database
from bot.storage.migrate import upgrade
from bot.storage.models import User
from tests.fakes.openai import FakeOpenAI
from tests.fakes.telegram import TEST_TOKEN, FakeTelegram, RecordedRequest

__all__ = [
    "PROJECT_ROOT",
    "BenchError",
    "BotKind",
    "BotProcess",
    "RequestLog",
    "count_by_kind",
    "fakes",
    "is_reply",
    "seed_users",
    "sqlite_url",
]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BotKind = Literal["coach", "relay"]

#: How requests are grouped when counting what an answer costs.
REQUEST_KINDS: Mapping[str, str] = {
    "sendChatAction": "typing",
    "sendMessageDraft": "drafts",
    "editMessageText": "edits",
    "editMessageReplyMarkup": "edits",
    "sendMessage": "messages",
    "copyMessage": "messages",
    "sendAnimation": "media",
    "sendVideo": "media",
    "sendPhoto": "media",
    "sendMediaGroup": "media",
    "sendDocument": "media",
}
# Requests a bot makes once at start, not per answer.
_START_METHODS = frozenset(
    {"getMe", "deleteWebhook", "setWebhook", "setMyCommands", "deleteMyCommands", "getUpdates"}
)
_SCAN_INTERVAL = 0.002


class BenchError(RuntimeError):
    """A bot process failed or an expected answer never came."""


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


@contextlib.asynccontextmanager
async def fakes() -> AsyncIterator[tuple[FakeTelegram, FakeOpenAI]]:
    """A fresh loopback Bot API and OpenAI server, so every run starts with empty logs."""
    async with FakeTelegram(TEST_TOKEN) as telegram, FakeOpenAI() as model:
        yield telegram, model


def is_reply(request: RecordedRequest) -> bool:
    """A message the bot delivered to a chat (the final answer, not a draft or a typing action)."""
    return request.method == "sendMessage" and request.ok


def count_by_kind(requests: Iterable[RecordedRequest]) -> dict[str, int]:
    """Requests per kind (typing, drafts, edits, messages, media, other); start-up calls aside."""
    counts = dict.fromkeys(("typing", "drafts", "edits", "messages", "media", "other"), 0)
    for request in requests:
        if request.method in _START_METHODS:
            continue
        counts[REQUEST_KINDS.get(request.method, "other")] += 1
    return counts


async def seed_users(database_url: str, ids: Iterable[int]) -> int:
    """Migrate the database and insert users who wrote before (each with a private chat)."""
    rows = [{"id": user_id, "first_name": f"User {user_id}", "chat_id": user_id} for user_id in ids]
    database = Database(database_url)
    try:
        await upgrade(database.engine)
        async with database.transaction() as session:
            # One executemany: seeding 10,000 rows one statement at a time takes seconds.
            for start in range(0, len(rows), 2000):
                await session.execute(insert(User), rows[start : start + 2000])
    finally:
        await database.dispose()
    return len(rows)


class BotProcess:
    """``python -m bot`` or ``python -m bench.relay`` as a child process pointed at the fakes."""

    def __init__(
        self,
        kind: BotKind,
        telegram: FakeTelegram,
        model: FakeOpenAI,
        workdir: Path,
        *,
        database_url: str | None = None,
        settings: Mapping[str, str] | None = None,
        profile_to: Path | None = None,
    ) -> None:
        self.kind = kind
        self.telegram = telegram
        self.model = model
        self.workdir = workdir
        self.database_url = database_url or sqlite_url(workdir / f"{kind}.db")
        self.settings = dict(settings or {})
        self.profile_to = profile_to
        self.startup_seconds = float("nan")
        self._process: asyncio.subprocess.Process | None = None
        self._handle: psutil.Process | None = None
        self._log_path = workdir / f"{kind}.log"

    def environment(self) -> dict[str, str]:
        """The parent's environment without any FitCoach setting, plus the fakes' addresses."""
        ours = {name.upper() for name in Settings.model_fields}
        env = {key: value for key, value in os.environ.items() if key.upper() not in ours}
        path = env.get("PYTHONPATH")
        env["PYTHONPATH"] = f"{PROJECT_ROOT}{os.pathsep}{path}" if path else str(PROJECT_ROOT)
        env.update(
            {
                "PTB_TIMEDELTA": "true",
                "TELEGRAM_BOT_TOKEN": self.telegram.token,
                "TELEGRAM_API_URL": self.telegram.base_url,
                "OPENAI_BASE_URL": self.model.base_url,
                "OPENAI_API_KEY": "x",
                "OPENAI_MODEL": self.model.model,
                "DATABASE_URL": self.database_url,
                "LOG_LEVEL": "WARNING",
                # The benchmark's users write faster than people do; the limit is not measured.
                "USER_MESSAGES_PER_MINUTE": "600",
            }
        )
        env.update(self.settings)
        return env

    def command(self) -> list[str]:
        module = "bot" if self.kind == "coach" else "bench.relay"
        if self.profile_to is not None:
            return [sys.executable, "-m", "bench.profiled", str(self.profile_to), module]
        return [sys.executable, "-m", module]

    @property
    def pid(self) -> int:
        if self._process is None:
            raise BenchError(f"the {self.kind} bot is not running")
        return self._process.pid

    async def start(self, timeout: float = 60.0) -> float:  # noqa: ASYNC109 - one deadline per start
        """Start the process; return the seconds until its first long poll reached the fake."""
        polls_before = self._polls()
        started = time.monotonic()
        # cwd is an empty directory: no stray .env file can change the settings under test.
        with self._log_path.open("ab") as log:
            self._process = await asyncio.create_subprocess_exec(
                *self.command(),
                cwd=self.workdir,
                env=self.environment(),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        self._handle = psutil.Process(self._process.pid)
        deadline = started + timeout
        while True:
            polls = [r for r in self.telegram.requests if r.method == "getUpdates"]
            if len(polls) > polls_before:
                self.startup_seconds = polls[polls_before].time - started
                return self.startup_seconds
            if self._process.returncode is not None:
                raise BenchError(
                    f"the {self.kind} bot exited with {self._process.returncode} at start:\n"
                    + self.log_tail()
                )
            if time.monotonic() > deadline:
                await self.stop()
                raise BenchError(f"the {self.kind} bot did not poll within {timeout:g} s")
            await asyncio.sleep(_SCAN_INTERVAL)

    def _polls(self) -> int:
        return sum(1 for r in self.telegram.requests if r.method == "getUpdates")

    def profile_start(self) -> None:
        """Open the profiling window (a bot started with ``profile_to``)."""
        if self.profile_to is not None:
            os.kill(self.pid, signal.SIGUSR1)

    async def profile_stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Close the profiling window and wait until the statistics are written."""
        if self.profile_to is None:
            return
        os.kill(self.pid, signal.SIGUSR2)
        deadline = time.monotonic() + timeout
        while not self.profile_to.exists():
            if time.monotonic() > deadline:
                raise BenchError(f"the {self.kind} bot wrote no profile to {self.profile_to}")
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # dump_stats may still be writing

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process (all its threads) has used so far."""
        if self._handle is None:
            raise BenchError(f"the {self.kind} bot is not running")
        times = self._handle.cpu_times()
        return float(times.user + times.system)

    def rss_bytes(self) -> int:
        if self._handle is None:
            raise BenchError(f"the {self.kind} bot is not running")
        return int(self._handle.memory_info().rss)

    def check_alive(self) -> None:
        if self._process is not None and self._process.returncode is not None:
            raise BenchError(
                f"the {self.kind} bot exited with {self._process.returncode}:\n" + self.log_tail()
            )

    async def stop(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109 - one deadline per stop
        """SIGTERM, as a supervisor stops it; the fakes keep answering while it shuts down."""
        process, self._process = self._process, None
        self._handle = None
        if process is None:
            return
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise BenchError(
                f"the {self.kind} bot did not stop within {timeout:g} s after SIGTERM:\n"
                + self.log_tail()
            ) from None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self._log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty log)"

    async def __aenter__(self) -> BotProcess:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


@dataclass
class _Waiter:
    predicate: Callable[[RecordedRequest], bool]
    future: asyncio.Future[RecordedRequest]


class RequestLog:
    """Follows the fake Bot API's request log and wakes whoever waits for a matching request.

    One scanner for every waiter: forty users each re-scanning the whole log on every change
    would slow down the fake they share an event loop with, and with it the figures.
    """

    def __init__(self, telegram: FakeTelegram, bot: BotProcess | None = None) -> None:
        self._telegram = telegram
        self._bot = bot
        self._cursor = 0
        self._open: list[RecordedRequest] = []
        #: Answered requests except long polls, in the order they were answered.
        self.done: list[RecordedRequest] = []
        self._waiters: list[_Waiter] = []
        self._task: asyncio.Task[None] | None = None
        self._failure: BaseException | None = None

    async def __aenter__(self) -> RequestLog:
        self._task = asyncio.create_task(self._follow(), name="request-log")
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for waiter in self._waiters:
            waiter.future.cancel()

    async def first(
        self,
        predicate: Callable[[RecordedRequest], bool],
        timeout: float = 30.0,  # noqa: ASYNC109 - a deadline per wait reads best here
    ) -> RecordedRequest:
        """The first answered request (long polls aside) that matches, waiting if needed."""
        self._scan()
        for request in self.done:
            if predicate(request):
                return request
        future: asyncio.Future[RecordedRequest] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(predicate, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            alive = ""
            if self._bot is not None:
                try:
                    self._bot.check_alive()
                except BenchError as exc:
                    alive = f"; {exc}"
            last = [f"{r.method}({r.chat_id})={r.status}" for r in self.done[-8:]]
            raise BenchError(
                f"no matching request within {timeout:g} s; last answered: {last}{alive}"
            ) from None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    async def reply_to(
        self,
        chat_id: int,
        after: float,
        timeout: float = 30.0,  # noqa: ASYNC109 - a deadline per wait reads best here
    ) -> RecordedRequest:
        """The first message delivered to ``chat_id`` that arrived at or after ``after``."""
        return await self.first(
            lambda r: is_reply(r) and r.chat_id == chat_id and r.time >= after, timeout
        )

    def since(self, start: float, end: float = float("inf")) -> list[RecordedRequest]:
        """Answered requests (long polls aside) that arrived in ``[start, end]``."""
        self._scan()
        return [r for r in self.done if start <= r.time <= end]

    async def _follow(self) -> None:
        while True:
            self._scan()
            await asyncio.sleep(_SCAN_INTERVAL)

    def _scan(self) -> None:
        requests = self._telegram.requests
        fresh = requests[self._cursor :]
        self._cursor = len(requests)
        candidates, self._open = [*self._open, *fresh], []
        for request in candidates:
            if request.method == "getUpdates":
                continue
            if not request.done:
                self._open.append(request)
                continue
            self.done.append(request)
            for waiter in self._waiters:
                if not waiter.future.done() and waiter.predicate(request):
                    waiter.future.set_result(request)
