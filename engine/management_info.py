"""The management information's figures: counts and lead times per period, aggregated in SQL.

Queries only; engine/management_report.py turns these into the tables with labels and hides the
small numbers. Nothing here returns a case number, a name or a person's data: each query groups
and counts in the database, so the rows that leave it are one per process, outcome, niveau,
partner, step or role, however many cases there are.

Which cases count in a period (from `start` up to, not including, `end`):
- new: started in the period; closed: closed in the period; active ("onderhanden"): open at some
  moment in it (started before its end, not closed before its start). A scheduled case that still
  waits for its timer, or one that was cancelled before it started, is no case.
- Outcome: of the cases closed in the period, the end event they ended at (the last one in their
  history) and, for a process that records a closing code (`outcome_field` in
  processes/retention.json: zvt_casus `uitkomst`, klacht `oordeel`), that code; read from the
  case's data, or from the anonymous figures kept when its personal data was destroyed.
- Niveau (zvt_casus, active cases): the niveau the procesregisseur chose at the beoordeling, the
  first entry of `niveau_historie`. A destroyed case keeps only its last niveau among its figures;
  that is the beoordeling's when the case closed at the beoordeling (not taken up), otherwise the
  niveau is no longer known.
- Partner: the active cases each partner takes part in (the case's participants now, or when it
  closed).
- Lead time of a step: from when the user task opened to when it was done, for tasks done in the
  period (history rows from schema revision 0028 on know when their task opened); of a case: from
  start to close, for cases closed in the period. In calendar time; median and 90th percentile
  by nearest rank: the value at place ceil(n/2) and ceil(9n/10) of the n values in order.
- Deadlines: user tasks done in the period that had a due moment, and how many were done by then.
- Open work: the open user tasks of running cases now, per role (lane), and how many are past due.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from .clock import AMSTERDAM
from .db import Definition, Destruction, HistoryEntry, HumanTask, Instance, Partner

CASUS = "zvt_casus"
# zvt_casus outcomes that close a case at the beoordeling: no zorgoverleg changed its niveau since,
# so the niveau its destroyed record keeps is the beoordeling's (see the module doc).
CLOSED_AT_BEOORDELING = ("niet_geregistreerd", "niet_opgepakt")
NOT_A_CASE = ("scheduled", "cancelled")


@dataclass(frozen=True)
class Period:
    """Whole days in Dutch time, `first` to `last` inclusive."""
    first: date
    last: date

    def __post_init__(self):
        if self.last < self.first:
            raise ValueError("a period ends on or after the day it starts")

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise ValueError("a quarter is 1, 2, 3 or 4")
        first = date(year, 3 * quarter - 2, 1)
        following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(first, following - timedelta(days=1))

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), AMSTERDAM)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(0), AMSTERDAM)


@dataclass(frozen=True)
class ProcessCases:
    process_id: str
    new: int
    closed: int
    active: int


@dataclass(frozen=True)
class Outcome:
    process_id: str
    end_event: str | None  # the BPMN id of the end event; None: the case ended at none
    end_name: str | None
    code: str | None  # the process's closing code (retention.json `outcome_field`), if it records one
    cases: int


@dataclass(frozen=True)
class NiveauCount:
    niveau: int | None
    destroyed: bool  # None because the case's personal data was destroyed (not: not yet assessed)
    cases: int


@dataclass(frozen=True)
class PartnerCount:
    partner: str
    process_id: str
    cases: int


@dataclass(frozen=True)
class Spread:
    """n values in seconds, their median and 90th percentile (nearest rank)."""
    count: int
    median: float
    p90: float


@dataclass(frozen=True)
class StepTimes:
    process_id: str
    bpmn_id: str
    name: str | None
    times: Spread
    with_due: int  # of these tasks, how many had a due moment
    met: int  # and were done by it


@dataclass(frozen=True)
class Deadlines:
    process_id: str
    with_due: int
    met: int


@dataclass(frozen=True)
class RoleWork:
    lane: str
    open: int
    overdue: int


@dataclass(frozen=True)
class Figures:
    period: Period
    now: datetime
    process_names: dict[str, str]
    partner_names: dict[str, str]
    choice_titles: dict[str, dict[str, str]]  # process id -> code -> its title on the process's forms
    cases: list[ProcessCases]
    outcomes: list[Outcome]
    niveaus: list[NiveauCount]
    partners: list[PartnerCount]
    case_times: dict[str, Spread]
    step_times: list[StepTimes]
    deadlines: list[Deadlines]
    open_work: list[RoleWork]


def figures(session, period: Period, now: datetime, outcome_fields: dict[str, str]) -> Figures:
    """Every figure of the period; `outcome_fields`: process id -> the data field holding its
    closing code (engine/retention_rules.py `outcome_field`)."""
    names, titles = latest_definitions(session)
    partner_names = dict(session.execute(select(Partner.id, Partner.name)).all())
    steps = step_times(session, period)
    return Figures(period, now, names, partner_names, titles, cases(session, period),
                   outcomes(session, period, outcome_fields), niveaus(session, period), partners(session, period),
                   case_times(session, period), steps, deadlines(steps), open_work(session, now))


def latest_definitions(session) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Per process, from its latest version: its name, and the titles its forms give their choices'
    codes (`"oneOf": [{"const": code, "title": ...}]`), which name an outcome's code."""
    newer = aliased(Definition)
    latest = ~select(newer.id).where(newer.process_id == Definition.process_id,
                                     newer.version > Definition.version).exists()
    names: dict[str, str] = {}
    titles: dict[str, dict[str, str]] = {}
    for pid, name, forms in session.execute(select(Definition.process_id, Definition.name, Definition.forms).where(latest)):
        names[pid] = name or pid
        titles[pid] = {}
        _choice_titles(forms, titles[pid])
    return names, titles


