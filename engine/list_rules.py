"""Plausibility between a field and a list elsewhere on the same form, which JSON Schema cannot say:
"an action's owner must be a partner that takes part", "a partner cannot be both invited and
opted out". Like the date rules (engine/date_rules.py) they are keywords on a field's own schema:

    "x-zvt-een-van": "<list>"    the value, or each item of a list, is one of the items of <list>
                                 (error code "notInList")
    "x-zvt-niet-in": "<list>"    the value, or any item of a list, is not one of the items of <list>
                                 (error code "alsoInList")
    "x-zvt-alle-van": "<list>"   every item of <list> is the value, or one of the items, of this
                                 field; on a field of a row: the value of this field in some row
                                 (error code "missingFromList", on the field or on its list of
                                 rows, naming what is missing). An item of <list> that is an
                                 object counts by its value under this field's name (rows looked
                                 up from the case, such as the register's recipients); an item
                                 the field cannot hold (not one of its choices) is not asked for.
                                 <list> may also name a text field: its one value must be held
                                 ("the partner that forwarded the request is among those told",
                                 whichever partner that is, without a rule per partner).

The field holding the keyword is a text field or a list of texts, under `properties` of the form,
of a group or of a row (`items` of a list of objects). "<list>" always names a field at the top
of the form whose type is "array" (for `x-zvt-alle-van` also "string"), often a read-only field
filled from the case (for example `deelnemende_partners`), so that a row can refer to it too. A
rule is checked only when <list> holds a list (or, for a text field, a text), as a date rule is
checked only when the other field holds a date. Deploy refuses a
keyword on a field of another type and a name that is not such a list (`problems`).

These keywords are read on a field's own schema, and in the `then` (or `else`) of a rule at the
top of the form (`if` on the form or in its `allOf`) whose condition the data meets, so that a
rule can hold for one answer only ("all recipients are informed"). The fields of such a branch
are the form's own fields (deploy checks them merged with the field they narrow).
"""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from .errors import FieldError
from .form_choices import choices_of
from .schema_walk import fields

ONE_OF = "x-zvt-een-van"
ALL_OF = "x-zvt-alle-van"
MISSING = "missingFromList"
# keyword -> (error code, whether a value must be in the list, English wording for the error)
RULES: dict[str, tuple[str, bool, str]] = {
    ONE_OF: ("notInList", True, "must be one of the items of"),
    "x-zvt-niet-in": ("alsoInList", False, "must not be one of the items of"),
}
KEYWORDS = (*RULES, ALL_OF)
CODES = {**{code: keyword for keyword, (code, _inside, _words) in RULES.items()}, MISSING: ALL_OF}


def list_errors(data: Mapping, schema: Mapping) -> list[FieldError]:
    """One error for each field of `data` that breaks a rule; `data` includes the read-only fields."""
    errors: list[FieldError] = []
    for part in [schema, *_branches(schema, data)]:
        errors += _value_errors(data, part) + _missing_errors(data, part)
    return list(dict.fromkeys(errors))  # a branch repeats the form's own rules of the fields it narrows


def required_rows(data: Mapping, schema: Mapping) -> dict[str, list]:
    """What `x-zvt-alle-van` asks for, as a form could start with it: per list at the top of the
    form, the values (of a plain list) or the rows (one field filled, of a list of rows) it must
    hold, from every rule of the form whatever the answers. Empty where nothing is asked."""
    found: dict[str, list] = {}
    for part in [schema, *_branches(schema, None)]:
        for name, holder, row_field in _all_of_fields(part):
            wanted = _wanted(data, holder, row_field or name)
            rows = [{row_field: v} for v in wanted] if row_field else wanted
            found.setdefault(name, []).extend(r for r in rows if r not in found[name])
    return {name: rows for name, rows in found.items() if rows}


def _value_errors(data: Mapping, schema: Mapping) -> list[FieldError]:
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


