"""Mijn taken shows the due dates the processes declare (property `termijn`) and counts the late ones."""
import re
from datetime import datetime

import pytest

from engine.clock import AMSTERDAM
from tests.processes.conftest import FORMS, PROCESSES, start
from tests.processes.test_datalek import melding
from tests.processes.test_zvt_casus import to_plan


@pytest.fixture
def deployed(engine):
    engine.deploy(PROCESSES, FORMS)
    return engine


def rows(body: str) -> dict[str, str]:
    """Task name -> the due-state text of its row on Mijn taken."""
    found = re.findall(r'<a class="utrecht-link" href="/taken/[^"]+">([^<]+)</a>.*?'
                       r'<span class="zvt-due zvt-due--(\w+)">([^<]+)</span>', body, re.S)
    return {name: f"{state}: {text}" for name, state, text in found}


def test_an_ap_decision_past_its_72_hours_is_shown_and_counted_as_late(auth, client, clock, deployed):
    clock.now = datetime(2027, 5, 20, 9, 0, tzinfo=AMSTERDAM)  # six days after becoming aware
    start(deployed, "datalek", melding())  # a breach at WoonFriesland: its own people (issue 13)
    auth.login("verantwoordelijke_woonfriesland")
    body = client.get("/taken").get_data(as_text=True)
    assert "Te laat: <strong>3</strong>" in body
    shown = rows(body)
    assert shown["Besluiten over melding aan de AP (termijn voorbij)"] == (
        "overdue: Te laat sinds maandag 17 mei 2027, 17:00")
    assert shown["Te laat besluit over melding aan de AP bespreken"] == (
        "overdue: Te laat sinds maandag 17 mei 2027, 17:00")
    assert shown["Te late melding aan partners bespreken"] == "overdue: Te laat sinds zaterdag 15 mei 2027, 17:00"

    auth.login("fg_woonfriesland")
    body = client.get("/taken").get_data(as_text=True)
    assert "Te laat: <strong>1</strong>" in body
    assert rows(body)["Te late melding aan partners oppakken"] == "overdue: Te laat sinds zaterdag 15 mei 2027, 17:00"
    assert "Geen termijn" in body  # the FG's advice holds up no deadline

    auth.login("teamleider")  # the municipality's: not its breach
    body = client.get("/taken").get_data(as_text=True)
    assert "Te laat: <strong>0</strong>" in body


def test_a_zorgoverleg_shows_the_date_entered_in_the_plan_and_is_late_only_after_that_day(auth, client, clock, deployed):
    to_plan(deployed)  # the plan sets the first zorgoverleg on Monday 14 December 2026
    auth.login("procesregisseur")
    body = client.get("/taken").get_data(as_text=True)
    assert rows(body)["Privacycheck voor het zorgoverleg"] == "later: Uiterlijk maandag 14 december 2026, 23:59"
    assert "Te laat: <strong>0</strong>" in body

    clock.now = datetime(2026, 12, 15, 8, 0, tzinfo=AMSTERDAM)
    auth.login("procesregisseur")  # the session ran out meanwhile
    body = client.get("/taken").get_data(as_text=True)
    assert rows(body)["Privacycheck voor het zorgoverleg"] == (
        "overdue: Te laat sinds maandag 14 december 2026, 23:59")
    assert "Te laat: <strong>1</strong>" in body
