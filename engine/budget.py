"""A CPU budget for one step of a case: scripts, conditions, timer expressions, DMN cells.

BPMN scripts are untrusted (engine/sandbox.py). Without a budget `while True: pass` in one
aanmelding holds a web worker - and on SQLite the one write lock - forever, and one such case
among the scheduler's due timers stops every other case of the batch.

Why a trace function, and not the other mechanisms:
* SIGALRM/setitimer only reaches the main thread (the development server and the embedded
  scheduler run steps in other threads) and, like a trace function, only between bytecodes.
* A worker process with rlimits would contain everything, C code included, but every step
  would then ship its workflow, task data and helper calls (`nu()` reads the engine's clock)
  across a process boundary: far more than the 10 % the flat-cost benchmark allows, and much
  more code to get right than the few lines below.
* `sys.settrace` is on only while sandboxed code runs (and what it calls), so the engine's own
  work costs nothing extra. Python reports an 'opcode' event for every instruction of a script and a
  'line' event for every line of the helpers it calls, so no Python-level loop, comprehension or
  recursion escapes it; every 256 events
  the thread's CPU time (`time.thread_time`, so time spent waiting for the GIL or the database
  does not count) is compared with the step's deadline.
What a trace function cannot interrupt is one long call into C (`'a' * 10**10`,
`sum(range(10**12))`); engine/size_guards.py refuses those before they start, by the size of
what they would build.

`BudgetExceeded` derives from BaseException, not Exception: SpiffWorkflow turns every Exception
of a script into a BPMN error that an error boundary event could catch and route onwards, and a
script could catch it with `except Exception:` and loop on. Scripts cannot name BaseException and
may not write a bare `except:` (engine/sandbox.py), and once the deadline has passed every further
line raises it again.
"""
from __future__ import annotations

import ctypes
import sys
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

DEFAULT_SECONDS = 3.0
# Deeper than any script needs, far below Python's own limit of 1000 frames.
MAX_DEPTH = 200
_CHECK_EVERY = 256  # trace events between two looks at the clock: a look costs ~0.3 µs
# The file name the sandbox compiles scripts under (engine/sandbox.py).
SCRIPT_FILENAME = "<string>"


class BudgetExceeded(BaseException):
    """A step used more CPU time than its budget, or script calls nested deeper than MAX_DEPTH."""


# The CPU-time moment (time.thread_time) the running step must be done by, and its budget.
_deadline: ContextVar[tuple[float, float] | None] = ContextVar("zvt_step_deadline", default=None)


@contextmanager
def step_budget(seconds: float = DEFAULT_SECONDS):
    """Everything sandboxed inside the block shares `seconds` of this thread's CPU time."""
    token = _deadline.set((time.thread_time() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    """Raise BudgetExceeded when the running step is past its deadline; for loops outside
    scripts, such as SpiffWorkflow's engine steps (a BPMN loop of script tasks)."""
    deadline = _deadline.get()
    if deadline is not None and time.thread_time() > deadline[0]:
        raise BudgetExceeded(f"the step used more than its {deadline[1]:g} s of CPU time")


def run(function, *args):
    """`function(*args)` - exec or eval of sandboxed code - under the running step's budget,
    or under a budget of its own when no step is running."""
    deadline = _deadline.get()
    if deadline is None:
        with step_budget():
            return run(function, *args)
    limit, seconds = deadline
    clock = time.thread_time
    events = depth = 0
    over = False

    def local(frame, event, arg):
        nonlocal events, depth, over
        if event == "opcode" or event == "line":
            events += 1
            if over or (events % _CHECK_EVERY == 0 and clock() > limit):
                over = True
                raise BudgetExceeded(f"the step used more than its {seconds:g} s of CPU time")
        elif event == "return":
            depth -= 1
        return local

    def on_call(frame, event, arg):
        nonlocal depth, over
        depth += 1
        if over or depth > MAX_DEPTH:
            over = True
            raise BudgetExceeded(f"scripts may call functions at most {MAX_DEPTH} deep")
        if frame.f_code.co_filename == SCRIPT_FILENAME:
            # Python 3.11 reports no line event for a loop that jumps to itself (`while True:
            # pass`); opcode events see it. Only for the script's own code: the helpers it calls
            # are ours, and line events suffice there.
            frame.f_trace_opcodes = True
        return local

    previous = sys.gettrace()
    # Only frames entered from here on are traced: this frame is not, so its `finally` always
    # runs and puts the previous trace function (a debugger's, coverage's) back.
    sys.settrace(on_call)
    try:
        return function(*args)
    finally:
        sys.settrace(previous)


@contextmanager
def wall_clock_limit(seconds: float):
    """Raise BudgetExceeded in this thread once the block has run `seconds` (wall clock).

    For our own code working on untrusted input, deploy's parser: tracing it as scripts are
    traced made a deploy of the covenant's processes 2.7 times slower (0.5 s to 1.3 s of CPU),
    so a timer thread instead asks Python to raise the exception in this thread at its next
    bytecode (PyThreadState_SetAsyncExc, which costs nothing until it fires). Leaving the block
    disarms the timer; a block that ran past the limit raises BudgetExceeded also when it ended
    before Python could raise it, and nothing is left to go off later."""
    thread_id = threading.get_ident()
    lock = threading.Lock()
    armed = True
    fired = raised = False

    def fire():
        nonlocal fired
        with lock:
            if armed:
                fired = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(BudgetExceeded))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except BudgetExceeded:
        raised = True
        raise
    finally:
        # Never clear a pending exception with PyThreadState_SetAsyncExc(id, NULL): CPython 3.11
        # then leaves its 'pending' flag on, and a traced frame (budget.run) stalls on its first
        # instruction for good. When the timer fired but the exception has not surfaced yet (the
        # block ended inside a call into C), let it surface here - Python raises it at the next
        # jump back of a loop - and catch it, so it cannot go off later somewhere else.
        try:
            with lock:
                armed = False
            timer.cancel()
            if fired and not raised:
                for _ in range(1_000_000):
                    pass
        except BudgetExceeded:
            pass
    # Only after a block that ended without an exception: past the limit is past the limit, also
    # when the last of the work was one call into C that Python could not interrupt.
    if fired:
        raise BudgetExceeded(f"the block ran longer than {seconds:g} s")
