"""Casussen: the cases the reader may see, with filters, a search and pages (GET only, so it
works without JavaScript and a filtered page can be bookmarked)."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from engine import casework, participation
from engine.caselist import NIVEAUS, STATUSES, BadSearch, Filters, SearchRefused, filter_processes

from .areas import current_user, engine, now, origin, register_filters

bp = Blueprint("caselist", __name__)
bp.record_once(lambda state: register_filters(state.app))

STATUS_LABELS = {"running": "Lopend", "completed": "Afgerond", "all": "Lopend en afgerond"}
NOT_ALLOWED = ("U kunt niet zoeken op naam of geboortedatum: uw rol geeft geen toegang tot gegevens van personen. "
               "U kunt wel zoeken op casusnummer.")


def read_filters(args: MultiDict) -> Filters:
    """The filters from the query string; anything that cannot be read counts as not chosen."""
    status = args.get("status", "running")
    niveau = args.get("niveau", "")
    page = args.get("pagina", "1")
    return Filters(
        process=args.get("proces") or None,
        status=status if status in STATUSES else "running",
        niveau=int(niveau) if niveau.isdigit() and int(niveau) in NIVEAUS else None,
        overdue=args.get("te_laat") == "ja",
        mine=args.get("mijn") == "ja",
        query=args.get("zoek", ""),
        page=int(page) if page.isdigit() and len(page) < 7 else 1,
    )


@bp.get("/casussen")
def index():
    filters = read_filters(request.args)
    moment = now()
    error, result, status = None, None, 200
    try:
        result = casework.list_cases(engine(), current_user(), filters, origin(), moment)
    except BadSearch as exc:
        error, status = str(exc), 400
    except SearchRefused:
        error, status = NOT_ALLOWED, 403
    processes = result.processes if result else filter_processes(engine(), current_user())
    return render_template("caselist.html", filters=filters, result=result, error=error, moment=moment,
                           processes=processes, statuses=STATUS_LABELS, niveaus=NIVEAUS, page_url=_page_url,
                           opted_out=participation.opted_out(engine(), current_user())), status


def _page_url(page: int) -> str:
    args = request.args.to_dict()
    args["pagina"] = str(page)
    return url_for("caselist.index", **args)
