"""Benchmark figures: what was measured, against which target, printed as a table and as JSON."""

from __future__ import annotations

import json
import math
import os
import platform
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Figure",
    "Results",
    "format_table",
    "format_value",
    "percentile",
]


@dataclass(frozen=True)
class Figure:
    """One measured number, its target in words and whether it meets it (None: no target)."""

    scenario: str
    name: str
    value: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    #: Shown after the value: a breakdown or the reference it was compared with.
    detail: str = ""

    @property
    def shown(self) -> str:
        """The value with its unit and detail, as the table prints it."""
        text = format_value(self.value, self.unit)
        return f"{text} ({self.detail})" if self.detail else text


def format_value(value: float | None, unit: str) -> str:
    """``12.3 ms``, ``1.42 s``, ``25.0 /s``; ``n/a`` for a figure that could not be measured."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit == "s" and abs(value) < 1:
        # Tenths of a millisecond matter for CPU per message, not for waits of a second.
        return f"{value * 1000:.1f} ms" if abs(value) < 0.1 else f"{value * 1000:.0f} ms"
    if unit in ("s", "/s", "x", "requests"):
        return f"{value:.2f} {unit}" if unit != "x" else f"{value:.2f}x"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.1f} MB"
    if unit in ("tokens", "chars", "count"):
        return f"{value:,.0f}" + ("" if unit == "count" else f" {unit}")
    return f"{value:g} {unit}".strip()


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile (0.5 is the median) with linear interpolation."""
    if not values:
        return math.nan
    if len(values) == 1:
        return float(values[0])
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _met_word(met: bool | None) -> str:
    return {True: "yes", False: "NO", None: "-"}[met]


def format_table(figures: Iterable[Figure]) -> str:
    """A plain-text table ``figure | value | target | met?``, one block per scenario."""
    rows: list[tuple[str, str, str, str]] = []
    scenario = None
    for figure in figures:
        if figure.scenario != scenario:
            scenario = figure.scenario
            rows.append((f"[{scenario}]", "", "", ""))
        rows.append((f"  {figure.name}", figure.shown, figure.target, _met_word(figure.met)))
    header = ("figure", "value", "target", "met?")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]

    def line(cells: tuple[str, str, str, str]) -> str:
        return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)]).rstrip()


@dataclass
class Results:
    """Every figure of one run plus the raw series behind some of them."""

    quick: bool
    figures: list[Figure] = field(default_factory=list)
    series: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    duration_seconds: float = 0.0

    def add(self, figures: Iterable[Figure]) -> None:
        self.figures.extend(figures)

    @property
    def missed(self) -> list[Figure]:
        return [figure for figure in self.figures if figure.met is False]

    def to_json(self) -> dict[str, Any]:
        return {
            "quick": self.quick,
            "duration_seconds": round(self.duration_seconds, 1),
            "environment": {
                "python": sys.version.split()[0],
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
            },
            "figures": [asdict(figure) for figure in self.figures],
            "series": self.series,
            "notes": self.notes,
        }

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")
