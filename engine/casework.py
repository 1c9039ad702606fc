"""Casework as a logged-in user does it: every step asks the policy and writes the access log.

The web views call these functions, never the Engine's unguarded ones, for anything that
touches a person's data. A refused access is logged (result "geweigerd") and then raises
Forbidden; an allowed one is logged in the same transaction that reads or changes the data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from . import access_log, policy, runtime
from .api import Engine, history_views, instance_view, task_view
from .clock import aware
from .db import Account, Definition, HumanTask, Instance, Partner
from .errors import EngineError, NotFound, TaskNotFound
from .identity import Origin, User
from .ui_schema import UI_SUFFIX
from .validation import read_only_fields
from .views import HistoryView, InstanceView, TaskView


class Forbidden(EngineError):
    """The policy refused; the attempt is in the access log."""


@dataclass(frozen=True)
class InboxItem:
    task: TaskView
    case_number: int
    process_id: str
    process_name: str | None
    mine: bool
    overdue: bool


@dataclass(frozen=True)
class Inbox:
    items: list[InboxItem]

    @property
    def mine(self) -> list[InboxItem]:
        return [i for i in self.items if i.mine]

    @property
    def for_my_roles(self) -> list[InboxItem]:
        return [i for i in self.items if not i.mine]

    @property
    def overdue(self) -> list[InboxItem]:
        return [i for i in self.items if i.overdue]


@dataclass(frozen=True)
class TaskPage:
    task: TaskView
    process_name: str | None
    schema: dict | None
    read_only: dict  # values of the form's read-only fields, from the case
    ui: dict  # the form's UI schema: order, widgets, help
    colleagues: list[tuple[str, str]]  # (username, display name) who may also do the task


@dataclass(frozen=True)
class CasePage:
    instance: InstanceView
    process_name: str | None
    participants: list[str]
    history: list[HistoryView]
    open_tasks: list[TaskView]
    diagram: str | None  # the process's BPMN XML, for the diagram


def inbox(engine: Engine, user: User, now: datetime | None = None) -> Inbox:
    """My tasks and the unassigned tasks of my roles that the policy lets me do; one query.

    Shows no personal data (case number, task, due date), so it writes no access-log row."""
    now = aware(now or engine.clock())
    query = (
        select(HumanTask, Instance.participants, Definition.name)
        .join(Instance, Instance.id == HumanTask.instance_id)
        .join(Definition, Definition.id == Instance.definition_id)
        .where(HumanTask.lane.in_(sorted(user.roles)),
               or_(HumanTask.assignee.is_(None), HumanTask.assignee == user.username))
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id))
    items = []
    with engine.database.unit_of_work(write=False) as uow:
        for row, participants, process_name in uow.session.execute(query):
            # The task itself is an open task in its lane (the teamleider's escalation rule).
            if not policy.may_do_task(user, row.lane, row.process_id, participants or [], {row.lane}):
                continue
            task = task_view(row)
            items.append(InboxItem(task, row.instance_id, row.process_id, process_name,
                                   mine=row.assignee == user.username,
                                   overdue=row.due_at is not None and row.due_at <= now))
    return Inbox(items)


def open_task(engine: Engine, user: User, task_id: str, origin: Origin) -> TaskPage:
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        row, instance, definition = _task_row(uow.session, task_id)
        decision = _may_do(uow.session, user, row, instance)
        access_log.record(uow.session, user, origin, "read", "task", task_id, instance.id, bool(decision), now)
        if not decision:
            uow.commit()
            raise Forbidden(decision.reason)
        schema = definition.forms.get(row.form) if row.form else None
        read_only = {}
        if schema is not None and read_only_fields(schema):
            task = runtime.find_task(engine.store.load(definition, instance.state), task_id)
            read_only = {k: task.data[k] for k in read_only_fields(schema) if task is not None and k in task.data}
        colleagues = _colleagues(uow.session, row, instance)
        ui = definition.forms.get(row.form + UI_SUFFIX, {}) if row.form else {}
        page = TaskPage(task_view(row), definition.name, schema, read_only, ui, colleagues)
        uow.commit()
        return page


def submit_task(engine: Engine, user: User, task_id: str, data: dict, origin: Origin) -> int:
    """Complete the task with the form data; return the case number."""
    instance_id = _check_task(engine, user, task_id, origin, "change")

    def audit(session, case_id):
        access_log.record(session, user, origin, "change", "task", task_id, case_id, True, aware(engine.clock()))

    engine.complete(task_id, data, actor=user.username, audit=audit)
    return instance_id


def claim(engine: Engine, user: User, task_id: str, origin: Origin) -> None:
    _check_task(engine, user, task_id, origin, None)
    engine.assign(task_id, user.username, expected=None)


def release(engine: Engine, user: User, task_id: str, origin: Origin) -> None:
    _check_task(engine, user, task_id, origin, None)
    engine.assign(task_id, None, expected=user.username)


def assign(engine: Engine, user: User, task_id: str, colleague: str, expected: str | None, origin: Origin) -> None:
    """Give the task to a colleague who may do it: their role is the task's lane and the
    policy lets them see the case."""
    _check_task(engine, user, task_id, origin, None)
    with engine.database.unit_of_work(write=False) as uow:
        row, instance, _ = _task_row(uow.session, task_id)
        allowed = {name for name, _ in _colleagues(uow.session, row, instance)}
    if colleague not in allowed:
        raise Forbidden("colleague may not do this task")
    engine.assign(task_id, colleague, expected=expected)


def view_case(engine: Engine, user: User, instance_id: int, origin: Origin) -> CasePage:
    """The case page's data, read in the transaction that logs the read."""
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        instance = session.get(Instance, instance_id)
        if instance is None:
            raise NotFound(f"case {instance_id} does not exist")
        decision = policy.may_view_case(user, instance.process_id, instance.participants or [],
                                        _open_lanes(session, instance_id))
        access_log.record(session, user, origin, "read", "case", str(instance_id), instance_id, bool(decision), now)
        if not decision:
            uow.commit()
            raise Forbidden(decision.reason)
        definition = session.get(Definition, instance.definition_id)
        main_file = next(iter(definition.files), None)
        tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)
                                .order_by(HumanTask.created_at, HumanTask.id))
        page = CasePage(
            instance_view(session, instance_id), definition.name, sorted(instance.participants or []),
            history_views(session, instance_id), [task_view(t) for t in tasks],
            definition.files.get(main_file) if main_file else None,
        )
        uow.commit()
        return page


