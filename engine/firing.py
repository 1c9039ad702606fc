"""The scheduler's side of the engine: claim due timers, fire them, record failures and incidents.

Part of `Engine` (engine/api.py).
"""
from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from . import claims, logsafe, runtime
from .claims import DEFAULT_LEASE, RETRY_AFTER
from .clock import aware
from .db import Definition, Instance, Timer
from .deadlines import TIMER_EPSILON, record_case_event
from .engine_part import EnginePart
from .errors import Conflict, NotFound, ReasonRequired, StepOverBudget, WorkflowFailed
from .partner_register import day_of
from .start_context import values as start_values
from .steps import Preloaded, Step
from .unit_of_work import affected, flush
from .views import IncidentView

log = logging.getLogger(__name__)

# After the last pause of RETRY_AFTER a timer's next failure makes it an incident.
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
# A timer whose case changed under it waits until a later round (rounds share one `now`).
_NEXT_ROUND = timedelta(seconds=1)


@dataclass
class Tally:
    """What a round of firing counted besides the timers that fired."""

    failed: int = 0  # failed attempts (a timer tried again later, or now an incident)


def default_owner() -> str:
    """Who holds a claim: host and process, so an operator can tell which scheduler it was."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Firing(EnginePart):
    def fire_due_timers(self, now: datetime | None = None, actor: str = "scheduler", owner: str | None = None,
                        lease: timedelta = DEFAULT_LEASE, batch: int = 100, tally: Tally | None = None) -> int:
        """Fire every timer due at `now` (default: the clock); return how many fired. `tally`, when
        given, counts the timers whose firing failed (the scheduler's heartbeat reports them).

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
        tally = tally if tally is not None else Tally()
        fired = 0
        while claimed := self._claim_due_timers(now, owner, lease, batch):
            by_instance: dict[int, set[str]] = {}
            for timer_id, instance_id in claimed:
                by_instance.setdefault(instance_id, set()).add(timer_id)
            over_budget: dict[int, StepOverBudget] = {}
            try:
                fired_together, alone, over_budget = self._fire_together(by_instance, now, actor, owner)
                fired += fired_together
            except Exception as exc:  # noqa: BLE001 - nothing was saved: each case on its own finds out
                # A lost race (someone changed one of the cases) is expected now and then;
                # anything else is worth a look, but it too only costs time.
                if isinstance(exc, Conflict):
                    log.info("firing %d cases together lost a race; firing them one by one", len(by_instance))
                else:
                    log.warning("firing %d cases together failed; firing them one by one:\n%s", len(by_instance),
                                logsafe.frames(exc))
                alone = list(by_instance)
            for instance_id, over in over_budget.items():
                # Running it again alone would only spend its budget twice.
                tally.failed += self._record_timer_failure(list(by_instance[instance_id]), owner, over, now)
            for instance_id in alone:
                timer_ids = by_instance[instance_id]
                try:
                    fired += self._fire(instance_id, timer_ids, now, actor, owner)
                except Conflict:
                    # Someone changed the case meanwhile (a caseworker, or another scheduler
                    # holding another of its timers): not a failure; the next round tries again.
                    log.info("instance %s changed while its timers fired; the next round tries again", instance_id)
                    self._release(list(timer_ids), owner, retry_at=now + _NEXT_ROUND)
                except Exception as exc:  # whatever broke, only this case waits
                    if logsafe.unavailable(exc):
                        raise  # the database, not the case: ends the round, costs the timer no attempt
                    tally.failed += self._record_timer_failure(list(timer_ids), owner, exc, now)
        return fired

    def _claim_due_timers(self, now: datetime, owner: str, lease: timedelta, batch: int) -> list[tuple[str, int]]:
        """Claim up to `batch` due timers that nobody holds (or whose holder's lease ran out)."""
        with self.database.unit_of_work() as uow:
            ids = claims.claim(uow.session, Timer, (Timer.due_at <= now, Timer.incident_at.is_(None),
                                                    not_paused(Timer.instance_id)),
                               (Timer.due_at, Timer.id), batch, owner, now, lease)
            if not ids:
                return []
            claimed = [(timer_id, instance_id) for timer_id, instance_id in uow.session.execute(
                select(Timer.id, Timer.instance_id).where(Timer.id.in_(ids)))]
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

    def chain_incidents(self) -> list:
        """The logs' hash chains that the scheduler's hourly check found broken (engine/anchors.py)."""
        from .audit import incidents

        with self.database.unit_of_work(write=False) as uow:
            return incidents(uow.session)

    def anchor_incidents(self) -> list:
        """The places outside the database the scheduler could not write the chains' heads to."""
        from .anchors import incidents

        with self.database.unit_of_work(write=False) as uow:
            return incidents(uow.session)

    def retry_incident(self, timer_id: str) -> None:
        """Let the scheduler try an incident's timer again, from its next round, with fresh attempts."""
        with self.database.unit_of_work() as uow:
            changed = affected(uow.session.execute(
                update(Timer).where(Timer.id == timer_id, Timer.incident_at.is_not(None)).values(
                    incident_at=None, attempts=0, retry_at=None, lock_owner=None, lock_expires_at=None)))
            if changed != 1:
                raise NotFound(f"there is no incident {timer_id}")
            uow.commit()

    def skip_incident(self, timer_id: str, reason: str, actor: str) -> None:
        """Give up an incident's timer for good, when it sits on a task's border: the task stays
        open without this deadline or reminder, and the case's history says who skipped it and why.
        A timer elsewhere (a start, a wait in the flow) cannot be skipped: the case cannot go on
        without it; retry it instead. Raises ReasonRequired, NotFound (no such incident) or Conflict.
        """
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise ReasonRequired("skipping a timer needs a reason")
        now = aware(self.clock())
        with self.database.unit_of_work() as uow:
            timer = uow.session.get(Timer, timer_id)
            if timer is None or timer.incident_at is None:
                raise NotFound(f"there is no incident {timer_id}")
            definition, instance = self._load_for_update(uow.session, timer.instance_id)
            workflow = self.store.load(definition, instance.state)
            task = runtime.find_task(workflow, timer_id)
            if task is None or runtime.timer_task_of(task) is None:
                raise Conflict("only a timer on a task's border can be skipped; retry this one")
            name = task.task_spec.bpmn_name or timer.bpmn_id
            step = Step(uow.session, self.store, definition, instance, workflow, now)
            step.run(lambda wf: task.cancel())
            step.save(actor)
            record_case_event(uow.session, instance, "incident_overgeslagen", f"Overgeslagen: {name}",
                              "IncidentSkipped", actor, now.replace(microsecond=0),
                              {"element": timer.bpmn_id, "reden": reason})
            uow.commit()

    def case_diagram(self, instance_id: int) -> str | None:
        """The BPMN of the version a case runs on (no case data), for a diagram that shows where it is."""
        with self.database.unit_of_work(write=False) as uow:
            instance = uow.session.get(Instance, instance_id)
            if instance is None:
                raise NotFound(f"case {instance_id} does not exist")
            files = uow.session.get_one(Definition, instance.definition_id).files
            return next(iter(files.values()), None)

    def _fire_together(self, by_instance: dict[int, set[str]], now: datetime, actor: str,
                       owner: str) -> tuple[int, list[int], dict[int, StepOverBudget]]:
        """Fire the timers of many running cases in one transaction; return how many fired,
        the cases left to fire one by one (`_fire`) and those whose step went over its budget.

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
            fired, done, over_budget = 0, set(), {}
            for instance in instances:
                definition = session.get_one(Definition, instance.definition_id)
                step = Step(session, self.store, definition, instance, self.store.load(definition, instance.state),
                            now, preloaded)
                try:
                    fired_here = self._fire_step(step, by_instance[instance.id], now)
                except (StepOverBudget, WorkflowFailed) as exc:
                    if step.actions.ran:
                        raise  # its action wrote rows: only rolling back the batch removes them
                    if isinstance(exc, StepOverBudget):
                        over_budget[instance.id] = exc  # nothing of this case is in the session
                    continue  # nothing of this case is in the session yet: `_fire` records why
                self._save_fired(step, actor, owner, now, flush_now=False)
                fired += fired_here
                done.add(instance.id)
            # The case rows first, as Step.save does: a lost race stops the batch at a revision check.
            flush(session, [instance for instance in instances if instance.id in done])
            uow.commit()
        return fired, [i for i in by_instance if i not in done and i not in over_budget], over_budget

    def _fire(self, instance_id: int, timer_ids: set[str], now: datetime, actor: str, owner: str) -> int:
        with self.database.unit_of_work() as uow:
            definition, instance = self._load_for_update(uow.session, instance_id)
            was_scheduled = instance.status == "scheduled"
            step = Step(uow.session, self.store, definition, instance, self.store.load(definition, instance.state), now)
            if was_scheduled:
                # The register as it is today, should the timer fire now (engine/start_context.py).
                runtime.add_start_data(step.workflow, start_values(uow.session, instance.process_id, day_of(now)))
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
        step.run(lambda wf: wf.refresh_timers(), at=now + TIMER_EPSILON)
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

    def _record_timer_failure(self, timer_ids: list[str], owner: str, exc: Exception, now: datetime) -> int:
        """Count a failed attempt on each of the timers; return how many there were."""
        with self.database.unit_of_work() as uow:
            timers = list(uow.session.scalars(select(Timer).where(Timer.id.in_(timer_ids))))
            for timer in timers:
                timer.attempts += 1
                timer.last_error = f"{type(exc).__name__}: {exc}"[:4000]
                timer.lock_owner = timer.lock_expires_at = None
                if timer.attempts >= MAX_ATTEMPTS:
                    timer.incident_at, timer.retry_at = now, None
                    log.error("timer %s of instance %s failed %d times and is now an incident: %s",
                              timer.id, timer.instance_id, timer.attempts, logsafe.describe(exc))
                else:
                    timer.retry_at = now + RETRY_AFTER[timer.attempts - 1]
                    log.warning("timer %s of instance %s failed (attempt %d of %d), again from %s: %s",
                                timer.id, timer.instance_id, timer.attempts, MAX_ATTEMPTS,
                                timer.retry_at.isoformat(), logsafe.describe(exc))
            uow.commit()
            return len(timers)


def not_paused(instance_id):
    """SQL: the case of `instance_id` does not have its deadlines paused."""
    return ~select(Instance.id).where(Instance.id == instance_id, Instance.paused_at.is_not(None)).exists()
