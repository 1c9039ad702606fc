"""The FG's scope on the access-log pages (`policy.audit_scope`): the municipality's FG reads every
row and every case's inzage-overzicht; WoonFriesland's FG the rows of its own staff (any case or
none) and every row about a case WoonFriesland takes or took part in, and only those cases'
inzage-overzicht. Whatever the search asks (case number, username, organisation, period, name),
the rows, the count and the pages hold exactly that."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from engine import access_log, casework
from engine.clock import AMSTERDAM
from engine.db import AccessLogEntry
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import aanmelding

from .test_printing import pdf_text

HERE = Origin("192.0.2.45", "pytest")
WOONFRIESLAND = User("j.devries", "Jan de Vries", "woonfriesland", frozenset({"partnermedewerker"}))
FG_WOONFRIESLAND = User("fg_woonfriesland", "Demo FG WoonFriesland", "woonfriesland", frozenset({"fg"}))
POLITIE = User("politie", "Demo Medewerker Politie", "politie", frozenset({"partnermedewerker"}))
REGISSEUR = User("a.bakker", "Anna Bakker", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
CELL = re.compile(r'<td class="utrecht-table__cell">(.*?)</td>', re.S)
COUNT = re.compile(r'id="resultaat">(\d+) regels?( \(pagina (\d+) van (\d+)\))?')
NEXT = re.compile(r'href="([^"]+)" rel="next"')
LATER = date(2026, 11, 30)  # the day of the story's second part (Amsterdam)


@dataclass(frozen=True)
class Story:
    mine: int  # filed by WoonFriesland: it takes part
    opened: int  # the police's; WoonFriesland's staff opened it: it took part
    refused: int  # the police's; WoonFriesland's staff were refused once: never took part
    police: int  # the police's; WoonFriesland's FG looked only through its audit pages: never took part

    @property
    def woonfriesland(self) -> set[int]:
        """The cases in WoonFriesland's FG's scope, as the story says."""
        return {self.mine, self.opened}


def record(engine, user, action, case, *, object_type="case", object_id=None, allowed=True, count=1):
    with engine.database.unit_of_work() as uow:
        access_log.record_many(uow.session, user, HERE, action, object_type,
                               [(object_id or str(case), case)] * count, allowed, engine.clock())
        uow.commit()


@pytest.fixture
def story(engine, clock) -> Story:
    """Invented people and rows. On the 27th: four cases filed (each a "create" row of its filer);
    WoonFriesland's staff open one of the police's cases, are refused another, and search the list
    by name (a row about no case), as the police do; WoonFriesland's FG looks at the fourth only
    through the retention overview and a search of the access log, which must not put it in
    scope. On the 30th (LATER): the municipality reads WoonFriesland's case and the police's case
    many times (so the rows need pages), and WoonFriesland's staff read their own case."""
    engine.deploy(PROCESSES, FORMS)

    def filed(user, name):
        return casework.start_case(engine, user, "zvt_casus", aanmelding(betrokkene_naam=name), HERE)

    story = Story(mine=filed(WOONFRIESLAND, "Jan de Vries"), opened=filed(POLITIE, "JAN DE  VRIES"),
                  refused=filed(POLITIE, "Jannie de Vries"), police=filed(POLITIE, "Piet Smit"))
    record(engine, WOONFRIESLAND, "read", story.opened)
    record(engine, WOONFRIESLAND, "read", story.refused, allowed=False)
    record(engine, WOONFRIESLAND, "search", None, object_type="caselist", object_id="naam")
    record(engine, POLITIE, "search", None, object_type="caselist", object_id="naam")
    record(engine, FG_WOONFRIESLAND, "read", story.police, object_type="legal_hold")
    record(engine, FG_WOONFRIESLAND, "search", story.police, object_type="access_log")
    clock.advance(days=3)
    record(engine, REGISSEUR, "read", story.mine, count=30)
    record(engine, REGISSEUR, "read", story.police, count=30)
    record(engine, REGISSEUR, "change", story.opened, object_type="task", count=25)
    record(engine, WOONFRIESLAND, "read", story.mine, count=2)
    return story


