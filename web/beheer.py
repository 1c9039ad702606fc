"""Beheer: the scheduler's incidents, timers that failed too often and wait for a person."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from engine import NotFound, policy

from .areas import current_user, engine

bp = Blueprint("beheer", __name__)


@bp.before_request
def beheerder_only():
    if not policy.may_manage_incidents(current_user()):
        abort(403)


@bp.get("/beheer/incidenten")
def incidents():
    return render_template("incidents.html", incidents=engine().incidents(), error_kind=error_kind)


@bp.post("/beheer/incidenten/<taak:timer_id>/opnieuw")
def retry(timer_id: str):
    try:
        engine().retry_incident(timer_id)
    except NotFound:
        flash("Dit incident bestaat niet meer. Misschien heeft iemand het al opnieuw aangeboden.", "error")
    else:
        flash("De planner probeert het opnieuw bij de volgende ronde.", "ok")
    return redirect(url_for("beheer.incidents"))


def error_kind(last_error: str | None) -> str:
    """The kind of error only ("WorkflowFailed"), never its text: see policy.may_manage_incidents."""
    return (last_error or "").split(":", 1)[0].strip() or "onbekend"
