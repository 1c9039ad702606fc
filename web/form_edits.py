"""What the form editor's page changes on a form's existing fields: their question, help text,
whether they are required, their place and the texts of their choices. Pure functions over
(JSON Schema, UI schema); the views are in web/form_editor.py."""
from __future__ import annotations

import copy
from collections.abc import Mapping

from engine.ui_schema import ordered

MAX_TITLE = 200
MAX_HELP = 1000


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
