"""ZVT's workflow engine: SpiffWorkflow on SQL, with a small public API (`Engine`)."""
from .api import Engine
from .errors import (
    Conflict,
    DeadlinesAlreadyPaused,
    DeadlinesNotPaused,
    DefinitionRefused,
    EngineError,
    FieldError,
    InstanceNotFound,
    InvalidTaskData,
    NotFound,
    Problem,
    ProcessNotFound,
    ReasonRequired,
    StepOverBudget,
    TaskAlreadyCompleted,
    TaskClosedByDeadline,
    TaskNotFound,
    WorkflowFailed,
)
from .views import DeployedVersion, HistoryView, InstanceView, TaskView, TimerView

__all__ = [
    "Engine", "Conflict", "DeadlinesAlreadyPaused", "DeadlinesNotPaused", "DefinitionRefused", "EngineError",
    "FieldError", "InstanceNotFound", "InvalidTaskData", "NotFound", "Problem", "ProcessNotFound", "ReasonRequired", "StepOverBudget",
    "TaskAlreadyCompleted", "TaskClosedByDeadline", "TaskNotFound",
    "WorkflowFailed", "DeployedVersion", "HistoryView", "InstanceView", "TaskView", "TimerView",
]
