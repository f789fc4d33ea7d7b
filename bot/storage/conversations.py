"""Repository functions for conversations, their messages and rolling summaries.

Callers own the transaction; rows go out as the domain's Conversation, Message and Summary.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert
from sqlalchemy.sql.elements import ColumnElement

from bot.domain.conversations import Conversation, Message, MessageKind, Summary
from bot.storage.models import Conversation as ConversationRow
from bot.storage.models import ConversationSummary as SummaryRow
from bot.storage.models import Message as MessageRow
from bot.storage.models import table_of


def _in_chat(chat_id: int | None) -> ColumnElement[bool]:
    if chat_id is None:
        return ConversationRow.chat_id.is_(None)
    return ConversationRow.chat_id == chat_id


async def current_conversation(
    session: AsyncSession, user_id: int, chat_id: int | None = None
) -> Conversation:
    """The user's open conversation in a group (``chat_id``) or in private (None), started now
    if they have none there."""
    row = (
        await session.execute(
            _open_conversation_statement(in_group=chat_id is not None),
            {"user_id_": user_id, "chat_id_": chat_id},
        )
    ).first()
    if row is None:
        return await _open(session, user_id, chat_id)
    return _conversation(row)


# The reads of every turn are built once and run with parameters (building a statement cost
# about a third of running it), and select the tables' columns rather than mapped objects:
# plain rows map to the domain at less than half the CPU of loading ORM objects.
_CONVERSATIONS = table_of(ConversationRow)
_MESSAGES = table_of(MessageRow)
_SUMMARIES = table_of(SummaryRow)


@functools.cache
def _open_conversation_statement(*, in_group: bool) -> Select[Any]:
    columns = _CONVERSATIONS.c
    chat = columns.chat_id == bindparam("chat_id_") if in_group else columns.chat_id.is_(None)
    return (
        select(_CONVERSATIONS)
        .where(columns.user_id == bindparam("user_id_"), chat, columns.ended_at.is_(None))
        .order_by(columns.id.desc())
        .limit(1)
    )


@functools.cache
def _messages_after_statement() -> Select[Any]:
    columns = _MESSAGES.c
    return (
        select(_MESSAGES)
        .where(
            columns.conversation_id == bindparam("conversation_id_"),
            columns.id > bindparam("after_id_"),
        )
        .order_by(columns.id)
    )


@functools.cache
def _latest_summary_statement() -> Select[Any]:
    columns = _SUMMARIES.c
    return (
        select(_SUMMARIES)
        .where(columns.conversation_id == bindparam("conversation_id_"))
        .order_by(columns.id.desc())
        .limit(1)
    )


async def start_new_conversation(
    session: AsyncSession, user_id: int, chat_id: int | None = None
) -> Conversation:
    """End the open conversation there (it stays for /export) and open a fresh one."""
    await session.execute(
        update(ConversationRow)
        .where(
            ConversationRow.user_id == user_id,
            _in_chat(chat_id),
            ConversationRow.ended_at.is_(None),
        )
        .values(ended_at=datetime.now(UTC))
    )
    return await _open(session, user_id, chat_id)


async def _open(session: AsyncSession, user_id: int, chat_id: int | None) -> Conversation:
    # Timestamps set here rather than by the server, so the new row maps without a re-read.
    row = ConversationRow(user_id=user_id, chat_id=chat_id, started_at=datetime.now(UTC))
    session.add(row)
    await session.flush()
    return _conversation(row)


async def add_message(
    session: AsyncSession,
    *,
    user_id: int,
    conversation_id: int,
    role: str,
    content: str,
    token_estimate: int = 0,
    kind: MessageKind = "text",
    incomplete: bool = False,
) -> Message:
    created_at = datetime.now(UTC)
    message_id = (
        await session.execute(
            _add_message_statement(),
            {
                "user_id_": user_id,
                "conversation_id_": conversation_id,
                "role_": role,
                "content_": content,
                "kind_": kind,
                "token_estimate_": token_estimate,
                "incomplete_": incomplete,
                "created_at_": created_at,
            },
        )
    ).scalar_one()
    return Message(
        id=message_id,
        user_id=user_id,
        conversation_id=conversation_id,
        role=role,
        content=content,
        created_at=created_at,
        token_estimate=token_estimate,
        kind=kind,
        incomplete=incomplete,
    )


@functools.cache
def _add_message_statement() -> ReturningInsert[int]:
    # Two rows a turn: a prebuilt insert with RETURNING costs a fraction of the session's
    # add-and-flush (its unit of work). The table, not the mapped class: executed with
    # parameters, an ORM insert would be a bulk insert.
    columns = (
        "user_id",
        "conversation_id",
        "role",
        "content",
        "kind",
        "token_estimate",
        "incomplete",
        "created_at",
    )
    return (
        insert(_MESSAGES)
        .values({name: bindparam(f"{name}_") for name in columns})
        .returning(_MESSAGES.c.id)
    )


async def messages_after(
    session: AsyncSession, conversation_id: int, after_id: int = 0
) -> list[Message]:
    """Messages of a conversation newer than ``after_id``, oldest first."""
    result = await session.execute(
        _messages_after_statement(), {"conversation_id_": conversation_id, "after_id_": after_id}
    )
    return [_message(row) for row in result]


async def latest_summary(session: AsyncSession, conversation_id: int) -> Summary | None:
    result = await session.execute(
        _latest_summary_statement(), {"conversation_id_": conversation_id}
    )
    row = result.first()
    return None if row is None else _summary(row)


async def save_summary(
    session: AsyncSession,
    *,
    conversation_id: int,
    content: str,
    covers_through_message_id: int,
    token_estimate: int,
) -> Summary:
    row = SummaryRow(
        conversation_id=conversation_id,
        content=content,
        covers_through_message_id=covers_through_message_id,
        token_estimate=token_estimate,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    await session.flush()
    return _summary(row)


async def conversations_of(session: AsyncSession, user_id: int) -> list[Conversation]:
    rows = await session.scalars(
        select(ConversationRow)
        .where(ConversationRow.user_id == user_id)
        .order_by(ConversationRow.id)
    )
    return [_conversation(row) for row in rows]


async def messages_of(session: AsyncSession, user_id: int) -> list[Message]:
    rows = await session.scalars(
        select(MessageRow).where(MessageRow.user_id == user_id).order_by(MessageRow.id)
    )
    return [_message(row) for row in rows]


async def summaries_of(session: AsyncSession, user_id: int) -> list[Summary]:
    rows = await session.scalars(
        select(SummaryRow)
        .join(ConversationRow, ConversationRow.id == SummaryRow.conversation_id)
        .where(ConversationRow.user_id == user_id)
        .order_by(SummaryRow.id)
    )
    return [_summary(row) for row in rows]


# --- rows to domain objects -------------------------------------------------------------------


def _conversation(row: ConversationRow | Row[Any]) -> Conversation:
    return Conversation(
        id=row.id,
        user_id=row.user_id,
        started_at=row.started_at,
        ended_at=row.ended_at,
        chat_id=row.chat_id,
    )


def _message(row: MessageRow | Row[Any]) -> Message:
    return Message(
        id=row.id,
        user_id=row.user_id,
        conversation_id=row.conversation_id,
        role=row.role,
        content=row.content,
        created_at=row.created_at,
        token_estimate=row.token_estimate,
        kind=_KINDS.get(row.kind, "text"),
        incomplete=row.incomplete,
    )


_KINDS: dict[str, MessageKind] = {"text": "text", "voice": "voice", "photo": "photo"}


def _summary(row: SummaryRow | Row[Any]) -> Summary:
    return Summary(
        id=row.id,
        conversation_id=row.conversation_id,
        content=row.content,
        covers_through_message_id=row.covers_through_message_id,
        created_at=row.created_at,
        token_estimate=row.token_estimate,
    )
