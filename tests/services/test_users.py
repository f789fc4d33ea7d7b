"""UserService on a real database: profiles all-or-nothing, export and erasure."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest

from bot.domain.profile import Profile, Sex, UnitSystem
from bot.errors import UserInputError
from bot.services.users import COUNT_FLUSH_SECONDS, UserInfo, UserService
from bot.storage import Database
from bot.storage import conversations as conversation_rows
from bot.storage import usage as usage_rows
from bot.storage import users as user_rows
from tests.factories import add_users, profile

ANN = UserInfo(user_id=601, first_name="Ann", language_code="de", chat_id=601)


async def test_a_stranger_has_an_empty_profile(database: Database) -> None:
    assert await UserService(database).profile(999) == Profile()


async def test_profile_arguments_are_saved_in_si_units(database: Database) -> None:
    service = UserService(database)
    updated = (
        await service.update_profile(ANN, "units=imperial height=5'11\" weight=180 lb")
    ).profile
    assert updated.units is UnitSystem.IMPERIAL
    assert updated.height_cm == pytest.approx(180.34)
    assert updated.weight_kg == pytest.approx(81.65, abs=0.01)
    assert await service.profile(ANN.user_id) == updated


async def test_a_bad_argument_changes_nothing(database: Database) -> None:
    await add_users(database, [ANN.user_id], profile=profile())
    service = UserService(database)
    with pytest.raises(UserInputError):
        await service.update_profile(ANN, "weight=70kg age=7")
    assert await service.profile(ANN.user_id) == profile()


async def test_one_answer_of_the_guided_flow_sets_one_field(database: Database) -> None:
    service = UserService(database)
    updated = (await service.set_field(ANN, "sex", "female")).profile
    assert updated == Profile(sex=Sex.FEMALE)
    assert await service.profile(ANN.user_id) == updated


async def test_record_stores_names_and_the_private_chat(database: Database) -> None:
    await UserService(database).record(ANN)
    async with database.transaction() as session:
        user = await user_rows.get_user(session, ANN.user_id)
    assert user is not None
    assert (user.first_name, user.language_code, user.chat_id) == ("Ann", "de", 601)


async def test_export_holds_the_profile_and_the_conversation(database: Database) -> None:
    await add_users(database, [ANN.user_id], profile=profile(sex=Sex.FEMALE))
    async with database.transaction() as session:
        conversation = await conversation_rows.current_conversation(session, ANN.user_id)
        await conversation_rows.add_message(
            session, user_id=ANN.user_id, conversation_id=conversation.id, role="user", content="hi"
        )
    document = await UserService(database).export(ANN.user_id)
    json.dumps(document)  # JSON-ready as it is
    assert document["user"]["profile"]["sex"] == "female"
    assert document["user"]["profile"]["height_cm"] == 180.0
    assert [m["content"] for m in document["conversations"][0]["messages"]] == ["hi"]


async def test_forget_erases_the_user(database: Database) -> None:
    await add_users(database, [ANN.user_id], profile=profile())
    service = UserService(database)
    assert await service.forget(ANN.user_id)
    assert await service.profile(ANN.user_id) == Profile()
    assert (await service.export(ANN.user_id))["user"] is None
    assert not await service.forget(ANN.user_id)


async def test_message_counts_are_written_together_and_only_for_users_on_record(
    database: Database,
) -> None:
    await add_users(database, [ANN.user_id, 602])
    service = UserService(database)
    day = date(2026, 3, 2)
    for _ in range(3):
        await service.count_message(ANN.user_id, day)
    await service.count_message(602, day)
    await service.count_message(777, day)  # never recorded: nothing to count against
    assert await _messages(database, ANN.user_id, day) == 0  # not written yet
    await service.forget(602)  # what is waiting for a forgotten user goes with them
    await service.flush_counts()
    assert await _messages(database, ANN.user_id, day) == 3
    assert await _messages(database, 777, day) == 0
    await service.count_message(ANN.user_id, day)
    await service.aclose()  # stopping writes what still waits
    assert await _messages(database, ANN.user_id, day) == 4


async def test_message_counts_are_written_a_moment_later_on_their_own(database: Database) -> None:
    await add_users(database, [ANN.user_id])
    service = UserService(database)
    day = date(2026, 3, 2)
    await service.count_message(ANN.user_id, day)
    await asyncio.sleep(COUNT_FLUSH_SECONDS + 0.5)
    assert await _messages(database, ANN.user_id, day) == 1


async def _messages(database: Database, user_id: int, day: date) -> int:
    async with database.transaction() as session:
        rows = await usage_rows.usage_of(session, user_id)
    return sum(row.messages for row in rows if row.day == day)


async def test_message_counts_not_written_are_kept_for_the_next_write(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await add_users(database, [ANN.user_id])
    service = UserService(database)
    day = date(2026, 3, 2)
    await service.count_message(ANN.user_id, day)
    written = usage_rows.add_message

    async def refused(*args: object, **kwargs: object) -> None:
        raise ConnectionError("database gone for a moment")

    monkeypatch.setattr(usage_rows, "add_message", refused)
    with pytest.raises(ConnectionError):
        await service.flush_counts()
    monkeypatch.setattr(usage_rows, "add_message", written)
    await service.count_message(ANN.user_id, day)
    await service.flush_counts()
    assert await _messages(database, ANN.user_id, day) == 2
