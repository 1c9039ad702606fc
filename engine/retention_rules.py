"""How long each process keeps a closed case's personal data: read from a JSON file, not code.

The terms are covenant and policy facts (docs/bewaartermijnen.md gives their reasons), so
they live in `processes/retention.json` beside the processes they are about, where the
proceseigenaar and the FG can read and change them. The file is checked whole when it is
read (every `zvt` command and the web app read it at start); a mistake stops the start with
one English line naming the place in the file.

    {"housekeeping": {"login_attempts_days": 180, "sent_mail_days": 90},
     "processes": {
       "zvt_casus": {"months": 24, "outcome_field": "uitkomst",
                     "by_outcome": {"niet_geregistreerd": 1}, "figures": ["uitkomst", "niveau"]},
       "convenant": {"keep": true}}}

`months`: after closing, the personal data goes; `by_outcome` overrides it per value of the
case field `outcome_field`. `keep`: the process holds no citizen's data and is an archive
record of the covenant itself; this job never destroys it. `figures`: case fields kept as
anonymous figures for the management report, and only when their value is a code, a number,
a yes/no or a list of codes (free text is never kept, even when listed).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import json_files
from .termijnen import add_maanden

# A value the figures may keep: an enum code such as "afschalen" or "woonfriesland".
_CODE = re.compile(r"^[a-z0-9_]{1,64}$")
_PROCESS_KEYS = {"months", "outcome_field", "by_outcome", "figures", "keep", "why"}
_HOUSEKEEPING_KEYS = {"login_attempts_days", "sent_mail_days"}


class RetentionRulesInvalid(ValueError):
    """The retention file is missing or wrong; the message says where."""


@dataclass(frozen=True)
class ProcessRule:
    process_id: str
    months: int | None  # None: kept (`keep`)
    outcome_field: str | None = None
    by_outcome: dict[str, int] = field(default_factory=dict)
    figures: tuple[str, ...] = ()

    @property
    def keep(self) -> bool:
        return self.months is None

    def term(self, data: dict) -> tuple[int | None, str]:
        """The months for a case with this data, and the rule as one line for the destruction
        record: "<process>: <outcome_field>=<outcome>: <n> months" (the outcome only when it is
        a code, never free text)."""
        outcome = data.get(self.outcome_field) if self.outcome_field else None
        months = self.by_outcome.get(outcome, self.months) if isinstance(outcome, str) else self.months
        if isinstance(outcome, str) and _CODE.match(outcome):
            return months, f"{self.process_id}: {self.outcome_field}={outcome}: {months} months"
        return months, f"{self.process_id}: {months} months"

    def destroy_at(self, data: dict, completed_at: datetime) -> datetime | None:
        months = self.term(data)[0]
        if months is None:  # kept
            return None
        return datetime.fromisoformat(add_maanden(completed_at, months))

    def anonymous_figures(self, data: dict) -> dict:
        """The listed fields whose values are codes, numbers or yes/no; anything else is dropped."""
        return {name: data[name] for name in self.figures if name in data and is_anonymous(data[name])}


@dataclass(frozen=True)
class RetentionRules:
    processes: dict[str, ProcessRule]
    login_attempts_days: int
    sent_mail_days: int
    source: str = "retention rules"

    def rule(self, process_id: str) -> ProcessRule | None:
        return self.processes.get(process_id)

    def destroying(self) -> list[str]:
        """The processes whose closed cases this job destroys."""
        return sorted(pid for pid, rule in self.processes.items() if not rule.keep)

    def missing(self, process_ids) -> list[str]:
        return sorted(set(process_ids) - set(self.processes))


def is_anonymous(value) -> bool:
    if isinstance(value, bool) or isinstance(value, int) or isinstance(value, float):
        return True
    if isinstance(value, str):
        return bool(_CODE.match(value))
    if isinstance(value, list):
        return all(isinstance(item, str) and _CODE.match(item) for item in value)
    return False


def load(path: Path) -> RetentionRules:
    return parse(json_files.read(path, "the retention file", RetentionRulesInvalid), str(path))


def parse(raw, source: str = "retention rules") -> RetentionRules:
    def fail(where: str, message: str):
        raise RetentionRulesInvalid(f"{source}: {where}: {message}")

    if not isinstance(raw, dict) or set(raw) - {"housekeeping", "processes", "about"}:
        fail("top level", "must be an object with 'housekeeping' and 'processes' (and optionally 'about')")
    housekeeping = raw.get("housekeeping")
    if not isinstance(housekeeping, dict) or set(housekeeping) != _HOUSEKEEPING_KEYS:
        fail("housekeeping", f"must have exactly {', '.join(sorted(_HOUSEKEEPING_KEYS))}")
    for key in sorted(_HOUSEKEEPING_KEYS):
        if not _whole(housekeeping[key], 1, 3660):
            fail(f"housekeeping.{key}", "must be a whole number of days from 1 to 3660")
    processes = raw.get("processes")
    if not isinstance(processes, dict) or not processes:
        fail("processes", "must be an object with a rule per process id")
    rules = {}
    for process_id, spec in processes.items():
        where = f"processes.{process_id}"
        if not isinstance(spec, dict):
            fail(where, "must be an object")
        unknown = set(spec) - _PROCESS_KEYS
        if unknown:
            fail(where, f"unknown key {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(_PROCESS_KEYS))}")
        if spec.get("keep") is True:
            if set(spec) - {"keep", "why"}:
                fail(where, "a process that is kept ('keep': true) has no months, outcomes or figures")
            rules[process_id] = ProcessRule(process_id, None)
            continue
        if "keep" in spec and spec["keep"] is not False:
            fail(f"{where}.keep", "must be true or false")
        if not _whole(spec.get("months"), 1, 1200):
            fail(f"{where}.months", "must be a whole number of months from 1 to 1200 (or set 'keep': true)")
        outcome_field = spec.get("outcome_field")
        by_outcome = spec.get("by_outcome", {})
        if by_outcome and not isinstance(outcome_field, str):
            fail(f"{where}.by_outcome", "needs 'outcome_field': the case field that holds the outcome")
        if not isinstance(by_outcome, dict) or not all(_whole(m, 1, 1200) for m in by_outcome.values()):
            fail(f"{where}.by_outcome", "must map outcome codes to whole numbers of months from 1 to 1200")
        figures = spec.get("figures", [])
        if not isinstance(figures, list) or not all(isinstance(f, str) and _CODE.match(f) for f in figures):
            fail(f"{where}.figures", "must be a list of case field names")
        rules[process_id] = ProcessRule(process_id, spec["months"], outcome_field, dict(by_outcome), tuple(figures))
    return RetentionRules(rules, housekeeping["login_attempts_days"], housekeeping["sent_mail_days"], source)


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
