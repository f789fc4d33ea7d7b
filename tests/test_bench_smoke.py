"""The benchmark's parts: figures, the table, the prompt measure, the relay bot on the fakes."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bench.erasure import measure_secure_delete
from bench.report import Figure, Results, format_table, format_value, percentile
from bench.scenarios import (
    ANSWER,
    ANSWER_MARK,
    SUMMARY,
    BenchConfig,
    instant_responder,
    prompt_tokens,
    run_cost,
)
from bot.llm.tokens import TOKENS_PER_MESSAGE, TOKENS_PER_REPLY, estimate_tokens


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.0123, "s", "12.3 ms"),
        (0.2614, "s", "261 ms"),
        (4.432, "s", "4.43 s"),
        (24.336, "/s", "24.34 /s"),
        (2.0, "requests", "2.00 requests"),
        (1.004, "x", "1.00x"),
        (120.06, "MB", "120.1 MB"),
        (5532, "tokens", "5,532 tokens"),
        (21, "count", "21"),
        (None, "s", "n/a"),
        (math.nan, "s", "n/a"),
    ],
)
def test_values_are_shown_with_their_unit(value: float | None, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([3.0], 0.5, 3.0),
        ([1.0, 2.0, 3.0, 4.0], 0.5, 2.5),
        ([4.0, 1.0, 3.0, 2.0], 0.0, 1.0),
        ([4.0, 1.0, 3.0, 2.0], 1.0, 4.0),
        ([0.0, 10.0], 0.9, 9.0),
    ],
)
def test_percentile_interpolates(values: list[float], fraction: float, expected: float) -> None:
    assert percentile(values, fraction) == pytest.approx(expected)


def test_the_table_has_a_block_per_scenario_and_says_what_was_missed() -> None:
    figures = [
        Figure("1. cost", "CPU per message, relay", 0.009, "s"),
        Figure("1. cost", "CPU per message, coach", 0.068, "s", "<= 1.5x relay", False, "7.2x"),
        Figure("5. broadcast", "peak rate", 30.0, "/s", "<= 30/s", True),
    ]
    lines = format_table(figures).splitlines()
    assert [cell.strip() for cell in lines[0].split("|")] == ["figure", "value", "target", "met?"]
    assert lines[2].startswith("[1. cost]")
    assert "68.0 ms (7.2x)" in lines[4]
    assert lines[4].rstrip().endswith("NO")
    assert lines[5].startswith("[5. broadcast]")
    assert lines[6].rstrip().endswith("yes")
    # Every row has the same column boundaries.
    assert len({line.index("|") for line in lines if "|" in line}) == 1
    results = Results(quick=True, figures=figures)
    assert [figure.name for figure in results.missed] == ["CPU per message, coach"]
    assert results.to_json()["figures"][1]["met"] is False


def test_the_fake_model_answers_questions_and_summarises_only_when_asked() -> None:
    question = {"stream": True, "messages": [{"role": "user", "content": "How do I squat?"}]}
    fold = {
        "messages": [
            {"role": "system", "content": "You keep the long-term memory..."},
            {
                "role": "user",
                "content": "<conversation_excerpt>\nUser: hi\n</conversation_excerpt>",
            },
        ]
    }
    assert instant_responder(question).text == ANSWER
    assert instant_responder({**question, "stream": False}).text == ANSWER
    assert instant_responder(fold).text == SUMMARY


def test_prompt_size_counts_every_message_and_its_framing() -> None:
    messages = [
        {"role": "system", "content": "You are a coach."},
        {"role": "user", "content": "How many squats?"},
    ]
    expected = (
        TOKENS_PER_REPLY
        + 2 * TOKENS_PER_MESSAGE
        + estimate_tokens("You are a coach.")
        + estimate_tokens("How many squats?")
    )
    assert prompt_tokens(messages) == expected
    assert prompt_tokens([]) == TOKENS_PER_REPLY


@pytest.mark.timeout(60)
async def test_the_relay_bot_answers_every_message_with_one_request(tmp_path: Path) -> None:
    config = BenchConfig.create(tmp_path, quick=True)
    run = await run_cost("relay", config)
    assert run.answers == config.users * config.messages_per_user
    assert run.off_script == 0
    assert run.requests_per_answer == 1.0
    assert run.counts["messages"] == run.answers
    assert len(run.waits) == run.answers
    assert all(0 < wait < 10 for wait in run.waits)
    assert run.cpu_per_message > 0
    assert ANSWER_MARK in ANSWER


async def test_the_erasure_figures_compare_secure_delete_off_and_on(tmp_path: Path) -> None:
    figures, series = await measure_secure_delete(tmp_path, turns=5)
    assert [figure.name.rsplit(" ", 1)[-1] for figure in figures] == ["off", "on"] * 3
    assert figures[1].name.startswith("store 5 turns")
    assert all(figure.value and figure.value > 0 for figure in figures)
    assert len(series["secure_delete"]["on"]) == len(series["secure_delete"]["off"])
