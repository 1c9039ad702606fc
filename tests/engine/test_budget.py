"""A runaway script fails its own step within the CPU budget, saves nothing and holds up no other
case: in a command, and among the scheduler's due timers, where it ends as an incident."""
from __future__ import annotations

import gc
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine import Engine, StepOverBudget, WorkflowFailed
from engine.api import MAX_ATTEMPTS, RETRY_AFTER
from engine.db import Instance
from tests.engine.bpmn import simple_process
from tests.engine.test_scheduler import TIMER_PROCESS, deploy, firings, timer_row

BUDGET = 0.5  # seconds of CPU time per step, small to keep the tests quick
# Fires one hour after the start and then loops forever on the timer's path.
POISONED_PROCESS = simple_process("vastloper", timer='"PT1H"').replace(
    '<bpmn:endEvent id="termijn_einde" />',
    '<bpmn:scriptTask id="termijn_einde"><bpmn:script>while True: pass</bpmn:script></bpmn:scriptTask>')


@pytest.fixture
def budgeted(database_url, clock):
    # The budget counts the thread's CPU time, a full garbage collection included. Late in a test
    # worker, with a million objects left by earlier tests, one took 0.7-1.3 s: more than this
    # budget, so a healthy start failed. Frozen, those objects are passed over until the test ends.
    gc.freeze()
    engine = Engine(database_url, clock=clock, step_seconds=BUDGET)
    yield engine
    gc.unfreeze()
    engine.close()


def cases(engine: Engine) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Instance))


@pytest.mark.parametrize("script", [
    "while True: pass",
    "x = 0\nwhile True:\n    try:\n        x = x + 1\n    except Exception:\n        pass",
    "n = sum(1 for a in range(10**6) for b in range(10**6))",
])
def test_a_runaway_script_fails_its_step_within_the_budget_and_saves_nothing(budgeted, tmp_path, script):
    deploy(budgeted, tmp_path, ("loop.bpmn", simple_process("loop", script=script)),
           ("gewoon.bpmn", simple_process("gewoon")))
    # The engine runs the step in this thread: its CPU time is what the budget counts (wall time
    # would also count other processes on a busy machine).
    started = time.thread_time()
    with pytest.raises(StepOverBudget, match="more than its 0.5 s of CPU time"):
        budgeted.start("loop", {}, actor="piet")
    assert time.thread_time() - started < BUDGET + 1
    assert cases(budgeted) == 0
    # The engine, its connections and the write lock are free for the next command.
    assert budgeted.ready_tasks(instance_id=budgeted.start("gewoon", {}, actor="piet"))


@pytest.mark.parametrize("script", ["x = 'a' * 10**8", "x = [0] * 10**9", "x = 10 ** 10**8",
                                    "x = 'a'.ljust(10**9)", "x = list(range(10**12))"])
def test_a_script_that_would_build_something_huge_fails_at_once_and_saves_nothing(budgeted, tmp_path, script):
    deploy(budgeted, tmp_path, ("groot.bpmn", simple_process("groot", script=script)))
    started = time.thread_time()
    with pytest.raises(WorkflowFailed, match="too large"):
        budgeted.start("groot", {}, actor="piet")
    assert time.thread_time() - started < BUDGET  # refused before it starts: no budget spent
    assert cases(budgeted) == 0


def test_recursion_stops_at_the_depth_limit(budgeted, tmp_path):
    deploy(budgeted, tmp_path, ("diep.bpmn", simple_process("diep", script="def f(n):\n    return f(n + 1)\nx = f(0)")))
    with pytest.raises(StepOverBudget, match="at most 200 deep"):
        budgeted.start("diep", {}, actor="piet")


def test_the_budget_is_for_the_whole_step_so_a_loop_of_script_tasks_stops_too(budgeted, tmp_path):
    # Each script is quick; the BPMN loop around them never waits for anyone.
    loop = simple_process("rondje", script="x = 1", condition="False").replace(
        '<bpmn:userTask id="controle" name="Controleren" />',
        '<bpmn:scriptTask id="controle" name="Nog eens"><bpmn:script>y = 2</bpmn:script></bpmn:scriptTask>'
    ).replace('sourceRef="keuze" targetRef="einde_anders"', 'sourceRef="keuze" targetRef="script"')
    deploy(budgeted, tmp_path, ("rondje.bpmn", loop))
    with pytest.raises(StepOverBudget):
        budgeted.start("rondje", {}, actor="piet")
    assert cases(budgeted) == 0


def test_a_poisoned_case_among_150_due_timers_leaves_149_fired_and_becomes_one_incident(budgeted, tmp_path, clock):
    deploy(budgeted, tmp_path, ("tijd.bpmn", TIMER_PROCESS), ("vastloper.bpmn", POISONED_PROCESS))
    healthy = [budgeted.start("tijd", {}, actor="piet") for _ in range(149)]
    poisoned = budgeted.start("vastloper", {}, actor="piet")

    moment = clock.now + timedelta(hours=1)
    assert budgeted.fire_due_timers(moment) == 149
    assert firings(budgeted) == Counter({case: 1 for case in healthy})
    row = timer_row(budgeted, poisoned)
    assert (row.attempts, row.lock_owner, row.incident_at) == (1, None, None)
    assert row.last_error.startswith("StepOverBudget")

    # Each retry costs one budget and nothing else; after the last it waits for a person.
    for pause in RETRY_AFTER:
        moment += pause
        assert budgeted.fire_due_timers(moment) == 0
    row = timer_row(budgeted, poisoned)
    assert row.attempts == MAX_ATTEMPTS and row.incident_at is not None
    assert [i.instance_id for i in budgeted.incidents()] == [poisoned]
    assert budgeted.fire_due_timers(moment + timedelta(days=1)) == 0
    assert firings(budgeted) == Counter({case: 1 for case in healthy})


# A child process, so a regression stalls the child, which the test then reports, and not the
# test worker. Each block is one way wall_clock_limit can end; after each, a script under the step
# budget must still run at once, and nothing may be raised later in the thread.
AFTER_THE_LIMIT = """
import time
from engine import budget

def script(source):
    return budget.run(eval, compile(source, budget.SCRIPT_FILENAME, "eval"), {})

with budget.wall_clock_limit(60):
    pass
print(script("1 + 1"))
try:
    with budget.wall_clock_limit(0.05):
        while True:
            pass
except budget.BudgetExceeded:
    print("loop stopped")
print(script("2 + 2"))
try:
    with budget.wall_clock_limit(0.05):
        time.sleep(0.2)  # one C call past the limit, the last thing in the block
except budget.BudgetExceeded:
    print("sleep stopped")
total = sum(i for i in range(100_000))
print(script("3 + 3"))
"""


def test_a_deploy_time_limit_leaves_the_thread_able_to_run_scripts():
    """A deploy reads its files under wall_clock_limit and then starts the scheduled processes,
    whose timer expressions run under the step budget: a limit that left the interpreter's
    async-exception flag on made that first expression stall forever."""
    import subprocess
    import sys
    from pathlib import Path

    done = subprocess.run([sys.executable, "-c", AFTER_THE_LIMIT], capture_output=True, text=True,
                          timeout=30, cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == ["2", "loop stopped", "4", "sleep stopped", "6", ""]
