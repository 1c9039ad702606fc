"""Pausing and resuming a case's deadlines, and firing what is due before a command acts.

Part of `Engine` (engine/api.py).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import select

from . import runtime
from .clock import aware
from .commands import apply_guard
from .db import Definition, HistoryEntry, Instance, Timer
from .engine_part import EnginePart
from .errors import Conflict, DeadlinesAlreadyPaused, DeadlinesNotPaused, InstanceNotFound, ReasonRequired
from .steps import Preloaded, Step
from .unit_of_work import flush

# SpiffWorkflow fires a timer only once the clock is strictly past its moment; firing
# "what is due at now" therefore runs the workflow a microsecond later.
TIMER_EPSILON = timedelta(microseconds=1)


class Deadlines(EnginePart):
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
            record_case_event(uow.session, instance, "termijnen_gepauzeerd", "Termijnen gepauzeerd", "DeadlinesPaused",
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
            step.run(lambda wf: runtime.shift_waiting_timers(wf, stood_still), at=now + TIMER_EPSILON)
            step.save("scheduler")
            record_case_event(uow.session, instance, "termijnen_hervat", "Termijnen lopen weer", "DeadlinesResumed",
                               actor, resumed_at, {"reden": reason, "gepauzeerd_op": paused_at.isoformat(),
                                                   "gepauzeerd_door": paused_by,
                                                   "stilgestaan_seconden": int(stood_still.total_seconds())})
            if audit is not None:
                audit(uow.session, instance.id)
            uow.commit()
            return stood_still

    def _fire_due_first(self, session, definition: Definition, instance: Instance, workflow, now: datetime,
                        preloaded: Preloaded | None = None) -> bool:
        """Fire the case's timers that are due at `now`, as the scheduler would have by then,
        before a command acts on the case; say whether any were (never while it is paused).
        `workflow`: the case's, when the caller loaded it already; `preloaded`: its rows, when
        the caller read them already (engine/steps.py)."""
        if instance.paused_at is not None:
            return False
        if preloaded is not None:
            due = any(timer.due_at <= now for timer in preloaded.rows.get((Timer, instance.id), []))
        else:
            due = session.scalar(select(Timer.id).where(Timer.instance_id == instance.id, Timer.due_at <= now)
                                 .limit(1)) is not None
        if not due:
            return False
        step = Step(session, self.store, definition, instance,
                    workflow or self.store.load(definition, instance.state), now, preloaded)
        step.run(lambda wf: wf.refresh_timers(), at=now + TIMER_EPSILON)
        step.save("scheduler")
        return True

    def _load_running(self, uow, instance_id: int, guard: Callable | None) -> tuple[Definition, Instance]:
        """A case command's instance, for update: the guard first, then only a running case."""
        instance = uow.session.get(Instance, instance_id)
        if instance is None:
            raise InstanceNotFound(f"instance {instance_id} does not exist")
        apply_guard(uow, guard, instance)
        if instance.status != "running":
            raise Conflict(f"instance {instance_id} is {instance.status}")
        return uow.session.get(Definition, instance.definition_id), instance


def record_case_event(session, instance: Instance, bpmn_id: str, name: str, task_type: str, actor: str,
                       at: datetime, data: dict) -> None:
    """A history row for something done to the whole case (no task of the process), for its timeline."""
    session.add(HistoryEntry(
        instance_id=instance.id, task_id=str(uuid4()), process_id=instance.process_id, bpmn_id=bpmn_id, name=name,
        task_type=task_type, lane=None, state="completed", actor=actor, finished_at=at, data=data,
    ))
    flush(session)
