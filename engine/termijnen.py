"""Calendar deadlines for BPMN scripts and timer expressions.

Legal deadlines are calendar time: 24 and 72 hours are real hours (so 24 hours set on the
Saturday before the autumn clock change end at 23:00 by the clock on Sunday), one month is
a calendar month (31 January + 1 month = the last day of February). Working-day norms are
in `werkdagen`. Every helper takes and returns ISO 8601 text, because task data must stay
plain JSON; a naive moment is read as Amsterdam time and results are given in Amsterdam time.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dateutil.relativedelta import relativedelta
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from .clock import AMSTERDAM, current
from .werkdagen import add_werkdagen

# A repeating interval that has not reached now after this many steps is a mistake in the
# BPMN (a start in the far past with a tiny period), not a schedule.
_MAX_REPEATS = 100_000


def _moment(value: str | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=AMSTERDAM) if moment.tzinfo is None else moment.astimezone(AMSTERDAM)


def _whole(number, what: str) -> int:
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise ValueError(f"{what} must be a whole number, 0 or more")
    return number


def nu() -> str:
    """The moment the current step runs at: the engine's clock, not the server's.

    Whole seconds: a timer runs its step a microsecond after its moment, and a deadline
    computed from it should read 09:00:00, not 09:00:00.000001."""
    return current().astimezone(AMSTERDAM).replace(microsecond=0).isoformat()


def add_uren(moment: str | datetime, uren: int) -> str:
    """`uren` real hours after `moment`, also across a daylight-saving change."""
    # In UTC: adding to a datetime in a zone with daylight saving adds wall-clock time.
    start = _moment(moment).astimezone(timezone.utc)
    return (start + timedelta(hours=_whole(uren, "uren"))).astimezone(AMSTERDAM).isoformat()


def add_dagen(moment: str | datetime, dagen: int) -> str:
    """`dagen` calendar days later, at the same Amsterdam clock time."""
    start = _moment(moment)
    return _local(start.replace(tzinfo=None) + timedelta(days=_whole(dagen, "dagen")))


def add_maanden(moment: str | datetime, maanden: int) -> str:
    """`maanden` calendar months later at the same clock time; a day the month lacks
    becomes its last day (31 January + 1 = 28 or 29 February), as EU Regulation 1182/71
    counts periods in months."""
    start = _moment(moment)
    return _local(start.replace(tzinfo=None) + relativedelta(months=_whole(maanden, "maanden")))


def volgende_keer(reeks: str) -> str:
    """The first moment after now in an ISO 8601 repeating interval.

    `reeks` is "R/<first moment>/<period>" or "R<n>/<first moment>/<period>", e.g.
    "R/2027-01-15T09:00/P1Y" for every 15 January at 09:00. Steps are calendar steps in
    Amsterdam time, so 09:00 stays 09:00 in summer and winter. Used by scheduled processes:
    the timer on their start event waits for the next moment of their schedule.
    """
    parts = reeks.strip().upper().split("/")
    if len(parts) != 3 or not parts[0].startswith("R") or not parts[2].startswith("P"):
        raise ValueError(f"'{reeks}' is not a repeating interval like R/2027-01-15T09:00/P1Y")
    count = int(parts[0][1:]) if parts[0][1:] else None
    first = _moment(parts[1]).replace(tzinfo=None)
    try:
        period = relativedelta(**TimerEventDefinition.parse_iso_duration(parts[2]))
    except Exception as exc:  # SpiffWorkflow's parser raises a bare Exception
        raise ValueError(f"'{parts[2]}' is not an ISO 8601 duration") from exc
    if not period:
        raise ValueError("the period of a repeating interval cannot be zero")
    now = current()
    limit = _MAX_REPEATS if count is None else min(count, _MAX_REPEATS)
    for step in range(limit):
        # From the first moment each time, so 31 January + 1 month per step never drifts.
        candidate = datetime.fromisoformat(_local(first + period * step))
        # Strictly after: the instance scheduled when a moment fires must wait for the next one.
        if candidate > now:
            return candidate.isoformat()
    raise ValueError(f"the repeating interval '{reeks}' has no moment left after {now.isoformat()}")


def _local(naive: datetime) -> str:
    return naive.replace(tzinfo=AMSTERDAM).isoformat()


HELPERS = {
    "nu": nu,
    "add_uren": add_uren,
    "add_dagen": add_dagen,
    "add_maanden": add_maanden,
    "volgende_keer": volgende_keer,
}
# Every helper a process script is given: engine/api.py hands them to the sandbox, and the form
# editor keeps field names clear of them (engine/form_fields.py).
SCRIPT_HELPERS = {"add_werkdagen": add_werkdagen, **HELPERS}
