"""Admin commands: /broadcast with its preview, progress and report, /stats, and block tracking.

Only ids in ADMIN_IDS are admins. Anyone else sending an admin command gets the unknown-command
answer from the handler further down; the attempt is logged here.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ExtBot,
)

from bot.handlers.context import Context
from bot.handlers.users import is_admin, language_of
from bot.i18n import DEFAULT_LANGUAGE, t, tn
from bot.services.broadcast import (
    BroadcastContent,
    BroadcastProgress,
    BroadcastState,
    DeliveryOutcome,
    SendResult,
)
from bot.services.stats import BotStats, BroadcastSummary
from bot.services.users import UserService
from bot.text.markdown import escape
from bot.transport.telegram_errors import TelegramErrorKind, delivery_outcome, kind_of

logger = logging.getLogger(__name__)

# Runs before every other group, and only logs: refused admin commands still reach the
# unknown-command handler, so a non-admin cannot tell admin commands exist.
AUDIT_GROUP: Final = -10
BULK: Final = {"bulk": True}
BAR_WIDTH: Final = 20
CALLBACK_PATTERN: Final = r"^bc:(send|cancel):\d+$"

_COMMAND_PREFIX = re.compile(r"^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?(?:\s+|$)")
# Telegram's wording when the recipient is gone for good: counted as a block, never retried.
# ---------------------------------------------------------------------------------------------
# Rendering (plain text: nothing here needs escaping)


def people(count: int, language: str = DEFAULT_LANGUAGE) -> str:
    return tn(language, "admin.people", count)


def progress_bar(fraction: float, width: int = BAR_WIDTH) -> str:
    """``[█████░░░░░] 50%``; never shows 100% before everything is done."""
    fraction = min(max(fraction, 0.0), 1.0)
    filled = round(fraction * width)
    percent = int(fraction * 100)  # rounded down: 99.6% is not done
    return f"[{'█' * filled}{'░' * (width - filled)}] {percent}%"


def time_left(seconds: float | None, language: str = DEFAULT_LANGUAGE) -> str:
    if seconds is None:
        return t(language, "admin.eta_unknown")
    if seconds < 60:
        return t(language, "admin.eta_seconds", seconds=max(1, round(seconds)))
    minutes = round(seconds / 60)
    if minutes < 60:
        return t(language, "admin.eta_minutes", minutes=minutes)
    return t(language, "admin.eta_hours", hours=minutes // 60, minutes=minutes % 60)


def _state_word(state: BroadcastState, language: str) -> str:
    return t(language, f"admin.state.{state.name.lower()}")


def render_progress(progress: BroadcastProgress, language: str = DEFAULT_LANGUAGE) -> str:
    """The admin's live progress message."""
    state = _state_word(progress.state, language)
    lines = [
        t(language, "admin.progress_title", id=progress.broadcast_id, state=state),
        progress_bar(progress.fraction),
        t(
            language,
            "admin.progress_counts",
            sent=progress.sent,
            blocked=progress.blocked,
            failed=progress.failed,
            pending=progress.pending,
        ),
    ]
    if progress.state is BroadcastState.SENDING:
        eta = time_left(progress.eta_seconds, language)
        lines.append(t(language, "admin.progress_rate", rate=f"{progress.rate:.1f}", eta=eta))
    return "\n".join(lines)


def render_report(progress: BroadcastProgress, language: str = DEFAULT_LANGUAGE) -> str:
    """The message that tells the admin a broadcast ended."""
    counts = t(
        language,
        "admin.report_counts",
        people=people(progress.sent, language),
        blocked=progress.blocked,
        failed=progress.failed,
    )
    if progress.state is BroadcastState.CANCELLED:
        return t(
            language,
            "admin.report_stopped",
            id=progress.broadcast_id,
            counts=counts,
            pending=progress.pending,
        )
    return t(language, "admin.report_finished", id=progress.broadcast_id, counts=counts)


def _summary_line(summary: BroadcastSummary, language: str) -> str:
    line = t(
        language,
        "admin.summary",
        id=summary.broadcast_id,
        when=summary.created_at.strftime("%d.%m %H:%M"),
        state=_state_word(summary.state, language),
        sent=summary.sent,
        blocked=summary.blocked,
        failed=summary.failed,
    )
    if summary.pending:
        cancelled = summary.state is BroadcastState.CANCELLED
        key = "admin.summary_not_sent" if cancelled else "admin.summary_remaining"
        line += t(language, key, pending=summary.pending)
    return line


