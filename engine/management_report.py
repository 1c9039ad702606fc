"""The management information as tables: the figures of engine/management_info.py with Dutch
labels, and every small number hidden, so that no one person can be recognised.

The page (/managementinformatie), its CSV and XLSX exports and the yearly evaluation's
rapportage all show these same tables.

Hiding (docs/managementinformatie.md): a count from 1 to 4 (THRESHOLD) is not shown; 0 is, as it
says nothing about anyone. Where a table splits a total that another table shows (the outcomes of
a process's closed cases, the niveaus of the active zvt_casus cases), hiding one number alone would
let a reader work it out by subtraction; then the smallest other number of that split is hidden
too. A median, a 90th percentile or a percentage of fewer than THRESHOLD values is not shown.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from . import access_log, policy
from .clock import aware
from .errors import EngineError
from .identity import Origin, User
from .management_info import CASUS, Figures, Period, Spread, figures
from .roles import ROLE_TITLES

THRESHOLD = 5
HIDDEN = "niet getoond"
# Only a code may name an outcome: free text a process might put in the field is never shown.
_CODE = re.compile(r"^[a-z0-9_]{1,64}$")
_DAY = 86400.0


@dataclass(frozen=True)
class Cell:
    value: int | float | str | None  # None: hidden
    text: str

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    process_id: str | None = None  # which process the row is about, if one


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    explanation: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    chart: int | None = None  # the column the page draws as bars
    unit: str = ""  # of the chart's values


@dataclass(frozen=True)
class Report:
    period: Period
    label: str
    tables: tuple[Table, ...]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


class NotAllowed(EngineError):
    """The policy refused the management information; the attempt is in the access log."""


def read(engine, user: User, origin: Origin, period: Period, action: str = "read") -> Report:
    """The report for a person (the page: "read", an export: "export"), asked of the policy and
    written in the access log in the same transaction, allowed or not. The log row's object is the
    period, as its first and last day: the report holds no case, so it names none."""
    now = aware(engine.clock())
    decision = policy.may_read_management_info(user)
    with engine.database.unit_of_work() as uow:
        access_log.record(uow.session, user, origin, action, "managementinformatie",
                          f"{period.first.isoformat()}/{period.last.isoformat()}", None, bool(decision), now)
        report = build(uow.session, period, now) if decision else None
        uow.commit()
    if report is None:
        raise NotAllowed(decision.reason)
    return report


def build(session, period: Period, now: datetime) -> Report:
    """Every table of the period. The outcome fields come from the retention rules the engine
    carries (processes/retention.json `outcome_field`)."""
    rules = session.info.get("retention")
    outcome_fields = {pid: rule.outcome_field for pid, rule in rules.processes.items()
                      if rule.outcome_field} if rules is not None else {}
    found = figures(session, period, now, outcome_fields)
    return Report(period, period_label(period), (
        _cases(found), _outcomes(found), _niveaus(found), _partners(found), _case_times(found),
        _step_times(found), _deadlines(found), _open_work(found)))


def period_label(period: Period) -> str:
    first, last = period.first, period.last
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return str(first.year)
    for quarter in (1, 2, 3, 4):
        if period == Period.quarter(first.year, quarter):
            return f"{first.year}, {quarter}e kwartaal"
    return f"{_day(first)} tot en met {_day(last)}"


def _day(day) -> str:
    return f"{day.day}-{day.month}-{day.year}"


def count(n: int) -> Cell:
    return Cell(None, HIDDEN) if 0 < n < THRESHOLD else Cell(n, str(n))


def split(counts: list[int]) -> list[Cell]:
    """The cells of numbers that add up to a total shown elsewhere (see the module doc)."""
    hidden = {i for i, n in enumerate(counts) if 0 < n < THRESHOLD}
    if len(hidden) == 1:
        others = [i for i, n in enumerate(counts) if n >= THRESHOLD]
        if others:
            hidden.add(min(others, key=lambda i: counts[i]))
    return [Cell(None, HIDDEN) if i in hidden else Cell(n, str(n)) for i, n in enumerate(counts)]


def days(seconds: float, n: int) -> Cell:
    if n < THRESHOLD:
        return Cell(None, HIDDEN)
    value = round(seconds / _DAY, 1)
    return Cell(value, f"{value:.1f}".replace(".", ","))


def percent(part: int, whole: int) -> Cell:
    if whole < THRESHOLD:
        return Cell(None, HIDDEN)
    value = round(100 * part / whole)
    return Cell(value, f"{value}%")


def label(text: str) -> Cell:
    return Cell(text, text)


def _process(found: Figures, pid: str) -> str:
    return found.process_names.get(pid, pid)


def _cases(found: Figures) -> Table:
    rows = tuple(Row((label(_process(found, c.process_id)), count(c.new), count(c.closed), count(c.active)), c.process_id)
                 for c in sorted(found.cases, key=lambda c: _process(found, c.process_id)))
    return Table("casussen", "Casussen per proces",
                 "Nieuw: gestart in de periode. Afgesloten: klaar in de periode. Onderhanden: op enig moment in de "
                 "periode open; daar horen de nieuwe en de afgesloten casussen ook bij.",
                 ("Proces", "Nieuw", "Afgesloten", "Onderhanden"), rows, chart=3, unit="casussen")


def _outcome_name(found: Figures, pid: str, end_name: str | None, code: str | None) -> str:
    title = found.choice_titles.get(pid, {}).get(code) if code is not None and _CODE.match(code) else None
    base = end_name or "Geen eindpunt bekend"
    return f"{base} – {title}" if title else base


def _outcomes(found: Figures) -> Table:
    per_process: dict[str, dict[str, int]] = {}
    for outcome in found.outcomes:
        name = _outcome_name(found, outcome.process_id, outcome.end_name, outcome.code)
        named = per_process.setdefault(outcome.process_id, {})
        named[name] = named.get(name, 0) + outcome.cases
    rows = []
    for pid in sorted(per_process, key=lambda p: _process(found, p)):
        names = sorted(per_process[pid])
        for name, cell in zip(names, split([per_process[pid][n] for n in names])):
            rows.append(Row((label(_process(found, pid)), label(name), cell), pid))
    return Table("uitkomsten", "Hoe casussen eindigden",
                 "Van de casussen die in de periode klaar waren: waar het proces eindigde, en bij een zorg- en "
                 "veiligheidscasus of klacht ook het besluit waarmee hij eindigde.",
                 ("Proces", "Uitkomst", "Casussen"), tuple(rows))


def _niveau_name(niveau: int | None, destroyed: bool) -> str:
    if niveau is not None:
        return f"Niveau {niveau}"
    return "Niet meer bekend (gegevens vernietigd)" if destroyed else "Nog niet beoordeeld"


def _niveaus(found: Figures) -> Table:
    counts = {(n.niveau, n.destroyed): n.cases for n in found.niveaus}
    keys: list[tuple[int | None, bool]] = [(level, False) for level in range(5)]
    keys += [k for k in ((None, False), (None, True)) if k in counts]
    keys += sorted(k for k in counts if k not in keys and k[0] is not None)
    cells = split([counts.get(k, 0) for k in keys])
    rows = tuple(Row((label(_niveau_name(*k)), cell), CASUS) for k, cell in zip(keys, cells))
    return Table("niveaus", "Casussen per niveau",
                 "Zorg- en veiligheidscasussen die in de periode onderhanden waren, naar het niveau dat de "
                 "procesregisseur koos bij de beoordeling (afwegingskader, niveau 0 tot en met 4).",
                 ("Niveau", "Casussen"), rows, chart=1, unit="casussen")


def _partners(found: Figures) -> Table:
    processes = sorted({p.process_id for p in found.partners}, key=lambda p: _process(found, p))
    counts = {(p.partner, p.process_id): p.cases for p in found.partners}
    partners = sorted({p.partner for p in found.partners}, key=lambda p: found.partner_names.get(p, p))
    rows = tuple(Row((label(found.partner_names.get(partner, partner)),
                      *(count(counts.get((partner, pid), 0)) for pid in processes))) for partner in partners)
    return Table("partners", "Casussen per partner",
                 "Onderhanden casussen waar de partner aan meedeed (nu, of toen de casus klaar was). Aan één "
                 "casus doen vaak meer partners mee.",
                 ("Partner", *(_process(found, pid) for pid in processes)), rows)


def _spread_cells(spread: Spread) -> tuple[Cell, Cell, Cell]:
    return count(spread.count), days(spread.median, spread.count), days(spread.p90, spread.count)


def _case_times(found: Figures) -> Table:
    rows = tuple(Row((label(_process(found, pid)), *_spread_cells(spread)), pid)
                 for pid, spread in sorted(found.case_times.items(), key=lambda item: _process(found, item[0])))
    return Table("doorlooptijd_casussen", "Doorlooptijd van casussen",
                 "Van start tot afsluiten, in kalenderdagen, van de casussen die in de periode klaar waren.",
                 ("Proces", "Afgesloten casussen", "Mediaan (dagen)", "9 van de 10 binnen (dagen)"), rows)


def _step_times(found: Figures) -> Table:
    ordered = sorted(found.step_times, key=lambda s: (_process(found, s.process_id), s.name or s.bpmn_id))
    rows = tuple(Row((label(_process(found, s.process_id)), label(s.name or s.bpmn_id), *_spread_cells(s.times)),
                     s.process_id) for s in ordered)
    return Table("doorlooptijd_stappen", "Doorlooptijd per stap",
                 "Van het moment dat de taak klaarstond tot het moment dat hij af was, in kalenderdagen, van de taken "
                 "die in de periode af waren.",
                 ("Proces", "Stap", "Keer gedaan", "Mediaan (dagen)", "9 van de 10 binnen (dagen)"), rows)


def _deadlines(found: Figures) -> Table:
    rows = tuple(Row((label(_process(found, d.process_id)), count(d.with_due), count(d.met),
                      percent(d.met, d.with_due)), d.process_id)
                 for d in sorted(found.deadlines, key=lambda d: _process(found, d.process_id)))
    return Table("termijnen", "Termijnen gehaald",
                 "Taken met een termijn die in de periode af waren, en hoeveel daarvan af waren voor de termijn "
                 "voorbij was.",
                 ("Proces", "Taken met termijn", "Op tijd", "Op tijd (%)"), rows, chart=3, unit="%")


def _open_work(found: Figures) -> Table:
    rows = tuple(Row((label(ROLE_TITLES.get(w.lane, w.lane)), count(w.open), count(w.overdue)))
                 for w in sorted(found.open_work, key=lambda w: ROLE_TITLES.get(w.lane, w.lane)))
    return Table("open_werk", "Open werk per rol, nu",
                 "Taken die nu klaarstaan, per rol, en hoeveel daarvan over hun termijn zijn. Dit gaat over vandaag, "
                 "niet over de gekozen periode.",
                 ("Rol", "Open taken", "Te laat"), rows, chart=1, unit="taken")


def lines(table: Table, processes: frozenset[str] | None = None) -> list[str]:
    """The table as lines of text, "label: column value, ..." (for the yearly evaluation's form);
    `processes`: only the rows about these."""
    out = []
    for row in table.rows:
        if processes is not None and row.process_id not in processes:
            continue
        labels = [c.text for c, name in zip(row.cells, table.columns) if isinstance(c.value, str) and c.text == c.value]
        values = [f"{name.lower()} {c.text}" for c, name in zip(row.cells, table.columns)
                  if not (isinstance(c.value, str) and c.text == c.value)]
        out.append(f"{' – '.join(labels)}: {', '.join(values)}")
    return out
