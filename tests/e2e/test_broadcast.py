"""Admin broadcast and /stats end to end: the real bot on the loopback Bot API.

Refusal of non-admins, blocks and flood control, a crash mid-broadcast, and the shared rate
limit measured where Telegram would measure it.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

import pytest

from bot.handlers.admin import progress_bar, render_report, time_left
from bot.i18n import t
from bot.services.broadcast import BroadcastProgress, BroadcastState
from bot.storage import Database
from bot.storage import broadcasts as broadcast_rows
from tests.e2e.conftest import RunningBot
from tests.factories import add_database_users
from tests.fakes.telegram import FakeTelegram, RecordedRequest

UNKNOWN = t("en", "unknown.command")

ADMIN = 42
# What the admin types, and the HTML every user receives (escaped, formatting kept).
TYPED = "Squats & lunges <3: new plans are here!"
SENT_HTML = "Squats &amp; lunges &lt;3: new plans are here!"


async def count_broadcasts(database_url: str) -> int:
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            return len(await broadcast_rows.recent_broadcasts(session, 100))
    finally:
        await database.dispose()


def _text(request: RecordedRequest) -> str:
    return str(request.params.get("text", ""))


def _is_panel(request: RecordedRequest) -> bool:
    markup = str(request.params.get("reply_markup"))
    return request.ok and request.chat_id == ADMIN and "bc:send:" in markup


async def open_panel(
    telegram: FakeTelegram, command: str = f"/broadcast {TYPED}", reply_to: int | None = None
) -> int:
    """Send /broadcast as the admin; returns the id of the new message with Send and Cancel."""
    earlier = sum(1 for r in telegram.calls() if _is_panel(r))
    telegram.user_sends(ADMIN, command, reply_to_message_id=reply_to)
    panels = await telegram.wait_for(_is_panel, count=earlier + 1)
    return int(panels[-1].result["message_id"])


def button(telegram: FakeTelegram, panel_id: int, action: str) -> str:
    [panel] = [m for m in telegram.sent_to(ADMIN) if m["message_id"] == panel_id]
    buttons = [b for row in panel["reply_markup"]["inline_keyboard"] for b in row]
    return next(b["callback_data"] for b in buttons if b["callback_data"].startswith(action))


async def report(telegram: FakeTelegram, within: float = 15.0) -> str:
    [found] = await telegram.wait_for(
        lambda r: (
            r.ok
            and r.chat_id == ADMIN
            and _text(r).startswith("Broadcast #")
            and r.method == "sendMessage"
        ),
        within,
    )
    return _text(found)


def copies(telegram: FakeTelegram) -> Counter[int | str | None]:
    """Broadcast copies each chat received (the admin's preview is not a copy)."""
    counted = Counter(
        r.chat_id
        for r in telegram.calls("sendMessage")
        if r.ok and r.params.get("text") == SENT_HTML
    )
    counted[ADMIN] -= 1
    return +counted


def peak_rate(telegram: FakeTelegram) -> float:
    # getUpdates is a long poll, not a message: Telegram does not count it, nor do we.
    methods = {r.method for r in telegram.requests} - {"getUpdates"}
    return telegram.peak_rate(1.0, methods)


async def test_a_non_admin_is_refused_and_nothing_is_sent(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await add_database_users(bot.database_url, [ADMIN, 501, 502])
    await bot.start(admin_ids=str(ADMIN))
    telegram = bot.telegram
    caplog.set_level(logging.WARNING, logger="bot.handlers.admin")

    for command in ("/nonsense", "/broadcast Free pizza for all", "/stats"):
        telegram.user_sends(501, command)
    answers = await telegram.wait_for_messages(501, 3)
    # Admin commands look exactly like commands that do not exist.
    assert [m["text"] for m in answers] == [UNKNOWN] * 3
    # A forged button press does nothing either.
    telegram.user_presses(501, "bc:send:1", message_id=answers[0]["message_id"])
    await telegram.wait_for("answerCallbackQuery")

    assert telegram.sent_to(502) == []
    assert telegram.sent_to(ADMIN) == []
    assert await count_broadcasts(bot.database_url) == 0
    refused = [r.getMessage() for r in caplog.records if "Refused admin command" in r.message]
    assert len(refused) == 2
    assert all("501" in line for line in refused)


async def test_thirty_users_two_blocked_one_flood_wait_give_28_delivered(
    bot: RunningBot,
) -> None:
    others = [1000 + n for n in range(29)]
    await add_database_users(bot.database_url, [ADMIN, *others])
    await bot.start(admin_ids=str(ADMIN))
    telegram = bot.telegram
    telegram.block_user(1003)
    telegram.block_user(1017)

    panel_id = await open_panel(telegram)
    preview, panel = telegram.sent_to(ADMIN)
    assert preview["text"] == TYPED  # exactly what users will see
    assert "Send it to 30 people?" in panel["text"]
    started = time.monotonic()
    telegram.fail_next("sendMessage", 429, retry_after=1)  # Telegram's flood control, once
    telegram.user_presses(ADMIN, button(telegram, panel_id, "bc:send"), panel_id)

    text = await report(telegram)
    assert text == ("Broadcast #1 finished: delivered to 28 people, 2 blocked the bot, 0 failed.")
    assert time.monotonic() - started >= 1.0  # the flood wait was honoured
    received = copies(telegram)
    assert set(received) == {ADMIN, *others} - {1003, 1017}
    assert set(received.values()) == {1}
    assert peak_rate(telegram) <= 30

    final_panel = next(m for m in telegram.sent_to(ADMIN) if m["message_id"] == panel_id)
    assert "finished" in final_panel["text"]
    assert "100%" in final_panel["text"]
    assert "reply_markup" not in final_panel  # no Cancel button once done

    telegram.user_sends(ADMIN, "/stats")
    [stats] = await telegram.wait_for(lambda r: r.ok and "Recent broadcasts" in _text(r))
    assert "Users: 30" in _text(stats)
    assert "Blocked the bot: 2" in _text(stats)
    assert "finished · delivered 28 · blocked 2 · failed 0" in _text(stats)


async def test_killed_mid_broadcast_and_restarted_nobody_missed(
    bot_on_each_database: RunningBot,
) -> None:
    bot = bot_on_each_database
    others = [2000 + n for n in range(44)]
    await add_database_users(bot.database_url, [ADMIN, *others])
    await bot.start(admin_ids=str(ADMIN), broadcast_rate=15)
    telegram = bot.telegram
    panel_id = await open_panel(telegram)
    telegram.user_presses(ADMIN, button(telegram, panel_id, "bc:send"), panel_id)
    await telegram.wait_for(lambda r: r.ok and r.params.get("text") == SENT_HTML, count=12)

    await bot.crash()
    before = sum(copies(telegram).values())
    assert 0 < before < 45, "the crash should land mid-broadcast"
    await bot.start(admin_ids=str(ADMIN), broadcast_rate=30)

    text = await report(telegram)
    assert text == "Broadcast #1 finished: delivered to 45 people, 0 blocked the bot, 0 failed."
    received = copies(telegram)
    assert set(received) == {ADMIN, *others}  # nobody missed
    assert sum(count - 1 for count in received.values()) <= 5  # a handful of duplicates at most
    assert peak_rate(telegram) <= 30


async def test_replies_go_first_and_the_whole_bot_stays_under_30_per_second(
    bot: RunningBot,
) -> None:
    others = [3000 + n for n in range(59)]
    askers = others[:8]
    await add_database_users(bot.database_url, [ADMIN, *others])
    await bot.start(admin_ids=str(ADMIN), broadcast_rate=30)
    telegram = bot.telegram
    panel_id = await open_panel(telegram)
    telegram.user_presses(ADMIN, button(telegram, panel_id, "bc:send"), panel_id)
    await telegram.wait_for(lambda r: r.ok and r.params.get("text") == SENT_HTML, count=10)

    for user_id in askers:
        telegram.user_sends(user_id, "/help")
    answered = await telegram.wait_for(
        lambda r: r.ok and r.chat_id in askers and "What I can do" in _text(r), count=8
    )
    await report(telegram)

    last_copy = max(r.time for r in telegram.calls("sendMessage") if _text(r) == SENT_HTML)
    # People waiting for an answer were served while the broadcast was still going.
    assert max(r.time for r in answered) < last_copy
    assert peak_rate(telegram) <= 30
    assert sum(copies(telegram).values()) == 60


async def test_blocks_are_recorded_and_a_replied_photo_is_copied(bot: RunningBot) -> None:
    await add_database_users(bot.database_url, [ADMIN, 4001, 4002, 4003])
    await bot.start(admin_ids=str(ADMIN))
    telegram = bot.telegram

    telegram.chat_member_update(4002, "kicked")
    telegram.user_sends(ADMIN, "/stats")
    [stats] = await telegram.wait_for(lambda r: r.ok and "Blocked the bot" in _text(r))
    assert "Blocked the bot: 1" in _text(stats)
    assert "No broadcasts yet." in _text(stats)

    photo = telegram.user_sends_media(ADMIN, "photo", caption="Perfect squat form")
    panel_id = await open_panel(telegram, "/broadcast", reply_to=photo["message"]["message_id"])
    panel = next(m for m in telegram.sent_to(ADMIN) if m["message_id"] == panel_id)
    assert "Send it to 3 people?" in panel["text"]  # the admin and two who did not block
    telegram.user_presses(ADMIN, button(telegram, panel_id, "bc:send"), panel_id)
    assert "delivered to 3 people" in await report(telegram)
    for user_id in (4001, 4003):
        [copy] = telegram.sent_to(user_id)
        assert copy["caption"] == "Perfect squat form"
        assert "photo" in copy
    assert telegram.sent_to(4002) == []

    telegram.chat_member_update(4002, "member")
    telegram.user_sends(ADMIN, "/stats")
    await telegram.wait_for(lambda r: r.ok and "Blocked the bot: 0" in _text(r))


async def test_cancel_before_send_and_stop_while_sending(bot: RunningBot) -> None:
    await add_database_users(bot.database_url, [ADMIN, *range(5000, 5039)])
    await bot.start(admin_ids=str(ADMIN), broadcast_rate=10)
    telegram = bot.telegram

    panel_id = await open_panel(telegram)
    telegram.user_presses(ADMIN, button(telegram, panel_id, "bc:cancel"), panel_id)
    await telegram.wait_for(lambda r: r.ok and _text(r) == "Cancelled. Nothing was sent.")

    panel_id = await open_panel(telegram)
    telegram.user_presses(ADMIN, button(telegram, panel_id, "bc:send"), panel_id)
    await telegram.wait_for(lambda r: r.ok and r.params.get("text") == SENT_HTML, count=4)
    telegram.user_presses(ADMIN, button(telegram, panel_id, "bc:cancel"), panel_id)
    text = await report(telegram)
    assert text.startswith("Broadcast #2 was stopped: delivered to ")
    assert text.endswith(" not sent.")
    assert sum(copies(telegram).values()) < 40


# ---------------------------------------------------------------------------------------------
# What the admin reads


@pytest.mark.parametrize(
    ("fraction", "bar"),
    [
        (0.0, "[░░░░░░░░░░░░░░░░░░░░] 0%"),
        (0.5, "[██████████░░░░░░░░░░] 50%"),
        (0.999, "[████████████████████] 99%"),
        (1.0, "[████████████████████] 100%"),
        (1.7, "[████████████████████] 100%"),
    ],
)
def test_progress_bar(fraction: float, bar: str) -> None:
    assert progress_bar(fraction) == bar


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "estimating the time left"),
        (0.2, "about 1 s left"),
        (42, "about 42 s left"),
        (600, "about 10 min left"),
        (4000, "about 1 h 7 min left"),
    ],
)
def test_time_left(seconds: float | None, text: str) -> None:
    assert time_left(seconds) == text


@pytest.mark.parametrize(
    ("state", "sent", "pending", "text"),
    [
        (
            BroadcastState.DONE,
            1,
            0,
            "Broadcast #3 finished: delivered to 1 person, 2 blocked the bot, 0 failed.",
        ),
        (
            BroadcastState.CANCELLED,
            1200,
            40,
            "Broadcast #3 was stopped: delivered to 1,200 people, 2 blocked the bot, 0 failed, "
            "40 not sent.",
        ),
    ],
)
def test_report_wording(state: BroadcastState, sent: int, pending: int, text: str) -> None:
    progress = BroadcastProgress(
        broadcast_id=3,
        state=state,
        admin_chat_id=ADMIN,
        panel_message_id=None,
        total=sent + pending + 2,
        sent=sent,
        blocked=2,
        pending=pending,
    )
    assert render_report(progress) == text
