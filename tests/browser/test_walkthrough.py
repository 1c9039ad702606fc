"""One case from aanmelding to afronden, clicked through the real pages by the people who do the work.

The engine tests walk the same path with `complete()`; this test proves the pages get there too:
every form filled in by its Dutch labels, every task found where a person would look for it, and
the case page (with its bpmn-js diagram) showing the result. Nothing here calls the engine.
Screenshots of each step land in test-output/browser/<test>/.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import choose, field, group, login, logout, wait_for_diagram

NAAM = "Mevrouw A. de Vries"
# In the order the register lists them: the directing partner first, then by name.
PARTNERS = ("Gemeente Heerenveen", "GGZ Friesland", "WoonFriesland")


def flash(page: Page):
    """The confirmation at the top of the page after an action (role status)."""
    return page.locator(".zvt-messages").get_by_role("status")


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def fact(page: Page, term: str):
    """The value next to `term` in a list of facts (<dt>term</dt><dd>value</dd>)."""
    return page.locator(f"dl.zvt-facts dt:text-is('{term}') + dd")


def go_to(page: Page, menu_item: str) -> None:
    """Follow a link in the main menu at the top of every page."""
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=menu_item, exact=True).click()


def expect_counts(page: Page, mine: int, for_my_roles: int, overdue: int = 0) -> None:
    """The three counts at the top of Mijn taken, as the page words them (waits for the page)."""
    expect(page.get_by_role("list", name="Aantallen").get_by_role("listitem")).to_have_text([
        f"Aan mij toegewezen: {mine}", f"Open voor mijn rol: {for_my_roles}", f"Te laat: {overdue}"])


def finish_task(page: Page, shots, step: str) -> None:
    """Send the filled-in task form and check the app says so on the case page it goes back to.
    The screenshot is of the filled-in form: the case page in between looks the same each time."""
    name = heading(page).inner_text()
    shots.take(page, step)
    page.get_by_role("button", name="Taak afronden").click()
    expect(flash(page)).to_have_text(f"De taak ‘{name}’ is afgerond.")
    expect(page).to_have_url(re.compile(r"/casussen/\d+$"))


def open_tasks(page: Page):
    """The case page's section "Open taken"."""
    return page.get_by_role("region", name="Open taken", exact=True)


def open_task_from_case(page: Page, name: str) -> None:
    """Follow the case page's link to its one open task, the way the procesregisseur goes on."""
    expect(open_tasks(page).get_by_role("listitem")).to_have_count(1)
    open_tasks(page).get_by_role("link", name=name, exact=True).click()
    expect(heading(page)).to_have_text(name)


# -- the forms, filled in as a person would ---------------------------------------------------------

def fill_aanmelding(page: Page) -> None:
    field(page, "Naam van de betrokkene").fill(NAAM)
    field(page, "Geboortedatum").fill("1971-03-04")
    field(page, "Adres").fill("Voorbeeldstraat 1, 8441 AA Heerenveen")
    field(page, "Wat is er aan de hand?").fill("Huurachterstand van vier maanden en klachten over overlast.")
    choose(page, "Hoe snel is hulp nodig?", "Snel: binnen twee weken")
    choose(page, "Wonen er kinderen jonger dan 18 jaar in huis?", "Nee")
    choose(page, "Is er een risico bij een huisbezoek?", "Ja")
    field(page, "Welk risico?").fill("Grote hond in huis; ga met zijn tweeën.")
    choose(page, "Welke situaties spelen er?", "Dreigende huisuitzetting", "Overlast")
    choose(page, "Op welke leefgebieden zijn er problemen?", "Wonen", "Geld en schulden", "Psychische gezondheid")
    choose(page, "Kan de betrokkene zelf de regie over zijn of haar leven voeren?", "Nee")
    choose(page, "Is er kans op grote maatschappelijke gevolgen, zoals aandacht in de media?", "Nee")
    choose(page, "Weet de betrokkene van deze aanmelding?", "Ja")
    choose(page, "Heeft de betrokkene toestemming gegeven?", "Ja")
    field(page, "Mijn organisatie mag deze gegevens delen").check()


