"""What the parts of `Engine` (engine/api.py: deploying, commands, deadlines, firing, migrating,
legal holds, queries) share: the attributes Engine.__init__ sets, and the methods one part calls on
another. Declared here for the type checker; Engine's own classes define them."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from .db import Definition, Instance
    from .retention_rules import RetentionRules
    from .runtime import WorkflowStore
    from .steps import Preloaded
    from .unit_of_work import Database


class EnginePart:
    database: Database
    store: WorkflowStore
    clock: Callable[[], datetime]
    retention: RetentionRules | None
    _reserved: frozenset[str]

    if TYPE_CHECKING:
        def _latest(self, session: Any, process_id: str) -> Definition: ...

        def _load_for_update(self, session: Any, instance_id: int) -> tuple[Definition, Instance]: ...

        @staticmethod
        def _raise_missing_task(session: Any, task_id: str) -> NoReturn: ...

        def _new_instance(self, session: Any, definition: Definition, data: dict, actor: str,
                          now: datetime, case_id: int | None = None) -> Instance: ...

        def _fire_due_first(self, session: Any, definition: Definition, instance: Instance, workflow: Any,
                            now: datetime, preloaded: Preloaded | None = None) -> bool: ...

        def _keep_scheduled(self, session: Any, process_id: str, actor: str, now: datetime) -> None: ...
