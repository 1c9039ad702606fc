"""A task form's draft in a real browser: what was typed survives an idle logout and a closed tab.

The clock of the live server is the test's: moving it past the idle time logs the user out at the
next request, as a quiet quarter of an hour would.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import axe, choose, field, file_aanmelding, group, open_task
from tests.web.conftest import DEMO_PASSWORDS
from zvt.config import Config

TOELICHTING = "Meerdere leefgebieden,\nzorgmijding."
LATER = "Het netwerk helpt goed mee."
# The live server runs the development configuration's idle time.
IDLE_MINUTES = Config.__dataclass_fields__["session_idle_minutes"].default


def log_in_again(page: Page, username: str) -> None:
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORDS[username])
    page.get_by_role("button", name="Inloggen").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["met-javascript", "zonder-javascript"])
def test_a_draft_survives_an_idle_logout(live_server, make_page, shots, clock, javascript):
    number = file_aanmelding(live_server)
    task = open_task(live_server, number, "beoordeling")
    page = make_page(java_script_enabled=javascript)
    page.goto("/inloggen")
    log_in_again(page, "procesregisseur")
    page.goto(f"/taken/{task.id}")
    expect(page.get_by_role("button", name="Tussentijds opslaan")).to_be_visible()

    field(page, "Niveau").fill("2")
    choose(page, "Besluit", "Het team pakt de aanmelding op")
    field(page, "Toelichting op het besluit").fill(TOELICHTING)
    if javascript:
        # The page saves a draft by itself a moment after typing stops.
        expect(page.locator("#concept-status")).to_have_text(re.compile(r"^Concept automatisch bewaard om"))
    # One more field, and then the person leaves the screen for longer than the idle time.
    field(page, "Waarom wijkt u af van het voorstel?").fill(LATER)
    shots.take(page, "ingevuld")
    clock.advance(minutes=IDLE_MINUTES, seconds=1)
    page.get_by_role("button", name="Taak afronden").click()

    # Logged out, but nothing of the form is lost: it waits as a draft, not completed.
    expect(page).to_have_url(re.compile(r"/inloggen\?next=/taken/"))
    expect(page.get_by_text("U bent uitgelogd omdat u een tijd niets heeft gedaan.")).to_be_visible()
    expect(page.get_by_text(re.compile("Wat u invulde is bewaard als concept"))).to_be_visible()
    assert [t.id for t in live_server.engine.ready_tasks(number)] == [task.id]
    shots.take(page, "uitgelogd")

    log_in_again(page, "procesregisseur")
    expect(page).to_have_url(re.compile(rf"/taken/{task.id}$"))
    expect(page.get_by_text(re.compile("Hieronder staat uw concept"))).to_be_visible()
    expect(field(page, "Niveau")).to_have_value("2")
    expect(group(page, "Besluit").get_by_label("Het team pakt de aanmelding op")).to_be_checked()
    expect(field(page, "Toelichting op het besluit")).to_have_value(TOELICHTING)
    expect(field(page, "Waarom wijkt u af van het voorstel?")).to_have_value(LATER)
    shots.take(page, "weer-ingelogd")
    if javascript:  # axe is a script
        result = axe(page, "taak met concept")
        assert not result.serious, result.describe(result.serious)

    # The person finishes the form and sends it: now it is completed, and the draft is gone.
    choose(page, "Welke partners doen mee?", "Gemeente Heerenveen", "WoonFriesland")
    choose(page, "Is een crisisoverleg nodig?", "Nee")
    choose(page, "Betrokkene informeren", "De betrokkene wordt geïnformeerd")
    page.get_by_role("button", name="Taak afronden").click()
    expect(page.locator(".zvt-messages").get_by_role("status")).to_have_text(
        "De taak ‘Aanmelding beoordelen’ is afgerond.")
    assert task.id not in [t.id for t in live_server.engine.ready_tasks(number)]
    assert not page.problems, str(page.problems)


def test_a_draft_survives_a_closed_tab(live_server, make_page, shots):
    number = file_aanmelding(live_server)
    task = open_task(live_server, number, "beoordeling")
    page = make_page()
    page.goto("/inloggen")
    log_in_again(page, "procesregisseur")
    page.goto(f"/taken/{task.id}")
    field(page, "Toelichting op het besluit").fill(TOELICHTING)
    expect(page.locator("#concept-status")).to_have_text(re.compile(r"^Concept automatisch bewaard om"))
    assert not page.problems, str(page.problems)
    page.context.close()  # the tab, and the browser with it, closed without sending

    again = make_page()
    again.goto("/inloggen")
    log_in_again(again, "procesregisseur")
    again.goto(f"/taken/{task.id}")
    expect(field(again, "Toelichting op het besluit")).to_have_value(TOELICHTING)
    shots.take(again, "nieuw-venster")
    # Typing and at once throwing the draft away: the pending autosave must not bring it back.
    field(again, "Toelichting op het besluit").fill("Toch anders")
    again.get_by_role("button", name="Concept weggooien").click()
    expect(again.get_by_text("Uw concept is weggegooid.")).to_be_visible()
    expect(field(again, "Toelichting op het besluit")).to_have_value("")
    again.wait_for_timeout(3000)  # longer than the autosave waits
    again.reload()
    expect(field(again, "Toelichting op het besluit")).to_have_value("")
    assert not again.problems, str(again.problems)