def fill_beoordeling(page: Page) -> None:
    field(page, "Niveau").fill("3")
    choose(page, "Besluit", "Het team pakt de aanmelding op")
    field(page, "Toelichting op het besluit").fill("Meerdere leefgebieden, zorgmijding.")
    choose(page, "Welke partners doen mee?", *PARTNERS)
    choose(page, "Is een crisisoverleg nodig?", "Nee")
    choose(page, "Betrokkene informeren", "De betrokkene wordt geïnformeerd")


def fill_informeren(page: Page) -> None:
    field(page, "Datum").fill("2026-11-27")  # the day of the aanmelding: an informed-on date may not lie ahead
    choose(page, "Hoe is de betrokkene geïnformeerd?", "In een gesprek")
    field(page, "Verteld welke gegevens we verwerken en waarom").check()
    field(page, "Bij wie vragen we gegevens op en aan wie geven we ze?").fill("WoonFriesland en GGZ Friesland")
    field(page, "Uitgelegd welke rechten de betrokkene heeft en hoe hij of zij die gebruikt").check()
    choose(page, "Uitgenodigd om het plan van aanpak te bespreken", "Ja")


def fill_plan(page: Page) -> None:
    field(page, "Doelen").fill("Huurachterstand oplossen en hulp accepteren.")
    afspraken = group(page, "Wie doet wat?")
    for row, (partner, actie, klaar) in enumerate([("WoonFriesland", "Betalingsregeling aanbieden", "2026-12-11"),
                                                   ("GGZ Friesland", "Huisbezoek plannen", "2026-12-04")], start=1):
        regel = group(afspraken, f"Regel {row}")
        # Only the partners that take part in the case are offered (the beoordeling chose them).
        expect(field(regel, "Uitvoerder").locator("option:not([value=''])")).to_have_text(list(PARTNERS))
        field(regel, "Uitvoerder").select_option(label=partner)
        field(regel, "Actie").fill(actie)
        field(regel, "Klaar op").fill(klaar)
    choose(page, "Was de betrokkene bij het opstellen?", "Ja")
    field(page, "Datum eerste zorgoverleg").fill("2026-12-14")
    field(page, "Datum evaluatie van het plan").fill("2027-01-11")


def fill_privacycheck(page: Page) -> None:
    # What the case says now, shown (not asked) so the procesregisseur can compare.
    shown = page.locator("dt:text-is('Partners die nu meedoen') + dd").get_by_role("listitem")
    expect(shown).to_have_text(list(PARTNERS))
    choose(page, "Uitgenodigde partners", *PARTNERS)
    field(page, "Ik heb per partner nagegaan of de gegevens nodig zijn").check()


def fill_zorgoverleg(page: Page, datum: str, besluit: str, volgend_overleg: str | None = None) -> None:
    expect(page.locator("dt:text-is('Huidig niveau') + dd")).to_have_text("3")
    field(page, "Datum").fill(datum)
    choose(page, "Was de betrokkene uitgenodigd?", "Ja")
    choose(page, "Was de betrokkene erbij?", "Ja")
    choose(page, "Welke partners waren erbij?", *PARTNERS)
    field(page, "Voortgang").fill("Regeling getroffen.")
    field(page, "Effect op de doelen").fill("Eerste doel gehaald.")
    choose(page, "Besluit", besluit)
    if volgend_overleg:
        field(page, "Datum volgend zorgoverleg").fill(volgend_overleg)
    else:
        field(page, "Naar welk niveau sluit u de casus af?").fill("2")


# -- the walkthrough ---------------------------------------------------------------------------------