def render_stats(stats: BotStats, language: str = DEFAULT_LANGUAGE) -> str:
    """/stats as plain text."""
    lines = [
        t(language, "admin.stats_title"),
        "",
        t(language, "admin.stats_users", count=stats.users_total),
        t(language, "admin.stats_active", count=stats.active_7d),
        t(language, "admin.stats_blocked", count=stats.blocked),
        "",
        t(language, "small.stats_messages_today", count=stats.messages_today),
        t(language, "small.stats_to_coach", count=stats.to_coach_today),
        t(language, "small.stats_messages_7d", count=stats.messages_7d),
        t(language, "small.stats_to_coach", count=stats.to_coach_7d),
        t(language, "admin.stats_tokens", count=stats.tokens_today),
        t(
            language,
            "admin.stats_media",
            seconds=stats.voice_seconds_today,
            images=stats.images_today,
        ),
        "",
    ]
    if stats.broadcasts:
        lines.append(t(language, "admin.stats_recent"))
        lines.extend(_summary_line(summary, language) for summary in stats.broadcasts)
    else:
        lines.append(t(language, "admin.stats_none"))
    return "\n".join(lines)


def _panel_keyboard(broadcast_id: int, language: str) -> InlineKeyboardMarkup:
    send = t(language, "admin.button_send")
    cancel = t(language, "admin.button_cancel")
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(send, callback_data=f"bc:send:{broadcast_id}"),
                InlineKeyboardButton(cancel, callback_data=f"bc:cancel:{broadcast_id}"),
            ]
        ]
    )


def _stop_keyboard(broadcast_id: int, language: str = DEFAULT_LANGUAGE) -> InlineKeyboardMarkup:
    cancel = t(language, "admin.button_cancel")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(cancel, callback_data=f"bc:cancel:{broadcast_id}")]]
    )


def broadcast_text_html(message: Message) -> str:
    """The text after ``/broadcast``, as Telegram HTML keeping the admin's formatting."""
    if not message.text:
        return ""
    html_text = message.text_html
    match = _COMMAND_PREFIX.match(html_text)
    if match is None:
        # Formatting starts before the command ends: keep the words, drop the formatting.
        parts = message.text.split(maxsplit=1)
        return escape(parts[1].strip()) if len(parts) > 1 else ""
    return html_text[match.end() :].strip()


# ---------------------------------------------------------------------------------------------
# The port the broadcast service drives


class TelegramBroadcastPort:
    """Sends broadcast copies as bulk traffic and keeps the admin's progress message current.

    Never raises: every Telegram answer becomes a ``SendResult`` or a logged warning.
    """

    def __init__(self, bot: ExtBot[dict[str, Any]], users: UserService | None = None) -> None:
        self._bot = bot
        self._users = users
        self._shown: dict[int, str] = {}
        self._languages: dict[int, str] = {}  # admin chat -> the language to report in

    async def _language(self, admin_chat_id: int) -> str:
        """The admin's language, read once per admin (a private chat's id is the user's)."""
        if admin_chat_id not in self._languages:
            found = (
                await self._users.reading_languages([admin_chat_id])
                if self._users is not None
                else {}
            )
            self._languages[admin_chat_id] = found.get(admin_chat_id, DEFAULT_LANGUAGE)
        return self._languages[admin_chat_id]

    async def send_copy(self, chat_id: int, content: BroadcastContent) -> SendResult:
        try:
            if content.text_html is not None:
                await self._bot.send_message(
                    chat_id, content.text_html, parse_mode=ParseMode.HTML, rate_limit_args=BULK
                )
            else:
                assert content.source_chat_id is not None
                assert content.source_message_id is not None
                await self._bot.copy_message(
                    chat_id=chat_id,
                    from_chat_id=content.source_chat_id,
                    message_id=content.source_message_id,
                    rate_limit_args=BULK,
                )
        except RetryAfter as exc:  # its message holds no wait; str() does
            return SendResult(delivery_outcome(exc), str(exc))
        except TelegramError as exc:
            return SendResult(delivery_outcome(exc), exc.message)
        return SendResult(DeliveryOutcome.SENT)

    async def show_progress(self, progress: BroadcastProgress) -> None:
        if progress.panel_message_id is None:
            return
        language = await self._language(progress.admin_chat_id)
        text = render_progress(progress, language)
        if self._shown.get(progress.broadcast_id) == text:
            return  # Telegram refuses an edit that changes nothing
        markup = None if progress.finished else _stop_keyboard(progress.broadcast_id, language)
        try:
            await self._bot.edit_message_text(
                text,
                chat_id=progress.admin_chat_id,
                message_id=progress.panel_message_id,
                reply_markup=markup,
            )
        except BadRequest as exc:
            if kind_of(exc) is not TelegramErrorKind.MESSAGE_NOT_MODIFIED:
                logger.warning("Could not update broadcast progress: %s", exc.message)
        except TelegramError as exc:
            logger.warning("Could not update broadcast progress: %s", exc)
        if progress.finished:
            self._shown.pop(progress.broadcast_id, None)
        else:
            self._shown[progress.broadcast_id] = text

    async def send_report(self, progress: BroadcastProgress) -> None:
        reply = (
            ReplyParameters(progress.panel_message_id, allow_sending_without_reply=True)
            if progress.panel_message_id is not None
            else None
        )
        try:
            language = await self._language(progress.admin_chat_id)
            await self._bot.send_message(
                progress.admin_chat_id, render_report(progress, language), reply_parameters=reply
            )
        except TelegramError as exc:
            logger.warning("Could not send the broadcast report: %s", exc)


