"""A real `zvt scheduler` process on SQLite and PostgreSQL: its round fires a due timer, writes its
heartbeat row for the web app's /ready and /metrics, and logs the round as one JSON line."""
import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from engine import Engine
from engine.db import SchedulerHeartbeat
from tests.engine.bpmn import simple_process
from zvt.config import PROJECT_ROOT

ROUND = {"time", "level", "logger", "message", "process", "scheduler", "timers_fired", "timers_failed",
         "mails_sent", "duration_ms"}


def zvt(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = dict(os.environ, ZVT_ENV="development", ZVT_DATABASE_URL=database_url, **env)
    return subprocess.run([sys.executable, "-c", "from zvt.cli import main; main()", *args], env=environ,
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def heartbeats(engine: Engine) -> list[SchedulerHeartbeat]:
    """The heartbeat rows as they are now, oldest first, readable after their session closed."""
    with engine.database.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(SchedulerHeartbeat).order_by(SchedulerHeartbeat.seen_at)).all()
        uow.session.expunge_all()
        return rows


def test_a_scheduler_round_fires_writes_its_heartbeat_and_logs_one_json_line(database_url, tmp_path):
    # Started long ago, so its deadline is due for a scheduler that runs on the real clock.
    engine = Engine(database_url, clock=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc))
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "tijd.bpmn").write_text(simple_process("tijd", timer='"PT1H"'))
    engine.deploy(tmp_path / "processes")
    case = engine.start("tijd", {}, actor="piet")
    try:
        before = datetime.now(timezone.utc)
        result = zvt(database_url, "scheduler", "--once", ZVT_LOG_FORMAT="json", ZVT_SCHEDULER_INTERVAL="45")
        after = datetime.now(timezone.utc)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "fired 1 timers, sent 0 mails\n"
        records = [json.loads(line) for line in result.stderr.splitlines()]  # every line is JSON
        [line] = [r for r in records if r["logger"] == "zvt"]
        assert set(line) == ROUND
        assert (line["level"], line["message"]) == ("INFO", "fired 1 timers, sent 0 mails")
        assert (line["timers_fired"], line["timers_failed"], line["mails_sent"]) == (1, 0, 0)
        assert line["scheduler"] == f"{socket.gethostname()}:{line['process']}" and line["duration_ms"] > 0
        assert engine.timers(case) == []

        [row] = heartbeats(engine)
        assert row.owner == line["scheduler"] and row.interval_seconds == 45
        assert before <= row.started_at <= row.seen_at == row.round_finished_at <= after
        assert (row.rounds, row.rounds_failed, row.timers_fired, row.timers_failed, row.mails_sent) == (1, 0, 1, 0, 0)
        assert 0 < row.last_round_seconds <= (after - before).total_seconds()
        assert abs(row.last_round_seconds * 1000 - line["duration_ms"]) < 0.1 + 1e-6

        again = zvt(database_url, "scheduler", "--once")  # another process: a row of its own, text lines
        assert again.returncode == 0 and " INFO zvt: fired 0 timers, sent 0 mails" in again.stderr
        rows = heartbeats(engine)
        assert [r.owner for r in rows][0] == line["scheduler"] and len(rows) == 2
        assert rows[1].seen_at - rows[0].seen_at < timedelta(minutes=2)
    finally:
        engine.close()
