"""SpiffWorkflow objects in and out of the database, kept to their live frontier.

SpiffWorkflow keeps every finished task in one tree and grows it one level per loop
iteration: each step scans the whole tree and at a few hundred cycles it recurses past
Python's limit. Here, after every command, finished tasks are written to history rows
(when they finish, with who and when) and the tree is cut down to the lowest common
ancestor of its unfinished tasks; finished subprocesses are dropped. What stays is what
a live task can still need (joins look at siblings below their split, boundary joins at
their split), so step cost and stored size stay flat however long a case runs.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from . import budget, due_dates
from .clock import AMSTERDAM
from .retention_rules import RetentionRules
from .sandbox import make_script_engine

_FINISHED = TaskState.FINISHED_MASK
_UNFINISHED = TaskState.NOT_FINISHED_MASK
_LIVE = TaskState.WAITING | TaskState.READY | TaskState.STARTED


class _SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Serialises a workflow without its specs: those are stored once per deployed version."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


class WorkflowStore:
    def __init__(self, helpers: dict | None = None, step_seconds: float = budget.DEFAULT_SECONDS):
        config = dict(SPIFF_CONFIG)
        config[BpmnWorkflow] = _SpeclessWorkflowConverter
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))
        self.script_engine = make_script_engine(helpers)
        self.step_seconds = step_seconds
        # The retention rules (engine/retention_rules.py): the step that closes a case sets its
        # destruction date from them. None: no date at closing; the retention job sets it later.
        self.retention: RetentionRules | None = None
        # Deployed versions never change, so their parsed specs can be shared by every load.
        self._specs: dict[tuple[int, str], tuple] = {}

    def specs_to_json(self, spec, subprocess_specs) -> str:
        return json.dumps({
            "spec": self.serializer.to_dict(spec),
            "subprocess_specs": {name: self.serializer.to_dict(s) for name, s in subprocess_specs.items()},
        }, separators=(",", ":"))

    def specs(self, definition) -> tuple:
        # Keyed by content hash as well as id, so two databases never share a wrong entry;
        # `definition.specs` is a deferred column, read from the database only on a miss.
        key = (definition.id, definition.content_hash)
        cached = self._specs.get(key)
        if cached is None:
            raw = json.loads(definition.specs)
            cached = (
                self.serializer.from_dict(raw["spec"]),
                {name: self.serializer.from_dict(s) for name, s in raw["subprocess_specs"].items()},
            )
            self._specs[key] = cached
        return cached

    def new(self, definition) -> BpmnWorkflow:
        spec, subprocess_specs = self.specs(definition)
        return BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)

    def load(self, definition, state: str | None) -> BpmnWorkflow:
        if state is None:  # a case being started has none yet, a destroyed one none any more
            raise ValueError("the case has no workflow state to load")
        spec, subprocess_specs = self.specs(definition)
        dct = json.loads(state)
        restore = self.serializer.registry.convert_from_dict[dct.pop("typename")]
        workflow = restore(dct, spec=spec, subprocess_specs=subprocess_specs)
        # The serializer does not keep the script engine; a loaded workflow would otherwise
        # fall back to SpiffWorkflow's unrestricted eval/exec.
        workflow.script_engine = self.script_engine
        return workflow

    def dump(self, workflow: BpmnWorkflow) -> str:
        return json.dumps(self.serializer.to_dict(workflow), separators=(",", ":"))


def all_tasks(workflow: BpmnWorkflow):
    yield from workflow.tasks.values()
    for subprocess in workflow.subprocesses.values():
        yield from subprocess.tasks.values()


def finished_ids(workflow: BpmnWorkflow) -> set[UUID]:
    return {t.id for t in all_tasks(workflow) if t.has_state(_FINISHED)}


@dataclass(frozen=True)
class Finished:
    task_id: str
    process_id: str
    bpmn_id: str
    name: str | None
    task_type: str
    lane: str | None
    state: str
    data: dict = field(repr=False, compare=False, default_factory=dict)


def newly_finished(workflow: BpmnWorkflow, before: set[UUID]) -> list[Finished]:
    """Tasks that finished since `before` was taken, in the order they finished.

    Only BPMN elements count (SpiffWorkflow's internal start/join/end glue has no
    bpmn_id), and a cancelled task only when a person could have seen it: a user task
    cancelled by an interrupting event, not every timer that stopped waiting.
    """
    result = []
    for task in sorted(all_tasks(workflow), key=lambda t: t.last_state_change):
        spec = task.task_spec
        if task.id in before or not task.has_state(_FINISHED) or getattr(spec, "bpmn_id", None) is None:
            continue
        if task.state == TaskState.CANCELLED and not spec.manual:
            continue
        result.append(Finished(
            task_id=str(task.id),
            process_id=spec._wf_spec.name,
            bpmn_id=spec.bpmn_id,
            name=spec.bpmn_name,
            task_type=type(spec).__name__,
            lane=spec.lane,
            state=TaskState.get_name(task.state).lower(),
            data=task.data,
        ))
    return result


def ready_user_tasks(workflow: BpmnWorkflow) -> list[Task]:
    return [t for t in all_tasks(workflow) if t.state == TaskState.READY and t.task_spec.manual]


def waiting_to_start(workflow: BpmnWorkflow) -> bool:
    """True while a scheduled instance's start event still waits for its timer."""
    return any(t.state == TaskState.WAITING and isinstance(t.task_spec, StartEvent) for t in workflow.tasks.values())


