"""Beheer: the scheduler's incidents, timers that failed too often and wait for a person: where the
case stands in its diagram, offered again, or - for a timer on a task's border - skipped with a
reason (Engine.skip_incident)."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import Conflict, NotFound, ReasonRequired, policy

from . import reasons
from .areas import engine, signed_in_user

bp = Blueprint("beheer", __name__)


@bp.before_request
def beheerder_only():
    if not policy.may_manage_incidents(signed_in_user()):
        abort(403)


@bp.get("/beheer/incidenten")
def incidents():
    return render_template("incidents.html", incidents=engine().incidents(), error_kind=error_kind,
                           chains=engine().chain_incidents(), anchors=engine().anchor_incidents())


@bp.post("/beheer/incidenten/<taak:timer_id>/opnieuw")
def retry(timer_id: str):
    try:
        engine().retry_incident(timer_id)
    except NotFound:
        flash("Dit incident bestaat niet meer. Misschien heeft iemand het al opnieuw aangeboden.", "error")
    else:
        flash("De planner probeert het opnieuw bij de volgende ronde.", "ok")
    return redirect(url_for("beheer.incidents"))


REASON_MISSING = "Schrijf op waarom deze termijn wordt overgeslagen. De reden komt in de tijdlijn van de casus."


@bp.get("/beheer/incidenten/<taak:timer_id>")
def incident(timer_id: str, error: str | None = None, status: int = 200):
    found = next((i for i in engine().incidents() if i.timer_id == timer_id), None)
    if found is None:
        abort(404)
    return render_template("incident.html", incident=found, error_kind=error_kind,
                           bpmn=engine().case_diagram(found.instance_id),
                           markers=json.dumps({"finished": [], "active": [found.bpmn_id]}), error=error,
                           reason=request.form.get("reden", "") if error else "", reason_max=reasons.MAX_LENGTH), status


@bp.post("/beheer/incidenten/<taak:timer_id>/overslaan")
def skip(timer_id: str):
    reason = request.form.get("reden", "")
    error = reasons.problem(reason, REASON_MISSING)
    if error:
        return incident(timer_id, error=error, status=400)
    try:
        engine().skip_incident(timer_id, reason, actor=signed_in_user().username)
    except (NotFound, ReasonRequired):
        flash("Dit incident bestaat niet meer. Misschien heeft iemand het al afgehandeld.", "error")
    except Conflict:
        flash("Deze termijn kan niet worden overgeslagen: de casus kan niet zonder. Bied hem opnieuw aan.", "error")
        return redirect(url_for("beheer.incident", timer_id=timer_id))
    else:
        flash("De termijn is overgeslagen. De taak blijft open, zonder deze termijn.", "ok")
    return redirect(url_for("beheer.incidents"))


def error_kind(last_error: str | None) -> str:
    """The kind of error only ("WorkflowFailed"), never its text: see policy.may_manage_incidents."""
    return (last_error or "").split(":", 1)[0].strip() or "onbekend"
