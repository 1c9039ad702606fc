"""Casussen: the cases the reader may see, with filters, a search and pages.

The form is posted (with its CSRF token) and answered with a redirect to the list
(web/private_search.py): a name or date of birth is kept in the session, never put in the
address, which web servers and proxies log and browsers keep in their history. The filters and a
case number stand in the address, so the list works without JavaScript, its pages are links, the
back button returns to a search, and a filtered list can be bookmarked. A name or date of birth
in an address itself is not searched (400, with a Dutch message)."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine import casework, participation, policy
from engine.caselist import NIVEAUS, STATUSES, BadSearch, Filters, SearchRefused, filter_processes, parse_search

from . import private_search
from .areas import engine, now, origin, register_filters, signed_in_user

bp = Blueprint("caselist", __name__)
bp.record_once(lambda state: register_filters(state.app))

STATUS_LABELS = {"running": "Lopend", "completed": "Afgerond", "all": "Lopend en afgerond"}
NOT_ALLOWED = ("U kunt niet zoeken op naam of geboortedatum: uw rol geeft geen toegang tot gegevens van personen. "
               "U kunt wel zoeken op casusnummer.")
BY_LINK = ("Zoek op naam of geboortedatum met het zoekveld op deze pagina, niet met een link. Dan komt de naam of "
           "geboortedatum niet in het webadres te staan. Kies hieronder Zoeken.")
# The filters that stand in the list's address: no personal data.
LINK_FIELDS = ("proces", "status", "niveau", "te_laat", "mijn")


def read_filters(args: MultiDict, query: str = "") -> Filters:
    """The filters from the form or the address, with the search text `query`; anything that
    cannot be read counts as not chosen."""
    status = args.get("status", "running")
    niveau = args.get("niveau", "")
    page = args.get("pagina", "1")
    return Filters(
        process=args.get("proces") or None,
        status=status if status in STATUSES else "running",
        niveau=int(niveau) if niveau.isdigit() and int(niveau) in NIVEAUS else None,
        overdue=args.get("te_laat") == "ja",
        mine=args.get("mijn") == "ja",
        query=query,
        page=int(page) if page.isdigit() and len(page) < 7 else 1,
    )


@bp.post("/casussen")
def search():
    """The form: on to the list, a name or date of birth kept out of the address."""
    typed = request.form.get("zoek", "")
    try:
        found = parse_search(typed)
    except BadSearch as exc:
        return _page(read_filters(request.form, typed), str(exc), 400)
    filters = read_filters(request.form, typed)
    if found is not None and found.kind != "casusnummer" and not signed_in_user().roles & policy.PERSONAL_DATA_ROLES:
        return _page(filters)  # refused, and logged, by the engine; nothing kept for who may not search so
    links = {name: request.form[name] for name in LINK_FIELDS if request.form.get(name)}
    if found is None or found.kind == "casusnummer":
        args: dict[str, Any] = {**links, **({"zoek": found.number} if found else {})}
        return redirect(url_for("caselist.index", **args), code=303)
    return private_search.redirect_with("caselist.index", {"zoek": typed.strip()}, links)


@bp.get("/casussen")
def index():
    typed = request.args.get("zoek", "")
    if typed.strip() and not _is_case_number(typed):
        return _page(read_filters(request.args, typed), BY_LINK, 400, search=False)
    try:
        typed = private_search.recall(request.args).get("zoek", typed)
    except private_search.Expired:
        return _page(read_filters(request.args), private_search.EXPIRED, 400, search=False)
    return _page(read_filters(request.args, typed))


def _page(filters: Filters, error: str | None = None, status: int = 200, search: bool = True):
    """The list for `filters` (unless there is an `error` already, or `search` is off)."""
    moment = now()
    result = None
    if search and error is None:
        try:
            result = casework.list_cases(engine(), signed_in_user(), filters, origin(), moment)
        except BadSearch as exc:
            error, status = str(exc), 400
        except SearchRefused:
            error, status = NOT_ALLOWED, 403
    processes = result.processes if result else filter_processes(engine(), signed_in_user())
    return render_template("caselist.html", filters=filters, result=result, error=error, moment=moment,
                           processes=processes, statuses=STATUS_LABELS, niveaus=NIVEAUS, page_url=_page_url,
                           opted_out=participation.opted_out(engine(), signed_in_user())), status


def _is_case_number(text: str) -> bool:
    try:
        found = parse_search(text)
    except BadSearch:
        return False
    return found is not None and found.kind == "casusnummer"


def _page_url(page: int) -> str:
    args: dict[str, Any] = {**request.args.to_dict(), "pagina": str(page)}
    return url_for("caselist.index", **args)
