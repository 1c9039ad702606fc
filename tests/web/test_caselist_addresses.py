"""A name or a date of birth never stands in an address (web/private_search.py): the case list's
search is posted and answered with a redirect to an address that holds only the filters, a case
number and a key; the pages, the filters and going back still work; a name in a link is refused;
and the request log of a real server holds no name."""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from html import unescape
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from engine import casework
from engine.caselist import PAGE_SIZE
from engine.db import AccessLogEntry
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import aanmelding
from tests.web.conftest import DEMO_PASSWORDS
from tests.web.test_logs_hold_no_data import everything_logged, log_everything

from .test_caselist import CASE_LINK, assert_no_personal_data, counted

HERE = Origin("192.0.2.1", "test")
POLITIE = User("politie", "Demo Medewerker Politie", "politie", frozenset({"partnermedewerker"}))
HREF = re.compile(r'href="([^"]*)"')
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # werkzeug colours some status codes
NAME, BIRTH = "Meneer D. de Wit", "1975-01-02"


@pytest.fixture
def many(engine):
    """PAGE_SIZE + 3 cases about a Meneer de Wit born on 2 January 1975 (the newest 4 with their
    beoordeling assigned to the procesregisseur), and 2 about other people."""
    engine.deploy(PROCESSES, FORMS)
    other = [casework.start_case(engine, POLITIE, "zvt_casus", aanmelding(), HERE) for _ in range(2)]
    wit = [casework.start_case(engine, POLITIE, "zvt_casus", aanmelding(
        betrokkene_naam=f"{NAME} {n}", betrokkene_geboortedatum=BIRTH), HERE) for n in range(PAGE_SIZE + 3)]
    for number in wit[-4:]:
        [task] = engine.ready_tasks(number)
        engine.assign(task.id, "procesregisseur", expected=None)
    return {"wit": wit, "other": other}


def addresses(body: str) -> list[str]:
    return [unescape(href) for href in HREF.findall(body)]


def next_page(body: str) -> str:
    [address] = re.findall(r'href="([^"]+)" rel="next"', body)
    return unescape(address)


@pytest.mark.parametrize("typed", ["de wit", "DE  Wit", "02-01-1975", "2-1-1975", "1975-01-02"])
def test_a_search_by_name_or_birth_date_pages_and_filters_and_no_address_holds_it(auth, client, engine, many, typed):
    auth.login("procesregisseur")
    response = auth.post("/casussen", {"zoek": typed, "proces": "zvt_casus", "status": "running"})
    assert response.status_code == 303
    assert_no_personal_data(response.location, typed)
    count, first, body = counted(client.get(response.location))
    assert count == PAGE_SIZE + 3 and first == set(many["wit"][-PAGE_SIZE:]) and "pagina 1 van 2" in body
    assert f'value="{typed}"' in body  # the search box keeps what was typed
    for address in addresses(body):
        assert_no_name(address, typed)
    count, second, body = counted(client.get(next_page(body)))
    assert count == PAGE_SIZE + 3 and second == set(many["wit"][:3]) and "pagina 2 van 2" in body
    # With a filter: only the four assigned to the procesregisseur, on one page.
    response = auth.post("/casussen", {"zoek": typed, "mijn": "ja"})
    assert_no_personal_data(response.location, typed)
    assert counted(client.get(response.location))[:2] == (4, set(many["wit"][-4:]))


def assert_no_name(address: str, typed: str) -> None:
    folded = address.casefold()
    assert "wit" not in folded and "1975" not in folded and typed.casefold() not in folded, address


def test_the_same_search_keeps_its_address_and_the_last_ten_stay_reachable(auth, client, engine, many):
    auth.login("procesregisseur")
    first = auth.post("/casussen", {"zoek": "de wit"}).location
    assert auth.post("/casussen", {"zoek": "de wit"}).location == first  # back and forward stay valid
    for n in range(10):
        auth.post("/casussen", {"zoek": f"persoon {n}"})
    expired = client.get(first)
    body = expired.get_data(as_text=True)
    assert expired.status_code == 400 and "Deze zoekopdracht is niet meer bewaard" in body
    assert not CASE_LINK.search(body)
    latest = auth.post("/casussen", {"zoek": "de wit"}).location
    assert counted(client.get(latest))[0] == PAGE_SIZE + 3
    # Logging in again (a new session) forgets them all.
    auth.login("procesregisseur")
    assert "Deze zoekopdracht is niet meer bewaard" in client.get(latest).get_data(as_text=True)


