"""The posted fields of a task form back into the JSON its schema describes."""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from typing import Any

from jsonschema import Draft202012Validator

from .dates import AMSTERDAM
from .schema import ABSENT, CHOICES, choice_value, field_name, options_of, properties_of, widget_of


def parse_form(schema: dict, form, read_only: Mapping | None = None) -> dict:
    """The posted fields (a werkzeug MultiDict) as the data the schema describes.

    Never raises: what cannot be converted is passed on as text, so the engine's check reports it on
    its field. Empty fields are left out, so "required" comes from the engine too. Read-only fields,
    unknown fields and the CSRF token are not read. `read_only` (the case's values of the read-only
    fields) only helps to tell an empty list from an unanswered one, see `_empty_lists`.
    """
    empty_lists: list[tuple] = []
    data = _parse_object(schema, form, (), (), empty_lists)
    if empty_lists:
        _empty_lists(schema, data, empty_lists, read_only or {})
    return data


def _parse_object(schema: Mapping, form, names: tuple, path: tuple, empty_lists: list) -> dict:
    data = {}
    for name, prop in properties_of(schema):
        if prop.get("readOnly"):
            continue
        value = _parse_value(prop, form, names + (name,), path + (name,), empty_lists)
        if value is not ABSENT:
            data[name] = value
    return data


def _parse_value(prop: Mapping, form, names: tuple, path: tuple, empty_lists: list) -> Any:
    widget = widget_of(prop, read_only=False)
    name = field_name(names)
    if widget == "group":
        return _parse_object(prop, form, names, path, empty_lists) or ABSENT
    if widget == "rows":
        return _parse_rows(prop, form, names, path, empty_lists)
    if widget == "checkboxes":
        options = options_of(prop["items"]) or []
        chosen = [_choice(options, v) for v in form.getlist(name) if v != ""]
        if not chosen:
            empty_lists.append(path)
            return ABSENT
        return chosen
    raw = form.get(name)
    if raw is None:
        return ABSENT
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if text == "":
        return ABSENT
    if widget in CHOICES:
        return _choice([(True, "Ja"), (False, "Nee")] if widget == "boolean" else options_of(prop) or [], text)
    if widget == "confirm":
        return True if text == "ja" else text
    if widget == "number":
        return _number(text, integer=prop.get("type") == "integer")
    if widget == "date":
        return _date(text)
    if widget == "datetime":
        return _datetime(text)
    return text


def _parse_rows(prop: Mapping, form, names: tuple, path: tuple, empty_lists: list) -> Any:
    prefix = field_name(names) + "-"
    # At most six digits: a row number is small, and int() refuses very long digit strings.
    indexes = sorted({int(m.group(1)) for key in form.keys() if key.startswith(prefix)
                      and (m := re.match(r"(\d{1,6})-", key[len(prefix):]))})
    rows: list = []
    for index in indexes:
        row_empty_lists: list[tuple] = []
        row = _parse_object(prop["items"], form, names + (index,), path + (len(rows),), row_empty_lists)
        if row:  # a row left empty is one of the spare rows, not an answer
            rows.append(row)
            empty_lists.extend(row_empty_lists)
    if not rows:
        empty_lists.append(path)
        return ABSENT
    return rows


def _choice(options: list[tuple[Any, str]], text: str) -> Any:
    for const, _title in options:
        if choice_value(const) == text:
            return const
    return text


def _number(text: str, *, integer: bool) -> Any:
    compact = text.replace(" ", "")
    if re.fullmatch(r"[+-]?\d{1,18}", compact):
        return int(compact)
    if not integer:
        decimal = compact.replace(",", ".")
        if re.fullmatch(r"[+-]?(\d{1,18}(\.\d{0,18})?|\.\d{1,18})", decimal):
            return float(decimal)
    return text


def _date(text: str) -> str:
    # Browsers without a date picker let people type the Dutch way, as the error message suggests.
    dutch = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if dutch:
        try:
            return date(int(dutch[3]), int(dutch[2]), int(dutch[1])).isoformat()
        except ValueError:
            return text
    return text


def _datetime(text: str) -> str:
    dutch = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}),? +(\d{1,2})[:.](\d{2})", text)
    if dutch:
        day, month, year, hour, minute = (int(g) for g in dutch.groups())
        try:
            local = datetime(year, month, day, hour, minute)
        except ValueError:
            return text
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?", text):
        try:
            local = datetime.fromisoformat(text)
        except ValueError:
            return text
    else:
        return text
    # A wall-clock time in the hour that happens twice in October is the first (summer time) one
    # (fold=0); one in the hour skipped in March does not exist and is moved on by the hour.
    moment = local.replace(tzinfo=AMSTERDAM) if local.tzinfo is None else local
    return moment.astimezone(timezone.utc).astimezone(AMSTERDAM).replace(microsecond=0).isoformat()


def _empty_lists(schema: Mapping, data: dict, empty_lists: list[tuple], read_only: Mapping) -> None:
    """Checkboxes with none ticked, or rows all empty, say "none" where the form wants a list and
    "no answer" where it does not: a form may require the list (and allow it empty: "no partner
    involved? leave it empty") for one choice and forbid it for another. A list is required when
    the engine would report it missing, so ask the same schema."""
    known = dict(data)
    known.update((name, read_only[name]) for name, prop in properties_of(schema)
                 if prop.get("readOnly") and name in read_only)
    # Where the list's own schema wants an item, "required" and "minItems" say the same thing to the
    # caseworker; leave the answer out there.
    wanted = {path for path in empty_lists if not (_schema_at(schema, path).get("minItems") or 0)}
    if not wanted:
        return
    for error in Draft202012Validator(schema).iter_errors(known):
        if error.validator != "required" or not isinstance(error.instance, dict):
            continue
        for name in error.validator_value:
            path = tuple(error.absolute_path) + (name,)
            if path in wanted and name not in error.instance:
                parent = data
                for part in path[:-1]:
                    parent = parent[part]
                parent[name] = []


def _schema_at(schema: Mapping, path: tuple) -> Mapping:
    node = schema
    for part in path:
        node = node["items"] if isinstance(part, int) else node["properties"][part]
    return node
