"""Accounts: per partner its accounts and open requests, for the beheerder (`/beheer/accounts`), and
asking for an account, for a teamleider (own organisation) or a beheerder (`/accounts/aanvragen`).

A beheerder takes a role away or switches an account off at once, and sends reset links; giving a
role or switching an account back on goes to the partner's gemachtigde as a request. No password is
ever shown or typed here. The engine decides (engine/account_admin.py, engine/account_requests.py);
the policy says who may (policy.may_manage_accounts, policy.may_request_account).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import Conflict, NotFound, account_admin, account_links, account_requests, casework, policy, sso
from engine.account_requests import RequestForm, RequestInvalid
from engine.accounts import AccountInactive
from engine.roles import PRIVILEGED_ROLES, ROLES

from .account_texts import REASONS_OFF, ROLE_LABELS, SSO_LINK_PROBLEMS, actor_text, event_text, request_problems
from .areas import current_user, engine, now, signed_in_user

bp = Blueprint("accounts", __name__)

LAST_BEHEERDER = ("Dit kan niet: dit is het laatste actieve account met de rol beheerder. Zonder beheerder kan "
                  "niemand meer accounts beheren. Geef eerst iemand anders de rol beheerder.")
ONLY_ROLE = "Dit is de enige rol van dit account. Zet het account uit als het niet meer nodig is."
NO_ADDRESS = "Dit account heeft geen e-mailadres. Er kan geen link naartoe."
ACCOUNT_OFF = "Dit account staat uit. Vraag eerst aan de gemachtigde om het weer aan te zetten."
NO_SSO = "De organisatie van dit account logt niet in via een eigen inlogdienst."
NOT_TAKING_PART = "De organisatie van dit account doet vandaag niet mee aan het convenant."


@bp.before_request
def allowed():
    user = signed_in_user()
    if request.endpoint == "accounts.request_form":
        if not policy.may_request_account(user):
            abort(403)
    elif not policy.may_manage_accounts(user):
        abort(403)


@bp.app_context_processor
def menu():
    user = current_user()
    return {"zvt_may_request_accounts": user is not None and bool(policy.may_request_account(user)),
            "zvt_may_manage_accounts": user is not None and bool(policy.may_manage_accounts(user))}


@bp.get("/beheer/accounts")
def index():
    return render_template("accounts/index.html", partners=account_admin.partners(engine().database))


@bp.get("/beheer/accounts/partner/<code>")
def partner(code: str):
    try:
        rows = account_admin.partner_accounts(engine().database, code)
    except NotFound:
        abort(404)
    name = casework.partner_names(engine()).get(code, code)
    return render_template("accounts/partner.html", code=code, name=name, accounts=rows,
                           requests=account_requests.requests(engine().database, code),
                           refused=account_requests.requests(engine().database, code,
                                                             status=account_requests.REFUSED)[:10],
                           role_labels=ROLE_LABELS, reasons_off=REASONS_OFF)


@bp.post("/beheer/accounts/partner/<code>/uitnodigen")
def invite(code: str):
    try:
        account_requests.send_invitation(engine().database, code, now())
    except NotFound:
        abort(404)
    except account_requests.NoContact:
        flash("In het partnerregister staat geen e-mailadres van de contactpersoon van deze partner.", "error")
    else:
        flash("De contactpersoon krijgt een e-mail met een nieuwe link om accounts aan te vragen. "
              "Een oudere link werkt niet meer.", "ok")
    return redirect(url_for("accounts.partner", code=code))


@bp.post("/beheer/accounts/aanvraag/<int:request_id>/opnieuw")
def resend(request_id: int):
    code = request.form.get("partner", "")
    try:
        account_requests.resend_to_officer(engine().database, request_id, now())
    except NotFound:
        abort(404)
    except RequestInvalid:
        flash("In het partnerregister staat geen e-mailadres van de gemachtigde van deze partner.", "error")
    except Conflict:
        flash("Over deze aanvraag is al beslist.", "info")
    else:
        flash("De gemachtigde krijgt een nieuwe link voor deze aanvraag. Een oudere link werkt niet meer.", "ok")
    return redirect(url_for("accounts.partner", code=code) if code else url_for("accounts.index"))


@bp.get("/beheer/accounts/account/<int:account_id>")
def account(account_id: int, errors: dict | None = None, status: int = 200):
    try:
        row, code, events = account_admin.account(engine().database, account_id)
    except NotFound:
        abort(404)
    names = casework.partner_names(engine())
    name = names.get(code, code)
    return render_template("accounts/account.html", account=row, code=code, partner_name=name,
                           events=[(e, event_text(e), actor_text(e.actor, names)) for e in events], role_labels=ROLE_LABELS,
                           reasons_off=REASONS_OFF, addable=[r for r in sorted(ROLES) if r not in row.roles],
                           privileged=PRIVILEGED_ROLES, errors=errors or {}, form=request.form), status


@bp.post("/beheer/accounts/account/<int:account_id>/rol-intrekken")
def remove_role(account_id: int):
    role = request.form.get("rol", "")
    try:
        account_admin.remove_role(engine().database, account_id, role, signed_in_user().username, now())
    except NotFound:
        abort(404)
    except account_admin.LastBeheerder:
        flash(LAST_BEHEERDER, "error")
    except account_admin.OnlyRole:
        flash(ONLY_ROLE, "error")
    else:
        flash(f"De rol {ROLE_LABELS.get(role, role)} is ingetrokken.", "ok")
    return redirect(url_for("accounts.account", account_id=account_id))


@bp.post("/beheer/accounts/account/<int:account_id>/uitzetten")
def switch_off(account_id: int):
    try:
        changed = account_admin.switch_off(engine().database, account_id, signed_in_user().username, now())
    except NotFound:
        abort(404)
    except account_admin.LastBeheerder:
        flash(LAST_BEHEERDER, "error")
    else:
        flash("Het account staat uit. Wie ermee is ingelogd, is bij de volgende klik uitgelogd." if changed
              else "Het account stond al uit.", "ok")
    return redirect(url_for("accounts.account", account_id=account_id))


@bp.post("/beheer/accounts/account/<int:account_id>/<any(wachtwoord, tweestap):kind>-link")
def reset(account_id: int, kind: str):
    try:
        account_admin.send_reset(engine().database, account_id, kind, signed_in_user().username, now())
    except account_links.NoAddress:
        flash(NO_ADDRESS, "error")
    except NotFound:
        flash(ACCOUNT_OFF, "error")
    else:
        flash("De link staat klaar om te versturen naar het e-mailadres van het account. Hij werkt 2 uur. "
              "Een oudere link werkt niet meer." if kind == account_links.PASSWORD else
              "De link voor nieuwe tweestapsverificatie staat klaar om te versturen naar het e-mailadres van het "
              "account. Hij werkt 2 uur. Een oudere link werkt niet meer.", "ok")
    return redirect(url_for("accounts.account", account_id=account_id))


@bp.post("/beheer/accounts/account/<int:account_id>/sso-koppelen")
def sso_link(account_id: int):
    """Link the account to the person at its organisation's provider, by the code the refused
    login showed them (web/sso.py)."""
    username = _username(account_id)
    try:
        sso.link(engine(), username, request.form.get("code", ""), now(), signed_in_user().username)
    except sso.LinkRefused as exc:
        return account(account_id, errors={"sso": SSO_LINK_PROBLEMS[exc.reason].format(username=exc.username)},
                       status=400)
    except sso.UnknownPartner:
        flash(NO_SSO, "error")
    except AccountInactive:
        flash(NOT_TAKING_PART, "error")
    else:
        flash("Het account is gekoppeld. De medewerker kan nu inloggen via de eigen organisatie.", "ok")
    return redirect(url_for("accounts.account", account_id=account_id))


@bp.post("/beheer/accounts/account/<int:account_id>/sso-ontkoppelen")
def sso_unlink(account_id: int):
    changed = sso.unlink(engine(), _username(account_id), now(), signed_in_user().username)
    flash("De koppeling is opgeheven. Wie zo was ingelogd, is bij de volgende klik uitgelogd." if changed
          else "Het account was niet gekoppeld.", "ok")
    return redirect(url_for("accounts.account", account_id=account_id))


def _username(account_id: int) -> str:
    try:
        row, _code, _events = account_admin.account(engine().database, account_id)
    except NotFound:
        abort(404)
    return row.username


@bp.post("/beheer/accounts/account/<int:account_id>/<any(rol, heractiveren):kind>-aanvragen")
def request_change(account_id: int, kind: str):
    roles = tuple(request.form.getlist("rollen"))
    try:
        account_requests.request_change(engine().database, account_id, kind, roles, request.form.get("reden", ""),
                                        signed_in_user().username, now())
    except NotFound:
        abort(404)
    except RequestInvalid as exc:
        return account(account_id, errors={kind: request_problems(exc.problems)}, status=400)
    flash("De aanvraag is naar de gemachtigde van de partner gestuurd. Die keurt hem goed of af.", "ok")
    return redirect(url_for("accounts.account", account_id=account_id))


@bp.route("/accounts/aanvragen", methods=["GET", "POST"])
def request_form():
    user = signed_in_user()
    choices = [(code, name) for code, name in account_admin.taking_part(engine().database, now())
               if policy.may_request_account(user, code)]
    errors, sent = {}, None
    if request.method == "POST":
        form = form_of(request.form)
        if not policy.may_request_account(user, form.partner):
            errors = {"partner": "Voor deze organisatie kunt u geen account aanvragen."}
        else:
            try:
                account_requests.submit(engine().database, form, user.username, now())
            except RequestInvalid as exc:
                errors = request_problems(exc.problems)
            else:
                sent = dict(choices).get(form.partner, form.partner)
    status = 400 if errors else 200
    return render_template("accounts/request.html", partners=choices, errors=errors, sent=sent,
                           form=request.form if errors else {}, role_labels=ROLE_LABELS,
                           action=url_for("accounts.request_form")), status


def form_of(values) -> RequestForm:
    return RequestForm(partner=values.get("partner", ""), username=values.get("gebruikersnaam", ""),
                       display_name=values.get("naam", ""), email=values.get("email", ""),
                       function=values.get("functie", ""), roles=tuple(values.getlist("rollen")),
                       reason=values.get("reden", ""))
