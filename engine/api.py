"""The engine's public door: the web layer, the scheduler, the CLI and integrators all use it.

Every method takes and returns plain values, opens its own unit of work and commits it
whole or not at all.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from uuid import uuid4

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import aliased

from . import claims, runtime
from .claims import DEFAULT_LEASE, RETRY_AFTER
from .clock import aware, utcnow
from .db import Definition, HistoryEntry, HumanTask, Instance, Timer
from .definitions import is_scheduled, read_folder, start_form_key
from .errors import (
    Conflict,
    DeadlinesAlreadyPaused,
    DeadlinesNotPaused,
    EngineError,
    InstanceNotFound,
    NotFound,
    ProcessNotFound,
    ReasonRequired,
    TaskAlreadyCompleted,
    TaskClosedByDeadline,
    TaskNotFound,
    WorkflowFailed,
)
from .steps import Preloaded, Step
from .unit_of_work import Database, flush
from .termijnen import HELPERS as TERMIJN_HELPERS
from .ui_schema import UI_SUFFIX
from .validation import check_data, read_only_fields
from .werkdagen import add_werkdagen
from .views import DeployedVersion, HistoryView, IncidentView, InstanceView, TaskForm, TaskView, TimerView

log = logging.getLogger(__name__)

# SpiffWorkflow fires a timer only once the clock is strictly past its moment; firing
# "what is due at now" therefore runs the workflow a microsecond later.
_TIMER_EPSILON = timedelta(microseconds=1)
# After the last pause of RETRY_AFTER a timer's next failure makes it an incident.
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
# A timer whose case changed under it waits until a later round (rounds share one `now`).
_NEXT_ROUND = timedelta(seconds=1)


def default_owner() -> str:
    """Who holds a claim: host and process, so an operator can tell which scheduler it was."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Engine:
    """Runs the deployed BPMN processes on a SQL database.

    `database_url` is a SQLAlchemy URL: a SQLite file (the embedded default) or
    PostgreSQL via psycopg 3. The schema must have been created with `zvt db upgrade`.
    `clock` returns the current moment (timezone-aware); tests pass their own.
    """

    def __init__(self, database_url: str, *, helpers: dict | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.database = Database(database_url)
        self.store = runtime.WorkflowStore({"add_werkdagen": add_werkdagen, **TERMIJN_HELPERS, **(helpers or {})})
        # Data may not shadow what scripts are offered (helpers, datetime, guards): SpiffWorkflow
        # would refuse it later, in the middle of a step; refusing it as a field is clearer.
        self._reserved = frozenset(self.store.script_engine.environment.globals)
        self.clock = clock

    def close(self) -> None:
        self.database.dispose()

    def warm_up(self) -> int:
        """Parse, once, the specs every step may need: the latest version of each process and
        every version with open cases. A server calls this before it forks its workers, so no
        caseworker's first click waits for it. Returns how many versions were parsed.

        Closes the connections it used: a forked worker must never share its parent's."""
        newer = aliased(Definition)
        latest = ~select(newer.id).where(newer.process_id == Definition.process_id,
                                        newer.version > Definition.version).exists()
        open_versions = select(Instance.definition_id).where(Instance.status.in_(("running", "scheduled")))
        try:
            with self.database.unit_of_work(write=False) as uow:
                definitions = list(uow.session.scalars(
                    select(Definition).where(or_(latest, Definition.id.in_(open_versions)))))
                for definition in definitions:
                    self.store.specs(definition)
            return len(definitions)
        finally:
            self.database.dispose()

    # -- definitions -------------------------------------------------------------

    def deploy(self, path, forms=None, actor: str = "zvt deploy") -> list[DeployedVersion]:
        """Deploy every executable process in the folder `path`.

        Forms are read from `forms` (default: the folder `forms` next to `path`). Each
        process is versioned by the hash of its files and forms: unchanged content deploys
        nothing new, running instances keep the version they started on. Raises
        DefinitionRefused, with nothing stored, when any file has a problem.
        """
        path = Path(path)
        bundles = read_folder(path, Path(forms) if forms is not None else path.parent / "forms")
        now = aware(self.clock())
        result = []
        with self.database.unit_of_work() as uow:
            for bundle in bundles:
                existing = uow.session.scalar(select(Definition).where(
                    Definition.process_id == bundle.process_id, Definition.content_hash == bundle.content_hash))
                if existing is not None:
                    result.append(DeployedVersion(bundle.process_id, existing.version, existing.content_hash, existing.id, False))
                    continue
                latest = uow.session.scalar(select(func.max(Definition.version)).where(
                    Definition.process_id == bundle.process_id)) or 0
                definition = Definition(
                    process_id=bundle.process_id, version=latest + 1, name=bundle.name,
                    content_hash=bundle.content_hash,
                    specs=self.store.specs_to_json(bundle.spec, bundle.subprocess_specs),
                    files=bundle.files, forms=bundle.forms, deployed_at=now, deployed_by=actor,
                )
                uow.session.add(definition)
                uow.session.flush()
                result.append(DeployedVersion(bundle.process_id, definition.version, definition.content_hash, definition.id, True))
            for bundle in bundles:
                if is_scheduled(bundle.spec):
                    self._keep_scheduled(uow.session, bundle.process_id, actor, now)
            uow.commit()
        for version in result:
            if version.new:
                log.info("deployed %s version %s (%s)", version.process_id, version.version, version.content_hash[:12])
        return result

    # -- commands ----------------------------------------------------------------

    def start(self, process_id: str, data: dict | None, actor: str, context: dict | None = None,
              audit: Callable | None = None) -> int:
        """Start the latest version of a process; return the instance id.

        `data` is what the starter filled in: checked against the form of the start event
        when the process has one. `context` is what the caller knows for certain (the
        starter's organisation, say), added as is; its names may not clash with the form.
        `audit(session, instance_id)` runs in the same transaction, to write the access log.
        """
        now = aware(self.clock())
        with self.database.unit_of_work() as uow:
            definition = self._latest(uow.session, process_id)
            spec = self.store.specs(definition)[0]
            if is_scheduled(spec):
                raise EngineError(f"process '{process_id}' starts by its timer and cannot be started by hand")
            key = start_form_key(spec)
            schema = definition.forms.get(key) if key else None
            data = check_data(data, schema or {"type": "object"}, self._reserved)
            context = check_data(context, {"type": "object"}, self._reserved)
            clash = sorted(set(data) & set(context))
            if clash:
                raise ValueError(f"context may not overwrite form fields: {', '.join(clash)}")
            instance = self._new_instance(uow.session, definition, {**data, **context}, actor, now)
            if audit is not None:
                audit(uow.session, instance.id)
            uow.commit()
            return instance.id

    def is_deployed(self, process_id: str) -> bool:
        with self.database.unit_of_work(write=False) as uow:
            return uow.session.scalar(select(Definition.id).where(Definition.process_id == process_id).limit(1)) is not None

    def start_form(self, process_id: str) -> dict | None:
        """The JSON Schema of the form that starts the latest version, or None."""
        with self.database.unit_of_work(write=False) as uow:
            definition = self._latest(uow.session, process_id)
            key = start_form_key(self.store.specs(definition)[0])
            return definition.forms.get(key) if key else None

    def _latest(self, session, process_id: str) -> Definition:
        definition = session.scalar(
            select(Definition).where(Definition.process_id == process_id)
            .order_by(Definition.version.desc()).limit(1))
        if definition is None:
            raise ProcessNotFound(f"process '{process_id}' is not deployed")
        return definition

    def _new_instance(self, session, definition: Definition, data: dict, actor: str, now: datetime) -> Instance:
        instance = Instance(
            definition_id=definition.id, process_id=definition.process_id, status="running", state=None,
            data={}, started_at=now, started_by=actor, updated_at=now,
        )
        session.add(instance)
        session.flush()
        workflow = self.store.new(definition)
        workflow.task_tree.data.update(data)
        step = Step(session, self.store, definition, instance, workflow, now)
        step.run(lambda wf: None)
        step.save(actor, {"start": data} if data else None)
        return instance

    def complete(self, task_id: str, data: dict | None | Callable[[dict | None, dict], dict], actor: str,
                 audit: Callable | None = None, guard: Callable | None = None) -> None:
        """Complete a ready user task with form data, checked against its JSON Schema.

        `data` may be a function `data(schema, read_only_values)` that gives the data: a form post
        is then read with the form and the case's values as they are in this transaction.

        Raises InvalidTaskData (every failing field, nothing saved), TaskNotFound, or
        Conflict/TaskAlreadyCompleted when someone else completed or changed it first.
        Timers of the case that are due fire first, as the scheduler would have: a deadline
        that passed a moment ago still escalates, and an interrupting one that closed the
        task raises TaskClosedByDeadline (the deadline's path is saved, the data is not). While
        the case's deadlines are paused (`pause_deadlines`) no timer of the case fires.
        `audit(session, instance_id)` runs in the same transaction, to write the access log.
        `guard(session, task_row, instance)` runs first, in the same transaction: it returns None
        to go on, or an exception, which is raised after committing what the guard wrote (the
        record of a refusal) and nothing else.
        """
        now = aware(self.clock())
        with self.database.unit_of_work() as uow:
            row = uow.session.get(HumanTask, task_id)
            if row is None:
                self._raise_missing_task(uow.session, task_id)
            definition, instance = self._load_for_update(uow.session, row.instance_id)
            _apply_guard(uow, guard, row, instance)
            workflow = self.store.load(definition, instance.state)
            task = runtime.find_task(workflow, task_id)
            if task is None or task not in runtime.ready_user_tasks(workflow):
                raise Conflict("this task is no longer open; someone else changed the case first")
            schema = definition.forms.get(row.form) if row.form else None
            if callable(data):
                data = data(schema, _read_only_of(task, schema))
            data = check_data(data, schema, self._reserved, case=task.data)
            fired = self._fire_due_first(uow.session, definition, instance, workflow, now)
            if fired and task not in runtime.ready_user_tasks(workflow):
                uow.commit()
                raise TaskClosedByDeadline("the deadline of this task passed before it was completed")
            step = Step(uow.session, self.store, definition, instance, workflow, now)

            def finish(_workflow):
                task.data.update(data)
                task.run()

            step.run(finish)
            step.save(actor, {task_id: data})
            if audit is not None:
                audit(uow.session, instance.id)
            uow.commit()

    def assign(self, task_id: str, assignee: str | None, expected: str | None, guard: Callable | None = None) -> None:
        """Give an open task to `assignee` (None: back to the role's shared list).

        `expected` is who the caller saw holding it; if someone else changed it meanwhile,
        nothing changes and Conflict is raised. `guard` as for `complete`.
        """
        with self.database.unit_of_work() as uow:
            row = uow.session.get(HumanTask, task_id)
            if row is None:
                self._raise_missing_task(uow.session, task_id)
            if guard is not None:  # the case is read only for the guard
                _apply_guard(uow, guard, row, uow.session.get(Instance, row.instance_id))
            holder = HumanTask.assignee.is_(None) if expected is None else HumanTask.assignee == expected
            changed = uow.session.execute(
                update(HumanTask).where(HumanTask.id == task_id, holder).values(assignee=assignee)).rowcount
            if changed != 1:
                raise Conflict("someone else took or gave away this task first")
            uow.commit()

    # -- paused deadlines --------------------------------------------------------

    def pause_deadlines(self, instance_id: int, reason: str, actor: str, audit: Callable | None = None,
                        guard: Callable | None = None) -> datetime:
        """Stop the clock of a running case: none of its timers fires until `resume_deadlines`.

        The whole case pauses (a rights request waiting for proof of identity stops its legal
        clock, whichever task is open): its deadlines, their reminders and any other timer,
        also those of tasks that open during the pause. Timers that were due already fire
        first, as the scheduler would have fired them. Returns the moment of the pause (whole
        seconds), which is written with `actor` and `reason` to the case and its history.

        Raises ReasonRequired for an empty reason, DeadlinesAlreadyPaused, or Conflict when the
        case is not running. `guard(session, instance)` and `audit(session, instance_id)` as for
        `complete`: the guard runs first; its refusal is raised after committing what it wrote.
        """
        now = aware(self.clock())
        with self.database.unit_of_work() as uow:
            definition, instance = self._load_running(uow, instance_id, guard)
            reason = reason.strip() if isinstance(reason, str) else ""
            if not reason:
                raise ReasonRequired("pausing the deadlines needs a reason")
            if instance.paused_at is not None:
                raise DeadlinesAlreadyPaused(f"the deadlines of case {instance_id} are paused already")
            self._fire_due_first(uow.session, definition, instance, None, now)
            paused_at = now.replace(microsecond=0)
            instance.paused_at, instance.paused_by, instance.pause_reason = paused_at, actor, reason
            instance.updated_at = now
            _record_case_event(uow.session, instance, "termijnen_gepauzeerd", "Termijnen gepauzeerd", "DeadlinesPaused",
                               actor, paused_at, {"reden": reason})
            if audit is not None:
                audit(uow.session, instance.id)
            uow.commit()
            return paused_at

    def resume_deadlines(self, instance_id: int, actor: str, audit: Callable | None = None,
                         guard: Callable | None = None) -> timedelta:
        """Let the paused clock of a case run again; return how long it stood still.

        Every waiting timer moves later by exactly that real time (a duration: the same hours
        across a daylight-saving change), in the workflow's own state, the timer rows and the
        open tasks' due dates, in one transaction; a case field holding a moved deadline moves
        with it (see runtime.shift_waiting_timers). Raises DeadlinesNotPaused, or Conflict when
        the case is not running; `guard` and `audit` as for `pause_deadlines`.
        """
        now = aware(self.clock())
        with self.database.unit_of_work() as uow:
            definition, instance = self._load_running(uow, instance_id, guard)
            if instance.paused_at is None:
                raise DeadlinesNotPaused(f"the deadlines of case {instance_id} are not paused")
            resumed_at = now.replace(microsecond=0)
            paused_at, paused_by, reason = instance.paused_at, instance.paused_by, instance.pause_reason
            stood_still = max(resumed_at - paused_at, timedelta(0))
            instance.paused_at = instance.paused_by = instance.pause_reason = None
            step = Step(uow.session, self.store, definition, instance, self.store.load(definition, instance.state), now)
            # After the move nothing is due that was not due at the pause; what was due exactly
            # then fires now, as it would have a moment after the pause.
            step.run(lambda wf: runtime.shift_waiting_timers(wf, stood_still), at=now + _TIMER_EPSILON)
            step.save("scheduler")
            _record_case_event(uow.session, instance, "termijnen_hervat", "Termijnen lopen weer", "DeadlinesResumed",
                               actor, resumed_at, {"reden": reason, "gepauzeerd_op": paused_at.isoformat(),
                                                   "gepauzeerd_door": paused_by,
                                                   "stilgestaan_seconden": int(stood_still.total_seconds())})
            if audit is not None:
                audit(uow.session, instance.id)
            uow.commit()
            return stood_still

    def _fire_due_first(self, session, definition: Definition, instance: Instance, workflow, now: datetime) -> bool:
        """Fire the case's timers that are due at `now`, as the scheduler would have by then,
        before a command acts on the case; say whether any were (never while it is paused).
        `workflow`: the case's, when the caller loaded it already."""
        if instance.paused_at is not None:
            return False
        due = session.scalar(select(Timer.id).where(Timer.instance_id == instance.id, Timer.due_at <= now).limit(1))
        if due is None:
            return False
        step = Step(session, self.store, definition, instance,
                    workflow or self.store.load(definition, instance.state), now)
        step.run(lambda wf: wf.refresh_timers(), at=now + _TIMER_EPSILON)
        step.save("scheduler")
        return True

    def _load_running(self, uow, instance_id: int, guard: Callable | None) -> tuple[Definition, Instance]:
        """A case command's instance, for update: the guard first, then only a running case."""
        instance = uow.session.get(Instance, instance_id)
        if instance is None:
            raise InstanceNotFound(f"instance {instance_id} does not exist")
        _apply_guard(uow, guard, instance)
        if instance.status != "running":
            raise Conflict(f"instance {instance_id} is {instance.status}")
        return uow.session.get(Definition, instance.definition_id), instance

    def fire_due_timers(self, now: datetime | None = None, actor: str = "scheduler", owner: str | None = None,
                        lease: timedelta = DEFAULT_LEASE, batch: int = 100) -> int:
        """Fire every timer due at `now` (default: the clock); return how many fired.

        Several schedulers may run this at once against one PostgreSQL: each claims a batch of
        due timers (FOR UPDATE SKIP LOCKED, so they never wait for each other) for `lease`,
        fires them and claims the next batch. A scheduler that dies leaves its claims to run
        out; then another fires those timers. The cases of a batch fire in one transaction
        (`_fire_together`), each with an optimistic revision check that lets only one firing
        of a case ever be saved.

        A failure is recorded on the timer and tried again later (RETRY_AFTER), up to
        MAX_ATTEMPTS; then the timer becomes an incident for the beheerder (`incidents`). One
        broken case never holds up the others.
        """
        now = aware(now or self.clock())
        owner = owner or default_owner()
        fired = 0
        while claimed := self._claim_due_timers(now, owner, lease, batch):
            by_instance: dict[int, set[str]] = {}
            for timer_id, instance_id in claimed:
                by_instance.setdefault(instance_id, set()).add(timer_id)
            try:
                fired_together, alone = self._fire_together(by_instance, now, actor, owner)
                fired += fired_together
            except Exception as exc:  # noqa: BLE001 - nothing was saved: each case on its own finds out
                # A lost race (someone changed one of the cases) is expected now and then;
                # anything else is worth a look, but it too only costs time.
                lost_race = isinstance(exc, Conflict)
                log.log(logging.INFO if lost_race else logging.WARNING,
                        "firing %d cases together failed (%s); firing them one by one", len(by_instance), exc,
                        exc_info=not lost_race)
                alone = list(by_instance)
            for instance_id in alone:
                timer_ids = by_instance[instance_id]
                try:
                    fired += self._fire(instance_id, timer_ids, now, actor, owner)
                except Conflict:
                    # Someone changed the case meanwhile (a caseworker, or another scheduler
                    # holding another of its timers): not a failure; the next round tries again.
                    log.info("instance %s changed while its timers fired; the next round tries again", instance_id)
                    self._release(list(timer_ids), owner, retry_at=now + _NEXT_ROUND)
                except Exception as exc:  # noqa: BLE001 - whatever broke, only this case waits
                    self._record_timer_failure(list(timer_ids), owner, exc, now)
        return fired

    def _claim_due_timers(self, now: datetime, owner: str, lease: timedelta, batch: int) -> list[tuple[str, int]]:
        """Claim up to `batch` due timers that nobody holds (or whose holder's lease ran out)."""
        with self.database.unit_of_work() as uow:
            ids = claims.claim(uow.session, Timer, (Timer.due_at <= now, Timer.incident_at.is_(None),
                                                    _not_paused(Timer.instance_id)),
                               (Timer.due_at, Timer.id), batch, owner, now, lease)
            if not ids:
                return []
            claimed = list(uow.session.execute(select(Timer.id, Timer.instance_id).where(Timer.id.in_(ids))))
            uow.commit()
            return claimed

    def _release(self, timer_ids: list[str], owner: str, retry_at: datetime | None) -> None:
        with self.database.unit_of_work() as uow:
            claims.release(uow.session, Timer, timer_ids, owner, retry_at=retry_at)
            uow.commit()

    def incidents(self) -> list[IncidentView]:
        """Timers that failed MAX_ATTEMPTS times and wait for a person (`retry_incident`)."""
        query = (select(Timer, Instance.process_id).join(Instance, Instance.id == Timer.instance_id)
                 .where(Timer.incident_at.is_not(None)).order_by(Timer.incident_at, Timer.id))
        with self.database.unit_of_work(write=False) as uow:
            return [IncidentView(t.id, t.instance_id, process_id, t.bpmn_id, t.due_at, t.attempts, t.last_error,
                                 t.incident_at) for t, process_id in uow.session.execute(query)]

    def retry_incident(self, timer_id: str) -> None:
        """Let the scheduler try an incident's timer again, from its next round, with fresh attempts."""
        with self.database.unit_of_work() as uow:
            changed = uow.session.execute(
                update(Timer).where(Timer.id == timer_id, Timer.incident_at.is_not(None)).values(
                    incident_at=None, attempts=0, retry_at=None, lock_owner=None, lock_expires_at=None)).rowcount
            if changed != 1:
                raise NotFound(f"there is no incident {timer_id}")
            uow.commit()

    def _keep_scheduled(self, session, process_id: str, actor: str, now: datetime) -> None:
        """Keep exactly one instance of a scheduled process waiting, on its latest version.

        A waiting instance has done nothing yet and holds no data, so one on an older
        version is cancelled and replaced: otherwise both versions would start at the next
        moment. It stays as a row, so instance numbers are never reused.
        """
        latest = self._latest(session, process_id)
        waiting = session.scalars(select(Instance).where(
            Instance.process_id == process_id, Instance.status == "scheduled")).all()
        if any(i.definition_id == latest.id for i in waiting):
            return
        for old in waiting:
            session.execute(delete(Timer).where(Timer.instance_id == old.id))
            old.status, old.state, old.completed_at, old.updated_at = "cancelled", None, now, now
        session.flush()
        if is_scheduled(self.store.specs(latest)[0]):
            self._new_instance(session, latest, {}, actor, now)

    def _fire_together(self, by_instance: dict[int, set[str]], now: datetime, actor: str,
                       owner: str) -> tuple[int, list[int]]:
        """Fire the timers of many running cases in one transaction; return how many fired
        and the cases left to fire one by one (`_fire`).

        One transaction for a batch instead of one per case: the rows of all its cases are
        read with a few statements, written with a few more, and committed once - most of
        what firing a timer costs. Each case keeps its own revision check. A case that is
        not plainly running (a scheduled start, gone, finished) or whose workflow fails is
        left out untouched, for `_fire` and its failure recording; anything that goes wrong
        while writing (a lost race) rolls back the whole batch, and the caller then fires
        every case of it one by one.
        """
        with self.database.unit_of_work() as uow:
            session = uow.session
            instances = list(session.scalars(select(Instance).where(
                Instance.id.in_(by_instance), Instance.status == "running").order_by(Instance.id)))
            preloaded = Preloaded.read(session, [i.id for i in instances])
            fired, done = 0, set()
            for instance in instances:
                definition = session.get(Definition, instance.definition_id)
                step = Step(session, self.store, definition, instance, self.store.load(definition, instance.state),
                            now, preloaded)
                try:
                    fired_here = self._fire_step(step, by_instance[instance.id], now)
                except WorkflowFailed:
                    continue  # nothing of this case is in the session yet: `_fire` records why
                self._save_fired(step, actor, owner, now, flush_now=False)
                fired += fired_here
                done.add(instance.id)
            # The case rows first, as Step.save does: a lost race stops the batch at a revision check.
            flush(session, [instance for instance in instances if instance.id in done])
            uow.commit()
        return fired, [instance_id for instance_id in by_instance if instance_id not in done]

    def _fire(self, instance_id: int, timer_ids: set[str], now: datetime, actor: str, owner: str) -> int:
        with self.database.unit_of_work() as uow:
            definition, instance = self._load_for_update(uow.session, instance_id)
            was_scheduled = instance.status == "scheduled"
            step = Step(uow.session, self.store, definition, instance, self.store.load(definition, instance.state), now)
            fired = self._fire_step(step, timer_ids, now)
            self._save_fired(step, actor, owner, now)
            if was_scheduled and instance.status != "scheduled":
                # The next occurrence waits from the same transaction: never none, never two.
                self._keep_scheduled(uow.session, instance.process_id, actor, now)
            uow.commit()
            return fired

    @staticmethod
    def _fire_step(step: Step, timer_ids: set[str], now: datetime) -> int:
        """Run the case's due timers; return how many of `timer_ids` fired. Touches no row."""
        before = runtime.waiting_timers(step.workflow)
        step.run(lambda wf: wf.refresh_timers(), at=now + _TIMER_EPSILON)
        after = runtime.waiting_timers(step.workflow)
        return sum(1 for t in timer_ids if t in before and after.get(t) != before[t])

    @staticmethod
    def _save_fired(step: Step, actor: str, owner: str, now: datetime, flush_now: bool = True) -> None:
        step.save(actor, flush_now=flush_now)
        for row in step.timer_rows.values():
            if row.lock_owner == owner:
                # Fired timers are gone (step.save deleted their rows); a cycle's next one and
                # what is not due by the workflow's own reckoning still wait, and are let go:
                # the first at its new moment, the second from the next round.
                row.lock_owner = row.lock_expires_at = None
                row.retry_at = now + _NEXT_ROUND if row.due_at <= now else None

    def _record_timer_failure(self, timer_ids: list[str], owner: str, exc: Exception, now: datetime) -> None:
        with self.database.unit_of_work() as uow:
            for timer in uow.session.scalars(select(Timer).where(Timer.id.in_(timer_ids))):
                timer.attempts += 1
                timer.last_error = f"{type(exc).__name__}: {exc}"[:4000]
                timer.lock_owner = timer.lock_expires_at = None
                if timer.attempts >= MAX_ATTEMPTS:
                    timer.incident_at, timer.retry_at = now, None
                    log.error("timer %s of instance %s failed %d times and is now an incident: %s",
                              timer.id, timer.instance_id, timer.attempts, exc)
                else:
                    timer.retry_at = now + RETRY_AFTER[timer.attempts - 1]
                    log.warning("timer %s of instance %s failed (attempt %d of %d), again from %s: %s",
                                timer.id, timer.instance_id, timer.attempts, MAX_ATTEMPTS,
                                timer.retry_at.isoformat(), exc)
            uow.commit()

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
            return task_view(row, uow.session.get(Instance, row.instance_id).paused_at)

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
            instance = uow.session.get(Instance, row.instance_id)
            if row.form is None:
                return TaskForm(task_view(row, instance.paused_at), None, {}, {})
            definition = uow.session.get(Definition, instance.definition_id)
            schema = definition.forms[row.form]
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
        if instance.status not in ("running", "scheduled"):
            raise Conflict(f"instance {instance_id} is {instance.status}")
        return session.get(Definition, instance.definition_id), instance

    @staticmethod
    def _raise_missing_task(session, task_id: str):
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
    )


