"""Progress charts as PNG bytes: body weight, an exercise's best per session, weekly volume.

matplotlib's object API on the Agg canvas: no pyplot, no global state, imported inside the
functions so importing this module costs nothing at start-up. The caller passes every text
already translated and every value already in the user's units; this module only draws.
Output is deterministic (no software stamp in the PNG): the same input gives the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from bot.domain.training import moving_average

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "HEIGHT_PX",
    "WIDTH_PX",
    "DatePoint",
    "bench_chart",
    "body_weight_chart",
    "exercise_chart",
    "weekly_chart",
]

DatePoint = tuple[date, float]
DateFormat = Callable[[date], str]

# About the width of a phone screen's photo preview at 2-3x density; fonts sized to stay
# readable when Telegram scales the picture down to the chat's width.
WIDTH_PX = 1000
HEIGHT_PX = 600
_DPI = 100
_TITLE_SIZE = 24
_LABEL_SIZE = 18
_TICK_SIZE = 16
_LEGEND_SIZE = 16
_MAX_DATE_TICKS = 7
# Colour-blind-safe qualitative palette (Okabe & Ito 2008), fixed so colours never depend on
# matplotlib's style state.
_COLOURS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
_GRID = "#d9d9d9"


def _day_month(day: date) -> str:
    return f"{day.day:02d}.{day.month:02d}"


def _new_figure() -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_PX / _DPI, HEIGHT_PX / _DPI), dpi=_DPI)
    # Fixed margins instead of a layout engine: same look, a fraction of the render time.
    fig.subplots_adjust(left=0.125, right=0.975, top=0.88, bottom=0.1)
    ax = fig.add_subplot()
    ax.grid(visible=True, axis="y", color=_GRID, linewidth=1)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=_TICK_SIZE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # Agg is deterministic; the only varying chunk would be the "Software" text.
    # Light compression: level 6 doubles the save time for a file only ~15% smaller.
    fig.savefig(
        buffer,
        format="png",
        dpi=_DPI,
        metadata={"Software": None},
        pil_kwargs={"compress_level": 3},
    )
    return buffer.getvalue()


def _titles(ax: Axes, title: str, y_label: str) -> None:
    ax.set_title(title, fontsize=_TITLE_SIZE, loc="left", pad=14)
    ax.set_ylabel(y_label, fontsize=_LABEL_SIZE)


def _date_axis(ax: Axes, days: Sequence[date], format_date: DateFormat) -> None:
    """Ticks on real dates, at most about seven, labelled by ``format_date``."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    first, last = min(days), max(days)
    span = (last - first).days
    step = max(1, -(-span // (_MAX_DATE_TICKS - 1))) if span else 1
    ticks = [first + timedelta(days=i) for i in range(0, span + 1, step)]
    ax.xaxis.set_major_locator(FixedLocator([d.toordinal() for d in ticks]))
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _pos: format_date(date.fromordinal(round(x))))
    )
    pad = max(1.0, span * 0.03)
    ax.set_xlim(first.toordinal() - pad, last.toordinal() + pad)


def _check(points: Sequence[object]) -> None:
    if not points:
        raise ValueError("a chart needs at least one point")


def body_weight_chart(
    points: Sequence[DatePoint],
    *,
    title: str,
    y_label: str,
    measured_label: str,
    average_label: str,
    format_date: DateFormat = _day_month,
) -> bytes:
    """Body weight over time: each measurement as a dot, the 7-day moving average as a line.

    ``points`` are (date, weight in the user's units); ``format_date`` labels the date ticks
    (default ``31.12``). Raises ValueError when ``points`` is empty.
    """
    _check(points)
    fig, ax = _new_figure()
    ordered = sorted(points)
    days = [d.toordinal() for d, _ in ordered]
    ax.plot(
        days,
        [v for _, v in ordered],
        linestyle="none",
        marker="o",
        markersize=7,
        color=_COLOURS[4],
        label=measured_label,
    )
    average = moving_average(ordered, window_days=7)
    ax.plot(
        [d.toordinal() for d, _ in average],
        [v for _, v in average],
        linewidth=3.5,
        color=_COLOURS[0],
        label=average_label,
    )
    _titles(ax, title, y_label)
    _date_axis(ax, [d for d, _ in ordered], format_date)
    ax.legend(fontsize=_LEGEND_SIZE, frameon=False, loc="upper right")
    return _png(fig)