def add_start_data(workflow: BpmnWorkflow, data: dict) -> None:
    """Give a scheduled instance, still waiting for its start timer, data its case starts with:
    the start event copied the workflow's data when it began to wait."""
    workflow.task_tree.data.update(data)
    for task in workflow.tasks.values():
        if task.state == TaskState.WAITING and isinstance(task.task_spec, StartEvent):
            task.data.update(data)


def find_task(workflow: BpmnWorkflow, task_id: str) -> Task | None:
    try:
        uuid = UUID(task_id)
    except ValueError:
        return None
    if uuid in workflow.tasks:
        return workflow.tasks[uuid]
    for subprocess in workflow.subprocesses.values():
        if uuid in subprocess.tasks:
            return subprocess.tasks[uuid]
    return None


def waiting_timers(workflow: BpmnWorkflow) -> dict[str, tuple[str, datetime]]:
    """Task id -> (BPMN id, due moment in UTC) for every timer event that is waiting."""
    timers = {}
    for task in all_tasks(workflow):
        if task.state != TaskState.WAITING:
            continue
        event_definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(event_definition, TimerEventDefinition):
            due = timer_due(task)
            if due is not None:
                timers[str(task.id)] = (task.task_spec.bpmn_id, due)
    return timers


def timer_due(task: Task) -> datetime | None:
    event_definition = task.task_spec.event_definition
    value = task.internal_data.get("event_value")
    if value is None:
        return None
    if isinstance(event_definition, CycleTimerEventDefinition):
        if value["cycles"] == 0:
            return None
        due = datetime.fromisoformat(value["next"])
    elif isinstance(event_definition, TimeDateEventDefinition):
        due = TimerEventDefinition.parse_time_or_duration(value)
    elif isinstance(event_definition, DurationTimerEventDefinition):
        due = TimerEventDefinition.get_datetime(value)
    else:
        return None
    return datetime.fromtimestamp(due.timestamp(), timezone.utc)


