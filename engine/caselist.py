"""Casussen: the cases a reader may see, filtered, searched and paged, with their access-log rows.

The list follows the case page's rule exactly: a case is listed (and counted) only when
`policy.may_view_case` lets the reader open it, with the case's open lanes as the case page reads
them (a teamleider or FG sees a case only while it holds an open task in their lane). That rule runs
in SQL (engine/case_visibility.py, tested to select exactly what the policy allows), with the
filters and the search, so the database counts the cases and returns only the page shown: with a
million closed and a hundred thousand open cases (bench/scale.py) no Python loop goes over them. A
search by name or date of birth matches the search keys the engine keeps beside each case's data
(engine/case_search.py); the case data itself (names, date of birth, niveau) is read only for the
page shown, and for every case found when filtering on the niveau, which only the data holds.

What is logged (NEN 7513), in the transaction that reads:
- a page of the list without a search: one "read" row per listed case that holds personal data
  (its name and date of birth are on the screen), object type "caselist";
- a search (case number, name or date of birth): one "search" row for the search itself (object
  id: the kind of search, never the term, which is personal data), and one "search" row per
  listed case, so the betrokkene's report shows that a search found them;
- a name or date-of-birth search by a reader whose role never sees personal data: refused, one
  "search" row "geweigerd", and `SearchRefused`.
Cases without personal data (evaluation, access review, covenant) get no row, as the inbox.

The name rule (`name_query`, `name_matches`) and `cases_named` also serve the FG's search of the
access log by a betrokkene's name (engine/access_reports.py), which scopes and logs for itself.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import and_, bindparam, exists, func, literal, select, true

from . import access_log, case_search, case_visibility, policy
from .api import Engine
from .clock import aware
from .db import Definition, HumanTask, Instance, UTCDateTime
from .errors import EngineError
from .identity import Origin, User

log = logging.getLogger(__name__)

PAGE_SIZE = 25
# The list counts and pages the newest this many of the cases that match; past it, it says "more
# than" and asks for a narrower search. Counting every visible case exactly costs 20-50 ms per
# request at 100,000 running cases (docs/scaling.md); nobody pages past 40 pages.
COUNT_LIMIT = 1000
MAX_QUERY_LENGTH = 100
# Statuses a reader can choose; scheduled instances (waiting for their start timer) and cancelled
# ones (replaced before they started) are no cases yet.
STATUSES = {"running": ("running",), "completed": ("completed",), "all": ("running", "completed")}
NIVEAUS = (0, 1, 2, 3, 4)
# The niveau (0-4, Bijlage 2) where a case keeps it (the zvt_casus does).
NIVEAU_KEY = "niveau"
_NUMBER = re.compile(r"(?:casus\s*|#)?(\d{1,10})", re.IGNORECASE)
_DUTCH_DATE = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MIN_NAME_LENGTH = 2


class SearchRefused(EngineError):
    """The reader's role never sees personal data, so may not search by name or date of birth;
    the attempt is in the access log."""


class BadSearch(ValueError):
    """The search text cannot be read (a date that does not exist, too short, too long); the
    message is Dutch, for the page."""


@dataclass(frozen=True)
class Filters:
    process: str | None = None
    status: str = "running"  # a key of STATUSES
    niveau: int | None = None
    overdue: bool = False
    mine: bool = False  # cases with an open task assigned to the reader
    query: str = ""  # case number, name or date of birth
    page: int = 1


@dataclass(frozen=True)
class Search:
    kind: str  # "casusnummer", "naam" or "geboortedatum"
    number: int | None = None
    name: str | None = None  # casefolded, spaces collapsed
    birth_date: str | None = None  # ISO, as the forms store it


@dataclass(frozen=True)
class CaseRow:
    number: int
    process_id: str
    process_name: str | None
    status: str
    started_at: datetime
    personal: bool  # the case holds personal data (its name and date of birth are shown)
    name: str | None
    birth_date: str | None
    niveau: int | None
    next_due: datetime | None  # the earliest due date of its open tasks
    paused_at: datetime | None
    overdue: bool
    mine: bool


@dataclass(frozen=True)
class CaseList:
    rows: list[CaseRow]
    total: int  # every case that matches and the reader may see, at most COUNT_LIMIT
    page: int
    pages: int
    search: Search | None
    processes: list[tuple[str, str]] = field(default_factory=list)  # (process id, name) to filter on
    more: bool = False  # more than COUNT_LIMIT match: the list holds the newest COUNT_LIMIT


@dataclass
class _Candidate:
    number: int
    process_id: str
    process_name: str | None
    status: str
    started_at: datetime
    paused_at: datetime | None
    person: tuple[str | None, str | None]  # the fields that name its person (ui_schema.person_fields)
    next_due: datetime | None = None
    overdue: bool = False
    mine: bool = False


def parse_search(text: str) -> Search | None:
    """What the reader typed: a case number ("12", "casus 12"), a date of birth as Dutch users
    type it (4-3-1971, 04-03-1971, 04/03/1971) or ISO (1971-03-04), or a part of a name."""
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > MAX_QUERY_LENGTH:
        raise BadSearch(f"Typ hoogstens {MAX_QUERY_LENGTH} tekens in het zoekveld.")
    if match := _NUMBER.fullmatch(text):
        return Search("casusnummer", number=int(match.group(1)))
    for pattern, order in ((_DUTCH_DATE, (3, 2, 1)), (_ISO_DATE, (1, 2, 3))):
        if match := pattern.fullmatch(text):
            year, month, day = (int(match.group(i)) for i in order)
            try:
                return Search("geboortedatum", birth_date=date(year, month, day).isoformat())
            except ValueError:
                raise BadSearch("Deze datum bestaat niet. Typ een geboortedatum als 04-03-1971.") from None
    return Search("naam", name=name_query(text))


def name_query(text: str) -> str:
    """A part of a name as the search matches it (`name_matches`): spaces collapsed, casefolded.
    BadSearch (Dutch) when it is too short or too long."""
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_LENGTH:
        raise BadSearch(f"Typ hoogstens {MAX_QUERY_LENGTH} tekens in het zoekveld.")
    if len(text) < _MIN_NAME_LENGTH:
        raise BadSearch(f"Typ minstens {_MIN_NAME_LENGTH} letters van de naam.")
    return text.casefold()


def name_matches(query: str, name: str | None) -> bool:
    """The search's rule: the name holds the query (from `name_query`), whatever the case of the
    letters and the spaces: "de vries" finds "Jan de  Vries" and "Jannie de Vries", "jan de
    vries" not "Jannie de Vries"."""
    return name is not None and query in case_search.name_key(name)


