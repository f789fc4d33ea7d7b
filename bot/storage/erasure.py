"""What /forget deletes: the one list of tables that hold rows about a user, and their deletion.

A new table that stores anything about a user (a column naming them, or a link to a row of
theirs) gets one entry here; tests/storage/test_erasure.py fails until it has one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.storage.models import (
    Base,
    BodyMeasurement,
    Broadcast,
    BroadcastDelivery,
    CheckInRow,
    Conversation,
    ConversationSummary,
    DailyUsage,
    InboxUpdate,
    Message,
    ReminderRow,
    TrainingPlan,
    User,
    WorkoutSet,
)


@dataclass(frozen=True)
class UserOwned:
    """A table with rows about users, and which of its rows belong to one user."""

    model: type[Base]
    rows_of: Callable[[int], ColumnElement[bool]]

    @property
    def table(self) -> str:
        return str(self.model.__tablename__)


def _conversations_of(user_id: int) -> ColumnElement[bool]:
    return ConversationSummary.conversation_id.in_(
        select(Conversation.id).where(Conversation.user_id == user_id)
    )


def _deliveries_of(user_id: int) -> ColumnElement[bool]:
    # Their own copies, and every copy of a broadcast they wrote as an admin.
    written = select(Broadcast.id).where(Broadcast.admin_id == user_id)
    return or_(BroadcastDelivery.user_id == user_id, BroadcastDelivery.broadcast_id.in_(written))


#: Deleted in this order, children first, so nothing depends on ON DELETE CASCADE (which SQLite
#: applies only with its foreign_keys pragma on).
USER_OWNED: tuple[UserOwned, ...] = (
    UserOwned(ConversationSummary, _conversations_of),
    UserOwned(Message, lambda user_id: Message.user_id == user_id),
    UserOwned(Conversation, lambda user_id: Conversation.user_id == user_id),
    UserOwned(DailyUsage, lambda user_id: DailyUsage.user_id == user_id),
    UserOwned(TrainingPlan, lambda user_id: TrainingPlan.user_id == user_id),
    UserOwned(ReminderRow, lambda user_id: ReminderRow.user_id == user_id),
    UserOwned(CheckInRow, lambda user_id: CheckInRow.user_id == user_id),
    UserOwned(WorkoutSet, lambda user_id: WorkoutSet.user_id == user_id),
    UserOwned(BodyMeasurement, lambda user_id: BodyMeasurement.user_id == user_id),
    UserOwned(BroadcastDelivery, _deliveries_of),
    # An admin's broadcasts hold what they wrote and their chat; one still sending stops.
    UserOwned(Broadcast, lambda user_id: Broadcast.admin_id == user_id),
    # Updates received from them (the /forget being answered too: finishing it finds no row).
    UserOwned(
        InboxUpdate,
        lambda user_id: or_(InboxUpdate.user_id == user_id, InboxUpdate.chat_id == user_id),
    ),
    UserOwned(User, lambda user_id: User.id == user_id),
)

USER_OWNED_TABLES: tuple[str, ...] = tuple(entry.table for entry in USER_OWNED)


async def delete_user_rows(session: AsyncSession, user_id: int) -> bool:
    """Delete every row about the user from every table in USER_OWNED; True if they were known."""
    known = False
    for entry in USER_OWNED:
        result = await session.execute(
            delete(entry.model)
            .where(entry.rows_of(user_id))
            .execution_options(synchronize_session=False)
        )
        if entry.model is User:
            known = bool(getattr(result, "rowcount", 0))
    return known
