"""Casework as a logged-in user does it: every step asks the policy and writes the access log.

The web views call these functions, never the Engine's unguarded ones, for anything that
touches a person's data. A refused access is logged (result "geweigerd") and then raises
Forbidden; an allowed one is logged in the same transaction that reads or changes the data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from . import (
    access_log,
    art41,
    list_rules,
    named_cases,
    partner_choices,
    partner_register,
    policy,
    process_rules,
    recipients,
)
from .accounts import open_lanes, task_candidates
from .api import Engine, history_views, instance_view, read_only_values, task_view
from .clock import aware
from .db import Definition, HumanTask, Instance
from .drafts import Draft, own_draft
from .errors import EngineError, NotFound, TaskNotFound
from .identity import Origin, User
from .partner_register import day_of
from .start_context import values as start_values
from .ui_schema import UI_SUFFIX, context_steps
from .views import HistoryView, InstanceView, TaskView


class Forbidden(EngineError):
    """The policy refused; the attempt is in the access log when it concerned a person's data."""


class FeedbackOnly(Forbidden):
    """The reader may not open the case but may read its terugkoppeling (engine/feedback.py): the
    terugkoppeling mail links to the case page, so this is a way on, not a refusal, and not logged."""


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
    # The earlier steps the form's UI schema asks to show (ui:context): the latest completed one of
    # each, in the order named, with the forms to read them back by.
    context: list[HistoryView] = field(default_factory=list)
    forms: dict = field(default_factory=dict)
    draft: Draft | None = None  # the user's own draft of the form (engine/drafts.py), if any
    # What the form starts with where nothing is entered yet: the rows a list rule asks for
    # (`x-zvt-alle-van`, engine/list_rules.py), such as the register's recipients.
    prefill: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CasePage:
    instance: InstanceView
    process_name: str | None
    participants: list[str]
    history: list[HistoryView]
    open_tasks: list[TaskView]
    diagram: str | None  # the process's BPMN XML, for the diagram
    may_pause: bool = False  # the user may pause and resume the case's deadlines
    # The forms and UI schemas of the case's process version ("<process>/<task>", + UI_SUFFIX), to
    # read back what each step entered with the labels its form had.
    forms: dict = field(default_factory=dict)


def inbox(engine: Engine, user: User, now: datetime | None = None) -> Inbox:
    """My tasks and the unassigned tasks of my roles that the policy lets me do; one query.

    Shows no personal data (case number, task, due date), so it writes no access-log row."""
    now = aware(now or engine.clock())
    query = (
        select(HumanTask, Instance.participants, Definition.name, Instance.paused_at)
        .join(Instance, Instance.id == HumanTask.instance_id)
        .join(Definition, Definition.id == Instance.definition_id)
        .where(HumanTask.lane.in_(sorted(user.roles)),
               or_(HumanTask.assignee.is_(None), HumanTask.assignee == user.username))
        .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id))
    items = []
    with engine.database.unit_of_work(write=False) as uow:
        for row, participants, process_name, paused_at in uow.session.execute(query):
            # The task itself is an open task in its lane (the teamleider's escalation rule).
            if not policy.may_do_task(user, row.lane, row.process_id, participants or [],
                                      {policy.lane_key(row.lane, row.partner)}, row.partner):
                continue
            task = task_view(row, paused_at)
            # A paused deadline is late only if it was late when the clock stopped.
            items.append(InboxItem(task, row.instance_id, row.process_id, process_name,
                                   mine=row.assignee == user.username,
                                   overdue=row.due_at is not None and row.due_at <= (paused_at or now)))
    return Inbox(items)


