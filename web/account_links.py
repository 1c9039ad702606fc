"""The pages behind the one-time links of account administration, reached without signing in:
a contactpersoon asks for an account, a gemachtigde approves or refuses a request, an employee sets
a first password, a new password or a new second factor.

Each view is @public (web/auth.py); the token in the address is what lets the person in, and each
page shows only what the link is about: one partner, one request, one account. A link that cannot
be used says why and shows nothing else. A refused form leaves the link usable.
"""
from __future__ import annotations

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from markupsafe import Markup

from engine import Conflict, account_links, account_requests, accounts, casework
from engine.account_requests import RequestInvalid
from engine.one_time_links import LinkInvalid

from .account_texts import LINK_PROBLEMS, PASSWORD_PROBLEMS, ROLE_LABELS, actor_text, request_kind, request_problems
from .accounts import form_of
from .areas import engine, now, origin
from .auth import MESSAGES, _limited_message, public

bp = Blueprint("account_links", __name__)


def _hasher():
    return current_app.extensions.get("zvt_password_hasher")


def _link_refused(exc: LinkInvalid):
    status = 410 if exc.reason in ("used", "expired") else 404
    return render_template("accounts/link_refused.html", message=LINK_PROBLEMS[exc.reason]), status


@bp.route("/account/aanvragen/<token>", methods=["GET", "POST"])
@public
def contact_request(token: str):
    try:
        code, name = account_requests.invited_partner(engine().database, token, now())
    except LinkInvalid as exc:
        return _link_refused(exc)
    errors = {}
    if request.method == "POST":
        try:
            account_requests.submit_by_contact(engine().database, token, form_of(request.form), now())
        except RequestInvalid as exc:
            errors = request_problems(exc.problems)
        except LinkInvalid as exc:
            return _link_refused(exc)
        else:
            return render_template("accounts/request_sent.html", partner_name=name, by_contact=True)
    return render_template("accounts/request.html", partners=[(code, name)], errors=errors, sent=None,
                           form=request.form if errors else {}, role_labels=ROLE_LABELS, by_contact=True,
                           action=url_for("account_links.contact_request", token=token)), 400 if errors else 200


@bp.route("/account/goedkeuren/<token>", methods=["GET", "POST"])
@public
def officer(token: str):
    try:
        found = account_requests.for_officer(engine().database, token, now())
    except LinkInvalid as exc:
        return _link_refused(exc)
    error = None
    if request.method == "POST":
        try:
            if request.form.get("besluit") == "goedkeuren":
                account_requests.approve(engine().database, token, now())
                return render_template("accounts/decided.html", approved=True, request=found)
            account_requests.refuse(engine().database, token, request.form.get("reden", ""), now())
            return render_template("accounts/decided.html", approved=False, request=found)
        except RequestInvalid as exc:
            error = ("Schrijf op waarom u de aanvraag afwijst. De beheerder ziet de reden."
                     if exc.problems.get("reason") == "missing" else request_problems(exc.problems).get("reason"))
        except Conflict:
            error = ("Deze gebruikersnaam is intussen al in gebruik. Wijs de aanvraag af met die reden; "
                     "de aanvrager kan een nieuwe aanvraag doen met een andere gebruikersnaam.")
        except LinkInvalid as exc:
            return _link_refused(exc)
    return render_template("accounts/officer.html", request=found, error=error, role_labels=ROLE_LABELS,
                           requested_by=actor_text(found.requested_by, casework.partner_names(engine())), kind=request_kind(found.kind),
                           reason=request.form.get("reden", "") if error else ""), 400 if error else 200


@bp.route("/account/<any(activeren, wachtwoord):kind>/<token>", methods=["GET", "POST"])
@public
def password(kind: str, token: str):
    try:
        owner = account_links.look(engine().database, token, kind, now())
    except LinkInvalid as exc:
        return _link_refused(exc)
    error = None
    if request.method == "POST":
        try:
            account_links.set_password(engine().database, token, kind, request.form.get("wachtwoord", ""),
                                       request.form.get("herhaling", ""), now(), hasher=_hasher())
        except account_links.PasswordRefused as exc:
            error = PASSWORD_PROBLEMS[exc.code]
        except LinkInvalid as exc:
            return _link_refused(exc)
        else:
            session.clear()  # whoever was signed in on this browser: the new password starts afresh
            flash("Uw wachtwoord is opgeslagen. Log nu in met uw gebruikersnaam en het nieuwe wachtwoord.", "ok")
            return redirect(url_for("auth.login"))
    return render_template("accounts/password.html", owner=owner, first=kind == account_links.ACTIVATE, error=error,
                           minimum=account_links.MIN_PASSWORD_LENGTH), 400 if error else 200


@bp.route("/account/tweestap/<token>", methods=["GET", "POST"])
@public
def totp(token: str):
    try:
        owner = account_links.look(engine().database, token, account_links.TOTP, now())
    except LinkInvalid as exc:
        return _link_refused(exc)
    # The new secret waits in the signed session until a code confirms it, as at enrolment.
    key = f"reset_secret_{token[:16]}"
    secret = session.get(key) or accounts.new_totp_secret()
    session[key] = secret
    error, status = None, 200
    headers: dict[str, str] = {}
    if request.method == "POST":
        try:
            account_links.replace_totp(engine(), token, request.form.get("wachtwoord", ""), secret,
                                       request.form.get("code", ""), origin(), now(), hasher=_hasher())
        except accounts.TooManyAttempts as exc:
            error, headers = _limited_message(exc)
            status = 429
        except accounts.InvalidCode:
            error, status = MESSAGES["code"], 400
        except accounts.LoginRefused:
            error, status = PASSWORD_PROBLEMS["wrong"], 400
        except LinkInvalid as exc:
            return _link_refused(exc)
        else:
            session.clear()
            flash("De tweestapsverificatie is opnieuw ingesteld. Log nu in met de code van de app.", "ok")
            return redirect(url_for("auth.login"))
    qr = segno.make(accounts.provisioning_uri(owner.username, secret), error="m")
    return render_template(
        "accounts/totp.html", owner=owner, error=error,
        # segno draws the code as paths from our own data: markup we made, safe to inline.
        qr_svg=Markup(qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", title="QR-code voor uw app")),
        secret_groups=[secret[i:i + 4] for i in range(0, len(secret), 4)]), status, headers
