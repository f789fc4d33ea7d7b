"""The training log's part of the system prompt: compact, in the user's units, safe."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.domain.training import BodyWeight, LoggedSet, RecentSummary, recent_summary
from bot.llm.prompts import build_system_prompt, describe_training

TODAY = date(2026, 3, 14)


def _summary(exercises: int = 2) -> RecentSummary:
    sets = []
    for day in range(10):
        when = datetime(2026, 3, 1 + day, 18, tzinfo=UTC)
        for n in range(exercises):
            sets.append(LoggedSet(f"Lift {n}", when, f"lift-{n}", reps=5, weight_kg=100.0 + day))
    weights = [BodyWeight(TODAY - timedelta(days=d), 80.0 + d / 10) for d in range(14)]
    return recent_summary(sets, weights, TODAY)


def test_the_summary_names_sessions_exercises_records_and_the_weight_trend() -> None:
    text = describe_training(_summary(), imperial=False)
    assert text.startswith("10 sessions, 20 sets (2026-03-01 to 2026-03-14).")
    assert "- Lift 0: 10 sets on 10 days, best 5 reps @ 109 kg" in text
    assert "PR 2026-03-10: Lift" in text
    assert "Body weight (7-day average)" in text


def test_imperial_users_read_pounds() -> None:
    text = describe_training(_summary(), imperial=True)
    assert "@ 240 lb" in text
    assert " kg" not in text


def test_without_weight_talk_there_is_no_weight_and_no_weigh_in_pressure() -> None:
    text = describe_training(_summary(), imperial=False, weight_talk=False)
    assert "7-day average" not in text
    assert "do not ask for weigh-ins" in text


def test_the_summary_stays_within_its_budget() -> None:
    text = describe_training(_summary(exercises=12), imperial=False)
    assert len(text) <= 800
    assert "and 6 more exercises" in text or len(text.splitlines()) < 12


def test_the_system_prompt_carries_it_only_when_given() -> None:
    common: dict[str, Any] = {"profile_text": None, "today": TODAY, "language_code": "en"}
    assert "training log" not in build_system_prompt(**common)
    prompt = build_system_prompt(**common, training_text="3 sessions")
    assert "## The user's training log, last 14 days" in prompt
