"""For the FG: the access log searched (/fg/toegangslog) and the inzage-overzicht of a case for a
betrokkene (/fg/inzage/<n>, and as PDF). The engine decides who may (only the FG) and logs every
search, overview and print, refused ones too (engine/access_reports.py).

The search form is posted (with its CSRF token), so that a betrokkene's name never stands in an
address: web servers and proxies log addresses, and browsers keep them in their history. The
same search without a name also works as a link (GET), as the inzage-overzicht links back."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from werkzeug.datastructures import MultiDict

from engine import access_log, access_reports, caselist, policy
from engine.casework import Forbidden

from .areas import current_user, engine, now, origin, register_filters
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
}
RESULTS = {"toegestaan": "toegestaan", "geweigerd": "geweigerd"}


NAME_BY_LINK = ("Zoek op naam met het formulier op deze pagina, niet met een link. Dan komt de naam niet in het "
                "webadres te staan.")


def read_search(args: MultiDict, posted: bool = True) -> tuple[access_reports.Search, dict[str, str]]:
    """The search from the form (`posted`) or the query string, and a Dutch message per field
    that could not be read. A name only comes posted."""
    errors = {}
    name = ""
    if args.get("naam", "").strip() and not posted:
        errors["naam"] = NAME_BY_LINK
    elif args.get("naam", "").strip():
        try:
            name = caselist.name_query(args["naam"])
        except caselist.BadSearch as exc:
            errors["naam"] = str(exc)
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
    user = current_user()
    posted = request.method == "POST"
    args = request.form if posted else request.args
    query, errors = read_search(args, posted)
    found = None
    if (posted or request.args) and not errors:
        found = access_reports.search(engine(), user, query, origin())  # refuses, and logs that, for all but the FG
    elif not policy.may_audit_access(user):
        raise Forbidden("only the FG reads the access log")
    return render_template("toegangslog.html", query=query, errors=errors, found=found, actions=ACTIONS,
                           objects=OBJECTS, partners=access_reports.partners(engine()), args=args,
                           every_case=user.partner == policy.GEMEENTE), 400 if errors else 200


@bp.get("/fg/inzage/<casus:number>")
def inzage(number: int):
    rows = access_reports.inzage(engine(), current_user(), number, origin(), action="export")
    return render_template("inzage.html", number=number, rows=rows, actions=ACTIONS, objects=OBJECTS, moment=now())


@bp.get("/fg/inzage/<casus:number>.pdf")
def inzage_pdf(number: int):
    rows = access_reports.inzage(engine(), current_user(), number, origin(), action="print")
    html = render_template("print/inzage.html", number=number, rows=rows, actions=ACTIONS, objects=OBJECTS,
                           moment=now())
    return pdf_response(html, f"casus-{number}-inzage-overzicht.pdf")
