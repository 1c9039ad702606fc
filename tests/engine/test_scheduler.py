"""The scheduler's side of the engine: claims with a lease, retries with growing pauses,
incidents, and several scheduler processes (and a killed one) sharing one PostgreSQL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import Engine, NotFound
from engine.api import MAX_ATTEMPTS, RETRY_AFTER
from engine.db import HistoryEntry, HumanTask, Instance, Partner, Timer
from tests.engine.bpmn import simple_process
from tests.engine.bulk import copy_case

# A user task with a timer on its border, one hour after the start; firing it leaves one
# history row "termijn" (the effect that is counted) and keeps the task open.
TIMER_PROCESS = simple_process("tijd", timer='"PT1H"')
BROKEN_PROCESS = simple_process("breekbaar", timer='"PT1H"').replace(
    '<bpmn:endEvent id="termijn_einde" />',
    '<bpmn:scriptTask id="termijn_einde"><bpmn:script>y = 1 / teller</bpmn:script></bpmn:scriptTask>')


def deploy(engine: Engine, folder, *documents: tuple[str, str]) -> None:
    (folder / "processes").mkdir(exist_ok=True)
    for name, text in documents:
        (folder / "processes" / name).write_text(text)
    engine.deploy(folder / "processes")


def firings(engine: Engine, effect: str = "termijn") -> Counter:
    """How often each case's timer fired, counted from its effect: the history row of `effect`
    (a repeating timer stays waiting, so there it is the end event of its path)."""
    with engine.database.unit_of_work(write=False) as uow:
        return Counter(uow.session.scalars(select(HistoryEntry.instance_id).where(HistoryEntry.bpmn_id == effect)))


def timer_row(engine: Engine, instance_id: int) -> Timer:
    with engine.database.unit_of_work(write=False) as uow:
        row = uow.session.scalars(select(Timer).where(Timer.instance_id == instance_id)).one()
        uow.session.expunge(row)  # a snapshot: leaving the unit of work expires what it still holds
        return row


# -- claims --------------------------------------------------------------------------------------------

def test_a_timer_another_scheduler_holds_waits_for_its_lease_and_then_fires_once(engine, tmp_path, clock):
    deploy(engine, tmp_path, ("tijd.bpmn", TIMER_PROCESS))
    case = engine.start("tijd", {}, actor="piet")
    due = clock.now + timedelta(hours=1)
    assert engine._claim_due_timers(due, "elders:4711", timedelta(minutes=5), batch=10) == [
        (timer_row(engine, case).id, case)]

    assert engine.fire_due_timers(due + timedelta(minutes=4)) == 0  # still held by elders:4711
    assert firings(engine) == Counter()
    assert engine.fire_due_timers(due + timedelta(minutes=5)) == 1  # its lease ran out
    assert engine.fire_due_timers(due + timedelta(minutes=6)) == 0
    assert firings(engine) == Counter({case: 1})


def test_a_round_fires_more_timers_than_one_batch_holds(engine, tmp_path, clock):
    deploy(engine, tmp_path, ("tijd.bpmn", TIMER_PROCESS))
    cases = [engine.start("tijd", {}, actor="piet") for _ in range(7)]
    assert engine.fire_due_timers(clock.now + timedelta(hours=1), batch=3) == 7
    assert firings(engine) == Counter({case: 1 for case in cases})
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Timer)) == 0


def test_a_batch_reads_the_directing_partner_once_for_all_its_cases(engine, tmp_path, clock, statements):
    """The directing partner takes part in every rights request (processes/process_rules.json); a
    batch of 100 such timers read the partner register 100 times, a sixth of firing them."""
    with engine.database.unit_of_work() as uow:
        uow.session.add(Partner(id="gemeente_heerenveen", name="Gemeente Heerenveen", kind="convenant",
                                grondslag="Wmo 2015", active=True, directs=True))
        uow.commit()
    deploy(engine, tmp_path, ("rechten.bpmn", simple_process("rechten_betrokkene", timer='"PT1H"')))
    cases = [engine.start("rechten_betrokkene", {}, actor="piet") for _ in range(5)]

    seen = statements.during(lambda: engine.fire_due_timers(clock.now + timedelta(hours=1)))

    assert firings(engine) == Counter({case: 1 for case in cases})
    assert len([s for s in seen if "FROM partners WHERE partners.directs" in s]) == 1
    # Each case still counts it: the step wrote what it worked out with the one read.
    with engine.database.unit_of_work(write=False) as uow:
        participants = list(uow.session.scalars(select(Instance.participants).where(Instance.id.in_(cases))))
    assert participants == [["gemeente_heerenveen"]] * len(cases)


def test_a_repeating_reminder_fires_once_per_moment_and_its_next_moment_waits_unclaimed(engine, tmp_path, clock):
    cycle = simple_process("herhaal", timer='"R3/PT1H"').replace("timeDuration", "timeCycle")
    deploy(engine, tmp_path, ("herhaal.bpmn", cycle))
    cases = [engine.start("herhaal", {}, actor="piet") for _ in range(3)]

    for hour in (1, 2, 3):
        moment = clock.now + timedelta(hours=hour, seconds=1)
        assert engine.fire_due_timers(moment) == 3
        assert engine.fire_due_timers(moment) == 0  # once per moment
        assert firings(engine, "termijn_einde") == Counter({case: hour for case in cases})
        if hour < 3:
            row = timer_row(engine, cases[0])
            # Let go by the scheduler that fired it: another may fire the next moment.
            assert (row.due_at, row.lock_owner, row.retry_at) == (clock.now + timedelta(hours=hour + 1), None, None)
    assert engine.timers() == []


# SQLite lets one writer in at a time: there the caseworker would wait for the batch instead.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_batch_fires_in_one_transaction_and_a_case_changed_meanwhile_costs_the_others_nothing(
        engine, tmp_path, clock, monkeypatch, caplog):
    deploy(engine, tmp_path, ("tijd.bpmn", TIMER_PROCESS))
    cases = [engine.start("tijd", {}, actor="piet") for _ in range(5)]
    paused = cases[-1]
    load, raced = engine.store.load, []

    def load_while_a_caseworker_pauses_a_case(definition, state):
        # A caseworker's command commits while the scheduler's batch transaction is open:
        # after it read the cases, before it wrote them.
        if not raced:
            raced.append(engine.pause_deadlines(paused, "Wacht op identiteitsbewijs", actor="piet"))
        return load(definition, state)

    monkeypatch.setattr(engine.store, "load", load_while_a_caseworker_pauses_a_case)
    moment = clock.now + timedelta(hours=1)
    with caplog.at_level("INFO", logger="engine.firing"):
        fired = engine.fire_due_timers(moment)

    # The batch lost the race as a whole and each case was fired on its own: the paused one
    # not (its clock stands still), the others once, and nothing counts as a failure.
    assert "firing 5 cases together lost a race" in caplog.text
    assert fired == 4
    assert firings(engine) == Counter({case: 1 for case in cases[:-1]})
    row = timer_row(engine, paused)
    assert (row.attempts, row.lock_owner, row.incident_at, row.last_error) == (0, None, None, None)
    engine.resume_deadlines(paused, actor="piet")
    assert engine.fire_due_timers(moment + timedelta(seconds=1)) == 1
    assert firings(engine) == Counter({case: 1 for case in cases})


# -- failures ------------------------------------------------------------------------------------------

def test_a_failing_timer_is_tried_again_after_growing_pauses_and_then_becomes_an_incident(engine, tmp_path, clock):
    deploy(engine, tmp_path, ("breekbaar.bpmn", BROKEN_PROCESS), ("tijd.bpmn", TIMER_PROCESS))
    broken = engine.start("breekbaar", {"teller": 0}, actor="piet")
    healthy = engine.start("tijd", {}, actor="piet")
    moment = clock.now + timedelta(hours=1)

    assert engine.fire_due_timers(moment) == 1  # the healthy case is not held up
    assert firings(engine) == Counter({healthy: 1})
    for attempt, pause in enumerate(RETRY_AFTER, start=1):
        row = timer_row(engine, broken)
        assert (row.attempts, row.retry_at, row.incident_at, row.lock_owner) == (attempt, moment + pause, None, None)
        assert "ZeroDivisionError" in row.last_error or "division by zero" in row.last_error
        assert engine.fire_due_timers(moment + pause - timedelta(seconds=1)) == 0
        assert timer_row(engine, broken).attempts == attempt  # not tried before its pause is over
        moment += pause
        assert engine.fire_due_timers(moment) == 0

    row = timer_row(engine, broken)
    assert (row.attempts, row.incident_at, row.retry_at) == (MAX_ATTEMPTS, moment, None)
    [incident] = engine.incidents()
    assert (incident.timer_id, incident.instance_id, incident.process_id, incident.bpmn_id, incident.attempts) == (
        row.id, broken, "breekbaar", "termijn", MAX_ATTEMPTS)
    assert engine.fire_due_timers(moment + timedelta(days=30)) == 0
    assert timer_row(engine, broken).attempts == MAX_ATTEMPTS  # an incident waits for a person

    engine.retry_incident(row.id)
    assert engine.incidents() == []
    assert engine.fire_due_timers(moment + timedelta(days=30)) == 0  # tried at once, fails again
    row = timer_row(engine, broken)
    assert (row.attempts, row.incident_at) == (1, None)
    with pytest.raises(NotFound):
        engine.retry_incident(row.id)  # no longer an incident


# -- several processes ---------------------------------------------------------------------------------

def run_schedulers(database_url: str, count: int, *options: str) -> list[subprocess.Popen]:
    env = dict(os.environ, ZVT_DATABASE_URL=database_url, ZVT_ENV="development", PYTHONUNBUFFERED="1")
    command = [sys.executable, "-c", "from zvt.cli import main; main()", "scheduler", "--once", *options]
    return [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(count)]


def fired_by(process: subprocess.Popen) -> int:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return int(out.split()[1])  # "fired N timers"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_three_schedulers_at_once_fire_each_of_2000_timers_exactly_once(engine, tmp_path, database_url):
    deploy(engine, tmp_path, ("tijd.bpmn", TIMER_PROCESS))
    # Started on the test clock's Friday: due long before the real now the schedulers use.
    cases = [engine.start("tijd", {}, actor="piet")]
    cases += copy_case(engine, cases[0], 1999)

    counts = [fired_by(p) for p in run_schedulers(database_url, 3)]

    assert sum(counts) == 2000 and all(count > 0 for count in counts), counts  # all three took part
    assert firings(engine) == Counter({case: 1 for case in cases})
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Timer)) == 0
        assert uow.session.scalar(select(func.count()).select_from(HumanTask)) == 2000  # the tasks stay open


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_timers_of_a_killed_scheduler_fire_once_after_its_lease(engine, tmp_path, database_url):
    deploy(engine, tmp_path, ("tijd.bpmn", TIMER_PROCESS))
    cases = [engine.start("tijd", {}, actor="piet")]
    cases += copy_case(engine, cases[0], 599)
    lease = 4

    [victim] = run_schedulers(database_url, 1, "--lease", str(lease))
    # Frozen first, so that it is killed holding claims, not between two batches.
    for _attempt in range(20):
        owner = _wait_for_claims(engine, victim).pop()
        victim.send_signal(signal.SIGSTOP)
        with engine.database.unit_of_work(write=False) as uow:
            orphaned = set(uow.session.scalars(select(Timer.id).where(Timer.lock_owner == owner)))
        if orphaned:
            break
        victim.send_signal(signal.SIGCONT)
    assert orphaned, "the scheduler was never stopped while holding claims"
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=30)
    killed_at = time.monotonic()
    assert victim.returncode == -signal.SIGKILL

    # Another scheduler right away: it fires everything but what the dead one still holds.
    [first] = run_schedulers(database_url, 1, "--lease", str(lease))
    fired_by(first)
    if time.monotonic() - killed_at < lease:
        with engine.database.unit_of_work(write=False) as uow:
            assert set(uow.session.scalars(select(Timer.id))) == orphaned
    # After the lease: those too, once.
    time.sleep(max(0.0, lease - (time.monotonic() - killed_at)) + 0.5)
    [second] = run_schedulers(database_url, 1, "--lease", str(lease))
    fired_by(second)

    assert firings(engine) == Counter({case: 1 for case in cases})
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Timer)) == 0


def _wait_for_claims(engine: Engine, process: subprocess.Popen) -> set[str]:
    """Wait until the scheduler holds claims and has fired some timers; return the claim owner."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        with engine.database.unit_of_work(write=False) as uow:
            owners = set(uow.session.scalars(select(Timer.lock_owner).where(Timer.lock_owner.is_not(None))))
            fired = uow.session.scalar(select(func.count()).select_from(HistoryEntry).where(
                HistoryEntry.bpmn_id == "termijn"))
        if owners and fired:
            return owners
        time.sleep(0.05)
    raise AssertionError("the scheduler never claimed a timer")


