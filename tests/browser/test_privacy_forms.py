"""Issue 13's forms in a real browser: the art. 41 UAVG decision asks every item of lid 2 and refuses
a review date past its maximum term in Dutch; the datalek's message to the betrokkenen shows the
art. 41 decision of the cases the report names and the other partners' contacts. Screenshots in
test-output/browser/."""
from __future__ import annotations

from playwright.sync_api import expect

from engine import casework
from engine.identity import Origin
from tests.browser.conftest import AANMELDER, field, file_aanmelding, login, open_task
from tests.processes.test_datalek import FG_ADVIES, ap_besluit, melding
from tests.processes.test_zvt_casus import BESLUIT_41, OPPAKKEN

SETUP = Origin("192.0.2.1", "browser test setup")


def under_art_41(server, number):
    server.engine.complete(open_task(server, number, "beoordeling").id, {**OPPAKKEN, "informeren": "niet_informeren"},
                           actor="procesregisseur")


def test_the_art_41_form_asks_every_item_of_lid_2_and_refuses_a_review_date_past_six_months(live_server, page, shots):
    number = file_aanmelding(live_server)
    under_art_41(live_server, number)
    task = open_task(live_server, number, "besluit_niet_informeren")
    login(page, "procesregisseur")
    page.goto(f"/taken/{task.id}")
    for label in ("a. Voor welke doelen verwerkt het team de gegevens?", "b. Welke soorten gegevens gaat het om?",
                  "e. Wie is verantwoordelijk voor de gegevens?", "f. Hoe lang bewaart het team de gegevens?",
                  "g. Welke risico's heeft dit besluit voor de betrokkene?"):
        expect(field(page, label)).to_be_visible()
    shots.take(page, "leeg")
    assert not page.problems, str(page.problems)
    for name, value in BESLUIT_41.items():
        if name in ("grond", "betrokkene_hoort_van_beperking"):
            continue
        control = page.locator(f"[name='{name}']")
        control.fill("2028-01-01" if name == "herzien_op" else value)
    page.locator("[name='grond']").select_option("d")
    page.locator("[name='betrokkene_hoort_van_beperking'][value='nee_schaadt_doel']").check()
    page.get_by_role("button", name="Taak afronden").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies een datum die hoogstens 6 maanden na vandaag ligt.")
    shots.take(page, "herziendatum-te-ver")  # answered 400, as a form with mistakes is


def test_the_art_34_message_shows_the_art_41_decision_and_the_contacts(live_server, page, shots):
    restricted = file_aanmelding(live_server)
    under_art_41(live_server, restricted)
    live_server.engine.complete(open_task(live_server, restricted, "besluit_niet_informeren").id, BESLUIT_41,
                                actor="procesregisseur")
    breach = casework.start_case(live_server.engine, AANMELDER, "datalek", melding(
        bekend_sinds="2026-11-27T16:00:00+01:00", casusnummers=str(restricted)), SETUP)
    live_server.engine.complete(open_task(live_server, breach, "fg_advies").id, FG_ADVIES, actor="fg_woonfriesland")
    live_server.engine.complete(open_task(live_server, breach, "ap_besluit").id,
                                ap_besluit("hoog", ap_gemeld_op="2026-11-27T16:30:00+01:00"),
                                actor="verantwoordelijke_woonfriesland")
    task = open_task(live_server, breach, "betrokkenen_informeren")
    login(page, "verantwoordelijke_woonfriesland")
    page.goto(f"/taken/{task.id}")
    expect(page.get_by_text("Er geldt nu een besluit om de betrokkene niet te informeren")).to_be_visible()
    expect(page.get_by_text("Vraag de procesregisseur naar de reikwijdte")).to_be_visible()
    expect(page.get_by_text("datalek.gemeente_heerenveen@example.nl", exact=False)).to_be_visible()
    shots.take(page, "bericht-betrokkenen")
    assert not page.problems, str(page.problems)