def history_views(session, instance_id: int) -> list[HistoryView]:
    rows = session.scalars(select(HistoryEntry).where(HistoryEntry.instance_id == instance_id).order_by(HistoryEntry.id))
    return [HistoryView(
        task_id=r.task_id, process_id=r.process_id, bpmn_id=r.bpmn_id, name=r.name, task_type=r.task_type,
        lane=r.lane, state=r.state, actor=r.actor, finished_at=r.finished_at, data=r.data,
    ) for r in rows]


def _not_paused(instance_id):
    """SQL: the case of `instance_id` does not have its deadlines paused."""
    return ~select(Instance.id).where(Instance.id == instance_id, Instance.paused_at.is_not(None)).exists()


def _record_case_event(session, instance: Instance, bpmn_id: str, name: str, task_type: str, actor: str,
                       at: datetime, data: dict) -> None:
    """A history row for something done to the whole case (no task of the process), for its timeline."""
    session.add(HistoryEntry(
        instance_id=instance.id, task_id=str(uuid4()), process_id=instance.process_id, bpmn_id=bpmn_id, name=name,
        task_type=task_type, lane=None, state="completed", actor=actor, finished_at=at, data=data,
    ))
    flush(session)


def _apply_guard(uow, guard: Callable | None, *rows) -> None:
    """Run a caller's guard on the command's rows (task and case, or the case alone); raise its
    refusal after committing what it wrote (its log row)."""
    if guard is None:
        return
    refusal = guard(uow.session, *rows)
    if refusal is not None:
        uow.commit()
        raise refusal


def read_only_values(store, definition: Definition, instance: Instance, task_id: str, schema: dict | None) -> dict:
    """The case's values of the form's read-only fields, as the open task sees them."""
    if not (schema and read_only_fields(schema)) or instance.state is None:
        return {}  # loading the workflow costs more than the rest of a form page
    task = runtime.find_task(store.load(definition, instance.state), task_id)
    return _read_only_of(task, schema) if task is not None else {}


def _read_only_of(task, schema: dict | None) -> dict:
    fields = read_only_fields(schema) if schema else []
    return {k: task.data[k] for k in fields if k in task.data}


def task_view(row: HumanTask, paused_at: datetime | None = None) -> TaskView:
    """`paused_at`: since when the deadlines of the task's case are paused, if they are."""
    return TaskView(
        id=row.id, instance_id=row.instance_id, process_id=row.process_id, bpmn_id=row.bpmn_id, name=row.name,
        lane=row.lane, form=row.form, assignee=row.assignee, due_at=row.due_at, paused_at=paused_at,
    )
