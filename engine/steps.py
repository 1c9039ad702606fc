"""Running SpiffWorkflow for one command and writing everything it changed.

A command (start, complete, fire a timer) loads the instance, runs the workflow at the
command's moment, and then - in the same transaction - cuts the workflow to its frontier,
saves the instance with a bumped revision (first: see Step.save), writes the finished tasks
to history, brings the human-task and timer rows in step and queues the e-mails the step
causes (engine/outbox.py). A step that is rolled back leaves no trace in any of them, mails
included.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import select

from . import budget, case_search, logsafe, metrics, outbox, partner_register, policy, retention, runtime, taking_part
from .accounts import candidates_statement
from .clock import running_at, timers_stopped_at
from .db import Definition, HistoryEntry, HumanTask, Instance, Timer
from .definitions import form_key
from .errors import InvalidTaskData, StepOverBudget, WorkflowFailed
from .partner_register import day_of
from .step_actions import ActionRunner
from .step_writes import CoreRows, OrmRows
from .unit_of_work import flush

log = logging.getLogger(__name__)


@dataclass
class Preloaded:
    """What a command reads of its cases before it steps them, so that the step does not read
    it again: every timer and human-task row of the cases, by (model, case), the mail
    recipients outbox.write looks up, and per case its participation changes
    (taking_part.latest) when they were read already. One transaction that steps many cases
    (the scheduler's) reads these once for all of them; a single `complete` reads them with the
    task (engine/commands.py load_task_case); a new case has none (`of_new_case`)."""

    rows: dict[tuple[type, int], list]
    candidates: dict = field(default_factory=dict)
    changes: dict[int, dict[str, str]] = field(default_factory=dict)
    # The case was inserted in this transaction: no other command can see it, so none can race
    # with this one on it, and its row need not be written ahead of the others (Step.save).
    new_case: bool = False
    # The directing partner's code, read by the first step that needs it (`directing`).
    _directing: list[str | None] = field(default_factory=list, init=False, repr=False)

    @classmethod
    def read(cls, session, instance_ids) -> Preloaded:
        rows: dict[tuple[type, int], list] = {}
        for model in (Timer, HumanTask):
            for row in session.scalars(select(model).where(model.instance_id.in_(instance_ids))):
                rows.setdefault((model, row.instance_id), []).append(row)
        return cls(rows, changes=taking_part.latest_of(session, instance_ids))

    @classmethod
    def of_new_case(cls, instance_id: int) -> Preloaded:
        """A case started in this transaction: no timer, task or participation row yet."""
        return cls({}, changes={instance_id: {}}, new_case=True)

    def directing(self, session) -> str | None:
        """The directing partner's code (partner_register.directing): one read for all the cases
        a transaction steps; a scheduler's batch of 100 rights requests read it 100 times."""
        if not self._directing:
            self._directing.append(partner_register.directing(session))
        return self._directing[0]


class Step:
    """The workflow of one instance, open for one command."""

    def __init__(self, session, store, definition: Definition, instance: Instance, workflow, now: datetime,
                 preloaded: Preloaded | None = None):
        self.session = session
        self.store = store
        self.definition = definition
        self.instance = instance
        self.workflow = workflow
        self.now = now
        self.preloaded = preloaded
        # The case's timer rows as save() left them, by timer id.
        self.timer_rows: dict[str, Timer] = {}
        self._finished_before: set[UUID] = runtime.finished_ids(workflow)
        # Script tasks with `zvt:actie` run engine code in this transaction (engine/step_actions.py).
        self.actions = ActionRunner(session, instance, now)
        self._seconds = 0.0  # spent in run() so far; save() adds its own and reports the step

    def run(self, action, at: datetime | None = None) -> None:
        """Run `action(workflow)` and the engine steps after it; any failure aborts the command.

        Under one CPU budget for the whole step: the sandbox checks it inside scripts, and the
        check after every engine task stops a BPMN loop of tasks that never waits."""
        started = time.perf_counter()
        try:
            # A case whose deadlines are paused: its timers see the clock stand still at the pause.
            with running_at(at or self.now), timers_stopped_at(self.instance.paused_at), \
                    budget.step_budget(self.store.step_seconds):
                action(self.workflow)
                self.workflow.do_engine_steps(will_complete_task=self.actions.before,
                                              did_complete_task=self._after_task)
        except budget.BudgetExceeded as exc:
            log.warning("instance %s: workflow step stopped: %s", self.instance.id, exc)
            raise StepOverBudget(f"the process could not continue: {exc}") from exc
        except InvalidTaskData:  # an action (engine/step_actions.py) refused what the form entered
            raise
        except Exception as exc:  # whatever a BPMN script did, the command saves nothing
            # The kind and the lines only: a script's error message can quote case data.
            log.warning("instance %s: workflow step failed:\n%s", self.instance.id, logsafe.frames(exc))
            raise WorkflowFailed(f"the process could not continue: {exc}") from exc
        finally:
            self._seconds += time.perf_counter() - started

    def _after_task(self, task) -> None:
        self.actions.after(task)
        budget.check()

    def save(self, actor: str, entered: dict[str, dict] | None = None, *, flush_now: bool = True) -> None:
        """`entered` maps a task id (or "start") to what the actor entered to finish it.

        The case's row is written first, on its own: its revision check is where a command
        that lost a race to another command on the same case stops (Conflict), before it
        writes any other row - the rows of both steps could have the same keys.
        `flush_now=False` leaves the writing to the caller, so that the statements of many
        cases go together; the caller writes their case rows first (`flush(session, cases)`)."""
        started = time.perf_counter()
        session, workflow, instance = self.session, self.workflow, self.instance
        entered = entered or {}
        finished_tasks = runtime.newly_finished(workflow, self._finished_before)
        # Read before any row of this step is added (the case row is written first), and kept for
        # _sync_human_tasks: a finished user task's open row tells when it opened and was due.
        open_rows = {row.id: row for row in self._rows(HumanTask)}
        # Read before pruning: the fired timers and the tasks on whose border they sat go now.
        news = outbox.collect(session, workflow, finished_tasks)
        # The rows are written by statements of their own, the case row first (engine/step_writes.py), unless
        # the caller writes many cases' rows together, or history rows the session holds must be chained first.
        rows = OrmRows(session) if not flush_now or any(isinstance(row, HistoryEntry) for row in session.new) \
            else CoreRows(session)
        history = []
        for finished in finished_tasks:
            data = entered.get(finished.task_id)
            if data is None and finished.task_type == "StartEvent":
                data = entered.get("start")
            opened = open_rows.get(finished.task_id)
            history.append(HistoryEntry(
                instance_id=instance.id, task_id=finished.task_id, process_id=finished.process_id,
                bpmn_id=finished.bpmn_id, name=finished.name, task_type=finished.task_type,
                lane=finished.lane, state=finished.state, actor=actor, finished_at=self.now, data=data,
                opened_at=opened.created_at if opened is not None else None,
                due_at=opened.due_at if opened is not None else None,
            ))
        rows.add(history)
        runtime.prune(workflow)
        completed = workflow.is_completed()
        instance.data = runtime.current_data(workflow, instance.data or {}, finished_tasks)
        instance.participants = taking_part.effective(session, instance, self._changes(), self._directing)
        case_search.update(session, instance, self.definition)
        instance.state = None if completed else self.store.dump(workflow)
        was_waiting = instance.status == "scheduled"
        instance.status = "completed" if completed else ("scheduled" if runtime.waiting_to_start(workflow) else "running")
        if was_waiting and instance.status != "scheduled":
            # A scheduled case starts when its timer fires, not when it began to wait for it (a year
            # before, for the yearly evaluation): the case list and the management figures count from then.
            instance.started_at = self.now
        instance.updated_at = self.now
        if completed and instance.completed_at is None:
            instance.completed_at = self.now
            instance.destroy_at = retention.destroy_at(self.store.retention, instance)
        session.add(instance)
        # The case row first: CoreRows sends it first (write_case below); the ORM's rows after a flush of it.
        new_case = self.preloaded is not None and self.preloaded.new_case
        if flush_now and not isinstance(rows, CoreRows) and not new_case:
            flush(session, [instance])
        self._sync_timers(runtime.waiting_timers(workflow), rows)
        new_tasks, open_lanes = self._sync_human_tasks(open_rows, rows)
        accounts = None
        if isinstance(rows, CoreRows):
            if outbox.asks_who_may_do(news, new_tasks):  # read with the case row: no round trip of its own
                accounts = rows.read_with_case(*candidates_statement(with_email=True, day=day_of(self.now)))
            rows.write_case(instance)
        outbox.write(session, instance, news, new_tasks, open_lanes, actor, self.now,
                     candidates=self.preloaded.candidates if self.preloaded is not None else None, keep=rows.add,
                     accounts=None if accounts is None else accounts.rows)
        rows.write()
        if flush_now:
            flush(session)
        metrics.step_seconds.labels(self.definition.process_id).observe(
            self._seconds + time.perf_counter() - started)

    def _changes(self) -> dict[str, str] | None:
        """The case's participation changes as preloaded, or None to read them now (also when an
        action of the step ran: it writes rows of its own)."""
        if self.preloaded is None or self.actions.ran:
            return None
        return self.preloaded.changes.get(self.instance.id)

    def _directing(self) -> str | None:
        """The directing partner's code as preloaded, or read now (also when an action of the step
        ran: the covenant's actions write the partner register)."""
        if self.preloaded is None or self.actions.ran:
            return partner_register.directing(self.session)
        return self.preloaded.directing(self.session)

    def _rows(self, model) -> list:
        """The case's rows of `model` (Timer or HumanTask): preloaded, or read now."""
        if self.preloaded is not None:
            return self.preloaded.rows.get((model, self.instance.id), [])
        return list(self.session.scalars(select(model).where(model.instance_id == self.instance.id)))

    def _sync_human_tasks(self, existing: dict[str, HumanTask], rows: OrmRows) -> tuple[list[HumanTask], set[str]]:
        """Returns the rows of tasks that opened in this step and the lanes of all open tasks.
        `existing`: the case's open-task rows as the step began saving, by task id."""
        instance = self.instance
        ready = {str(t.id): t for t in runtime.ready_user_tasks(self.workflow)}
        rows.remove(row for task_id, row in existing.items() if task_id not in ready)
        forms = self.definition.forms
        added: list[HumanTask] = []
        for task_id, task in ready.items():
            due_at = runtime.task_due(task)
            if (open_row := existing.get(task_id)) is not None:
                if due_at is not None and due_at != open_row.due_at:
                    rows.change(open_row, {"due_at": due_at})
                continue
            spec = task.task_spec
            key = form_key(spec._wf_spec.name, spec.bpmn_id)
            added.append(HumanTask(
                id=task_id, instance_id=instance.id, process_id=spec._wf_spec.name, bpmn_id=spec.bpmn_id,
                name=spec.bpmn_name, lane=spec.lane, partner=runtime.task_partner(task),
                form=key if key in forms else None, assignee=None, due_at=due_at, created_at=self.now,
            ))
        rows.add(added)
        open_rows = [existing[t] for t in ready if t in existing] + added
        return added, {policy.lane_key(r.lane, r.partner) for r in open_rows if r.lane is not None}

    def _sync_timers(self, timers, rows: OrmRows) -> None:
        instance = self.instance
        existing = {row.id: row for row in self._rows(Timer)}
        rows.remove(row for timer_id, row in existing.items() if timer_id not in timers)
        for timer_id, (bpmn_id, due_at) in timers.items():
            row = existing.get(timer_id)
            if row is None:
                row = Timer(id=timer_id, instance_id=instance.id, bpmn_id=bpmn_id, due_at=due_at, attempts=0)
                rows.add([row])
            elif row.due_at != due_at:
                # A cycle timer that fired waits for its next moment: a fresh timer.
                rows.change(row, {"due_at": due_at, "attempts": 0, "last_error": None})
            self.timer_rows[timer_id] = row
