"""Small steps the end-to-end tests share: send a message, tap a button, read a keyboard."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import ExtBot

from bot.handlers.reminders import TelegramReminderPort
from bot.services.reminders import ReminderService, TickReport
from bot.storage import Database
from bot.storage import inbox as inbox_rows
from bot.transport.ratelimit import PriorityRateLimiter
from tests.e2e.conftest import RunningBot
from tests.fakes.telegram import RecordedRequest

JSON = dict[str, Any]


async def exchange(
    bot: RunningBot,
    user: int,
    text: str,
    *,
    count: int = 1,
    timeout: float = 10,  # noqa: ASYNC109 - a deadline per wait reads best in tests
    **sender: Any,
) -> list[JSON]:
    """Send ``text`` as ``user`` in their private chat; the bot's ``count`` new messages there.

    ``sender`` goes to the fake's ``user_sends`` (``first_name``, ``language_code``, ...).
    """
    before = len(bot.telegram.sent_to(user))
    bot.telegram.user_sends(user, text, **sender)
    messages = await bot.telegram.wait_for_messages(user, before + count, timeout=timeout)
    return messages[before:]


async def press(
    bot: RunningBot, user: int, data: str, message_id: int, *, then: str
) -> RecordedRequest:
    """Tap ``data`` under ``message_id`` in ``user``'s chat; the bot's next ``then`` request.

    ``answerCallbackQuery`` names no chat, so any one counts; other methods must aim at the user.
    """

    def wanted(request: RecordedRequest) -> bool:
        return request.method == then and (then == "answerCallbackQuery" or request.chat_id == user)

    before = len([r for r in bot.telegram.calls(then) if wanted(r)])
    bot.telegram.user_presses(user, data, message_id)
    done = await bot.telegram.wait_for(wanted, count=before + 1, timeout=10)
    return done[-1]


def callback_data(message: JSON) -> list[str]:
    """The data of every inline button under ``message``, row by row."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


async def settled(bot: RunningBot, *, timeout: float = 15) -> None:  # noqa: ASYNC109
    """Wait until the bot has taken every update sent so far and finished handling it.

    Telegram's queue confirmed means every update is in the inbox; no unfinished entry left
    there means every handler returned, and handlers await what they send.
    """
    await bot.telegram.wait_for_confirmed(timeout=timeout)
    database = Database(bot.database_url)
    try:
        async with asyncio.timeout(timeout):
            while True:
                async with database.transaction() as session:
                    if await inbox_rows.count_unfinished(session) == 0:
                        return
                await asyncio.sleep(0.05)
    finally:
        await database.dispose()


async def tick_reminders(
    bot: RunningBot,
    user: int,
    *,
    late: timedelta = timedelta(0),
    ticks: int = 1,
) -> list[TickReport]:
    """Run the scheduler ``ticks`` times with its clock at ``user``'s next due time + ``late``.

    It sends through the fake Telegram like the bot does, on the bot's own database.
    """
    database = Database(bot.database_url)
    telegram_bot: ExtBot[None] = ExtBot(
        bot.telegram.token,
        base_url=f"{bot.telegram.base_url}/bot",
        rate_limiter=PriorityRateLimiter(),
    )
    try:
        async with telegram_bot:
            _, [reminder] = await ReminderService(database).reminders(user)
            now = reminder.next_due + late
            clock: Callable[[], datetime] = lambda: now  # noqa: E731
            scheduler = ReminderService(database, clock=clock)
            port = TelegramReminderPort(telegram_bot)
            return [await scheduler.tick(port) for _ in range(ticks)]
    finally:
        await database.dispose()
