"""`zvt bench`: every benchmark, printing figures (never a pass/fail test).

The engine's (flat cost, overhead, plain SpiffWorkflow) need nothing but the project; the web
load (bench/web_load.py) needs PostgreSQL and the bench extra (locust): `make bench`."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import budget_cost, flat_cost, overhead, plain_spiff, web_load  # noqa: E402


def main(quick: bool = False) -> None:
    cycles = 200 if quick else 1000
    flat_cost.main(cycles)
    print()
    overhead.main()
    print()
    budget_cost.main(cycles, rounds=1 if quick else 2)
    print()
    if not quick:
        plain_spiff.main()
    print()
    web_load.main(run_time=15 if quick else 60)


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
