"""engine/step_writes.py's CoreRows: what a step adds, changes and removes lands as it should, one
statement per table and kind, and history rows get their ids in the order of their chain."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import chain
from engine.db import HistoryEntry, HumanTask, Timer
from engine.step_writes import CoreRows

BENCH = Path(__file__).parents[2] / "bench"


@pytest.fixture
def case(engine):
    """A case of the zorgoverleg loop: one open task, one timer."""
    engine.deploy(BENCH / "processes", BENCH / "forms")
    return engine.start("zorgoverleg_loop", {}, actor="anna")


def _copy(task: HumanTask, **changes) -> HumanTask:
    values = {key: getattr(task, key) for key in ("instance_id", "process_id", "bpmn_id", "name", "lane", "partner",
                                                  "form", "assignee", "due_at", "created_at")}
    return HumanTask(**{**values, **changes})


def test_added_changed_and_removed_rows_are_written_a_statement_per_table_and_kind(engine, case, statements, clock):
    with engine.database.unit_of_work() as uow:
        session = uow.session
        [task] = session.scalars(select(HumanTask).where(HumanTask.instance_id == case)).all()
        [timer] = session.scalars(select(Timer).where(Timer.instance_id == case)).all()
        rows = CoreRows(session)
        rows.add([_copy(task, id="00000000-0000-4000-8000-000000000001", name="Nieuwe taak"),
                  _copy(task, id="00000000-0000-4000-8000-000000000002", name="Nog een taak")])
        rows.change(timer, {"due_at": clock() + timedelta(days=3), "attempts": 2})
        rows.remove([task])
        seen = statements.during(rows.write)
        uow.commit()
    # The two new tasks in one INSERT, the timer's UPDATE, the old task's DELETE.
    assert [" ".join(s.split()[:3]) for s in seen] == \
        ["INSERT INTO human_tasks", "UPDATE timers SET", "DELETE FROM human_tasks"]
    with engine.database.unit_of_work(write=False) as uow:
        names = uow.session.scalars(select(HumanTask.name).where(HumanTask.instance_id == case)
                                    .order_by(HumanTask.id)).all()
        saved = uow.session.get_one(Timer, timer.id)
        assert names == ["Nieuwe taak", "Nog een taak"]
        assert (saved.due_at, saved.attempts) == (clock() + timedelta(days=3), 2)
    assert timer.attempts == 2  # the object holds what was written as its committed value


def test_history_rows_given_different_columns_keep_the_order_of_their_chain(engine, case, statements, clock):
    """Rows given different columns need an INSERT each: they go in their order, so that their ids
    follow their chain (they were grouped by their columns, which put the third before the second)."""
    def entry(name: str, **moments) -> HistoryEntry:
        return HistoryEntry(instance_id=case, task_id=name, process_id="zorgoverleg_loop", bpmn_id=name, name=name,
                            task_type="UserTask", lane=None, state="COMPLETED", actor="anna", finished_at=clock(),
                            data=None, **moments)

    with engine.database.unit_of_work() as uow:
        rows = CoreRows(uow.session)
        rows.add([entry("a", opened_at=clock(), due_at=None), entry("b"), entry("c", opened_at=clock(), due_at=None)])
        seen = statements.during(rows.write)
        uow.commit()
    assert [s.split(" (")[0] for s in seen if s.startswith("INSERT INTO history")] == \
        ["INSERT INTO history"] * 3
    with engine.database.unit_of_work(write=False) as uow:
        entries = uow.session.scalars(select(HistoryEntry).order_by(HistoryEntry.id)).all()
        assert [e.name for e in entries[-3:]] == ["a", "b", "c"]
        for before, after in zip(entries, entries[1:]):
            assert after.previous_hash == before.hash
            assert after.hash == chain.keyed_digest("history", after, engine.database.audit_key)
