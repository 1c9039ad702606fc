"""The engine's reads: open tasks, forms, cases and their history, and the lookups commands share.

Part of `Engine` (engine/api.py); every method opens its own read-only unit of work.
"""
from __future__ import annotations

from datetime import datetime
from typing import NoReturn

from sqlalchemy import bindparam, or_, select

from . import partner_choices, runtime
from .db import Definition, HistoryEntry, HumanTask, Instance, Timer
from .definitions import start_form_key
from .driver_batch import Batch, columns_of, persistent
from .engine_part import EnginePart
from .errors import Conflict, InstanceNotFound, ProcessNotFound, TaskAlreadyCompleted, TaskNotFound
from .ui_schema import UI_SUFFIX
from .validation import read_only_fields
from .views import HistoryView, InstanceView, TaskForm, TaskView, TimerView


class Queries(EnginePart):
    def is_deployed(self, process_id: str) -> bool:
        with self.database.unit_of_work(write=False) as uow:
            return uow.session.scalar(select(Definition.id).where(Definition.process_id == process_id).limit(1)) is not None

    def start_form(self, process_id: str) -> dict | None:
        """The JSON Schema of the form that starts the latest version, or None."""
        with self.database.unit_of_work(write=False) as uow:
            definition = self._latest(uow.session, process_id)
            key = start_form_key(self.store.specs(definition)[0])
            return partner_choices.expand(definition.forms.get(key) if key else None, uow.session,
                                          partner_choices.today(self.clock))

    def _latest(self, session, process_id: str) -> Definition:
        return latest_definition(session, process_id)

    # -- queries -----------------------------------------------------------------

    def ready_tasks(self, instance_id: int | None = None, role=None, user: str | None = None) -> list[TaskView]:
        """Open user tasks. `role` (a name or several) gives the tasks of those lanes; `user`
        the tasks assigned to that user; both together give the user's own tasks plus the
        unassigned tasks of their roles - an inbox."""
        query = select(HumanTask, Instance.paused_at).join(Instance, Instance.id == HumanTask.instance_id)
        if instance_id is not None:
            query = query.where(HumanTask.instance_id == instance_id)
        roles = [role] if isinstance(role, str) else list(role or [])
        if roles and user:
            query = query.where(or_(HumanTask.assignee == user,
                                    HumanTask.lane.in_(roles) & HumanTask.assignee.is_(None)))
        elif roles:
            query = query.where(HumanTask.lane.in_(roles))
        elif user:
            query = query.where(HumanTask.assignee == user)
        query = query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id)
        with self.database.unit_of_work(write=False) as uow:
            return [task_view(row, paused_at) for row, paused_at in uow.session.execute(query)]

    def task(self, task_id: str) -> TaskView:
        with self.database.unit_of_work(write=False) as uow:
            row = uow.session.get(HumanTask, task_id)
            if row is None:
                self._raise_missing_task(uow.session, task_id)
            return task_view(row, uow.session.get_one(Instance, row.instance_id).paused_at)

    def form(self, task_id: str) -> dict | None:
        """The JSON Schema of an open task's form, or None when the task takes no data."""
        return self.task_form(task_id, with_values=False).schema

    def form_ui(self, task_id: str) -> dict:
        """The UI schema of an open task's form (order, widgets, help), or {}."""
        return self.task_form(task_id, with_values=False).ui

    def start_form_ui(self, process_id: str) -> dict:
        with self.database.unit_of_work(write=False) as uow:
            definition = self._latest(uow.session, process_id)
            key = start_form_key(self.store.specs(definition)[0])
            return definition.forms.get(key + UI_SUFFIX, {}) if key else {}

    def form_values(self, task_id: str) -> dict:
        """The values of the open task's read-only form fields, as the case holds them now."""
        return self.task_form(task_id).read_only

    def task_form(self, task_id: str, with_values: bool = True) -> TaskForm:
        """An open task with its form, UI schema and (`with_values`) the case's values of the
        form's read-only fields, read at once: what a form post needs before `complete`."""
        with self.database.unit_of_work(write=False) as uow:
            row = uow.session.get(HumanTask, task_id)
            if row is None:
                self._raise_missing_task(uow.session, task_id)
            instance = uow.session.get_one(Instance, row.instance_id)
            if row.form is None:
                return TaskForm(task_view(row, instance.paused_at), None, {}, {})
            definition = uow.session.get_one(Definition, instance.definition_id)
            schema = partner_choices.expand(definition.forms[row.form], uow.session, partner_choices.today(self.clock))
            read_only = read_only_values(self.store, definition, instance, task_id, schema) if with_values else {}
            return TaskForm(task_view(row, instance.paused_at), schema, definition.forms.get(row.form + UI_SUFFIX, {}),
                            read_only)

    def instance(self, instance_id: int) -> InstanceView:
        with self.database.unit_of_work(write=False) as uow:
            return instance_view(uow.session, instance_id)

    def history(self, instance_id: int) -> list[HistoryView]:
        """Every finished task of the instance, oldest first."""
        with self.database.unit_of_work(write=False) as uow:
            if uow.session.get(Instance, instance_id) is None:
                raise InstanceNotFound(f"instance {instance_id} does not exist")
            return history_views(uow.session, instance_id)

    def timers(self, instance_id: int | None = None) -> list[TimerView]:
        query = select(Timer).order_by(Timer.due_at)
        if instance_id is not None:
            query = query.where(Timer.instance_id == instance_id)
        with self.database.unit_of_work(write=False) as uow:
            return [TimerView(t.id, t.instance_id, t.bpmn_id, t.due_at) for t in uow.session.scalars(query)]

    # -- helpers -----------------------------------------------------------------

    def _load_for_update(self, session, instance_id: int) -> tuple[Definition, Instance]:
        instance = session.get(Instance, instance_id)
        if instance is None:
            raise InstanceNotFound(f"instance {instance_id} does not exist")
        require_open(instance)
        return session.get(Definition, instance.definition_id), instance

    @staticmethod
    def _raise_missing_task(session, task_id: str) -> NoReturn:
        finished = session.scalar(select(HistoryEntry.id).where(HistoryEntry.task_id == task_id).limit(1))
        if finished is not None:
            raise TaskAlreadyCompleted("someone else completed this task first")
        raise TaskNotFound(f"task {task_id} does not exist")


