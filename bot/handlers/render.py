"""Replies to Telegram messages: HTML split under the limits, plain fallback, streaming."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from types import TracebackType
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, LinkPreviewOptions, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.text.markdown import (
    html_to_plain,
    markdown_to_html,
    partial_markdown_to_html,
    split_html,
    split_text,
    truncate_html,
)
from bot.transport.ratelimit import PriorityRateLimiter, as_drafts
from bot.transport.telegram_errors import TelegramErrorKind, kind_of

logger = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# Drafts (private chats) may change about once a second. Groups are held to 20 messages a
# minute by Telegram, edits included, so a streamed group answer is edited every 3 s at most.
PRIVATE_DRAFT_INTERVAL = 1.0
GROUP_EDIT_INTERVAL = 3.0
# A private chat whose drafts are refused gets one message edited at this pace instead.
PRIVATE_EDIT_INTERVAL = 2.0
# The typing status lasts about 5 s; repeat it while the model has not written anything yet.
TYPING_REPEAT = 4.5
# The first draft waits this long: an answer finished by then needs only its final message,
# which saves a request per answer when many users write at once, while the first words
# still show well within half a second of the model's first token.
FIRST_SHOW_DELAY = 0.3
# The typing action waits as long, for the same reason: an answer whose first words come
# sooner shows them instead (a request saved per quick answer; the model usually takes longer).
TYPING_DELAY = FIRST_SHOW_DELAY
# A draft skipped because replies are waiting is tried again this much later.
DRAFT_RETRY = 0.2


async def send_html(
    bot: Any,
    chat_id: int,
    html: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
) -> list[Message]:
    """Send HTML in as many messages as needed; a part Telegram refuses goes as plain text."""
    chunks = split_html(html) or ["…"]
    sent: list[Message] = []
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        markup = reply_markup if last else None
        reply = reply_to if index == 0 else None
        try:
            sent.append(
                await bot.send_message(
                    chat_id,
                    chunk,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=NO_PREVIEW,
                    reply_markup=markup,
                    reply_to_message_id=reply,
                    allow_sending_without_reply=True,
                )
            )
        except BadRequest as error:
            if kind_of(error) is not TelegramErrorKind.CANT_PARSE_ENTITIES:
                raise
            logger.warning("Telegram refused the HTML (%s); sending plain text", error.message)
            sent.extend(await send_plain(bot, chat_id, html_to_plain(chunk), reply_markup=markup))
    return sent


async def send_plain(
    bot: Any, chat_id: int, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> list[Message]:
    parts = split_text(text) or ["…"]
    sent = []
    for index, part in enumerate(parts):
        markup = reply_markup if index == len(parts) - 1 else None
        sent.append(
            await bot.send_message(
                chat_id, part, link_preview_options=NO_PREVIEW, reply_markup=markup
            )
        )
    return sent


async def edit_html(
    bot: Any,
    query: CallbackQuery,
    html: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Replace the text of the message under a tapped button.

    A double tap asks for the text already shown: nothing to do. A message that is gone (or
    too old to edit) is replaced by a new one, so the tap is never lost.
    """
    try:
        await query.edit_message_text(
            html,
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_markup=reply_markup,
        )
    except BadRequest as error:
        kind = kind_of(error)
        if kind is TelegramErrorKind.MESSAGE_NOT_MODIFIED:
            return
        if kind is not TelegramErrorKind.MESSAGE_GONE or query.message is None:
            raise
        await send_html(bot, query.message.chat.id, html, reply_markup=reply_markup)


async def edit_buttons(
    bot: Any,
    query: CallbackQuery,
    reply_markup: InlineKeyboardMarkup | None,
    *,
    html_if_gone: str | None = None,
) -> None:
    """Replace the buttons under a tapped message (the same rules as ``edit_html``).

    When the message is gone, ``html_if_gone`` is sent with the buttons; without it the tap
    has nothing left to change.
    """
    try:
        await query.edit_message_reply_markup(reply_markup)
    except BadRequest as error:
        kind = kind_of(error)
        if kind is TelegramErrorKind.MESSAGE_NOT_MODIFIED:
            return
        if kind is not TelegramErrorKind.MESSAGE_GONE or query.message is None:
            raise
        if html_if_gone is not None:
            await send_html(bot, query.message.chat.id, html_if_gone, reply_markup=reply_markup)