def open_task(engine: Engine, user: User, task_id: str, origin: Origin) -> TaskPage:
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        row, instance, definition = _task_row(uow.session, task_id)
        lanes = open_lanes(uow.session, instance.id)
        decision = _may_do(uow.session, user, row, instance, lanes)
        if not decision:
            access_log.record(uow.session, user, origin, "read", "task", task_id, instance.id, False, now)
            uow.commit()
            raise Forbidden(decision.reason)
        schema = partner_choices.expand(definition.forms.get(row.form) if row.form else None, uow.session,
                                        partner_choices.day_of(now))
        ui = definition.forms.get(row.form + UI_SUFFIX, {}) if row.form else {}
        steps = context_steps(ui)
        context = _latest_of(history_views(uow.session, instance.id), row.process_id, steps) if steps else []
        values = {**read_only_values(engine.store, definition, instance, task_id, schema),
                  **_named_case_values(uow.session, user, origin, schema, instance, now)}
        page = TaskPage(task_view(row, instance.paused_at), definition.name, schema, values, ui,
                        _colleagues(uow.session, row, instance, lanes, now=now), context,
                        partner_choices.expand_forms(
                            {key: form for key, form in definition.forms.items()
                             if key.removesuffix(UI_SUFFIX) in {f"{h.process_id}/{h.bpmn_id}" for h in context}},
                            uow.session),
                        draft=own_draft(uow.session, task_id, user),
                        prefill=list_rules.required_rows(values, schema) if schema else {})
        # Last: the log's chain lock is then held only for its insert and the commit.
        access_log.record(uow.session, user, origin, "read", "task", task_id, instance.id, True, now)
        uow.commit()
        return page


def _latest_of(history: list[HistoryView], process_id: str, steps: list[str]) -> list[HistoryView]:
    latest = {h.bpmn_id: h for h in history
              if h.process_id == process_id and h.bpmn_id in steps and h.state == "completed"}
    return [latest[step] for step in steps if step in latest]


@dataclass(frozen=True)
class Completed:
    case_number: int
    task_name: str | None


def submit_task(engine: Engine, user: User, task_id: str, data, origin: Origin) -> Completed:
    """Complete the task with the form data (or `data(schema, read_only_values)`, see
    Engine.complete); say which case and task it was.

    The policy check, its access-log row and the step are one transaction: nothing can change
    between the check and the step, and a form post costs one round of reads."""
    done: dict[str, Any] = {}
    may_do = _task_guard(engine, user, task_id, origin, "change")

    def guard(session, row: HumanTask, instance: Instance) -> Exception | None:
        done["task_name"] = row.name
        return may_do(session, row, instance)

    def audit(session, instance_id):
        done["case_number"] = instance_id
        access_log.record(session, user, origin, "change", "task", task_id, instance_id, True, aware(engine.clock()))

    def looked_up(session, schema, instance):
        # The form's rules check against the named cases as they stand now, as the page showed them.
        return _named_case_values(session, user, origin, schema, instance, aware(engine.clock()))

    engine.complete(task_id, data, actor=user.username, audit=audit, guard=guard, looked_up=looked_up)
    return Completed(done["case_number"], done["task_name"])


def claim(engine: Engine, user: User, task_id: str, origin: Origin) -> None:
    engine.assign(task_id, user.username, expected=None, guard=_task_guard(engine, user, task_id, origin))


# keyword of a read-only field -> what it looks up per named case (engine/named_cases.py)
_LOOKUPS = {art41.KEYWORD: art41.decisions, recipients.KEYWORD: recipients.rows}


def _named_case_values(session, user: User, origin: Origin, schema: dict | None, instance: Instance,
                       now: datetime) -> dict:
    """The form's fields looked up from the ZVT cases the case names (engine/named_cases.py): a
    case's data only where the user may open that case, each such read in the access log."""
    def may_view(other: Instance) -> bool:
        return bool(policy.may_view_case(user, other.process_id, other.participants or [],
                                         open_lanes(session, other.id)))
    found = {}
    for keyword, lookup in _LOOKUPS.items():
        for name, source in named_cases.sources(schema, keyword).items():
            rows, shown = lookup(session, named_cases.case_numbers((instance.data or {}).get(source)), may_view)
            found[name] = rows
            for number in shown:
                access_log.record(session, user, origin, "read", "case", str(number), number, True, now)
    return found


def release(engine: Engine, user: User, task_id: str, origin: Origin) -> None:
    engine.assign(task_id, None, expected=user.username, guard=_task_guard(engine, user, task_id, origin))


def assign(engine: Engine, user: User, task_id: str, colleague: str, expected: str | None, origin: Origin) -> None:
    """Give the task to a colleague who may do it: their role is the task's lane and the
    policy lets them see the case."""
    may_do = _task_guard(engine, user, task_id, origin)

    def guard(session, row: HumanTask, instance: Instance) -> Exception | None:
        lanes = open_lanes(session, instance.id)
        refusal = may_do(session, row, instance, lanes)
        if refusal is None and colleague not in {
                name for name, _ in _colleagues(session, row, instance, lanes, now=aware(engine.clock()))}:
            return Forbidden("colleague may not do this task")
        return refusal

    engine.assign(task_id, colleague, expected=expected, guard=guard)


