"""`zvt bench`: every benchmark, printing figures (never a pass/fail test).

The engine's (flat cost, overhead, participants per step, plain SpiffWorkflow) need nothing but the project, and
the starts per second (bench/start_rate.py) PostgreSQL for its second figure; the web
load (bench/web_load.py) needs PostgreSQL and the bench extra (locust), the case list at scale
(bench/caselist_scale.py), the timer load (bench/timer_load.py) and the logs' verification
(bench/audit_verify.py) PostgreSQL: `make bench`; the retention job (bench/retention_bench.py) runs
on SQLite and, when it is there, PostgreSQL. The scale benchmark (bench/scale.py: a million closed
cases) only with `--scale` (`zvt bench --scale`), as it fills a database for half an hour."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import (
    audit_verify,
    budget_cost,
    caselist_scale,
    flat_cost,
    overhead,
    participation_cost,
    plain_spiff,
    retention_bench,
    start_rate,
    timer_load,
    web_load,
)
from bench import scale as scale_bench


def main(quick: bool = False, scale: bool = False) -> None:
    cycles = 200 if quick else 1000
    flat_cost.main(cycles)
    print()
    overhead.main()
    print()
    start_rate.main(200 if quick else 1000)
    print()
    budget_cost.main(cycles, rounds=1 if quick else 2)
    print()
    participation_cost.main()
    print()
    if not quick:
        plain_spiff.main()
    print()
    web_load.main(run_time=15 if quick else 60)
    print()
    caselist_scale.main([1000] if quick else None)
    print()
    timer_load.main(1000 if quick else timer_load.TARGET_TIMERS)
    print()
    retention_bench.main(200 if quick else 1000)
    audit_verify.main(10_000 if quick else audit_verify.ROWS)
    if scale:
        print()
        if quick:
            scale_bench.main(20_000, 2_000, run_time=15)
        else:
            scale_bench.main()


if __name__ == "__main__":
    main(quick="--quick" in sys.argv, scale="--scale" in sys.argv)
