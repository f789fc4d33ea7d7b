"""The training log's rendering: compact set phrases, button data packed in one place."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.profile import UnitSystem
from bot.domain.training import LoggedSet
from bot.domain.units import KG_PER_LB
from bot.handlers.training import ButtonAction, TrainingButton, sets_text

WHEN = datetime(2026, 3, 1, tzinfo=UTC)
METRIC = UnitSystem.METRIC


def _sets(*specs: tuple[int | None, float | None]) -> list[LoggedSet]:
    return [LoggedSet("Squat", WHEN, reps=reps, weight_kg=kg) for reps, kg in specs]


@pytest.mark.parametrize(
    ("sets", "units", "shown"),
    [
        (_sets(*[(5, 100.0)] * 5), UnitSystem.METRIC, "5×5 @ 100 kg"),
        (_sets((5, 100.0), (5, 100.0), (3, 110.0)), METRIC, "2×5 @ 100 kg, 1×3 @ 110 kg"),
        (_sets((5, 100.0), (5, 100.0), (4, 100.0)), UnitSystem.METRIC, "2×5, 4 @ 100 kg"),
        (_sets((10, None), (8, None)), UnitSystem.METRIC, "10, 8"),
        (_sets(*[(5, 225 * KG_PER_LB)] * 3), UnitSystem.IMPERIAL, "3×5 @ 225 lb"),
        ([LoggedSet("Run", WHEN, distance_m=5000, duration_s=1650)], METRIC, "5 km 27:30"),
        ([LoggedSet("Plank", WHEN, duration_s=60)] * 3, UnitSystem.METRIC, "3×1:00"),
    ],
)
def test_sets_read_as_one_compact_phrase(
    sets: list[LoggedSet], units: UnitSystem, shown: str
) -> None:
    assert sets_text(sets, units) == shown


def test_button_data_round_trips_and_foreign_data_is_refused() -> None:
    button = TrainingButton(ButtonAction.UNDO, "0123456789abcdef0123456789abcdef")
    assert len(button.pack().encode()) <= 64
    assert TrainingButton.unpack(button.pack()) == button
    assert TrainingButton.unpack("tl:d:42") == TrainingButton(ButtonAction.DELETE, "42")
    for foreign in (None, "", "ex:x:squat", "tl:z:1", "tl:u:"):
        assert TrainingButton.unpack(foreign) is None