def expected(engine, story: Story, fg: str, *, cases: set[int] | None = None, **where) -> list[tuple]:
    """The oracle: every row of the log, newest first, that the FG may read by the story (not by
    the code under test) and that matches `where` (a column's value; `day`: an Amsterdam day) and,
    for a name, `cases`. As the table shows them: (username, case, result)."""
    day = where.pop("day", None)
    with engine.database.unit_of_work(write=False) as uow:
        return [(r.username, r.instance_id, r.result)
                for r in uow.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id.desc()))
                if (fg == "fg" or r.partner == "woonfriesland" or r.instance_id in story.woonfriesland)
                and all(getattr(r, name) == value for name, value in where.items())
                and (day is None or r.at.astimezone(AMSTERDAM).date() == day)
                and (cases is None or r.instance_id in cases)]


def shown(page: str) -> list[tuple]:
    """The table's rows as (username, case, result): cells 2, 6 and 8 of 8."""
    cells = CELL.findall(page)
    return [(who, None if case == "–" else int(case), result.casefold())
            for who, case, result in zip(cells[1::8], cells[5::8], cells[7::8])]


def searched(auth, fields: dict):
    """Through the form, as a browser does: posted, then the result's address (303)."""
    response = auth.post("/fg/toegangslog", fields, token_from="/fg/toegangslog")
    assert response.status_code == 303, response.status_code
    return response.location


