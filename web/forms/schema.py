"""How a form reads a JSON Schema: the widget of each property, its choices, and the HTML name of
each field. Rendering, parsing and the error messages all read it this way."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# Radio buttons show every choice at once; beyond this many a select list is easier to scan.
MAX_RADIO_OPTIONS = 5
# A field whose text may be longer than a line or two gets a text area.
MAX_TEXTBOX_LENGTH = 200
# A value not in the data at all (None is a value: JSON null).
ABSENT = object()
CHOICES = {"radio", "select", "boolean"}


def options_of(prop: Mapping) -> list[tuple[Any, str]] | None:
    one_of = prop.get("oneOf")
    if isinstance(one_of, list) and one_of and all(isinstance(o, dict) and "const" in o for o in one_of):
        return [(o["const"], str(o.get("title") or o["const"])) for o in one_of]
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        return [(value, str(value)) for value in prop["enum"]]
    return None


def widget_of(prop: Mapping, read_only: bool = True) -> str:
    if read_only and prop.get("readOnly"):
        return "read_only"
    if prop.get("const") is True:
        return "confirm"
    options = options_of(prop)
    if options is not None:
        return "radio" if len(options) <= MAX_RADIO_OPTIONS else "select"
    kind = prop.get("type")
    if kind == "array":
        items = items if isinstance(items := prop.get("items"), dict) else {}
        if options_of(items) is not None:
            return "checkboxes"
        if items.get("type") == "object" or "properties" in items:
            return "rows"
        return "text"
    if kind == "object" or "properties" in prop:
        return "group"
    if kind == "boolean":
        return "boolean"
    if kind in ("integer", "number"):
        return "number"
    if prop.get("format") == "date":
        return "date"
    if prop.get("format") == "date-time":
        return "datetime"
    if (prop.get("maxLength") or 0) > MAX_TEXTBOX_LENGTH:
        return "textarea"
    return "text"


def properties_of(schema: Mapping) -> Iterable[tuple[str, dict]]:
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict):
            yield name, prop


def choice_value(value: Any) -> str:
    """How a choice travels in a form field: booleans as ja/nee, anything else as its text."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


def _safe(part: str | int) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", str(part)) or "_"


def field_name(path: Iterable[str | int]) -> str:
    """The HTML name of the field at a data path: ("afspraken", 0, "actie") -> "afspraken-0-actie"."""
    return "-".join(_safe(p) for p in path)


def field_id(path: Iterable[str | int]) -> str:
    # Ids of a field's parts (its description, error, second option) add "--", which a name never has.
    return "field-" + field_name(path)
