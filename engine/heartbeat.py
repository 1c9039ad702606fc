"""The scheduler's heartbeat: one row per scheduler process in `scheduler_heartbeats`.

The scheduler runs in a process of its own, often on another host than the web app; the web
app's /ready ("is a scheduler alive?") and /metrics (what its rounds did) read this row, since
nothing else crosses from one process to the other. Each scheduler writes only its own row
(its owner, host:pid, as its timer claims); a row not seen for a week belongs to a scheduler
that is gone and is deleted by the next scheduler that starts. Counts and times only.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from .db import SchedulerHeartbeat
from .unit_of_work import Database, affected

# A scheduler not seen for this long is gone (a restart has a new process id): its row goes.
FORGET_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class RoundFigures:
    """What one round did, and how long it took (wall-clock seconds)."""

    seconds: float
    timers_fired: int = 0
    timers_failed: int = 0
    mails_sent: int = 0


class Heartbeat:
    """Writes one scheduler's row. Its round and its heartbeat job may run in two threads: a lock
    keeps them from both inserting the row, and the counts are added in SQL, never read first."""

    def __init__(self, database: Database, owner: str, interval_seconds: int):
        self.database = database
        self.owner = owner
        self.interval_seconds = interval_seconds
        self._lock = threading.Lock()

    def beat(self, now: datetime) -> None:
        """Seen now: the process lives and reaches the database."""
        self._write(now, {})

    def round_done(self, now: datetime, figures: RoundFigures) -> None:
        row = SchedulerHeartbeat
        self._write(now, {
            row.round_finished_at: now, row.last_round_seconds: figures.seconds, row.rounds: row.rounds + 1,
            row.timers_fired: row.timers_fired + figures.timers_fired,
            row.timers_failed: row.timers_failed + figures.timers_failed,
            row.mails_sent: row.mails_sent + figures.mails_sent,
        })

    def round_failed(self, now: datetime) -> None:
        self._write(now, {SchedulerHeartbeat.rounds_failed: SchedulerHeartbeat.rounds_failed + 1})

    def _write(self, now: datetime, values: dict) -> None:
        row = SchedulerHeartbeat
        with self._lock, self.database.unit_of_work() as uow:
            changed = affected(uow.session.execute(update(row).where(row.owner == self.owner).values(
                {row.seen_at: now, row.interval_seconds: self.interval_seconds, **values})))
            if changed == 0:
                # The first write of this process (or its row was deleted, by a restore say).
                uow.session.execute(delete(row).where(row.seen_at < now - FORGET_AFTER))
                fresh = SchedulerHeartbeat(owner=self.owner, interval_seconds=self.interval_seconds,
                                           started_at=now, seen_at=now, rounds=0, rounds_failed=0,
                                           timers_fired=0, timers_failed=0, mails_sent=0)
                uow.session.add(fresh)
                uow.session.flush()
                if values:
                    uow.session.execute(update(row).where(row.owner == self.owner).values(values))
            uow.commit()


@dataclass(frozen=True)
class SchedulerView:
    """One scheduler's row as /ready and /metrics read it."""

    owner: str
    interval_seconds: int
    started_at: datetime
    seen_at: datetime
    round_finished_at: datetime | None
    last_round_seconds: float | None
    rounds: int
    rounds_failed: int
    timers_fired: int
    timers_failed: int
    mails_sent: int


def schedulers(session) -> list[SchedulerView]:
    """Every scheduler's row, the most recently seen first."""
    row = SchedulerHeartbeat
    return [SchedulerView(r.owner, r.interval_seconds, r.started_at, r.seen_at, r.round_finished_at,
                          r.last_round_seconds, r.rounds, r.rounds_failed, r.timers_fired, r.timers_failed,
                          r.mails_sent)
            for r in session.scalars(select(row).order_by(row.seen_at.desc(), row.owner))]


def seen_in_time(rows: list[SchedulerView], now: datetime, intervals: int) -> SchedulerView | None:
    """The most recently seen scheduler that was seen within `intervals` of its own interval."""
    for row in rows:
        if now - row.seen_at <= timedelta(seconds=intervals * row.interval_seconds):
            return row
    return None