def partner_names(engine: Engine) -> dict[str, str]:
    with engine.database.unit_of_work(write=False) as uow:
        return {p.id: p.name for p in uow.session.scalars(select(Partner))}


def start_case(engine: Engine, user: User, process_id: str, data: dict, origin: Origin) -> int:
    decision = policy.may_start(user, process_id)
    if not decision:
        raise Forbidden(decision.reason)
    context = {key: user.partner for key in _STARTER_CONTEXT.get(process_id, ())}

    def audit(session, instance_id):
        access_log.record(session, user, origin, "create", "case", str(instance_id), instance_id, True,
                          aware(engine.clock()))

    return engine.start(process_id, data, actor=user.username, context=context, audit=audit)


# What the engine adds to a case from the starter's account: their organisation.
_STARTER_CONTEXT = {
    "zvt_casus": ("aanmelder_partner",),
    "datalek": ("melder_partner",),
    "klacht": ("ontvangen_door",),
}


def _check_task(engine: Engine, user: User, task_id: str, origin: Origin, action: str | None) -> int:
    """Refuse (and log the refusal) unless the user may do the task; return the case number."""
    with engine.database.unit_of_work() as uow:
        row, instance, _ = _task_row(uow.session, task_id)
        decision = _may_do(uow.session, user, row, instance)
        if not decision:
            access_log.record(uow.session, user, origin, action or "change", "task", task_id, instance.id,
                              False, aware(engine.clock()))
            uow.commit()
            raise Forbidden(decision.reason)
        return instance.id


def _task_row(session, task_id: str):
    row = session.get(HumanTask, task_id)
    if row is None:
        raise TaskNotFound(f"task {task_id} does not exist")
    instance = session.get(Instance, row.instance_id)
    return row, instance, session.get(Definition, instance.definition_id)


def _may_do(session, user: User, row: HumanTask, instance: Instance) -> policy.Decision:
    if row.assignee is not None and row.assignee != user.username:
        return policy.Decision(False, "task is assigned to someone else")
    return policy.may_do_task(user, row.lane, instance.process_id, instance.participants or [],
                              _open_lanes(session, instance.id))


def _open_lanes(session, instance_id: int) -> set[str]:
    return set(session.scalars(select(HumanTask.lane).where(HumanTask.instance_id == instance_id)))


def _colleagues(session, row: HumanTask, instance: Instance) -> list[tuple[str, str]]:
    lanes = _open_lanes(session, instance.id)
    result = []
    for account in session.scalars(select(Account).where(Account.active.is_(True)).order_by(Account.display_name)):
        colleague = User(account.username, account.display_name, account.partner_id, frozenset(account.roles))
        if policy.may_do_task(colleague, row.lane, instance.process_id, instance.participants or [], lanes):
            result.append((account.username, account.display_name))
    return result
