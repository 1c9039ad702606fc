"""Formulieren in a draft: the proceseigenaar changes a task form's labels, help texts, required
fields, order and option texts, and sees the form as the caseworker will, drawn by the same
renderer (web/forms). What a form asks (its fields and their types) is changed in the zip's files;
the draft's check and deploy judge the edited form as any form (engine/definitions.py)."""
from __future__ import annotations

import copy
from collections.abc import Mapping

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import NotFound, policy
from engine import process_drafts as drafts
from engine.ui_schema import ordered

from .areas import current_user, engine
from .forms import render_form

bp = Blueprint("form_editor", __name__)

MAX_TITLE = 200
MAX_HELP = 1000
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


def editable_fields(schema: Mapping, ui: Mapping) -> list[dict]:
    """The form's top-level fields in their order, with what the editor lets a person change."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    rows = []
    for position, name in enumerate(ordered(list(properties), ui), start=1):
        prop = properties[name] if isinstance(properties[name], dict) else {}
        field_ui = ui.get(name) if isinstance(ui.get(name), dict) else {}
        one_of = prop.get("oneOf") if isinstance(prop.get("oneOf"), list) else []
        rows.append({
            "name": name, "title": str(prop.get("title") or ""), "help": str(field_ui.get("ui:help") or ""),
            "required": name in required, "read_only": bool(prop.get("readOnly")), "position": position,
            "options": [(str(o.get("const")), str(o.get("title") or o.get("const"))) for o in one_of
                        if isinstance(o, dict) and "const" in o],
        })
    return rows


def apply_edits(schema: Mapping, ui: Mapping, form: Mapping) -> tuple[dict, dict, dict[str, str]]:
    """(schema, UI schema, errors by input name) after the editor's post: titles, help texts,
    required, order and option titles of the top-level fields; nothing else changes."""
    schema, ui = copy.deepcopy(dict(schema)), copy.deepcopy(dict(ui))
    properties = schema.get("properties") or {}
    errors: dict[str, str] = {}
    required, order = [], []
    for row in editable_fields(schema, ui):
        name = row["name"]
        prop = properties[name]
        title = form.get(f"titel-{name}", "").strip()
        if not title:
            errors[f"titel-{name}"] = "Vul een vraag of naam in."
        elif len(title) > MAX_TITLE:
            errors[f"titel-{name}"] = f"Gebruik hoogstens {MAX_TITLE} tekens."
        prop["title"] = title
        help_text = form.get(f"hulp-{name}", "").strip()
        if len(help_text) > MAX_HELP:
            errors[f"hulp-{name}"] = f"Gebruik hoogstens {MAX_HELP} tekens."
        field_ui = ui.get(name) if isinstance(ui.get(name), dict) else {}
        if help_text:
            field_ui["ui:help"] = help_text
        else:
            field_ui.pop("ui:help", None)
        if field_ui:
            ui[name] = field_ui
        else:
            ui.pop(name, None)
        if form.get(f"verplicht-{name}") and not row["read_only"]:
            required.append(name)
        try:
            order.append((int(form.get(f"volgorde-{name}", "")), row["position"], name))
        except ValueError:
            errors[f"volgorde-{name}"] = "Vul een getal in."
        choices = [o for o in prop.get("oneOf") or [] if isinstance(o, dict) and "const" in o]
        for index, choice in enumerate(choices):
            option_title = form.get(f"optie-{name}-{index}", "").strip()
            if not option_title or len(option_title) > MAX_TITLE:
                errors[f"optie-{name}-{index}"] = f"Vul een tekst in van hoogstens {MAX_TITLE} tekens."
            choice["title"] = option_title
    if required:
        schema["required"] = required
    else:
        schema.pop("required", None)
    ui["ui:order"] = [name for _n, _p, name in sorted(order)]
    return schema, ui, errors
