"""Moving running cases to a newer version of their process.

Part of `Engine` (engine/api.py). A case keeps the version it started on unless it is moved:
when the covenant changes, the proceseigenaar deploys a new version and moves the cases that
can go. SpiffWorkflow's own migration does the work (SpiffWorkflow.bpmn.util.diff: it aligns the
tasks of the case's tree with the new version's elements by BPMN id, and resets the open tasks
so that what follows them is predicted from the new version). Around it, for a case that must
not be lost:

- A dry run is the real migration, rolled back: what it reports is exactly what a move does.
- A case can move only when every task left in its tree (open, waiting and the finished ones it
  still needs) is an element of the new version; otherwise it stays, with the reason. Elements
  ahead of the case may be removed or added freely.
- A running deadline never moves: a waiting timer keeps its moment (a duration timer would
  otherwise restart from the move). A changed timer applies to tasks that open after the move.
- Timers that were due fire first, on the old version, as the scheduler would have fired them.
- A data object the new version adds starts as None in a case that never wrote it.
- An open task keeps its id (drafts and the access log stay linked), takes the new version's
  name, lane and form, and is handed back to its role when its lane changed (who may do it
  changed). Its due date follows the new version's `termijn`.
- Each move is a history row of the case ("Overgezet naar versie N", with the reason), in the
  same transaction as the move; each case moves in its own transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from . import runtime
from .clock import aware
from .db import Definition, HumanTask, Instance
from .deadlines import record_case_event
from .definitions import form_key
from .engine_part import EnginePart
from .errors import EngineError, NotFound
from .steps import Step

HISTORY_TYPE = "CaseMigrated"


class MigrationRefused(EngineError):
    """The case cannot move to that version; nothing was changed."""


@dataclass(frozen=True)
class OpenTask:
    bpmn_id: str
    name: str | None
    lane: str | None
    due_at: datetime | None


@dataclass(frozen=True)
class MigrationResult:
    instance_id: int
    from_version: int
    to_version: int
    can_move: bool
    reason: str | None  # why it cannot move (English; the web words it for the page)
    missing: list[str] = field(default_factory=list)  # BPMN ids of the case's elements the new version lacks
    before: list[OpenTask] = field(default_factory=list)  # open tasks on the old version
    after: list[OpenTask] = field(default_factory=list)  # the same case's open tasks on the new version
    moved: bool = False  # done (not a dry run)
    skipped: list[str] = field(default_factory=list)  # BPMN ids of new steps a waiting branch would pass over
    skipped_tasks: list[str] = field(default_factory=list)  # the user tasks among them: the case cannot move

    @property
    def lanes_changed(self) -> list[str]:
        """BPMN ids of open tasks that are in another lane after the move: someone else does them."""
        lanes = {t.bpmn_id: t.lane for t in self.before}
        return [t.bpmn_id for t in self.after if t.bpmn_id in lanes and lanes[t.bpmn_id] != t.lane]


class _RolledBack(Exception):
    """Raised inside a dry run's transaction to undo it, carrying its result."""

    def __init__(self, result: MigrationResult):
        super().__init__("dry run")
        self.result = result


