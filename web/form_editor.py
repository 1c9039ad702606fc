"""Formulieren in a draft: the proceseigenaar changes a task form's labels, help texts, required
fields, order and option texts, and sees the form as the caseworker will, drawn by the same
renderer (web/forms). What a form asks (its fields and their types) is changed in the zip's files;
the draft's check and deploy judge the edited form as any form (engine/definitions.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import NotFound, policy
from engine import process_drafts as drafts

from .areas import current_user, engine
from .form_edits import MAX_HELP, MAX_TITLE, apply_edits, editable_fields
from .forms import render_form

bp = Blueprint("form_editor", __name__)

DRAFT = "/processen/<proces:process_id>/concepten/<int(min=1, max=2147483647):draft_id>"


@bp.before_request
def process_owners_only():
    if not policy.may_change_processes(current_user()):
        abort(403)


@bp.get(DRAFT + "/formulieren")
def index(process_id: str, draft_id: int):
    forms = drafts.draft_forms(engine(), current_user(), process_id, draft_id)
    return render_template("form_editor_list.html", process_id=process_id, draft_id=draft_id, forms=forms)


@bp.get(DRAFT + "/formulieren/<proces:task_id>")
def edit(process_id: str, draft_id: int, task_id: str):
    schema, ui = _form(process_id, draft_id, task_id)
    return _page(process_id, draft_id, task_id, schema, ui, {})


@bp.post(DRAFT + "/formulieren/<proces:task_id>")
def save(process_id: str, draft_id: int, task_id: str):
    schema, ui = _form(process_id, draft_id, task_id)
    new_schema, new_ui, errors = apply_edits(schema, ui, request.form)
    if errors:
        return _page(process_id, draft_id, task_id, schema, ui, errors, posted=request.form, status=400)
    drafts.replace_form(engine(), current_user(), process_id, draft_id, task_id, new_schema, new_ui)
    flash("Het formulier is opgeslagen in het concept. Hieronder ziet u het zoals de medewerker het ziet.", "ok")
    return redirect(url_for("form_editor.edit", process_id=process_id, draft_id=draft_id, task_id=task_id))


def _form(process_id: str, draft_id: int, task_id: str) -> tuple[dict, dict]:
    found = drafts.draft_forms(engine(), current_user(), process_id, draft_id).get(task_id)
    if found is None:
        raise NotFound(f"draft {draft_id} has no form {task_id}")
    return found


def _page(process_id, draft_id, task_id, schema, ui, errors, posted=None, status=200):
    return render_template(
        "form_editor.html", process_id=process_id, draft_id=draft_id, task_id=task_id, schema=schema,
        fields=editable_fields(schema, ui), errors=errors, posted=posted,
        preview=render_form(schema, {}, {}, {}, ui=ui), max_title=MAX_TITLE, max_help=MAX_HELP), status
