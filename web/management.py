"""Managementinformatie: the figures of a year, a quarter or a chosen period for the manager and
the teamleider (engine/management_report.py), with charts and a CSV and XLSX export of exactly
the same tables. No personal data and no case numbers; every view and export is a row in the
access log, a refused one too."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import Blueprint, Response, abort, render_template, request

from engine import management_report as report_of
from engine import policy
from engine.clock import AMSTERDAM
from engine.management_info import Period

from . import charts
from .areas import current_user, engine, now, origin, signed_in_user
from .management_export import explanation, to_csv, to_xlsx

bp = Blueprint("management", __name__)

KINDS = {"jaar": "Een jaar", "kwartaal": "Een kwartaal", "periode": "Zelf kiezen: van en tot"}
FIRST_YEAR, LAST_YEAR = 2000, 2100


@bp.app_context_processor
def menu():
    user = current_user()
    return {"zvt_may_read_management_info": user is not None and bool(policy.may_read_management_info(user))}


@dataclass
class Choice:
    """What the period form says, as typed, and its mistakes per field."""
    kind: str
    year: str
    quarter: str
    first: str
    last: str
    errors: dict[str, str] = field(default_factory=dict)
    period: Period | None = None


def choice() -> Choice:
    today = now().astimezone(AMSTERDAM).date()
    args = request.args
    found = Choice(args.get("soort", "jaar"), args.get("jaar", str(today.year)).strip(),
                   args.get("kwartaal", str((today.month - 1) // 3 + 1)).strip(),
                   args.get("van", "").strip(), args.get("tot", "").strip())
    if found.kind not in KINDS:
        found.kind = "jaar"
    if found.kind == "periode":
        first, last = _day(found, "van", found.first), _day(found, "tot", found.last)
        if first and last and last < first:
            found.errors["tot"] = "De einddatum ligt voor de begindatum. Kies een einddatum op of na de begindatum."
        if not found.errors and first and last:  # without errors both are days
            found.period = Period(first, last)
        return found
    year = found.year
    if not (year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR):
        found.errors["jaar"] = f"Vul een jaar in met vier cijfers, bijvoorbeeld {today.year}."
    if found.kind == "kwartaal" and found.quarter not in ("1", "2", "3", "4"):
        found.errors["kwartaal"] = "Kies een kwartaal: 1, 2, 3 of 4."
    if not found.errors:
        found.period = (Period.year(int(year)) if found.kind == "jaar"
                        else Period.quarter(int(year), int(found.quarter)))
    return found


def _day(found: Choice, name: str, text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        found.errors[name] = "Vul een datum in, bijvoorbeeld 2026-01-31 (jaar, maand, dag)."
        return None
    return day


def _report(action: str):
    """The period asked for and its report; None with the period's mistakes. The engine asks the
    policy and logs the view, a refused one too (then the Dutch 403 page, whatever the period)."""
    found = choice()
    if found.period is None and policy.may_read_management_info(signed_in_user()):
        return found, None
    try:
        return found, report_of.read(engine(), signed_in_user(), origin(), found.period or Period.year(now().year),
                                     action)
    except report_of.NotAllowed:
        abort(403)


@bp.get("/managementinformatie")
def index():
    found, report = _report("read")
    page_charts = {t.key: charts.svg(t, f"grafiek-{t.key}") for t in report.tables} if report else {}
    return render_template("managementinformatie.html", choice=found, kinds=KINDS, report=report,
                           charts=page_charts, threshold=report_of.THRESHOLD, hidden=report_of.HIDDEN,
                           explanation=explanation(report) if report else [], query=request.query_string.decode()), \
        400 if found.errors else 200


@bp.get("/managementinformatie/export.csv")
def export_csv():
    return _download("csv", to_csv, "text/csv; charset=utf-8")


@bp.get("/managementinformatie/export.xlsx")
def export_xlsx():
    return _download("xlsx", to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _download(extension: str, make, mimetype: str):
    found, report = _report("export")
    if report is None:
        return index()
    name = f"managementinformatie-{report.period.first.isoformat()}-{report.period.last.isoformat()}.{extension}"
    return Response(make(report), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
