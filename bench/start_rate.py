"""Starts with the first task done, per second: the engine on SQLite and PostgreSQL against plain
SpiffWorkflow persisting as JSON, in the same run (bench/plain_spiff.py serialised_starts_ms).

One start is `Engine.start` of the zorgoverleg loop and `Engine.complete` of its first task, two
committed transactions, as a caseworker's aanmelding and first click; the task's id is looked
up between them and not counted (as in bench/engine_loop.py). Plain SpiffWorkflow does the same
two persisted steps in memory: a new workflow run to its first task and serialised, then
deserialised, the task completed and serialised again. Rounds of the engine and of plain
alternate in 20 short rounds, so a busy moment of the shared machine hits all three alike.
Targets (issue 15): >= 200/s on SQLite and >= 120/s on PostgreSQL.
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import plain_spiff
from bench.engine_loop import HERE
from engine import Engine
from engine.migrate import upgrade

TARGETS = {"sqlite": 200.0, "postgresql": 120.0}


class _Starts:
    def __init__(self, database_url: str):
        upgrade(database_url)
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
        self.engine = Engine(database_url, clock=lambda: self.now)
        self.engine.deploy(HERE / "processes", HERE / "forms", actor="bench")
        self.one()  # the first parses the process

    def one(self) -> float:
        started = time.perf_counter()
        instance_id = self.engine.start("zorgoverleg_loop", {}, actor="bench")
        spent = time.perf_counter() - started
        [task] = self.engine.ready_tasks(instance_id)
        started = time.perf_counter()
        self.engine.complete(task.id, {"vervolg": "doorgaan"}, actor="bench")
        return (spent + time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.engine.close()


def _postgres_url(name: str) -> str | None:
    from bench.web_load import create_database
    try:
        return create_database(name)
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: the SQLite figure alone
        print(f"  (no PostgreSQL: {type(exc).__name__})")
        return None


def measure(count: int = 1000, rounds: int = 20) -> dict:
    """Per database, starts per second over `count` starts (in `rounds` parts, alternating with
    plain SpiffWorkflow's), and plain's starts per second."""
    from bench.web_load import drop_database
    tmp = tempfile.TemporaryDirectory(prefix="zvt-bench-starts-")
    pg_name = f"zvt_bench_starts_{os.getpid()}"
    runs = {"sqlite": _Starts(f"sqlite:///{tmp.name}/starts.sqlite3")}
    pg_url = _postgres_url(pg_name)
    if pg_url is not None:
        runs["postgresql"] = _Starts(pg_url)
    try:
        spent: dict[str, list[float]] = {name: [] for name in [*runs, "plain"]}
        per_round = max(1, count // rounds)
        for _ in range(rounds):
            for name, run in runs.items():
                spent[name] += [run.one() for _ in range(per_round)]
            spent["plain"] += plain_spiff.serialised_starts_ms(per_round)
        return {name: {"per_second": 1000 * len(ms) / sum(ms), "median_ms": statistics.median(ms), "count": len(ms)}
                for name, ms in spent.items()}
    finally:
        for run in runs.values():
            run.close()
        tmp.cleanup()
        if pg_url is not None:
            drop_database(pg_name)


def report(result: dict) -> None:
    plain = result["plain"]
    print(f"starts with the first task done, {plain['count']} each, zorgoverleg loop")
    print(f"  plain SpiffWorkflow + JSON:  {plain['per_second']:6.0f}/s  (median {plain['median_ms']:5.2f} ms)")
    for name, target in TARGETS.items():
        if name not in result:
            print(f"  engine on {name}: not measured")
            continue
        figure = result[name]
        verdict = "PASS" if figure["per_second"] >= target else "FAIL"
        print(f"  engine on {name + ':':12s} {figure['per_second']:6.0f}/s  (median {figure['median_ms']:5.2f} ms, "
              f"{figure['per_second'] / plain['per_second']:4.2f}x plain)  target >= {target:.0f}/s: {verdict}")


def main(count: int = 1000) -> dict:
    result = measure(count)
    report(result)
    return result


if __name__ == "__main__":
    main(200 if "--quick" in sys.argv else 1000)