class StreamingReply:
    """Shows an answer while the model writes it, then leaves the final formatted message.

    Private chats get a live draft (``sendMessageDraft``) at most once a second; groups get
    one message edited every few seconds. An answer ready within ``TYPING_DELAY`` costs one
    request, its message; a slower one adds the typing action, and a longer one a draft about
    every second. A refused draft (a server without the method, a 5xx, a 400) switches the
    answer to one message edited every 2 s; a failing or hanging chat action is ignored.

    With the bot's ``PriorityRateLimiter`` the first draft goes like a reply; later drafts and
    the typing action go after replies, are skipped while replies wait, and come less often
    as more answers stream at once (``draft_interval``), so final messages and new users'
    first words keep Telegram's budget.
    """

    def __init__(self, bot: Any, chat_id: int, *, private: bool, draft_id: int) -> None:
        self._bot = bot
        self._chat_id = chat_id
        self._private = private
        self._draft_id = draft_id or 1
        self._interval = PRIVATE_DRAFT_INTERVAL if private else GROUP_EDIT_INTERVAL
        self._latest = ""
        self._shown = ""
        self._changed = asyncio.Event()
        self._message: Message | None = None
        self._task: asyncio.Task[None] | None = None
        self._typing_task: asyncio.Task[None] | None = None
        self._drafts_work = True
        self._busy = False
        self._closing = False
        limiter = getattr(bot, "rate_limiter", None)
        self._limiter = limiter if isinstance(limiter, PriorityRateLimiter) else None
        self._streaming = False

    async def __aenter__(self) -> StreamingReply:
        if self._limiter is not None and not self._streaming:
            self._limiter.open_stream()
            self._streaming = True
        self._task = asyncio.create_task(self._run(), name=f"stream-{self._chat_id}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stop()

    async def partial(self, text: str) -> None:
        """Take the answer so far; the background task shows it at the allowed pace."""
        self._latest = text
        self._changed.set()

    async def finish(
        self, markdown: str, *, reply_markup: InlineKeyboardMarkup | None = None
    ) -> list[Message]:
        """Stop streaming and send (or, in groups, edit in) the complete formatted answer."""
        await self._stop()
        html = markdown_to_html(markdown)
        if self._message is None:
            return await send_html(self._bot, self._chat_id, html, reply_markup=reply_markup)
        chunks = split_html(html) or ["…"]
        first, rest = chunks[0], chunks[1:]
        try:
            await self._message.edit_text(
                first,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=None if rest else reply_markup,
            )
        except BadRequest as error:
            kind = kind_of(error)
            if kind is not TelegramErrorKind.MESSAGE_NOT_MODIFIED:
                if kind is not TelegramErrorKind.CANT_PARSE_ENTITIES:
                    raise
                await self._message.edit_text(html_to_plain(first)[:4096])
        sent = [self._message]
        if rest:
            sent.extend(
                await send_html(self._bot, self._chat_id, "".join(rest), reply_markup=reply_markup)
            )
        return sent

    async def _stop(self) -> None:
        typing, self._typing_task = self._typing_task, None
        if typing is not None and not typing.done():
            typing.cancel()
        if self._limiter is not None and self._streaming:
            self._limiter.close_stream()
            self._streaming = False
        task, self._task = self._task, None
        if task is None:
            return
        self._closing = True
        if self._busy:
            # A draft or edit is on its way: cancelling could let it land after the final
            # message and overwrite it, so let it finish (the loop ends right after).
            self._changed.set()
            await task
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        last_shown = -math.inf
        wait = TYPING_DELAY
        while True:
            try:
                await asyncio.wait_for(self._changed.wait(), wait)
            except TimeoutError:
                if not self._shown:
                    await self._typing()
                continue
            finally:
                wait = TYPING_REPEAT
            first = not self._shown
            if self._private and first:
                await asyncio.sleep(FIRST_SHOW_DELAY)
            if self._closing:
                return
            if not first:
                wait = self._draft_wait(last_shown)
                if wait > 0:
                    # Not this stream's turn yet, or replies are waiting: skip to the next.
                    await asyncio.sleep(wait)
                    continue
            self._changed.clear()
            if self._latest != self._shown:
                self._busy = True
                try:
                    if first:
                        await self._show(self._latest)
                    else:
                        with as_drafts():
                            await self._show(self._latest)
                finally:
                    self._busy = False
                last_shown = asyncio.get_running_loop().time()
            if self._closing:
                return
            await asyncio.sleep(self._draft_wait(last_shown) if self._limiter else self._interval)

    def _draft_wait(self, last_shown: float) -> float:
        """Seconds until this stream may send its next draft (0: now)."""
        if self._limiter is None:
            return 0.0
        since = asyncio.get_running_loop().time() - last_shown
        # Recomputed at least every interval: the share grows again as other streams end.
        wait = min(self._limiter.draft_interval(self._interval) - since, self._interval)
        if wait > 0:
            return wait
        return 0.0 if self._limiter.draft_ready() else DRAFT_RETRY

    async def _typing(self) -> None:
        if self._limiter is not None and not self._limiter.draft_ready():
            return  # replies are waiting: the first draft will show more than "typing"
        # In the background: a slow or hanging chat action must never hold up the answer.
        if self._typing_task is None or self._typing_task.done():
            self._typing_task = asyncio.create_task(
                self._send_typing(), name=f"typing-{self._chat_id}"
            )

    async def _send_typing(self) -> None:
        try:
            with as_drafts():
                await self._bot.send_chat_action(self._chat_id, ChatAction.TYPING)
        except TelegramError as error:
            logger.debug("Typing action failed: %s", error)

    async def _show(self, text: str) -> None:
        html = truncate_html(partial_markdown_to_html(text), 4000)
        if not html.strip():
            return
        self._shown = text
        if self._private and self._drafts_work:
            try:
                await self._bot.send_message_draft(
                    self._chat_id, self._draft_id, html, parse_mode=ParseMode.HTML
                )
                return
            except TelegramError as error:
                # Any refusal (a server without drafts, a 5xx, a 400): retrying a failing
                # draft every second helps nobody, so this answer goes on in one edited message.
                logger.debug("Draft refused, streaming by edits instead: %s", error)
                self._drafts_work = False
                self._interval = PRIVATE_EDIT_INTERVAL
        try:
            if self._message is None:
                self._message = await self._bot.send_message(
                    self._chat_id, html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                )
            else:
                await self._message.edit_text(
                    html, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                )
        except TelegramError as error:
            logger.debug("Streaming update failed: %s", error)
