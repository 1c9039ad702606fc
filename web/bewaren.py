"""Bewaren en vernietigen: for the procesregisseur and the FG, the closed cases whose personal data
goes soon and the cases under a legal hold; a hold is set and lifted here, each with a reason
(Engine.set_legal_hold). Case numbers, processes and dates only: no case data."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import Conflict, NotFound, ReasonRequired, policy

from . import reasons
from .areas import current_user, engine, now, origin, signed_in_user

bp = Blueprint("bewaren", __name__)

# How far ahead the page looks: time enough to notice a case that must be kept and set a hold.
AHEAD = timedelta(days=90)
HOLD_REASON_MISSING = "Schrijf op waarom deze casus bewaard moet blijven, bijvoorbeeld een rechtszaak of een klacht."
LIFT_REASON_MISSING = "Schrijf op waarom de casus niet meer bewaard hoeft te worden."


@bp.before_request
def holds_only():
    if not policy.may_manage_legal_holds(signed_in_user()):
        abort(403)


@bp.app_context_processor
def menu():
    user = current_user()
    return {"zvt_may_manage_legal_holds": user is not None and bool(policy.may_manage_legal_holds(user))}


@bp.get("/bewaren")
def index(error: str | None = None, error_case: int | None = None, status: int = 200):
    items = engine().retention_overview(signed_in_user(), origin(), until=now() + AHEAD)
    return render_template("bewaren.html", held=[i for i in items if i.hold_reason],
                           due=[i for i in items if not i.hold_reason], days=AHEAD.days, error=error,
                           error_case=error_case, reason=request.form.get("reden", "") if error else "",
                           reason_max=reasons.MAX_LENGTH), status


@bp.post("/bewaren/<casus:number>/vasthouden")
def hold(number: int):
    return _change(number, engine().set_legal_hold, HOLD_REASON_MISSING,
                   f"Casus {number} wordt bewaard tot iemand de bewaarplicht opheft.")


@bp.post("/bewaren/<casus:number>/vrijgeven")
def lift(number: int):
    return _change(number, engine().lift_legal_hold, LIFT_REASON_MISSING,
                   f"De bewaarplicht van casus {number} is opgeheven. De casus wordt vernietigd op de "
                   "vernietigingsdatum, of bij de volgende ronde als die datum al voorbij is.")


def _change(number: int, change, missing: str, done: str):
    reason = request.form.get("reden", "")
    error = reasons.problem(reason, missing)
    if error:
        return index(error=error, error_case=number, status=400)
    try:
        change(number, reason, current_user(), origin())
    except (NotFound, ReasonRequired):
        flash(f"Casus {number} bestaat niet.", "error")
    except Conflict:
        flash(f"Dit kon niet: casus {number} is al vernietigd, of de bewaarplicht is net door iemand anders "
              "veranderd. Bekijk de lijst en probeer het opnieuw.", "error")
    else:
        flash(done, "ok")
    return redirect(url_for("bewaren.index"))
