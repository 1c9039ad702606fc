"""Data items in a real browser: WoonFriesland brings one in, the procesregisseur shares it with
GGZ with a reason, the FG reads the register; axe on every page, and the pages fit a phone."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import axe, file_aanmelding, login, logout, open_task
from tests.browser.test_accessibility import OPPAKKEN
from tests.processes.test_zvt_casus import INFORMEREN


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_an_item_is_brought_in_shared_with_a_reason_and_registered(live_server, page: Page, shots):
    number = file_aanmelding(live_server)
    live_server.engine.complete(open_task(live_server, number, "beoordeling").id, OPPAKKEN, actor="procesregisseur")
    # The betrokkene hears of the recipients before the first disclosure (AVG art. 14 lid 3 c).
    live_server.engine.complete(open_task(live_server, number, "betrokkene_informeren").id, INFORMEREN,
                                actor="procesregisseur")
    serious = {}

    login(page, "partnermedewerker")  # WoonFriesland
    page.goto(f"/casussen/{number}")
    page.get_by_role("link", name="Gegeven toevoegen").click()
    expect(page.get_by_role("heading", name="1. Grondslag van WoonFriesland")).to_be_visible()
    expect(page.get_by_label("Grondslag voor deze casus")).to_contain_text("AVG art. 6 lid 1 sub b")
    serious["nieuw, grondslag"] = axe(page, "gegeven toevoegen, grondslag").serious
    page.get_by_role("button", name="Grondslag vastleggen").click()
    expect(page.get_by_text("De grondslag van uw organisatie is vastgelegd.")).to_be_visible()
    page.get_by_role("button", name="Gegeven toevoegen").click()  # empty: refused, in Dutch
    expect(page.get_by_text("Kies wat voor gegeven dit is.")).to_be_visible()
    serious["nieuw, fouten"] = axe(page, "gegeven toevoegen met fouten").serious
    shots.take(page, "gegeven-met-fouten")
    page.get_by_label("Gewone persoonsgegevens").check()
    page.get_by_label("Onderwerp").fill("Huurachterstand sinds juli")
    page.get_by_label("Wat wilt u inbrengen?").fill("Vier maanden achterstand, geen betalingsregeling.")
    page.set_viewport_size({"width": 360, "height": 800})
    assert no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Gegeven toevoegen").click()
    expect(page.get_by_role("heading", name="Huurachterstand sinds juli")).to_be_visible()
    serious["casus met gegeven"] = axe(page, "casus met gegeven").serious
    logout(page)

    login(page, "procesregisseur")
    page.goto(f"/casussen/{number}")
    page.get_by_role("link", name="Gegevens delen (privacycheck)").click()
    expect(page.get_by_role("group", name="Gegeven 1: Huurachterstand sinds juli")).to_be_visible()
    page.get_by_label("Delen met GGZ Friesland").check()
    page.get_by_role("button", name="Delen vastleggen").click()  # no reason, no purpose
    expect(page.get_by_text("Schrijf op waarom deze partner dit gegeven nodig heeft.")).to_be_visible()
    expect(page.get_by_text("Kies waarvoor de partners de gegevens krijgen.")).to_be_visible()
    serious["delen, fouten"] = axe(page, "delen met fouten").serious
    page.set_viewport_size({"width": 360, "height": 800})
    assert no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    shots.take(page, "delen-met-fouten")
    page.get_by_label("Waarom heeft GGZ Friesland dit nodig?").fill("De zorg hangt af van de woonsituatie.")
    page.get_by_label("Waarvoor krijgen de partners de gegevens?").select_option("zorgoverleg")
    page.get_by_role("button", name="Delen vastleggen").click()
    expect(page.get_by_text("Het delen is vastgelegd (1 wijziging).")).to_be_visible()
    expect(page.get_by_text("Gedeeld met: GGZ Friesland (De zorg hangt af van de woonsituatie.)")).to_be_visible()
    logout(page)

    login(page, "fg")
    page.get_by_role("link", name="Verstrekkingen").click()
    row = page.get_by_role("row").filter(has_text="WoonFriesland")
    expect(row).to_contain_text("GGZ Friesland")
    expect(row).to_contain_text("Voorbereiden en houden van het zorgoverleg")
    expect(page.get_by_text("Vier maanden achterstand")).to_have_count(0)  # the register holds no content
    serious["register"] = axe(page, "register van verstrekkingen").serious
    shots.take(page, "register")

    assert {name: found for name, found in serious.items() if found} == {}
    assert [status for status, _url in page.problems.take_http_errors()] == [400, 400]
    assert not page.problems, str(page.problems)
