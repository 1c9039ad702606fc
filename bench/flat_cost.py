"""Flat cost: 1,000 zorgoverleg cycles through the engine on SQLite.

Targets (issue 2): all 1,000 cycles complete; median step of cycles 990-1000 at most
1.5 x that of cycles 10-20; stored live state at cycle 1,000 at most 2 x its size at
cycle 10; history shows all 1,000 completions. Plain SpiffWorkflow's figures for the same
process are printed next to it (bench/plain_spiff.py).

The two windows are measured side by side: cycles 10-20 of a second case in the same database,
one step each in turn with cycles 990-1000 of the long one. Measured one after the other, minutes
apart, the shared machine's speed decided the ratio (0.56 and 1.57 in two runs of one evening).
"""
from __future__ import annotations

import statistics

from bench.engine_loop import LoopRun


def measure(cycles: int = 1000) -> dict:
    run = LoopRun()
    try:
        sizes = {}
        for cycle in range(1, cycles - 10):
            run.step("doorgaan")
            if cycle == 10:
                sizes[cycle] = run.state_bytes()
        second = run.start_case()
        for _ in range(9):
            run.step("doorgaan", case=second)
        early_ms, late_ms = [], []
        for _ in range(11):  # the second case's cycles 10-20, the long case's last 11
            early_ms.append(run.step("doorgaan", case=second))
            late_ms.append(run.step("doorgaan"))
        sizes[cycles] = run.state_bytes()
        early, late = statistics.median(early_ms), statistics.median(late_ms)
        return {
            "cycles": cycles,
            "early_ms": early,
            "late_ms": late,
            "step_ratio": late / early,
            "state_early": sizes[10],
            "state_late": sizes[cycles],
            "state_ratio": sizes[cycles] / sizes[10],
            "completions": run.completions(),
        }
    finally:
        run.close()


def report(result: dict) -> None:
    n = result["cycles"]
    print(f"flat cost, engine on SQLite, {n} cycles of the zorgoverleg loop")
    print(f"  median step cycles 10-20:      {result['early_ms']:7.2f} ms  (a second case, in turn with the next line)")
    print(f"  median step cycles {n - 10}-{n}:  {result['late_ms']:7.2f} ms")
    print(f"  step ratio late/early:         {result['step_ratio']:7.2f}  (target <= 1.5)")
    print(f"  live state at cycle 10:        {result['state_early']:7d} bytes")
    print(f"  live state at cycle {n}:      {result['state_late']:7d} bytes")
    print(f"  state ratio:                   {result['state_ratio']:7.2f}  (target <= 2.0)")
    print(f"  completions in history:        {result['completions']:7d}  (target {n})")


def main(cycles: int = 1000) -> dict:
    result = measure(cycles)
    report(result)
    return result


if __name__ == "__main__":
    main()
