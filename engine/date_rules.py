"""Bounds on the dates of a form: a `"format": "date"` field only takes a plausible date, and a
form may bound it further, by a fixed date, by today, or by another date on the same form.

JSON Schema itself has no keyword that compares dates. Fixed bounds use the ones that
ajv-formats and the JSON Schema vocabulary proposal for formats use, `formatMinimum`,
`formatMaximum`, `formatExclusiveMinimum` and `formatExclusiveMaximum` ("2026-01-01"). Without
a lower or an upper bound of its own, a date field gets PLAUSIBLE_FROM and PLAUSIBLE_TO, so a
typo such as 0001-01-01 or 9999-12-31 never passes. Bounds by today or another field are our
own keywords, since JSON Schema has no "now" and ajv's `$data` references are not standard:

    "x-zvt-na": "vandaag" | "<field>"          strictly after
    "x-zvt-niet-na": "vandaag" | "<field>"     on or before
    "x-zvt-voor": "vandaag" | "<field>"        strictly before
    "x-zvt-niet-voor": "vandaag" | "<field>"   on or after

"vandaag" is the engine clock's date in Amsterdam; "<field>" names another date field of the
same object (a sibling; in a row, a field of the same row), checked only when that field holds
a date too. Either may add a calendar period, "vandaag+P6M" or "<field>+P1Y2M" (years, months,
weeks, days; a day the month lacks becomes its last day): a maximum term such as the six months
an art. 41 UAVG decision may run before it is reviewed. Deploy refuses a keyword on a field that is not a date, a bound that is not a date,
and a field name that does not exist or is not a date (`problems`).

These keywords are read on a field's own schema under `properties` (and `items` of a list),
not inside `if`/`then` or `allOf` branches.
"""
from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta

from .errors import FieldError
from .schema_walk import fields

PLAUSIBLE_FROM = date(1900, 1, 1)
PLAUSIBLE_TO = date(2100, 12, 31)
TODAY = "vandaag"
# keyword -> (holds when the value compares so to the bound, English wording for the error)
FIXED: dict[str, tuple[Callable[[date, date], bool], str]] = {
    "formatMinimum": (operator.ge, "on or after"),
    "formatExclusiveMinimum": (operator.gt, "after"),
    "formatMaximum": (operator.le, "on or before"),
    "formatExclusiveMaximum": (operator.lt, "before"),
}
RELATIVE: dict[str, tuple[Callable[[date, date], bool], str]] = {
    "x-zvt-na": (operator.gt, "after"),
    "x-zvt-niet-na": (operator.le, "on or before"),
    "x-zvt-voor": (operator.lt, "before"),
    "x-zvt-niet-voor": (operator.ge, "on or after"),
}
_LOWER, _UPPER = ("formatMinimum", "formatExclusiveMinimum"), ("formatMaximum", "formatExclusiveMaximum")
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERIOD = re.compile(r"P(?:(\d{1,3})Y)?(?:(\d{1,4})M)?(?:(\d{1,4})W)?(?:(\d{1,5})D)?")


def split_bound(spec: Any) -> tuple[Any, relativedelta | None]:
    """A relative bound's base ("vandaag" or a field name) and its added period, if any; the period
    is None also when the text after "+" is not a period (`problems` says so)."""
    if not isinstance(spec, str) or "+" not in spec:
        return spec, None
    base, _, period = spec.partition("+")
    found = _PERIOD.fullmatch(period.strip())
    if found is None or not any(found.groups()):
        return base.strip(), None
    years, months, weeks, days = (int(g or 0) for g in found.groups())
    return base.strip(), relativedelta(years=years, months=months, weeks=weeks, days=days)


def period_words(spec: str) -> str:
    """The period of a bound in Dutch words, "6 maanden": for the error message."""
    found = _PERIOD.fullmatch(spec.partition("+")[2].strip())
    words = []
    for number, one, more in zip(found.groups() if found else (), ("jaar", "maand", "week", "dag"),
                                 ("jaar", "maanden", "weken", "dagen")):
        if number:
            words.append(f"{int(number)} {one if int(number) == 1 else more}")
    return " en ".join(words)


