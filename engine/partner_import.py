"""`zvt partners import FILE.json`: fill the partner register of a new installation from a file.

The file is a JSON list with one object per partner:

    [{"code": "gemeente_heerenveen", "name": "Gemeente Heerenveen", "kind": "convenant",
      "grondslag": "AVG art. 6 lid 1 sub e", "directs": true, "joined_on": "2026-01-01",
      "contacts": {"fg": "Privacybalie: privacy@heerenveen.example",
                   "verantwoordelijke": "Informatiebeveiliging: datalek@heerenveen.example"},
      "contactpersoon": {"name": "A. Bakker", "email": "a.bakker@heerenveen.example"},
      "gemachtigde": {"name": "B. de Vries", "email": "b.devries@heerenveen.example"}},
     ...]

Required: code, name, kind ("convenant" or "adhoc"), grondslag. Optional: directs (exactly one
partner in the file directs, a convenantpartner), joined_on and left_on (YYYY-MM-DD, left_on
after joined_on), active (default true), contacts, contactpersoon, gemachtigde. A partner in
the file replaces what the register holds for its code; the directing partner of the file is
the only one afterwards. Partners the register has and the file lacks stay as they are.
Running the same file again changes nothing. Any mistake refuses the whole file, saving nothing,
with every mistake on its own line: "line 12: partner 'politie': ...".
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from .db import Partner
from .partner_admin import EMAIL, MAX_LINE, MAX_NAME, text_problem

CODE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")
_KEYS = {"code", "name", "kind", "grondslag", "directs", "joined_on", "left_on", "active", "contacts",
         "contactpersoon", "gemachtigde"}
_PERSON = {"name", "email"}
# Partner columns the file sets; comparing them tells a changed partner from an unchanged one.
_COLUMNS = ("name", "kind", "grondslag", "directs", "joined_on", "left_on", "active", "contacts", "contact_name",
            "contact_email", "officer_name", "officer_email")


class ImportRefused(ValueError):
    """The file is refused; `problems` are its mistakes, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    directing: str = ""


