"""The FG's pages over the access log: the search and the inzage-overzicht (page and PDF). Only
the FG; every search, overview and print is a row of the log itself, and so is a refusal."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select, text

from engine import access_log, anchors, casework
from engine.db import AccessLogEntry
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import aanmelding
from web.toegangslog import LINK_FIELDS

from .test_printing import pdf_text

# Usernames unlike their roles, so a page that shows one but not the other can be told apart.
WOONFRIESLAND = User("j.devries", "Jan de Vries", "woonfriesland", frozenset({"partnermedewerker"}))
REGISSEUR = User("a.bakker", "Anna Bakker", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
HERE = Origin("192.0.2.44", "pytest")


def record(engine, user, action, case, *, object_type="case", allowed=True, count=1):
    with engine.database.unit_of_work() as uow:
        access_log.record_many(uow.session, user, HERE, action, object_type, [(str(case), case)] * count, allowed,
                               engine.clock())
        uow.commit()


def rows(engine, **where):
    with engine.database.unit_of_work(write=False) as uow:
        query = select(AccessLogEntry).order_by(AccessLogEntry.id)
        for name, value in where.items():
            query = query.where(getattr(AccessLogEntry, name) == value)
        return [(r.username, r.action, r.object_type, r.object_id, r.instance_id, r.result)
                for r in uow.session.scalars(query)]


@pytest.fixture
def logged(engine, clock):
    """Case 7 read by WoonFriesland and changed by the municipality; case 8 read by the municipality."""
    record(engine, WOONFRIESLAND, "read", 7)
    clock.advance(days=2)
    record(engine, REGISSEUR, "change", 7, object_type="task")
    record(engine, REGISSEUR, "read", 8)
    record(engine, WOONFRIESLAND, "read", 7, allowed=False)
    return engine


def test_the_fg_searches_the_log_by_case_and_the_search_is_logged_without_its_terms(auth, client, logged):
    auth.login("fg")
    page = client.get("/fg/toegangslog?casus=7").get_data(as_text=True)
    assert "3 regels" in page
    assert "j.devries" in page and "WoonFriesland" in page and "Gewijzigd: een taak" in page
    assert "Geweigerd" in page and "192.0.2.44" in page
    assert "Inzage-overzicht van casus 7 maken" in page
    assert rows(logged, username="fg") == [("fg", "search", "access_log", "7", 7, "toegestaan")]


@pytest.mark.parametrize("query, expected", [
    ("gebruiker=a.bakker", 2),
    ("organisatie=woonfriesland", 2),
    ("handeling=change", 1),
    ("casus=7&handeling=read", 2),
    ("van=2026-11-29&tot=2026-11-29", 3),  # the clock moved two days: the 29th holds the last three
    ("tot=2026-11-27", 1),
])
def test_the_fg_filters_by_user_organisation_action_and_period(auth, client, logged, query, expected):
    auth.login("fg")
    page = client.get(f"/fg/toegangslog?{query}").get_data(as_text=True)
    assert f"{expected} {'regel' if expected == 1 else 'regels'}" in page


def test_the_search_pages_fifty_rows_at_a_time(auth, client, engine):
    record(engine, REGISSEUR, "read", 9, count=120)
    auth.login("fg")
    first = client.get("/fg/toegangslog?casus=9").get_data(as_text=True)
    assert "120 regels (pagina 1 van 3)" in first and first.count("<tr class=\"utrecht-table__row\">") == 51
    # The pages are links with the search's own address (a name never stands in it: see below).
    assert 'href="/fg/toegangslog?casus=9&amp;pagina=2" rel="next">Volgende pagina' in first
    # The first search is a row about case 9 too: now there are 121.
    last = client.get("/fg/toegangslog?casus=9&pagina=3").get_data(as_text=True)
    assert "121 regels (pagina 3 van 3)" in last and last.count("<tr class=\"utrecht-table__row\">") == 22
    assert 'pagina=2" rel="prev">Vorige pagina' in last and "Volgende pagina" not in last


def test_a_search_that_cannot_be_read_says_why_in_dutch_and_searches_nothing(auth, client, engine):
    auth.login("fg")
    response = client.get("/fg/toegangslog?casus=zeven&van=gisteren")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Vul een casusnummer in, alleen cijfers, zoals 12." in page and "Vul een datum in" in page
    assert rows(engine, username="fg", action="search") == []


def test_the_bare_page_shows_the_form_and_reads_nothing(auth, client, engine):
    auth.login("fg")
    page = client.get("/fg/toegangslog").get_data(as_text=True)
    assert "Toegangslog doorzoeken" in page and 'id="resultaat"' not in page
    assert rows(engine, username="fg") == []


@pytest.mark.parametrize("username", ["procesregisseur", "partnermedewerker", "teamleider", "proceseigenaar",
                                      "beheerder", "manager"])
def test_nobody_but_the_fg_reads_the_log_and_every_attempt_is_logged(auth, client, logged, username):
    auth.login(username)
    assert "Toegangslog" not in client.get("/").get_data(as_text=True)
    for path in ("/fg/toegangslog", "/fg/toegangslog?casus=7", "/fg/inzage/7", "/fg/inzage/7.pdf"):
        assert client.get(path).status_code == 403, path
    assert [r[1:] for r in rows(logged, username=username, object_type="access_log")] == [
        ("search", "access_log", "7", 7, "geweigerd"), ("export", "access_log", "7", 7, "geweigerd"),
        ("print", "access_log", "7", 7, "geweigerd")]


def test_without_logging_in_the_pages_ask_for_a_login(client, logged):
    for path in ("/fg/toegangslog?casus=7", "/fg/inzage/7", "/fg/inzage/7.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/inloggen" in response.location


def test_the_inzage_overzicht_names_organisations_and_roles_not_employees_nor_other_cases(auth, client, logged):
    auth.login("fg")
    assert "Toegangslog" in client.get("/").get_data(as_text=True)
    page = client.get("/fg/inzage/7").get_data(as_text=True)
    assert "Inzage-overzicht casus 7" in page
    assert "WoonFriesland" in page and "Gemeente Heerenveen" in page
    assert "Bekeken: de casus" in page and "Gewijzigd: een taak" in page and "Geweigerd" in page
    # Oldest first: WoonFriesland's read on the 27th before the municipality's change on the 29th.
    assert page.index("27 november") < page.index("29 november")
    for other in ("j.devries", "Jan de Vries", "a.bakker", "Anna Bakker", "192.0.2.44"):
        assert other not in page
    assert ">procesregisseur<" in page and ">partnermedewerker<" in page  # the roles, each in its cell
    assert "Casus 8" not in page and "casus 8" not in page
    assert rows(logged, username="fg") == [("fg", "export", "inzage", "7", 7, "toegestaan")]


def test_the_inzage_overzicht_as_pdf_is_the_same_overview_and_a_print_row(auth, client, logged):
    auth.login("fg")
    response = client.get("/fg/inzage/7.pdf")
    assert 'filename="casus-7-inzage-overzicht.pdf"' in response.headers["Content-Disposition"]
    text_ = pdf_text(response)
    assert "Inzage-overzicht casus 7" in text_ and "WoonFriesland" in text_ and "Gewijzigd: een taak" in text_
    assert "j.devries" not in text_ and "Jan de Vries" not in text_ and "192.0.2.44" not in text_
    assert rows(logged, username="fg") == [("fg", "print", "inzage", "7", 7, "toegestaan")]


def test_a_broken_chain_shows_on_the_beheerders_incidents_page(auth, client, logged, clock):
    anchors.Watch().run(logged.database, clock())
    with logged.database.sql.begin() as connection:
        connection.execute(text("UPDATE access_log SET username = 'iemand' WHERE id = 2"))
    anchors.Watch().run(logged.database, clock() + timedelta(hours=1))
    auth.login("beheerder")
    page = client.get("/beheer/incidenten").get_data(as_text=True)
    assert "Logboeken mogelijk veranderd" in page and "Toegangslog: regel 2" in page
    assert "iemand" not in page


def test_an_anchor_that_cannot_be_written_shows_on_the_beheerders_incidents_page_until_it_can(auth, client, logged,
                                                                                               clock, tmp_path):
    watch = anchors.Watch(tmp_path / "weg" / "anchors.log")  # its folder does not exist
    watch.run(logged.database, clock())
    auth.login("beheerder")
    page = client.get("/beheer/incidenten").get_data(as_text=True)
    assert "Controlegetallen niet buiten de database bewaard" in page
    assert "Het ankerbestand: mislukt sinds zondag 29 november 2026, 17:00;" in page
    assert "FileNotFoundError" not in page and "Er zijn geen incidenten met termijnen." in page
    (tmp_path / "weg").mkdir()
    watch.run(logged.database, clock() + timedelta(hours=1))
    # The head it missed (this log has no history yet), verified at the first check.
    assert [(a.chain, a.at) for a in anchors.read(tmp_path / "weg" / "anchors.log")] == [("access_log", clock())]
    page = client.get("/beheer/incidenten").get_data(as_text=True)
    assert "Controlegetallen" not in page and "Er zijn geen incidenten." in page


# -- searching by the betrokkene's name ---------------------------------------------------------------

POLITIE = User("politie", "Demo Medewerker Politie", "politie", frozenset({"partnermedewerker"}))
CELL = re.compile(r'<td class="utrecht-table__cell">(.*?)</td>', re.S)


@pytest.fixture
def people(engine):
    """Four invented cases: Jan de Vries, filed by WoonFriesland (it takes part); Jannie de Vries,
    filed by the police, where WoonFriesland's staff were refused once; another JAN DE  VRIES,
    filed by the police, that WoonFriesland's staff opened (it took part); Piet Smit, by the police."""
    engine.deploy(PROCESSES, FORMS)

    def filed(user, name):
        return casework.start_case(engine, user, "zvt_casus", aanmelding(betrokkene_naam=name), HERE)

    found = {"jan": filed(WOONFRIESLAND, "Jan de Vries"), "jannie": filed(POLITIE, "Jannie de Vries"),
             "jan2": filed(POLITIE, "JAN DE  VRIES"), "piet": filed(POLITIE, "Piet Smit")}
    record(engine, WOONFRIESLAND, "read", found["jannie"], allowed=False)
    record(engine, WOONFRIESLAND, "read", found["jan2"])
    record(engine, REGISSEUR, "read", found["piet"])
    return found


