"""Formulieren in a draft: the proceseigenaar changes a task form's labels, help texts, required
fields, order and choices (labels, order, new ones, one removed after a warning when the draft
names its code), adds a field of one of six kinds and removes one (after a warning
when the draft uses it), and sees the form as the caseworker will, drawn by the same renderer
(web/forms), live while typing (web/static/form-editor.js) or after "Voorbeeld bekijken". A
field's type or its rules are changed in the zip's files; the draft's check and deploy judge the
edited form as any form (engine/definitions.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import NotFound, partner_choices, policy
from engine import process_drafts as drafts
from engine.field_references import choice_mentions, mentions, names_in_use
from engine.form_choices import choices_of
from engine.form_fields import KINDS, MAX_HELP, MAX_OPTIONS, MAX_TITLE

from .areas import engine, signed_in_user
from .form_edits import apply_page, editable_fields, fields_to_open, fields_with_errors
from .forms import render_form

bp = Blueprint("form_editor", __name__)

DRAFT = "/processen/<proces:process_id>/concepten/<int(min=1, max=2147483647):draft_id>"


@bp.before_request
def process_owners_only():
    if not policy.may_change_processes(signed_in_user()):
        abort(403)


@bp.get(DRAFT + "/formulieren")
def index(process_id: str, draft_id: int):
    forms = drafts.draft_forms(engine(), signed_in_user(), process_id, draft_id)
    return render_template("form_editor_list.html", process_id=process_id, draft_id=draft_id, forms=forms)


@bp.get(DRAFT + "/formulieren/<proces:task_id>")
def edit(process_id: str, draft_id: int, task_id: str):
    schema, ui = _form(process_id, draft_id, task_id)
    return _page(process_id, draft_id, task_id, schema, ui, {}, opened=set(request.args.getlist("veld")))


@bp.post(DRAFT + "/formulieren/<proces:task_id>")
def save(process_id: str, draft_id: int, task_id: str):
    """Every button of the page posts here: the edits, a field to remove and a new field are saved
    together or not at all; "Voorbeeld bekijken" (actie=voorbeeld) only shows them."""
    forms = drafts.draft_forms(engine(), signed_in_user(), process_id, draft_id)
    schema, ui = _form_in(forms, draft_id, task_id)
    files = drafts.draft_files(engine(), signed_in_user(), process_id, draft_id)
    result = apply_page(schema, ui, request.form, names_in_use(process_id, forms, files),
                        lambda name: mentions(process_id, task_id, name, forms, files),
                        lambda name, code: choice_mentions(process_id, task_id, name, code, forms, files))
    opened = fields_to_open(schema, ui, result.schema, result.ui, result.errors)
    if result.errors:
        return _page(process_id, draft_id, task_id, schema, ui, result.errors, posted=request.form, status=400,
                     opened=opened)
    asking = result.confirm or result.confirm_choice
    if asking or request.form.get("actie") == "voorbeeld":
        if result.confirm_choice:
            opened.add(result.confirm_choice[0])
        return _page(process_id, draft_id, task_id, schema, ui, {}, posted=request.form,
                     status=409 if asking else 200, result=result, opened=opened)
    drafts.replace_form(engine(), signed_in_user(), process_id, draft_id, task_id, result.schema, result.ui)
    removed_choice = None
    if result.removed_choice:
        name, code = result.removed_choice
        removed_choice = f"De keuze ‘{dict(choices_of(schema['properties'][name]))[code]}’ ({code}) is verwijderd."
    flash(" ".join(filter(None, [
        f"Het veld ‘{result.removed}’ is verwijderd." if result.removed else None, removed_choice,
        f"Het veld ‘{result.added}’ is toegevoegd." if result.added else None,
        "Het formulier is opgeslagen in het concept. Hieronder ziet u het zoals de medewerker het ziet."])), "ok")
    return redirect(url_for("form_editor.edit", process_id=process_id, draft_id=draft_id, task_id=task_id,
                            veld=sorted(opened)))


@bp.post(DRAFT + "/formulieren/<proces:task_id>/voorbeeld")
def preview(process_id: str, draft_id: int, task_id: str):
    """The live preview (web/static/form-editor.js): the page's inputs as they are now, drawn by the
    caseworkers' renderer; an HTML fragment. Nothing is saved."""
    forms = drafts.draft_forms(engine(), signed_in_user(), process_id, draft_id)
    schema, ui = _form_in(forms, draft_id, task_id)
    files = drafts.draft_files(engine(), signed_in_user(), process_id, draft_id)
    result = apply_page(schema, ui, request.form, names_in_use(process_id, forms, files))
    return render_template("form_editor_preview.html", result=result,
                           preview=_preview(result.schema, result.ui))


def _form(process_id: str, draft_id: int, task_id: str) -> tuple[dict, dict]:
    return _form_in(drafts.draft_forms(engine(), signed_in_user(), process_id, draft_id), draft_id, task_id)


def _form_in(forms: dict, draft_id: int, task_id: str) -> tuple[dict, dict]:
    found = forms.get(task_id)
    if found is None:
        raise NotFound(f"draft {draft_id} has no form {task_id}")
    return found


def _page(process_id, draft_id, task_id, schema, ui, errors, posted=None, status=200, result=None, opened=frozenset()):
    shown_schema, shown_ui = (result.schema, result.ui) if result is not None else (schema, ui)
    return render_template(
        "form_editor.html", process_id=process_id, draft_id=draft_id, task_id=task_id, schema=schema,
        fields=editable_fields(schema, ui), errors=errors, posted=posted, result=result, kinds=KINDS,
        preview=_preview(shown_schema, shown_ui), max_title=MAX_TITLE, max_help=MAX_HELP,
        max_options=MAX_OPTIONS, opened=opened, wrong=fields_with_errors(errors)), status


def _preview(schema: dict, ui: dict):
    """The form as the caseworker sees it today: partner choices filled in from the register."""
    return render_form(partner_choices.offered(engine(), schema) or {}, {}, {}, {}, ui=ui)