def test_a_case_goes_from_aanmelding_to_afronden_through_the_real_pages(page: Page, shots):
    # WoonFriesland refers a tenant. Before that, nothing waits for them.
    login(page, "partnermedewerker")
    expect(heading(page)).to_have_text("Welkom, Demo Medewerker WoonFriesland")
    expect(page.get_by_text("U heeft 0 taken en er staan 0 open voor uw rol.")).to_be_visible()
    go_to(page, "Nieuwe aanmelding")
    expect(heading(page)).to_have_text("Aanmelding bij het zorg- en veiligheidsteam")
    fill_aanmelding(page)
    shots.take(page, "aanmelding-ingevuld")
    page.get_by_role("button", name="Aanmelding versturen").click()

    expect(flash(page)).to_contain_text("De aanmelding is verstuurd. Het casusnummer is ")
    number = int(re.search(r"casusnummer is (\d+)\.", flash(page).inner_text())[1])
    expect(page).to_have_url(re.compile(rf"/casussen/{number}$"))
    expect(heading(page)).to_have_text(f"Casus {number}")
    expect(fact(page, "Status")).to_have_text("Loopt")
    expect(fact(page, "Naam van de betrokkene")).to_have_text(NAAM)
    expect(open_tasks(page).get_by_role("link")).to_have_text(["Aanmelding beoordelen"])
    wait_for_diagram(page)
    expect(page.locator('#diagram [data-element-id="beoordeling"]')).to_have_class(re.compile(r"\bzvt-active\b"))
    shots.take(page, "aanmelding-verstuurd")
    logout(page)
    expect(flash(page)).to_have_text("U bent uitgelogd.")

    # The procesregisseur finds the beoordeling among the open tasks of the role and takes it.
    login(page, "procesregisseur")
    expect(page.get_by_text("U heeft 0 taken en er staat 1 open voor uw rol.")).to_be_visible()
    go_to(page, "Mijn taken")
    expect(heading(page)).to_have_text("Mijn taken")
    expect_counts(page, mine=0, for_my_roles=1)
    open_for_role = page.get_by_role("region", name="Open taken voor mijn rol (1)")
    row = open_for_role.get_by_role("row").filter(has_text="Aanmelding beoordelen")
    expect(row).to_contain_text(f"Casus zorg- en veiligheidsteam {number}")
    expect(row).to_contain_text("Uiterlijk woensdag 2 december 2026, 17:00")  # three werkdagen
    shots.take(page, "mijn-taken")
    # The button says which task it takes, for screen readers (Chromium reads "Oppakken :").
    row.get_by_role("button", name=re.compile(rf"^Oppakken ?: Aanmelding beoordelen, casus {number}$")).click()
    expect(flash(page)).to_have_text("U heeft de taak opgepakt. Hij staat nu bij uw taken.")
    expect(heading(page)).to_have_text("Aanmelding beoordelen")
    expect(fact(page, "Toegewezen aan")).to_have_text("procesregisseur")

    go_to(page, "Mijn taken")
    expect_counts(page, mine=1, for_my_roles=0)
    expect(page.get_by_role("region", name="Open taken voor mijn rol (0)")).to_contain_text(
        "Er zijn geen open taken voor uw rol.")
    shots.take(page, "mijn-taken-opgepakt")
    page.get_by_role("region", name="Aan mij toegewezen (1)").get_by_role("link", name="Aanmelding beoordelen").click()

    # Beoordeling: the afwegingskader's proposal is shown, not asked.
    expect(heading(page)).to_have_text("Aanmelding beoordelen")
    expect(page.locator("dt:text-is('Voorgesteld niveau (afwegingskader)') + dd")).to_have_text("3")
    expect(page.locator("dt:text-is('Dreigende huisuitzetting') + dd")).to_have_text("Ja")
    fill_beoordeling(page)
    finish_task(page, shots, "beoordeling")
    expect(page.get_by_text("Niveau nu: 3.")).to_be_visible()
    expect(page.get_by_role("region", name="Partners die meedoen").get_by_role("listitem")).to_have_text(
        ["Gemeente Heerenveen", "GGZ Friesland", "WoonFriesland"])
    shots.take(page, "beoordeling-afgerond")

    open_task_from_case(page, "Betrokkene informeren")
    fill_informeren(page)
    finish_task(page, shots, "informeren")

    # The plan is drawn up in a meeting with the partners: a privacy check comes first, as before every overleg.
    open_task_from_case(page, "Privacycheck voor het plangesprek")
    fill_privacycheck(page)
    finish_task(page, shots, "privacycheck-plangesprek")

    open_task_from_case(page, "Plan van aanpak opstellen")
    fill_plan(page)
    finish_task(page, shots, "plan-van-aanpak")

    # First zorgoverleg: the plan goes on, so a next overleg is planned.
    open_task_from_case(page, "Privacycheck voor het zorgoverleg")
    fill_privacycheck(page)
    finish_task(page, shots, "privacycheck-1")
    open_task_from_case(page, "Zorgoverleg")
    fill_zorgoverleg(page, "2026-12-14", "Doorgaan met het plan", volgend_overleg="2027-01-11")
    finish_task(page, shots, "zorgoverleg-1-doorgaan")
    expect(fact(page, "Status")).to_have_text("Loopt")

    # Second zorgoverleg: the goals are met and the case is closed.
    open_task_from_case(page, "Privacycheck voor het zorgoverleg")
    fill_privacycheck(page)
    finish_task(page, shots, "privacycheck-2")
    open_task_from_case(page, "Zorgoverleg")
    fill_zorgoverleg(page, "2027-01-11", "Afronden: de doelen zijn bereikt")
    finish_task(page, shots, "zorgoverleg-2-afronden")

    # The case page: closed, nothing open, and the dossier tells the story; oldest first on request.
    expect(heading(page)).to_have_text(f"Casus {number}")
    expect(fact(page, "Status")).to_have_text("Afgesloten")
    expect(fact(page, "Afgesloten")).to_have_text("vrijdag 27 november 2026, 17:00")  # the test clock stands still
    expect(open_tasks(page)).to_contain_text("Er zijn geen open taken.")
    dossier = page.get_by_role("region", name="Dossier")
    expect(dossier.locator("li.zvt-dossier__step").first).to_contain_text("Casus afgesloten")  # newest first
    dossier.get_by_role("link", name="Oudste eerst").click()
    timeline = page.get_by_role("region", name="Dossier").locator("li.zvt-dossier__step")
    # Wait for the reordered page before reading it at once (all_inner_texts does not wait).
    expect(page).to_have_url(re.compile(r"volgorde=oudste"))
    expect(timeline.last).to_contain_text("Casus afgesloten")
    done_by_people = [
        (what, who) for what, who in zip(timeline.locator(".zvt-timeline__what").all_inner_texts(),
                                         timeline.locator(".zvt-timeline__who").all_inner_texts())
        if what in {"Aanmelding", "Aanmelding beoordelen", "Betrokkene informeren", "Plan van aanpak opstellen",
                    "Privacycheck voor het plangesprek", "Privacycheck voor het zorgoverleg", "Zorgoverleg"}]
    assert done_by_people == [
        ("Aanmelding", "partnermedewerker"),
        ("Aanmelding beoordelen", "procesregisseur"),
        ("Betrokkene informeren", "procesregisseur"),
        ("Privacycheck voor het plangesprek", "procesregisseur"),
        ("Plan van aanpak opstellen", "procesregisseur"),
        ("Privacycheck voor het zorgoverleg", "procesregisseur"),
        ("Zorgoverleg", "procesregisseur"),
        ("Privacycheck voor het zorgoverleg", "procesregisseur"),
        ("Zorgoverleg", "procesregisseur"),
    ]
    expect(timeline.last).to_contain_text("Casus afgesloten")

    # The diagram agrees: the last zorgoverleg done, nothing open.
    wait_for_diagram(page)
    expect(page.locator('#diagram [data-element-id="zorgoverleg"]')).to_have_class(re.compile(r"\bzvt-finished\b"))
    expect(page.locator("#diagram .zvt-active")).to_have_count(0)
    shots.take(page, "casus-afgesloten")

    # And the procesregisseur's work is done.
    go_to(page, "Mijn taken")
    expect_counts(page, mine=0, for_my_roles=0)
    assert not page.problems, str(page.problems)