def read(path: Path) -> list[dict]:
    """The partners in the file as column values, checked; ImportRefused with every mistake."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportRefused([f"{path}: cannot be read: {exc}"]) from None
    return parse(text)


def parse(text: str) -> list[dict]:
    try:
        entries = _entries_with_lines(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused([f"line {exc.lineno}: not valid JSON: {exc.msg}"]) from None
    except ValueError as exc:
        raise ImportRefused([str(exc)]) from None
    problems: list[str] = []
    rows: list[dict] = []
    seen: dict[str, int] = {}
    for line, entry in entries:
        found = _check(entry)
        code = entry.get("code") if isinstance(entry, dict) else None
        label = f"line {line}: partner {code!r}" if isinstance(code, str) else f"line {line}: partner"
        if isinstance(code, str) and code in seen:
            found.append(f"the code is also on line {seen[code]}")
        if isinstance(code, str):
            seen.setdefault(code, line)
        problems.extend(f"{label}: {problem}" for problem in found)
        if not found and isinstance(entry, dict):  # _check found it is one
            rows.append(_columns(entry))
    directing = [line for line, entry in entries if isinstance(entry, dict) and entry.get("directs") is True]
    if not entries:
        problems.append("line 1: the file holds no partners")
    elif len(directing) != 1:
        where = f" (lines {', '.join(map(str, directing))})" if directing else ""
        problems.append(f"exactly one partner must have \"directs\": true, the municipality that directs the team; "
                        f"found {len(directing)}{where}")
    if problems:
        raise ImportRefused(problems)
    return rows


def apply(database, rows: list[dict]) -> ImportResult:
    """Write the checked partners in one transaction."""
    result = ImportResult(directing=next(row["id"] for row in rows if row["directs"]))
    with database.unit_of_work() as uow:
        session = uow.session
        for other in session.scalars(select(Partner).where(Partner.directs.is_(True),
                                                            Partner.id != result.directing)):
            other.directs = False
            if other.id not in {row["id"] for row in rows}:
                result.changed.append(other.id)
        for row in rows:
            partner = session.get(Partner, row["id"])
            if partner is None:
                session.add(Partner(**row))
                result.added.append(row["id"])
                continue
            if all(getattr(partner, column) == row[column] for column in _COLUMNS):
                result.unchanged.append(row["id"])
                continue
            for column in _COLUMNS:
                setattr(partner, column, row[column])
            result.changed.append(row["id"])
        uow.commit()
    return result


def _entries_with_lines(text: str) -> list[tuple[int, object]]:
    """The list's items with the line each starts on."""
    decoder = json.JSONDecoder()
    position = _skip(text, 0)
    if position >= len(text) or text[position] != "[":
        raise ValueError("line 1: the file must be a JSON list of partners: [{...}, {...}]")
    position = _skip(text, position + 1)
    entries: list[tuple[int, object]] = []
    if position < len(text) and text[position] == "]":
        return entries
    while True:
        value, end = decoder.raw_decode(text, position)
        entries.append((text.count("\n", 0, position) + 1, value))
        position = _skip(text, end)
        if position < len(text) and text[position] == ",":
            position = _skip(text, position + 1)
            continue
        if position < len(text) and text[position] == "]":
            if _skip(text, position + 1) != len(text):
                raise ValueError(f"line {text.count(chr(10), 0, position) + 1}: text after the end of the list")
            return entries
        raise json.JSONDecodeError("expected ',' or ']'", text, position)


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _check(entry) -> list[str]:
    if not isinstance(entry, dict):
        return ["must be an object"]
    problems = []
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        problems.append(f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(_KEYS))}")
    code = entry.get("code")
    if not isinstance(code, str) or not CODE.match(code):
        problems.append("code: lower-case letters, digits and underscores, starting with a letter, 2 to 64 long")
    for key, longest in (("name", MAX_NAME), ("grondslag", 4000)):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > longest:
            problems.append(f"{key}: required text of at most {longest} characters")
    if entry.get("kind") not in ("convenant", "adhoc"):
        problems.append('kind: "convenant" or "adhoc"')
    for key in ("directs", "active"):
        if key in entry and not isinstance(entry[key], bool):
            problems.append(f"{key}: true or false")
    if entry.get("directs") is True and entry.get("kind") != "convenant":
        problems.append("directs: only a convenantpartner directs the team")
    days = {}
    for key in ("joined_on", "left_on"):
        value = entry.get(key)
        if value is None:
            continue
        try:
            days[key] = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            days[key] = None
        if days[key] is None:
            problems.append(f"{key}: a date as YYYY-MM-DD, or null")
    joined, left = days.get("joined_on"), days.get("left_on")
    if joined and left and left <= joined:
        problems.append("left_on: must be after joined_on (the first day the partner no longer takes part)")
    contacts = entry.get("contacts")
    if contacts is not None:
        if not isinstance(contacts, dict) or set(contacts) != {"fg", "verantwoordelijke"}:
            problems.append('contacts: an object with "fg" and "verantwoordelijke", one line of text each')
        else:
            for key, value in contacts.items():
                if not isinstance(value, str) or text_problem(value.strip(), MAX_LINE):
                    problems.append(f"contacts.{key}: one line of text of at most {MAX_LINE} characters")
    for key in ("contactpersoon", "gemachtigde"):
        person = entry.get(key)
        if person is None:
            continue
        if not isinstance(person, dict) or set(person) != _PERSON:
            problems.append(f'{key}: an object with "name" and "email"')
            continue
        if not isinstance(person["name"], str) or text_problem(person["name"].strip(), MAX_NAME):
            problems.append(f"{key}.name: one line of text of at most {MAX_NAME} characters")
        if not isinstance(person["email"], str) or not EMAIL.match(person["email"].strip()) \
                or len(person["email"]) > MAX_NAME:
            problems.append(f"{key}.email: not an e-mail address")
    return problems


def _columns(entry: dict) -> dict:
    contacts = entry.get("contacts")
    person, officer = entry.get("contactpersoon") or {}, entry.get("gemachtigde") or {}
    return {"id": entry["code"], "name": entry["name"].strip(), "kind": entry["kind"],
            "grondslag": entry["grondslag"].strip(), "directs": entry.get("directs", False),
            "joined_on": entry.get("joined_on"), "left_on": entry.get("left_on"), "active": entry.get("active", True),
            "contacts": {k: v.strip() for k, v in contacts.items()} if contacts is not None else None,
            "contact_name": (person.get("name") or "").strip() or None,
            "contact_email": (person.get("email") or "").strip() or None,
            "officer_name": (officer.get("name") or "").strip() or None,
            "officer_email": (officer.get("email") or "").strip() or None}
