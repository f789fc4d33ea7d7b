"""Weekly plans from the model's JSON: shape, catalog slugs, fences, order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain.plans import PlanInvalid, PlanPreferences, describe_plan_for_coach, parse_plan

SLUGS = frozenset({"push-up", "plank", "bodyweight-squat"})


def _plan(**changes: Any) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "days": [
            {
                "weekday": "thu",
                "focus": "Legs",
                "exercises": [
                    {"slug": "bodyweight-squat", "sets": 3, "reps": 15, "rest_seconds": 60}
                ],
            },
            {
                "weekday": "mon",
                "focus": "Push",
                "exercises": [
                    {"slug": "push-up", "sets": 3, "reps": 10, "rest_seconds": 60},
                    {"slug": "plank", "sets": 3, "seconds": 30, "rest_seconds": 45},
                ],
            },
        ],
        "progression": "Add a rep a week.",
    }
    plan.update(changes)
    return plan


def test_a_valid_plan_is_read_and_put_in_week_order() -> None:
    plan = parse_plan(json.dumps(_plan()), SLUGS)
    assert [d.weekday for d in plan.days] == ["mon", "thu"]
    assert plan.day(0) is not None
    assert plan.day(1) is None
    assert plan.slugs() == ["push-up", "plank", "bodyweight-squat"]


def test_code_fences_around_the_json_are_tolerated() -> None:
    assert parse_plan("```json\n" + json.dumps(_plan()) + "\n```", SLUGS).days


@pytest.mark.parametrize(
    ("plan", "problem"),
    [
        (_plan(days=[]), "days"),
        (_plan(progression=""), "progression"),
        (_plan(extra=1), "extra"),
        (
            _plan(
                days=[
                    {
                        "weekday": "mon",
                        "focus": "x",
                        "exercises": [
                            {
                                "slug": "plank",
                                "sets": 3,
                                "reps": 5,
                                "seconds": 30,
                                "rest_seconds": 9,
                            }
                        ],
                    }
                ]
            ),
            "exactly one of reps or seconds",
        ),
        (
            _plan(
                days=[
                    {
                        "weekday": "funday",
                        "focus": "x",
                        "exercises": [{"slug": "plank", "sets": 3, "reps": 5, "rest_seconds": 9}],
                    }
                ]
            ),
            "weekday",
        ),
    ],
)
def test_a_wrong_shape_names_the_problem(plan: dict[str, Any], problem: str) -> None:
    with pytest.raises(PlanInvalid) as raised:
        parse_plan(json.dumps(plan), SLUGS)
    assert problem in str(raised.value)


def test_an_exercise_outside_the_catalog_is_refused() -> None:
    plan = _plan()
    plan["days"][0]["exercises"][0]["slug"] = "barbell-unicorn"
    with pytest.raises(PlanInvalid) as raised:
        parse_plan(json.dumps(plan), SLUGS)
    assert raised.value.errors == ["slug 'barbell-unicorn' is not in the catalog"]


def test_repeated_weekdays_and_prose_are_refused() -> None:
    plan = _plan()
    plan["days"][1]["weekday"] = "thu"
    with pytest.raises(PlanInvalid, match="each weekday may appear once"):
        parse_plan(json.dumps(plan), SLUGS)
    with pytest.raises(PlanInvalid):
        parse_plan("Here is your plan!", SLUGS)


def test_missing_preferences_are_asked_in_order() -> None:
    assert PlanPreferences().missing == ("days_per_week", "session_minutes", "equipment", "avoid")
    assert PlanPreferences(days_per_week=3, equipment="none").missing == (
        "session_minutes",
        "avoid",
    )


def test_the_coach_sees_one_line_a_day() -> None:
    text = describe_plan_for_coach(parse_plan(json.dumps(_plan()), SLUGS), {"plank": "Plank"})
    assert text.splitlines()[0] == "mon (Push): push-up 3x10, Plank 3x30s"
