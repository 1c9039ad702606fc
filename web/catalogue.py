"""Processen: the process catalogue for the proceseigenaar and the beheerder (engine/catalogue.py):
every deployed process with its versions, what changed in each, and each version as a download."""
from __future__ import annotations

import difflib

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from engine import Conflict, NotFound, catalogue, policy
from engine.bpmn_compare import ASPECTS
from engine.migrating import MigrationRefused

from . import reasons
from .areas import current_user, engine, signed_in_user

bp = Blueprint("catalogue", __name__)


@bp.app_context_processor
def _menu():
    user = current_user()
    return {"zvt_may_read_processes": user is not None and bool(policy.may_read_processes(user))}


@bp.before_request
def process_roles_only():
    if not policy.may_read_processes(signed_in_user()):
        abort(403)

# What the page calls the kinds of BPMN element (Dutch, for the proceseigenaar).
KINDS = {
    "userTask": "taak", "manualTask": "taak", "scriptTask": "script", "businessRuleTask": "beslistabel",
    "serviceTask": "automatische stap", "sendTask": "bericht", "receiveTask": "wachten op bericht",
    "callActivity": "deelproces", "subProcess": "deelproces", "startEvent": "start", "endEvent": "einde",
    "boundaryEvent": "termijn of gebeurtenis op een taak", "intermediateCatchEvent": "wachten",
    "intermediateThrowEvent": "bericht", "exclusiveGateway": "keuze", "parallelGateway": "splitsen of samenvoegen",
    "inclusiveGateway": "keuze (een of meer)", "eventBasedGateway": "wachten op wat eerst komt",
    "sequenceFlow": "pijl", "textAnnotation": "notitie", "association": "verbinding met notitie",
    "dataObject": "gegevens", "dataObjectReference": "gegevens",
}


@bp.get("/processen")
def index():
    return render_template("catalogue.html", processes=catalogue.processes(engine(), signed_in_user()))


@bp.get("/processen/<proces:process_id>/versies/<int(min=1, max=1000000):version>")
def version(process_id: str, version: int):
    detail = catalogue.version_detail(engine(), signed_in_user(), process_id, version)
    return render_template("catalogue_version.html", detail=detail, kinds=KINDS, aspects=ASPECTS,
                           line_changes=line_changes,
                           to_move=len(engine().migration_candidates(process_id, version)))


REASON_MISSING = "Schrijf op waarom u de casussen overzet. De reden komt in de tijdlijn van elke casus."


@bp.get("/processen/<proces:process_id>/versies/<int(min=1, max=1000000):version>/overzetten")
def migration(process_id: str, version: int):
    return _migration_page(process_id, version)


@bp.post("/processen/<proces:process_id>/versies/<int(min=1, max=1000000):version>/overzetten")
def migrate(process_id: str, version: int):
    if not policy.may_migrate_cases(signed_in_user()):
        abort(403)
    reason = request.form.get("reden", "").strip()
    error = reasons.problem(reason, REASON_MISSING)
    if error:
        return _migration_page(process_id, version, error=error, status=400)
    user = signed_in_user()
    moved = stayed = 0
    for number in engine().migration_candidates(process_id, version):
        try:
            engine().migrate(number, version, actor=user.username, reason=reason)
        except (MigrationRefused, Conflict, NotFound):
            stayed += 1
        else:
            moved += 1
    flash(f"{moved} {'casus is' if moved == 1 else 'casussen zijn'} overgezet naar versie {version}."
          + (f" {stayed} {'casus blijft' if stayed == 1 else 'casussen blijven'} op de eigen versie." if stayed else ""),
          "ok" if not stayed else "info")
    return redirect(url_for("catalogue.migration", process_id=process_id, version=version))


def _migration_page(process_id: str, version: int, *, error: str | None = None, status: int = 200):
    if not policy.may_migrate_cases(signed_in_user()):
        abort(403)
    detail = catalogue.version_detail(engine(), signed_in_user(), process_id, version)
    results = [engine().migrate(number, version, actor=signed_in_user().username, dry_run=True)
               for number in engine().migration_candidates(process_id, version)]
    return render_template("catalogue_migration.html", detail=detail, results=results, error=error,
                           reason=request.form.get("reden", "") if error else "", reason_max=reasons.MAX_LENGTH), status


@bp.get("/processen/<proces:process_id>/versies/<int(min=1, max=1000000):version>.zip")
def download(process_id: str, version: int):
    content = catalogue.version_zip(engine(), signed_in_user(), process_id, version)
    return Response(content, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{process_id}-versie-{version}.zip"'})


def line_changes(before: str | None, after: str | None) -> list[tuple[str, str]]:
    """The lines of a script, condition or description that changed, with one line around each:
    ("weg" | "erbij" | "", line); ("...", "") where unchanged lines are left out."""
    lines: list[tuple[str, str]] = []
    diff = difflib.unified_diff((before or "").splitlines(), (after or "").splitlines(), lineterm="", n=1)
    for line in list(diff)[2:]:  # after the two file headers
        if line.startswith("@@"):
            if lines:
                lines.append(("...", ""))
        elif line.startswith("-"):
            lines.append(("weg", line[1:]))
        elif line.startswith("+"):
            lines.append(("erbij", line[1:]))
        else:
            lines.append(("", line[1:]))
    return lines
