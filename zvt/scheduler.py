"""The scheduler's round and its heartbeat, for `zvt scheduler` and `zvt serve`'s thread.

A round checks the logs' hash chains when an hour has passed, fires the due timers, sends the
queued mail, switches off the accounts of partners whose leaving day has come and destroys the
closed cases whose date has come. After each round, and every interval besides, the scheduler
writes its heartbeat row (engine/heartbeat.py), which the web app's /ready and /metrics read.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from engine import Engine, anchors, logsafe, outbox, partner_leaving, retention
from engine.firing import Tally
from engine.heartbeat import Heartbeat, RoundFigures

from .config import Config

log = logging.getLogger("zvt")


@dataclass(frozen=True)
class Round:
    fired: int
    sent: int
    failed: int


def run_round(engine: Engine, config: Config, owner: str, lease: timedelta,
              watch: anchors.Watch | None = None) -> Round:
    """One round: check the logs' hash chains when an hour has passed (`watch`), fire the due
    timers, send the mail (also what those steps queued), switch off the accounts of partners whose
    leaving day has come (engine/partner_leaving.py), then destroy the closed cases whose date has
    come (engine/retention.py; both cheap when none is due)."""
    if watch is not None and watch.due(engine.clock()):
        _check_chains(engine, watch)
    tally = Tally()
    fired = engine.fire_due_timers(owner=owner, lease=lease, tally=tally)
    sent = outbox.send_pending(engine.database, config.mail, engine.clock(), owner, lease=lease)
    partner_leaving.run(engine.database, engine.clock())
    if engine.retention is not None:
        report = retention.run(engine.database, engine.retention, engine.clock(), actor=f"scheduler {owner}")
        if report.destroyed or report.login_attempts or report.sent_mails:
            log.info("retention: destroyed %d cases, pruned %d login attempts and %d sent mails; %d due cases on hold",
                     len(report.destroyed), report.login_attempts, report.sent_mails, len(report.held))
    return Round(fired, sent, tally.failed)


def _check_chains(engine: Engine, watch: anchors.Watch) -> None:
    """The hourly verification (engine/anchors.py); a failure of it never stops the timers, but a
    database that does not answer stops the whole round."""
    try:
        watch.run(engine.database, engine.clock())
    except Exception as exc:  # the next hour tries again
        if logsafe.unavailable(exc):
            raise  # the round says so in one line, and the next round checks again
        log.error("the check of the logs' hash chains failed; the next hour tries again:\n%s", logsafe.frames(exc))


def recorded_round(engine: Engine, config: Config, heartbeat: Heartbeat, lease: timedelta, watch: anchors.Watch | None,
                   *, quiet_when_idle: bool = False, reraise: bool = False) -> Round | None:
    """A round with its heartbeat and its log line; a failed round is logged and returns None,
    and the next one tries again (`reraise`: raised instead, for a single round)."""
    owner = heartbeat.owner
    started = time.perf_counter()
    try:
        done = run_round(engine, config, owner, lease, watch)
    except Exception as exc:  # a daemon logs and tries again next round
        if reraise:
            raise
        # Kinds and frames, never the text: a database error may quote case data (engine/logsafe.py).
        if logsafe.unavailable(exc):
            log.warning("the scheduler's round stopped, the database is unavailable or too slow (%s); "
                        "the next round tries again", logsafe.describe(exc))
            return None  # nor can the heartbeat be written
        log.error("the scheduler's round failed; the next round tries again:\n%s", logsafe.frames(exc))
        _write_heartbeat(heartbeat.round_failed, engine.clock())
        return None
    seconds = time.perf_counter() - started
    _write_heartbeat(heartbeat.round_done, engine.clock(),
                     RoundFigures(seconds, timers_fired=done.fired, timers_failed=done.failed, mails_sent=done.sent))
    if done.fired or done.sent or done.failed or not quiet_when_idle:
        log.info("fired %d timers, sent %d mails", done.fired, done.sent,
                 extra={"scheduler": owner, "timers_fired": done.fired, "timers_failed": done.failed,
                        "mails_sent": done.sent, "duration_ms": round(seconds * 1000, 1)})
    return done


def _write_heartbeat(write, now: datetime, *args) -> None:
    try:
        write(now, *args)
    except Exception as exc:  # noqa: BLE001 - the next round or beat writes it again
        log.warning("the scheduler could not write its heartbeat (%s); the next round tries again",
                    logsafe.describe(exc))


def add_rounds(scheduler, engine: Engine, config: Config, owner: str, lease: timedelta, interval: int, *,
               quiet_when_idle: bool = False) -> None:
    """Add the heartbeat and the round to an APScheduler scheduler: both at once, then every
    `interval` seconds, never two rounds at a time. The heartbeat runs on a thread of its own, so a
    long round (a catch-up after downtime, the daily check of the logs) does not look like a dead
    scheduler; the time of the last round is on /metrics for that."""
    from apscheduler.executors.pool import ThreadPoolExecutor

    heartbeat = Heartbeat(engine.database, owner, interval)
    watch = anchor_watch(config)
    start = datetime.now(timezone.utc)
    scheduler.add_executor(ThreadPoolExecutor(1), "heartbeat")
    scheduler.add_job(lambda: _write_heartbeat(heartbeat.beat, engine.clock()), "interval", seconds=interval,
                      id="scheduler_heartbeat", executor="heartbeat", max_instances=1, coalesce=True,
                      next_run_time=start)
    scheduler.add_job(lambda: recorded_round(engine, config, heartbeat, lease, watch, quiet_when_idle=quiet_when_idle),
                      "interval", seconds=interval, id="scheduler_round", max_instances=1, coalesce=True,
                      next_run_time=start)


def anchor_watch(config: Config) -> anchors.Watch:
    """The hourly check of the logs' hash chains; production refuses to start a scheduler that
    has nowhere outside the database to anchor them (ConfigError)."""
    config.check_anchors()
    return anchors.Watch(config.audit_anchor_file, config.audit_anchor_syslog)
