"""For the FG: the access log searched (/fg/toegangslog) and the inzage-overzicht of a case for a
betrokkene (/fg/inzage/<n>, and as PDF). The engine decides who may (only the FG, within its
scope: `policy.audit_scope`) and logs every search, overview and print, refused ones too
(engine/access_reports.py).

The search form is posted (with its CSRF token) and answered with a redirect to the result, the
betrokkene's name kept in the session (web/private_search.py), so that the name never stands in
an address: web servers and proxies log addresses, and browsers keep them in their history. The
other fields stand in the address, so the inzage-overzicht can link back with `?casus=`.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine import access_log, access_reports, caselist, policy
from engine.casework import Forbidden

from . import private_search
from .areas import engine, now, origin, register_filters, signed_in_user
from .printing import pdf_response

bp = Blueprint("toegangslog", __name__)
bp.record_once(lambda state: register_filters(state.app))

ACTIONS = {
    "read": "bekeken", "create": "aangemaakt", "change": "gewijzigd", "delete": "verwijderd",
    "print": "afgedrukt", "export": "overzicht gemaakt", "search": "gezocht", "transfer": "doorgegeven",
}
assert set(ACTIONS) == access_log.ACTIONS
OBJECTS = {
    "case": "de casus", "task": "een taak", "draft": "een concept van een taak", "caselist": "de lijst met casussen",
    "terugkoppeling": "de terugkoppeling", "access_log": "de toegangslog", "inzage": "het inzage-overzicht",
    "item": "een gegeven van een partner", "basis": "de grondslag van een partner", "sharing": "het delen van gegevens",
    "register": "het register van verstrekkingen", "participation": "wie meedoet aan de casus",
    "legal_hold": "de bewaarplicht (niet vernietigen)",
}
RESULTS = {"toegestaan": "toegestaan", "geweigerd": "geweigerd"}


NAME_BY_LINK = ("Zoek op naam met het formulier op deze pagina, niet met een link. Dan komt de naam niet in het "
                "webadres te staan.")
# The fields that may stand in the result's address: no personal data of a betrokkene.
LINK_FIELDS = ("casus", "gebruiker", "organisatie", "handeling", "van", "tot")


def read_search(args: MultiDict, name: str = "") -> tuple[access_reports.Search, dict[str, str]]:
    """The search from the form or the address, with the betrokkene's `name` (posted, or kept in
    the session), and a Dutch message per field that could not be read."""
    errors = {}
    name = name.strip()
    if name:
        try:
            name = caselist.name_query(name)
        except caselist.BadSearch as exc:
            errors["naam"] = str(exc)
            name = ""
    case = args.get("casus", "").strip()
    if case and not (case.isdigit() and len(case) < 10):
        errors["casus"] = "Vul een casusnummer in, alleen cijfers, zoals 12."
    action = args.get("handeling", "")
    since, until = _day(args, "van", errors), _day(args, "tot", errors)
    if since and until and until < since:
        errors["tot"] = "De einddatum ligt voor de begindatum."
    page = args.get("pagina", "1")
    return access_reports.Search(
        case=int(case) if case and "casus" not in errors else None,
        name=name,
        username=args.get("gebruiker", "").strip()[:255],
        partner=args.get("organisatie", "")[:64],
        action=action if action in ACTIONS else "",
        since=since, until=until,
        page=int(page) if page.isdigit() and len(page) < 7 else 1,
    ), errors


def _day(args: MultiDict, name: str, errors: dict) -> date | None:
    value = args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors[name] = "Vul een datum in zoals 31-12-2026."
        return None


@bp.route("/fg/toegangslog", methods=["GET", "POST"])
def search():
    user = signed_in_user()
    posted = request.method == "POST"
    args = request.form if posted else request.args
    typed, errors = _typed_name(args, posted)
    query, field_errors = read_search(args, "" if errors else typed)
    errors = {**field_errors, **errors}
    if posted and not errors and policy.may_audit_access(user):
        return private_search.redirect_with("toegangslog.search", {"naam": typed.strip()},
                                            {name: args.get(name, "") for name in LINK_FIELDS})
    found = None
    if (posted or args) and not errors:
        found = access_reports.search(engine(), user, query, origin())  # refuses, and logs that, for all but the FG
    elif not policy.may_audit_access(user):
        raise Forbidden("only the FG reads the access log")
    scope = policy.audit_scope(user)  # an FG's, as only an FG gets here
    status = 400 if errors else 200
    return render_template("toegangslog.html", query=query, errors=errors, found=found, actions=ACTIONS,
                           objects=OBJECTS, partners=access_reports.partners(engine()), args=args, typed_name=typed,
                           every_case=scope is not None and scope.every_case, page_url=_page_url), status


def _typed_name(args: MultiDict, posted: bool) -> tuple[str, dict[str, str]]:
    """The name as typed: posted, or kept in the session for the search the address names; a
    name in the address itself is refused (it is not searched, and shown to post it properly)."""
    if posted:
        return args.get("naam", ""), {}
    if args.get("naam", "").strip():
        return args["naam"], {"naam": NAME_BY_LINK}
    try:
        return private_search.recall(args).get("naam", ""), {}
    except private_search.Expired:
        return "", {"naam": private_search.EXPIRED}


def _page_url(page: int) -> str:
    args: dict[str, Any] = {**request.args.to_dict(), "pagina": str(page)}
    return url_for("toegangslog.search", **args)


@bp.get("/fg/inzage/<casus:number>")
def inzage(number: int):
    rows = access_reports.inzage(engine(), signed_in_user(), number, origin(), action="export")
    return render_template("inzage.html", number=number, rows=rows, actions=ACTIONS, objects=OBJECTS, moment=now())


@bp.get("/fg/inzage/<casus:number>.pdf")
def inzage_pdf(number: int):
    rows = access_reports.inzage(engine(), signed_in_user(), number, origin(), action="print")
    html = render_template("print/inzage.html", number=number, rows=rows, actions=ACTIONS, objects=OBJECTS,
                           moment=now())
    return pdf_response(html, f"casus-{number}-inzage-overzicht.pdf")
