"""Walking task data along its JSON Schema, into groups and rows: the rules that JSON Schema
cannot say (engine/date_rules.py, engine/list_rules.py) check each field they meet this way."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def fields(data: Mapping, schema: Mapping, path: tuple = ()) -> Iterator[tuple[Mapping, Mapping, Any, tuple]]:
    """(the object holding the field, the field's schema, its value, its path) for every field of
    `data` that `schema` describes, then the fields inside it when it is a group or a list of rows."""
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        properties = {}
    for name, prop in properties.items():
        if not isinstance(prop, Mapping) or name not in data:
            continue
        value, where = data[name], path + (name,)
        yield data, prop, value, where
        if isinstance(value, Mapping):
            yield from fields(value, prop, where)
        elif isinstance(value, list) and isinstance(prop.get("items"), Mapping):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    yield from fields(item, prop["items"], where + (index,))
