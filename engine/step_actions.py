"""Engine code a BPMN step runs, in the step's own transaction: `zvt:actie` on a script task.

Most steps change only their case: its data, tasks, timers, history and the mails it causes
(engine/steps.py). A few must change other tables as part of the process, where the process
owner sees them in the diagram: the toegangsreview generates its lists from the accounts when
it starts and lets the unconfirmed rights lapse at its deadline (engine/access_review.py); the
covenant process puts a new partner in the partner register and sets the leaving day of one that
gave notice (engine/register_changes.py). Such a step is a script task with `zvt:actie="<name>"`;
the engine calls the action named here with the step's database session, the case, the task's
data and the step's moment. Most actions run just before the task's own script, and what they
return (plain JSON values) goes into the task's data, so the script and the gateways after it can
read it. An action that records what the script worked out (the leaving day the script computes)
runs right after the script instead, and returns nothing. Whatever the action wrote is committed
with the step, or rolled back with it: a step that fails leaves nothing of its action behind. An
action that refuses what a form entered raises InvalidTaskData, which reaches the caller as a
mistake on that form.

Only the actions listed in ACTIONS exist: a process file cannot name arbitrary code, and
deploying one that names an unknown action, or puts one on anything but a script task, is
refused (`check`). The action's code is trusted engine code, not sandboxed; it runs under the
step's CPU budget like the rest of the step.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn.specs.mixins.script_task import ScriptTask

from . import runtime, step_writes

ACTION_PROPERTY = "actie"


@dataclass(frozen=True)
class Action:
    target: str  # "module:function", called as f(session, instance, data, now) -> dict | None
    label: str  # what it does, in Dutch, for the process owner in the modeler's panel
    after_script: bool = False  # runs once the task's script has set its data; returns nothing


ACTIONS: dict[str, Action] = {
    "toegangsreview_opstellen": Action(
        "engine.access_review:open_review", "Toegangsreview: lijsten per partner maken uit de accounts"),
    "toegangsreview_laten_vervallen": Action(
        "engine.access_review:lapse", "Toegangsreview: niet bevestigde rechten laten vervallen"),
    "partner_opnemen": Action(
        "engine.register_changes:add_partner", "Convenant: nieuwe partner in het partnerregister zetten"),
    "managementrapportage_cijfers": Action(
        "engine.evaluation_figures:fill", "Jaarlijkse evaluatie: cijfers van het evaluatiejaar berekenen uit de "
        "managementinformatie"),
    "vertrekdag_vastleggen": Action(
        "engine.register_changes:set_leaving_day", "Convenant: einddatum als vertrekdag in het partnerregister "
        "zetten (na het script)", after_script=True),
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


def _function(action: Action) -> Callable:
    module, _, function = action.target.partition(":")
    return getattr(importlib.import_module(module), function)


class ActionRunner:
    """The actions of one step: `before` is its `will_complete_task` callback, `after` its
    `did_complete_task`. `ran` says whether any action ran, so a caller that steps many cases in
    one transaction knows this case's failure left rows in it."""

    def __init__(self, session, instance, now: datetime):
        self.session, self.instance, self.now = session, instance, now
        self.ran = False

    def _action(self, task, after_script: bool) -> Action | None:
        action = ACTIONS.get(action_of(task.task_spec) or "")
        return action if action is not None and action.after_script == after_script else None

    def before(self, task) -> None:
        action = self._action(task, after_script=False)
        if action is not None:
            result = self._run(action, task)
            task.data.update(result or {})

    def after(self, task) -> None:
        # The tasks after this one copied its data already: what the action returned would be lost.
        action = self._action(task, after_script=True)
        if action is not None:
            self._run(action, task)

    def _run(self, action: Action, task) -> dict | None:
        self.ran = True
        if step_writes.is_new(self.instance):  # a start's case has no row yet: the action's rows refer to it
            step_writes.insert_case(self.session, self.instance)
        return _function(action)(self.session, self.instance, dict(task.data), self.now)
