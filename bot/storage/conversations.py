"""Repository functions for conversations, their messages and rolling summaries."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Conversation, ConversationSummary, Message


async def current_conversation(session: AsyncSession, user_id: int) -> Conversation:
    """The user's open conversation, started now if they have none."""
    conversation = await session.scalar(
        select(Conversation)
        .where(Conversation.user_id == user_id, Conversation.ended_at.is_(None))
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    if conversation is None:
        conversation = Conversation(user_id=user_id)
        session.add(conversation)
        await session.flush()
    return conversation


async def start_new_conversation(session: AsyncSession, user_id: int) -> Conversation:
    """End the open conversation (it stays for /export) and open a fresh one."""
    await session.execute(
        update(Conversation)
        .where(Conversation.user_id == user_id, Conversation.ended_at.is_(None))
        .values(ended_at=datetime.now(UTC))
    )
    conversation = Conversation(user_id=user_id)
    session.add(conversation)
    await session.flush()
    return conversation


async def add_message(
    session: AsyncSession,
    *,
    user_id: int,
    conversation_id: int,
    role: str,
    content: str,
    token_estimate: int = 0,
) -> Message:
    message = Message(
        user_id=user_id,
        conversation_id=conversation_id,
        role=role,
        content=content,
        token_estimate=token_estimate,
    )
    session.add(message)
    await session.flush()
    return message


async def messages_after(
    session: AsyncSession, conversation_id: int, after_id: int = 0
) -> list[Message]:
    """Messages of a conversation newer than ``after_id``, oldest first."""
    rows = await session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.id > after_id)
        .order_by(Message.id)
    )
    return list(rows)


async def latest_summary(session: AsyncSession, conversation_id: int) -> ConversationSummary | None:
    return await session.scalar(
        select(ConversationSummary)
        .where(ConversationSummary.conversation_id == conversation_id)
        .order_by(ConversationSummary.id.desc())
        .limit(1)
    )


async def save_summary(
    session: AsyncSession,
    *,
    conversation_id: int,
    content: str,
    covers_through_message_id: int,
    token_estimate: int,
) -> ConversationSummary:
    summary = ConversationSummary(
        conversation_id=conversation_id,
        content=content,
        covers_through_message_id=covers_through_message_id,
        token_estimate=token_estimate,
    )
    session.add(summary)
    await session.flush()
    return summary


async def conversations_of(session: AsyncSession, user_id: int) -> list[Conversation]:
    rows = await session.scalars(
        select(Conversation).where(Conversation.user_id == user_id).order_by(Conversation.id)
    )
    return list(rows)


async def messages_of(session: AsyncSession, user_id: int) -> list[Message]:
    rows = await session.scalars(
        select(Message).where(Message.user_id == user_id).order_by(Message.id)
    )
    return list(rows)


async def summaries_of(session: AsyncSession, user_id: int) -> list[ConversationSummary]:
    rows = await session.scalars(
        select(ConversationSummary)
        .join(Conversation, Conversation.id == ConversationSummary.conversation_id)
        .where(Conversation.user_id == user_id)
        .order_by(ConversationSummary.id)
    )
    return list(rows)
