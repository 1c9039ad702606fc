"""PDFs of a case: the dossier summary and the plan van aanpak, for a zorgoverleg on paper or a
file that must leave the system. Made from HTML by WeasyPrint; every print is in the access log.

The HTML holds only escaped case data and our own CSS, and WeasyPrint may fetch nothing (no
URL, no file): a value that looks like a link stays text.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from engine import casework

from . import dossier
from .areas import engine, now, origin, signed_in_user

bp = Blueprint("printing", __name__)

@bp.get("/casussen/<casus:number>/dossier.pdf")
def dossier_pdf(number: int):
    page = casework.view_case(engine(), signed_in_user(), number, origin(), action="print")
    html = render_template("print/dossier.html", page=page, summary=_summary(page), moment=now(),
                           steps=dossier.steps(page.history, page.forms, "oudste"),
                           informing=dossier.informing(page.instance.process_id, page.history, page.forms),
                           names=casework.partner_names(engine()))
    return pdf_response(html, f"casus-{number}-dossier.pdf")


@bp.get("/casussen/<casus:number>/plan-van-aanpak.pdf")
def plan_pdf(number: int):
    page = casework.view_case(engine(), signed_in_user(), number, origin(), action="print")
    plan = dossier.latest_plan(page.instance.process_id, page.history, page.forms)
    if plan is None:
        abort(404)
    html = render_template("print/plan.html", page=page, summary=_summary(page), moment=now(), plan=plan,
                           names=casework.partner_names(engine()))
    return pdf_response(html, f"casus-{number}-plan-van-aanpak.pdf")


def _summary(page: casework.CasePage) -> list:
    return dossier.summary(page.instance.process_id, page.instance.data, page.forms)


def _refuse_fetch(url: str, *args, **kwargs):
    raise ValueError("the PDF may not load anything")


def pdf_response(html: str, filename: str) -> Response:
    """The HTML as an A4 PDF download; also for the FG's inzage-overzicht (web/toegangslog.py)."""
    # Imported here: loading WeasyPrint (and Pango) costs a moment that only a print should pay.
    from weasyprint import HTML

    pdf = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",  # personal data: never kept by a browser or proxy
    })
