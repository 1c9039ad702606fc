"""The aanmelder reads the terugkoppeling through the mail's link to the case, in a real browser:
on the case page when their organisation takes part, on a page of its own when it does not."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from engine import casework
from engine.identity import Origin, User
from tests.browser.conftest import AANMELDER, axe, file_aanmelding, login, open_task
from tests.processes.test_zvt_casus import OPPAKKEN, aanmelding

POLITIE = User("politie", "Demo Medewerker Politie", "politie", frozenset({"partnermedewerker"}))
TOELICHTING = "Meerdere leefgebieden; woningcorporatie en gemeente pakken het op."


def beoordeel(server, number, partners):
    task = open_task(server, number, "beoordeling")
    server.engine.complete(task.id, {**OPPAKKEN, "deelnemende_partners": partners, "toelichting_besluit": TOELICHTING},
                           actor="procesregisseur")


def test_an_aanmelder_that_was_not_chosen_follows_the_link_to_the_terugkoppeling(live_server, page: Page, shots):
    number = casework.start_case(live_server.engine, POLITIE, "zvt_casus", aanmelding(),
                                 Origin("192.0.2.1", "browser test setup"))
    beoordeel(live_server, number, ["gemeente_heerenveen", "woonfriesland"])
    login(page, "politie")
    page.goto(f"{live_server.url}/casussen/{number}")  # the link in the terugkoppeling mail
    expect(page).to_have_url(re.compile(rf"/casussen/{number}/terugkoppeling$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Terugkoppeling over casus {number}")
    main = page.locator("main")
    expect(main).to_contain_text("Het team pakt de aanmelding op")
    expect(main).to_contain_text(TOELICHTING)
    expect(main).not_to_contain_text(aanmelding()["betrokkene_naam"])
    shots.take(page, "terugkoppeling-niet-gekozen")
    result = axe(page, "terugkoppeling")
    assert not result.serious, result.describe(result.serious)


def test_an_aanmelder_that_takes_part_reads_the_terugkoppeling_on_the_case_page(live_server, page: Page, shots):
    number = file_aanmelding(live_server)  # by WoonFriesland
    beoordeel(live_server, number, ["gemeente_heerenveen", AANMELDER.partner])
    login(page, "partnermedewerker")
    page.goto(f"{live_server.url}/casussen/{number}")
    expect(page).to_have_url(re.compile(rf"/casussen/{number}$"))
    told = page.get_by_role("region", name="Terugkoppeling aan de aanmelder")
    expect(told).to_contain_text("Het team pakt de aanmelding op")
    expect(told).to_contain_text(TOELICHTING)
    shots.take(page, "terugkoppeling-op-de-casus")
    result = axe(page, "casus met terugkoppeling")
    assert not result.serious, result.describe(result.serious)
