"""Many cases at once, for scheduler tests and benchmarks: one case started through the engine,
then copied row by row with fresh SpiffWorkflow task ids.

Starting 2,000 cases one by one through the engine takes longer than the whole rest of a test;
a copy is the same case in every respect the scheduler sees (its state, its timer rows, its open
tasks), with ids of its own, so firing one never touches another.
"""
from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from engine import Engine
from engine.db import HumanTask, Instance, Timer

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def copy_case(engine: Engine, instance_id: int, copies: int, chunk: int = 500) -> list[int]:
    """Add `copies` copies of the running case; return their case numbers."""
    with engine.database.unit_of_work(write=False) as uow:
        original = uow.session.get(Instance, instance_id)
        timers = list(uow.session.scalars(select(Timer).where(Timer.instance_id == instance_id)))
        tasks = list(uow.session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)))
        old_ids = set(_UUID.findall(original.state))
        for row in (original, *timers, *tasks):
            uow.session.expunge(row)  # kept as read: leaving the unit of work would expire them
    numbers: list[int] = []
    for start in range(0, copies, chunk):
        with engine.database.unit_of_work() as uow:
            batch = []
            for _ in range(min(chunk, copies - start)):
                new_ids = {old: str(uuid.uuid4()) for old in old_ids}
                instance = Instance(
                    definition_id=original.definition_id, process_id=original.process_id, status=original.status,
                    state=_UUID.sub(lambda m, ids=new_ids: ids.get(m[0], m[0]), original.state), data=dict(original.data),
                    participants=list(original.participants or []), search_name=original.search_name,
                    search_birth=original.search_birth, started_at=original.started_at,
                    started_by=original.started_by, updated_at=original.updated_at)
                batch.append((instance, new_ids))
                uow.session.add(instance)
            uow.session.flush()
            for instance, new_ids in batch:
                uow.session.add_all(
                    Timer(id=new_ids[t.id], instance_id=instance.id, bpmn_id=t.bpmn_id, due_at=t.due_at, attempts=0)
                    for t in timers)
                uow.session.add_all(
                    HumanTask(id=new_ids[t.id], instance_id=instance.id, process_id=t.process_id, bpmn_id=t.bpmn_id,
                              name=t.name, lane=t.lane, form=t.form, assignee=None, due_at=t.due_at,
                              created_at=t.created_at)
                    for t in tasks)
                numbers.append(instance.id)
            uow.commit()
    return numbers