def shift_waiting_timers(workflow: BpmnWorkflow, by: timedelta) -> int:
    """Move every waiting timer of the workflow `by` later (real time); return how many moved.

    The moment a timer fires is held in the timer task's `event_value` (an ISO moment for a
    timeDate or a started duration, {"next": ...} for a cycle), which SpiffWorkflow compares with
    the clock at every refresh: that is what moves. A timeDate whose expression is a case field
    (`termijn`) moves that field too, in every task of the tree that holds the same moment, so the
    tasks that open later and read the field again keep the moved deadline.
    """
    moved_fields: dict[str, set[datetime]] = {}
    moved = 0
    for task in all_tasks(workflow):
        event_definition = getattr(task.task_spec, "event_definition", None)
        if task.state != TaskState.WAITING or not isinstance(event_definition, TimerEventDefinition):
            continue
        due = timer_due(task)
        if due is None:
            continue
        value = task.internal_data["event_value"]
        if isinstance(event_definition, CycleTimerEventDefinition):
            value = {**value, "next": (datetime.fromisoformat(value["next"]) + by).isoformat()}
        else:
            value = _amsterdam_iso(due + by)
        task._set_internal_data(event_value=value)
        moved += 1
        field_name = event_definition.expression.strip() if isinstance(event_definition, TimeDateEventDefinition) else ""
        if field_name.isidentifier():
            moved_fields.setdefault(field_name, set()).add(due)
    for task in all_tasks(workflow):
        for field_name, moments in moved_fields.items():
            moment = _as_moment(task.data.get(field_name))
            if moment is not None and moment in moments:
                task.data[field_name] = _amsterdam_iso(moment + by)
    return moved


def _as_moment(value) -> datetime | None:
    """A case field read as a timer reads it (naive: Amsterdam), in UTC; None if it is none."""
    if not isinstance(value, str):
        return None
    try:
        moment = TimerEventDefinition.get_datetime(value)
    except ValueError:
        return None
    return moment.astimezone(timezone.utc)


def _amsterdam_iso(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).isoformat()


def task_due(task: Task) -> datetime | None:
    """A user task is due when the first deadline timer on its border fires (or fired).

    A timer marked as a reminder (`zvt:herinnering`) is not a deadline. A
    deadline that has fired keeps counting, so the task shows as overdue, also when the
    deadline had already passed when the task opened. A due date the task declares itself
    (`zvt:termijn`, see due_dates) wins over its timers.
    """
    declared = due_dates.declared_due(task)
    if declared is not None:
        return declared
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    dues = []
    for sibling in parent.children:
        spec = sibling.task_spec
        if sibling is task or sibling.state == TaskState.CANCELLED or is_reminder(spec):
            continue
        if isinstance(getattr(spec, "event_definition", None), TimerEventDefinition):
            due = timer_due(sibling)
            if due is not None:
                dues.append(due)
    return min(dues, default=None)


def task_partner(task: Task) -> str | None:
    """The partner whose staff alone may do this user task: the case field its lane's
    `zvt:partner` names. None when the lane is not bound to a partner; "" (nobody's) when the
    field holds no partner code, so a missing field denies rather than opens the task."""
    field_name = properties(task.task_spec).get("partner")
    if field_name is None:
        return None
    value = task.data.get(field_name)
    return value if isinstance(value, str) else ""


def is_reminder(spec) -> bool:
    return "herinnering" in properties(spec)


def properties(spec) -> dict[str, str]:
    """The element's ZVT settings by the engine's names (`termijn`, `herinnering`, `bericht`, ...),
    parsed at deploy (engine/zvt_namespace.py) and kept in the stored spec."""
    return (getattr(spec, "extensions", None) or {}).get("properties") or {}


def timer_task_of(boundary: Task) -> Task | None:
    """The user task on whose border this timer event sits, or None for any other event."""
    parent = boundary.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    if not isinstance(getattr(boundary.task_spec, "event_definition", None), TimerEventDefinition):
        return None
    return next((sibling for sibling in parent.children if sibling.task_spec.manual), None)


