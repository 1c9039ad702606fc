"""The retention job with several schedulers at once: every due case is destroyed exactly once."""
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import func, select

from engine import Engine, retention
from engine.db import Destruction
from engine.retention_rules import load
from tests.conftest import FIXTURES

RULES = load(FIXTURES / "processes" / "retention.json")


def close_cases(engine, count: int) -> list[int]:
    numbers = []
    for n in range(count):
        number = engine.start("proef_casus", {"naam": f"Persoon {n}"}, actor="pytest")
        [task] = engine.ready_tasks(number)
        engine.complete(task.id, {"besluit": "niet_oppakken", "toelichting": "Past niet."}, actor="pytest")
        numbers.append(number)
    return numbers


def test_schedulers_running_at_once_destroy_every_due_case_exactly_once(database_url, clock):
    engine = Engine(database_url, clock=clock, retention=RULES)
    try:
        engine.deploy(FIXTURES / "processes", FIXTURES / "forms")
        numbers = close_cases(engine, 30)
        clock.advance(days=800)
        schedulers = [Engine(database_url, clock=clock, retention=RULES) for _ in range(3)]
        with ThreadPoolExecutor(3) as pool:
            reports = list(pool.map(lambda e: retention.run(e.database, RULES, clock(), batch=100), schedulers))
        for scheduler in schedulers:
            scheduler.close()

        destroyed = [d.case for report in reports for d in report.destroyed]
        assert sorted(destroyed) == numbers  # each once, none twice, none left
        assert all(report.failed == [] for report in reports)
        with engine.database.unit_of_work(write=False) as uow:
            assert uow.session.scalar(select(func.count()).select_from(Destruction)) == 30
        assert {engine.instance(n).status for n in numbers} == {"destroyed"}
    finally:
        engine.close()


def test_a_batch_leaves_the_rest_for_the_next_run(database_url, clock):
    engine = Engine(database_url, clock=clock, retention=RULES)
    try:
        engine.deploy(FIXTURES / "processes", FIXTURES / "forms")
        numbers = close_cases(engine, 3)
        clock.now += timedelta(days=800)
        first = retention.run(engine.database, RULES, clock(), batch=2)
        second = retention.run(engine.database, RULES, clock(), batch=2)
        assert [d.case for d in first.destroyed] == numbers[:2] and [d.case for d in second.destroyed] == numbers[2:]
    finally:
        engine.close()
