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


class _EngineDatetime(datetime):
    @classmethod
    def now(cls, tz=None):
        moment = _current.get()
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
def running_at(moment: datetime):
    token = _current.set(aware(moment).astimezone(timezone.utc))
    try:
        yield
    finally:
        _current.reset(token)