def _missing_errors(data: Mapping, schema: Mapping) -> list[FieldError]:
    errors = []
    for name, holder, row_field in _all_of_fields(schema):
        if name not in data:
            continue  # not answered: `required` says so where it must be
        value = data[name]
        if row_field:
            given = [row.get(row_field) for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []
        else:
            given = value if isinstance(value, list) else [value]
        missing = [v for v in _wanted(data, holder, row_field or name) if v not in given]
        if missing:
            errors.append(FieldError(name, f"must hold every item of {holder[ALL_OF]}; missing: {', '.join(missing)}",
                                     MISSING, tuple(missing)))
    return errors


def _all_of_fields(schema: Mapping) -> Iterator[tuple[str, Mapping, str | None]]:
    """(list or field at the top, the schema holding x-zvt-alle-van, the row field or None)."""
    for name, prop in _properties(schema).items():
        if not isinstance(prop, Mapping):
            continue
        if isinstance(prop.get(ALL_OF), str):
            yield name, prop, None
        items = prop.get("items")
        for row_field, row_prop in (_properties(items) if isinstance(items, Mapping) else {}).items():
            if isinstance(row_prop, Mapping) and isinstance(row_prop.get(ALL_OF), str):
                yield name, row_prop, row_field


def _wanted(data: Mapping, holder: Mapping, key: str) -> list[str]:
    """The items of the named list this field must hold: texts, or objects' values under `key`;
    only what the field can hold when it has choices; each once, in order."""
    listed = data.get(holder[ALL_OF])
    if isinstance(listed, str):
        listed = [listed]  # a text field: its one value
    if not isinstance(listed, list):
        return []
    values = [item.get(key) if isinstance(item, Mapping) else item for item in listed]
    allowed = {code for code, _label in choices_of(holder)}
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and (not allowed or v in allowed)))


def top_rules(schema: Mapping) -> list[Mapping]:
    """The form's if/then rules at its top: in its `allOf`, and the form's own `if`."""
    rules = [r for r in schema.get("allOf") or [] if isinstance(r, Mapping) and "if" in r]
    return rules + ([schema] if "if" in schema else [])


def _branches(schema: Mapping, data: Mapping | None) -> list[Mapping]:
    """The then/else schemas of the form's top rules that hold for `data` (None: all of them),
    each field merged with the form's own field it narrows."""
    found: list[Mapping] = []
    for rule in top_rules(schema):
        parts = ("then", "else") if data is None else \
            ("then",) if _validator(json.dumps(rule["if"], sort_keys=True)).is_valid(data) else ("else",)
        found += [{"properties": {name: _merge(_properties(schema).get(name), prop)
                                  for name, prop in _properties(rule[p]).items()}}
                  for p in parts if isinstance(rule.get(p), Mapping)]
    return found


@lru_cache(maxsize=128)
def _validator(condition: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(condition))


def problems(schema: Mapping, top: Mapping | None = None, where: str = "") -> list[str]:
    """What is wrong with the list rules of a form; empty when they are fine (for deploy)."""
    if top is None:  # the form, then each if/then branch with the fields it narrows
        every = [p for part in [schema, *_branches(schema, None)] for p in problems(part, schema, "")]
        return list(dict.fromkeys(every))
    lists = {n for n, p in _properties(top).items() if isinstance(p, Mapping) and p.get("type") == "array"}
    texts = {n for n, p in _properties(top).items() if isinstance(p, Mapping) and p.get("type") == "string"}
    found: list[str] = []
    for name, prop in _properties(schema).items():
        if not isinstance(prop, Mapping):
            continue
        used = [k for k in KEYWORDS if k in prop]
        if used and not _holds_text(prop):
            found.append(f"{where}{name}: {', '.join(used)} only fits a text field or a list of texts")
            continue
        for keyword in used:
            other = prop[keyword]
            named = lists | texts if keyword == ALL_OF else lists
            if not isinstance(other, str) or other not in named or (not where and other == name):
                kinds = '"type": "array" or "string"' if keyword == ALL_OF else '"type": "array"'
                found.append(f"{where}{name}: {keyword} must name another field at the top of the form "
                             f"with {kinds}, not {other!r}")
        if isinstance(prop.get("items"), Mapping):
            found += problems(prop["items"], top, f"{where}{name}/items/")
        elif "properties" in prop:
            found += problems(prop, top, f"{where}{name}/")
    return found


def _properties(schema: Mapping) -> Mapping[str, Any]:
    return properties if isinstance(properties := schema.get("properties"), Mapping) else {}


def _merge(base: object, narrower: object) -> object:
    if not (isinstance(base, Mapping) and isinstance(narrower, Mapping)):
        return copy.deepcopy(narrower)
    merged = dict(base)
    for key, value in narrower.items():
        merged[key] = _merge(base.get(key), value)
    return merged


def _holds_text(prop: Mapping) -> bool:
    if prop.get("type") == "string":
        return True
    items = prop.get("items")
    return prop.get("type") == "array" and isinstance(items, Mapping) and items.get("type") == "string"
