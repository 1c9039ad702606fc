"""Partners, for the beheerder: the partner register (/beheer/partners) and per partner how to
reach its FG, its person responsible for a breach, its contactpersoon and its gemachtigde
(engine/partner_admin.py). Partners join and leave through the covenant process; an ad-hoc
partner is admitted on a case page."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import NotFound, partner_admin, policy

from .areas import engine, signed_in_user

bp = Blueprint("partners", __name__)

# The engine's problem codes in Dutch (B1).
MESSAGES = {
    "required": "Vul dit veld in.",
    "too_long": "Dit is te lang. Gebruik hoogstens {max} tekens.",
    "one_line": "Gebruik één regel, zonder Enter.",
    "email": "Vul een e-mailadres in, zoals naam@organisatie.nl.",
}


@bp.before_request
def beheerder_only():
    if not policy.may_manage_partners(signed_in_user()):
        abort(403)


@bp.get("/beheer/partners")
def index():
    return render_template("partners.html", partners=partner_admin.partners(engine(), signed_in_user()))


@bp.get("/beheer/partners/<code>")
def edit(code: str, errors: dict | None = None, values: dict | None = None, status: int = 200):
    try:
        partner = partner_admin.partner(engine(), signed_in_user(), code)
    except NotFound:
        abort(404)
    return render_template("partner.html", partner=partner, errors=errors or {},
                           values=values if values is not None else partner.details,
                           limits={k: longest for k, (longest, _email) in partner_admin.DETAILS.items()}), status


@bp.post("/beheer/partners/<code>")
def save(code: str):
    values = {key: request.form.get(key, "") for key in partner_admin.DETAILS}
    try:
        partner_admin.update_details(engine(), signed_in_user(), code, values)
    except NotFound:
        abort(404)
    except partner_admin.InvalidDetails as exc:
        errors = {key: MESSAGES[problem].format(max=partner_admin.DETAILS[key][0])
                  for key, problem in exc.problems.items()}
        return edit(code, errors=errors, values=values, status=400)
    flash("De gegevens van de partner zijn opgeslagen.", "ok")
    return redirect(url_for("partners.index"))
