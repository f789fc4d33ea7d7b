"""After /forget no byte of what the user wrote is left in any of SQLite's files.

Each way the bot stores a user's text today writes its own marker; /forget runs; the database
files (main, -wal, -shm) are searched while the bot runs and again after it stopped. Another
way of storing text is one more line in WRITERS.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tests.e2e.conftest import RunningBot
from tests.e2e.test_broadcast import ADMIN, button, open_panel, report
from tests.fakes.openai import Reply

USER = ADMIN  # an admin, so the broadcast they write is one of their paths too
FILLER = "I ran ten kilometres today and my legs feel fine after stretching. " * 12

Writer = Callable[[RunningBot, str], Awaitable[None]]


async def _send(bot: RunningBot, text: str, **sender: Any) -> None:
    """Send ``text`` as the user and wait for the bot's answer."""
    before = len(bot.telegram.sent_to(USER))
    bot.telegram.user_sends(USER, text, **sender)
    await bot.telegram.wait_for_messages(USER, before + 1, timeout=10)


def says(template: str, **sender: Any) -> Writer:
    """A path that is one message: ``template`` with ``{marker}`` filled in."""

    async def write(bot: RunningBot, marker: str) -> None:
        filled = {key: value.format(marker=marker) for key, value in sender.items()}
        await _send(bot, template.format(marker=marker), **filled)

    return write


async def summarised(bot: RunningBot, marker: str) -> None:
    """The rolling summary: the model folds older turns into a summary that names the marker."""

    def respond(body: dict[str, Any]) -> Reply:
        if body.get("stream"):
            return Reply(text="Noted.")
        return Reply(text=f"- Trains for a marathon, {marker}")

    bot.openai.responder = respond
    try:
        for turn in range(1, 5):
            await _send(bot, f"Turn {turn}: {FILLER}")
    finally:
        bot.openai.responder = None


async def broadcast(bot: RunningBot, marker: str) -> None:
    """An admin's broadcast: the draft's text, then one delivery per reachable user."""
    panel = await open_panel(bot.telegram, f"/broadcast {marker} new plans are here")
    bot.telegram.user_presses(ADMIN, button(bot.telegram, panel, "bc:send:"), panel)
    await report(bot.telegram)


# name -> how the user's text gets stored. The coach's answer echoes the chat message.
WRITERS: dict[str, Writer] = {
    "telegram names": says("Hello", first_name="Ann {marker}", username="ann_{marker}"),
    "chat message and the coach's answer": says("My left knee hurts, {marker}"),
    "profile value (refused, so never stored)": says("/profile goal={marker}"),
    "rolling summary": summarised,
    "broadcast": broadcast,
}
# Only these may be missing from the export: the bot refuses them before storing anything.
NOT_STORED = {"profile value (refused, so never stored)"}


def _database_files(database_url: str) -> list[Path]:
    main = Path(database_url.removeprefix("sqlite+aiosqlite:///"))
    return [main, *(main.with_name(main.name + suffix) for suffix in ("-wal", "-shm"))]


def _leftovers(database_url: str, markers: dict[str, str]) -> dict[str, dict[str, int]]:
    """Per path, in which file its marker is still readable and how many times."""
    found: dict[str, dict[str, int]] = {}
    for path in _database_files(database_url):
        if not path.exists():
            continue
        data = path.read_bytes()
        for name, marker in markers.items():
            count = data.count(marker.encode("utf-8"))
            if count:
                found.setdefault(name, {})[path.name] = count
    return found


async def _export(bot: RunningBot) -> str:
    uploads = len(bot.telegram.uploads)
    bot.telegram.user_sends(USER, "/export")
    await bot.telegram.wait_for(lambda r: r.method == "sendDocument" and r.chat_id == USER)
    return bot.telegram.uploads[uploads].data.decode("utf-8")


async def _forget(bot: RunningBot) -> None:
    before = len(bot.telegram.sent_to(USER))
    bot.telegram.user_sends(USER, "/forget")
    [confirm] = (await bot.telegram.wait_for_messages(USER, before + 1, timeout=10))[before:]
    bot.telegram.user_presses(USER, "forget:yes", confirm["message_id"])
    await bot.telegram.wait_for(
        lambda r: r.method == "editMessageText" and "Done" in str(r.params.get("text")),
        timeout=10,
    )


async def test_nothing_the_user_wrote_is_readable_in_the_files_after_forget(
    bot: RunningBot,
) -> None:
    await bot.start(admin_ids=str(ADMIN), history_token_budget=500)
    run = uuid.uuid4().hex[:10]
    markers = {name: f"zq{run}m{index}x" for index, name in enumerate(WRITERS)}
    for name, write in WRITERS.items():
        await write(bot, markers[name])

    # Every path really stored its marker (the export holds everything stored).
    exported = json.loads(await _export(bot))
    document = json.dumps(exported, ensure_ascii=False)
    assert {n for n, m in markers.items() if m not in document} == NOT_STORED
    assert _leftovers(bot.database_url, markers)  # the files hold them before /forget

    await _forget(bot)
    assert _leftovers(bot.database_url, markers) == {}, "readable while the bot runs"
    await bot.stop()  # disposes the engine: SQLite checkpoints and closes every file
    assert _leftovers(bot.database_url, markers) == {}, "readable after the bot stopped"
