"""Plausibility between a field and a list elsewhere on the same form, which JSON Schema cannot say:
"an action's owner must be a partner that takes part", "a partner cannot be both invited and
opted out". Like the date rules (engine/date_rules.py) they are keywords on a field's own schema:

    "x-zvt-een-van": "<list>"    the value, or each item of a list, is one of the items of <list>
                                 (error code "notInList")
    "x-zvt-niet-in": "<list>"    the value, or any item of a list, is not one of the items of <list>
                                 (error code "alsoInList")

The field holding the keyword is a text field or a list of texts, under `properties` of the form,
of a group or of a row (`items` of a list of objects). "<list>" always names a field at the top
of the form whose type is "array", often a read-only field filled from the case (for example
`deelnemende_partners`), so that a row can refer to it too. A rule is checked only when <list>
holds a list, as a date rule is checked only when the other field holds a date. Deploy refuses a
keyword on a field of another type and a name that is not such a list (`problems`).

These keywords are read on a field's own schema, not inside `if`/`then` or `allOf` branches.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import FieldError
from .schema_walk import fields

ONE_OF = "x-zvt-een-van"
# keyword -> (error code, whether a value must be in the list, English wording for the error)
RULES: dict[str, tuple[str, bool, str]] = {
    ONE_OF: ("notInList", True, "must be one of the items of"),
    "x-zvt-niet-in": ("alsoInList", False, "must not be one of the items of"),
}
CODES = {code: keyword for keyword, (code, _inside, _words) in RULES.items()}


def list_errors(data: Mapping, schema: Mapping) -> list[FieldError]:
    """One error for each field of `data` that breaks a rule; `data` includes the read-only fields."""
    errors: list[FieldError] = []
    for _siblings, prop, value, where in fields(data, schema):
        for keyword, (code, inside, words) in RULES.items():
            other = prop.get(keyword)
            allowed = data.get(other) if isinstance(other, str) else None
            if not isinstance(allowed, list):
                continue
            values = value if isinstance(value, list) else [value]
            if any((v in allowed) != inside for v in values if isinstance(v, str)):
                errors.append(FieldError("/".join(map(str, where)), f"{words} {other}", code))
                break
    return errors


def problems(schema: Mapping, top: Mapping | None = None, where: str = "") -> list[str]:
    """What is wrong with the list rules of a form; empty when they are fine (for deploy)."""
    top = schema if top is None else top
    lists = {n for n, p in _properties(top).items() if isinstance(p, Mapping) and p.get("type") == "array"}
    found: list[str] = []
    for name, prop in _properties(schema).items():
        if not isinstance(prop, Mapping):
            continue
        used = [k for k in RULES if k in prop]
        if used and not _holds_text(prop):
            found.append(f"{where}{name}: {', '.join(used)} only fits a text field or a list of texts")
            continue
        for keyword in used:
            other = prop[keyword]
            if not isinstance(other, str) or other not in lists or (not where and other == name):
                found.append(f"{where}{name}: {keyword} must name another field at the top of the form "
                             f"with \"type\": \"array\", not {other!r}")
        if isinstance(prop.get("items"), Mapping):
            found += problems(prop["items"], top, f"{where}{name}/items/")
        elif "properties" in prop:
            found += problems(prop, top, f"{where}{name}/")
    return found


def _properties(schema: Mapping) -> Mapping[str, Any]:
    return schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}


def _holds_text(prop: Mapping) -> bool:
    if prop.get("type") == "string":
        return True
    items = prop.get("items")
    return prop.get("type") == "array" and isinstance(items, Mapping) and items.get("type") == "string"
