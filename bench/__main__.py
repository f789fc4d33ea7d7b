"""`python -m bench [--quick] [--only NAME ...] [--profile]`: run the benchmarks, print, save."""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import pstats
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# PTB 22 reports RetryAfter.retry_after as a timedelta with this set, as the bot runs it.
os.environ.setdefault("PTB_TIMEDELTA", "true")

from bench.harness import PROJECT_ROOT
from bench.report import Figure, Results, format_table
from bench.scenarios import SCENARIOS, BenchConfig, run_cost

DEFAULT_JSON = PROJECT_ROOT / "bench" / "results.json"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description="FitCoach benchmarks against a bare relay bot"
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(SCENARIOS),
        metavar="NAME",
        help=f"run only these scenarios: {', '.join(SCENARIOS)}",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        help=f"where to write the figures ({DEFAULT_JSON})",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run scenario 1 with both bots under cProfile and print where their time goes",
    )
    return parser


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


async def run(config: BenchConfig, names: Sequence[str]) -> Results:
    """Run the named scenarios in order; a failing scenario is reported and the rest go on."""
    results = Results(quick=config.quick)
    began = time.monotonic()
    for name in names:
        _log(f"bench: {name}...")
        started = time.monotonic()
        try:
            outcome = await SCENARIOS[name](config)
        except Exception as exc:
            _log(traceback.format_exc())
            results.add([Figure(name, "failed", None, "", met=False, detail=str(exc)[:200])])
            results.notes.append(f"{name} failed: {exc}")
            continue
        results.add(outcome.figures)
        results.series.update(outcome.series)
        results.notes.extend(outcome.notes)
        _log(f"bench: {name} took {time.monotonic() - started:.1f} s")
    results.duration_seconds = time.monotonic() - began
    return results


def _package(filename: str, function: str) -> str:
    """Where a profiled function lives: a third-party package, a FitCoach module, the stdlib."""
    if filename == "~":
        # "<built-in method builtins.isinstance>", "<method 'group' of 're.Match' objects>"
        name = function.removeprefix("<built-in method ").removeprefix("<").rstrip(">")
        return f"built-in {name.removesuffix(' objects')}"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0]
    root = f"{PROJECT_ROOT}/"
    if filename.startswith(root):
        return filename.removeprefix(root)
    return "stdlib " + Path(filename).parent.name + "/" + Path(filename).name


def own_time_by_package(stats: pstats.Stats, top: int = 25) -> str:
    """Own (not cumulative) CPU time summed per package: robust to coroutines and greenlets."""
    totals: dict[str, float] = {}
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, function), entry in raw.items():
        key = _package(filename, function)
        totals[key] = totals.get(key, 0.0) + float(entry[2])
    total = sum(totals.values()) or 1.0
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)[:top]
    lines = [f"{seconds:8.3f} s {seconds / total:6.1%}  {key}" for key, seconds in ranked]
    return "own time by package:\n" + "\n".join(lines) + "\n"


async def profile(config: BenchConfig, keep: Path, top: int = 30) -> str:
    """Scenario 1 with each bot profiled (main-thread CPU) after its warm-up message."""
    sections = []
    for kind in ("relay", "coach"):
        path = keep / f"{kind}.prof"
        path.unlink(missing_ok=True)
        outcome = await run_cost(kind, config, profile_to=path)
        stream = io.StringIO()
        stats = pstats.Stats(str(path), stream=stream)
        stream.write(
            f"===== {kind}: {outcome.cpu_per_message * 1000:.1f} ms CPU per message under the "
            f"profiler (slower than without); statistics in {path} =====\n"
        )
        stream.write(own_time_by_package(stats))
        stats.sort_stats("tottime").print_stats(top)
        sections.append(stream.getvalue())
    return "\n".join(sections)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fitcoach-bench-") as workdir:
        config = BenchConfig.create(Path(workdir), quick=args.quick)
        if args.profile:
            keep = Path(tempfile.gettempdir()) / "fitcoach-bench-profile"
            keep.mkdir(parents=True, exist_ok=True)
            print(asyncio.run(profile(config, keep)))
            return 0
        names = args.only or list(SCENARIOS)
        results = asyncio.run(run(config, names))
    print(format_table(results.figures))
    for note in results.notes:
        print(f"- {note}")
    missed = results.missed
    print(
        f"\n{len(results.figures)} figures in {results.duration_seconds:.0f} s; "
        + (f"{len(missed)} target(s) missed." if missed else "every target met.")
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    results.write_json(args.json)
    print(f"Figures written to {args.json}")
    failed = any(figure.name == "failed" for figure in results.figures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
