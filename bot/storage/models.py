"""SQLAlchemy models: users with their profile in SI units, conversations, messages, summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.text.control import strip_control

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that reads back aware on SQLite too (it stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if value is not None and dialect.name == "sqlite":
            # SQLite compares timestamps as text: store every value in one zone and format.
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class CleanText(TypeDecorator[str]):
    """Text written by people or models: control characters (NUL first) are dropped on write.

    Stripping here, in the column type, covers every path that stores such text (typed
    messages, captions, transcripts, photo notes, names, summaries, broadcasts) without each
    remembering to; PostgreSQL refuses a NUL in text and would lose the whole write.
    """

    impl = Text
    cache_ok = True

    def __init__(self, length: int | None = None) -> None:
        super().__init__()
        self.impl = String(length) if length is not None else Text()  # type: ignore[assignment]

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else strip_control(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}  # noqa: RUF012 (read by SQLAlchemy)


def table_of(model: type[Base]) -> Table:
    """The model's table, for statements built once and run with parameters (SQLAlchemy types
    ``__table__`` as any FromClause)."""
    return cast(Table, model.__table__)


class User(Base):
    """A Telegram user who has written to the bot, with their profile in SI units."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    first_name: Mapped[str | None] = mapped_column(CleanText(256))
    last_name: Mapped[str | None] = mapped_column(CleanText(256))
    username: Mapped[str | None] = mapped_column(CleanText(64))
    language_code: Mapped[str | None] = mapped_column(String(16))
    # The language the user chose with /language; it beats their app's language_code.
    language: Mapped[str | None] = mapped_column(String(8))
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    height_cm: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    age: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(16))
    units: Mapped[str] = mapped_column(String(16), default="metric", server_default="metric")
    # Whether the user picked their units (/units, units=, the button) rather than the default.
    units_chosen: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    goal: Mapped[str | None] = mapped_column(String(32))
    activity: Mapped[str | None] = mapped_column(String(32))
    waist_cm: Mapped[float | None] = mapped_column(Float)
    bmi_scale: Mapped[str] = mapped_column(
        String(16), default="standard", server_default="standard"
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    last_seen_at: Mapped[datetime | None] = mapped_column()
    blocked_at: Mapped[datetime | None] = mapped_column()
    # IANA name (Europe/Berlin); reminders fire at local times in it.
    timezone: Mapped[str | None] = mapped_column(String(64))

    conversations: Mapped[list[Conversation]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class Conversation(Base):
    """One thread of coaching; /reset ends it and starts another, the old ones stay."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # The group chat this conversation is in; NULL for the private chat with the bot. A group's
    # turns never enter the private conversation, nor the private history a group's prompt.
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(server_default=func.now())
    ended_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship(back_populates="conversations")


class Message(Base):
    """One stored turn: what a user wrote or what the coach answered."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("conversations.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(16))
    content: Mapped[str] = mapped_column(CleanText())
    # How the user sent it: typed "text", a "voice" note (content: its transcript, empty when
    # it could not be transcribed) or a "photo" (content: the model's short description).
    kind: Mapped[str] = mapped_column(String(16), default="text", server_default="text")
    token_estimate: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    # An answer that broke off (a cut stream, the length limit): never a whole answer.
    incomplete: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ConversationSummary(Base):
    """The rolling summary of a conversation's older turns, up to and including a message id."""

    __tablename__ = "conversation_summaries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    content: Mapped[str] = mapped_column(CleanText())
    covers_through_message_id: Mapped[int] = mapped_column(Integer)
    token_estimate: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class DailyUsage(Base):
    """Model tokens one user spent on one day (UTC), from the servers' `usage` reports, and
    how many messages the user sent the bot that day (every kind: text, commands, media)."""

    __tablename__ = "daily_usage"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    requests: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    voice_seconds: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    images: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    messages: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Broadcast(Base):
    """One admin message to every reachable user: a draft until confirmed, then sent by one worker.

    ``owner`` and ``lease_expires_at`` form a lease: only the instance holding an unexpired
    lease sends, so several bot instances never send the same broadcast twice.
    """

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    admin_id: Mapped[int] = mapped_column(BigInteger)
    admin_chat_id: Mapped[int] = mapped_column(BigInteger)
    # Either HTML text, or a message to copy (with its media and formatting).
    text_html: Mapped[str | None] = mapped_column(CleanText())
    source_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    source_message_id: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="draft", server_default="draft")
    total: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    panel_message_id: Mapped[int | None] = mapped_column(Integer)
    owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class BroadcastDelivery(Base):
    """One recipient of a broadcast; its state is committed as soon as the send is answered."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (Index("ix_broadcast_deliveries_broadcast_id_state", "broadcast_id", "state"),)

    broadcast_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    state: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column()


class CatalogExercise(Base):
    """One exercise of the catalog: seeded from the packaged file or added by an importer.

    ``data`` holds the catalog entry without its media, as JSON text; media live in
    ``exercise_media``. Names an importer found are kept apart in ``extra_aliases``, so a
    changed catalog file replaces ``data`` without losing them.
    """

    __tablename__ = "exercises"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    data: Mapped[str] = mapped_column(Text)
    extra_aliases: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    # "catalog" (the packaged file), "wger" or "free-exercise-db".
    origin: Mapped[str] = mapped_column(String(32))
    # Hash of the file's entry when last seeded: an unchanged entry is left as it is.
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class ExerciseMedia(Base):
    """One demo of an exercise (by URL, Telegram file_id or packaged file) with its licence and
    author.

    ``telegram_file_id`` caches the id Telegram gave the first send by URL or upload;
    ``failing_at`` marks an item Telegram refused, which is skipped from then on.
    """

    __tablename__ = "exercise_media"
    __table_args__ = (
        # Unique indexes rather than constraints: NULLs never collide, so a URL item and a
        # file_id item of the same exercise each stay unique in their own column.
        Index("uq_exercise_media_exercise_slug_url", "exercise_slug", "url", unique=True),
        Index("uq_exercise_media_exercise_slug_file_id", "exercise_slug", "file_id", unique=True),
        Index("uq_exercise_media_exercise_slug_file", "exercise_slug", "file", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    exercise_slug: Mapped[str] = mapped_column(
        String(80), ForeignKey("exercises.slug", ondelete="CASCADE", onupdate="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str | None] = mapped_column(String(2048))
    file_id: Mapped[str | None] = mapped_column(String(256))
    # A demo shipped in the package: a path relative to bot/catalog/data.
    file: Mapped[str | None] = mapped_column(String(512))
    license: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(256))
    source_page: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(String(256))
    # "catalog", "admin", "wger" or "free-exercise-db"; seeding touches "catalog" rows only.
    origin: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    telegram_file_id: Mapped[str | None] = mapped_column(String(256))
    failing_at: Mapped[datetime | None] = mapped_column()
    failure: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class TrainingPlan(Base):
    """A weekly plan as JSON: proposed to the user, then accepted (one at a time) or retired."""

    __tablename__ = "training_plans"
    __table_args__ = (Index("ix_training_plans_user_id_status", "user_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    # "proposed", "accepted" or "retired".
    status: Mapped[str] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text)
    preferences: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    accepted_at: Mapped[datetime | None] = mapped_column()


class ReminderRow(Base):
    """One reminder of a user at a local time, and when it is next due (UTC).

    ``owner`` and ``lease_expires_at`` form a lease like the broadcasts': the instance that
    claimed a due reminder sends it; another takes it over only once the lease expired.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        Index("uq_reminders_user_id_kind", "user_id", "kind", unique=True),
        Index("ix_reminders_next_due_at", "next_due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    # Weekday numbers, Monday = 0, comma-separated ("0,2,4").
    weekdays: Mapped[str] = mapped_column(String(16))
    local_time: Mapped[str] = mapped_column(String(5))
    next_due_at: Mapped[datetime] = mapped_column()
    owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    last_sent_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class CheckInRow(Base):
    """One answer to the weekly check-in: how the week's training felt."""

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    answer: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class InboxUpdate(Base):
    """A Telegram update as received, written before it is acknowledged.

    Workers of every instance take updates from here: per chat in ``update_id`` order, one at a
    time (``owner`` and ``lease_expires_at`` form the lease). A finished update keeps its row
    without its content for a day, so a redelivery of it is recognised and ignored.
    """

    __tablename__ = "update_inbox"
    __table_args__ = (
        # The claim query looks for the oldest unfinished update of each chat.
        Index(
            "ix_update_inbox_pending",
            "chat_id",
            "update_id",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
    )

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # The chat whose order the update keeps (its user for chat-less updates); NULL: no order.
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # The update's JSON; emptied when it is done (only the id is needed to spot a redelivery).
    payload: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())
    done_at: Mapped[datetime | None] = mapped_column(index=True)


class WorkoutSet(Base):
    """One logged set, in SI units; the sets of one /log message (or tool call) share a batch.

    ``exercise_slug`` is the catalog exercise the name resolved to (None for a free name; no
    foreign key, so a catalog change never loses a log); ``exercise_name`` is shown to the user.
    """

    __tablename__ = "workout_sets"
    __table_args__ = (
        Index("ix_workout_sets_user_id_performed_at", "user_id", "performed_at"),
        Index("ix_workout_sets_user_id_batch_id", "user_id", "batch_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    batch_id: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    exercise_slug: Mapped[str | None] = mapped_column(String(80))
    exercise_name: Mapped[str] = mapped_column(String(200))
    reps: Mapped[int | None] = mapped_column(Integer)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    rir: Mapped[float | None] = mapped_column(Float)
    rpe: Mapped[float | None] = mapped_column(Float)
    duration_s: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    performed_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class BodyMeasurement(Base):
    """One weigh-in (and maybe the waist) per user and date; a later one that day replaces it."""

    __tablename__ = "body_measurements"

    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    measured_on: Mapped[date] = mapped_column(Date, primary_key=True)
    weight_kg: Mapped[float] = mapped_column(Float)
    waist_cm: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