def cases_named(session, query: str, cases: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    """Of `cases`, (case number, definition id, its content hash), those whose person's name
    matches `query` (`name_matches`), in the given order: (case number, the name as the case
    holds it). Reads the names of these cases only; a destroyed case has none left."""
    people = case_search.person_fields_of(session, {(definition, content) for _, definition, content in cases})
    found = [_Person(number, people[(definition, content)]) for number, definition, content in cases]
    details = _details(session, found)
    return [(person.number, name) for person in found
            if (name := details[person.number].name) is not None and name_matches(query, name)]


def list_cases(engine: Engine, user: User, filters: Filters, origin: Origin, now: datetime | None = None) -> CaseList:
    """The page of cases the reader may see that match `filters`, newest first. Raises BadSearch
    for a search text that cannot be read, SearchRefused (logged) for a name or date-of-birth
    search by a role that never sees personal data."""
    now = aware(now or engine.clock())
    search = parse_search(filters.query)
    with engine.database.unit_of_work() as uow:
        session = uow.session
        if search is not None and search.kind != "casusnummer" and not user.roles & policy.PERSONAL_DATA_ROLES:
            access_log.record(session, user, origin, "search", "caselist", search.kind, None, False, now)
            uow.commit()
            raise SearchRefused("role grants no access to personal data")
        query = _visible(session, user, filters, search, now)
        details: dict[int, _Detail] = {}
        if filters.niveau is None:
            # Every filter is in the query: count and page in SQL, the count stopping past COUNT_LIMIT.
            total = session.scalar(select(func.count()).select_from(query.limit(COUNT_LIMIT + 1).subquery())) or 0
            more, total = total > COUNT_LIMIT, min(total, COUNT_LIMIT)
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(filters.page, 1), pages)
            offset = (page - 1) * PAGE_SIZE
            shown = _candidates(session, user, list(session.scalars(
                query.order_by(Instance.id.desc()).limit(max(0, min(PAGE_SIZE, total - offset))).offset(offset))), now)
        else:
            # The niveau as the case data holds it (an integer), read for each case the query finds.
            candidates = _candidates(session, user, list(session.scalars(query.order_by(Instance.id.desc()))), now)
            details = _details(session, [c for c in candidates if policy.holds_personal_data(c.process_id)])
            candidates = [c for c in candidates if _matches(details.get(c.number, _NO_DETAIL), filters, search)]
            more, candidates = len(candidates) > COUNT_LIMIT, candidates[:COUNT_LIMIT]
            total = len(candidates)
            pages = max(1, -(-total // PAGE_SIZE))
            page = min(max(filters.page, 1), pages)
            shown = candidates[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        personal = [c.number for c in shown if policy.holds_personal_data(c.process_id)]
        missing = [c for c in shown if c.number in personal and c.number not in details]
        if missing:
            details.update(_details(session, missing))
        rows = [_row(c, details.get(c.number, _NO_DETAIL)) for c in shown]
        processes = _processes(session, user)
        # Last: the log's chain lock is then held only for its inserts and the commit.
        if search is not None:
            access_log.record_many(session, user, origin, "search", "caselist",
                                   [(search.kind, None)] + [(str(n), n) for n in personal], True, now)
        else:
            access_log.record_many(session, user, origin, "read", "caselist", [(str(n), n) for n in personal],
                                   True, now)
        uow.commit()
    return CaseList(rows, total, page, pages, search, processes, more)


def filter_processes(engine: Engine, user: User) -> list[tuple[str, str]]:
    """The processes for the filter, without listing cases (for a page whose search was refused)."""
    with engine.database.unit_of_work(write=False) as uow:
        return _processes(uow.session, user)


def _visible(session, user: User, filters: Filters, search: Search | None, now: datetime):
    """The numbers of the cases matching the filters (the niveau only roughly: `_matches` reads it)
    that the policy lets the reader see (engine/case_visibility.py), as a query."""
    dialect = session.get_bind().dialect.name
    query = (select(Instance.id)
             # The statuses in the SQL text, not as a parameter: a plan for the running cases then
             # always may use the indexes that hold only those (ix_instances_search_name_running).
             .where(Instance.status.in_(bindparam("statuses", list(STATUSES.get(filters.status, STATUSES["running"])),
                                                  expanding=True, literal_execute=True)),
                    case_visibility.visible(user, dialect)))
    if filters.process:
        query = query.where(Instance.process_id == filters.process)
    if search is not None:
        query = query.where(_search_condition(search))
    if filters.niveau is not None:
        query = query.where(Instance.data[NIVEAU_KEY].as_integer() == filters.niveau)
    if filters.overdue:
        # Late as the list shows it: the earliest due date of its open tasks has passed; a paused
        # deadline only if it was late when the clock stopped (as the inbox).
        moment = func.coalesce(Instance.paused_at, bindparam("now", now, type_=UTCDateTime))
        query = query.where(exists(select(literal(1)).where(
            HumanTask.instance_id == Instance.id, HumanTask.due_at.is_not(None), HumanTask.due_at <= moment)))
    if filters.mine:
        query = query.where(Instance.id.in_(select(HumanTask.instance_id).where(HumanTask.assignee == user.username)))
    return query


def _search_condition(search: Search):
    """The search as SQL: the case number, or the search keys the engine keeps (engine/case_search.py),
    of cases that hold personal data (a process without any shows no name, so is never found by one)."""
    if search.kind == "casusnummer":
        return Instance.id == search.number
    without_personal = case_visibility.without_personal_data()
    personal = Instance.process_id.not_in(without_personal) if without_personal else true()
    if search.kind == "naam":
        assert search.name is not None  # parse_search sets it for a search by name
        pattern = search.name.replace("/", "//").replace("%", "/%").replace("_", "/_")
        return and_(personal, Instance.search_name.like(f"%{pattern}%", escape="/"))
    return and_(personal, Instance.search_birth == search.birth_date)


def _candidates(session, user: User, numbers: list[int], now: datetime) -> list[_Candidate]:
    """The cases `numbers` (newest first, as given) with what the list shows besides their data."""
    if not numbers:
        return []
    rows = {row.id: row for row in session.execute(
        select(Instance.id, Instance.process_id, Instance.status, Instance.started_at, Instance.paused_at,
               Instance.participants, Definition.name, Definition.id.label("definition"), Definition.content_hash)
        .join(Definition, Definition.id == Instance.definition_id).where(Instance.id.in_(numbers)))}
    tasks: dict[int, list[tuple]] = {}
    lanes: dict[int, set[str]] = {}
    for instance_id, assignee, due_at, lane, partner in session.execute(
            select(HumanTask.instance_id, HumanTask.assignee, HumanTask.due_at, HumanTask.lane, HumanTask.partner)
            .where(HumanTask.instance_id.in_(numbers))):
        tasks.setdefault(instance_id, []).append((assignee, due_at))
        if lane is not None:
            lanes.setdefault(instance_id, set()).add(policy.lane_key(lane, partner))
    people = case_search.person_fields_of(session, {(r.definition, r.content_hash) for r in rows.values()})
    found = []
    for number in numbers:
        row = rows[number]
        # The policy itself has the last word on every case shown: should the SQL of
        # engine/case_visibility.py ever let through a case it refuses, the case is left out.
        if not policy.may_view_case(user, row.process_id, row.participants or [], lanes.get(number, ())):
            log.error("case list: need-to-know SQL let through case %s, which the policy refuses; left out", number)
            continue
        candidate = _Candidate(number, row.process_id, row.name, row.status, row.started_at, row.paused_at,
                               people[(row.definition, row.content_hash)])
        open_tasks = tasks.get(number, [])
        dues = [due for _, due in open_tasks if due is not None]
        if dues:
            candidate.next_due = min(dues)
            # A paused deadline is late only if it was late when the clock stopped (as the inbox).
            candidate.overdue = candidate.next_due <= (row.paused_at or now)
        candidate.mine = any(assignee == user.username for assignee, _ in open_tasks)
        found.append(candidate)
    return found



class _Person(NamedTuple):
    number: int
    person: tuple[str | None, str | None]  # as _Candidate.person


class _Detail(NamedTuple):
    name: str | None
    birth_date: str | None
    niveau: int | None


_NO_DETAIL = _Detail(None, None, None)


def _details(session, candidates: list[_Candidate] | list[_Person]) -> dict[int, _Detail]:
    """(name, birth date, niveau) of the given cases, read from their data."""
    if not candidates:
        return {}
    fields = sorted({f for c in candidates for f in c.person if f} | {NIVEAU_KEY})
    query = select(Instance.id, *(Instance.data[f] for f in fields)).where(
        Instance.id.in_([c.number for c in candidates]))
    values = {number: dict(zip(fields, found)) for number, *found in session.execute(query)}
    details = {}
    for candidate in candidates:
        data = values.get(candidate.number, {})
        name, birth = (data.get(f) if f else None for f in candidate.person)
        niveau = data.get(NIVEAU_KEY)
        details[candidate.number] = _Detail(name if isinstance(name, str) else None,
                                            birth if isinstance(birth, str) else None,
                                            niveau if isinstance(niveau, int) and not isinstance(niveau, bool) else None)
    return details


def _matches(detail: _Detail, filters: Filters, search: Search | None) -> bool:
    if filters.niveau is not None and detail.niveau != filters.niveau:
        return False
    if search is None or search.kind == "casusnummer":
        return True
    if search.kind == "naam" and search.name is not None:
        return name_matches(search.name, detail.name)
    return detail.birth_date is not None and detail.birth_date == search.birth_date


def _row(candidate: _Candidate, detail: _Detail) -> CaseRow:
    personal = policy.holds_personal_data(candidate.process_id)
    return CaseRow(candidate.number, candidate.process_id, candidate.process_name, candidate.status,
                   candidate.started_at, personal, detail.name if personal else None,
                   detail.birth_date if personal else None, detail.niveau,
                   candidate.next_due, candidate.paused_at, candidate.overdue, candidate.mine)


def _processes(session, user: User) -> list[tuple[str, str]]:
    """The deployed processes (id, name of the latest version) the reader could see cases of, for
    the filter."""
    names: dict[str, tuple[int, str]] = {}
    for process_id, version, name in session.execute(select(Definition.process_id, Definition.version,
                                                            Definition.name)):
        if process_id not in names or version > names[process_id][0]:
            names[process_id] = (version, name or process_id)
    return sorted(((p, n) for p, (_, n) in names.items() if _may_see_some(user, p)),
                  key=lambda item: item[1].casefold())


def _may_see_some(user: User, process_id: str) -> bool:
    """Whether the reader could see any case of the process: only those go in the filter."""
    if policy.holds_personal_data(process_id):
        return bool(user.roles & policy.PERSONAL_DATA_ROLES)
    return bool(policy.may_view_case(user, process_id, []))
