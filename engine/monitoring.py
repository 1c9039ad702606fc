"""What an operator's monitoring reads from the database at the moment it asks: /ready's checks
and the figures /metrics computes at each scrape.

Counted in the database rather than kept in a process: the web app runs as several gunicorn
workers, the scheduler as another process (often on another host), and every one of them sees
the same rows. Each count is one indexed statement; no row of a case is read, so nothing here
holds a person's data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from . import heartbeat, logsafe, migrate
from .db import AuditAnchorFailure, AuditChain, OutboxMail, Timer
from .firing import not_paused
from .unit_of_work import Database


@dataclass(frozen=True)
class Figures:
    # What the next round would fire: due, not waiting for a retry, not an incident, not paused.
    timers_due: int
    incidents: dict[str, int]  # open incidents by kind: "timer", "chain" (a broken log), "anchor"
    mails_unsent: int
    oldest_unsent_mail: datetime | None  # when the oldest unsent mail was queued
    schedulers: list[heartbeat.SchedulerView]


def figures(database: Database, now: datetime) -> Figures:
    with database.unit_of_work(write=False) as uow:
        session = uow.session
        count = func.count()
        timers_due = session.execute(select(count).select_from(Timer).where(
            Timer.due_at <= now, or_(Timer.retry_at.is_(None), Timer.retry_at <= now), Timer.incident_at.is_(None),
            not_paused(Timer.instance_id))).scalar_one()
        incidents = {
            "timer": session.execute(select(count).select_from(Timer).where(Timer.incident_at.is_not(None))).scalar_one(),
            "chain": session.execute(select(count).select_from(AuditChain)
                                     .where(AuditChain.broken_at.is_not(None))).scalar_one(),
            "anchor": session.execute(select(count).select_from(AuditAnchorFailure)).scalar_one(),
        }
        unsent, oldest = session.execute(select(count, func.min(OutboxMail.created_at)).where(
            OutboxMail.sent_at.is_(None))).one()
        rows = heartbeat.schedulers(session)
    return Figures(timers_due, incidents, unsent, oldest, rows)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    reason: str | None = None  # why not: no person's data, no error text


def readiness(database: Database, now: datetime, scheduler_intervals: int) -> Readiness:
    """Ready: the database answers, its schema is at the revision this code expects, and a
    scheduler was seen within `scheduler_intervals` of its own interval (0: not asked)."""
    try:
        with database.sql.connect() as connection:
            revision = migrate.revision_of(connection)
        if revision != migrate.head():
            return Readiness(False, f"database schema at revision {revision or 'none'}, this version needs "
                                    f"{migrate.head()}: run 'zvt db upgrade'")
        if scheduler_intervals == 0:
            return Readiness(True)
        with database.unit_of_work(write=False) as uow:
            rows = heartbeat.schedulers(uow.session)
    except Exception as exc:  # noqa: BLE001 - a probe reports, it does not crash
        return Readiness(False, f"database unavailable ({logsafe.describe(exc)})")
    if heartbeat.seen_in_time(rows, now, scheduler_intervals) is not None:
        return Readiness(True)
    if not rows:
        return Readiness(False, "no scheduler has run against this database yet")
    age = int((now - rows[0].seen_at).total_seconds())
    return Readiness(False, f"no scheduler seen within {scheduler_intervals} of its intervals; the last one "
                            f"{age} seconds ago")
