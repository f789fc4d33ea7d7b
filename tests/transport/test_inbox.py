"""Our long polling: the offset moves only after the inbox stored a batch; no spinning on empty."""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from bot.services.inbox import InboxEntry
from bot.transport import inbox as transport_inbox
from bot.transport.inbox import InboxPoller


class _Bot:
    """getUpdates that answers at once, from a script of batches, then with nothing."""

    def __init__(self, batches: list[list[int]]) -> None:
        self._batches = batches
        self.offsets: list[int | None] = []

    async def delete_webhook(self, **_: Any) -> bool:
        return True

    async def get_updates(self, *, offset: int | None, **_: Any) -> tuple[Update, ...]:
        self.offsets.append(offset)
        ids = self._batches.pop(0) if self._batches else []
        return tuple(Update(update_id=update_id) for update_id in ids)


class _Application:
    def __init__(self, bot: _Bot) -> None:
        self.bot = bot


class _Inbox:
    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.stored: list[int] = []

    async def accept(self, entries: list[InboxEntry]) -> int:
        if self.failures:
            self.failures -= 1
            raise OSError("database is down")
        self.stored.extend(entry.update_id for entry in entries)
        return len(entries)


async def _poll_for(bot: _Bot, inbox: _Inbox, seconds: float) -> None:
    poller = InboxPoller(_Application(bot), inbox, timeout=10, allowed_updates=["message"])  # type: ignore[arg-type]
    await poller.start()
    await asyncio.sleep(seconds)
    await poller.stop()


async def test_the_offset_moves_past_a_batch_only_once_it_is_stored(monkeypatch: Any) -> None:
    monkeypatch.setattr(transport_inbox, "POLL_ERROR_PAUSES", (0.01,))
    bot = _Bot([[5, 6], [5, 6], [7]])
    inbox = _Inbox(failures=1)
    await _poll_for(bot, inbox, 0.3)
    assert inbox.stored == [5, 6, 7]
    assert bot.offsets[:3] == [None, None, 7]  # the failed batch was asked for again
    assert bot.offsets[3] == 8


async def test_a_server_answering_at_once_with_nothing_does_not_make_it_spin() -> None:
    bot = _Bot([])
    await _poll_for(bot, _Inbox(), 2.0)
    # Pauses of 0.05, 0.1, 0.2, 0.4, 0.8, then 1 s: about 7 polls in 2 s, not thousands.
    assert 4 <= len(bot.offsets) <= 9