def current_data(workflow: BpmnWorkflow, previous: dict, finished: list[Finished]) -> dict:
    """What the case knows now: what it knew, plus what finished tasks and live tasks hold.

    Branches of a case keep their own data until they join; the case page wants all of
    it, so values recorded on any branch are kept, later ones winning.
    """
    data: dict = {}
    _overlay(data, previous)
    for item in finished:
        _overlay(data, item.data)
    live = [t for t in workflow.tasks.values() if t.has_state(_LIVE)]
    for task in sorted(live, key=lambda t: t.last_state_change):
        _overlay(data, task.data)
    _overlay(data, workflow.data)
    if not data.get("data_objects"):
        data.pop("data_objects", None)
    return data


def _overlay(target: dict, newer: dict) -> None:
    # Written here because SpiffWorkflow's DeepMerge unites lists (a partner list that
    # shrank would keep its old members) and shares nested objects with the task data it
    # reads. Here dicts merge key by key, anything else is replaced by a copy of the newer
    # value, and nothing the workflow or the previous state holds is ever changed.
    for key, value in newer.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _overlay(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def prune(workflow: BpmnWorkflow) -> None:
    _drop_finished_subprocesses(workflow)
    for w in [workflow, *workflow.subprocesses.values()]:
        _cut_to_frontier(w, workflow)


def _drop_finished_subprocesses(workflow: BpmnWorkflow) -> None:
    changed = True
    while changed:
        changed = False
        for task_id, subprocess in list(workflow.subprocesses.items()):
            owner = _owner_task(workflow, task_id)
            if owner is None or (subprocess.completed and owner.has_state(_FINISHED)):
                del workflow.subprocesses[task_id]
                for task in subprocess.tasks.values():
                    workflow.event_manager.remove_task(task)
                changed = True


def _owner_task(workflow: BpmnWorkflow, task_id: UUID) -> Task | None:
    if task_id in workflow.tasks:
        return workflow.tasks[task_id]
    for subprocess in workflow.subprocesses.values():
        if task_id in subprocess.tasks:
            return subprocess.tasks[task_id]
    return None


def _cut_to_frontier(w, top: BpmnWorkflow) -> None:
    unfinished = [t for t in w.tasks.values() if t.has_state(_UNFINISHED)]
    if not unfinished:
        if w is top and w.is_completed():
            # Nothing can run any more: keep only the last task, which holds the final data.
            keep = w.last_task if w.last_task is not None else w.task_tree
            _keep_subtree(w, keep, top, only_root=True)
        return
    root = _lowest_common_ancestor(unfinished)
    if root.has_state(_UNFINISHED) and root.parent is not None:
        # A task that has still to run takes its data from its parent when it does.
        root = root.parent
    if root is not w.task_tree:
        _keep_subtree(w, root, top)


def _lowest_common_ancestor(tasks: list[Task]) -> Task:
    # Iterative on purpose: SpiffWorkflow's own ancestor helpers recurse, which is what
    # overflows on long cases.
    chain = []
    node = tasks[0]
    while node is not None:
        chain.append(node)
        node = node.parent
    index = {t.id: i for i, t in enumerate(chain)}
    highest = 0
    for task in tasks[1:]:
        node = task
        while node.id not in index:
            node = node.parent
        highest = max(highest, index[node.id])
    return chain[highest]


def _keep_subtree(w, root: Task, top: BpmnWorkflow, only_root: bool = False) -> None:
    keep = {root.id}
    if not only_root:
        stack = [root]
        while stack:
            node = stack.pop()
            for child_id in node._children:
                if child_id not in keep:
                    keep.add(child_id)
                    stack.append(w.tasks[child_id])
    else:
        root._children = []
    for task_id in [t for t in w.tasks if t not in keep]:
        top.event_manager.remove_task(w.tasks.pop(task_id))
    # The new root keeps its full data; the serializer stores data of children as deltas
    # against it.
    root._parent = None
    w.task_tree = root
    if w.last_task is not None and w.last_task.id not in keep:
        w.last_task = None