class Migrating(EnginePart):
    def migration_candidates(self, process_id: str, to_version: int | None = None) -> list[int]:
        """The running cases of the process on a version older than `to_version` (default: the
        latest), oldest first."""
        with self.database.unit_of_work(write=False) as uow:
            target = self._version(uow.session, process_id, to_version)
            return list(uow.session.scalars(
                select(Instance.id).join(Definition, Definition.id == Instance.definition_id)
                .where(Instance.process_id == process_id, Instance.status == "running",
                       Definition.version < target.version).order_by(Instance.id)))

    def migrate(self, instance_id: int, to_version: int | None = None, *, actor: str, reason: str = "",
                dry_run: bool = False) -> MigrationResult:
        """Move one running case to `to_version` of its process (default: the latest), or with
        `dry_run` only say what would happen. Raises MigrationRefused (nothing changed) when it
        cannot move and this is no dry run, NotFound for an unknown case or version, and Conflict
        when the case is not running or changed meanwhile."""
        now = aware(self.clock())
        try:
            with self.database.unit_of_work() as uow:
                result = self._migrate(uow, instance_id, to_version, actor, reason.strip(), now)
                if dry_run or not result.can_move:
                    raise _RolledBack(result)
                uow.commit()
                return result
        except _RolledBack as rolled_back:
            if not dry_run:
                raise MigrationRefused(rolled_back.result.reason or "the case cannot move") from None
            return replace(rolled_back.result, moved=False)

    def _migrate(self, uow, instance_id: int, to_version: int | None, actor: str, reason: str,
                 now: datetime) -> MigrationResult:
        session = uow.session
        old, instance = self._load_for_update(session, instance_id)
        if instance.status != "running":
            raise MigrationRefused(f"case {instance_id} is {instance.status}; only running cases move")
        new = self._version(session, instance.process_id, to_version)
        if new.version <= old.version:
            raise MigrationRefused(f"case {instance_id} is on version {old.version} already, not older than "
                                   f"version {new.version}")
        # What was due fires on the version it was due on.
        self._fire_due_first(session, old, instance, None, now)
        workflow = self.store.load(old, instance.state)
        before = _open_tasks(workflow)
        new_spec, new_subprocess_specs = self.store.specs(new)
        old_spec, old_subprocess_specs = self.store.specs(old)
        old_ids = {getattr(spec, "bpmn_id", None) for process in (old_spec, *old_subprocess_specs.values())
                   for spec in process.task_specs.values()}
        top_diff, subprocess_diffs = diff_workflow(self.store.serializer.registry, workflow, new_spec,
                                                   new_subprocess_specs)
        lost = sorted(sp.spec.name for sp_id, sp in workflow.subprocesses.items() if subprocess_diffs[sp_id] is None)
        if lost:
            return MigrationResult(instance_id, old.version, new.version, False,
                                   f"the new version has no subprocess {', '.join(lost)}", lost, before)
        timers = {task.id: dict(task.internal_data) for task in runtime.all_tasks(workflow)
                  if task.state == TaskState.WAITING and isinstance(
                      getattr(task.task_spec, "event_definition", None), TimerEventDefinition)}
        step = Step(session, self.store, new, instance, workflow, now)

        def move(wf) -> None:
            migrate_workflow(top_diff, wf, new_spec)
            for sp_id, subprocess in wf.subprocesses.items():
                migrate_workflow(subprocess_diffs[sp_id], subprocess, new_subprocess_specs[subprocess.spec.name])
            _keep_deadlines(wf, timers)
            _declare_new_data_objects(wf)

        step.run(move)
        missing = _not_in(workflow, new_spec, new_subprocess_specs)
        if missing:
            return MigrationResult(instance_id, old.version, new.version, False,
                                   f"the case is at or has passed {', '.join(missing)}, which version "
                                   f"{new.version} does not have", missing, before)
        skipped, duties = _passed_over(workflow, old_ids)
        if duties:
            return MigrationResult(instance_id, old.version, new.version, False,
                                   f"a branch of the case waits behind the place where version {new.version} adds "
                                   f"{', '.join(duties)}; moving would skip that task", [], before, skipped=skipped,
                                   skipped_tasks=duties)
        instance.definition_id = new.id
        step.save(actor)
        after = _open_tasks(workflow)
        _follow_new_version(session, workflow, new, instance)
        record_case_event(session, instance, "overgezet", f"Overgezet naar versie {new.version}", HISTORY_TYPE, actor,
                           now.replace(microsecond=0), {"van_versie": old.version, "naar_versie": new.version,
                                                        "reden": reason or None})
        return MigrationResult(instance_id, old.version, new.version, True, None, [], before, after, moved=True,
                               skipped=skipped)

    def _version(self, session, process_id: str, version: int | None) -> Definition:
        if version is None:
            return self._latest(session, process_id)
        definition = session.scalar(select(Definition).where(Definition.process_id == process_id,
                                                             Definition.version == version))
        if definition is None:
            raise NotFound(f"process '{process_id}' has no version {version}")
        return definition


def _open_tasks(workflow) -> list[OpenTask]:
    return [OpenTask(t.task_spec.bpmn_id, t.task_spec.bpmn_name, t.task_spec.lane, runtime.task_due(t))
            for t in runtime.ready_user_tasks(workflow)]


