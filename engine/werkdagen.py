"""Working days (werkdagen) for team norms: weekends and Dutch national holidays excluded.

Legal deadlines (24 h, 72 h, one month) are calendar time and do not use this. The holiday
list comes from the maintained `holidays` package, never from a list of our own.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

import holidays

from .clock import AMSTERDAM


@lru_cache(maxsize=64)
def _holidays(year: int):
    return holidays.country_holidays("NL", years=year)


def is_werkdag(day) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_werkdagen(moment: str | datetime, days: int) -> str:
    """The moment `days` working days after `moment`, at the same Amsterdam clock time.

    Takes and returns ISO 8601 text, because BPMN scripts and timer expressions deal in
    text (task data must stay plain JSON). A naive moment is read as Amsterdam time.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ValueError("days must be a whole number of working days, 0 or more")
    start = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
    local = start.replace(tzinfo=AMSTERDAM) if start.tzinfo is None else start.astimezone(AMSTERDAM)
    day, counted = local.date(), 0
    while counted < days:
        day += timedelta(days=1)
        if is_werkdag(day):
            counted += 1
    # Combining the local date and clock time in the zone keeps 17:00 at 17:00 across a
    # daylight-saving change, where adding 24-hour days would not.
    return datetime.combine(day, local.time().replace(tzinfo=None), AMSTERDAM).isoformat()
