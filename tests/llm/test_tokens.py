"""Token estimates: conservative by script, and calibration that learns from usage safely."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.llm.client import ChatMessage, ToolSpec
from bot.llm.tokens import (
    TOKENS_PER_MESSAGE,
    TOKENS_PER_REPLY,
    TokenEstimator,
    estimate_tokens,
)

ENGLISH = (
    "Squats build the quads and glutes. Keep your chest up, brace your core, and push "
    "the floor away as you stand. Start with three sets of eight reps at a weight you can "
    "control, and add a little each week."
)
RUSSIAN = (
    "Приседания развивают квадрицепсы и ягодицы. Держите грудь поднятой, напрягите корпус "
    "и отталкивайтесь от пола, когда встаёте."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", 0, id="empty"),
        pytest.param("hello", 2, id="one-ascii-word"),
        pytest.param("the", 1, id="short-word"),
        pytest.param("2024", 4, id="digits-one-by-one"),
        pytest.param("müde", 2, id="accented-latin-word"),
        pytest.param("привет", 3, id="cyrillic-word"),
        pytest.param("训练", 3, id="cjk"),
        pytest.param("💪", 2, id="emoji"),
        pytest.param("a\n\nb", 4, id="newlines-count"),
        pytest.param("Hi, coach!", 5, id="punctuation"),
    ],
)
def test_estimate_tokens_table(text: str, expected: int) -> None:
    assert estimate_tokens(text) == expected


def test_english_estimate_is_conservative_but_not_wild() -> None:
    words = len(ENGLISH.split())
    estimate = estimate_tokens(ENGLISH)
    # Real BPE tokenizers give about 1.3 tokens per English word and ~4 characters per token.
    assert estimate >= words * 1.2
    assert estimate <= len(ENGLISH) / 2


def test_cyrillic_costs_more_per_character_than_english() -> None:
    assert estimate_tokens(RUSSIAN) / len(RUSSIAN) > estimate_tokens(ENGLISH) / len(ENGLISH)


@given(st.text(), st.text())
def test_estimate_never_shrinks_when_text_is_appended(head: str, tail: str) -> None:
    assert estimate_tokens(head + tail) >= estimate_tokens(head) >= 0


def test_estimate_messages_adds_overhead_per_message_and_reply() -> None:
    estimator = TokenEstimator()
    messages = [ChatMessage(role="system", content=""), ChatMessage(role="user", content="hello")]

    assert estimator.estimate_messages(messages) == TOKENS_PER_REPLY + 2 * TOKENS_PER_MESSAGE + 2


def test_estimate_messages_counts_tool_definitions() -> None:
    estimator = TokenEstimator()
    messages = [ChatMessage(role="user", content="hello")]
    tool = ToolSpec(
        name="show_exercise_demo",
        description="Show a demo of one exercise.",
        parameters={"type": "object", "properties": {"exercise": {"type": "string"}}},
    )

    without = estimator.estimate_messages(messages)
    with_tool = estimator.estimate_messages(messages, tools=[tool])

    assert with_tool - without > 10


def test_calibration_raises_the_ratio_at_once_when_we_under_estimated() -> None:
    estimator = TokenEstimator()

    estimator.calibrate(estimated=1000, actual_prompt_tokens=1500)

    # Straight to the observed ratio plus the 10 % safety margin.
    assert estimator.ratio == pytest.approx(1.5 * 1.1)
    assert estimator.estimate_messages([ChatMessage(role="user", content=ENGLISH)]) > 0


def test_calibration_lowers_the_ratio_gradually_and_keeps_a_margin() -> None:
    estimator = TokenEstimator()
    ratios = []
    for _ in range(60):
        # Feed back what this estimator would predict for a prompt of 1000 raw tokens.
        predicted = round(1000 * estimator.ratio)
        estimator.calibrate(estimated=predicted, actual_prompt_tokens=600)
        ratios.append(estimator.ratio)

    # Rounding the prediction to whole tokens leaves only tiny wobbles near the end.
    assert all(later <= earlier + 1e-3 for earlier, later in itertools.pairwise(ratios))
    assert ratios[0] > 0.9  # one sample moves it only a little
    # Converges to the observed 0.6 plus the margin, never below it.
    assert ratios[-1] == pytest.approx(0.66, abs=0.01)
    assert min(ratios) >= 0.66 - 1e-3


@pytest.mark.parametrize(
    ("estimated", "actual"),
    [
        pytest.param(10, 500, id="tiny-sample"),
        pytest.param(1000, 0, id="server-reported-zero"),
        pytest.param(1000, -5, id="nonsense"),
    ],
)
def test_calibration_ignores_unreliable_samples(estimated: int, actual: int) -> None:
    estimator = TokenEstimator()

    estimator.calibrate(estimated=estimated, actual_prompt_tokens=actual)

    assert estimator.ratio == 1.0


@pytest.mark.parametrize(
    ("actual", "expected_ratio"),
    [
        pytest.param(100_000, 4.0, id="clamped-high"),
        pytest.param(1, 0.5, id="clamped-low-eventually"),
    ],
)
def test_calibration_is_clamped(actual: int, expected_ratio: float) -> None:
    estimator = TokenEstimator()
    for _ in range(200):
        estimator.calibrate(estimated=round(1000 * estimator.ratio), actual_prompt_tokens=actual)

    assert estimator.ratio == pytest.approx(expected_ratio)


@given(
    st.lists(st.tuples(st.integers(1, 100_000), st.integers(-10, 200_000)), min_size=1, max_size=30)
)
def test_ratio_always_stays_within_bounds(samples: list[tuple[int, int]]) -> None:
    estimator = TokenEstimator()
    for estimated, actual in samples:
        estimator.calibrate(estimated, actual)
        assert 0.5 <= estimator.ratio <= 4.0


@pytest.mark.parametrize(
    "kwargs",
    [{"ratio": 0.1}, {"ratio": 5.0}, {"smoothing": 0.0}, {"min_ratio": 0.0, "ratio": 0.5}],
)
def test_invalid_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        TokenEstimator(**kwargs)  # type: ignore[arg-type]
