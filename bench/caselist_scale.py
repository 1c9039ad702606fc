"""Casussen at scale: how long one page of the case list and one search by name take when the team
has 1,000, 5,000 or 20,000 cases, on PostgreSQL. A benchmark that prints figures, not a timed test.

engine/caselist.py applies the policy in SQL (engine/case_visibility.py) and counts and pages
there; before (until 6 December 2026) it ran the policy in Python over every case matching the
filters. This measures what the list costs as the cases pile up; bench/scale.py goes to a million.
Each case is a zvt_casus waiting for its beoordeling, started once through the engine and copied
(tests/engine/bulk.py); half of them are re-filed as if referred by another partner, so the
WoonFriesland partnermedewerker may see half. Every figure is the median
of 5 calls of `list_cases` (the work of the web page without the HTML), after one warm-up call.

    python bench/caselist_scale.py [--cases 1000 5000 20000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.web_load import create_database, drop_database  # noqa: E402

ROUNDS = 5


def _median_ms(call) -> float:
    call()  # warm-up: caches, the first plan of each statement
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(url: str, counts: list[int]) -> list[tuple[int, float, float, float, int]]:
    from sqlalchemy import update

    from engine import Engine, casework
    from engine.caselist import Filters, list_cases
    from engine.db import Instance
    from engine.identity import Origin, User
    from engine.migrate import upgrade
    from tests.engine.bulk import copy_case
    from tests.processes.conftest import FORMS, PROCESSES
    from tests.processes.test_zvt_casus import aanmelding

    here = Origin("192.0.2.1", "bench")
    woonfriesland = User("partnermedewerker", "Medewerker", "woonfriesland", frozenset({"partnermedewerker"}))
    regisseur = User("procesregisseur", "Regisseur", "gemeente_heerenveen", frozenset({"procesregisseur"}))
    upgrade(url)
    engine = Engine(url)
    rows = []
    try:
        engine.deploy(PROCESSES, FORMS)
        first = casework.start_case(engine, woonfriesland, "zvt_casus", aanmelding(), here)
        have = 1
        for count in counts:
            numbers = copy_case(engine, first, count - have)
            with engine.database.unit_of_work() as uow:  # every other copy referred by another partner
                uow.session.execute(update(Instance).where(Instance.id.in_(numbers[::2]))
                                    .values(participants=["elkien"]))
                uow.commit()
            have = count
            everything = _median_ms(lambda: list_cases(engine, regisseur, Filters(), here))
            half = _median_ms(lambda: list_cases(engine, woonfriesland, Filters(), here))
            search = _median_ms(lambda: list_cases(engine, regisseur, Filters(query="de vries"), here))
            listed = list_cases(engine, woonfriesland, Filters(), here).total
            rows.append((count, everything, half, search, listed))
    finally:
        engine.close()
    return rows


def main(counts: list[int] | None = None) -> None:
    counts = sorted(counts or [1000, 5000, 20000])
    name = "zvt_bench_caselist"
    url = create_database(name)
    try:
        rows = measure(url, counts)
    finally:
        drop_database(name)
    print("case list at scale (PostgreSQL, median of 5, ms): one page of 25, newest first")
    print("   cases  procesregisseur  partnermedewerker (sees)  search by name")
    for count, everything, half, search, listed in rows:
        print(f"  {count:6,}  {everything:15.0f}  {half:17.0f} ({listed:,})  {search:14.0f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, nargs="+", default=None)
    main(parser.parse_args().cases)
