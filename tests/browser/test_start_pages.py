"""Reporting a datalek from the menu, in a real browser, and its 24-hour task reaching the right people.

The Politie's employee reports a breach at the Politie that WoonFriesland shares responsibility
for. The first legal step, "Partners informeren" within 24 hours of becoming aware, is the duty of
the partner where it happened (issue 13): the Politie's employee sees it in Mijn taken with its due
time; WoonFriesland's employee, whose organisation is told, does not get the task, and the
municipality's procesregisseur, whose organisation is not involved, sees neither task nor case.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import AxeResult, axe, choose, field, login, logout


def test_reporting_a_datalek_from_the_menu_starts_its_24_hour_task_for_the_right_people(live_server, page: Page, shots):
    login(page, "politie")
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu.get_by_role("link")).to_have_text(["Mijn taken", "Casussen", "Nieuwe aanmelding", "Melden of starten",
                                                      "Tweestapsverificatie instellen"])
    menu.get_by_role("link", name="Melden of starten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Melden of starten")
    # A partner employee may report all three; a convenant change is for the teamleider.
    expect(page.locator("main").get_by_role("link")).to_have_text([
        "Nieuwe aanmelding", "Datalek melden", "Verzoek van een betrokkene vastleggen", "Klacht vastleggen"])
    shots.take(page, "melden-of-starten")
    page.get_by_role("link", name="Datalek melden").click()
    expect(page).to_have_url(re.compile(r"/melden/datalek$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Datalek melden")
    shots.take(page, "datalek-leeg")

    field(page, "Wat is er gebeurd?").fill("Verslag van een zorgoverleg per e-mail naar een verkeerde ontvanger gestuurd.")
    field(page, "Bekend sinds").fill("2026-11-27T16:30")
    partner = field(page, "Partner waar het lek gebeurde")
    if partner.count():
        partner.select_option(label="Politie")
    else:
        choose(page, "Partner waar het lek gebeurde", "Politie")
    choose(page, "Soort lek", "Iemand heeft gegevens gezien of gekregen die dat niet mocht")
    field(page, "Aantal betrokkenen").fill("1")
    choose(page, "Soorten gegevens", "Naam, adres of geboortedatum")
    field(page, "Genomen maatregelen").fill("Ontvanger gebeld en gevraagd de e-mail te verwijderen.")
    choose(page, "(Mede)verantwoordelijke partners", "Politie", "WoonFriesland")
    page.get_by_role("button", name="Datalek melden").click()

    # The reporter's own organisation takes part, so the case page opens for them.
    expect(page).to_have_url(re.compile(r"/casussen/\d+$"))
    number = int(page.url.rsplit("/", 1)[1])
    expect(page.locator(".zvt-messages").get_by_role("status")).to_contain_text(f"Het datalek is gemeld. Het casusnummer is {number}.")
    assert live_server.engine.instance(number).data["melder_partner"] == "politie"
    shots.take(page, "datalek-gemeld")
    logout(page)

    # The Politie informs the other partners, within 24 hours of 27 November 16:30, the moment
    # it became aware.
    login(page, "politie")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn taken").click()
    row = page.get_by_role("row").filter(has_text="Partners informeren")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(str(number))
    expect(row).to_contain_text("zaterdag 28 november 2026, 16:30")
    [task] = [t for t in live_server.engine.ready_tasks(number) if t.bpmn_id == "partners_informeren"]
    assert task.lane == "partnermedewerker"
    assert (task.due_at - live_server.engine.instance(number).started_at).total_seconds() / 3600 == 23.5
    shots.take(page, "mijn-taken-politie")
    logout(page)

    # WoonFriesland shares the responsibility, but the breach was not its own: no task for it.
    login(page, "partnermedewerker")
    page.goto("/taken")
    expect(page.get_by_text("Partners informeren")).to_have_count(0)
    logout(page)

    # The municipality takes no part in this breach: its procesregisseur sees neither task nor case.
    login(page, "procesregisseur")
    page.goto("/taken")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn taken")
    expect(page.get_by_text("Partners informeren")).to_have_count(0)
    shots.take(page, "mijn-taken-gemeente")
    assert not page.problems, str(page.problems)


# Who may open each start page, as the demo accounts are: (account, address, heading).
START_PAGES = [
    ("politie", "/aanmelding/nieuw", "Aanmelding bij het zorg- en veiligheidsteam", "Aanmelding versturen"),
    ("politie", "/melden/datalek", "Datalek melden", "Datalek melden"),
    ("politie", "/melden/verzoek-betrokkene", "Verzoek van betrokkene vastleggen", "Verzoek vastleggen"),
    ("politie", "/melden/klacht", "Klacht vastleggen", "Klacht vastleggen"),
    ("teamleider", "/convenant/nieuw", "Convenantzaak starten", "Convenantzaak starten"),
]


def test_the_start_pages_have_no_serious_or_critical_axe_violations_empty_or_with_errors(live_server, page: Page, shots):
    results: dict[str, AxeResult] = {}

    def check(name: str) -> None:
        results[name] = axe(page, name)
        shots.take(page, name.replace(" ", "-").replace("/", "-").strip("-"))

    user = None
    for username, path, heading, button in START_PAGES:
        if username != user:
            if user:
                logout(page)
            login(page, username)
            user = username
            page.goto("/melden")
            expect(page.get_by_role("heading", level=1)).to_have_text("Melden of starten")
            check(f"melden {username}")
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        check(path)
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("alert").filter(has_text="Er ging iets mis")).to_be_visible()
        expect(page).to_have_title(re.compile(r"^Fout: "))
        check(f"{path} met fouten")

    serious = {name: result.describe(result.serious) for name, result in results.items() if result.serious}
    assert serious == {}, "serious or critical axe violations:\n" + "\n".join(
        f"{name}: {found}" for name, found in serious.items())
    assert len(results) == 12
    # Every form sent empty was refused with 400 on purpose; nothing else went wrong.
    assert [status for status, _url in page.problems.take_http_errors()] == [400] * 5
    assert not page.problems, str(page.problems)
