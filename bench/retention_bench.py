"""Retention: how long destroying 1,000 closed cases takes, on SQLite and on PostgreSQL.

Each case is a zvt_casus closed as "niet opgepakt" with its history and its mails, made once
through the engine and copied row by row; then their date passes and one `retention.run`
destroys them all, one transaction per case, as the scheduler would over its rounds. Then the
cost of a scheduler round's retention run when nothing is due, with many recent login attempts
and sent mails in the tables (it runs every round: it must stay cheap). A benchmark that prints
figures, not a timed test.

    python bench/retention_bench.py [--cases 1000] [--rows 200000]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.web_load import create_database, drop_database  # noqa: E402


def _closed_cases(engine, count: int) -> tuple[int, int]:
    from sqlalchemy import select

    from engine.db import HistoryEntry, Instance, OutboxMail
    from tests.processes.test_zvt_casus import aanmelding

    number = engine.start("zvt_casus", aanmelding(), actor="bench", context={"aanmelder_partner": "woonfriesland"})
    [task] = engine.ready_tasks(number)
    engine.complete(task.id, {"niveau": 3, "besluit_beoordeling": "niet_oppakken", "toelichting_besluit": "Wijkteam.",
                              "advies_alternatief": "Bel het wijkteam."}, actor="bench")
    # Not the chain's columns: each copied history row is chained anew when it is written.
    columns = {model: [c.key for c in model.__table__.columns if c.key not in ("id", "hash", "previous_hash")]
               for model in (Instance, HistoryEntry, OutboxMail)}
    with engine.database.unit_of_work() as uow:
        original = uow.session.get(Instance, number)
        history = list(uow.session.scalars(select(HistoryEntry).where(HistoryEntry.instance_id == number)))
        mails = list(uow.session.scalars(select(OutboxMail).where(OutboxMail.instance_id == number)))
        for _ in range(count - 1):
            copy = Instance(**{c: getattr(original, c) for c in columns[Instance]})
            uow.session.add(copy)
            uow.session.flush()
            for model, rows in ((HistoryEntry, history), (OutboxMail, mails)):
                for row in rows:
                    uow.session.add(model(**{**{c: getattr(row, c) for c in columns[model]}, "instance_id": copy.id}))
        uow.commit()
    return len(history), len(mails)


def _recent_rows(engine, rows: int, now: datetime) -> None:
    """`rows` login attempts and as many sent mails, all of the last days: nothing to prune."""
    from sqlalchemy import insert, text

    from engine.db import LoginAttempt, OutboxMail

    with engine.database.unit_of_work() as uow:
        for start in range(0, rows, 10_000):
            chunk = range(start, min(start + 10_000, rows))
            uow.session.execute(insert(LoginAttempt), [
                {"username": f"user{i % 500}", "origin_ip": f"192.0.2.{i % 250}",
                 "at": now - timedelta(minutes=i % 10_000), "success": True} for i in chunk])
            uow.session.execute(insert(OutboxMail), [
                {"kind": "nieuwe_taak", "recipient": f"user{i % 500}@example.nl", "subject": "Nieuwe taak",
                 "body": "Er staat een taak voor u klaar.", "link": "/taken", "created_at": now - timedelta(minutes=i % 10_000),
                 "sent_at": now - timedelta(minutes=i % 10_000), "retry_at": now, "attempts": 1} for i in chunk])
        uow.commit()
    if not engine.database.is_sqlite:
        # As autovacuum would soon after: without statistics PostgreSQL guesses a third of the rows
        # are old and reads the tables whole.
        with engine.database.sql.connect() as connection:
            connection.execute(text("ANALYZE login_attempts, outbox"))
            connection.commit()


def measure(database_url: str, cases: int, rows: int) -> None:
    from engine import Engine, retention
    from engine.migrate import upgrade
    from engine.retention_rules import load

    upgrade(database_url)
    rules = load(ROOT / "processes" / "retention.json")
    clock = [datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc)]
    engine = Engine(database_url, clock=lambda: clock[0], retention=rules)
    try:
        engine.deploy(ROOT / "processes", ROOT / "forms")
        history, mails = _closed_cases(engine, cases)
        clock[0] += timedelta(days=400)
        started = time.perf_counter()
        report = retention.run(engine.database, rules, clock[0], batch=cases)
        seconds = time.perf_counter() - started
        _recent_rows(engine, rows, clock[0])
        rounds = []
        for _ in range(20):
            round_started = time.perf_counter()
            idle = retention.run(engine.database, rules, clock[0])
            rounds.append(time.perf_counter() - round_started)
        assert not idle.destroyed and not idle.login_attempts
    finally:
        engine.close()
    kind = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    print(f"  {kind:10}  {len(report.destroyed):5} cases ({history} history rows, {mails} mails each) "
          f"destroyed in {seconds:6.2f} s: {seconds / max(len(report.destroyed), 1) * 1000:5.1f} ms a case")
    rounds.sort()
    print(f"  {kind:10}  a round with nothing due, {rows} recent login attempts and {rows} sent mails: "
          f"median {rounds[len(rounds) // 2] * 1000:6.1f} ms, max {rounds[-1] * 1000:6.1f} ms")


def main(cases: int = 1000, rows: int = 200_000) -> None:
    print(f"Retention: destroying {cases} closed zvt_casus cases in one run")
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{Path(folder) / 'retention.sqlite3'}", cases, rows)
    name = "zvt_bench_retention"
    try:
        url = create_database(name)
    except Exception as exc:  # noqa: BLE001 - a benchmark without PostgreSQL still prints SQLite
        print(f"  PostgreSQL  skipped: {type(exc).__name__}")
        return
    try:
        measure(url, cases, rows)
    finally:
        drop_database(name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=200_000)
    arguments = parser.parse_args()
    main(arguments.cases, arguments.rows)