def search_rows(engine, username: str) -> list[tuple]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(r.action, r.object_id, r.result) for r in uow.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.username == username, AccessLogEntry.action == "search"))]


@pytest.mark.parametrize("query", ["?zoek=de+Wit", "?zoek=02-01-1975&status=all", "?zoek=x", "?zoek=31-02-1975"])
def test_a_name_or_birth_date_in_a_link_is_refused_in_dutch_and_searches_nothing(auth, client, engine, many, query):
    auth.login("procesregisseur")
    response = client.get("/casussen" + query)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Zoek op naam of geboortedatum met het zoekveld op deze pagina, niet met een link." in body
    assert not CASE_LINK.search(body) and search_rows(engine, "procesregisseur") == []
    # What the link held is in the search box, so Zoeken sends it the right way.
    assert 'method="post"' in body and 'id="zoek" name="zoek" value="' in body
    # A case number may stand in a link.
    number = many["wit"][0]
    assert counted(client.get(f"/casussen?zoek={number}"))[:2] == (1, {number})
    assert counted(client.get(f"/casussen?zoek=casus+{number}"))[:2] == (1, {number})


def test_a_search_by_a_role_without_personal_data_is_refused_without_keeping_it(auth, client, engine, many):
    auth.login("beheerder")
    response = auth.post("/casussen", {"zoek": "de Wit"})
    assert response.status_code == 403 and "U kunt niet zoeken op naam of geboortedatum" in response.get_data(
        as_text=True)
    assert search_rows(engine, "beheerder") == [("search", "naam", "geweigerd")]
    with client.session_transaction() as session:
        assert "zoekopdrachten" not in session


# -- the request log of a real server ----------------------------------------------------------------

@contextmanager
def serving(app):
    """The app on a real werkzeug server on loopback, with its usual request log lines (as `zvt
    serve`: logger "werkzeug")."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="request-log-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


class Browser:
    """urllib with cookies, following redirects (a 303 after a POST as a GET), as a browser."""

    def __init__(self, base: str):
        self.base, self.opener, self.visited = base, build_opener(HTTPCookieProcessor(CookieJar())), []

    def open(self, path: str, data: dict | None = None) -> str:
        body = urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path if path.startswith("/") else path, body, timeout=30) as response:
                self.visited.append(response.url)
                return response.read().decode()
        except HTTPError as error:
            raise AssertionError(f"{error.code} on {path}") from error

    def post(self, path: str, data: dict) -> str:
        token = re.search(r'name="csrf_token" value="([^"]+)"', self.open(path)).group(1)
        return self.open(path, {**data, "csrf_token": token})


@pytest.mark.parametrize("typed", ["Meneer D. de Wit", "02-01-1975"])
def test_the_request_log_lines_of_a_search_by_name_or_birth_date_hold_neither(app, engine, many, caplog, typed):
    with serving(app) as base:
        browser = Browser(base)
        browser.post("/inloggen", {"gebruikersnaam": "procesregisseur",
                                   "wachtwoord": DEMO_PASSWORDS["procesregisseur"]})
        log_everything(caplog)
        first = browser.post("/casussen", {"zoek": typed, "status": "all"})
        second = browser.open(next_page(first))
    assert counted_text(first) == counted_text(second) == PAGE_SIZE + 3
    lines = [ANSI.sub("", record.getMessage()) for record in caplog.records if record.name == "werkzeug"]
    # The server logged its request lines, with the addresses, while the loggers listened.
    assert any('"POST /casussen HTTP/1.1" 303' in line for line in lines), lines
    assert any('"GET /casussen?' in line and "zoekopdracht=" in line and "pagina=2" in line for line in lines), lines
    logged = everything_logged(caplog.records)
    for text in (typed, typed.casefold(), "de Wit", "de+Wit", "de%20Wit", "02-01-1975", "1975-01-02"):
        assert text not in logged, text
    for address in browser.visited:
        assert_no_name(address, typed)


def counted_text(body: str) -> int:
    return int(re.search(r'id="resultaat"[^>]*>(\d+) casus', body).group(1))

