"""axe-core on the pages people work in, in the states they see them: empty and with errors.

The municipality must meet WCAG 2.1 AA (Besluit digitale toegankelijkheid overheid). axe finds
only part of what an audit finds, but what it finds with impact "serious" or "critical" blocks
someone for sure, so none may be left. The minor and moderate ones are printed (run pytest with
-s to see them) for whoever improves the pages next.
"""
from __future__ import annotations

from playwright.sync_api import Page, expect

from engine import process_drafts
from tests.browser.conftest import AxeResult, axe, file_aanmelding, login, logout, open_task, wait_for_diagram
from tests.web.test_form_editor import OWNER

OPPAKKEN = {
    "niveau": 3, "besluit_beoordeling": "oppakken", "toelichting_besluit": "Meerdere leefgebieden, zorgmijding.",
    "deelnemende_partners": ["gemeente_heerenveen", "woonfriesland", "ggz_friesland"],
    "crisisoverleg": False, "informeren": "informeren",
}


def test_login_inbox_forms_and_case_page_have_no_serious_or_critical_axe_violations(live_server, page: Page, shots):
    # Two cases: one beoordeeld (so its page has a niveau table, partners and a timeline) and
    # taken by the procesregisseur, one still waiting in the role's open tasks.
    beoordeeld = file_aanmelding(live_server)
    live_server.engine.complete(open_task(live_server, beoordeeld, "beoordeling").id, OPPAKKEN,
                                actor="procesregisseur")
    informeren = open_task(live_server, beoordeeld, "betrokkene_informeren")
    live_server.engine.assign(informeren.id, "procesregisseur", expected=None)
    waiting = file_aanmelding(live_server, betrokkene_naam="Meneer B. Bakker")
    beoordeling = open_task(live_server, waiting, "beoordeling")
    results: dict[str, AxeResult] = {}

    def check(name: str) -> None:
        results[name] = axe(page, name)
        shots.take(page, name.replace(" ", "-"))

    page.goto("/inloggen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    check("inloggen")
    page.get_by_label("Gebruikersnaam").fill("procesregisseur")
    page.get_by_label("Wachtwoord").fill("niet het goede wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_have_text("De gebruikersnaam of het wachtwoord klopt niet.")
    check("inloggen fout")

    login(page, "procesregisseur")
    check("startpagina")
    page.goto("/taken")
    expect(page.get_by_role("heading", name="Aan mij toegewezen (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Open taken voor mijn rol (1)")).to_be_visible()
    check("mijn taken")
    page.goto("/casussen")
    expect(page.get_by_role("heading", name="2 casussen")).to_be_visible()
    check("casussen")
    page.get_by_label("Zoeken").fill("bakker")
    page.get_by_label("Niveau", exact=True).select_option(label="Niveau 3")
    page.get_by_label("Alleen casussen met een taak die te laat is").check()
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="0 casussen")).to_be_visible()
    check("casussen gezocht")

    page.goto(f"/taken/{beoordeling.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelding beoordelen")
    check("taakformulier")
    page.get_by_role("button", name="Taak afronden").click()
    expect(page.get_by_role("alert").filter(has_text="Er ging iets mis")).to_be_visible()
    check("taakformulier met fouten")

    page.goto("/aanmelding/nieuw")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelding bij het zorg- en veiligheidsteam")
    check("aanmelding")
    page.get_by_role("button", name="Aanmelding versturen").click()
    expect(page.get_by_role("alert").filter(has_text="Er ging iets mis")).to_be_visible()
    check("aanmelding met fouten")

    page.goto(f"/casussen/{beoordeeld}")
    expect(page.get_by_role("table", name="Hoe het niveau veranderde")).to_be_visible()
    wait_for_diagram(page)  # axe must see the diagram as bpmn-js leaves it, links and all
    check("casus")
    # Pausing the deadlines: refused without a reason (the field says why), then paused.
    page.get_by_role("button", name="Termijnen pauzeren").click()
    expect(page.get_by_text("Vul een reden in: waarom staan de termijnen stil?")).to_be_visible()
    expect(page.get_by_label("Reden")).to_be_focused()
    check("casus pauzeren met fout")
    page.get_by_label("Reden").fill("Wacht op informatie van de huisarts.")
    page.get_by_role("button", name="Termijnen pauzeren").click()
    expect(page.get_by_role("button", name="Termijnen weer laten lopen")).to_be_visible()
    expect(page.get_by_text("De termijnen staan stil sinds")).to_be_visible()
    check("casus gepauzeerd")

    # The form editor: folded, one question open, and with a refused choice.
    logout(page)
    login(page, "proceseigenaar")
    draft_id = process_drafts.start_from_latest(live_server.engine, OWNER, "zvt_casus")
    page.goto(f"/processen/zvt_casus/concepten/{draft_id}/formulieren/beoordeling")
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulier aanpassen: Aanmelding beoordelen")
    check("formulier aanpassen")
    page.locator("#veld-informeren summary").click()
    page.get_by_label("Tekst van keuze niet_informeren").fill("")
    check("formulier aanpassen met keuzes")
    page.get_by_role("button", name="Opslaan en voorbeeld bekijken").click()
    expect(page.get_by_role("alert")).to_contain_text("Niet opgeslagen")
    check("formulier aanpassen met fout")

    serious = {name: result.describe(result.serious) for name, result in results.items() if result.serious}
    assert serious == {}, "serious or critical axe violations:\n" + "\n".join(
        f"{name}: {found}" for name, found in serious.items())
    # The forms sent empty were refused with 400 on purpose; nothing else went wrong.
    assert [status for status, _url in page.problems.take_http_errors()] == [400, 400, 400, 400]
    assert not page.problems, str(page.problems)
