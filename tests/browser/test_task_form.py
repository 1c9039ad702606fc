"""A task form sent with mistakes, in a real browser, with and without JavaScript.

The forms are plain HTML checked by the server (the engine's JSON Schema check, worded in Dutch by
web/forms/messages.py), so they must work the same when JavaScript is off: a caseworker on a locked-down
workstation gets the same messages, the same summary and keeps what they typed.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import choose, field, file_aanmelding, group, login, open_task

SUMMARY_TITLE = "Er ging iets mis. Controleer deze velden:"


def summary(page: Page):
    """The error summary above the form (role alert, so a screen reader reads it out)."""
    return page.get_by_role("alert").filter(has_text=SUMMARY_TITLE)


ERROR_RED = "rgb(164, 22, 26)"  # --zvt-color-error in web/static/zvt-theme.css


@pytest.mark.parametrize("javascript", [True, False], ids=["met-javascript", "zonder-javascript"])
def test_a_task_form_with_mistakes_comes_back_with_dutch_errors_and_keeps_what_was_entered(
        live_server, make_page, shots, javascript):
    number = file_aanmelding(live_server)
    task = open_task(live_server, number, "beoordeling")
    page = make_page(java_script_enabled=javascript)
    login(page, "procesregisseur")
    page.goto(f"/taken/{task.id}")
    expect(page).to_have_title("Aanmelding beoordelen – ZVT")
    shots.take(page, "leeg")
    first_choice = group(page, "Besluit").get_by_role("radio").first

    def border(locator) -> str:
        return locator.evaluate("e => getComputedStyle(e).borderTopColor")
    # Required and not chosen yet is no mistake yet: not in the error colour until the server says so.
    assert border(first_choice) != ERROR_RED

    # Sent empty: each required field says what it needs, and the summary links to it.
    page.get_by_role("button", name="Taak afronden").click()
    expect(page).to_have_title("Fout: Aanmelding beoordelen – ZVT")
    expect(summary(page)).to_be_focused()  # the keyboard starts at the list of errors
    expect(summary(page).get_by_role("link")).to_have_text([
        "Niveau: Vul dit veld in.",
        "Besluit: Kies een van de mogelijkheden.",
        "Toelichting op het besluit: Vul dit veld in.",
    ])
    niveau = field(page, "Niveau")
    expect(niveau).to_have_attribute("aria-invalid", "true")
    expect(niveau).to_have_accessible_description(re.compile(r"Vul dit veld in\.$"))
    expect(group(page, "Besluit")).to_have_accessible_description(re.compile(r"Kies een van de mogelijkheden\.$"))
    assert border(group(page, "Besluit").get_by_role("radio").first) == ERROR_RED
    expect(field(page, "Toelichting op het besluit")).to_have_accessible_description(
        re.compile(r"Vul dit veld in\.$"))
    # The read-only proposal is still shown after the failed submit (it is never sent).
    expect(page.locator("dt:text-is('Voorgesteld niveau (afwegingskader)') + dd")).to_have_text("3")
    shots.take(page, "leeg-verstuurd")

    # A summary link leads to its field (a plain in-page link: no script needed).
    summary(page).get_by_role("link", name="Niveau: Vul dit veld in.").click()
    expect(page).to_have_url(re.compile(r"/taken/[^/#]+#field-niveau$"))
    expect(page.locator("#field-niveau")).to_have_accessible_name("Niveau (verplicht)")

    # Partly filled in: another niveau than proposed needs a reason, taking it up needs the
    # crisisoverleg and informeren answers. What was entered comes back as it was.
    niveau.fill("2")
    choose(page, "Besluit", "Het team pakt de aanmelding op")
    field(page, "Toelichting op het besluit").fill("Meerdere leefgebieden,\nzorgmijding.")
    choose(page, "Welke partners doen mee?", "Gemeente Heerenveen", "WoonFriesland")
    page.get_by_role("button", name="Taak afronden").click()
    expect(summary(page).get_by_role("link")).to_have_text([
        "Waarom wijkt u af van het voorstel? Vul dit veld in.",
        "Is een crisisoverleg nodig? Kies Ja of Nee.",
        "Betrokkene informeren: Kies een van de mogelijkheden.",
    ])
    expect(niveau).to_have_value("2")
    expect(niveau).not_to_have_attribute("aria-invalid", "true")
    expect(group(page, "Besluit").get_by_label("Het team pakt de aanmelding op")).to_be_checked()
    expect(field(page, "Toelichting op het besluit")).to_have_value("Meerdere leefgebieden,\nzorgmijding.")
    partners = group(page, "Welke partners doen mee?")
    expect(partners.get_by_label("Gemeente Heerenveen")).to_be_checked()
    expect(partners.get_by_label("WoonFriesland")).to_be_checked()
    expect(partners.get_by_label("GGZ Friesland")).not_to_be_checked()
    shots.take(page, "deels-verstuurd")

    # Corrected: the task is done and the case page says so.
    field(page, "Waarom wijkt u af van het voorstel?").fill("Het netwerk helpt goed mee.")
    choose(page, "Is een crisisoverleg nodig?", "Nee")
    choose(page, "Betrokkene informeren", "De betrokkene wordt geïnformeerd")
    page.get_by_role("button", name="Taak afronden").click()
    expect(page.locator(".zvt-messages").get_by_role("status")).to_have_text(
        "De taak ‘Aanmelding beoordelen’ is afgerond.")
    expect(page).to_have_url(re.compile(rf"/casussen/{number}$"))
    expect(page.get_by_text("Niveau nu: 2.")).to_be_visible()
    shots.take(page, "afgerond")

    # The two refusals were answered 400 on purpose; nothing else went wrong in the browser.
    assert page.problems.take_http_errors() == [(400, f"{live_server.url}/taken/{task.id}")] * 2
    assert not page.problems, str(page.problems)
