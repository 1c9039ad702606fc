"""Managementinformatie (/managementinformatie): for the manager and the teamleider only, every view
and export in the access log, the CSV and XLSX holding exactly the page's figures, and no names or
case numbers anywhere; on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import html
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from engine.db import AccessLogEntry
from engine.management_info import Period
from engine.management_report import HIDDEN, build
from engine.retention_rules import load as load_retention_rules
from tests.management_cases import NAMES, spread
from tests.processes.conftest import FORMS, PROCESSES

PAGE = "/managementinformatie"
YEAR = "?soort=jaar&jaar=2026"
OTHERS = ("procesregisseur", "partnermedewerker", "fg", "beheerder", "proceseigenaar")


@pytest.fixture
def app(app_with_retention):
    """The app with the retention rules: they say how cases end and when their data goes."""
    return app_with_retention


@pytest.fixture
def cases(engine, clock):
    engine.deploy(PROCESSES, FORMS)
    return spread(engine, clock)


def log_rows(engine, username: str) -> list[tuple[str, str, str]]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(r.action, r.object_id, r.result) for r in uow.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.username == username,
                                         AccessLogEntry.object_type == "managementinformatie").order_by(AccessLogEntry.id))]


def the_report(engine, clock):
    """The report as the engine builds it, from the test's own connection."""
    with engine.database.unit_of_work(write=False) as uow:
        uow.session.info["retention"] = load_retention_rules(PROCESSES / "retention.json")
        return build(uow.session, Period.year(2026), clock.now)


@pytest.mark.parametrize("username", ["manager", "teamleider"])
def test_the_manager_and_the_teamleider_read_the_figures_and_each_view_is_logged(client, auth, engine, cases,
                                                                                 username):
    auth.login(username)
    response = client.get(PAGE + YEAR)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'href="/managementinformatie"' in body and 'aria-current="page">Managementinformatie' in body
    assert "<h1 class=\"utrecht-heading-1\">Management&shy;informatie 2026</h1>" in body
    assert client.get(PAGE + YEAR + "&x=1").status_code == 200
    assert client.get(PAGE + "/export.csv" + YEAR).status_code == 200
    assert log_rows(engine, username) == [("read", "2026-01-01/2026-12-31", "toegestaan")] * 2 + [
        ("export", "2026-01-01/2026-12-31", "toegestaan")]


@pytest.mark.parametrize("username", OTHERS)
def test_every_other_role_is_refused_and_the_try_is_logged(client, auth, engine, cases, username):
    auth.login(username)
    assert "Managementinformatie" not in client.get("/").get_data(as_text=True)
    for path in (PAGE + YEAR, PAGE + "/export.csv" + YEAR, PAGE + "/export.xlsx" + YEAR):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Niet opgepakt" not in response.get_data(as_text=True)
    assert [(action, result) for action, _, result in log_rows(engine, username)] == [
        ("read", "geweigerd"), ("export", "geweigerd"), ("export", "geweigerd")]


def test_nobody_signed_in_gets_the_login_page(client, cases):
    response = client.get(PAGE + YEAR)
    assert response.status_code == 302 and "/inloggen" in response.location


