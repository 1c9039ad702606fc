"""Plain values the engine hands out; callers never see SpiffWorkflow or SQL objects."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DeployedVersion:
    process_id: str
    version: int
    content_hash: str
    definition_id: int
    new: bool  # False when this exact content was already deployed


@dataclass(frozen=True)
class TaskView:
    id: str
    instance_id: int
    process_id: str
    bpmn_id: str
    name: str | None
    lane: str | None
    form: str | None  # "<process_id>/<task_id>" when the task has a form, else None
    assignee: str | None
    due_at: datetime | None
    # Since when the deadlines of the task's case are paused (Engine.pause_deadlines), or None.
    # While paused, `due_at` is where the deadline stood; resuming moves it by the pause.
    paused_at: datetime | None = None


@dataclass(frozen=True)
class TaskForm:
    """An open task with what its form page or form post needs (Engine.task_form)."""
    task: TaskView
    schema: dict | None  # None: the task takes no data
    ui: dict  # the form's UI schema, {} when it has none
    read_only: dict  # the case's values of the form's read-only fields


@dataclass(frozen=True)
class InstanceView:
    id: int
    process_id: str
    version: int
    # "scheduled" (waiting for its start timer), "running", "completed", "cancelled" (a scheduled
    # instance replaced by a newer version before it started), or "destroyed" (its personal data
    # destroyed at the end of its retention term, engine/retention.py; data is then empty)
    status: str
    data: dict[str, Any]
    started_at: datetime
    started_by: str
    updated_at: datetime
    completed_at: datetime | None
    # While the procesregisseur has paused the case's deadlines: since when, by whom, why.
    paused_at: datetime | None = None
    paused_by: str | None = None
    pause_reason: str | None = None
    # Retention: when a closed case's personal data goes, and a legal hold that stops it.
    destroy_at: datetime | None = None
    hold_reason: str | None = None
    held_by: str | None = None
    held_at: datetime | None = None


@dataclass(frozen=True)
class HistoryView:
    task_id: str
    process_id: str
    bpmn_id: str
    name: str | None
    task_type: str
    lane: str | None
    state: str  # "completed", "cancelled" or "error"
    actor: str
    finished_at: datetime
    data: dict[str, Any] | None = None  # what the actor entered: form or start data


@dataclass(frozen=True)
class TimerView:
    id: str
    instance_id: int
    bpmn_id: str
    due_at: datetime


@dataclass(frozen=True)
class IncidentView:
    """A timer that failed too often; no case data, only where it is and what went wrong."""
    timer_id: str
    instance_id: int
    process_id: str
    bpmn_id: str
    due_at: datetime
    attempts: int
    last_error: str | None
    incident_at: datetime
