"""The engine's clock: injectable, timezone-aware, Europe/Amsterdam.

SpiffWorkflow's timer events read `datetime.now(timezone.utc)` straight from their
module, and read naive timer dates in the server's local zone. Both are replaced here,
once, so that a command run "at" a given moment (a test moving the clock, the scheduler
firing a timer) evaluates every timer against that moment, and so that a naive date in
a BPMN file means Dutch time whatever zone the server is in.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer as _spiff_timer

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_current: ContextVar[datetime | None] = ContextVar("zvt_engine_now", default=None)
# While a case's deadlines are paused its timers see the clock stand still at the pause.
_timers_stopped: ContextVar[datetime | None] = ContextVar("zvt_timers_stopped_at", default=None)


class _EngineDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        moment = _timers_stopped.get() or _current.get()
        if moment is None:
            return super().now(tz)
        return moment.astimezone(tz) if tz is not None else moment.astimezone(AMSTERDAM).replace(tzinfo=None)


_spiff_timer.datetime = _EngineDatetime
_spiff_timer.LOCALTZ = AMSTERDAM


def current() -> datetime:
    """The moment the running command runs at (the engine clock), else the real time."""
    moment = _current.get()
    return moment if moment is not None else utcnow()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no meaning here; give a timezone")
    return moment


@contextmanager
def timers_stopped_at(moment: datetime | None):
    """Inside the block SpiffWorkflow's timers read `moment` as now (None: no change).

    Scripts (`nu()`) keep reading the command's own moment; only the timers stand still, so
    no timer fires that was not due at `moment`, and a duration timer that starts inside the
    block counts from `moment` (which pausing later moves to the moment of resuming)."""
    if moment is None:
        yield
        return
    token = _timers_stopped.set(aware(moment).astimezone(timezone.utc))
    try:
        yield
    finally:
        _timers_stopped.reset(token)


@contextmanager
def running_at(moment: datetime):
    token = _current.set(aware(moment).astimezone(timezone.utc))
    try:
        yield
    finally:
        _current.reset(token)