# -- skipping an incident --------------------------------------------------------------------------------

def test_a_skipped_incident_leaves_its_task_open_without_the_timer_and_says_why(engine, tmp_path, clock):
    from engine import ReasonRequired
    from tests.web.test_incidents_page import make_incident

    case, timer_id = make_incident(engine, tmp_path, clock)
    with pytest.raises(ReasonRequired):
        engine.skip_incident(timer_id, "  ", actor="beheerder")
    engine.skip_incident(timer_id, "Script deelt door nul; proceseigenaar past het aan.", actor="beheerder")
    assert engine.incidents() == [] and engine.timers(case) == []
    [task] = engine.ready_tasks(case)  # the task the timer sat on is still open
    [entry] = [h for h in engine.history(case) if h.task_type == "IncidentSkipped"]
    assert (entry.actor, entry.data) == ("beheerder", {"element": "termijn",
                                                       "reden": "Script deelt door nul; proceseigenaar past het aan."})
    assert engine.fire_due_timers(clock.now + timedelta(days=30)) == 0  # nothing left to fire or fail
    engine.complete(task.id, {}, actor="piet")
    assert engine.instance(case).status == "completed"
    with pytest.raises(NotFound):
        engine.skip_incident(timer_id, "Nog eens", actor="beheerder")
