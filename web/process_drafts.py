"""Nieuwe versie: the proceseigenaar uploads a changed version of a process as a draft, sees it
checked as `zvt deploy` checks it and compared with the version that runs, and deploys it with a
reason (engine/process_drafts.py)."""
from __future__ import annotations

import json

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for

from engine import DefinitionRefused, catalogue, policy
from engine import process_drafts as drafts
from engine.bpmn_compare import ASPECTS
from engine.modeler_facts import modeler_facts

from . import reasons
from .areas import engine, signed_in_user
from .bpmn_lint import lint
from .catalogue import KINDS, line_changes
from .security import content_security_policy

bp = Blueprint("process_drafts", __name__)

REASON_MISSING = "Schrijf op waarom er een nieuwe versie komt. De reden blijft bij de versie staan."
NO_FILE = "Kies een zip-bestand om te sturen."


@bp.before_request
def process_owners_only():
    if not policy.may_change_processes(signed_in_user()):
        abort(403)


@bp.get("/processen/<proces:process_id>/nieuwe-versie")
def new(process_id: str, error: str | None = None, status: int = 200):
    process = next((p for p in catalogue.processes(engine(), signed_in_user()) if p.process_id == process_id), None)
    if process is None:
        abort(404)
    return render_template("process_draft_upload.html", process=process, error=error,
                           drafts=drafts.drafts(engine(), signed_in_user(), process_id)), status


@bp.post("/processen/<proces:process_id>/nieuwe-versie")
def upload(process_id: str):
    uploaded = request.files.get("bestand")
    if uploaded is None or not uploaded.filename:
        return new(process_id, error=NO_FILE, status=400)
    try:
        draft_id = drafts.upload(engine(), signed_in_user(), process_id, uploaded.read(drafts.MAX_ZIP_BYTES + 1))
    except drafts.DraftRefused as refused:
        return new(process_id, error=str(refused), status=400)
    return redirect(url_for("process_drafts.show", process_id=process_id, draft_id=draft_id))


@bp.post("/processen/<proces:process_id>/bewerken")
def edit_latest(process_id: str):
    draft_id = drafts.start_from_latest(engine(), signed_in_user(), process_id)
    return redirect(url_for("process_drafts.modeler", process_id=process_id, draft_id=draft_id))


@bp.get("/processen/<proces:process_id>/concepten/<int(min=1, max=2147483647):draft_id>/bewerken")
def modeler(process_id: str, draft_id: int, error: str | None = None, status: int = 200):
    name, text = drafts.diagram(engine(), signed_in_user(), process_id, draft_id)
    checked = drafts.check(engine(), signed_in_user(), process_id, draft_id, lint=lint)
    problems = [{"element": p.element, "reason": p.reason} for p in checked.problems if p.element]
    response = make_response(render_template(
        "process_modeler.html", draft=checked.draft, file_name=name, bpmn=text, error=error,
        problems=checked.problems, markers=json.dumps(problems),
        facts=json.dumps(modeler_facts(engine(), signed_in_user(), process_id, draft_id))), status)
    # diagram-js builds some of its controls from HTML with style attributes (min-dom's domify).
    # Style attributes only: no inline <style> and no inline script, as everywhere else.
    response.headers["Content-Security-Policy"] = content_security_policy(style_src_attr="'unsafe-inline'")
    return response


@bp.post("/processen/<proces:process_id>/concepten/<int(min=1, max=2147483647):draft_id>/bpmn")
def save_diagram(process_id: str, draft_id: int):
    try:
        drafts.replace_diagram(engine(), signed_in_user(), process_id, draft_id, request.form.get("bpmn", ""))
    except drafts.DraftRefused as refused:
        return modeler(process_id, draft_id, error=str(refused), status=400)
    return redirect(url_for("process_drafts.show", process_id=process_id, draft_id=draft_id))


@bp.get("/processen/<proces:process_id>/concepten/<int(min=1, max=2147483647):draft_id>/beslistabel/<proces:name>")
def decision_table(process_id: str, draft_id: int, name: str, error: str | None = None, status: int = 200):
    path = f"processes/{name}.dmn"
    text = drafts.decision_tables(engine(), signed_in_user(), process_id, draft_id).get(path)
    if text is None:
        abort(404)
    response = make_response(render_template("decision_table_editor.html", process_id=process_id, draft_id=draft_id,
                                             name=name, dmn=text, error=error), status)
    response.headers["Content-Security-Policy"] = content_security_policy(style_src_attr="'unsafe-inline'")
    return response


@bp.post("/processen/<proces:process_id>/concepten/<int(min=1, max=2147483647):draft_id>/beslistabel/<proces:name>")
def save_decision_table(process_id: str, draft_id: int, name: str):
    try:
        drafts.replace_decision_table(engine(), signed_in_user(), process_id, draft_id, f"processes/{name}.dmn",
                                      request.form.get("dmn", ""))
    except drafts.DraftRefused as refused:
        return decision_table(process_id, draft_id, name, error=str(refused), status=400)
    return redirect(url_for("process_drafts.show", process_id=process_id, draft_id=draft_id))


@bp.get("/processen/<proces:process_id>/concepten/<int(min=1, max=2147483647):draft_id>")
def show(process_id: str, draft_id: int, *, error: str | None = None, problems=None, status: int = 200):
    checked = drafts.check(engine(), signed_in_user(), process_id, draft_id, lint=lint)
    return render_template("process_draft.html", checked=checked, problems=problems or checked.problems,
                           kinds=KINDS, aspects=ASPECTS, line_changes=line_changes, error=error,
                           reason=request.form.get("reden", "") if error else "", reason_max=reasons.MAX_LENGTH), status


@bp.post("/processen/<proces:process_id>/concepten/<int(min=1, max=2147483647):draft_id>/klaarzetten")
def deploy(process_id: str, draft_id: int):
    reason = request.form.get("reden", "").strip()
    error = reasons.problem(reason, REASON_MISSING)
    if error:
        return show(process_id, draft_id, error=error, status=400)
    checked = drafts.check(engine(), signed_in_user(), process_id, draft_id, lint=lint)
    if checked.problems:  # also bpmnlint's, which deploy itself does not run
        return show(process_id, draft_id, status=400)
    try:
        version = drafts.deploy(engine(), signed_in_user(), process_id, draft_id, reason)
    except DefinitionRefused as refused:
        return show(process_id, draft_id, problems=list(refused.problems), status=400)
    if version.new:
        flash(f"Versie {version.version} staat klaar. Nieuwe casussen beginnen op deze versie; lopende casussen "
              "blijven op hun versie tot u ze overzet.", "ok")
    else:
        flash(f"Het concept is gelijk aan versie {version.version}. Er is geen nieuwe versie gemaakt.", "info")
    return redirect(url_for("catalogue.version", process_id=process_id, version=version.version))


@bp.post("/processen/<proces:process_id>/concepten/<int(min=1, max=2147483647):draft_id>/weggooien")
def discard(process_id: str, draft_id: int):
    drafts.discard(engine(), signed_in_user(), process_id, draft_id)
    flash("Het concept is weggegooid.", "ok")
    return redirect(url_for("process_drafts.new", process_id=process_id))