def as_date(value: Any) -> date | None:
    """A JSON Schema full-date ("2026-11-27") as a date; None for anything else."""
    if not isinstance(value, str) or not _FULL_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def fixed_bounds(prop: Mapping) -> dict[str, date]:
    """The fixed bounds of a date field, the plausible range filled in where the form sets none."""
    bounds = {k: d for k in FIXED if (d := as_date(prop.get(k))) is not None}
    if not any(k in bounds for k in _LOWER):
        bounds["formatMinimum"] = PLAUSIBLE_FROM
    if not any(k in bounds for k in _UPPER):
        bounds["formatMaximum"] = PLAUSIBLE_TO
    return bounds


def date_errors(data: Mapping, schema: Mapping, today: date) -> list[FieldError]:
    """One error for each date field of `data` outside its bounds (the first bound it breaks)."""
    errors: list[FieldError] = []
    for siblings, prop, value, where in fields(data, schema):
        day = as_date(value) if prop.get("format") == "date" else None
        if day is not None:  # a value that is not a date already fails `format`
            error = _first_broken(day, prop, siblings, today)
            if error is not None:
                errors.append(FieldError("/".join(map(str, where)), *error))
    return errors


def _first_broken(day: date, prop: Mapping, siblings: Mapping, today: date) -> tuple[str, str] | None:
    # The form's own rule first: "a date on or before today" says more than "before 2101".
    for keyword, (holds, words) in RELATIVE.items():
        spec = prop.get(keyword)
        if spec is None:
            continue
        other, period = split_bound(spec)
        bound = today if other == TODAY else as_date(siblings.get(other))
        if bound is not None and period is not None:
            bound = bound + period
        if bound is not None and not holds(day, bound):
            added = "+" + spec.partition("+")[2] if period else ""
            return f"must be a date {words} {'today' if other == TODAY else other}{added}", keyword
    for keyword, bound in fixed_bounds(prop).items():
        holds, words = FIXED[keyword]
        if not holds(day, bound):
            return f"must be a date {words} {bound.isoformat()}", keyword
    return None


def problems(schema: Mapping, where: str = "") -> list[str]:
    """What is wrong with the date keywords of a form; empty when they are fine (for deploy)."""
    found: list[str] = []
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        properties = {}
    dates = {n for n, p in properties.items() if isinstance(p, Mapping) and p.get("format") == "date"}
    for name, prop in properties.items():
        if not isinstance(prop, Mapping):
            continue
        used = [k for k in (*FIXED, *RELATIVE) if k in prop]
        if used and prop.get("format") != "date":
            found.append(f"{where}{name}: {', '.join(used)} only fits a field with \"format\": \"date\"")
            continue
        found += [f"{where}{name}: {k} must be a date such as \"2026-01-01\", not {prop[k]!r}"
                  for k in FIXED if k in prop and as_date(prop[k]) is None]
        for keyword in RELATIVE:
            spec = prop.get(keyword)
            other, period = split_bound(spec)
            if isinstance(spec, str) and "+" in spec and period is None:
                found.append(f"{where}{name}: {keyword} adds {spec.partition('+')[2]!r}, which is not a period "
                             f"such as \"P6M\" (years Y, months M, weeks W, days D)")
                continue
            if other is None or other == TODAY:
                continue
            if not isinstance(other, str) or other not in dates or other == name:
                found.append(f"{where}{name}: {keyword} must be \"{TODAY}\" or another date field of the same "
                             f"object, not {other!r}")
        if isinstance(prop.get("items"), Mapping):
            found += problems(prop["items"], f"{where}{name}/items/")
        elif "properties" in prop:
            found += problems(prop, f"{where}{name}/")
    if TODAY in dates and any(k in p for p in properties.values() if isinstance(p, Mapping) for k in RELATIVE):
        found.append(f"{where}{TODAY}: a field named \"{TODAY}\" cannot be told from today in {', '.join(RELATIVE)}")
    return found