def page_tables(body: str) -> dict[str, list[list[str]]]:
    """Each figures section's table body as the page shows it: rows of cell texts."""
    tables = {}
    for key, section in re.findall(r'<section class="zvt-figures" aria-labelledby="tabel-([a-z_]+)">(.*?)</section>',
                                   body, re.S):
        rows = re.findall(r'<tr class="utrecht-table__row">(.*?)</tr>', section.split("<tbody", 1)[-1], re.S)
        tables[key] = [[html.unescape(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]
    return tables


def test_the_page_shows_every_figure_in_a_table_and_a_chart_and_explains_the_words(client, auth, engine, clock,
                                                                                  cases):
    auth.login("manager")
    body = client.get(PAGE + YEAR).get_data(as_text=True)
    text = html.unescape(body)
    report = the_report(engine, clock)
    shown = page_tables(body)
    assert list(shown) == [t.key for t in report.tables]
    for table in report.tables:
        assert f'id="tabel-{table.key}">{table.title}</h2>' in text
        assert shown[table.key] == [[c.text for c in row.cells] for row in table.rows], table.key
    # The figures the engine tests pin down are there, the small ones hidden.
    assert re.search(r"Niet opgepakt</td>\s*<td[^>]*>6</td>", body)
    assert re.search(r"Niet geregistreerd</td>\s*<td[^>]*zvt-figures__hidden[^>]*>niet getoond</td>", body)
    # Charts: an image with a title and a description that names the figures; the bars as SVG.
    assert body.count('<svg class="zvt-chart"') == 4
    assert ('<title id="grafiek-niveaus-titel">Casussen per niveau</title><desc id="grafiek-niveaus-uitleg">'
            f"Niveau 0: 0 casussen; Niveau 1: 0 casussen; Niveau 2: {HIDDEN}; Niveau 3: 13 casussen") in body
    assert 'aria-labelledby="grafiek-niveaus-titel grafiek-niveaus-uitleg"' in body
    for word in ("Doorlooptijd", "Mediaan", "9 van de 10 binnen", "kalenderdagen", "niet getoond"):
        assert word in text
    # No names and no case numbers: no link to a case, none of the invented people.
    assert not re.search(r'href="/casussen/\d', body)
    assert not any(name in text for name in NAMES)


def test_the_csv_and_the_xlsx_hold_exactly_the_figures_on_the_page(client, auth, engine, clock, cases):
    auth.login("teamleider")
    report = the_report(engine, clock)
    response = client.get(PAGE + "/export.csv" + YEAR)
    assert response.headers["Content-Disposition"] == 'attachment; filename="managementinformatie-2026-01-01-2026-12-31.csv"'
    assert response.headers["Cache-Control"] == "no-store"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["periode", "tabel", "rij", "kolom", "waarde"]
    expected = []
    for table in report.tables:
        for row in table.rows:
            labels = " – ".join(c.text for c in row.cells if isinstance(c.value, str))
            expected += [["2026", table.title, labels, column, c.text]
                         for c, column in zip(row.cells, table.columns) if not isinstance(c.value, str)]
    assert rows[1:] == expected
    assert ["2026", "Hoe casussen eindigden", "Casus zorg- en veiligheidsteam – Niet opgepakt", "Casussen", "6"] in rows
    assert ["2026", "Casussen per niveau", "Niveau 2", "Casussen", HIDDEN] in rows
    assert ["2026", "Termijnen gehaald", "Klacht", "Op tijd (%)", "100%"] in rows

    workbook = load_workbook(io.BytesIO(client.get(PAGE + "/export.xlsx" + YEAR).get_data()))
    assert workbook.sheetnames == ["Uitleg"] + [t.title for t in report.tables]
    assert workbook["Uitleg"]["A1"].value.startswith("Managementinformatie ZVT over 2026 (2026-01-01 tot en met")
    for table in report.tables:
        sheet = list(workbook[table.title].values)
        assert sheet[0][0] == table.title and list(sheet[2]) == list(table.columns)
        assert [list(r) for r in sheet[3:]] == [[c.text if c.value is None else c.value for c in row.cells]
                                                 for row in table.rows]
    niveaus = list(workbook["Casussen per niveau"].values)
    assert ("Niveau 3", 13) in niveaus and ("Niveau 2", HIDDEN) in niveaus
    dump = raw.decode("utf-8-sig") + " ".join(str(v) for s in workbook for r in s.values for v in r)
    assert not any(name in dump for name in NAMES)
    assert [action for action, _, _ in log_rows(engine, "teamleider")] == ["export", "export"]


@pytest.mark.parametrize("query, field, message", [
    ("?soort=jaar&jaar=twintig", "jaar", "Vul een jaar in met vier cijfers"),
    ("?soort=kwartaal&jaar=2026&kwartaal=5", "kwartaal", "Kies een kwartaal: 1, 2, 3 of 4."),
    ("?soort=periode&van=2026-02-30&tot=2026-03-31", "van", "Vul een datum in, bijvoorbeeld 2026-01-31"),
    ("?soort=periode&van=2026-03-31&tot=2026-03-01", "tot", "De einddatum ligt voor de begindatum."),
])
def test_a_wrong_period_gets_a_dutch_message_at_its_field_and_no_figures(client, auth, engine, cases, query, field,
                                                                         message):
    auth.login("manager")
    for path in (PAGE + query, PAGE + "/export.csv" + query):
        response = client.get(path)
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        assert re.search(rf'id="{field}-fout">{re.escape(message)}', body), body[:3000]
        assert "<title>Fout: " in body
        assert "Niet opgepakt" not in body
    assert log_rows(engine, "manager") == []


def test_a_quarter_and_a_chosen_period_give_their_own_figures(client, auth, engine, cases):
    auth.login("manager")
    body = client.get(PAGE + "?soort=kwartaal&jaar=2026&kwartaal=4").get_data(as_text=True)
    assert "informatie 2026, 4e kwartaal</h1>" in body
    assert re.search(r"Niet opgepakt</td>\s*<td[^>]*>6</td>", body)
    body = client.get(PAGE + "?soort=periode&van=2026-01-01&tot=2026-10-31").get_data(as_text=True)
    assert "informatie 1-1-2026 tot en met 31-10-2026</h1>" in body
    assert "Niet opgepakt" not in body and "Geen cijfers in deze periode." in body
    assert [object_id for _, object_id, _ in log_rows(engine, "manager")] == ["2026-10-01/2026-12-31",
                                                                            "2026-01-01/2026-10-31"]
