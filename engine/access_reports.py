"""What the FG reads from the access log: a search over it, and the inzage-overzicht of one case
for a betrokkene's rights request (NEN 7513: who saw or changed what, when, from which
organisation and in which role).

Only the FG (`policy.may_audit_access`); every search, overview and print is itself a row of
the log, and a refused attempt too.

The overview names organisations and roles, not the employees: the Court of Justice
(C-579/21, Pankki S, 22 June 2023) held that art. 15 AVG does not give the data subject the
names of the employees who consulted the data on the controller's instructions, and naming them
would put other persons' data in the report. The FG's search shows the names for an
investigation (a complaint about one employee), where they are needed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from . import access_log, policy
from .clock import AMSTERDAM
from .db import AccessLogEntry, Partner
from .casework import Forbidden
from .identity import Origin, User

PAGE_SIZE = 50
# Every search looks at the log (object "access_log"); with a case number it is about that person.
LOG_OBJECT = "access_log"


@dataclass(frozen=True)
class Search:
    case: int | None = None
    username: str = ""
    partner: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    page: int = 1

    @property
    def empty(self) -> bool:
        return (self.case, self.username, self.partner, self.action, self.since, self.until) == (None, "", "", "",
                                                                                                  None, None)


@dataclass(frozen=True)
class Found:
    rows: list[access_log.Access]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class InzageRow:
    at: datetime
    partner: str  # the organisation's name
    role: str
    action: str
    object_type: str
    result: str


def search(engine, user: User, query: Search, origin: Origin) -> Found:
    """The rows matching `query`, newest first, one page. Logged as a search (never its terms;
    with a case number as a search about that case)."""
    now = engine.clock()
    with engine.database.unit_of_work() as uow:
        _check(uow, user, origin, "search", query.case, now)
        condition = _conditions(query)
        total = uow.session.scalar(select(func.count()).select_from(AccessLogEntry).where(*condition))
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(query.page, 1), pages)
        found = uow.session.scalars(select(AccessLogEntry).where(*condition)
                                    .order_by(AccessLogEntry.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
        rows = [access_log.access(row) for row in found]
        access_log.record(uow.session, user, origin, "search", LOG_OBJECT, str(query.case or ""), query.case, True, now)
        uow.commit()
    return Found(rows, total, page, pages)


def inzage(engine, user: User, case: int, origin: Origin, action: str = "export") -> list[InzageRow]:
    """Every access to the case's data, oldest first, by organisation and role: the overview for
    the betrokkene. `action`: "export" for the page, "print" for the PDF."""
    now = engine.clock()
    with engine.database.unit_of_work() as uow:
        _check(uow, user, origin, action, case, now)
        names = {p.id: p.name for p in uow.session.scalars(select(Partner))}
        rows = [InzageRow(a.at, names.get(a.partner, a.partner), a.role, a.action, a.object_type, a.result)
                for a in access_log.for_case(uow.session, case)]
        access_log.record(uow.session, user, origin, action, "inzage", str(case), case, True, now)
        uow.commit()
    return rows


def partners(engine) -> list[tuple[str, str]]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(p.id, p.name) for p in uow.session.scalars(select(Partner).order_by(Partner.name))]


def _check(uow, user: User, origin: Origin, action: str, case: int | None, now: datetime) -> None:
    decision = policy.may_audit_access(user)
    if decision:
        return
    access_log.record(uow.session, user, origin, action, LOG_OBJECT, str(case or ""), case, False, now)
    uow.commit()
    raise Forbidden(decision.reason)


def _conditions(query: Search) -> list:
    condition = []
    if query.case is not None:
        condition.append(AccessLogEntry.instance_id == query.case)
    if query.username:
        condition.append(AccessLogEntry.username == query.username)
    if query.partner:
        condition.append(AccessLogEntry.partner == query.partner)
    if query.action:
        condition.append(AccessLogEntry.action == query.action)
    if query.since:
        condition.append(AccessLogEntry.at >= _start_of(query.since))
    if query.until:
        condition.append(AccessLogEntry.at < _start_of(query.until + timedelta(days=1)))
    return condition


def _start_of(day: date) -> datetime:
    """Midnight in Amsterdam: the FG means Dutch days."""
    return datetime.combine(day, time(), AMSTERDAM)
