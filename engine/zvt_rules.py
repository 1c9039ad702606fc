"""ZVT's own rules for a changed version of a process, beside what deploy checks and bpmnlint's
recommended rules: the mistakes a modeler makes silently (engine/process_drafts.py runs them).

- `zvt-user-task-form`: every user task has a form. A task without one can only be "done"; a task
  pasted in a modeler gets a new id, so its form is no longer found, and nothing says so.
- `zvt-reminder-stays`: a timer that was a reminder (`zvt:herinnering`) in the running version
  is still one. A modeler that does not know ZVT's namespace can drop it, and the reminder silently becomes the
  task's deadline.
- `zvt-readable-id`: an element that is new has a readable id in lower case (`plan_evalueren`), as
  all others: forms, due dates, the history and running cases refer to it by id, and a modeler
  makes up ids such as `Activity_0x3k9dz`.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from .bpmn_compare import Comparison
from .definitions import ProcessBundle, form_key
from .errors import Problem

READABLE_ID = re.compile(r"[a-z][a-z0-9_]*")


def problems(bundle: ProcessBundle, changes: Comparison, file: str) -> list[Problem]:
    found: list[Problem] = []
    for spec in [bundle.spec, *bundle.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, UserTask) and form_key(spec.name, task_spec.bpmn_id) not in bundle.forms:
                found.append(Problem(file, task_spec.bpmn_id, f"zvt-user-task-form: the user task has no form; add "
                                                               f"forms/{spec.name}/{task_spec.bpmn_id}.schema.json"))
    for change in changes.changed:
        for aspect, before, after in change.aspects:
            if aspect == "properties" and _names(before, "herinnering") and not _names(after, "herinnering"):
                found.append(Problem(file, change.element.id, "zvt-reminder-stays: the timer is no longer marked "
                                                              "zvt:herinnering=\"true\" and would become the task's deadline"))
    for element in changes.added:
        if not READABLE_ID.fullmatch(element.id):
            found.append(Problem(file, element.id, "zvt-readable-id: give the new element a readable id in lower "
                                                   "case, such as 'plan_evalueren'"))
    return found


def _names(properties: object, name: str) -> bool:
    """Whether an element's properties (a dict, or None when it has none) hold `name`."""
    return isinstance(properties, Mapping) and name in properties
