"""Processen: the process catalogue for the proceseigenaar and the beheerder (engine/catalogue.py):
every deployed process with its versions, what changed in each, and each version as a download."""
from __future__ import annotations

import difflib

from flask import Blueprint, Response, abort, render_template

from engine import catalogue, policy
from engine.bpmn_compare import ASPECTS

from .areas import current_user, engine

bp = Blueprint("catalogue", __name__)


@bp.app_context_processor
def _menu():
    user = current_user()
    return {"zvt_may_read_processes": user is not None and bool(policy.may_read_processes(user))}


@bp.before_request
def process_roles_only():
    if not policy.may_read_processes(current_user()):
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
    return render_template("catalogue.html", processes=catalogue.processes(engine(), current_user()))


@bp.get("/processen/<proces:process_id>/versies/<int(min=1, max=1000000):version>")
def version(process_id: str, version: int):
    detail = catalogue.version_detail(engine(), current_user(), process_id, version)
    return render_template("catalogue_version.html", detail=detail, kinds=KINDS, aspects=ASPECTS,
                           line_changes=line_changes)


@bp.get("/processen/<proces:process_id>/versies/<int(min=1, max=1000000):version>.zip")
def download(process_id: str, version: int):
    content = catalogue.version_zip(engine(), current_user(), process_id, version)
    return Response(content, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{process_id}-versie-{version}.zip"'})


def line_changes(before: str | None, after: str | None) -> list[tuple[str, str]]:
    """The lines of a script, condition or description that changed, with one line around each:
    ("weg" | "erbij" | "", line); ("...", "") where unchanged lines are left out."""
    lines = []
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
