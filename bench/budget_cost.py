"""What the sandbox's CPU budget and size guards cost: the 1,000-cycle flat-cost loop with the
budget off and on, alternately, in one process (engine/budget.py). Target (issue 10): at most
10 % slower."""
from __future__ import annotations

import contextlib
import statistics
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine_loop import LoopRun
from engine import budget


def _loop_ms(cycles: int) -> list[float]:
    run = LoopRun()
    try:
        return [run.step("doorgaan") for _ in range(cycles)]
    finally:
        run.close()


@contextlib.contextmanager
def _without_budget():
    # The sandbox's and the step's only ways into the budget; the size guards stay, since
    # they are part of the compiled scripts.
    with mock.patch.object(budget, "run", lambda function, *args: function(*args)), \
            mock.patch.object(budget, "step_budget", lambda seconds=0: contextlib.nullcontext()), \
            mock.patch.object(budget, "check", lambda: None):
        yield


def main(cycles: int = 1000, rounds: int = 2) -> dict:
    off, on = [], []
    for _ in range(rounds):  # alternately, so a machine that speeds up or slows down hurts both
        with _without_budget():
            off += _loop_ms(cycles)
        on += _loop_ms(cycles)
    result = {"off_ms": statistics.median(off), "on_ms": statistics.median(on),
              "off_total_s": sum(off) / 1000 / rounds, "on_total_s": sum(on) / 1000 / rounds}
    result["ratio"] = result["on_ms"] / result["off_ms"]
    print(f"sandbox budget cost, engine on SQLite, {cycles} cycles x {rounds} rounds each way")
    print(f"  median step, budget off:  {result['off_ms']:6.2f} ms ({result['off_total_s']:.2f} s per {cycles} cycles)")
    print(f"  median step, budget on:   {result['on_ms']:6.2f} ms ({result['on_total_s']:.2f} s per {cycles} cycles)")
    print(f"  on / off:                 {result['ratio']:6.3f}  (target <= 1.10)")
    return result


if __name__ == "__main__":
    main()