def view_case(engine: Engine, user: User, instance_id: int, origin: Origin, action: str = "read", *,
              offer_feedback: bool = True) -> CasePage:
    """The case page's data, read in the transaction that logs the read (`action` "print" for a
    PDF made of it: the log then says the data left the screen). `offer_feedback`: raise
    FeedbackOnly (not logged) for a reader who may read only the terugkoppeling, whom the page sends
    there; False (the API): that is a refusal like any other, logged."""
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        lanes = open_lanes(session, instance_id)

        def decide(instance: Instance) -> policy.Decision:
            decision = policy.may_view_case(user, instance.process_id, instance.participants or [], lanes)
            if not decision and action == "read" and offer_feedback \
                    and policy.may_read_feedback(user, instance.process_id, instance.data or {}):
                raise FeedbackOnly(decision.reason)
            return decision

        instance = readable_instance(uow, user, origin, instance_id, now, action, "case", decide)
        definition = session.get_one(Definition, instance.definition_id)
        main_file = next(iter(definition.files), None)
        tasks = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)
                                .order_by(HumanTask.created_at, HumanTask.id))
        page = CasePage(
            instance_view(session, instance_id), definition.name, sorted(instance.participants or []),
            history_views(session, instance_id), [task_view(t, instance.paused_at) for t in tasks],
            definition.files.get(main_file) if main_file else None,
            may_pause=instance.status == "running" and bool(policy.may_pause_deadlines(
                user, instance.process_id, instance.participants or [], lanes)),
            forms=partner_choices.expand_forms(definition.forms, session),
        )
        # Last: the log's chain lock is then held only for its insert and the commit.
        access_log.record(session, user, origin, action, "case", str(instance_id), instance_id, True, now)
        uow.commit()
        return page


def readable_instance(uow, user: User, origin: Origin, instance_id: int, now: datetime, action: str,
                      object_type: str, decide) -> Instance:
    """The case, when `decide(instance)` (a policy decision) allows the user; else Forbidden, with
    the refusal in the access log, committed. NotFound when there is no such case."""
    instance = uow.session.get(Instance, instance_id)
    if instance is None:
        raise NotFound(f"case {instance_id} does not exist")
    decision = decide(instance)
    if not decision:
        access_log.record(uow.session, user, origin, action, object_type, str(instance_id), instance_id, False, now)
        uow.commit()
        raise Forbidden(decision.reason)
    return instance


def pause_deadlines(engine: Engine, user: User, instance_id: int, reason: str, origin: Origin) -> None:
    """Pause the case's deadlines (Engine.pause_deadlines), if the policy lets the user."""
    engine.pause_deadlines(instance_id, reason, actor=user.username, guard=_pause_guard(engine, user, origin),
                           audit=_case_change_audit(engine, user, origin))


def resume_deadlines(engine: Engine, user: User, instance_id: int, origin: Origin) -> timedelta:
    """Let the case's paused deadlines run again (Engine.resume_deadlines), if the policy lets the
    user; returns how long they stood still, which is how far they moved."""
    return engine.resume_deadlines(instance_id, actor=user.username, guard=_pause_guard(engine, user, origin),
                                   audit=_case_change_audit(engine, user, origin))


def _pause_guard(engine: Engine, user: User, origin: Origin):
    """For the engine's case `guard`: None when the user may pause the case's deadlines, else
    Forbidden, after logging the refusal in the same transaction."""
    def guard(session, instance: Instance) -> Exception | None:
        decision = policy.may_pause_deadlines(user, instance.process_id, instance.participants or [],
                                              open_lanes(session, instance.id))
        return _refusal(session, engine, user, origin, decision, "change", "case", str(instance.id), instance.id)
    return guard


def _case_change_audit(engine: Engine, user: User, origin: Origin):
    def audit(session, instance_id: int) -> None:
        access_log.record(session, user, origin, "change", "case", str(instance_id), instance_id, True,
                          aware(engine.clock()))
    return audit


