"""Plain-SpiffWorkflow baseline for the flat-cost benchmark.

Why this exists: our engine claims a flat per-step cost on looping processes.
To show that, we need the baseline: how *plain* SpiffWorkflow 3.2.0 degrades
on a simple loop (one user task, an exclusive gateway looping back, and a
non-interrupting boundary timer on the user task).  In plain SpiffWorkflow
every loop iteration appends new tasks *below* the previous ones in a single
task tree, so the tree gets one level deeper per cycle (and each cycle leaves
behind a WAITING boundary-timer branch).  Step time grows with the tree, the
whole-JSON state grows linearly, and eventually the recursive tree walks hit
Python's recursion limit.

Nothing runs on import; ``python bench/plain_spiff.py`` prints a report.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

BPMN = Path(__file__).parent / 'processes' / 'zorgoverleg_loop.bpmn'
PROCESS_ID = 'zorgoverleg_loop'


def load_spec():
    """Parse the loop process; returns (spec, subprocess_specs)."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_files([str(BPMN)])
    return parser.get_spec(PROCESS_ID), parser.get_subprocess_specs(PROCESS_ID)


def _new_workflow() -> BpmnWorkflow:
    spec, subprocess_specs = load_spec()
    wf = BpmnWorkflow(spec, subprocess_specs)
    wf.do_engine_steps()
    return wf


def _serializer() -> BpmnWorkflowSerializer:
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def _complete_user_task(wf: BpmnWorkflow, vervolg: str = 'doorgaan') -> None:
    """Complete the single READY user task and run the engine."""
    ready = wf.get_tasks(state=TaskState.READY, manual=True)
    if len(ready) != 1:
        raise RuntimeError(f'expected 1 READY user task, found {len(ready)}')
    task = ready[0]
    task.data['vervolg'] = vervolg
    task.run()
    wf.do_engine_steps()


def run_in_memory(cycles: int) -> dict:
    """One BpmnWorkflow kept in memory; time each loop cycle.

    Returns {'step_ms': [...], 'died_at': cycle number (1-based) or None}.
    """
    wf = _new_workflow()
    step_ms: list[float] = []
    died_at = None
    for cycle in range(1, cycles + 1):
        t0 = time.perf_counter()
        try:
            _complete_user_task(wf)
        except RecursionError:
            died_at = cycle
            break
        step_ms.append((time.perf_counter() - t0) * 1000.0)
    return {'step_ms': step_ms, 'died_at': died_at}


def run_serialised(cycles: int) -> dict:
    """Same loop, but every cycle round-trips the whole workflow through JSON.

    Each cycle = deserialize_json(state) -> complete user task ->
    do_engine_steps -> serialize_json.  Returns {'step_ms': [...],
    'state_bytes': [len(json) after each cycle], 'died_at': cycle or None}.
    """
    serializer = _serializer()
    state = serializer.serialize_json(_new_workflow())
    step_ms: list[float] = []
    state_bytes: list[int] = []
    died_at = None
    for cycle in range(1, cycles + 1):
        t0 = time.perf_counter()
        try:
            wf = serializer.deserialize_json(state)
            _complete_user_task(wf)
            state = serializer.serialize_json(wf)
        except RecursionError:
            died_at = cycle
            break
        step_ms.append((time.perf_counter() - t0) * 1000.0)
        state_bytes.append(len(state))
    return {'step_ms': step_ms, 'state_bytes': state_bytes, 'died_at': died_at}


def serialised_step_ms(cycle_at: int, samples: int) -> float:
    """Median ms of the deserialise+complete+run+serialise step.

    The workflow is first driven (untimed, in memory) through ``cycle_at``
    cycles; then ``samples`` consecutive serialised steps are timed.
    """
    serializer = _serializer()
    wf = _new_workflow()
    for _ in range(cycle_at):
        _complete_user_task(wf)
    state = serializer.serialize_json(wf)
    times: list[float] = []
    for _ in range(samples):
        t0 = time.perf_counter()
        wf = serializer.deserialize_json(state)
        _complete_user_task(wf)
        state = serializer.serialize_json(wf)
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def serialised_starts_ms(count: int) -> list[float]:
    """Milliseconds per start with its first task done, persisted the way an application
    without a database would: the parsed spec kept (as the engine keeps it), then per case a new
    workflow run to its first task and serialised (the start), and deserialised, the task
    completed, the engine run and serialised again (the first task)."""
    serializer = _serializer()
    spec, subprocess_specs = load_spec()
    times: list[float] = []
    for _ in range(count):
        t0 = time.perf_counter()
        wf = BpmnWorkflow(spec, subprocess_specs)
        wf.do_engine_steps()
        state = serializer.serialize_json(wf)
        wf = serializer.deserialize_json(state)
        _complete_user_task(wf)
        state = serializer.serialize_json(wf)
        times.append((time.perf_counter() - t0) * 1000.0)
    return times


def _window_median(values: list[float], cycle: int, half: int = 2) -> float | None:
    """Median of values around 1-based ``cycle`` (window of 2*half+1)."""
    i = cycle - 1
    if i >= len(values):
        return None
    lo, hi = max(0, i - half), min(len(values), i + half + 1)
    return statistics.median(values[lo:hi])


def _fmt_ms(v: float | None) -> str:
    return '   n/a' if v is None else f'{v:7.2f}'


def main() -> None:
    print(f'plain SpiffWorkflow baseline: {BPMN.name} '
          f'(python {sys.version.split()[0]}, recursionlimit {sys.getrecursionlimit()})')

    mem = run_in_memory(400)
    print('\nin memory (one BpmnWorkflow, up to 400 cycles)')
    for c in (10, 100, 200, 300):
        print(f'  cycle {c:3d}: {_fmt_ms(_window_median(mem["step_ms"], c))} ms/step')
    print(f'  died_at: {mem["died_at"]}  (completed cycles: {len(mem["step_ms"])})')

    ser = run_serialised(300)
    print('\nwhole-JSON serialised (deserialize -> step -> serialize, up to 300 cycles)')
    for c in (10, 100, 200, 300):
        print(f'  cycle {c:3d}: {_fmt_ms(_window_median(ser["step_ms"], c))} ms/step')
    for c in (10, 100, 300):
        if c <= len(ser['state_bytes']):
            print(f'  state at cycle {c:3d}: {ser["state_bytes"][c - 1] / 1024:8.1f} KB')
        else:
            print(f'  state at cycle {c:3d}:      n/a')
    print(f'  died_at: {ser["died_at"]}  (completed cycles: {len(ser["step_ms"])})')


if __name__ == '__main__':
    main()
