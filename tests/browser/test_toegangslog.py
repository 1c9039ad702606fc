"""The FG's access-log pages (searched by case number and by name) and the beheerder's chain and
anchor incidents in a real browser: axe finds no serious or critical violation, and a phone's
360 px need no sideways scrolling of the page."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import text

from engine import anchors, casework
from engine.identity import Origin, User
from tests.browser.conftest import AxeResult, axe, expect_fits, file_aanmelding, login, logout
from tests.processes.test_zvt_casus import aanmelding

POLITIE = User("politie", "Demo Medewerker Politie", "politie", frozenset({"partnermedewerker"}))


def test_the_fg_pages_and_the_chain_incident_have_no_serious_axe_violations(live_server, page: Page, shots, tmp_path):
    case = file_aanmelding(live_server)
    results: dict[str, AxeResult] = {}

    def check(name: str) -> None:
        results[name] = axe(page, name)
        shots.take(page, name.replace(" ", "-"))

    addresses: list[str] = []
    page.on("request", lambda request: addresses.append(request.url))
    login(page, "fg")
    page.get_by_role("link", name="Toegangslog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Toegangslog")
    check("toegangslog leeg")
    # By the betrokkene's name: the form is posted, so the name stays out of the address.
    page.get_by_label("Naam van de betrokkene").fill("a. DE vries")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="Casussen bij deze naam")).to_be_visible()
    expect(page.get_by_text(f"Casus {case}: Mevrouw A. de Vries.")).to_be_visible()
    assert "vries" not in page.url.casefold() and "zoekopdracht=" in page.url
    check("toegangslog op naam")
    # Back from the overview: the search again (not a question to send the form again).
    page.get_by_role("link", name=f"Inzage-overzicht van casus {case} maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Inzage-overzicht casus {case}")
    page.go_back()
    expect(page.get_by_text(f"Casus {case}: Mevrouw A. de Vries.")).to_be_visible()
    expect(page.get_by_label("Naam van de betrokkene")).to_have_value("a. DE vries")
    page.get_by_label("Naam van de betrokkene").fill("")
    page.get_by_label("Casusnummer").fill(str(case))
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("regel")
    check("toegangslog gezocht")
    page.get_by_label("Casusnummer").fill("zeven")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_text("Vul een casusnummer in")).to_be_visible()
    check("toegangslog fout")
    page.goto(f"/fg/toegangslog?casus={case}")
    page.get_by_role("link", name=f"Inzage-overzicht van casus {case} maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Inzage-overzicht casus {case}")
    check("inzage-overzicht")
    page.set_viewport_size({"width": 360, "height": 800})
    for path in (f"/fg/toegangslog?casus={case}", f"/fg/inzage/{case}"):
        page.goto(path)
        expect_fits(page, path)
    shots.take(page, "inzage-overzicht-360")
    page.goto("/fg/toegangslog")
    page.get_by_label("Naam van de betrokkene").fill("de Vries")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("link", name=f"Inzage-overzicht van casus {case} maken")).to_be_visible()
    expect_fits(page)
    shots.take(page, "toegangslog-op-naam-360")
    page.set_viewport_size({"width": 1280, "height": 800})
    logout(page)

    # WoonFriesland's FG: the police's case is outside its scope (only its own staff's rows, no overview).
    police = casework.start_case(live_server.engine, POLITIE, "zvt_casus", aanmelding(betrokkene_naam="Piet Smit"),
                                 Origin("192.0.2.1", "browser test setup"))
    login(page, "fg_woonfriesland")
    page.goto(f"/fg/toegangslog?casus={police}")
    expect(page.get_by_text(f"Uw organisatie doet niet mee aan casus {police}")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Inzage-overzicht"))).to_have_count(0)
    check("toegangslog partner-fg buiten bereik")
    page.set_viewport_size({"width": 360, "height": 800})
    expect_fits(page)
    shots.take(page, "toegangslog-partner-fg-360")
    page.set_viewport_size({"width": 1280, "height": 800})
    logout(page)

    database = live_server.engine.database
    anchors.Watch().run(database, live_server.engine.clock())
    with database.sql.begin() as connection:
        connection.execute(text("UPDATE access_log SET username = 'iemand' WHERE id = 1"))
    watch = anchors.Watch(tmp_path / "weg" / "anchors.log")  # a folder that is not there: an anchor incident too
    watch.run(database, live_server.engine.clock())
    login(page, "beheerder")
    page.goto("/beheer/incidenten")
    expect(page.get_by_role("heading", name="Logboeken mogelijk veranderd")).to_be_visible()
    expect(page.get_by_role("heading", name="Controlegetallen niet buiten de database bewaard")).to_be_visible()
    check("incidenten logboek")

    serious = {name: result.describe(result.serious) for name, result in results.items() if result.serious}
    assert serious == {}, "serious or critical axe violations:\n" + "\n".join(
        f"{name}: {found}" for name, found in serious.items())
    assert [status for status, _url in page.problems.take_http_errors()] == [400]
    assert not page.problems, str(page.problems)
    assert not [address for address in addresses if "vries" in address.casefold()]