def partner_names(engine: Engine) -> dict[str, str]:
    """Every partner's name by code, also of partners that left (engine/partner_register.py names)."""
    with engine.database.unit_of_work(write=False) as uow:
        return partner_register.names(uow.session)


def check_start(engine: Engine, user: User, process_id: str, origin: Origin) -> None:
    """Raise Forbidden, after logging the refusal, when the policy does not let the user start
    the process (a start form opened or sent by someone whose role may not start it)."""
    decision = policy.may_start(user, process_id)
    if decision:
        return
    with engine.database.unit_of_work() as uow:
        access_log.record(uow.session, user, origin, "create", "case", process_id, None, False, aware(engine.clock()))
        uow.commit()
    raise Forbidden(decision.reason)


def may_view(engine: Engine, user: User, instance_id: int) -> bool:
    """Whether the case page would open for the user now: where to send them after a step.
    Reads no person's data and logs nothing; the case page itself logs the read."""
    with engine.database.unit_of_work(write=False) as uow:
        instance = uow.session.get(Instance, instance_id)
        if instance is None:
            return False
        return bool(policy.may_view_case(user, instance.process_id, instance.participants or [],
                                         open_lanes(uow.session, instance_id)))


def start_case(engine: Engine, user: User, process_id: str, data: dict, origin: Origin) -> int:
    check_start(engine, user, process_id, origin)
    context = start_context(engine, user, process_id)

    def audit(session, instance_id):
        access_log.record(session, user, origin, "create", "case", str(instance_id), instance_id, True,
                          aware(engine.clock()))

    return engine.start(process_id, data, actor=user.username, context=context, audit=audit)


def start_context(engine: Engine, user: User, process_id: str) -> dict:
    """What the engine adds to the user's new case besides the start form (engine/start_context.py)."""
    if not process_rules.active().rule(process_id).start_context:
        return {}
    with engine.database.unit_of_work(write=False) as uow:
        return start_values(uow.session, process_id, day_of(aware(engine.clock())), starter_partner=user.partner)


def _task_guard(engine: Engine, user: User, task_id: str, origin: Origin, action: str = "change"):
    """For the engine's `guard`: None when the user may do the task, else Forbidden, after
    logging the refusal in the same transaction. `lanes`: the case's open lanes, when the
    caller read them already."""
    def guard(session, row: HumanTask, instance: Instance, lanes: set[str] | None = None) -> Exception | None:
        return _refusal(session, engine, user, origin, _may_do(session, user, row, instance, lanes), action, "task",
                        task_id, instance.id)
    return guard


def _refusal(session, engine: Engine, user: User, origin: Origin, decision: policy.Decision, action: str,
             object_type: str, object_id: str, instance_id: int) -> Forbidden | None:
    """For a guard: None when the policy allows, else Forbidden, with the refusal in the access
    log of the same transaction (the engine commits it before raising)."""
    if decision:
        return None
    access_log.record(session, user, origin, action, object_type, object_id, instance_id, False, aware(engine.clock()))
    return Forbidden(decision.reason)


def _task_row(session, task_id: str):
    row = session.get(HumanTask, task_id)
    if row is None:
        raise TaskNotFound(f"task {task_id} does not exist")
    instance = session.get(Instance, row.instance_id)
    return row, instance, session.get(Definition, instance.definition_id)


def _may_do(session, user: User, row: HumanTask, instance: Instance, lanes: set[str] | None = None) -> policy.Decision:
    if row.assignee is not None and row.assignee != user.username:
        return policy.Decision(False, "task is assigned to someone else")
    return policy.may_do_task(user, row.lane, instance.process_id, instance.participants or [],
                              open_lanes(session, instance.id) if lanes is None else lanes, row.partner)




def _colleagues(session, row: HumanTask, instance: Instance, lanes: set[str] | None = None, *,
                now: datetime) -> list[tuple[str, str]]:
    lanes = open_lanes(session, instance.id) if lanes is None else lanes
    return [(account.username, account.display_name) for account in task_candidates(
        session, row.lane, instance.process_id, instance.participants or [], lanes, day=day_of(now),
        partner=row.partner)]


def list_cases(engine: Engine, user: User, filters, origin: Origin, now: datetime | None = None):
    """Casussen: the cases the user may see, filtered, searched and paged, logged
    (engine/caselist.py)."""
    from .caselist import list_cases as _list_cases

    return _list_cases(engine, user, filters, origin, now)
