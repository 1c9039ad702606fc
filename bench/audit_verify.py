"""The logs' hash chains: how long `zvt audit verify` takes over 100,000 access-log rows, on
SQLite and PostgreSQL, and what the key costs per logged access (HMAC-SHA256 against the
plain SHA-256 of before). A benchmark that prints figures, not a timed test.

The rows are written as the app writes them (access_log.record_many, 1,000 a transaction).
The full verification reads and recomputes every row; the scheduler's hourly check starts at
the last verified head, so with nothing new it reads one row.

    python bench/audit_verify.py [--rows 100000]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import timeit
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.web_load import create_database, drop_database  # noqa: E402

ROWS = 100_000
BATCH = 1_000


def _fill(engine, rows: int) -> None:
    from engine import access_log
    from engine.identity import Origin, User

    user = User("j.devries", "Bench", "woonfriesland", frozenset({"partnermedewerker"}))
    here = Origin("192.0.2.1", "Mozilla/5.0 (X11; Linux x86_64) bench")
    for start in range(0, rows, BATCH):
        with engine.database.unit_of_work() as uow:
            objects: list[tuple[str, int | None]] = [(str(n % 5000), n % 5000)
                                                     for n in range(start, min(start + BATCH, rows))]
            access_log.record_many(uow.session, user, here, "read", "case", objects, True, engine.clock())
            uow.commit()


def verify_figures(url: str, rows: int) -> tuple[float, float]:
    """(seconds for a full verification, milliseconds for the hourly check with nothing new)."""
    from engine import Engine, audit
    from engine.migrate import upgrade

    upgrade(url)
    engine = Engine(url)
    try:
        _fill(engine, rows)
        with engine.database.unit_of_work(write=False) as uow:
            started = time.perf_counter()
            report = audit.verify(uow.session, engine.database.audit_key, "access_log")
            full = time.perf_counter() - started
            assert report.intact and report.rows == rows, report
            started = time.perf_counter()
            again = audit.verify(uow.session, engine.database.audit_key, "access_log", start=report.head)
            incremental = (time.perf_counter() - started) * 1000
            assert again.intact and again.rows == 0
        return full, incremental
    finally:
        engine.close()


def digest_cost() -> tuple[float, float]:
    """Microseconds to hash one access-log row: (plain SHA-256, HMAC-SHA256)."""
    from engine import chain
    from engine.db import AccessLogEntry

    row = AccessLogEntry(at=datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc), username="j.devries",
                         partner="woonfriesland", role="partnermedewerker", on_behalf_of=None, action="read",
                         object_type="case", object_id="1234", instance_id=1234, origin_ip="192.0.2.1",
                         origin_device="Mozilla/5.0 (X11; Linux x86_64) bench", result="toegestaan",
                         previous_hash="0" * 64)
    key = chain.key_bytes("a-key-of-the-length-production-uses-0123456789abcdef")
    number = 20_000
    plain = min(timeit.repeat(lambda: chain.plain_digest("access_log", row), number=number, repeat=5))
    keyed = min(timeit.repeat(lambda: chain.keyed_digest("access_log", row, key), number=number, repeat=5))
    return plain / number * 1e6, keyed / number * 1e6


def record_cost(url: str, rounds: int = 300) -> float:
    """Milliseconds for one logged access in its own transaction (the whole write, for scale)."""
    from engine import Engine, access_log
    from engine.identity import Origin, User

    engine = Engine(url)
    user = User("j.devries", "Bench", "woonfriesland", frozenset({"partnermedewerker"}))
    here = Origin("192.0.2.1", "bench")
    times = []
    try:
        for n in range(rounds):
            started = time.perf_counter()
            with engine.database.unit_of_work() as uow:
                access_log.record(uow.session, user, here, "read", "case", str(n), n, True, engine.clock())
                uow.commit()
            times.append((time.perf_counter() - started) * 1000)
    finally:
        engine.close()
    return statistics.median(times)


def main(rows: int = ROWS) -> None:
    print(f"zvt audit verify over {rows:,} access-log rows")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        full, incremental = verify_figures(url, rows)
        print(f"  SQLite:     full {full:6.2f} s ({full / rows * 1e6:5.1f} µs a row); hourly check, nothing new: "
              f"{incremental:.1f} ms; one logged access: {record_cost(url):.2f} ms")
    name = "zvt_bench_audit"
    url = create_database(name)
    try:
        full, incremental = verify_figures(url, rows)
        print(f"  PostgreSQL: full {full:6.2f} s ({full / rows * 1e6:5.1f} µs a row); hourly check, nothing new: "
              f"{incremental:.1f} ms; one logged access: {record_cost(url):.2f} ms")
    finally:
        drop_database(name)
    plain, keyed = digest_cost()
    print(f"  hashing one row: SHA-256 {plain:.1f} µs, HMAC-SHA256 {keyed:.1f} µs: the key adds "
          f"{keyed - plain:.1f} µs a logged access")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    main(parser.parse_args().rows)
