"""The start page and the health check."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, render_template

from engine import Engine

bp = Blueprint("home", __name__)
log = logging.getLogger(__name__)


def engine() -> Engine:
    return current_app.extensions["zvt_engine"]


@bp.get("/")
def index():
    return render_template("home.html", open_tasks=len(engine().ready_tasks()))


@bp.get("/health")
def health():
    # Asking the engine something real proves the database answers, not only Flask.
    try:
        engine().ready_tasks()
    except Exception:  # noqa: BLE001 - a health check reports, it does not crash
        log.exception("health check failed")
        return {"status": "unavailable"}, 503
    return {"status": "ok"}
