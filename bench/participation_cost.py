"""What working out a case's participants costs each step (engine/taking_part.py).

Every step recomputes the partners taking part: the forms' choice, with the opt-outs, opt-ins
and admitted ad-hoc partners of `case_participation` applied, one query by case. Measured on the
benchmark loop's case (SQLite), with no participation rows and with 40 (a partner opting out and
back in twenty times), against the whole step. A benchmark that prints figures, not a timed test.

    python bench/participation_cost.py
"""
from __future__ import annotations

import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.engine_loop import LoopRun  # noqa: E402


def _effective_ms(run: LoopRun, samples: int) -> float:
    from engine import taking_part
    from engine.db import Instance

    times = []
    for _ in range(samples):
        with run.engine.database.unit_of_work(write=False) as uow:
            instance = uow.session.get_one(Instance, run.instance_id)
            started = time.perf_counter()
            taking_part.effective(uow.session, instance)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _opt_out_and_in(run: LoopRun, times: int) -> None:
    from engine.db import CaseParticipation

    with run.engine.database.unit_of_work() as uow:
        for i in range(times):
            for change in ("afgemeld", "weer_mee"):
                uow.session.add(CaseParticipation(instance_id=run.instance_id, partner="woonfriesland", change=change,
                                                  reason="Bench." if change == "afgemeld" else None,
                                                  by="bench", at=run.now + timedelta(seconds=i)))
        uow.commit()


def main(samples: int = 201) -> None:
    run = LoopRun()
    try:
        for _ in range(9):
            run.step()
        step = statistics.median(run.step() for _ in range(41))
        empty = _effective_ms(run, samples)
        _opt_out_and_in(run, 20)
        busy = _effective_ms(run, samples)
        with_rows = statistics.median(run.step() for _ in range(41))
    finally:
        run.close()
    print("Participants worked out each step (SQLite, the loop case at cycles 10-90)")
    print(f"  whole step (median)                        {step:6.2f} ms")
    print(f"  participants, no participation rows        {empty:6.3f} ms ({empty / step:5.1%} of a step)")
    print(f"  participants, 40 participation rows        {busy:6.3f} ms ({busy / step:5.1%} of a step)")
    print(f"  whole step with the 40 rows (median)       {with_rows:6.2f} ms")


if __name__ == "__main__":
    main()
