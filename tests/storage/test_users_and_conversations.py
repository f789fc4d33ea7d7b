"""Repository functions on both databases: upsert, cascade delete, conversations and summaries."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.conversations import MessageKind
from bot.domain.profile import Activity, BmiScale, Goal, Profile, Sex, UnitSystem
from bot.storage import Database, users
from bot.storage import conversations as convo


async def test_upsert_inserts_then_updates(database: Database) -> None:
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=10, first_name="Ann", language_code="en")
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=10, first_name="Anna", language_code="de")
    async with database.transaction() as session:
        user = await users.get_user(session, 10)
        assert user is not None
        assert (user.first_name, user.language_code) == ("Anna", "de")
        assert user.profile == Profile()
        assert user.created_at is not None
        assert user.created_at.tzinfo is not None


async def test_a_user_who_writes_is_no_longer_blocked(database: Database) -> None:
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=11, first_name="Bo")
        await users.mark_blocked(session, 11, datetime(2026, 1, 1, tzinfo=UTC))
    async with database.transaction() as session:
        user = await users.get_user(session, 11)
        assert user is not None
        assert user.blocked_at == datetime(2026, 1, 1, tzinfo=UTC)
        await users.upsert_user(session, user_id=11, first_name="Bo")
    async with database.transaction() as session:
        user = await users.get_user(session, 11)
        assert user is not None
        assert user.blocked_at is None


async def test_delete_user_cascades_to_everything(database: Database) -> None:
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=12, first_name="Cy")
        conversation = await convo.current_conversation(session, 12)
        message = await convo.add_message(
            session, user_id=12, conversation_id=conversation.id, role="user", content="hi"
        )
        await convo.save_summary(
            session,
            conversation_id=conversation.id,
            content="likes squats",
            covers_through_message_id=message.id,
            token_estimate=3,
        )
    async with database.transaction() as session:
        assert await users.delete_user(session, 12)
    async with database.transaction() as session:
        assert await users.get_user(session, 12) is None
        assert await convo.messages_of(session, 12) == []
        assert await convo.conversations_of(session, 12) == []
        assert await convo.summaries_of(session, 12) == []


async def test_new_conversation_keeps_the_old_one(database: Database) -> None:
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=13, first_name="Di")
        first = await convo.current_conversation(session, 13)
        await convo.add_message(
            session, user_id=13, conversation_id=first.id, role="user", content="one"
        )
        second = await convo.start_new_conversation(session, 13)
        await convo.add_message(
            session, user_id=13, conversation_id=second.id, role="user", content="two"
        )
    async with database.transaction() as session:
        current = await convo.current_conversation(session, 13)
        assert current.id == second.id != first.id
        assert [m.content for m in await convo.messages_after(session, current.id)] == ["two"]
        assert [c.id for c in await convo.conversations_of(session, 13)] == [first.id, second.id]
        assert len(await convo.messages_of(session, 13)) == 2


async def test_a_saved_profile_reads_back_equal(database: Database) -> None:
    profile = Profile(
        height_cm=180.0,
        weight_kg=80.0,
        age=35,
        sex=Sex.FEMALE,
        units=UnitSystem.IMPERIAL,
        goal=Goal.STRENGTH,
        activity=Activity.MODERATE,
        waist_cm=81.0,
        bmi_scale=BmiScale.ASIAN,
    )
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=14, first_name="Ed")
        await users.save_profile(session, 14, profile)
    async with database.transaction() as session:
        assert await users.get_profile(session, 14) == profile
        assert await users.get_profile(session, 99) is None
        user = await users.get_user(session, 14)
        assert user is not None
        assert user.profile == profile


async def test_daily_usage_adds_up_per_user_and_day(database: Database) -> None:
    from datetime import date

    from bot.storage import usage

    day = date(2026, 11, 24)
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=15, first_name="Fay")
        await users.upsert_user(session, user_id=16, first_name="Gus")
        await usage.add_usage(session, user_id=15, day=day, prompt_tokens=100, completion_tokens=20)
        await usage.add_usage(session, user_id=15, day=day, prompt_tokens=50, completion_tokens=5)
        await usage.add_usage(session, user_id=16, day=day, prompt_tokens=7, completion_tokens=3)
    async with database.transaction() as session:
        assert await usage.tokens_used(session, 15, day) == 175
        assert [row.requests for row in await usage.usage_of(session, 15)] == [2]


async def test_voice_seconds_and_images_add_up_and_count_as_tokens(database: Database) -> None:
    from datetime import date

    from bot.domain.users import TOKENS_PER_IMAGE, TOKENS_PER_VOICE_SECOND
    from bot.storage import stats, usage

    day = date(2026, 11, 25)
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=17, first_name="Hal")
        await usage.add_usage(session, user_id=17, day=day, voice_seconds=12)
        await usage.add_usage(session, user_id=17, day=day, images=1, prompt_tokens=40)
        await usage.add_usage(session, user_id=17, day=day, voice_seconds=3)
    async with database.transaction() as session:
        expected = 40 + 15 * TOKENS_PER_VOICE_SECOND + TOKENS_PER_IMAGE
        assert await usage.tokens_used(session, 17, day) == expected
        [row] = await usage.usage_of(session, 17)
        assert (row.voice_seconds, row.images, row.requests) == (15, 1, 3)
        assert await stats.media_on_day(session, day) == (15, 1)
        assert await stats.media_on_day(session, date(2026, 11, 26)) == (0, 0)


async def test_a_message_keeps_how_it_was_sent(database: Database) -> None:
    async with database.transaction() as session:
        await users.upsert_user(session, user_id=18, first_name="Ida")
        conversation = await convo.current_conversation(session, 18)
        sent: list[tuple[MessageKind, str]] = [
            ("voice", "Three sets?"),
            ("photo", "[Photo] A barbell"),
            ("voice", ""),
        ]
        for kind, content in sent:
            await convo.add_message(
                session,
                user_id=18,
                conversation_id=conversation.id,
                role="user",
                content=content,
                kind=kind,
            )
        await convo.add_message(
            session, user_id=18, conversation_id=conversation.id, role="assistant", content="Yes"
        )
    async with database.transaction() as session:
        stored = await convo.messages_of(session, 18)
    assert [(m.kind, m.content) for m in stored] == [
        ("voice", "Three sets?"),
        ("photo", "[Photo] A barbell"),
        ("voice", ""),
        ("text", "Yes"),
    ]
