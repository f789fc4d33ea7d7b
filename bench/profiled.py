"""`python -m bench.profiled OUT MODULE`: run MODULE as a program and profile a window of it.

The window opens on SIGUSR1 and closes on SIGUSR2, which writes the statistics to OUT. The
clock is the main thread's CPU time, so waiting for the network or the database thread costs
nothing and start-up is left out: what remains is where each message's CPU time goes.
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
import time
from types import FrameType


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit("usage: python -m bench.profiled OUT MODULE")
    out, module = argv
    profiler = cProfile.Profile(time.thread_time)

    def start(signum: int, frame: FrameType | None) -> None:
        profiler.enable()

    def stop(signum: int, frame: FrameType | None) -> None:
        profiler.disable()
        profiler.dump_stats(out)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    sys.argv = [module]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
