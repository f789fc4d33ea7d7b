"""CoachService with the OpenAI fake and a real database: memory, folding, retries, tools."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.catalog.loader import load_catalog
from bot.catalog.lookup import LookupResult, find_exercise
from bot.domain.exercises import Catalog, Exercise
from bot.llm.client import ChatModel, ImageInput
from bot.services.coach import ChatRequest, CoachReply, CoachService
from bot.services.training import TrainingService
from bot.services.users import UserInfo
from bot.storage import Database
from bot.storage import conversations as conversation_rows
from bot.storage import training as training_rows
from tests.factories import exercise
from tests.fakes.openai import FakeOpenAI, Reply, ToolCall, context_length_error

USER = UserInfo(user_id=501, first_name="Ann", language_code="en", chat_id=501)
BENCH = exercise("barbell-bench-press", "Barbell bench press", primary_muscles=["chest"])
FILLER = "Today I did squats, rows and presses, then stretched for a while. " * 4


class Sink:
    """Keeps every partial text the coach streamed."""

    def __init__(self) -> None:
        self.partials: list[str] = []

    async def partial(self, text: str) -> None:
        self.partials.append(text)


class Finder:
    """A one-exercise catalog."""

    def find(self, name: str) -> Exercise | None:
        return BENCH if "bench" in name.lower() else None

    def mentioned(self, text: str, limit: int) -> list[Exercise]:
        return [BENCH][:limit] if "bench press" in text.lower() else []


class Exercises:
    """The packaged catalog, for the training log."""

    def __init__(self) -> None:
        self.catalog: Catalog = load_catalog()

    def lookup(self, query: str) -> LookupResult:
        return find_exercise(self.catalog, query)


BENCH_SETS = ToolCall(
    name="log_workout",
    arguments={"exercise": "bench press", "sets": [{"reps": 5, "weight": 80, "unit": "kg"}] * 3},
)


async def stored_sets(database: Database) -> int:
    async with database.transaction() as session:
        return len(await training_rows.sets_of(session, USER.user_id))


@pytest.fixture
async def model(fake_openai: FakeOpenAI) -> AsyncIterator[ChatModel]:
    chat_model = ChatModel(
        api_key="sk-test", base_url=fake_openai.base_url, model="fake-model", timeout=5
    )
    try:
        yield chat_model
    finally:
        await chat_model.aclose()


@pytest.fixture
def make_coach(database: Database, model: ChatModel) -> Callable[..., CoachService]:
    def build(**options: Any) -> CoachService:
        return CoachService(database, model, **options)

    return build


async def ask(coach: CoachService, text: str) -> CoachReply:
    return await coach.reply(ChatRequest(user=USER, text=text), Sink())


def streamed(fake: FakeOpenAI) -> list[Any]:
    return [request for request in fake.requests if request.stream]


async def test_both_sides_of_the_conversation_are_stored(
    database: Database, make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    coach = make_coach()
    sink = Sink()
    reply = await coach.reply(ChatRequest(user=USER, text="Hello coach"), sink)
    assert reply.text == "Echo: Hello coach"
    assert sink.partials[-1] == "Echo: Hello coach"
    async with database.transaction() as session:
        stored = await conversation_rows.messages_of(session, USER.user_id)
    assert [(m.role, m.content) for m in stored] == [
        ("user", "Hello coach"),
        ("assistant", "Echo: Hello coach"),
    ]


async def test_old_turns_fold_into_a_summary_the_next_prompt_carries(
    database: Database, make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    def respond(body: dict[str, Any]) -> Reply:
        if body.get("stream"):
            return Reply(text="Noted.")
        return Reply(text="- Allergic to burpees")  # the summary request

    fake_openai.responder = respond
    coach = make_coach(history_budget=400)
    await ask(coach, "I am allergic to burpees. " + FILLER)
    for turn in range(8):
        await ask(coach, f"Turn {turn}. {FILLER}")
    summaries = [request for request in fake_openai.requests if not request.stream]
    assert summaries, "the history outgrew the budget but was never folded"
    assert "allergic to burpees" in json.dumps(summaries[0].messages)
    async with database.transaction() as session:
        conversation = await conversation_rows.current_conversation(session, USER.user_id)
        summary = await conversation_rows.latest_summary(session, conversation.id)
    assert summary is not None
    assert summary.content == "- Allergic to burpees"
    assert "Allergic to burpees" in streamed(fake_openai)[-1].system_text


async def test_a_context_length_error_retries_with_a_shorter_history(
    make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    coach = make_coach(history_budget=1200)
    await ask(coach, "first " * 300)
    fake_openai.fail_next(400, context_length_error())
    reply = await ask(coach, "second")
    assert reply.text == "Echo: second"
    refused, retried = streamed(fake_openai)[-2:]
    assert len(json.dumps(retried.messages)) < len(json.dumps(refused.messages))
    assert retried.user_text == "second"


async def test_a_context_length_error_twice_is_an_apology(
    make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    coach = make_coach()
    fake_openai.fail_next(400, context_length_error(), count=2)
    reply = await ask(coach, "hello")
    assert "Sorry" in reply.text
    assert reply.demos == ()


async def test_the_demo_tool_call_attaches_the_exercise(
    make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(
        Reply(tool_calls=[ToolCall(name="show_exercise_demo", arguments={"exercise": "bench"})]),
        Reply(text="Lower the bar to your chest."),
    )
    coach = make_coach(demos=Finder())
    reply = await ask(coach, "How do I bench?")
    assert reply.demos == (BENCH,)
    assert reply.text == "Lower the bar to your chest."
    first, follow_up = streamed(fake_openai)
    assert first.tools
    assert follow_up.messages[-1]["role"] == "tool"


async def test_without_tool_support_demos_come_from_the_answer_text(
    make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    fake_openai.refuse_tools = True
    fake_openai.script(Reply(text="Try the bench press today."), Reply(text="Again: bench press."))
    coach = make_coach(demos=Finder())
    reply = await ask(coach, "Chest exercise?")
    assert reply.text == "Try the bench press today."
    assert reply.demos == (BENCH,)
    offered = [request for request in fake_openai.requests if request.tools]
    assert len(offered) == 1  # tried once, refused
    again = await ask(coach, "And tomorrow?")
    assert again.demos == (BENCH,)
    assert len([request for request in fake_openai.requests if request.tools]) == 1


async def test_a_photo_turn_goes_to_the_vision_model_and_only_it_carries_the_image(
    make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    vision = ChatModel(
        api_key="sk-test", base_url=fake_openai.base_url, model="vision-model", timeout=5
    )
    try:
        coach = make_coach(vision=vision)
        await ask(coach, "I train at home.")
        image = ImageInput(data=b"\xff\xd8\xff", mime_type="image/jpeg")
        await coach.reply(
            ChatRequest(user=USER, text="[Photo] A kettlebell", kind="photo", image=image),
            Sink(),
        )
        await ask(coach, "How heavy should it be?")
    finally:
        await vision.aclose()

    first, photo, later = fake_openai.requests
    assert [r.model for r in (first, photo, later)] == ["fake-model", "vision-model", "fake-model"]
    assert [len(r.images) for r in (first, photo, later)] == [0, 1, 0]
    assert "## Photos" in photo.system_text
    assert "## Photos" not in later.system_text
    assert "[Photo] A kettlebell" in json.dumps(later.messages)


async def test_eating_disorder_caution_sticks_to_a_meal_photo_after_the_message(
    make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    coach = make_coach()
    await ask(coach, "I only eat 600 kcal a day now.")
    image = ImageInput(data=b"\xff\xd8\xff", mime_type="image/jpeg")

    await coach.reply(
        ChatRequest(user=USER, text="[Photo] A plate of pasta", kind="photo", image=image), Sink()
    )

    photo = fake_openai.requests[-1]
    assert "Extra care in this conversation" in photo.system_text
    assert "with no numbers at all" in photo.system_text
    assert "calories and protein as ranges" not in photo.system_text
    assert "## Calorie guidance" not in photo.system_text


async def test_eating_disorder_caution_sticks_through_the_summary(
    make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    def respond(body: dict[str, Any]) -> Reply:
        if body.get("stream"):
            return Reply(text="Noted.")
        return Reply(text="- Says they make themselves throw up after dinner")

    fake_openai.responder = respond
    coach = make_coach(history_budget=400)
    await ask(coach, "I make myself throw up after dinner. " + FILLER)
    for turn in range(8):
        await ask(coach, f"Turn {turn}. {FILLER}")

    last = streamed(fake_openai)[-1]
    assert "throw up" not in json.dumps(last.messages[1:])  # only the summary remembers it
    assert "Extra care in this conversation" in last.system_text


async def test_a_conversation_without_signs_keeps_the_calorie_guidance(
    make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    coach = make_coach()
    await ask(coach, "I ate 2200 kcal yesterday.")
    await ask(coach, "What should I eat after training?")

    assert "## Calorie guidance" in fake_openai.requests[-1].system_text


async def test_a_model_that_refuses_images_answers_plainly_and_keeps_the_note(
    make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI, database: Database
) -> None:
    fake_openai.refuse_images = True
    coach = make_coach()
    image = ImageInput(data=b"\xff\xd8\xff", mime_type="image/jpeg")

    reply = await coach.reply(
        ChatRequest(user=USER, text="[Photo]\nMy squat", kind="photo", image=image), Sink()
    )

    assert reply.text.startswith("This model can't see photos")
    assert len(fake_openai.requests) == 1
    async with database.transaction() as session:
        [stored] = await conversation_rows.messages_of(session, USER.user_id)
    assert (stored.kind, stored.content) == ("photo", "[Photo]\nMy squat")


async def test_sets_logged_before_an_empty_answer_are_not_saved_again_on_the_retry(
    database: Database, make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(
        Reply(tool_calls=[BENCH_SETS]),
        Reply(text=""),  # the follow-up comes back empty: the turn is tried again
        Reply(tool_calls=[BENCH_SETS]),  # a model that calls it anyway is not obeyed
        Reply(text="Nice work on the bench!"),
    )
    coach = make_coach(training=TrainingService(database, Exercises()))

    reply = await ask(coach, "I benched 3x5 at 80 kg")

    assert reply.text == "Nice work on the bench!"
    [batch] = reply.logged
    assert len(batch.exercises[0].sets) == 3
    assert await stored_sets(database) == 3
    first, _, retry, follow_up = streamed(fake_openai)
    assert "log_workout" in json.dumps(first.tools)
    assert "log_workout" not in json.dumps(retry.tools)
    assert "not saved again" in follow_up.messages[-1]["content"]


async def test_sets_logged_before_a_failed_answer_come_back_with_the_apology(
    database: Database, make_coach: Callable[..., CoachService], fake_openai: FakeOpenAI
) -> None:
    fake_openai.script(
        Reply(tool_calls=[BENCH_SETS]),
        # The follow-up fails, its retries too.
        *[Reply(stream_error={"error": {"message": "overloaded", "type": "server_error"}})] * 3,
    )
    coach = make_coach(training=TrainingService(database, Exercises()))

    reply = await ask(coach, "I benched 3x5 at 80 kg")

    assert "Sorry" in reply.text
    [batch] = reply.logged
    assert batch.exercises[0].name == "Barbell bench press"
    assert await stored_sets(database) == 3
