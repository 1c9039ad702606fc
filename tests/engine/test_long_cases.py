"""Cases that run long, branch and call other processes keep working on a pruned workflow."""
import json
from pathlib import Path

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.db import Instance
from tests.conftest import FIXTURES
from tests.engine.bpmn import simple_process

BENCH = Path(__file__).parents[2] / "bench"


def state_size(engine, instance_id):
    with engine.database.unit_of_work(write=False) as uow:
        return len(uow.session.get(Instance, instance_id).state or "")


def test_a_case_with_400_zorgoverleg_cycles_stays_small_and_keeps_all_history(engine, clock):
    # Plain SpiffWorkflow dies with RecursionError at about cycle 330 of this loop.
    engine.deploy(BENCH / "processes", BENCH / "forms")
    instance_id = engine.start("zorgoverleg_loop", {}, actor="anna")
    sizes = {}
    for cycle in range(1, 401):
        [task] = engine.ready_tasks(instance_id)
        engine.complete(task.id, {"vervolg": "doorgaan" if cycle < 400 else "afronden"}, actor="anna")
        clock.advance(hours=1)
        if cycle in (10, 399):
            sizes[cycle] = state_size(engine, instance_id)

    assert sizes[399] <= 1.2 * sizes[10], sizes
    completions = [h for h in engine.history(instance_id) if h.bpmn_id == "zorgoverleg"]
    assert len(completions) == 400
    assert engine.instance(instance_id).status == "completed"


def test_a_timer_on_a_looping_task_keeps_firing_after_many_cycles(engine, clock):
    engine.deploy(BENCH / "processes", BENCH / "forms")
    instance_id = engine.start("zorgoverleg_loop", {}, actor="anna")
    for _ in range(50):
        [task] = engine.ready_tasks(instance_id)
        engine.complete(task.id, {"vervolg": "doorgaan"}, actor="anna")

    clock.advance(days=8)
    assert engine.fire_due_timers() == 1
    assert [h.bpmn_id for h in engine.history(instance_id)][-2:] == ["herinnering", "herinnering_einde"]
    [task] = engine.ready_tasks(instance_id)
    engine.complete(task.id, {"vervolg": "afronden"}, actor="anna")
    assert engine.instance(instance_id).status == "completed"


def test_parallel_branches_join_in_every_round(deployed):
    instance_id = deployed.start("parallel_overleg", {}, actor="anna")
    for round_number in range(1, 4):
        tasks = {t.bpmn_id: t for t in deployed.ready_tasks(instance_id)}
        assert set(tasks) == {"voorbereiden", "inbreng"}, round_number
        assert tasks["inbreng"].lane == "partnermedewerker"
        deployed.complete(tasks["inbreng"].id, {"inbreng": f"ronde {round_number}"}, actor="bert")
        # One branch done: the join waits, the other task is still open.
        assert [t.bpmn_id for t in deployed.ready_tasks(instance_id)] == ["voorbereiden"]
        deployed.complete(tasks["voorbereiden"].id, {"rondes": round_number}, actor="anna")

    view = deployed.instance(instance_id)
    assert view.status == "completed"
    assert [h.bpmn_id for h in deployed.history(instance_id)].count("samen") == 3
    # SpiffWorkflow's join lets the branch that finishes last win for every key, even keys
    # it only inherited, so "inbreng" of round 1 survives. Pruning must not change that:
    # the result is the same as plain SpiffWorkflow's, which keeps its whole tree.
    assert view.data == plain_spiffworkflow_parallel_rounds()
    assert view.data["inbreng"] == "ronde 1"


def plain_spiffworkflow_parallel_rounds():
    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(FIXTURES / "processes" / "parallel_overleg.bpmn")])
    workflow = BpmnWorkflow(parser.get_spec("parallel_overleg"))
    workflow.do_engine_steps()
    for round_number in range(1, 4):
        for bpmn_id, data in (("inbreng", {"inbreng": f"ronde {round_number}"}), ("voorbereiden", {"rondes": round_number})):
            [task] = [t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.bpmn_id == bpmn_id]
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
    assert workflow.is_completed()
    return workflow.data


def test_a_called_process_runs_and_is_dropped_from_the_live_state_when_done(engine, tmp_path):
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "hoofd.bpmn").write_text(simple_process("hoofd", call="deel", script="x = 1"))
    (tmp_path / "processes" / "deel.bpmn").write_text(simple_process("deel", user_task="deeltaak", script="y = x + 1"))
    engine.deploy(tmp_path / "processes")
    instance_id = engine.start("hoofd", {}, actor="anna")

    [inner] = engine.ready_tasks(instance_id)
    assert (inner.process_id, inner.bpmn_id) == ("deel", "deeltaak")
    with engine.database.unit_of_work(write=False) as uow:
        assert len(json.loads(uow.session.get(Instance, instance_id).state)["subprocesses"]) == 1
    engine.complete(inner.id, {}, actor="anna")

    [outer] = engine.ready_tasks(instance_id)
    assert (outer.process_id, outer.bpmn_id) == ("hoofd", "controle")
    with engine.database.unit_of_work(write=False) as uow:
        assert json.loads(uow.session.get(Instance, instance_id).state)["subprocesses"] == {}
    assert engine.instance(instance_id).data["y"] == 2
    assert ("deel", "deeltaak") in [(h.process_id, h.bpmn_id) for h in engine.history(instance_id)]
