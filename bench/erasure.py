"""7. What overwriting deleted data (SQLite's secure_delete) costs on the write path and at /forget.

Runs the storage layer in this process on a temporary SQLite file, as the bot writes: one
transaction per turn that refreshes the user's row (an update frees the old copy of the row,
which secure_delete overwrites) and stores the question and the answer. Then /forget deletes
the user (with the checkpoint that empties the log). Rounds alternate between secure_delete
off and on; each figure is the median of its rounds.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bench.harness import sqlite_url
from bench.report import Figure
from bot.services.users import UserService
from bot.storage import Database
from bot.storage import conversations as convo
from bot.storage import users as user_rows
from bot.storage.migrate import upgrade

USER = 77
ROUNDS = 3
QUESTION = "How many sets of squats should I do this week? My knees feel fine after running. "
ANSWER = "Three sets of eight to twelve, resting ninety seconds; add weight when it feels easy. "
# The bot itself stays at or below this much more time per turn with secure_delete on.
OVERHEAD_TARGET = 1.25


def _secure_delete_off(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA secure_delete=OFF")
    finally:
        cursor.close()


async def _round(directory: Path, turns: int, *, secure: bool) -> tuple[float, float, float]:
    """Seconds to store ``turns`` turns, the CPU seconds of that, and seconds for /forget.

    CPU (every thread of this process, SQLite's included) is steadier than wall-clock time on
    a machine that other work shares.
    """
    database = Database(sqlite_url(directory / f"{'on' if secure else 'off'}-{time.time_ns()}.db"))
    if not secure:  # runs after the bot's own pragmas, which turn it on
        event.listen(database.engine.sync_engine, "connect", _secure_delete_off)
    try:
        await upgrade(database.engine)
        started, cpu_started = time.perf_counter(), time.process_time()
        for turn in range(turns):
            async with database.transaction() as session:
                await user_rows.upsert_user(session, user_id=USER, first_name="Ann", chat_id=USER)
                conversation = await convo.current_conversation(session, USER)
                for role, text in (("user", QUESTION), ("assistant", ANSWER)):
                    await convo.add_message(
                        session,
                        user_id=USER,
                        conversation_id=conversation.id,
                        role=role,
                        content=f"{turn}: {text * 4}",
                    )
        stored, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        started = time.perf_counter()
        await UserService(database).forget(USER)
        forgot = time.perf_counter() - started
        async with database.engine.connect() as connection:
            mode = (await connection.exec_driver_sql("PRAGMA secure_delete")).scalar()
        if bool(mode) != secure:
            raise RuntimeError(f"secure_delete was {mode}, expected {secure}")
        return stored, cpu, forgot
    finally:
        await database.dispose()


def _raw_delete(path: Path, rows: int, *, secure: bool) -> float:
    """Seconds SQLite alone takes to delete ``rows`` messages of 400 bytes (no Python layers)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute(f"PRAGMA secure_delete={'ON' if secure else 'OFF'}")
        connection.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, content TEXT)")
        with connection:
            connection.execute("BEGIN")
            connection.executemany(
                "INSERT INTO messages (content) VALUES (?)",
                [((f"{n}: " + QUESTION * 5)[:400],) for n in range(rows)],
            )
        started = time.perf_counter()
        with connection:
            connection.execute("BEGIN")
            # A WHERE clause: without one SQLite drops whole tables unread, which no erasure does.
            connection.execute("DELETE FROM messages WHERE id > 0")
        return time.perf_counter() - started
    finally:
        connection.close()


async def measure_secure_delete(directory: Path, turns: int) -> tuple[list[Figure], dict[str, Any]]:
    """The figures of scenario 7, and the raw rounds behind them."""
    runs: dict[bool, list[tuple[float, float, float]]] = {False: [], True: []}
    for _ in range(ROUNDS):
        for secure in (False, True):
            runs[secure].append(await _round(directory, turns, secure=secure))
    raw_rows = turns * 20
    raw = {
        secure: statistics.median(
            _raw_delete(directory / f"raw-{secure}-{n}.db", raw_rows, secure=secure)
            for n in range(ROUNDS)
        )
        for secure in (False, True)
    }
    store = {s: statistics.median(r[0] for r in runs[s]) for s in runs}
    cpu = {s: statistics.median(r[1] for r in runs[s]) for s in runs}
    forget = {s: statistics.median(r[2] for r in runs[s]) for s in runs}
    ratio = store[True] / store[False]
    name = "7. erasure"
    return (
        [
            Figure(
                name,
                f"store {turns:,} turns (2 messages each), secure_delete off",
                store[False],
                "s",
                detail=f"{store[False] / turns * 1000:.2f} ms per turn, "
                f"CPU {cpu[False] / turns * 1000:.2f} ms",
            ),
            Figure(
                name,
                f"store {turns:,} turns, secure_delete on",
                store[True],
                "s",
                target=f"<= {OVERHEAD_TARGET:g}x off",
                met=ratio <= OVERHEAD_TARGET,
                detail=f"{ratio:.2f}x off, {store[True] / turns * 1000:.2f} ms per turn, "
                f"CPU {cpu[True] / turns * 1000:.2f} ms = {cpu[True] / cpu[False]:.2f}x off",
            ),
            Figure(
                name,
                f"/forget of a user with {2 * turns:,} messages, secure_delete off",
                forget[False],
                "s",
            ),
            Figure(
                name,
                f"/forget of a user with {2 * turns:,} messages, secure_delete on",
                forget[True],
                "s",
                detail=f"{forget[True] / forget[False]:.2f}x off, checkpoint included",
            ),
            Figure(
                name,
                f"SQLite alone: delete {raw_rows:,} rows of 400 B, secure_delete off",
                raw[False],
                "s",
            ),
            Figure(
                name,
                f"SQLite alone: delete {raw_rows:,} rows of 400 B, secure_delete on",
                raw[True],
                "s",
                detail=f"{raw[True] / raw[False]:.2f}x off",
            ),
        ],
        {
            "secure_delete": {
                "off": runs[False],
                "on": runs[True],
                "turns": turns,
                "raw_delete": {"rows": raw_rows, "off": raw[False], "on": raw[True]},
            }
        },
    )
