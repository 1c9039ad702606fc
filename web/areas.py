"""What the work-area views share: the engine, the signed-in user, Dutch dates and due states."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from engine import Engine
from engine.clock import AMSTERDAM

from .auth import current_user, now, origin  # noqa: F401 - re-exported for the area views
from .forms import dutch_date, dutch_datetime


def engine() -> Engine:
    return current_app.extensions["zvt_engine"]


def due_state(due_at: datetime | None, moment: datetime) -> tuple[str, str]:
    """(css modifier, Dutch text) for a due date: colour never carries the meaning alone."""
    if due_at is None:
        return "none", "Geen termijn"
    local_due, local_now = due_at.astimezone(AMSTERDAM), moment.astimezone(AMSTERDAM)
    if due_at <= moment:
        return "overdue", f"Te laat sinds {dutch_datetime(due_at.isoformat())}"
    if local_due.date() == local_now.date():
        return "today", f"Vandaag, uiterlijk {local_due:%H:%M}"
    if local_due.date() - local_now.date() <= timedelta(days=2):
        return "soon", f"Binnenkort: {dutch_datetime(due_at.isoformat())}"
    return "later", f"Uiterlijk {dutch_datetime(due_at.isoformat())}"


def register_filters(app) -> None:
    app.add_template_filter(lambda value: dutch_datetime(value.isoformat() if isinstance(value, datetime) else value),
                            "datum_tijd")
    app.add_template_filter(lambda value: dutch_date(value, weekday=False) if isinstance(value, str) else value, "datum")
    app.add_template_global(due_state)
