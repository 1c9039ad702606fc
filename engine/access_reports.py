"""What the FG reads from the access log: a search over it, and the inzage-overzicht of one case
for a betrokkene's rights request (NEN 7513: who saw or changed what, when, from which
organisation and in which role).

Only the FG (`policy.may_audit_access`), and only within its scope (`policy.audit_scope`): the
municipality's FG every row and every case; another partner's FG the rows of its own
organisation's staff (about any case or none) and every row about a case its organisation takes
or took part in (`policy.may_audit_case`), and the inzage-overzicht of such a case only. The
scope is a condition of the SQL, so the count and the pages hold only rows in scope, whatever
else the search asks. Every search, overview and print is itself a row of the log, and a refused
attempt too (an overview of a case outside the scope as well).

The search can start from a betrokkene's name: it finds the cases whose person's name matches
as the case list's search does (engine/caselist.py: a part of the name, any capitals), among
the cases the FG may audit, and shows those cases' rows. That reads personal data, so it is
logged as the case list logs a name search: one "search" row for the search (object id "naam",
never the name) and one per case found.

The overview names organisations and roles, not the employees: the Court of Justice
(C-579/21, Pankki S, 22 June 2023) held that art. 15 AVG does not give the data subject the
names of the employees who consulted the data on the controller's instructions, and naming them
would put other persons' data in the report. The FG's search shows the names for an
investigation (a complaint about one employee), where they are needed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, exists, func, or_, select

from . import access_log, caselist, policy
from .casework import Forbidden
from .clock import AMSTERDAM
from .db import AccessLogEntry, Definition, Instance, Partner
from .identity import Origin, User

PAGE_SIZE = 50
# Every search looks at the log (object "access_log"); with a case number it is about that person.
LOG_OBJECT = "access_log"
# The object id of a search by name: the kind of search, never the name (as engine/caselist.py).
NAME_SEARCH = "naam"


@dataclass(frozen=True)
class Search:
    case: int | None = None
    name: str = ""  # a part of the betrokkene's name, as caselist.name_query gives it
    username: str = ""
    partner: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None  # inclusive
    page: int = 1

    @property
    def empty(self) -> bool:
        return (self.case, self.name, self.username, self.partner, self.action, self.since,
                self.until) == (None, "", "", "", "", None, None)


@dataclass(frozen=True)
class Found:
    rows: list[access_log.Access]
    total: int
    page: int
    pages: int
    # With a name: the cases found, (case number, the person's name as the case holds it), newest first.
    cases: list[tuple[int, str]] | None = None
    # With a case number: whether the FG may audit that case (its inzage-overzicht); else only the
    # rows of its own organisation's staff about it are shown.
    case_audited: bool = False


@dataclass(frozen=True)
class InzageRow:
    at: datetime
    partner: str  # the organisation's name
    role: str
    action: str
    object_type: str
    result: str


def search(engine, user: User, query: Search, origin: Origin) -> Found:
    """The rows matching `query` in the FG's scope (`policy.audit_scope`), newest first, one page.
    Logged as a search (never its terms; with a case number as a search about that case, with a
    name as a search about each case found)."""
    now = engine.clock()
    with engine.database.unit_of_work() as uow:
        _check(uow, user, origin, "search", query.case, now, NAME_SEARCH if query.name and not query.case else None)
        scope = policy.audit_scope(user)
        if scope is None:  # never: _check let only an FG through
            raise Forbidden("only the FG reads the access log")
        # The directing partner's FG audits every case: its list is needed only to search by name.
        audited = [] if scope.every_case and not query.name else _audited(uow.session, user)
        cases = _cases_named(uow.session, query, audited) if query.name else None
        condition = _conditions(query) + _in_scope(scope, audited)
        if cases is not None:
            condition.append(AccessLogEntry.instance_id.in_(_numbers([number for number, _ in cases])))
        total = uow.session.scalar(select(func.count()).select_from(AccessLogEntry).where(*condition))
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(query.page, 1), pages)
        found = uow.session.scalars(select(AccessLogEntry).where(*condition)
                                    .order_by(AccessLogEntry.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
        rows = [access_log.access(row) for row in found]
        if cases is None:
            searched = [(str(query.case or ""), query.case)]
        else:
            numbers = {number for number, _ in cases} | ({query.case} if query.case else set())
            searched = [(NAME_SEARCH, None)] + [(str(number), number) for number in sorted(numbers)]
        access_log.record_many(uow.session, user, origin, "search", LOG_OBJECT, searched, True, now)
        uow.commit()
    case_audited = query.case is not None and (scope.every_case or any(a.number == query.case for a in audited))
    return Found(rows, total, page, pages, cases, case_audited)


class _Audited(NamedTuple):
    number: int
    process_id: str
    definition: int
    content: str  # the definition's content hash


def _audited(session, user: User) -> list[_Audited]:
    """The cases the FG may audit (`policy.may_audit_case`), newest first. The policy runs on a
    few light columns of every case, as the case list's does."""
    return [_Audited(number, process_id, definition, content)
            for number, process_id, participants, took_part, definition, content in _facts(session, user)
            if policy.may_audit_case(user, participants or [], took_part)]


