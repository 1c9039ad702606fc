"""Choice fields whose choices are the partners in the partner register, filled in whenever a form
is read, so that a partner joining or leaving changes no form file and no deployed version.

A form says "the partners" with a keyword instead of a list of codes:

    "x-zvt-partners": "convenant"   the convenantpartners taking part that day
    "x-zvt-partners": "alle"        the convenantpartners and ad-hoc partners taking part that day
    "x-zvt-partners": "andere"      the convenantpartners taking part that day but the directing one

on a text field (one partner is chosen) or on a list of texts (several; the choices go in its
`items`); choices of the field's own (`oneOf`, such as "Andere organisatie") come after the
partners. And `"x-zvt-nieuwe-partnercode": true` on a text field: a code no partner in the
register has, also not one that left (a partner that joins gets a code of its own). And
`{"x-zvt-regiepartner": true}` as a value's schema, mostly in a rule's `if` ("received by the
municipality"): the directing partner's code, whichever partner directs (nothing matches while
the register names none).

`expand` turns the keywords into the `oneOf` (and `not`) the rest of ZVT reads: the task page,
the start pages, a form post's parsing and validation, the Dutch messages and the read-back of
what a case stored. A deployed definition keeps the keyword (Definition.forms); the expansion
is made on every read and never written back. Two ways to read:
- offering, on a day: an editable field offers the partners taking part that day (the directing
  partner first, then by name: engine/partner_register.py), so a post naming a partner that left
  is refused. A read-only field shows what the case holds, so it knows every partner.
- reading back (no day): every field knows every partner the register ever had, also one that
  left since, so a case that stored its code still shows its name.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import date
from typing import Any

from . import partner_register
from .clock import aware
from .partner_register import day_of  # also for callers: the Dutch day a form's partners are offered for

KEYWORD = "x-zvt-partners"
NEW_CODE = "x-zvt-nieuwe-partnercode"
DIRECTING = "x-zvt-regiepartner"
# value of KEYWORD -> the kinds of partner (Partner.kind) a field offers, and whether the directing
# partner is left out (a rights request: the municipality answers, the others are referred to or told)
KINDS = {"convenant": (("convenant",), False), "alle": (("convenant", "adhoc"), False),
         "andere": (("convenant",), True)}


def uses_register(schema: object) -> bool:
    """Whether a schema (or any part of it) has one of this module's keywords."""
    if isinstance(schema, Mapping):
        return (KEYWORD in schema or NEW_CODE in schema or DIRECTING in schema
                or any(uses_register(v) for v in schema.values()))
    if isinstance(schema, list):
        return any(uses_register(v) for v in schema)
    return False


def source(prop: object) -> str | None:
    """The keyword's value on a field ("convenant", "alle"), None for a field with its own choices."""
    value = prop.get(KEYWORD) if isinstance(prop, Mapping) else None
    return value if value in KINDS else None


def expand(schema: dict | None, session, day: date | None) -> dict | None:
    """The schema with the register's partners as its choices: offered on `day`, or (None) every
    partner for reading back. The given schema is never changed; one without keywords comes back as is."""
    if not uses_register(schema):
        return schema
    return _expand(schema, _Register(session, day), read_only=day is None)


def expand_forms(forms: Mapping[str, dict], session) -> dict[str, dict]:
    """Every form of a process version (Definition.forms: schemas and UI schemas) for reading back
    what its cases stored; one register read for all of them."""
    register = _Register(session, None)
    return {key: _expand(form, register, read_only=True) if uses_register(form) else form
            for key, form in forms.items()}


def fill(schema: dict | None, partners: list[tuple[str, str]]) -> dict | None:
    """The schema with these partners, (code, name) in order, as the choices of every partner field
    and as the codes a new one may not have: a form read without a database (a test of the forms
    alone), with the choices the register would give."""
    if not uses_register(schema):
        return schema
    return _expand(schema, _Given([{"const": code, "title": name} for code, name in partners]), read_only=False)


def today(clock) -> date:
    """The Dutch day of the engine clock: the day a form's partners are offered for."""
    return day_of(aware(clock()))


def offered(engine, schema: dict | None) -> dict | None:
    """The schema as a form offers it today, for a page that has no unit of work of its own (the
    form editor's preview)."""
    with engine.database.unit_of_work(write=False) as uow:
        return expand(schema, uow.session, today(engine.clock))


def problems(schema: Mapping) -> list[str]:
    """What deploy refuses: an unknown value, the keyword on a field that is not a text or a list
    of texts, or beside an enum or const of the field's own."""
    found: list[str] = []
    _problems(schema, "", found)
    return found


