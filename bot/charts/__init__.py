"""Progress charts rendered to PNG bytes; matplotlib is imported only when a chart is drawn."""

from __future__ import annotations

from bot.charts.progress import (
    DatePoint,
    bench_chart,
    body_weight_chart,
    exercise_chart,
    weekly_chart,
)

__all__ = ["DatePoint", "bench_chart", "body_weight_chart", "exercise_chart", "weekly_chart"]
