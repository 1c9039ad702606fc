"""The choices of an existing choice field, as the form editor changes them.

A choice field is a string with `"oneOf": [{"const": code, "title": label}, ...]` (one choice) or
an array whose `items` has that `oneOf` (several choices; processes/README.md, "Forms"). A case
stores the code, and scripts, conditions and DMN cells compare against it. So the label of a
choice changes freely and its code never; a new choice gets a code made from its label the way a
new field's choices get theirs (engine/form_fields.py), unique in the field and never one the
field has now, also not the code of a choice removed in the same edit: a case that stored the old
code must not silently get the new choice's meaning.

Pure functions over a field's JSON Schema; messages are Dutch at B1 level, for the page.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field

from .form_fields import MAX_OPTIONS, MAX_TITLE, duplicate_option, option_codes, twice_message


def choice_list(prop: Mapping) -> list[dict] | None:
    """The field's choices (`oneOf`, of the field or of its items), None when it is no choice field."""
    items = prop.get("items")
    holder = items if prop.get("type") == "array" and isinstance(items, dict) else prop
    one_of = holder.get("oneOf")
    if isinstance(one_of, list) and one_of and all(isinstance(o, dict) and "const" in o for o in one_of):
        return one_of
    return None


def choices_of(prop: Mapping) -> list[tuple[str, str]]:
    """(code, label) of each choice, in the field's order; empty for a field without choices."""
    return [(str(o["const"]), str(o.get("title") or o["const"])) for o in choice_list(prop) or []]


@dataclass(frozen=True)
class ChoiceEdit:
    """What the page asks of a field's choices: a label and an order number (as typed) per
    existing choice in the saved order, labels of new choices, and the code of a choice to remove."""
    labels: list[str]
    places: list[str]
    added: list[str] = field(default_factory=list)
    removed: str | None = None


def edit_choices(given: Mapping, edit: ChoiceEdit) -> tuple[dict, dict[str, str]]:
    """(the field with its choices changed, errors) where an error's key is `label-<index>` or
    `place-<index>` of an existing choice, or `added` for the new choices and their number. The
    given field is never changed; with errors, nothing of the result is to be saved."""
    prop = copy.deepcopy(dict(given))
    choices = choice_list(prop)
    if choices is None:
        return prop, {}
    errors: dict[str, str] = {}
    kept: list[tuple[int, int, dict]] = []
    for index, choice in enumerate(choices):
        if str(choice["const"]) == edit.removed:
            continue  # what was typed for a choice that goes does not count
        label = edit.labels[index].strip() if index < len(edit.labels) else str(choice.get("title") or "")
        if not label:
            errors[f"label-{index}"] = "Vul de tekst van deze keuze in."
        elif len(label) > MAX_TITLE:
            errors[f"label-{index}"] = f"Gebruik hoogstens {MAX_TITLE} tekens."
        place = edit.places[index].strip() if index < len(edit.places) else str(index + 1)
        try:
            number = int(place)
        except ValueError:
            errors[f"place-{index}"] = "Vul een getal in."
            number = index + 1
        kept.append((number, index, {**choice, "title": label}))
    added = [text.strip() for text in edit.added if text.strip()]
    errors.update(_added_problem(choices, added, len(kept), edit.removed is not None))
    labels = [(f"label-{index}", choice["title"]) for _n, index, choice in kept] + [("added", a) for a in added]
    twice = duplicate_option(label for _key, label in labels if label)
    if twice is not None:
        later = [key for key, label in labels if label.casefold() == twice.casefold()][-1]
        errors.setdefault(later, twice_message(twice))
    new = [{"const": code, "title": text}
           for code, text in zip(option_codes(added, (o["const"] for o in choices)), added)]
    choices[:] = [choice for _n, _i, choice in sorted(kept, key=lambda k: k[:2])] + new
    return prop, errors


def _added_problem(choices: list[dict], added: list[str], kept: int, removing: bool) -> dict[str, str]:
    if added and not all(isinstance(o["const"], str) for o in choices):
        return {"added": "Dit veld bewaart geen tekst maar een getal. Voeg een keuze toe in de bestanden van het "
                         "concept (de zip)."}
    too_long = next((a for a in added if len(a) > MAX_TITLE), None)
    if too_long is not None:
        return {"added": f"Een keuze mag hoogstens {MAX_TITLE} tekens hebben: ‘{too_long[:40]}…’ is langer."}
    if added and kept + len(added) > MAX_OPTIONS:
        return {"added": f"Een veld mag hoogstens {MAX_OPTIONS} keuzes hebben. Het zouden er {kept + len(added)} worden."}
    if removing and kept + len(added) < 2:
        return {"added": "Een keuzeveld heeft minstens 2 keuzes. Voeg eerst een keuze toe, of verwijder het hele veld."}
    return {}
