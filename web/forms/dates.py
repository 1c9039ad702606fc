"""Dates and moments as the caseworker reads them: in Dutch, in Amsterdam time."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
_DAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
            "oktober", "november", "december")


def moment_of(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=AMSTERDAM) if moment.tzinfo is None else moment.astimezone(AMSTERDAM)


def dutch_date(value: str, weekday: bool = True) -> str:
    """"2026-11-27" -> "vrijdag 27 november 2026" (without `weekday`: "27 november 2026", as for a
    date of birth); anything else is returned as it is."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{day.day} {_MAANDEN[day.month - 1]} {day.year}"
    return f"{_DAGEN[day.weekday()]} {text}" if weekday else text


def dutch_datetime(value: str) -> str:
    """"2026-11-27T16:00:00Z" -> "vrijdag 27 november 2026, 17:00", in Amsterdam time."""
    moment = moment_of(value)
    if moment is None:
        return str(value)
    return f"{dutch_date(moment.date().isoformat())}, {moment:%H:%M}"
