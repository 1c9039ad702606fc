"""Engine code a BPMN step runs, in the step's own transaction: `zvt:actie` on a script task.

Most steps change only their case: its data, tasks, timers, history and the mails it causes
(engine/steps.py). A few must change other tables as part of the process, where the process
owner sees them in the diagram: the toegangsreview generates its lists from the accounts when
it starts and lets the unconfirmed rights lapse at its deadline. Such a step is a script task
with `zvt:actie="<name>"`; just before the task runs, the engine calls the action named here
with the step's database session, the case, the task's data and the step's moment. What the
action returns (plain JSON values) goes into the task's data, so the script and the gateways
after it can read it. Whatever the action wrote is committed with the step, or rolled back with
it: a step that fails leaves nothing of its action behind.

Only the actions listed in ACTIONS exist: a process file cannot name arbitrary code, and
deploying one that names an unknown action, or puts one on anything but a script task, is
refused (`check`). The action's code is trusted engine code, not sandboxed; it runs under the
step's CPU budget like the rest of the step.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime

from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask

from . import runtime

ACTION_PROPERTY = "actie"

# name -> "module:function"; the function is called as f(session, instance, data, now) -> dict.
ACTIONS: dict[str, str] = {
    "toegangsreview_opstellen": "engine.access_review:open_review",
    "toegangsreview_laten_vervallen": "engine.access_review:lapse",
}


def action_of(spec) -> str | None:
    return runtime.properties(spec).get(ACTION_PROPERTY)


def check(spec) -> None:
    """Raise ValueError, with the reason, when the element's action cannot run."""
    name = action_of(spec)
    if name is None:
        return
    if name not in ACTIONS:
        raise ValueError(f"attribute 'zvt:actie' must be one of: {', '.join(sorted(ACTIONS))}; not {name!r}")
    if not isinstance(spec, ScriptTask):
        raise ValueError("attribute 'zvt:actie' belongs on a script task")


def _function(name: str) -> Callable:
    module, _, function = ACTIONS[name].partition(":")
    return getattr(importlib.import_module(module), function)


class ActionRunner:
    """The `will_complete_task` callback of one step: runs the action of each task about to
    run that has one. `ran` says whether any did, so a caller that steps many cases in one
    transaction knows this case's failure left rows in it."""

    def __init__(self, session, instance, now: datetime):
        self.session, self.instance, self.now = session, instance, now
        self.ran = False

    def __call__(self, task) -> None:
        name = action_of(task.task_spec)
        if name is None:
            return
        self.ran = True
        result = _function(name)(self.session, self.instance, dict(task.data), self.now)
        task.data.update(result or {})
