"""Where a user task's due date comes from, when the process says so itself.

Without a declaration a user task is due when the first deadline timer on its border fires
(runtime.task_due). Many tasks have a real due moment without such a timer: a zorgoverleg
on the date the plan or the previous overleg set, an escalation that carries the deadline it
escalates, a task that opens after its legal deadline has already passed. The process owner
declares it on the user task in the BPMN (engine/zvt_namespace.py; in files from before that
namespace, `<spiffworkflow:property name="termijn" value="ap_termijn" />`):

    <bpmn:userTask id="ap_besluit_te_laat" zvt:termijn="ap_termijn">

The value is an expression, evaluated in the sandbox over the task's data when the task
opens (and again at every step of the case while it is open). It gives:
- a date-time (ISO text; without an offset it is Amsterdam time): due at that moment;
- a date (`YYYY-MM-DD`): due at the end of that day, 23:59:59 Amsterdam time;
- None: no declared due date; the border's deadline timer (if any) counts.
A declared due date wins over a deadline timer on the border. Deploy refuses it
on anything but a user task, an empty value, and an expression the sandbox refuses.
An expression that fails on a case's data (a field not entered) gives no due date and a
warning in the log naming the process and element, never the data.
"""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, time, timezone

from SpiffWorkflow.bpmn.specs.mixins.user_task import UserTask

from .clock import AMSTERDAM
from .sandbox import ScriptRefused, check_expression

PROPERTY = "termijn"
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_END_OF_DAY = time(23, 59, 59)
log = logging.getLogger(__name__)


def _properties(spec) -> dict[str, str]:
    return (getattr(spec, "extensions", None) or {}).get("properties") or {}


def declaration_problems(spec) -> list[str]:
    """Why this element's `termijn` declaration cannot be deployed (empty when it can or has none)."""
    properties = _properties(spec)
    if PROPERTY not in properties:
        return []
    if not isinstance(spec, UserTask):
        return [f"zvt:{PROPERTY} (a task's due date) is only for user tasks"]
    source = (properties[PROPERTY] or "").strip()
    if not source:
        return [f"zvt:{PROPERTY} is empty; give an expression over the case data that yields the due "
                f"date or date-time as ISO text, e.g. zvt:{PROPERTY}=\"ap_termijn\""]
    try:
        check_expression(source)
    except ScriptRefused as exc:
        return [f"the expression of zvt:{PROPERTY} is refused: {exc}"]
    return []


def declared_due(task) -> datetime | None:
    """The due moment (UTC) the task's `zvt:termijn` gives for its data, or None."""
    source = _properties(task.task_spec).get(PROPERTY)
    if not source:
        return None
    spec = task.task_spec
    try:
        value = task.workflow.script_engine.evaluate(task, source.strip())
        return as_due_moment(value)
    except Exception as exc:  # noqa: BLE001 - a display value must never stop the case
        # Only the names of the process, the element and the error: the data may hold personal data.
        log.warning("due date of %s/%s not set: its '%s' expression failed (%s)",
                    spec._wf_spec.name, spec.bpmn_id, PROPERTY, type(exc).__name__)
        return None


def as_due_moment(value) -> datetime | None:
    """A date, a date-time or ISO text of either as a due moment in UTC; None stays None.

    A date is due at the end of that day; a naive date-time is Amsterdam time."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if _DATE_ONLY.fullmatch(text):
            value = date.fromisoformat(text)
        else:
            value = datetime.fromisoformat(text)
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=AMSTERDAM)
    elif isinstance(value, date):
        moment = datetime.combine(value, _END_OF_DAY, AMSTERDAM)
    else:
        raise TypeError(f"a due date must be a date or date-time, not {type(value).__name__}")
    return moment.astimezone(timezone.utc)