def _choice_titles(node, found: dict[str, str]) -> None:
    if isinstance(node, dict):
        choices = node.get("oneOf")
        for choice in choices if isinstance(choices, list) else []:
            if isinstance(choice, dict) and isinstance(choice.get("const"), str) and isinstance(choice.get("title"), str):
                found.setdefault(choice["const"], choice["title"])
        for value in node.values():
            _choice_titles(value, found)
    elif isinstance(node, list):
        for value in node:
            _choice_titles(value, found)


def _is_case():
    return Instance.status.not_in(NOT_A_CASE)


def _active(period: Period):
    return and_(_is_case(), Instance.started_at < period.end,
                or_(Instance.completed_at.is_(None), Instance.completed_at >= period.start))


def _within(column, period: Period):
    return and_(column >= period.start, column < period.end)


def _count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def cases(session, period: Period) -> list[ProcessCases]:
    rows = session.execute(
        select(Instance.process_id, _count_if(_within(Instance.started_at, period)),
               _count_if(_within(Instance.completed_at, period)), func.count())
        .where(_active(period)).group_by(Instance.process_id).order_by(Instance.process_id))
    return [ProcessCases(pid, int(new), int(closed), int(active)) for pid, new, closed, active in rows]


def outcomes(session, period: Period, outcome_fields: dict[str, str]) -> list[Outcome]:
    closed = and_(_is_case(), _within(Instance.completed_at, period))
    # A case's last end event finished in the step that closed it, at its completed_at: only the end
    # events of the period need reading (the index on task_type and finished_at finds them).
    last_end = (select(HistoryEntry.instance_id, func.max(HistoryEntry.id).label("row"))
                .join(Instance, Instance.id == HistoryEntry.instance_id)
                .where(closed, HistoryEntry.task_type == "EndEvent", _within(HistoryEntry.finished_at, period))
                .group_by(HistoryEntry.instance_id).subquery())
    end = aliased(HistoryEntry)
    code = case(*[(Instance.process_id == pid, func.coalesce(Instance.data[field].as_string(),
                                                             Destruction.figures[field].as_string()))
                  for pid, field in sorted(outcome_fields.items())], else_=literal(None)) \
        if outcome_fields else literal(None)
    query = (select(Instance.process_id, end.bpmn_id, end.name, code.label("code"), func.count())
             .select_from(Instance)
             .outerjoin(last_end, last_end.c.instance_id == Instance.id)
             .outerjoin(end, end.id == last_end.c.row)
             .outerjoin(Destruction, Destruction.instance_id == Instance.id)
             .where(closed).group_by(Instance.process_id, end.bpmn_id, end.name, code)
             .order_by(Instance.process_id, end.bpmn_id))
    return [Outcome(pid, bpmn_id, name, code_value, int(n)) for pid, bpmn_id, name, code_value, n in session.execute(query)]


def niveaus(session, period: Period) -> list[NiveauCount]:
    kept = case((Destruction.figures["uitkomst"].as_string().in_(CLOSED_AT_BEOORDELING),
                 Destruction.figures["niveau"].as_integer()), else_=None)
    niveau = func.coalesce(Instance.data[("niveau_historie", 0, "niveau")].as_integer(), kept).label("niveau")
    destroyed = (Instance.status == "destroyed").label("destroyed")
    rows = session.execute(
        select(niveau, destroyed, func.count()).select_from(Instance)
        .outerjoin(Destruction, Destruction.instance_id == Instance.id)
        .where(_active(period), Instance.process_id == CASUS).group_by(niveau, destroyed))
    counts: dict[tuple[int | None, bool], int] = {}
    for value, was_destroyed, n in rows:
        # A destroyed case whose niveau is kept counts with the others of that niveau.
        key = (value, bool(was_destroyed) if value is None else False)
        counts[key] = counts.get(key, 0) + int(n)
    return [NiveauCount(value, gone, n) for (value, gone), n in
            sorted(counts.items(), key=lambda item: (item[0][0] is None, item[0][0] or 0, item[0][1]))]


