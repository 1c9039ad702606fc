"""Drives the zorgoverleg loop through the real engine on a fresh SQLite file."""
from __future__ import annotations

import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from engine import Engine
from engine.db import Instance
from engine.migrate import upgrade

HERE = Path(__file__).parent


class LoopRun:
    def __init__(self, database_url: str | None = None):
        self._tmp = None
        if database_url is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="zvt-bench-")
            database_url = f"sqlite:///{self._tmp.name}/bench.sqlite3"
        upgrade(database_url)
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
        self.engine = Engine(database_url, clock=lambda: self.now)
        self.engine.deploy(HERE / "processes", HERE / "forms", actor="bench")
        self.instance_id = self.start_case()

    def start_case(self) -> int:
        """Start a case of the loop (the run's own at the start; another, for a figure beside it)."""
        return self.engine.start("zorgoverleg_loop", {}, actor="bench")

    def step(self, vervolg: str = "doorgaan", case: int | None = None) -> float:
        """Complete the open zorgoverleg of the run's case (or of `case`); return the milliseconds
        the engine call took."""
        [task] = self.engine.ready_tasks(case or self.instance_id)
        self.now += timedelta(minutes=5)
        started = time.perf_counter()
        self.engine.complete(task.id, {"vervolg": vervolg}, actor="bench")
        return (time.perf_counter() - started) * 1000

    def state_bytes(self) -> int:
        with self.engine.database.unit_of_work(write=False) as uow:
            return len(uow.session.get_one(Instance, self.instance_id).state or "")

    def completions(self) -> int:
        return sum(1 for h in self.engine.history(self.instance_id) if h.bpmn_id == "zorgoverleg")

    def close(self) -> None:
        self.engine.close()
        if self._tmp is not None:
            self._tmp.cleanup()
