"""The start page and the health check."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, render_template

from engine import Engine, casework, logsafe

from .auth import current_user, now

bp = Blueprint("home", __name__)
log = logging.getLogger(__name__)


def engine() -> Engine:
    return current_app.extensions["zvt_engine"]


@bp.get("/")
def index():
    # Only the user's own work: counting every open task would tell anyone how busy each
    # role is, and is not theirs to know.
    inbox = casework.inbox(engine(), current_user(), now())
    return render_template("home.html", inbox=inbox)


@bp.get("/health")
def health():
    # Asking the engine something real proves the database answers, not only Flask.
    try:
        engine().ready_tasks()
    except Exception as exc:  # noqa: BLE001 - a health check reports, it does not crash
        log.error("health check failed:\n%s", logsafe.frames(exc))
        return {"status": "unavailable"}, 503
    return {"status": "ok"}
