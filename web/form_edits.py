"""What a post of the form editor's page changes: the existing fields' question, help text,
whether they are required, their place and their choices (engine/form_choices.py); a field or a
choice removed (engine/field_references.py) and a field added (engine/form_fields.py). Pure
functions over (JSON Schema, UI schema); the views are in web/form_editor.py."""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from engine.field_references import Mention, remove_field
from engine.form_choices import ChoiceEdit, choice_list, choices_of, edit_choices
from engine.form_fields import CHOICE_KINDS, MAX_HELP, MAX_TITLE, FieldRefused, NewField, add_field, option_texts
from engine.partner_choices import source as register_source
from engine.ui_schema import ordered


def editable_fields(schema: Mapping, ui: Mapping) -> list[dict]:
    """The form's top-level fields in their order, with what the editor lets a person change."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    rows = []
    for position, name in enumerate(ordered(list(properties), ui), start=1):
        prop = properties[name] if isinstance(properties[name], dict) else {}
        field_ui = field_ui if isinstance(field_ui := ui.get(name), dict) else {}
        rows.append({
            "name": name, "title": str(prop.get("title") or ""), "help": str(field_ui.get("ui:help") or ""),
            "required": name in required, "read_only": bool(prop.get("readOnly")), "position": position,
            "options": choices_of(prop), "multiple": prop.get("type") == "array",
            # "convenant", "alle" or "andere": the choices are the register's partners, not edited here
            "register": register_source(prop),
        })
    return rows


def apply_edits(given_schema: Mapping, given_ui: Mapping, form: Mapping,
                removed_choice: tuple[str, str] | None = None) -> tuple[dict, dict, dict[str, str]]:
    """(schema, UI schema, errors by input name) after the editor's post: titles, help texts,
    required, order and choices of the top-level fields, without the choice `removed_choice`
    (field, code); nothing else changes."""
    schema, ui = copy.deepcopy(dict(given_schema)), copy.deepcopy(dict(given_ui))
    properties = schema.get("properties") or {}
    errors: dict[str, str] = {}
    required, order = [], []
    for row in editable_fields(schema, ui):
        name = row["name"]
        prop = properties[name] = _edited_choices(properties[name], name, form, removed_choice, errors)
        title = form.get(f"titel-{name}", "").strip()
        if not title:
            errors[f"titel-{name}"] = "Vul een vraag of naam in."
        elif len(title) > MAX_TITLE:
            errors[f"titel-{name}"] = f"Gebruik hoogstens {MAX_TITLE} tekens."
        prop["title"] = title
        help_text = form.get(f"hulp-{name}", "").strip()
        if len(help_text) > MAX_HELP:
            errors[f"hulp-{name}"] = f"Gebruik hoogstens {MAX_HELP} tekens."
        field_ui = field_ui if isinstance(field_ui := ui.get(name), dict) else {}
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
    if required:
        schema["required"] = required
    else:
        schema.pop("required", None)
    ui["ui:order"] = [name for _n, _p, name in sorted(order)]
    return schema, ui, errors


def fields_to_open(schema: Mapping, ui: Mapping, new_schema: Mapping, new_ui: Mapping,
                   errors: Mapping[str, str]) -> set[str]:
    """The fields the page shows unfolded: those the post changed (question, help text, required,
    choices; a new field too) and those with an error."""
    before, after = schema.get("properties") or {}, new_schema.get("properties") or {}
    required = set(schema.get("required") or []) ^ set(new_schema.get("required") or [])
    changed = {name for name in after if before.get(name) != after[name] or ui.get(name) != new_ui.get(name)}
    return (changed | required | fields_with_errors(errors)) & (set(before) | set(after))


def fields_with_errors(errors: Mapping[str, str]) -> set[str]:
    """The existing fields an error is about: its input's name is <part>-<field>[-<n>]."""
    return {key.split("-")[1] for key in errors if "-" in key and not key.startswith("nieuw-")}


# an error of engine/form_choices.py -> the input of the page it is about, for field `name`
_CHOICE_INPUTS = {"label": "optie-{name}-{index}", "place": "keuzevolgorde-{name}-{index}", "added": "keuzes-{name}"}