# ---------------------------------------------------------------------------------------------
# Handlers


async def broadcast_command(update: Update, context: Context) -> None:
    """Preview a broadcast (text after the command, or the replied-to message) with buttons."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or not is_admin(update, context):
        return
    language = language_of(update, context)
    source = message.reply_to_message
    if source is not None:
        content = BroadcastContent(source_chat_id=message.chat_id, source_message_id=source.id)
        try:
            await context.bot.copy_message(message.chat_id, message.chat_id, source.id)
        except TelegramError as exc:
            logger.info("Broadcast preview refused: %s", exc)
            await message.reply_text(t(language, "admin.cannot_copy"))
            return
    else:
        text_html = broadcast_text_html(message)
        if not text_html:
            await message.reply_text(t(language, "admin.usage"))
            return
        content = BroadcastContent(text_html=text_html)
        await message.reply_text(text_html, parse_mode=ParseMode.HTML)
    draft = await context.services.broadcast.create(
        admin_id=user.id, admin_chat_id=message.chat_id, content=content
    )
    await message.reply_text(
        t(language, "admin.preview", people=people(draft.recipients, language)),
        reply_markup=_panel_keyboard(draft.broadcast_id, language),
    )


async def broadcast_button(update: Update, context: Context) -> None:
    """Send or cancel a broadcast from the buttons under its preview or progress."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    if not is_admin(update, context):
        user = update.effective_user
        logger.warning("Broadcast button pressed by non-admin %s", user.id if user else None)
        await query.answer()
        return
    language = language_of(update, context)
    _, action, raw_id = query.data.split(":")
    broadcast_id = int(raw_id)
    service = context.services.broadcast
    panel = query.message
    if action == "send":
        progress = await service.confirm(broadcast_id, panel_message_id=panel.message_id)
        if progress is None:
            await query.answer(t(language, "admin.already_done"))
            return
        try:
            await query.answer(
                t(language, "admin.sending_to", people=people(progress.total, language))
            )
            await context.bot.edit_message_text(
                render_progress(progress, language),
                chat_id=panel.chat.id,
                message_id=panel.message_id,
                reply_markup=_stop_keyboard(broadcast_id, language),
            )
        finally:
            service.wake()
        return
    progress = await service.cancel(broadcast_id)
    if progress is None:
        await query.answer(t(language, "admin.already_done"))
        return
    if progress.started:
        # The sender stops within a moment and posts the final counts itself.
        await query.answer(t(language, "admin.stopping"))
        return
    await query.answer(t(language, "admin.cancelled"))
    await context.bot.edit_message_text(
        t(language, "admin.draft_cancelled"), chat_id=panel.chat.id, message_id=panel.message_id
    )


async def stats_command(update: Update, context: Context) -> None:
    """Show users, messages, today's model tokens and recent broadcasts."""
    message = update.effective_message
    if message is None or not is_admin(update, context):
        return
    await context.services.users.flush_counts()  # counts are written a second late
    stats = await context.services.stats.overview()
    await message.reply_text(render_stats(stats, language_of(update, context)))


async def chat_member_changed(update: Update, context: Context) -> None:
    """Remember that a user blocked the bot (or came back), so broadcasts skip them."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    status = change.new_chat_member.status
    if status == ChatMemberStatus.BANNED:
        await context.services.broadcast.set_blocked(change.from_user.id, True)
    elif status == ChatMemberStatus.MEMBER:
        await context.services.broadcast.set_blocked(change.from_user.id, False)


async def log_refused(update: Update, context: Context) -> None:
    """Log an admin command from someone who may not use it; the usual reply follows."""
    message = update.effective_message
    user = update.effective_user
    command = (message.text or "").split(maxsplit=1)[0] if message is not None else "?"
    chat = update.effective_chat
    logger.warning(
        "Refused admin command %s from user %s in chat %s",
        command[:64],
        user.id if user is not None else None,
        chat.id if chat is not None else None,
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the admin buttons and the block/unblock handler (commands come from the table)."""
    application.add_handler(CallbackQueryHandler(broadcast_button, pattern=CALLBACK_PATTERN))
    application.add_handler(
        ChatMemberHandler(chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )


def start_broadcasts(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start the broadcast sender (it resumes unfinished broadcasts); after application.start()."""
    services = application.bot_data.services
    if services is not None:
        services.broadcast.start(TelegramBroadcastPort(application.bot, services.users))


async def stop_broadcasts(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Stop the broadcast sender before the bot closes its connections."""
    services = application.bot_data.services
    if services is not None:
        await services.broadcast.stop()


__all__ = [
    "TelegramBroadcastPort",
    "broadcast_text_html",
    "register",
    "render_progress",
    "render_report",
    "render_stats",
    "start_broadcasts",
    "stop_broadcasts",
]
