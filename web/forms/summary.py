"""What a person entered in a form, read back in Dutch: the dossier on the case page and the
earlier steps on a task page use it, with the form's own labels and order."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.ui_schema import ordered

from .render import display_value
from .schema import properties_of


def summarize(schema: Mapping | None, data: Mapping[str, Any] | None, ui: Mapping | None = None) -> list[tuple[str, dict]]:
    """(label, display node) for every answer in `data` that the form asked for, in the form's order
    (its UI schema's `ui:order`). Read-only fields are left out: they showed what the case already
    held, the person did not enter them. Fields left empty are left out too."""
    if not schema or not data:
        return []
    properties = dict(properties_of(schema))
    return [(str(properties[name].get("title") or name), display_value(properties[name], data[name]))
            for name in ordered(list(properties), ui or {})
            if name in data and data[name] is not None and not properties[name].get("readOnly")]
