"""Drafts: what a person typed into an open task's form and did not send yet.

One draft per task and account, written when the person saves it ("Tussentijds opslaan"), by
the page's autosave, or when their form arrives after the idle timeout (web/drafts.py). A draft
holds a person's data, so it goes through the same gate as the task itself: only someone who
may do the task saves or discards one, with an access-log row in the same transaction, and only
its author ever sees it (casework.open_task reads it with the task). It goes with the task:
the database deletes it when the open task's row goes (completed, closed by a deadline or
cancelled), in the same transaction (engine/db.py TaskDraft).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete

from . import access_log, partner_choices
from .api import Engine
from .clock import aware
from .db import TaskDraft
from .identity import Origin, User
from .queries import read_only_values
from .unit_of_work import affected


@dataclass(frozen=True)
class Draft:
    data: dict
    saved_at: datetime


def own_draft(session, task_id: str, user: User) -> Draft | None:
    """The user's own draft of the task, read by the caller that checked and logs the access."""
    row = session.get(TaskDraft, (task_id, user.username))
    return Draft(row.data or {}, row.saved_at) if row is not None else None


def save(engine: Engine, user: User, task_id: str, data: dict | Callable[[dict | None, dict], dict],
         origin: Origin) -> datetime:
    """Keep `data` (or `data(schema, read_only_values)`, as for Engine.complete) as the user's
    draft of the open task; returns when. Raises TaskNotFound for a task that is not open
    (any more) and casework.Forbidden, logged, when the user may not do the task."""
    from .casework import Forbidden, _may_do, _task_row  # casework reads drafts: import here

    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        row, instance, definition = _task_row(session, task_id)
        decision = _may_do(session, user, row, instance)
        if not decision:
            access_log.record(session, user, origin, "change", "draft", task_id, instance.id, False, now)
            uow.commit()
            raise Forbidden(decision.reason)
        if callable(data):
            schema = partner_choices.expand(definition.forms.get(row.form) if row.form else None, session,
                                            partner_choices.day_of(now))
            data = data(schema, read_only_values(engine.store, definition, instance, task_id, schema))
        draft = session.get(TaskDraft, (task_id, user.username))
        if draft is None:
            session.add(TaskDraft(task_id=task_id, username=user.username, data=data, saved_at=now))
        else:
            draft.data, draft.saved_at = data, now
        access_log.record(session, user, origin, "change", "draft", task_id, instance.id, True, now)
        uow.commit()
        return now


def discard(engine: Engine, user: User, task_id: str, origin: Origin) -> bool:
    """Throw the user's own draft of the task away; False when there was none. Anyone may
    throw away their own draft, also of a task they may no longer do: it removes data."""
    from .casework import _task_row

    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        row, instance, _definition = _task_row(session, task_id)
        gone = affected(session.execute(delete(TaskDraft).where(TaskDraft.task_id == task_id,
                                                       TaskDraft.username == user.username)))
        if gone:
            access_log.record(session, user, origin, "delete", "draft", task_id, instance.id, True, now)
        uow.commit()
        return bool(gone)