def every_page(auth, client, engine, story, fg, fields, oracle) -> int:
    """Search, then follow the page links to the last page; on each page the rows, the count and
    the page count are exactly the oracle's (asked again before each page: every search is a new
    row). Returns how many pages there were."""
    address, number = searched(auth, fields), 1
    while True:
        want = expected(engine, story, fg, **oracle)
        page = client.get(address).get_data(as_text=True)
        count = COUNT.search(page)
        assert count is not None, page[:2000]
        pages = -(-len(want) // 50) or 1
        assert int(count.group(1)) == len(want), (fields, number)
        assert (count.group(3), count.group(4)) == ((str(number), str(pages)) if pages > 1 else (None, None))
        assert shown(page) == want[(number - 1) * 50:number * 50], (fields, number)
        link = NEXT.search(page)
        if link is None:
            return number
        address, number = link.group(1).replace("&amp;", "&"), number + 1


SEARCHES = {  # id: (form fields, oracle filter), as functions of the story
    "everything": lambda s: ({}, {}),
    "case taking part": lambda s: ({"casus": s.mine}, {"instance_id": s.mine}),
    "case took part": lambda s: ({"casus": s.opened}, {"instance_id": s.opened}),
    "case only refused": lambda s: ({"casus": s.refused}, {"instance_id": s.refused}),
    "case never": lambda s: ({"casus": s.police}, {"instance_id": s.police}),
    "username own staff": lambda s: ({"gebruiker": "j.devries"}, {"username": "j.devries"}),
    "username municipality": lambda s: ({"gebruiker": "a.bakker"}, {"username": "a.bakker"}),
    "username police": lambda s: ({"gebruiker": "politie"}, {"username": "politie"}),
    "organisation own": lambda s: ({"organisatie": "woonfriesland"}, {"partner": "woonfriesland"}),
    "organisation police": lambda s: ({"organisatie": "politie"}, {"partner": "politie"}),
    "organisation municipality": lambda s: ({"organisatie": "gemeente_heerenveen"}, {"partner": "gemeente_heerenveen"}),
    "period": lambda s: ({"van": LATER.isoformat(), "tot": LATER.isoformat()}, {"day": LATER}),
    "period and action": lambda s: ({"van": LATER.isoformat(), "handeling": "change"},
                                    {"day": LATER, "action": "change"}),
}


# Where WoonFriesland's FG sees less than the municipality's: other organisations worked on cases
# outside WoonFriesland's scope.
NARROWER = {"everything", "case never", "case only refused", "username municipality", "username police",
            "organisation police", "organisation municipality", "period"}


@pytest.mark.parametrize("fg", ["fg", "fg_woonfriesland"])
def test_every_field_of_the_search_shows_only_rows_in_the_fgs_scope_with_counts_and_pages(
        auth, client, engine, story, fg):
    auth.login(fg)
    for search, make in SEARCHES.items():
        fields, oracle = make(story)
        assert expected(engine, story, fg, **oracle), f"the story has rows for {search}"
        pages = every_page(auth, client, engine, story, fg, fields, oracle)
        if search == "everything":
            assert pages == 2, "the municipality's 85 reads and changes need a second page for both"
        outside = set(expected(engine, story, "fg", **oracle)) - set(expected(engine, story, fg, **oracle))
        assert bool(outside) == (fg != "fg" and search in NARROWER), search


@pytest.mark.parametrize("fg, name, found", [
    ("fg", "de vries", {"mine", "opened", "refused"}),
    ("fg_woonfriesland", "de vries", {"mine", "opened"}),
    ("fg", "piet smit", {"police"}),
    ("fg_woonfriesland", "piet smit", set()),
])
def test_the_search_by_name_shows_the_rows_of_the_named_cases_in_scope_page_by_page(
        auth, client, engine, story, fg, name, found):
    cases = {getattr(story, key) for key in found}
    auth.login(fg)
    every_page(auth, client, engine, story, fg, {"naam": name}, {"cases": cases})
    address = searched(auth, {"naam": name, "van": LATER.isoformat()})
    want = expected(engine, story, fg, cases=cases, day=LATER)
    page = client.get(address).get_data(as_text=True)
    assert shown(page) == want[:50]
    for key in ("mine", "opened", "refused", "police"):
        number = getattr(story, key)
        assert (f"Inzage-overzicht van casus {number} maken" in page) == (key in found), key


INZAGE = [("fg", "mine", True), ("fg", "opened", True), ("fg", "refused", True), ("fg", "police", True),
          ("fg_woonfriesland", "mine", True), ("fg_woonfriesland", "opened", True),
          ("fg_woonfriesland", "refused", False), ("fg_woonfriesland", "police", False)]


@pytest.mark.parametrize("fg", ["fg", "fg_woonfriesland"])
def test_the_inzage_overzicht_only_of_a_case_in_the_fgs_scope_and_a_refusal_is_logged(auth, client, engine, story, fg):
    auth.login(fg)
    for key, allowed in [(key, allowed) for who, key, allowed in INZAGE if who == fg]:
        number = getattr(story, key)
        for pdf in (False, True):
            response = client.get(f"/fg/inzage/{number}{'.pdf' if pdf else ''}")
            action = "print" if pdf else "export"
            with engine.database.unit_of_work(write=False) as uow:
                last = uow.session.scalars(select(AccessLogEntry).where(AccessLogEntry.username == fg)
                                           .order_by(AccessLogEntry.id.desc()).limit(1)).one()
                last = (last.action, last.object_type, last.object_id, last.instance_id, last.result)
            if allowed:
                assert response.status_code == 200, (key, pdf)
                content = pdf_text(response) if pdf else response.get_data(as_text=True)
                assert f"Inzage-overzicht casus {number}" in content
                assert last == (action, "inzage", str(number), number, "toegestaan")
            else:
                assert response.status_code == 403, (key, pdf)
                assert "Inzage-overzicht" not in response.get_data(as_text=True)
                assert last == (action, "access_log", str(number), number, "geweigerd")


def test_a_case_outside_the_scope_searched_by_number_shows_only_own_staffs_rows_and_no_inzage_link(
        auth, client, engine, story):
    auth.login("fg_woonfriesland")
    page = client.get(f"/fg/toegangslog?casus={story.refused}").get_data(as_text=True)
    assert shown(page) == [("j.devries", story.refused, "geweigerd")]
    assert "Inzage-overzicht van casus" not in page
    assert f"Uw organisatie doet niet mee aan casus {story.refused}" in page
    assert "U ziet wat de medewerkers van uw eigen organisatie deden" in page
    page = client.get(f"/fg/toegangslog?casus={story.mine}").get_data(as_text=True)
    assert f"Inzage-overzicht van casus {story.mine} maken" in page
    auth.login("fg")
    page = client.get(f"/fg/toegangslog?casus={story.refused}").get_data(as_text=True)
    assert f"Inzage-overzicht van casus {story.refused} maken" in page
    assert "U ziet wat de medewerkers van uw eigen organisatie deden" not in page


def test_the_fgs_own_looks_at_a_case_never_bring_it_into_scope(auth, client, engine, story):
    auth.login("fg_woonfriesland")
    # Its search of the police's case and its overview attempts are allowed or refused rows of its
    # own; the story's retention-overview read too. None of them counts as taking part.
    for _ in range(2):
        client.get(f"/fg/toegangslog?casus={story.police}")
        assert client.get(f"/fg/inzage/{story.police}").status_code == 403
    page = client.get(searched(auth, {"naam": "piet smit"})).get_data(as_text=True)
    assert "Er is geen casus over iemand met deze naam waar uw organisatie" in page
    assert not [row for row in shown(page) if row[1] == story.police and row[0] != "fg_woonfriesland"]