def _elements(session):
    """The partner codes of a case's participants, one row each (a table-valued function)."""
    if session.bind.dialect.name == "postgresql":
        return func.json_array_elements_text(Instance.participants).table_valued("value"), func.json_typeof
    return func.json_each(Instance.participants).table_valued("value"), func.json_type


def partners(session, period: Period) -> list[PartnerCount]:
    elements, json_type = _elements(session)
    rows = session.execute(
        select(elements.c.value, Instance.process_id, func.count()).select_from(Instance).join(elements, true())
        .where(_active(period), json_type(Instance.participants) == "array")
        .group_by(elements.c.value, Instance.process_id).order_by(elements.c.value, Instance.process_id))
    return [PartnerCount(partner, pid, int(n)) for partner, pid, n in rows if isinstance(partner, str)]


def _seconds(session, later, earlier):
    if session.bind.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _spread_query(session, keys: list, seconds, where, extra: dict | None = None):
    """Per group of `keys`: the count, the median and the 90th percentile of `seconds` (nearest
    rank), and the `extra` aggregates (name -> an aggregate function's expression) over the group,
    with window functions: one pass in the database, one row per group out of it."""
    extra = extra or {}
    ranked = select(*keys, seconds.label("seconds"),
                    func.row_number().over(partition_by=keys, order_by=seconds).label("place"),
                    func.count().over(partition_by=keys).label("n"),
                    *(aggregate.over(partition_by=keys).label(name) for name, aggregate in extra.items())
                    ).where(*where).subquery()
    group = [ranked.c[key.key] for key in keys] + [ranked.c[name] for name in extra]
    place, n = ranked.c.place, ranked.c.n
    return session.execute(
        select(*group, n, func.max(case((place == (n + 1) // 2, ranked.c.seconds))),
               func.max(case((place == (n * 9 + 9) // 10, ranked.c.seconds))))
        .where(or_(place == (n + 1) // 2, place == (n * 9 + 9) // 10)).group_by(*group, n).order_by(*group))


def case_times(session, period: Period) -> dict[str, Spread]:
    rows = _spread_query(session, [Instance.process_id], _seconds(session, Instance.completed_at, Instance.started_at),
                         [_is_case(), _within(Instance.completed_at, period)])
    return {pid: Spread(int(n), float(median), float(p90)) for pid, n, median, p90 in rows}


def step_times(session, period: Period) -> list[StepTimes]:
    """The user tasks done in the period that know when they opened, per process and task: their
    lead times, and how many had a due moment and were done by it. One scan of the history."""
    rows = _spread_query(
        session, [HistoryEntry.process_id, HistoryEntry.bpmn_id],
        _seconds(session, HistoryEntry.finished_at, HistoryEntry.opened_at),
        [HistoryEntry.task_type == "UserTask", HistoryEntry.state == "completed",
         _within(HistoryEntry.finished_at, period), HistoryEntry.opened_at.is_not(None)],
        {"name": func.max(HistoryEntry.name), "with_due": func.count(HistoryEntry.due_at),
         "met": func.sum(case((HistoryEntry.finished_at <= HistoryEntry.due_at, 1), else_=0))})
    return [StepTimes(pid, bpmn_id, name, Spread(int(n), float(median), float(p90)), int(with_due), int(met))
            for pid, bpmn_id, name, with_due, met, n, median, p90 in rows]


def deadlines(steps: list[StepTimes]) -> list[Deadlines]:
    """Per process, from the steps' figures: the tasks with a due moment and how many met it."""
    per_process: dict[str, list[int]] = {}
    for step in steps:
        counts = per_process.setdefault(step.process_id, [0, 0])
        counts[0] += step.with_due
        counts[1] += step.met
    return [Deadlines(pid, with_due, met) for pid, (with_due, met) in sorted(per_process.items()) if with_due]


def open_work(session, now: datetime) -> list[RoleWork]:
    rows = session.execute(
        select(HumanTask.lane, func.count(), _count_if(HumanTask.due_at < now))
        .join(Instance, Instance.id == HumanTask.instance_id)
        .where(Instance.status == "running", HumanTask.lane.is_not(None))
        .group_by(HumanTask.lane).order_by(HumanTask.lane))
    return [RoleWork(lane, int(n), int(overdue)) for lane, n, overdue in rows]
