"""Domain errors of the engine; the web layer maps them to 400/404/409 pages."""
from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    pass


@dataclass(frozen=True)
class Problem:
    file: str
    element: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.element}" if self.element else self.file
        return f"{where}: {self.reason}"


class DefinitionRefused(EngineError):
    """A deployment was refused; nothing of it was stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("deployment refused:\n" + "\n".join(f"  - {p}" for p in problems))


class NotFound(EngineError):
    pass


class ProcessNotFound(NotFound):
    pass


class InstanceNotFound(NotFound):
    pass


class TaskNotFound(NotFound):
    pass


class Conflict(EngineError):
    """Someone else changed the same case first; nothing of this command was saved."""


class TaskAlreadyCompleted(Conflict):
    pass


class TaskClosedByDeadline(Conflict):
    """The task's interrupting deadline passed before it was completed; the deadline's
    path was taken and saved, what was entered was not."""


class DeadlinesAlreadyPaused(Conflict):
    """Pausing a case whose deadlines are paused already; nothing changed."""


class DeadlinesNotPaused(Conflict):
    """Resuming a case whose deadlines are not paused; nothing changed."""


class ReasonRequired(EngineError):
    """Pausing deadlines needs a reason (it goes into the case's history); nothing changed."""


@dataclass(frozen=True)
class FieldError:
    field: str  # JSON pointer style path, "" for the whole form
    message: str
    # The JSON Schema keyword that failed ("required", "enum", "maxLength", ...) or one of the
    # engine's own checks ("reserved", "readOnly", "json", "noForm"), so a UI can word the
    # message in its own language without parsing the English text.
    code: str | None = None
    # The values a rule names, where the message must say them (a list rule's missing items).
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.field or '(form)'}: {self.message}"


class InvalidTaskData(EngineError):
    """Form data failed the task's JSON Schema; nothing was saved."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("invalid task data:\n" + "\n".join(f"  - {e}" for e in errors))


class WorkflowFailed(EngineError):
    """A script, condition or timer expression failed while running; nothing was saved."""


class StepOverBudget(WorkflowFailed):
    """The step's scripts, conditions and DMN cells used more CPU time than its budget
    (engine/budget.py), or called functions too deep; nothing was saved."""
