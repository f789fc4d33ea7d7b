"""Free text goes to the coach; other kinds of messages get a short helpful answer."""

from __future__ import annotations

import logging
from dataclasses import replace

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden

from bot.handlers import plans, profile_flow, reminders, training
from bot.handlers.context import Context
from bot.handlers.exercises import send_demos
from bot.handlers.render import StreamingReply
from bot.handlers.users import (
    LANGUAGE_KEY,
    addressed_to_bot,
    language_of,
    remembered_language,
    user_info,
)
from bot.i18n import t
from bot.services.coach import ChatRequest
from bot.services.training import LogResult

logger = logging.getLogger(__name__)


async def chat(update: Update, context: Context) -> None:
    """Answer free text as the coach, streaming the answer and then the demos."""
    message = update.effective_message
    if message is None or message.text is None or update.effective_user is None:
        return
    if await profile_flow.take_typed_answer(update, context):
        return
    if await plans.take_typed_answer(update, context):
        return
    if await reminders.take_typed_answer(update, context):
        return
    if not addressed_to_bot(message, context.bot.username, context.bot.id):
        return
    text = message.text
    if context.bot.username:
        text = text.replace(f"@{context.bot.username}", "").strip() or text
    await answer_as_coach(context, message, ChatRequest(user=user_info(update), text=text))


async def answer_as_coach(context: Context, message: Message, request: ChatRequest) -> None:
    """Stream the coach's answer to ``request`` into the chat of ``message``, then the demos."""
    private = message.chat.type == ChatType.PRIVATE
    chosen = context.user_state.get(LANGUAGE_KEY)
    async with StreamingReply(
        context.bot, message.chat_id, private=private, draft_id=message.message_id
    ) as stream:
        if request.language is None and chosen is not None:
            request = replace(request, language=chosen)
        reply = await context.services.coach.reply(request, stream)
        await stream.finish(reply.text)
    language = remembered_language(context)
    for logged in reply.logged:
        await _confirm_logged(context, message, language, logged)
    if reply.demos:
        await send_demos(context, message.chat_id, reply.demos)


async def _confirm_logged(
    context: Context, message: Message, language: str, logged: LogResult
) -> None:
    """Confirm sets the coach logged, with Undo; from a group, in the private chat if open.

    Where the private chat is not open yet, the group gets the line the user's own message
    already told it, with an Undo only they can use.
    """
    html = training.confirmation_html(language, logged, key="training.coach_logged")
    owner = message.from_user.id if message.from_user is not None else None
    if message.chat.type != ChatType.PRIVATE and owner is not None:
        try:
            await context.bot.send_message(
                owner,
                html,
                parse_mode=ParseMode.HTML,
                reply_markup=training.undo_markup(language, logged.batch_id),
            )
            return
        except (Forbidden, BadRequest) as error:
            logger.info("No private chat with user %s yet: %s", owner, type(error).__name__)
    await context.bot.send_message(
        message.chat_id,
        html,
        parse_mode=ParseMode.HTML,
        reply_markup=training.undo_markup(language, logged.batch_id, owner),
    )


async def other_content(update: Update, context: Context) -> None:
    """Answer stickers, locations, videos and files with what to do instead."""
    message = update.effective_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return
    # Telegram duplicates a GIF as a document for old clients, so animations come first.
    kind = next(
        (
            name
            for name in ("animation", "sticker", "location", "video", "document")
            if getattr(message, name, None)
        ),
        "other",
    )
    shown = "video" if kind == "animation" else kind
    await message.reply_text(t(language_of(update, context), f"chat.unsupported.{shown}"))


async def edited(update: Update, context: Context) -> None:
    """Say once that edits are not re-answered (re-answering would fork the conversation)."""
    message = update.edited_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return
    if context.user_state.get("edit_hint_shown"):
        return
    context.user_state["edit_hint_shown"] = True
    text = t(language_of(update, context), "chat.edited")
    await context.bot.send_message(message.chat_id, text, reply_to_message_id=message.message_id)