def _declare_new_data_objects(workflow) -> None:
    """A data object the new version declares and the case never had starts as None: reading it
    would otherwise stop the case (SpiffWorkflow refuses a data object that was never written).
    The scripts that read it say what None means for a case from before it existed."""
    for w in [workflow, *workflow.subprocesses.values()]:
        for name in w.spec.data_objects:
            w.data.setdefault("data_objects", {}).setdefault(name, None)


def _keep_deadlines(workflow, timers: dict) -> None:
    """Put back the moment of every timer that was waiting before the move (see the module doc)."""
    for task in runtime.all_tasks(workflow):
        saved = timers.get(task.id)
        if saved is not None and "event_value" in saved and task.state == TaskState.WAITING:
            task._set_internal_data(event_value=saved["event_value"])


def _not_in(workflow, spec, subprocess_specs) -> list[str]:
    """BPMN ids of the tasks left in the case's tree that are not tasks of the new version: first
    those whose element the new version lacks; else any that SpiffWorkflow could not align."""
    lacking, unaligned = set(), set()
    trees = [(workflow, spec)] + [(sp, subprocess_specs.get(sp.spec.name)) for sp in workflow.subprocesses.values()]
    for tree, tree_spec in trees:
        for task in tree.tasks.values():
            name = getattr(task.task_spec, "bpmn_id", None) or task.task_spec.name
            if tree_spec is None or task.task_spec.name not in tree_spec.task_specs:
                lacking.add(name)
            elif tree_spec.task_specs[task.task_spec.name] is not task.task_spec:
                unaligned.add(name)
    return sorted(lacking or unaligned)


_REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR


def _passed_over(workflow, old_ids: set) -> tuple[list[str], list[str]]:
    """New steps a moved case would never do although it has not passed them: an open task, or a
    branch that is done and waits (at a join, say), right behind a step whose next step the new
    version changed.
    SpiffWorkflow keeps such a branch as it stands, so the steps the new version puts in between
    are silently skipped (the datalek of issue 13: the AP decision waiting at the join that now
    comes after the message to the betrokkenen). The case's tree holds only what is still live
    (engine/steps.py prunes the rest), so this looks at live tasks and the step they came from.
    Returns (BPMN ids of all such steps, the user tasks among them): a script or gateway passed
    over is the process owner's call (scripts read a missing value as "a case from before"); a
    task a person must do would vanish, so the case cannot move. Only steps the old version did not
    have (`old_ids`) count: a path between the two steps may run round a loop of steps the case knows."""
    skipped, duties = set(), set()
    for task in runtime.all_tasks(workflow):
        parent = task.parent
        if (parent is None or not task.has_state(_REACHED) or not parent.has_state(TaskState.COMPLETED)
                or task.task_spec in parent.task_spec.outputs):
            continue
        for spec in _between(parent.task_spec, task.task_spec):
            if getattr(spec, "bpmn_id", None) and spec.bpmn_id not in old_ids:
                skipped.add(spec.bpmn_id)
                if spec.manual:
                    duties.add(spec.bpmn_id)
    return sorted(skipped), sorted(duties)


def _between(first, last) -> set:
    """The specs on some path from `first` to `last` in the new version, not counting either."""
    def reach(start, neighbours) -> set:
        seen, todo = set(), list(neighbours(start))
        while todo:
            spec = todo.pop()
            if spec in seen or spec is first or spec is last:
                continue
            seen.add(spec)
            todo.extend(neighbours(spec))
        return seen
    return reach(first, lambda s: s.outputs) & reach(last, lambda s: s.inputs)


def _follow_new_version(session, workflow, definition: Definition, instance: Instance) -> None:
    """Open tasks kept their rows (and ids): give them the new version's name, lane (and the partner
    it is bound to) and form; a task whose lane changed goes back to its new role's shared list."""
    ready = {str(t.id): t for t in runtime.ready_user_tasks(workflow)}
    for row in session.scalars(select(HumanTask).where(HumanTask.instance_id == instance.id)):
        task = ready.get(row.id)
        if task is None:
            continue
        spec = task.task_spec
        key = form_key(spec._wf_spec.name, spec.bpmn_id)
        partner = runtime.task_partner(task)
        if row.lane != spec.lane or row.partner != partner:
            row.assignee = None
        row.process_id, row.bpmn_id, row.name, row.lane = spec._wf_spec.name, spec.bpmn_id, spec.bpmn_name, spec.lane
        row.partner = partner
        row.form = key if key in definition.forms else None
