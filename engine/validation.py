"""Server-side checks of data handed to the engine: always, whatever the UI did."""
from __future__ import annotations

import json
from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker

from .errors import FieldError, InvalidTaskData

# "typename" makes SpiffWorkflow's serializer take a dict for one of its own objects.
_RESERVED_KEYS = frozenset({"typename"})


@lru_cache(maxsize=256)
def _validator(schema_json: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(schema_json), format_checker=FormatChecker())


def check_data(data, schema: dict | None, reserved: frozenset[str] = frozenset()) -> dict:
    """Return the data to merge into the task, or raise InvalidTaskData listing every failing field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidTaskData([FieldError("", "data must be a JSON object")])
    errors = [FieldError(k, "this name is reserved by the engine") for k in data if k in _RESERVED_KEYS | reserved]
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        errors.append(FieldError("", f"data must be plain JSON: {exc}"))
    if schema is None:
        if data:
            errors.append(FieldError("", "this task takes no data"))
    elif not errors:
        errors.extend(_schema_errors(data, schema))
    if errors:
        raise InvalidTaskData(errors)
    return data


def _schema_errors(data: dict, schema: dict) -> list[FieldError]:
    validator = _validator(json.dumps(schema, sort_keys=True))
    errors = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = "/".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            # jsonschema reports a missing field on its parent; name the field itself.
            for name in error.validator_value:
                if isinstance(error.instance, dict) and name not in error.instance:
                    errors.append(FieldError(f"{path}/{name}" if path else name, "this field is required"))
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            for name in sorted(set(error.instance) - known):
                errors.append(FieldError(f"{path}/{name}" if path else name, "this field is not part of the form"))
        else:
            errors.append(FieldError(path, error.message))
    return list(dict.fromkeys(errors))
