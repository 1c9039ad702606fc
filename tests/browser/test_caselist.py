"""Casussen in the browser: finding a case from the list and by name, with and without JavaScript,
and a partnermedewerker who never sees another partner's case there."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from engine import casework
from engine.caselist import PAGE_SIZE
from engine.identity import Origin, User
from tests.browser.conftest import axe, file_aanmelding, login
from tests.processes.test_zvt_casus import aanmelding

POLITIE = User("politie", "Demo Medewerker Politie", "politie", frozenset({"partnermedewerker"}))


def test_finding_a_case_from_the_list_and_by_name(live_server, page: Page, shots):
    vries = file_aanmelding(live_server)
    bakker = file_aanmelding(live_server, betrokkene_naam="Meneer B. Bakker", betrokkene_geboortedatum="1980-05-06")
    # Every address the browser asks for, pages and their parts alike: none may hold a name or a
    # date of birth (web/private_search.py).
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    login(page, "procesregisseur")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Casussen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Casussen")
    expect(page.get_by_role("heading", name="2 casussen")).to_be_visible()
    shots.take(page, "casussen")

    # From the list: the case's link opens its page.
    page.get_by_role("link", name=f"Casus {vries}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Casus {vries}")
    expect(page.get_by_text("Mevrouw A. de Vries").first).to_be_visible()
    page.go_back()

    # By part of the name, in other letters.
    page.get_by_label("Zoeken").fill("bakker")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="1 casus")).to_be_visible()
    expect(page.get_by_role("cell", name="Meneer B. Bakker")).to_be_visible()
    expect(page.get_by_role("cell", name="Mevrouw A. de Vries")).to_have_count(0)
    expect(page.get_by_label("Zoeken")).to_have_value("bakker")  # the search box keeps what was typed
    assert "zoekopdracht=" in page.url and "bakker" not in page.url.casefold()
    shots.take(page, "gezocht-op-naam")
    page.get_by_role("link", name=f"Casus {bakker}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Casus {bakker}")
    # Back: the search again, not a question to send a form again.
    page.go_back()
    expect(page.get_by_role("heading", name="1 casus")).to_be_visible()
    expect(page.get_by_label("Zoeken")).to_have_value("bakker")
    page.go_forward()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Casus {bakker}")

    # By date of birth as Dutch people write it.
    page.goto("/casussen")
    page.get_by_label("Zoeken").fill("06-05-1980")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="1 casus")).to_be_visible()
    expect(page.get_by_role("link", name=f"Casus {bakker}", exact=True)).to_be_visible()
    page.reload()  # reloading asks nothing and searches again
    expect(page.get_by_role("link", name=f"Casus {bakker}", exact=True)).to_be_visible()

    # A date that does not exist: said at the search box, which keeps it; axe finds nothing serious.
    page.get_by_label("Zoeken").fill("31-02-1980")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("alert")).to_have_text("Deze datum bestaat niet. Typ een geboortedatum als 04-03-1971.")
    expect(page.get_by_label("Zoeken")).to_have_value("31-02-1980")
    shots.take(page, "zoeken-fout")
    result = axe(page, "casussen zoeken fout")
    assert result.serious == [], result.describe(result.serious)
    assert [status for status, _url in page.problems.take_http_errors()] == [400]
    assert not page.problems, str(page.problems)
    assert any("/casussen?" in address and "zoekopdracht=" in address for address in addresses), addresses
    for address in addresses:
        assert not any(typed in address.casefold() for typed in ("bakker", "06-05-1980", "1980", "31-02")), address


def test_a_name_search_pages_with_its_filters_and_no_address_holds_the_name(live_server, page: Page, shots):
    numbers = [file_aanmelding(live_server, betrokkene_naam=f"Mevrouw E. van Dam {n}") for n in range(PAGE_SIZE + 2)]
    file_aanmelding(live_server)  # another person: never found
    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    login(page, "procesregisseur")
    page.goto("/casussen")
    page.get_by_label("Zoeken").fill("van dam")
    page.get_by_label("Soort casus").select_option(label="Casus zorg- en veiligheidsteam")
    page.get_by_label("Status").select_option(label="Lopend en afgerond")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name=f"{PAGE_SIZE + 2} casussen (pagina 1 van 2)")).to_be_visible()
    page.get_by_role("link", name="Volgende pagina").click()
    expect(page.get_by_role("heading", name=f"{PAGE_SIZE + 2} casussen (pagina 2 van 2)")).to_be_visible()
    expect(page.get_by_role("link", name=f"Casus {numbers[0]}", exact=True)).to_be_visible()
    expect(page.get_by_label("Zoeken")).to_have_value("van dam")
    expect(page.get_by_label("Status")).to_have_value("all")
    page.go_back()
    expect(page.get_by_role("heading", name=f"{PAGE_SIZE + 2} casussen (pagina 1 van 2)")).to_be_visible()
    expect(page.get_by_role("link", name=f"Casus {numbers[-1]}", exact=True)).to_be_visible()
    # A name in a link (an old bookmark, typed by hand) is not searched.
    page.goto("/casussen?zoek=van+dam")
    expect(page.get_by_role("alert")).to_contain_text("niet met een link")
    expect(page.locator("#resultaat")).to_have_count(0)
    shots.take(page, "naam-in-link")
    page.get_by_role("button", name="Zoeken").click()  # the box holds it: Zoeken sends it the right way
    expect(page.get_by_role("heading", name=f"{PAGE_SIZE + 2} casussen (pagina 1 van 2)")).to_be_visible()
    shots.take(page, "gezocht-pagina-1")
    assert [status for status, _url in page.problems.take_http_errors()] == [400]
    assert not page.problems, str(page.problems)
    named = [address for address in addresses if "dam" in address.casefold()]
    assert named == [f"{live_server.url}/casussen?zoek=van+dam"], named  # only the one typed by hand


def test_the_filters_and_search_work_without_javascript_and_hide_other_partners_cases(live_server, make_page, shots):
    mine = file_aanmelding(live_server)
    police = casework.start_case(live_server.engine, POLITIE, "zvt_casus",
                                 aanmelding(betrokkene_naam="Mevrouw C. Smit"), Origin("192.0.2.1", "setup"))
    page = make_page(java_script_enabled=False)
    login(page, "partnermedewerker")  # WoonFriesland
    page.goto("/casussen")
    expect(page.get_by_role("heading", name="1 casus")).to_be_visible()
    expect(page.get_by_role("link", name=f"Casus {police}", exact=True)).to_have_count(0)
    page.get_by_label("Zoeken").fill("smit")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="0 casussen")).to_be_visible()
    expect(page.get_by_text("Mevrouw C. Smit")).to_have_count(0)
    page.get_by_label("Zoeken").fill("")
    page.get_by_label("Niveau").select_option(label="Niveau 3")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="0 casussen")).to_be_visible()  # not beoordeeld yet: no niveau
    page.get_by_role("link", name="Alles wissen").click()
    expect(page.get_by_role("link", name=f"Casus {mine}", exact=True)).to_be_visible()
    shots.take(page, "zonder-javascript")
    assert not page.problems, str(page.problems)
