"""The engine's public door: the web layer, the scheduler, the CLI and integrators all use it.

Every method takes and returns plain values, opens its own unit of work and commits it
whole or not at all. `Engine` is one face over modules of one job each: deploying
(engine/deploying.py), commands on a case (commands.py), paused deadlines (deadlines.py),
the scheduler's firing (firing.py), moving cases to a newer version (migrating.py) and the
reads (queries.py).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from . import budget, runtime
from .chain import DEV_AUDIT_KEY
from .claims import RETRY_AFTER  # noqa: F401 - part of the scheduler's public figures
from .clock import utcnow
from .commands import Commands
from .db import DatabaseLimits, Definition, Instance
from .deadlines import Deadlines
from .deploying import Deploying
from .firing import MAX_ATTEMPTS, Firing, default_owner  # noqa: F401 - public names
from .legal_hold import LegalHolds
from .migrating import Migrating
from .queries import Queries, history_views, instance_view, read_only_values, task_view  # noqa: F401
from .retention_rules import RetentionRules
from .termijnen import SCRIPT_HELPERS
from .unit_of_work import Database


class Engine(Deploying, Commands, Deadlines, Firing, Migrating, LegalHolds, Queries):
    """Runs the deployed BPMN processes on a SQL database.

    `database_url` is a SQLAlchemy URL: a SQLite file (the embedded default) or
    PostgreSQL via psycopg 3. The schema must have been created with `zvt db upgrade`.
    `clock` returns the current moment (timezone-aware); tests pass their own.
    `database_limits`: timeouts (engine/db.py). `step_seconds`: the CPU time one step's scripts,
    conditions and DMN cells may take together (engine/budget.py). `audit_key`: the key of the
    access log's and history's hash chains (engine/chain.py); the default is the public
    development key.
    """

    def __init__(self, database_url: str, *, helpers: dict | None = None,
                 clock: Callable[[], datetime] = utcnow, database_limits: DatabaseLimits | None = None,
                 step_seconds: float = budget.DEFAULT_SECONDS, retention: RetentionRules | None = None,
                 audit_key: str = DEV_AUDIT_KEY):
        self.database = Database(database_url, database_limits, audit_key)
        self.store = runtime.WorkflowStore({**SCRIPT_HELPERS, **(helpers or {})},
                                           step_seconds=step_seconds)
        # Data may not shadow what scripts are offered (helpers, datetime, guards): SpiffWorkflow
        # would refuse it later, in the middle of a step; refusing it as a field is clearer.
        self._reserved = frozenset(self.store.script_engine.environment.globals)
        self.clock = clock
        self.retention = self.store.retention = self.database.info["retention"] = retention

    def close(self) -> None:
        self.database.dispose()

    def warm_up(self) -> int:
        """Parse, once, the specs every step may need: the latest version of each process and
        every version with open cases. A server calls this before it forks its workers, so no
        caseworker's first click waits for it. Returns how many versions were parsed.

        Closes the connections it used: a forked worker must never share its parent's."""
        newer = aliased(Definition)
        latest = ~select(newer.id).where(newer.process_id == Definition.process_id,
                                        newer.version > Definition.version).exists()
        open_versions = select(Instance.definition_id).where(Instance.status.in_(("running", "scheduled")))
        try:
            with self.database.unit_of_work(write=False) as uow:
                definitions = list(uow.session.scalars(
                    select(Definition).where(or_(latest, Definition.id.in_(open_versions)))))
                for definition in definitions:
                    self.store.specs(definition)
            return len(definitions)
        finally:
            self.database.dispose()
