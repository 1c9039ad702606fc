"""Every main page on a phone (360 px wide) without sideways scrolling, and the case diagram's zoom buttons.

WCAG 1.4.10 (reflow) asks that content fits 320 CSS px without scrolling in two directions; we
check 360 px, the narrowest common phone, and 768 px (a tablet), with case data that holds long
unbroken words. A table too wide for the screen may scroll inside its own frame (allowed by 1.4.10
for data tables); the page itself may not. Screenshots land in test-output/browser/<test>/.
"""
from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.conftest import (LiveServer, axe, file_aanmelding, login, logout, open_task,
                                    wait_for_diagram)
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN
from tests.web.conftest import add_account

PHONE = {"width": 360, "height": 740}
TABLET = {"width": 768, "height": 1024}
# Case data as people type it: a long address, an e-mail address and a word without spaces.
LONG_WORD = "Schuldhulpverleningstraject" * 3
LONG_DATA = {
    "betrokkene_naam": "Mevrouw A. van den Heuvel-Vandenbroucke-Oosterhuis",
    "betrokkene_adres": "Burgemeester Kuipers-Rietbergstraat 1234-bis, 8441 AA Heerenveen",
    "reden_aanmelding": f"Huurachterstand; contact via a.vandenheuvel.vandenbroucke@voorbeeld.example; {LONG_WORD}.",
}
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def page_width(page: Page) -> dict:
    """How wide the page is drawn and what sticks out: the document's scroll width against the window,
    and the elements whose right edge lies past it (to say in a failure what is too wide)."""
    return page.evaluate("""() => {
      const width = document.documentElement.clientWidth;
      const wide = [];
      for (const el of document.querySelectorAll("body *")) {
        const box = el.getBoundingClientRect();
        if (box.right > width + 0.5 && box.width > 0 && !el.closest(".zvt-table-scroll, .djs-container")) {
          wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
                    + " " + Math.round(box.right));
        }
      }
      return {scroll: document.documentElement.scrollWidth, window: width, wide: wide.slice(0, 8),
              overflow: getComputedStyle(document.body).overflowX + "/" + getComputedStyle(document.documentElement).overflowX};
    }""")


def check_fits(page: Page, shots, name: str, results: dict) -> None:
    """Measure the page as shown now, screenshot it and remember what did not fit."""
    measured = page_width(page)
    shots.take(page, name)
    # Hiding the overflow would pass the measurement and cut content off: not allowed.
    assert measured["overflow"] == "visible/visible", measured
    if measured["scroll"] > measured["window"]:
        results[name] = measured


def case_with_plan_open(server: LiveServer) -> tuple[int, int]:
    """A case with long data, beoordeeld and informed, waiting for its plan van aanpak (a form with rows)."""
    number = file_aanmelding(server, **LONG_DATA)
    server.engine.complete(open_task(server, number, "beoordeling").id, OPPAKKEN, actor="procesregisseur")
    server.engine.complete(open_task(server, number, "betrokkene_informeren").id, INFORMEREN, actor="procesregisseur")
    plan = open_task(server, number, "plan_van_aanpak")
    server.engine.assign(plan.id, "procesregisseur", expected=None)
    return number, plan.id


def visit_every_page(live_server: LiveServer, page: Page, shots, width: int) -> dict:
    """Go through every main page at the page's window width; what did not fit, by page."""
    number, plan = case_with_plan_open(live_server)
    waiting = file_aanmelding(live_server, **LONG_DATA)
    beoordeling = open_task(live_server, waiting, "beoordeling")
    results: dict = {}

    def check(name: str) -> None:
        check_fits(page, shots, f"{width}-{name}", results)

    page.goto("/inloggen")
    check("inloggen")
    page.get_by_label("Gebruikersnaam").fill("procesregisseur")
    page.get_by_label("Wachtwoord").fill("niet het goede wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check("inloggen-fout")
    page.goto("/bestaat-niet")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check("foutpagina-404")

    login(page, "procesregisseur")
    check("startpagina")
    page.goto("/taken")
    expect(page.get_by_role("heading", name=re.compile("Aan mij toegewezen"))).to_be_visible()
    check("mijn-taken")
    page.goto(f"/taken/{beoordeling.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelding beoordelen")
    check("beoordeling")
    page.goto(f"/taken/{plan}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan van aanpak opstellen")
    check("plan-van-aanpak")
    page.get_by_role("button", name="Taak afronden").click()
    expect(page.get_by_role("alert").filter(has_text="Er ging iets mis")).to_be_visible()
    check("plan-van-aanpak-fouten")
    page.goto("/aanmelding/nieuw")
    check("aanmelding")
    page.goto(f"/casussen/{number}")
    expect(page.get_by_role("table", name="Hoe het niveau veranderde")).to_be_visible()
    wait_for_diagram(page)
    check("casus")
    page.goto("/tweestapsverificatie")
    check("tweestapsverificatie")
    logout(page)

    login(page, "beheerder")
    page.goto("/beheer/incidenten")
    check("incidenten")
    logout(page)

    add_account(live_server.engine, "tweestaps", "een lang genoeg wachtwoord", totp_secret=TOTP_SECRET)
    page.goto("/inloggen")
    page.get_by_label("Gebruikersnaam").fill("tweestaps")
    page.get_by_label("Wachtwoord").fill("een lang genoeg wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(re.compile(r"/inloggen/code$"))
    check("code")
    page.problems.take_http_errors()  # the 404 page and the refused forms (400) on purpose
    return results


def test_every_main_page_fits_a_360_px_phone_without_sideways_scrolling(make_page, live_server, shots):
    page = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    results = visit_every_page(live_server, page, shots, 360)
    assert results == {}, "pages wider than the window:\n" + "\n".join(f"{k}: {v}" for k, v in results.items())
    assert not page.problems, str(page.problems)


def test_every_main_page_fits_a_768_px_tablet(make_page, live_server, shots):
    page = make_page(viewport=TABLET)
    results = visit_every_page(live_server, page, shots, 768)
    assert results == {}, "pages wider than the window:\n" + "\n".join(f"{k}: {v}" for k, v in results.items())
    assert not page.problems, str(page.problems)
