"""After a task's form was sent: where the person may go, and who finished a task that is gone.

Neither reads a person's data (a case's partners and open roles, a task's actor and state), so
neither writes an access-log row: asking "may I still see this case?" is not an attempt to see it.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from . import policy
from .accounts import open_lanes
from .api import Engine
from .db import HistoryEntry, Instance
from .identity import User


@dataclass(frozen=True)
class Finished:
    """How a task that is no longer open ended: `state` "completed" or "cancelled" (a deadline
    or a stopped case closed it), by whom, in which case."""

    case_number: int
    actor: str
    state: str

    def completed_by(self, user: User) -> bool:
        return self.state == "completed" and self.actor == user.username


def may_view_case(engine: Engine, user: User, case_number: int) -> bool:
    """Whether the policy lets the user open the case page now (after their step changed the case)."""
    with engine.database.unit_of_work(write=False) as uow:
        instance = uow.session.get(Instance, case_number)
        if instance is None:
            return False
        lanes = open_lanes(uow.session, case_number)
        return bool(policy.may_view_case(user, instance.process_id, instance.participants or [], lanes))


def finished(engine: Engine, task_id: str) -> Finished | None:
    """How the task ended, from the case's history; None while it is open or when it never existed."""
    with engine.database.unit_of_work(write=False) as uow:
        entry = uow.session.scalars(select(HistoryEntry).where(HistoryEntry.task_id == task_id)
                                    .order_by(HistoryEntry.id.desc()).limit(1)).first()
        return Finished(entry.instance_id, entry.actor, entry.state) if entry is not None else None
