"""What a post of the form editor's page changes: the existing fields' question, help text,
whether they are required, their place and the texts of their choices; a field removed
(engine/field_references.py) and a field added (engine/form_fields.py). Pure functions over
(JSON Schema, UI schema); the views are in web/form_editor.py."""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from engine.field_references import Mention, remove_field
from engine.form_fields import CHOICE_KINDS, MAX_HELP, MAX_TITLE, FieldRefused, NewField, add_field, option_texts
from engine.ui_schema import ordered


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


@dataclass
class PageResult:
    """What one post of the editor's page does to the form; `errors` by input name."""
    schema: dict
    ui: dict
    errors: dict[str, str] = field(default_factory=dict)
    added: str | None = None  # the new field's name
    removed: str | None = None
    confirm: str | None = None  # a field to remove whose mentions the person has not seen yet
    mentions: list[Mention] = field(default_factory=list)
    new_field_note: str | None = None  # for the preview: why the new field is not in it yet


def new_field_from(form: Mapping) -> NewField:
    return NewField(kind=form.get("nieuw-soort", ""), title=form.get("nieuw-titel", "").strip(),
                    help=form.get("nieuw-hulp", "").strip(), required=bool(form.get("nieuw-verplicht")),
                    options=option_texts(form.get("nieuw-keuzes", "")), name=form.get("nieuw-naam", "").strip())


def apply_page(schema: Mapping, ui: Mapping, form: Mapping, taken: Iterable[str],
               mentions_of: Callable[[str], list[Mention]] | None = None) -> PageResult:
    """The page's post applied: edits of the existing fields, then the field to remove (button
    `verwijderen`, or `verwijderen_bevestigd` after the warning), then the new field when any of
    its inputs is filled in or `actie` is `toevoegen`. Without `mentions_of` (the live preview)
    nothing is removed and a new field with problems is left out, with a note why."""
    new_schema, new_ui, errors = apply_edits(schema, ui, form)
    result = PageResult(new_schema, new_ui, errors)
    removing = form.get("verwijderen_bevestigd") or form.get("verwijderen")
    if removing and mentions_of is not None:
        if removing not in (new_schema.get("properties") or {}):
            errors["verwijderen"] = f"Dit formulier heeft geen veld ‘{removing[:100]}’ (meer)."
        else:
            result.mentions = mentions_of(removing)
            if result.mentions and form.get("verwijderen_bevestigd") != removing:
                result.confirm = removing
            else:
                result.schema, result.ui = remove_field(result.schema, result.ui, removing)
                result.removed = removing
                for key in [k for k in errors if k.split("-")[1:2] == [removing]]:
                    del errors[key]  # what was typed into a field that goes does not count
    new = new_field_from(form)
    if form.get("actie") == "toevoegen" or new.title or new.help or new.name or \
            (new.options and new.kind in CHOICE_KINDS):
        try:
            result.schema, result.ui, result.added = add_field(result.schema, result.ui, new, taken)
        except FieldRefused as refused:
            if mentions_of is None:
                result.new_field_note = next(iter(refused.errors.values()))
            else:
                errors.update({f"nieuw-{part}": message for part, message in refused.errors.items()})
    return result
