"""Progress charts: PNG bytes of the expected size, the same bytes for the same input."""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from bot.charts import body_weight_chart, exercise_chart, weekly_chart
from bot.charts.progress import HEIGHT_PX, WIDTH_PX

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = date(2026, 1, 5)
WEIGHTS = [(START + timedelta(days=i), 82.0 - 0.07 * i + (i % 3) * 0.2) for i in range(60)]
SESSIONS = [(START + timedelta(days=3 * i), 100.0 + 1.25 * i) for i in range(20)]
WEEKS = [
    (START + timedelta(weeks=i), {"Грудь": 10.0 + i % 3, "Спина": 12.0, "Ноги": 8.0})
    for i in range(10)
]

CHARTS: dict[str, Callable[[], bytes]] = {
    "body_weight": lambda: body_weight_chart(
        WEIGHTS,
        title="Вес тела",
        y_label="кг",
        measured_label="Замеры",
        average_label="Среднее за 7 дней",
    ),
    "exercise": lambda: exercise_chart(SESSIONS, title="Kniebeuge: e1RM", y_label="kg"),
    "weekly": lambda: weekly_chart(WEEKS, title="Hard sets per week", y_label="sets"),
    "weekly_one_series": lambda: weekly_chart(
        [(START, {"Sets": 12.0})], title="Sets", y_label="sets", format_date=date.isoformat
    ),
    "single_point": lambda: body_weight_chart(
        [(START, 180.0)], title="Weight", y_label="lb", measured_label="lb", average_label="7d"
    ),
}


@pytest.mark.parametrize("name", CHARTS)
def test_renders_a_png_of_phone_size(name: str) -> None:
    png = CHARTS[name]()
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (WIDTH_PX, HEIGHT_PX) == (1000, 600)


@pytest.mark.parametrize("name", CHARTS)
def test_same_input_same_bytes(name: str) -> None:
    assert CHARTS[name]() == CHARTS[name]()


def test_png_carries_no_software_stamp() -> None:
    assert b"matplotlib" not in CHARTS["exercise"]()


def test_different_input_different_bytes() -> None:
    other = exercise_chart(SESSIONS[:-1], title="Kniebeuge: e1RM", y_label="kg")
    assert other != CHARTS["exercise"]()


@pytest.mark.parametrize(
    "draw",
    [
        lambda: body_weight_chart([], title="", y_label="", measured_label="", average_label=""),
        lambda: exercise_chart([], title="", y_label=""),
        lambda: weekly_chart([], title="", y_label=""),
    ],
)
def test_nothing_to_draw_is_refused(draw: Callable[[], bytes]) -> None:
    with pytest.raises(ValueError, match="at least one point"):
        draw()


def test_importing_charts_does_not_import_matplotlib() -> None:
    code = "import sys, bot.charts; sys.exit('matplotlib' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60, cwd=root)