def instance_view(session, instance_id: int) -> InstanceView:
    row = session.execute(
        select(Instance, Definition.version).join(Definition).where(Instance.id == instance_id)).first()
    if row is None:
        raise InstanceNotFound(f"instance {instance_id} does not exist")
    instance, version = row
    return InstanceView(
        id=instance.id, process_id=instance.process_id, version=version, status=instance.status,
        data=instance.data, started_at=instance.started_at, started_by=instance.started_by,
        updated_at=instance.updated_at, completed_at=instance.completed_at,
        paused_at=instance.paused_at, paused_by=instance.paused_by, pause_reason=instance.pause_reason,
        destroy_at=instance.destroy_at, hold_reason=instance.hold_reason, held_by=instance.held_by,
        held_at=instance.held_at,
    )


def history_views(session, instance_id: int) -> list[HistoryView]:
    rows = session.scalars(select(HistoryEntry).where(HistoryEntry.instance_id == instance_id).order_by(HistoryEntry.id))
    return [HistoryView(
        task_id=r.task_id, process_id=r.process_id, bpmn_id=r.bpmn_id, name=r.name, task_type=r.task_type,
        lane=r.lane, state=r.state, actor=r.actor, finished_at=r.finished_at, data=r.data,
    ) for r in rows]


def read_only_values(store, definition: Definition, instance: Instance, task_id: str, schema: dict | None) -> dict:
    """The case's values of the form's read-only fields, as the open task sees them."""
    if not (schema and read_only_fields(schema)) or instance.state is None:
        return {}  # loading the workflow costs more than the rest of a form page
    task = runtime.find_task(store.load(definition, instance.state), task_id)
    return read_only_of(task, schema) if task is not None else {}


def read_only_of(task, schema: dict | None) -> dict:
    fields = read_only_fields(schema) if schema else []
    return {k: task.data[k] for k in fields if k in task.data}


def require_open(instance: Instance) -> None:
    """Conflict unless a command may step the case: it runs, or waits for its start timer."""
    if instance.status not in ("running", "scheduled"):
        raise Conflict(f"instance {instance.id} is {instance.status}")


def task_view(row: HumanTask, paused_at: datetime | None = None) -> TaskView:
    """`paused_at`: since when the deadlines of the task's case are paused, if they are."""
    return TaskView(
        id=row.id, instance_id=row.instance_id, process_id=row.process_id, bpmn_id=row.bpmn_id, name=row.name,
        lane=row.lane, form=row.form, assignee=row.assignee, due_at=row.due_at, paused_at=paused_at,
    )


# Built once: every start runs it.
_LATEST = (select(*columns_of(Definition)).where(Definition.process_id == bindparam("process_id"))
           .order_by(Definition.version.desc()).limit(1))


def latest_definition(session, process_id: str, batch: Batch | None = None) -> Definition:
    """The newest deployed version of a process; ProcessNotFound when it was never deployed.
    Sent by the driver (engine/driver_batch.py): on PostgreSQL a start's first statement goes in
    one round trip with its BEGIN, and with what the caller added to `batch`."""
    batch = batch or Batch(session.connection())
    found = batch.read(_LATEST, {"process_id": process_id})
    batch.send()
    if not found.rows:
        raise ProcessNotFound(f"process '{process_id}' is not deployed")
    return persistent(session, Definition, found.rows[0])
