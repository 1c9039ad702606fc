"""The covenant's facts about each process, read from `processes/process_rules.json`, not code.

Who takes part in a process's cases (need to know), whether the directing partner's
procesregisseur directs them, who hears back, who may start one and what the engine adds to a
case when it starts: covenant facts, so they live beside
the processes, where the proceseigenaar and the FG read and change them (processes/README.md).

    {"processes": {
       "zvt_casus": {"personal_data": true, "starters": ["partnermedewerker", "procesregisseur"],
                     "participants": {"partner_fields": ["aanmelder_partner"],
                                      "partner_list_fields": ["deelnemende_partners"],
                                      "partner_fields_until": "deelnemende_partners"},
                     "directed_by_procesregisseur": true,
                     "feedback": {"field": "aanmelder_partner", "roles": ["partnermedewerker"]},
                     "start_context": {"aanmelder_partner": "starter_partner"}},
       "convenant": {"personal_data": false, "open_to_roles": ["teamleider", "beheerder", "manager"]}}}

Deny by default: a process the file does not name holds personal data, nobody takes part in
it and nobody may start it. The file is checked whole when it is read (every start of the web
app, the scheduler and the CLI) and by `zvt deploy` for the folder it deploys; a mistake is one
English line naming the place in the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import json_files
from .errors import Problem
from .roles import ROLES

FILE_NAME = "process_rules.json"
# The file shipped with the processes: what an engine uses until the configuration installs its own.
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "processes" / FILE_NAME

# What the engine can put in a case's data when it starts (`start_context`):
START_SOURCES = {
    "starter_partner": "the code of the starter's partner",
    "directing_partner": "the code of the partner that directs the team (Partner.directs)",
    "contact_register": "per partner taking part, its contact register lines (Partner.contacts)",
    "convenant_partners": "the codes of the convenantpartners taking part that day",
}
# Only a person's start knows these: a process the scheduler starts cannot have them.
NEEDS_A_STARTER = {"starter_partner"}

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_KEYS = {"personal_data", "open_to_roles", "starters", "participants", "directed_by_procesregisseur", "feedback",
         "start_context", "why"}
_PARTICIPANT_KEYS = {"partner_fields", "partner_list_fields", "partner_fields_until", "directing_partner"}


class ProcessRulesInvalid(ValueError):
    """The process rules file is missing or wrong; the message says where."""


@dataclass(frozen=True)
class ProcessRule:
    process_id: str
    personal_data: bool = True
    open_to_roles: frozenset[str] = frozenset()
    starters: frozenset[str] = frozenset()
    partner_fields: tuple[str, ...] = ()
    partner_list_fields: tuple[str, ...] = ()
    # Once the case's data holds this list field, the single partner fields no longer count (the
    # beoordeling chose the partners: the aanmelder is one of them or no longer sees the case).
    partner_fields_until: str | None = None
    directing_partner: bool = False  # the directing partner always takes part
    directed_by_procesregisseur: bool = False
    feedback: tuple[str, frozenset[str]] | None = None  # (data field of the referring partner, roles)
    start_context: dict[str, str] = field(default_factory=dict)  # data key -> START_SOURCES


# Whatever the file does not name: personal data, no participants, no starters.
UNKNOWN = ProcessRule("")


@dataclass(frozen=True)
class ProcessRules:
    processes: dict[str, ProcessRule]
    source: str = "process rules"

    def rule(self, process_id: str) -> ProcessRule:
        return self.processes.get(process_id, UNKNOWN)


def load(path: Path) -> ProcessRules:
    return parse(json_files.read(path, "the process rules file", ProcessRulesInvalid), str(path))


def parse(raw, source: str = "process rules") -> ProcessRules:
    def fail(where: str, message: str):
        raise ProcessRulesInvalid(f"{source}: {where}: {message}")

    def names(where: str, value) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and _NAME.match(v) for v in value):
            fail(where, "must be a list of data field names")
        return tuple(value)

    def roles(where: str, value) -> frozenset[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(where, "must be a list of roles")
        unknown = sorted(set(value) - ROLES)
        if unknown:
            fail(where, f"{unknown[0]!r} is not a role; roles: {', '.join(sorted(ROLES))}")
        return frozenset(value)

    def start_context(where: str, value) -> dict[str, str]:
        if not isinstance(value, dict):
            fail(where, "must map data field names to what the engine puts in them")
        for key, source in value.items():
            if not _NAME.match(key):
                fail(where, f"{key!r} is not a data field name")
            if source not in START_SOURCES:
                fail(f"{where}.{key}", f"must be one of {', '.join(sorted(START_SOURCES))}")
        return dict(value)

    if not isinstance(raw, dict) or set(raw) - {"processes", "about"} or not isinstance(raw.get("processes"), dict):
        fail("top level", "must be an object with 'processes' (and optionally 'about')")
    rules = {}
    for process_id, spec in raw["processes"].items():
        where = f"processes.{process_id}"
        if not _NAME.match(process_id):
            fail(where, "is not a process id")
        if not isinstance(spec, dict):
            fail(where, "must be an object")
        unknown = sorted(set(spec) - _KEYS)
        if unknown:
            fail(where, f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(_KEYS))}")
        personal = spec.get("personal_data")
        if not isinstance(personal, bool):
            fail(f"{where}.personal_data", "must be true or false: whether the cases hold a citizen's personal data")
        open_to = roles(f"{where}.open_to_roles", spec.get("open_to_roles", []))
        if personal and open_to:
            fail(f"{where}.open_to_roles", "only a process without personal data is open to roles")
        if not personal:
            if not open_to:
                fail(f"{where}.open_to_roles", "a process without personal data needs the roles that work in it")
            for key in ("participants", "directed_by_procesregisseur", "feedback"):
                if key in spec:
                    fail(f"{where}.{key}", "only for a process with personal data")
        participants = spec.get("participants", {})
        if not isinstance(participants, dict) or set(participants) - _PARTICIPANT_KEYS:
            fail(f"{where}.participants", f"must be an object with only {', '.join(sorted(_PARTICIPANT_KEYS))}")
        single = names(f"{where}.participants.partner_fields", participants.get("partner_fields", []))
        lists = names(f"{where}.participants.partner_list_fields", participants.get("partner_list_fields", []))
        until = participants.get("partner_fields_until")
        if until is not None and until not in lists:
            fail(f"{where}.participants.partner_fields_until", "must be one of the partner_list_fields")
        directing = participants.get("directing_partner", False)
        directed = spec.get("directed_by_procesregisseur", False)
        for key, value in (("participants.directing_partner", directing), ("directed_by_procesregisseur", directed)):
            if not isinstance(value, bool):
                fail(f"{where}.{key}", "must be true or false")
        feedback = spec.get("feedback")
        if feedback is not None:
            if not isinstance(feedback, dict) or set(feedback) != {"field", "roles"} \
                    or not isinstance(feedback["field"], str) or not _NAME.match(feedback["field"]):
                fail(f"{where}.feedback", "must be an object with 'field' (a data field name) and 'roles'")
            feedback = (feedback["field"], roles(f"{where}.feedback.roles", feedback["roles"]))
        context = start_context(f"{where}.start_context", spec.get("start_context", {}))
        rules[process_id] = ProcessRule(
            process_id, personal, open_to, roles(f"{where}.starters", spec.get("starters", [])), single, lists, until,
            directing, directed, feedback, context)
    return ProcessRules(rules, source)


def check_folder(folder: Path, scheduled: set[str]) -> list[Problem]:
    """What `zvt deploy` refuses in the folder's rules file (or, without one, the rules in use): a
    mistake in it, or a start context only a person's start knows for a process in `scheduled`
    (the ids of the folder's processes that the scheduler starts)."""
    path = Path(folder) / FILE_NAME
    try:
        rules = load(path) if path.is_file() else active()
    except ProcessRulesInvalid as exc:
        return [Problem(str(path), None, str(exc).removeprefix(f"{path}: "))]
    return [Problem(rules.source, f"processes.{process_id}.start_context.{key}",
                    f"{source!r} needs a person who starts the case; the scheduler starts this process")
            for process_id in sorted(scheduled)
            for key, source in rules.rule(process_id).start_context.items() if source in NEEDS_A_STARTER]


_active: ProcessRules | None = None


def active() -> ProcessRules:
    """The rules the policy and the engine follow: those installed by the configuration (zvt/config.py),
    else the file shipped with the processes, read once."""
    global _active
    if _active is None:
        _active = load(DEFAULT_FILE)
    return _active


def install(rules: ProcessRules) -> None:
    global _active
    _active = rules
