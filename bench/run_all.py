"""`zvt bench`: every benchmark of the engine, printing figures (never a pass/fail test)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import flat_cost, overhead, plain_spiff  # noqa: E402


def main(quick: bool = False) -> None:
    cycles = 200 if quick else 1000
    flat_cost.main(cycles)
    print()
    overhead.main()
    print()
    if not quick:
        plain_spiff.main()


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