def _edited_choices(prop: Any, name: str, form: Mapping, removed: tuple[str, str] | None,
                    errors: dict[str, str]) -> Any:
    """The field with its choices as posted: a label and a place per choice (inputs optie-<field>-<n>
    and keuzevolgorde-<field>-<n>, n in the saved order) and new choices, one a line (keuzes-<field>)."""
    choices = choice_list(prop) if isinstance(prop, dict) else None
    if choices is None:
        return prop
    edit = ChoiceEdit(labels=[form.get(f"optie-{name}-{n}", "") for n in range(len(choices))],
                      places=[form.get(f"keuzevolgorde-{name}-{n}", str(n + 1)) for n in range(len(choices))],
                      added=option_texts(form.get(f"keuzes-{name}", "")),
                      removed=removed[1] if removed and removed[0] == name else None)
    prop, found = edit_choices(prop, edit)
    for key, message in found.items():
        part, _, index = key.partition("-")
        errors[_CHOICE_INPUTS[part].format(name=name, index=index)] = message
    return prop


@dataclass
class PageResult:
    """What one post of the editor's page does to the form; `errors` by input name."""
    schema: dict
    ui: dict
    errors: dict[str, str] = field(default_factory=dict)
    added: str | None = None  # the new field's name
    removed: str | None = None
    confirm: str | None = None  # a field to remove whose mentions the person has not seen yet
    removed_choice: tuple[str, str] | None = None  # (field, code)
    confirm_choice: tuple[str, str] | None = None  # (field, code) of a choice, as `confirm`
    mentions: list[Mention] = field(default_factory=list)
    new_field_note: str | None = None  # for the preview: why the new field is not in it yet


def new_field_from(form: Mapping) -> NewField:
    return NewField(kind=form.get("nieuw-soort", ""), title=form.get("nieuw-titel", "").strip(),
                    help=form.get("nieuw-hulp", "").strip(), required=bool(form.get("nieuw-verplicht")),
                    options=option_texts(form.get("nieuw-keuzes", "")), name=form.get("nieuw-naam", "").strip())


def apply_page(schema: Mapping, ui: Mapping, form: Mapping, taken: Iterable[str],
               mentions_of: Callable[[str], list[Mention]] | None = None,
               choice_mentions_of: Callable[[str, str], list[Mention]] | None = None) -> PageResult:
    """The page's post applied: the choice to remove (button `keuze_verwijderen` with value
    <field>/<code>, or `keuze_verwijderen_bevestigd` after the warning) with the edits of the
    existing fields, then the field to remove (button `verwijderen`, or `verwijderen_bevestigd`),
    then the new field when any of its inputs is filled in or `actie` is `toevoegen`. Without
    `mentions_of` and `choice_mentions_of` (the live preview) nothing is removed and a new field
    with problems is left out, with a note why."""
    removed_choice, confirm_choice, found, not_there = _choice_to_remove(schema, form, choice_mentions_of)
    new_schema, new_ui, errors = apply_edits(schema, ui, form, removed_choice)
    result = PageResult(new_schema, new_ui, errors, removed_choice=removed_choice, confirm_choice=confirm_choice,
                        mentions=found)
    if not_there:
        errors["keuze_verwijderen"] = not_there
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


def _choice_to_remove(schema: Mapping, form: Mapping, mentions_of: Callable[[str, str], list[Mention]] | None
                      ) -> tuple[tuple[str, str] | None, tuple[str, str] | None, list[Mention], str | None]:
    """(field and code to remove now, or to ask about first; where the code is named; why not)."""
    asked = form.get("keuze_verwijderen_bevestigd") or form.get("keuze_verwijderen")
    if not asked or mentions_of is None:
        return None, None, [], None
    name, _, code = asked.partition("/")
    prop = (schema.get("properties") or {}).get(name)
    if not isinstance(prop, dict) or code not in dict(choices_of(prop)):
        return None, None, [], f"Dit formulier heeft geen keuze ‘{code[:100]}’ bij het veld ‘{name[:100]}’ (meer)."
    found = mentions_of(name, code)
    if found and form.get("keuze_verwijderen_bevestigd") != asked:
        return None, (name, code), found, None
    return (name, code), None, found, None
