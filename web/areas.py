"""What the work-area views share: the engine, the signed-in user, Dutch dates and due states."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from engine import Engine
from engine.clock import AMSTERDAM

from .auth import current_user, now, origin, signed_in_user  # noqa: F401 - re-exported for the area views
from .forms import dutch_date, dutch_datetime


def engine() -> Engine:
    return current_app.extensions["zvt_engine"]


def due_state(due_at: datetime | None, moment: datetime, paused_at: datetime | None = None) -> tuple[str, str]:
    """(css modifier, Dutch text) for a due date: colour never carries the meaning alone.

    `paused_at`: the case's deadlines stand still since then; the text gives the time that was
    left when they stopped, which is what is left when they run again."""
    if due_at is None:
        return "none", "Geen termijn"
    if paused_at is not None:
        if due_at <= paused_at:
            return "overdue", f"Te laat sinds {dutch_datetime(due_at.isoformat())} (termijnen gepauzeerd)"
        return "paused", f"Gepauzeerd — nog {time_left(due_at - paused_at)}"
    local_due, local_now = due_at.astimezone(AMSTERDAM), moment.astimezone(AMSTERDAM)
    if due_at <= moment:
        return "overdue", f"Te laat sinds {dutch_datetime(due_at.isoformat())}"
    if local_due.date() == local_now.date():
        return "today", f"Vandaag, uiterlijk {local_due:%H:%M}"
    if local_due.date() - local_now.date() <= timedelta(days=2):
        return "soon", f"Binnenkort: {dutch_datetime(due_at.isoformat())}"
    return "later", f"Uiterlijk {dutch_datetime(due_at.isoformat())}"


def time_left(left: timedelta) -> str:
    """"12 dagen en 3 uur", "5 uur en 20 minuten", "1 minuut": real time, the two largest units."""
    minutes = max(int(left.total_seconds()) // 60, 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [(days, "dag", "dagen"), (hours, "uur", "uur"), (minutes, "minuut", "minuten")]
    shown = [f"{n} {one if n == 1 else more}" for n, one, more in parts if n][:2]
    if not shown:
        return "minder dan een minuut"
    if days and not hours:
        shown = shown[:1]  # "12 dagen", not "12 dagen en 20 minuten"
    return " en ".join(shown)


def register_filters(app) -> None:
    app.add_template_filter(lambda value: dutch_datetime(value.isoformat() if isinstance(value, datetime) else value),
                            "datum_tijd")
    app.add_template_filter(lambda value: dutch_date(value, weekday=False) if isinstance(value, str) else value, "datum")
    app.add_template_global(due_state)
    app.add_template_filter(lambda seconds: time_left(timedelta(seconds=seconds)), "duur")
