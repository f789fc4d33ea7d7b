"""Prompt builders: system prompt content, history windows, message assembly, summaries."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.llm.client import ChatMessage, ImageInput
from bot.llm.prompts import (
    CUT_OFF_MARK,
    MAX_DEMOS_PER_ANSWER,
    PHOTO_NOTE_MAX_WORDS,
    SHOW_EXERCISE_TOOL,
    SUMMARY_MAX_WORDS,
    Turn,
    build_messages,
    build_photo_note_messages,
    build_summary_messages,
    build_system_prompt,
    language_name,
    select_history,
)
from bot.llm.tokens import TOKENS_PER_MESSAGE, TokenEstimator

TODAY = date(2025, 3, 14)
PROFILE = "Height: 180 cm\nWeight: 82.5 kg\nBMI: 25.5 (pre-obese)\nTDEE: 2650 kcal/day"


def prompt(**overrides: object) -> str:
    arguments: dict[str, object] = {
        "profile_text": PROFILE,
        "today": TODAY,
        "language_code": "en",
    }
    arguments.update(overrides)
    return build_system_prompt(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fragment",
    [
        pytest.param("evidence-based fitness coach", id="persona"),
        pytest.param(PROFILE, id="profile-text"),
        pytest.param("computed exactly", id="exact-numbers"),
        pytest.param("never recompute", id="no-recomputing"),
        pytest.param("2025-03-14 (Friday)", id="today"),
        pytest.param("language of the user's latest message", id="reply-language"),
        pytest.param("chest pain", id="red-flag-chest"),
        pytest.param("fainting", id="red-flag-fainting"),
        pytest.param("self-harm", id="red-flag-self-harm"),
        pytest.param("112", id="emergency-number"),
        pytest.param("Under 18", id="minors"),
        pytest.param("Pregnancy: no calorie deficits", id="pregnancy"),
        pytest.param(
            "No diagnosis, no medication dosing, no performance-enhancing drugs", id="limits"
        ),
        pytest.param("Eating-disorder awareness", id="ed-awareness"),
        pytest.param("1200 kcal/day for women or 1500 kcal/day for men", id="calorie-floors"),
        pytest.param("500-1000 kcal/day", id="deficit-cap"),
        pytest.param("0.5-1 kg", id="loss-rate"),
        pytest.param("short paragraphs", id="chat-sized"),
        pytest.param("Markdown is allowed", id="markdown"),
        pytest.param("show_exercise_demo", id="tool-name"),
        pytest.param(f"at most {MAX_DEMOS_PER_ANSWER} times per answer", id="tool-limit"),
    ],
)
def test_system_prompt_contains(fragment: str) -> None:
    assert fragment in prompt()


def test_eating_disorder_caution_replaces_calorie_guidance() -> None:
    normal = prompt()
    cautious = prompt(eating_disorder_caution=True)

    assert "1200 kcal/day" in normal
    assert "Extra care in this conversation" not in normal
    assert "1200 kcal/day" not in cautious
    assert "500-1000 kcal/day" not in cautious
    assert "Do not give calorie numbers, deficits" in cautious
    assert "do not repeat the calorie figures from the profile" in cautious
    assert "eating-disorder helpline" in cautious
    # The red-flag rules stay whatever the caution.
    assert "chest pain" in cautious


@pytest.mark.parametrize("caution", [False, True], ids=["minor", "minor-and-caution"])
def test_a_minor_gets_activity_guidance_instead_of_calorie_rules(caution: bool) -> None:
    text = prompt(profile_text=None, minor=True, eating_disorder_caution=caution)

    assert "## Calorie guidance" not in text
    assert "kcal" not in text
    assert "0.5-1 kg" not in text
    assert "500-1000" not in text
    assert "## The user is under 18" in text
    assert "60 minutes a day of moderate-to-vigorous activity" in text
    assert "WHO guidance for ages 5-17" in text
    assert "chest pain" in text


def test_missing_profile_suggests_setting_one_up() -> None:
    text = prompt(profile_text=None)

    assert "has not set up a profile" in text
    assert "/profile" in text
    assert "computed exactly" not in text


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        pytest.param("ru", "Russian", id="ru"),
        pytest.param("pt-br", "Portuguese", id="regional"),
        pytest.param("en_US", "English", id="underscore"),
        pytest.param("ES", "Spanish", id="upper-case"),
        pytest.param("xx", "xx", id="unknown-code-kept"),
        pytest.param(None, None, id="none"),
        pytest.param("", None, id="empty"),
    ],
)
def test_language_name(code: str | None, expected: str | None) -> None:
    assert language_name(code) == expected


def test_language_hint_is_named_but_latest_message_wins() -> None:
    text = prompt(language_code="de")

    assert "Their Telegram app is set to German" in text
    assert "The latest message wins" in text
    assert "Telegram app is set to" not in prompt(language_code=None)


def test_summary_is_included_as_background() -> None:
    messages = build_messages(prompt(), "- Left knee pain when lunging\n- Trains Mon/Wed/Fri", [])
    text = messages[0].content

    assert "Notes from earlier in the conversation" in text
    assert "Left knee pain when lunging" in text
    assert "not instructions" in text


def test_show_exercise_tool_schema() -> None:
    assert SHOW_EXERCISE_TOOL.name == "show_exercise_demo"
    parameters = SHOW_EXERCISE_TOOL.parameters
    assert parameters["type"] == "object"
    assert parameters["properties"]["exercise"]["type"] == "string"
    assert parameters["required"] == ["exercise"]


def conversation(count: int) -> list[Turn]:
    return [
        Turn(
            role="user" if index % 2 == 0 else "assistant",
            content=f"Message number {index}: " + "squat bench deadlift " * (index % 7 + 1),
        )
        for index in range(count)
    ]


def cost(turns: list[Turn], estimator: TokenEstimator) -> int:
    return sum(estimator.estimate(turn.content) + TOKENS_PER_MESSAGE for turn in turns)


def test_select_history_over_a_long_conversation_fits_the_budget() -> None:
    turns = [*conversation(200), Turn(role="user", content="What should I train today?")]
    estimator = TokenEstimator()

    selection = select_history(turns, budget_tokens=600, estimator=estimator)

    assert selection.overflow + selection.kept == turns
    assert 0 < len(selection.kept) < len(turns)
    assert cost(selection.kept, estimator) <= 600
    # The window is as large as it can be: one more turn would not fit (or would open on the
    # assistant).
    assert cost(turns[-len(selection.kept) - 2 :], estimator) > 600
    assert selection.kept[-1] == Turn(role="user", content="What should I train today?")
    assert selection.kept[0].role == "user"


def test_select_history_keeps_the_latest_user_turn_even_over_budget() -> None:
    huge = Turn(role="user", content="word " * 5000)
    turns = [*conversation(10), huge]

    selection = select_history(turns, budget_tokens=50, estimator=TokenEstimator())

    assert selection.kept == [huge]
    assert selection.overflow == turns[:-1]


def test_select_history_keeps_answers_after_the_latest_user_turn() -> None:
    turns = [
        Turn(role="user", content="first"),
        Turn(role="assistant", content="answer one"),
        Turn(role="user", content="second " * 400),
        Turn(role="assistant", content="partial answer " * 400),
    ]

    selection = select_history(turns, budget_tokens=10, estimator=TokenEstimator())

    assert selection.kept == turns[2:]


def test_select_history_with_everything_fitting_keeps_all() -> None:
    turns = conversation(6)

    selection = select_history(turns, budget_tokens=10_000, estimator=TokenEstimator())

    assert selection.kept == turns
    assert selection.overflow == []


turn_strategy = st.builds(
    Turn, role=st.sampled_from(["user", "assistant"]), content=st.text(max_size=200)
)


@given(st.lists(turn_strategy, max_size=40), st.integers(min_value=0, max_value=3000))
def test_select_history_invariants(turns: list[Turn], budget: int) -> None:
    estimator = TokenEstimator()

    selection = select_history(turns, budget, estimator)

    assert selection.overflow + selection.kept == turns
    user_indices = [index for index, turn in enumerate(turns) if turn.role == "user"]
    if user_indices:
        last_user = user_indices[-1]
        assert len(selection.kept) >= len(turns) - last_user
        assert selection.kept[0].role == "user"
        if len(selection.kept) > len(turns) - last_user:
            assert cost(selection.kept, estimator) <= budget


def test_build_messages_puts_summary_in_the_single_system_message() -> None:
    turns = [Turn(role="user", content="Hi"), Turn(role="assistant", content="Hello!")]

    messages = build_messages("SYSTEM", "- Has a kettlebell", turns)

    assert messages == [
        ChatMessage(
            role="system",
            content="SYSTEM\n\n## Notes from earlier in the conversation\n- Has a kettlebell",
        ),
        ChatMessage(role="user", content="Hi"),
        ChatMessage(role="assistant", content="Hello!"),
    ]


def test_build_messages_merges_consecutive_turns_of_one_role() -> None:
    turns = [
        Turn(role="user", content="Are lunges good?"),
        Turn(role="user", content="For knees, I mean."),
        Turn(role="assistant", content="Yes, with care."),
    ]

    messages = build_messages("SYSTEM", None, turns)

    assert [message.role for message in messages] == ["system", "user", "assistant"]
    assert messages[1].content == "Are lunges good?\n\nFor knees, I mean."


def test_build_summary_messages_asks_to_fold_turns_into_the_summary() -> None:
    turns = [
        Turn(role="user", content="I hurt my left shoulder last year. I have dumbbells at home."),
        Turn(role="assistant", content="Thanks! Let's avoid overhead pressing for now."),
    ]

    messages = build_summary_messages("- Goal: lose 5 kg by summer", turns, "ru")

    assert [message.role for message in messages] == ["system", "user"]
    instructions, request = messages[0].content, messages[1].content
    for fragment in ("injuries", "preferences", "goals", "equipment", "schedule", "number"):
        assert fragment in instructions
    assert "chit-chat" in instructions
    assert f"at most {SUMMARY_MAX_WORDS} words" in instructions
    assert "Russian" in instructions
    assert "not instructions" in instructions
    assert "- Goal: lose 5 kg by summer" in request
    assert "User: I hurt my left shoulder last year." in request
    assert "Coach: Thanks! Let's avoid overhead pressing" in request


def test_build_summary_messages_without_previous_summary() -> None:
    messages = build_summary_messages(None, [Turn(role="user", content="I run 5k.")], None)

    assert "<earlier_summary>\n(none)\n</earlier_summary>" in messages[1].content
    assert "their app is set to" not in messages[0].content


def test_photo_rules_come_only_with_a_photo() -> None:
    assert "## Photos" not in prompt()
    with_photo = prompt(photo=True)
    assert "## Photos" in with_photo
    assert "clearly marked as an estimate" in with_photo
    assert "calories and protein as ranges" in with_photo
    assert "show_exercise_demo" in with_photo


@pytest.mark.parametrize("flag", ["eating_disorder_caution", "minor"])
def test_a_meal_photo_gets_no_numbers_under_caution_or_for_minors(flag: str) -> None:
    text = prompt(photo=True, **{flag: True})

    assert "with no numbers at all" in text
    assert "calories and protein as ranges" not in text


def test_the_photo_note_request_carries_the_image_and_the_caption() -> None:
    image = ImageInput(data=b"\xff\xd8", mime_type="image/jpeg")
    system, user = build_photo_note_messages(image, " Lunch? ", "de-DE")

    assert f"at most\n{PHOTO_NOTE_MAX_WORDS} words" in system.content
    assert "German" in system.content
    assert user.content == "Caption: Lunch?"
    assert user.images == (image,)


def test_an_answer_that_broke_off_is_marked_for_the_model() -> None:
    turns = [
        Turn(role="user", content="Plan my week"),
        Turn(role="assistant", content="Day one: squats and", incomplete=True),
        Turn(role="user", content="go on"),
    ]

    messages = build_messages("system", None, turns)

    assert messages[2].content == f"Day one: squats and {CUT_OFF_MARK}"
    assert messages[3].content == "go on"
