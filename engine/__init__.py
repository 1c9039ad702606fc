"""ZVT's workflow engine: SpiffWorkflow on SQL, with a small public API (`Engine`)."""
from .api import Engine
from .errors import (
    Conflict,
    DefinitionRefused,
    EngineError,
    FieldError,
    InstanceNotFound,
    InvalidTaskData,
    NotFound,
    Problem,
    ProcessNotFound,
    TaskAlreadyCompleted,
    TaskClosedByDeadline,
    TaskNotFound,
    WorkflowFailed,
)
from .views import DeployedVersion, HistoryView, InstanceView, TaskView, TimerView

__all__ = [
    "Engine", "Conflict", "DefinitionRefused", "EngineError", "FieldError", "InstanceNotFound",
    "InvalidTaskData", "NotFound", "Problem", "ProcessNotFound", "TaskAlreadyCompleted", "TaskClosedByDeadline",
    "TaskNotFound",
    "WorkflowFailed", "DeployedVersion", "HistoryView", "InstanceView", "TaskView", "TimerView",
]
