from datetime import datetime, timedelta, timezone

import pytest

from engine import TaskClosedByDeadline
from engine.clock import AMSTERDAM
from tests.engine.bpmn import simple_process

GOOD = {"besluit": "oppakken", "toelichting": "Huurachterstand, team pakt het op."}


def test_a_waiting_timer_is_mirrored_to_a_timer_row(deployed, clock):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    [timer] = deployed.timers(instance_id)
    assert timer.bpmn_id == "termijn_verlopen"
    assert timer.due_at == clock.now + timedelta(days=3)
    assert timer.due_at.tzinfo is not None


def test_nothing_fires_before_the_moment(deployed, clock):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    assert deployed.fire_due_timers(clock.now + timedelta(days=3) - timedelta(seconds=1)) == 0
    assert [t.bpmn_id for t in deployed.ready_tasks(instance_id)] == ["beoordeling"]


def test_a_timer_fires_at_its_moment_once_and_escalates_without_cancelling_the_task(deployed, clock):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    due = clock.now + timedelta(days=3)

    assert deployed.fire_due_timers(due) == 1
    assert deployed.fire_due_timers(due + timedelta(hours=1)) == 0

    tasks = {t.bpmn_id: t for t in deployed.ready_tasks(instance_id)}
    assert set(tasks) == {"beoordeling", "escalatie"}
    assert tasks["escalatie"].lane == "teamleider"
    assert tasks["beoordeling"].due_at == due  # still shown, now overdue
    assert deployed.timers(instance_id) == []
    fired = [h for h in deployed.history(instance_id) if h.bpmn_id == "termijn_verlopen"]
    assert [(h.actor, h.finished_at) for h in fired] == [("scheduler", due)]


def test_the_clock_of_the_engine_is_used_when_no_moment_is_given(deployed, clock):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    clock.advance(days=3, minutes=1)
    assert deployed.fire_due_timers() == 1
    assert len(deployed.ready_tasks(instance_id)) == 2


def test_completing_the_task_first_removes_its_timer(deployed, clock):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    [task] = deployed.ready_tasks(instance_id)
    deployed.complete(task.id, GOOD, actor="anna")

    assert deployed.timers(instance_id) == []
    assert deployed.fire_due_timers(clock.now + timedelta(days=30)) == 0
    assert [t.bpmn_id for t in deployed.ready_tasks(instance_id)] == ["plan"]


def test_timers_of_many_instances_fire_in_one_round(deployed, clock):
    ids = [deployed.start("proef_casus", {}, actor="piet") for _ in range(5)]
    assert deployed.fire_due_timers(clock.now + timedelta(days=4)) == 5
    assert all(len(deployed.ready_tasks(i)) == 2 for i in ids)


def test_a_naive_timer_date_means_amsterdam_time(engine, tmp_path):
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "datum.bpmn").write_text(
        simple_process("datum", timer="'2026-12-01T09:00:00'").replace("timeDuration", "timeDate"))
    engine.deploy(tmp_path / "processes")
    instance_id = engine.start("datum", {}, actor="piet")

    [timer] = engine.timers(instance_id)
    assert timer.due_at == datetime(2026, 12, 1, 9, 0, tzinfo=AMSTERDAM)
    assert timer.due_at == datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)


def test_a_broken_instance_does_not_hold_up_the_others(engine, tmp_path, clock):
    # The timer's path runs a script that divides by the case's "teller".
    (tmp_path / "processes").mkdir()
    bpmn = simple_process("breekbaar", timer='"PT1H"')
    bpmn = bpmn.replace('<bpmn:endEvent id="termijn_einde" />',
                        '<bpmn:scriptTask id="termijn_einde"><bpmn:script>y = 1 / teller</bpmn:script></bpmn:scriptTask>')
    (tmp_path / "processes" / "breekbaar.bpmn").write_text(bpmn)
    engine.deploy(tmp_path / "processes")
    broken = engine.start("breekbaar", {"teller": 0}, actor="piet")
    healthy = engine.start("breekbaar", {"teller": 2}, actor="piet")

    assert engine.fire_due_timers(clock.now + timedelta(hours=2)) == 1

    assert [t.instance_id for t in engine.timers()] == [broken]
    assert "termijn_einde" in [h.bpmn_id for h in engine.history(healthy)]
    assert engine.instance(healthy).data["y"] == 0.5
    with engine.database.unit_of_work(write=False) as uow:
        from engine.db import Timer
        [row] = uow.session.query(Timer).all()
        assert row.attempts == 1 and "division by zero" in row.last_error


