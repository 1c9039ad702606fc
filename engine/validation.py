"""Server-side checks of data handed to the engine: always, whatever the UI did."""
from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker

from .clock import AMSTERDAM, current
from .date_rules import date_errors
from .errors import FieldError, InvalidTaskData
from .list_rules import list_errors

# "typename" makes SpiffWorkflow's serializer take a dict for one of its own objects.
_RESERVED_KEYS = frozenset({"typename"})
# Control characters (C0 but tab, LF and CR; DEL; C1) and lone surrogates: never typed by a
# person, a NUL cannot be stored in PostgreSQL, a lone surrogate cannot be encoded at all.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


@lru_cache(maxsize=256)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json), format_checker=FormatChecker())


def read_only_fields(schema: dict | None) -> list[str]:
    """Fields marked `"readOnly": true`: shown on the form, filled from the case, never taken
    from what is submitted. They let a form's rules depend on the case, for example "a
    reason is required when the niveau differs from the suggested one"."""
    properties = (schema or {}).get("properties") or {}
    return [name for name, field in properties.items() if isinstance(field, dict) and field.get("readOnly")]


def check_data(data, schema: dict | None, reserved: frozenset[str] = frozenset(), case: dict | None = None,
               now: datetime | None = None) -> dict:
    """Return the data to merge into the task, or raise InvalidTaskData listing every failing field.

    `case` is what the case already holds; read-only fields of the form are taken from it
    for validation and are not part of the result. `now` is the engine clock's moment, for
    dates bounded by today (engine/date_rules.py); by default the running command's moment.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidTaskData([FieldError("", "data must be a JSON object", "type")])
    read_only = read_only_fields(schema)
    errors = [FieldError(k, "this name is reserved by the engine", "reserved") for k in data if k in _RESERVED_KEYS | reserved]
    errors.extend(FieldError(k, "this field is filled in by the case and cannot be changed", "readOnly")
                  for k in read_only if k in data)
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        errors.append(FieldError("", f"data must be plain JSON: {exc}", "json"))
    if schema is None:
        if data:
            errors.append(FieldError("", "this task takes no data", "noForm"))
    elif not errors:
        known = {k: (case or {})[k] for k in read_only if k in (case or {})}
        errors.extend(_schema_errors({**data, **known}, schema))
        today = (now or current()).astimezone(AMSTERDAM).date()
        errors.extend(e for e in date_errors({**data, **known}, schema, today) if e.field.split("/")[0] in data)
        errors.extend(e for e in list_errors({**data, **known}, schema) if e.field.split("/")[0] in data)
    errors.extend(_control_character_errors(data))
    if errors:
        raise InvalidTaskData(errors)
    return data


def _control_character_errors(value, path: tuple = ()) -> list[FieldError]:
    """A field whose text, or whose name, holds a control character; the name's error goes to its parent."""
    if isinstance(value, str):
        return [FieldError("/".join(map(str, path)), "contains a control character", "controlCharacter")] \
            if CONTROL_CHARACTERS.search(value) else []
    errors = []
    if isinstance(value, dict):
        if any(isinstance(k, str) and CONTROL_CHARACTERS.search(k) for k in value):
            errors.append(FieldError("/".join(map(str, path)), "a field name contains a control character",
                                     "controlCharacter"))
        for key, item in value.items():
            if not (isinstance(key, str) and CONTROL_CHARACTERS.search(key)):
                errors += _control_character_errors(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors += _control_character_errors(item, path + (index,))
    return errors


def _schema_errors(data: dict, schema: dict) -> list[FieldError]:
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = "/".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            # jsonschema reports a missing field on its parent; name the field itself.
            for name in error.validator_value:
                if isinstance(error.instance, dict) and name not in error.instance:
                    errors.append(FieldError(f"{path}/{name}" if path else name, "this field is required", "required"))
        elif error.validator == "dependentRequired" and isinstance(error.instance, dict):
            # Reported on the parent too; the field to fill in is the one that is missing.
            for trigger, names in error.validator_value.items():
                if trigger in error.instance:
                    for name in names:
                        if name not in error.instance:
                            errors.append(FieldError(f"{path}/{name}" if path else name, "this field is required",
                                                     "dependentRequired"))
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            for name in sorted(set(error.instance) - known):
                errors.append(FieldError(f"{path}/{name}" if path else name, "this field is not part of the form",
                                         "additionalProperties"))
        else:
            errors.append(FieldError(path, error.message, error.validator))
    # One message per field and text: two keywords can say the same thing (required, dependentRequired).
    unique: dict[tuple[str, str], FieldError] = {}
    for error in errors:
        unique.setdefault((error.field, error.message), error)
    return list(unique.values())
