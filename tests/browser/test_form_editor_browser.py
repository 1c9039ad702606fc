"""The form editor in Chromium: the proceseigenaar adds a question and sees it in the preview while
typing, removes a question the process uses after the warning, saves, and the draft's check passes;
changes a choice's text, adds and removes choices; each question's settings fold open and shut;
axe finds nothing serious, and the page fits a phone. Screenshots in test-output/browser/<test>/."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from engine import process_drafts
from tests.browser.conftest import axe, login
from tests.browser.test_responsive import PHONE, page_width
from tests.web.test_form_editor import OWNER

QUESTION = "Hoe is de betrokkene bereikt?"


def new_draft(live_server) -> str:
    draft_id = process_drafts.start_from_latest(live_server.engine, OWNER, "zvt_casus")
    return f"/processen/zvt_casus/concepten/{draft_id}"


def saved_beoordeling(live_server, draft: str) -> dict:
    schema, _ui = process_drafts.draft_forms(live_server.engine, OWNER, "zvt_casus",
                                             int(draft.rsplit("/", 1)[1]))["beoordeling"]
    return schema


def test_the_proceseigenaar_adds_a_question_sees_it_while_typing_removes_another_and_saves(live_server, page: Page,
                                                                                          shots):
    draft = new_draft(live_server)
    login(page, "proceseigenaar")
    page.goto(f"{draft}/formulieren/beoordeling")
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulier aanpassen: Aanmelding beoordelen")
    result = axe(page, "formulier aanpassen")
    assert result.serious == [], result.describe(result.serious)
    shots.take(page, "formulier")

    preview = page.get_by_role("region", name="Voorbeeld: zo ziet de medewerker het formulier")
    new = page.get_by_role("group", name="Nieuw veld toevoegen")
    choices = new.get_by_label("Keuzes (alleen bij een keuze uit een lijst)")
    expect(choices).to_be_hidden()  # only for a list, which is not chosen yet
    new.get_by_label("Eén keuze uit een lijst").check()
    expect(choices).to_be_visible()
    new.get_by_label("Vraag die de medewerker ziet").press_sequentially(QUESTION, delay=30)
    choices.press_sequentially("Telefonisch\nThuis, bij een huisbezoek", delay=20)
    # No button pressed: the preview shows the question and its choices as the caseworker will see them.
    asked = preview.get_by_role("group", name=QUESTION)
    expect(asked.get_by_role("radio", name="Thuis, bij een huisbezoek")).to_be_visible()
    expect(preview.get_by_text("Het nieuwe veld krijgt de naam hoe_betrokkene_bereikt.")).to_be_visible()
    assert "hoe_betrokkene_bereikt" not in saved_beoordeling(live_server, draft)["properties"]  # nothing saved yet
    shots.take(page, "nieuwe-vraag-in-voorbeeld")

    # The crisis question steers a flow of the process: removing it asks first, and says where.
    remove = page.get_by_role("button", name="Veld verwijderen: Is een crisisoverleg nodig?")
    expect(remove).to_be_hidden()  # folded away with the question's other settings
    page.locator("summary", has_text="Is een crisisoverleg nodig?").click()
    remove.click()
    warning = page.locator("#verwijderen-bevestigen")
    expect(warning).to_contain_text("de voorwaarde van ‘ja’ (f_crisisoverleg)")
    expect(new.get_by_label("Vraag die de medewerker ziet")).to_have_value(QUESTION)  # what was typed stays
    assert "crisisoverleg" in saved_beoordeling(live_server, draft)["properties"]
    shots.take(page, "waarschuwing-bij-verwijderen")
    result = axe(page, "waarschuwing bij verwijderen")
    assert result.serious == [], result.describe(result.serious)
    warning.get_by_role("button", name="Ja, veld verwijderen").click()

    expect(page.locator(".zvt-messages")).to_contain_text(
        "Het veld ‘crisisoverleg’ is verwijderd. Het veld ‘hoe_betrokkene_bereikt’ is toegevoegd.")
    expect(preview.get_by_role("group", name=QUESTION)).to_be_visible()
    expect(preview.get_by_text("Is een crisisoverleg nodig?")).to_have_count(0)
    schema = saved_beoordeling(live_server, draft)
    assert "crisisoverleg" not in schema["properties"]
    assert [o["const"] for o in schema["properties"]["hoe_betrokkene_bereikt"]["oneOf"]] == [
        "telefonisch", "thuis_huisbezoek"]
    shots.take(page, "opgeslagen")

    page.goto(draft)
    expect(page.get_by_text("Geen problemen: dit concept kan klaargezet worden.")).to_be_visible()
    page.problems.take_http_errors()  # the warning is a 409 on purpose
    assert not page.problems, str(page.problems)


def test_the_form_editor_fits_a_phone_without_sideways_scrolling(live_server, make_page, shots):
    draft = new_draft(live_server)
    page = make_page(viewport=PHONE)
    login(page, "proceseigenaar")
    page.goto(f"{draft}/formulieren/beoordeling")
    page.get_by_label(re.compile("^Korte tekst")).check()
    page.get_by_label("Vraag die de medewerker ziet").fill("Een lange vraag: " + "Schuldhulpverleningstraject" * 3)
    expect(page.locator("#voorbeeld-inhoud")).to_contain_text("Schuldhulpverleningstraject" * 3)
    page.locator("#veld-besluit_beoordeling summary").click()
    page.get_by_label("Keuzes toevoegen (leeg: geen), bij Besluit").fill("Een lange keuze: " + "Schuldhulpverleningstraject" * 3)
    page.get_by_role("button", name=re.compile("^Veld verwijderen: Besluit")).click()
    expect(page.locator("#verwijderen-bevestigen")).to_be_visible()
    measured = page_width(page)
    shots.take(page, "360-waarschuwing-en-voorbeeld")
    page.locator("#veld-besluit_beoordeling").screenshot(path=str(shots.folder / "360-keuzes-van-besluit.png"))
    assert measured["scroll"] <= measured["window"], measured
    result = axe(page, "formulier aanpassen op 360 px")
    assert result.serious == [], result.describe(result.serious)
    page.problems.take_http_errors()
    assert not page.problems, str(page.problems)


def test_the_proceseigenaar_changes_adds_and_removes_choices_of_a_question(live_server, page: Page, shots):
    draft = new_draft(live_server)
    login(page, "proceseigenaar")
    page.goto(f"{draft}/formulieren/beoordeling")
    preview = page.get_by_role("region", name="Voorbeeld: zo ziet de medewerker het formulier")
    besluit = page.locator("#veld-besluit_beoordeling")
    text = page.get_by_label("Tekst van keuze oppakken")
    expect(text).to_be_hidden()
    # By keyboard: the question's summary is a button that Enter opens.
    besluit.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(text).to_be_visible()
    expect(page.locator("#veld-niveau")).not_to_have_attribute("open", "")  # the others stay folded
    text.fill("Het team neemt de aanmelding op")
    besluit.get_by_label("Keuzes toevoegen (leeg: geen), bij Besluit").fill("Doorverwijzen naar het wijkteam")
    asked = preview.get_by_role("group", name="Besluit")
    expect(asked.get_by_role("radio", name="Het team neemt de aanmelding op")).to_be_visible()
    expect(asked.get_by_role("radio", name="Doorverwijzen naar het wijkteam")).to_be_visible()
    shots.take(page, "keuzes-in-voorbeeld")
    besluit.screenshot(path=str(shots.folder / "keuzes-van-besluit.png"))
    result = axe(page, "keuzes aanpassen")
    assert result.serious == [], result.describe(result.serious)

    # "Niet oppakken en niet registreren" is named by two rules of the form: asked first.
    besluit.get_by_role("button", name="Keuze verwijderen: Niet oppakken en niet registreren").click()
    warning = page.locator("#verwijderen-bevestigen")
    expect(warning).to_contain_text("2 regels van dit formulier (als … dan …)")
    expect(page.get_by_label("Tekst van keuze oppakken")).to_have_value("Het team neemt de aanmelding op")
    shots.take(page, "waarschuwing-bij-keuze-verwijderen")
    warning.get_by_role("button", name="Ja, keuze verwijderen").click()
    expect(page.locator(".zvt-messages")).to_contain_text(
        "De keuze ‘Niet oppakken en niet registreren’ (niet_registreren) is verwijderd.")
    expect(page.locator("#veld-besluit_beoordeling")).to_have_attribute("open", "")  # just changed: open
    schema = saved_beoordeling(live_server, draft)
    assert [(o["const"], o["title"]) for o in schema["properties"]["besluit_beoordeling"]["oneOf"]] == [
        ("oppakken", "Het team neemt de aanmelding op"), ("niet_oppakken", "Niet oppakken, wel registreren"),
        ("doorverwijzen_wijkteam", "Doorverwijzen naar het wijkteam")]
    shots.take(page, "keuzes-opgeslagen")

    page.get_by_label("Tekst van keuze oppakken").fill("")
    page.get_by_role("button", name="Opslaan en voorbeeld bekijken").click()
    expect(page.get_by_role("alert")).to_contain_text("Niet opgeslagen: 1 veld moet anders.")
    expect(page.locator("#veld-besluit_beoordeling summary")).to_contain_text("Moet anders")
    expect(page.get_by_text("Vul de tekst van deze keuze in.")).to_be_visible()
    result = axe(page, "keuze met fout")
    assert result.serious == [], result.describe(result.serious)
    shots.take(page, "keuze-met-fout")
    assert [status for status, _url in page.problems.take_http_errors()] == [409, 400]
    assert not page.problems, str(page.problems)