def _two_timers(deadline: str) -> str:
    # A reminder after one day (marked zvt:herinnering="true") and a
    # deadline given by `deadline`, both non-interrupting, on one user task.
    bpmn = simple_process("herinneren", timer='"P1D"').replace(
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zvt="https://zvt.heerenveen.example/schema/bpmn/1.0"')
    bpmn = bpmn.replace(
        '<bpmn:boundaryEvent id="termijn" attachedToRef="controle" cancelActivity="false">',
        '<bpmn:boundaryEvent id="termijn" attachedToRef="controle" cancelActivity="false" zvt:herinnering="true">')
    return bpmn.replace(
        '<bpmn:endEvent id="termijn_einde" />',
        '<bpmn:endEvent id="termijn_einde" /><bpmn:boundaryEvent id="deadline" attachedToRef="controle" cancelActivity="false">'
        f'<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">{deadline}</bpmn:timeDate>'
        '</bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:endEvent id="deadline_einde" />'
        '<bpmn:sequenceFlow id="flow_deadline" sourceRef="deadline" targetRef="deadline_einde" />')


def test_a_reminder_is_not_the_due_date_and_a_fired_deadline_stays_on_the_task(engine, tmp_path, clock):
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "herinneren.bpmn").write_text(_two_timers('"2026-11-30T17:00:00+01:00"'))
    engine.deploy(tmp_path / "processes")
    instance = engine.start("herinneren", {}, actor="jan")
    deadline = datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
    [task] = engine.ready_tasks(instance)
    assert task.due_at == deadline
    assert engine.fire_due_timers(clock.now + timedelta(days=1)) == 1  # the reminder
    assert engine.task(task.id).due_at == deadline
    assert engine.fire_due_timers(deadline) == 1
    assert engine.task(task.id).due_at == deadline


def test_a_task_whose_deadline_passed_before_it_opened_is_due_at_that_deadline(engine, tmp_path, clock):
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "herinneren.bpmn").write_text(_two_timers('"2026-11-20T17:00:00+01:00"'))
    engine.deploy(tmp_path / "processes")
    instance = engine.start("herinneren", {}, actor="jan")
    [task] = engine.ready_tasks(instance)
    assert task.due_at == datetime(2026, 11, 20, 16, 0, tzinfo=timezone.utc)
    assert "deadline" in [h.bpmn_id for h in engine.history(instance)]


def test_completing_after_a_deadline_the_scheduler_has_not_fired_yet_still_escalates(deployed, clock):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    [task] = deployed.ready_tasks(instance_id)
    clock.advance(days=3, seconds=5)  # due, but no scheduler round since
    deployed.complete(task.id, {"besluit": "oppakken", "toelichting": "Te laat, maar gedaan."}, actor="piet")

    assert sorted(t.bpmn_id for t in deployed.ready_tasks(instance_id)) == ["escalatie", "plan"]
    fired = [h for h in deployed.history(instance_id) if h.bpmn_id == "termijn_verlopen"]
    assert [h.actor for h in fired] == ["scheduler"]
    assert deployed.timers(instance_id) == []


def test_a_task_closed_by_its_interrupting_deadline_cannot_be_completed_and_the_deadline_path_is_saved(engine, tmp_path, clock):
    bpmn = simple_process("onderbreken", timer='"P1D"').replace('cancelActivity="false"', 'cancelActivity="true"')
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "onderbreken.bpmn").write_text(bpmn)
    engine.deploy(tmp_path / "processes")
    instance_id = engine.start("onderbreken", {}, actor="jan")
    [task] = engine.ready_tasks(instance_id)
    clock.advance(days=1, seconds=1)

    with pytest.raises(TaskClosedByDeadline):
        engine.complete(task.id, {}, actor="jan")
    assert engine.instance(instance_id).status == "completed"
    visited = [(h.bpmn_id, h.state) for h in engine.history(instance_id)]
    assert ("controle", "cancelled") in visited and ("termijn_einde", "completed") in visited