def _may_audit(session, user: User, case: int) -> policy.Decision:
    """`policy.may_audit_case` for one case (one that does not exist: nobody takes part)."""
    found = _facts(session, user, case).first()
    participants, took_part = (found[2] or [], bool(found[3])) if found else ([], False)
    return policy.may_audit_case(user, participants, took_part)


def _facts(session, user: User, case: int | None = None):
    """What `policy.may_audit_case` needs of every case (only of `case` if given), newest first:
    (number, process id, participants, whether the FG's organisation's staff worked with it,
    definition id, its content hash)."""
    took_part = (exists().where(AccessLogEntry.instance_id == Instance.id, AccessLogEntry.partner == user.partner,
                                AccessLogEntry.result == "toegestaan",
                                AccessLogEntry.object_type.in_(sorted(policy.CASE_WORK_OBJECTS))))
    query = (select(Instance.id, Instance.process_id, Instance.participants, took_part, Instance.definition_id,
                    Definition.content_hash)
             .join(Definition, Definition.id == Instance.definition_id).order_by(Instance.id.desc()))
    if case is not None:
        query = query.where(Instance.id == case)
    return session.execute(query)


def _in_scope(scope: policy.AuditScope, audited: list[_Audited]) -> list:
    """`policy.audit_scope` as SQL: the rows of the FG's own organisation's staff and the rows
    about the cases it may audit; nothing to add for the municipality's FG."""
    if scope.every_case:
        return []
    return [or_(AccessLogEntry.partner == scope.staff_of,
                AccessLogEntry.instance_id.in_(_numbers([a.number for a in audited])))]


def _numbers(numbers: list[int]):
    """Case numbers for an IN: written into the statement (they are integers), so that a partner
    in thousands of cases does not run into the databases' limit on parameters."""
    return bindparam("cases", numbers, expanding=True, literal_execute=True)


def _cases_named(session, query: Search, audited: list[_Audited]) -> list[tuple[int, str]]:
    """Of the cases the FG may audit, those whose person's name matches (caselist's rule)."""
    allowed = [(a.number, a.definition, a.content) for a in audited
               if policy.holds_personal_data(a.process_id) and (query.case is None or a.number == query.case)]
    return caselist.cases_named(session, query.name, allowed)


def inzage(engine, user: User, case: int, origin: Origin, action: str = "export") -> list[InzageRow]:
    """Every access to the case's data, oldest first, by organisation and role: the overview for
    the betrokkene, only of a case the FG may audit (`policy.may_audit_case`; a refusal is logged).
    `action`: "export" for the page, "print" for the PDF."""
    now = engine.clock()
    with engine.database.unit_of_work() as uow:
        _check(uow, user, origin, action, case, now, whole_case=True)
        names = {p.id: p.name for p in uow.session.scalars(select(Partner))}
        rows = [InzageRow(a.at, names.get(a.partner, a.partner), a.role, a.action, a.object_type, a.result)
                for a in access_log.for_case(uow.session, case)]
        access_log.record(uow.session, user, origin, action, "inzage", str(case), case, True, now)
        uow.commit()
    return rows


def partners(engine) -> list[tuple[str, str]]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(p.id, p.name) for p in uow.session.scalars(select(Partner).order_by(Partner.name))]


def _check(uow, user: User, origin: Origin, action: str, case: int | None, now: datetime,
           object_id: str | None = None, *, whole_case: bool = False) -> None:
    """Only the FG; with `whole_case`, only a case in its scope. A refusal is logged and raised."""
    decision = policy.may_audit_access(user)
    if decision and whole_case:
        if case is None:
            raise ValueError("whole_case is about one case")
        decision = _may_audit(uow.session, user, case)
    if decision:
        return
    access_log.record(uow.session, user, origin, action, LOG_OBJECT, object_id or str(case or ""), case, False, now)
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