class _Register:
    """The register as one expansion reads it, each query at most once."""

    def __init__(self, session, day: date | None):
        self.session, self.day = session, day
        self._offered: dict[str, list[dict]] = {}
        self._all: list[dict] | None = None

    def choices(self, kind: str | None) -> list[dict]:
        """The choices of a field with this keyword value, or (None, or reading back) every partner."""
        if kind is None or self.day is None:
            return copy.deepcopy(self.every())
        kinds, without_directing = KINDS[kind]
        if kind not in self._offered:
            directing = partner_register.directing(self.session) if without_directing else None
            self._offered[kind] = [{"const": p.id, "title": p.name}
                                   for p in partner_register.taking_part(self.session, self.day, kinds)
                                   if p.id != directing]
        return copy.deepcopy(self._offered[kind])

    def directing(self) -> str | None:
        return partner_register.directing(self.session)

    def every(self) -> list[dict]:
        """Every partner ever in the register, also one that left or is switched off, in the offering
        order (the directing partner first, then by name)."""
        if self._all is None:
            known, first = partner_register.names(self.session), partner_register.directing(self.session)
            order = sorted(known, key=lambda code: (code != first, known[code], code))
            self._all = [{"const": code, "title": known[code]} for code in order]
        return self._all


class _Given:
    """A fixed list of partners in the place of the register (`fill`)."""

    def __init__(self, partners: list[dict]):
        self.partners = partners

    def choices(self, kind: str | None) -> list[dict]:
        return copy.deepcopy(self.partners)

    def every(self) -> list[dict]:
        return self.partners

    def directing(self) -> str | None:
        return self.partners[0]["const"] if self.partners else None  # the list gives it first


def _expand(node: Any, register: _Register | _Given, read_only: bool) -> Any:
    if isinstance(node, list):
        return [_expand(v, register, read_only) for v in node]
    if not isinstance(node, Mapping):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, Mapping):
            out[key] = {name: _expand(prop, register, read_only or bool(isinstance(prop, Mapping) and prop.get("readOnly")))
                        for name, prop in value.items()}
        else:
            out[key] = _expand(value, register, read_only)
    kind = source(node)
    if kind is not None:
        choices = register.choices(None if read_only else kind)
        if node.get("type") == "array":
            items = items if isinstance(items := out.get("items"), dict) else {"type": "string"}
            out["items"] = {**items, "oneOf": choices + list(items.get("oneOf") or [])}
        else:
            out["oneOf"] = choices + list(out.get("oneOf") or [])
    if node.get(NEW_CODE) is True:
        codes = [choice["const"] for choice in register.every()]
        if codes:
            out["not"] = {"enum": codes}
    if node.get(DIRECTING) is True:
        code = register.directing()
        if code is not None:
            out["const"] = code
        else:
            out["not"] = {}
    return out


def _problems(node: object, where: str, found: list[str]) -> None:
    if isinstance(node, list):
        for index, value in enumerate(node):
            _problems(value, f"{where}/{index}", found)
        return
    if not isinstance(node, Mapping):
        return
    for key, value in node.items():
        _problems(value, f"{where}/{key}", found)
    field = where or "(root)"
    if KEYWORD in node:
        items = node.get("items")
        holder = items if node.get("type") == "array" and isinstance(items, Mapping) else node
        text = holder.get("type") == "string" and "format" not in holder
        if node.get(KEYWORD) not in KINDS:
            found.append(f"{field}: {KEYWORD} must be one of {', '.join(sorted(KINDS))}")
        elif not text:
            found.append(f"{field}: {KEYWORD} belongs on a text field or a list of texts")
        elif "enum" in holder or "const" in holder or not (
                "oneOf" not in holder or (isinstance(holder["oneOf"], list)
                                          and all(isinstance(o, Mapping) and "const" in o for o in holder["oneOf"]))):
            found.append(f"{field}: {KEYWORD} gives the choices; the field's own may only follow them "
                         "as oneOf of const and title")
    if NEW_CODE in node:
        if node.get(NEW_CODE) is not True:
            found.append(f"{field}: {NEW_CODE} must be true")
        elif node.get("type") != "string" or "not" in node:
            found.append(f"{field}: {NEW_CODE} belongs on a text field without its own 'not'")
    if DIRECTING in node:
        if node.get(DIRECTING) is not True:
            found.append(f"{field}: {DIRECTING} must be true")
        elif "const" in node or "not" in node:
            found.append(f"{field}: {DIRECTING} stands for a const; the schema may not have its own const or not")