def search_by_name(auth, name: str, **fields):
    """Through the form, as a browser does: posted, then on to the result's address (303)."""
    response = auth.post("/fg/toegangslog", {"naam": name, **fields}, token_from="/fg/toegangslog")
    if response.status_code != 303:
        return response
    address = urlsplit(response.location)
    assert address.path == "/fg/toegangslog" and set(parse_qs(address.query)) <= set(LINK_FIELDS) | {"zoekopdracht"}
    return auth.client.get(response.location)


def cases_in_table(page: str) -> list[int]:
    """The Casus column (the 6th of 8 cells) of every row shown."""
    cells = CELL.findall(page)
    return [int(cell) for cell in cells[5::8]]


def log_rows_of(engine, instance_ids) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        return len(list(uow.session.scalars(select(AccessLogEntry.id)
                                            .where(AccessLogEntry.instance_id.in_(instance_ids)))))


@pytest.mark.parametrize("name, expected", [
    ("Jan de Vries", {"jan", "jan2"}),  # any capitals and spaces, as the case list's search
    ("de VRIES", {"jan", "jannie", "jan2"}),  # a part of the name
    ("jannie", {"jannie"}),
    ("Klaas", set()),
])
def test_the_fg_of_the_municipality_finds_the_rows_of_every_case_about_the_named_person(
        auth, client, engine, people, name, expected):
    numbers = {people[key] for key in expected}
    total = log_rows_of(engine, numbers)
    auth.login("fg")
    response = search_by_name(auth, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{total} {'regel' if total == 1 else 'regels'}" in page
    assert set(cases_in_table(page)) == numbers
    for key, number in people.items():
        assert (f"Inzage-overzicht van casus {number} maken" in page) == (key in expected), key
    if not expected:
        assert "Er is geen casus over iemand met deze naam." in page


def test_a_partner_fg_finds_only_the_cases_its_organisation_takes_or_took_part_in(auth, client, engine, people):
    auth.login("fg_woonfriesland")
    assert "waar uw organisatie aan meedoet of aan heeft meegedaan" in client.get("/fg/toegangslog").get_data(
        as_text=True)
    page = search_by_name(auth, "de vries").get_data(as_text=True)
    # Jan's case (WoonFriesland takes part) and the other JAN DE VRIES (its staff opened it); not
    # Jannie's, where its staff were only refused, nor any row of her case.
    assert set(cases_in_table(page)) == {people["jan"], people["jan2"]}
    assert "Jannie" not in page and f"casus {people['jannie']} maken" not in page
    # Not even with her case number given.
    page = search_by_name(auth, "de vries", casus=str(people["jannie"])).get_data(as_text=True)
    assert cases_in_table(page) == [] and "Er is geen casus over iemand met deze naam waar uw organisatie" in page


def test_a_search_by_name_is_in_the_access_log_per_case_found_and_the_name_in_no_log(auth, client, engine, people,
                                                                                     caplog):
    from tests.web.test_logs_hold_no_data import everything_logged, log_everything

    auth.login("fg")
    token = auth.csrf_token("/fg/toegangslog")
    log_everything(caplog)
    page = client.post("/fg/toegangslog", data={"naam": "Jan de Vries", "csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    logged = everything_logged(caplog.records)
    assert "SELECT" in logged  # the statements were logged, so the loggers were listening
    for text_ in ("Jan de Vries", "jan de vries", "JAN DE  VRIES"):
        assert text_ not in logged
    assert "naam=" not in page  # no link or address on the page holds the name
    assert rows(engine, username="fg") == [
        ("fg", "search", "access_log", "naam", None, "toegestaan"),
        *[("fg", "search", "access_log", str(n), n, "toegestaan") for n in sorted((people["jan"], people["jan2"]))]]
    with engine.database.unit_of_work(write=False) as uow:
        stored = uow.session.execute(text("SELECT * FROM access_log")).all()
    assert not any("de vries" in " ".join(str(value).split()).casefold() for row in stored for value in row)
    # The betrokkene's inzage-overzicht shows that the FG looked.
    auth.login("fg")
    overview = client.get(f"/fg/inzage/{people['jan']}").get_data(as_text=True)
    assert "Gezocht: de toegangslog" in overview


@pytest.mark.parametrize("username", ["procesregisseur", "partnermedewerker", "teamleider", "beheerder"])
def test_nobody_but_the_fg_searches_the_log_by_name_and_the_refusal_is_logged_without_it(
        auth, client, engine, people, username):
    auth.login(username)
    assert search_by_name(auth, "Jan de Vries").status_code == 403
    assert rows(engine, username=username, object_type="access_log") == [
        (username, "search", "access_log", "naam", None, "geweigerd")]


def test_a_name_in_a_link_or_too_short_is_refused_in_dutch_and_searches_nothing(auth, client, engine, people):
    auth.login("fg")
    response = client.get("/fg/toegangslog?naam=Jan+de+Vries")
    assert response.status_code == 400
    assert "Zoek op naam met het formulier op deze pagina" in response.get_data(as_text=True)
    response = search_by_name(auth, "J")
    assert response.status_code == 400 and "Typ minstens 2 letters van de naam." in response.get_data(as_text=True)
    assert rows(engine, username="fg") == []