def exercise_chart(
    points: Sequence[DatePoint],
    *,
    title: str,
    y_label: str,
    format_date: DateFormat = _day_month,
) -> bytes:
    """One exercise's best per session (e1RM or top weight, as the caller chose) over time.

    ``points`` are (session date, value in the user's units); the best value is marked.
    Raises ValueError when ``points`` is empty.
    """
    _check(points)
    fig, ax = _new_figure()
    ordered = sorted(points)
    days = [d.toordinal() for d, _ in ordered]
    values = [v for _, v in ordered]
    ax.plot(days, values, linewidth=3, marker="o", markersize=8, color=_COLOURS[0])
    best = max(range(len(values)), key=lambda i: (values[i], i))
    ax.plot(
        [days[best]], [values[best]], marker="*", markersize=22, color=_COLOURS[1], linestyle=""
    )
    ax.annotate(
        f"{values[best]:.1f}".rstrip("0").rstrip("."),
        (days[best], values[best]),
        textcoords="offset points",
        xytext=(0, 14),
        ha="center",
        fontsize=_LABEL_SIZE,
    )
    ax.margins(y=0.15)
    _titles(ax, title, y_label)
    _date_axis(ax, [d for d, _ in ordered], format_date)
    return _png(fig)


def weekly_chart(
    weeks: Sequence[tuple[date, Mapping[str, float]]],
    *,
    title: str,
    y_label: str,
    format_date: DateFormat = _day_month,
) -> bytes:
    """Weekly bars: one bar per week (labelled by its Monday), stacked by series.

    Each item is (week's Monday, {series label: value}), e.g. hard sets per muscle group with
    translated group names, or a single series such as {"Sets": 14}. Series are stacked
    largest total first and get a legend when there is more than one. Raises ValueError when
    ``weeks`` is empty.
    """
    _check(weeks)
    fig, ax = _new_figure()
    ordered = sorted(weeks, key=lambda item: item[0])
    totals: dict[str, float] = {}
    for _, values in ordered:
        for label, value in values.items():
            totals[label] = totals.get(label, 0.0) + value
    series = sorted(totals, key=lambda label: (-totals[label], label))
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    # One PolyCollection per series: Axes.bar adds a patch per bar, ten times slower.
    half = 0.35
    bottom = [0.0] * len(ordered)
    handles: list[Patch] = []
    for index, label in enumerate(series):
        colour = _COLOURS[index % len(_COLOURS)]
        heights = [values.get(label, 0.0) for _, values in ordered]
        boxes = [
            [(x - half, b), (x - half, b + h), (x + half, b + h), (x + half, b)]
            for x, (b, h) in enumerate(zip(bottom, heights, strict=True))
            if h > 0
        ]
        ax.add_collection(PolyCollection(boxes, facecolors=colour, edgecolors="none"))
        handles.append(Patch(facecolor=colour, label=label))
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    positions = list(range(len(ordered)))
    ax.set_xlim(-0.6, len(ordered) - 0.4)
    ax.set_ylim(0, max(max(bottom), 1.0) * 1.08)
    every = max(1, -(-len(ordered) // 8))
    ax.set_xticks(positions[::every], [format_date(monday) for monday, _ in ordered][::every])
    _titles(ax, title, y_label)
    if len(series) > 1:
        # Headroom above the tallest bar keeps the legend off the bars.
        rows = -(-len(series) // 4)
        ax.set_ylim(0, max(max(bottom), 1.0) * (1.12 + 0.1 * rows))
        ax.legend(handles=handles, fontsize=_LEGEND_SIZE, frameon=False, loc="upper left", ncols=4)
    return _png(fig)


def bench_chart(rounds: int = 10) -> dict[str, float]:
    """Median milliseconds to render each chart once matplotlib is imported (for make bench).

    ``<chart>_ms`` is wall time, ``<chart>_cpu_ms`` this process's CPU time (steadier on a
    busy machine); the first render of all three (imports, font cache) is ``first_ms``.
    """
    import statistics  # pulls in decimal and fractions: only for the benchmark
    import time

    start = date(2026, 1, 5)
    weights = [(start + timedelta(days=i), 80 - i * 0.05 + (i % 3) * 0.3) for i in range(90)]
    sessions = [(start + timedelta(days=3 * i), 100 + i * 0.8) for i in range(30)]
    muscles = ("chest", "back", "legs", "shoulders", "arms")
    volume = [
        (start + timedelta(weeks=i), {m: float(4 + (i + j) % 6) for j, m in enumerate(muscles)})
        for i in range(12)
    ]
    charts: dict[str, Callable[[], bytes]] = {
        "body_weight": lambda: body_weight_chart(
            weights, title="Body weight", y_label="kg", measured_label="kg", average_label="7d"
        ),
        "exercise": lambda: exercise_chart(sessions, title="Squat e1RM", y_label="kg"),
        "weekly": lambda: weekly_chart(volume, title="Hard sets per week", y_label="sets"),
    }
    began = time.perf_counter()
    for draw in charts.values():
        draw()
    results = {"first_ms": (time.perf_counter() - began) * 1000}
    for name, draw in charts.items():
        wall, cpu = [], []
        for _ in range(rounds):
            began, began_cpu = time.perf_counter(), time.process_time()
            draw()
            wall.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        results[f"{name}_ms"] = statistics.median(wall)
        results[f"{name}_cpu_ms"] = statistics.median(cpu)
    return results
