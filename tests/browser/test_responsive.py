"""Every main page on a phone (360 px wide) without sideways scrolling, and the case diagram's zoom buttons.

WCAG 1.4.10 (reflow) asks that content fits 320 CSS px without scrolling in two directions; we
check 360 px, the narrowest common phone, 768 px (a tablet) and 1280 px, with case data that holds
long unbroken words. A table too wide for the screen may scroll inside its own frame (allowed by 1.4.10
for data tables); the page itself may not. Screenshots land in test-output/browser/<test>/.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from engine import process_drafts
from tests.browser.conftest import LiveServer, axe, file_aanmelding, login, logout, open_task, wait_for_diagram
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN, PRIVACYCHECK
from tests.web.conftest import add_account
from tests.web.test_form_editor import OWNER

PHONE = {"width": 360, "height": 740}
# Case data as people type it: a long address, an e-mail address and a word without spaces.
LONG_WORD = "Schuldhulpverleningstraject" * 3
LONG_DATA = {
    "betrokkene_naam": "Mevrouw A. van den Heuvel-Vandenbroucke-Oosterhuis",
    "betrokkene_adres": "Burgemeester Kuipers-Rietbergstraat 1234-bis, 8441 AA Heerenveen",
    "reden_aanmelding": f"Huurachterstand; contact via a.vandenheuvel.vandenbroucke@voorbeeld.example; {LONG_WORD}.",
}
TOTP_SECRET = "JBSWY3DPEHPK3PXP"
MIN_VALUE_WIDTH = 150  # px: narrower, a value of a few words is broken up letter by letter


def page_width(page: Page) -> dict:
    """How wide the page is drawn and what sticks out: the document's scroll width against the window,
    the elements whose right edge lies past it (to say in a failure what is too wide), and values
    (dd) of more than a few words in a column narrower than MIN_VALUE_WIDTH."""
    # After a click that posts, an element can be visible before the style sheets have loaded:
    # without them a long word does not wrap (seen once: the form editor at 813 px on a 360 px phone).
    page.wait_for_load_state("load")
    return page.evaluate("""(MIN_VALUE_WIDTH) => {
      const width = document.documentElement.clientWidth;
      const wide = [];
      for (const el of document.querySelectorAll("body *")) {
        const box = el.getBoundingClientRect();
        if (box.right > width + 0.5 && box.width > 0 && !el.closest(".zvt-table-scroll, .djs-container")) {
          wide.push(el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
                    + " " + Math.round(box.right));
        }
      }
      // A value squeezed into a column too narrow to read breaks a word every few letters.
      const cramped = [];
      for (const el of document.querySelectorAll("main dd")) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.width < MIN_VALUE_WIDTH && el.textContent.trim().length > 20 && !el.closest(".zvt-table-scroll")) {
          cramped.push(el.textContent.trim().slice(0, 20) + "… " + Math.round(box.width) + " px");
        }
      }
      return {scroll: document.documentElement.scrollWidth, window: width, wide: wide.slice(0, 8), cramped: cramped.slice(0, 8),
              overflow: getComputedStyle(document.body).overflowX + "/" + getComputedStyle(document.documentElement).overflowX};
    }""", MIN_VALUE_WIDTH)


def check_fits(page: Page, shots, name: str, results: dict) -> None:
    """Measure the page as shown now, screenshot it and remember what did not fit."""
    measured = page_width(page)
    if measured["scroll"] > measured["window"] and not measured["wide"]:
        # Too wide while nothing sticks out: measured mid-layout on a loaded machine (once: 725 px,
        # with no element past the edge). Look again once the page has settled.
        page.wait_for_timeout(1000)
        measured = page_width(page)
    shots.take(page, name)
    # Hiding the overflow would pass the measurement and cut content off: not allowed.
    assert measured["overflow"] == "visible/visible", measured
    if measured["scroll"] > measured["window"] or measured["cramped"]:
        results[name] = measured


def case_with_plan_open(server: LiveServer) -> tuple[int, str]:
    """A case with long data, beoordeeld and informed, waiting for its plan van aanpak (a form with rows)."""
    number = file_aanmelding(server, **LONG_DATA)
    server.engine.complete(open_task(server, number, "beoordeling").id, OPPAKKEN, actor="procesregisseur")
    server.engine.complete(open_task(server, number, "betrokkene_informeren").id, INFORMEREN, actor="procesregisseur")
    server.engine.complete(open_task(server, number, "privacycheck_plangesprek").id, PRIVACYCHECK,
                           actor="procesregisseur")
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
        if width == 360:  # what reflows may lose its name or order: axe once more, on the phone
            found = axe(page, f"{name} op 360 px")
            if found.serious:
                results[f"{name} (axe)"] = found.describe(found.serious)

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
    page.get_by_label("Toelichting op het besluit").fill(LONG_WORD)
    page.get_by_role("button", name="Tussentijds opslaan").click()
    page.goto(f"/taken/{beoordeling.id}")
    expect(page.get_by_text("Hieronder staat uw concept van")).to_be_visible()
    check("beoordeling-concept")
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
    expect(page.locator("dd", has_text=LONG_WORD).first).to_be_visible()  # the word that must wrap is there
    wait_for_diagram(page)
    check("casus")
    page.goto("/casussen")
    expect(page.get_by_role("heading", level=1)).to_have_text("Casussen")
    check("casussen")
    page.get_by_label("Zoeken").fill("van den heuvel")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.get_by_role("heading", name="2 casussen")).to_be_visible()
    check("casussen-gezocht")
    page.goto("/melden")
    check("melden")
    page.goto("/melden/datalek")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    check("datalek-melden")
    page.goto("/tweestapsverificatie")
    check("tweestapsverificatie")
    logout(page)

    login(page, "beheerder")
    page.goto("/beheer/incidenten")
    check("incidenten")
    page.goto("/processen")
    check("processen")
    page.goto("/processen/zvt_casus/versies/1")
    check("proces-versie")
    page.goto("/processen/zvt_casus/nieuwe-versie")
    check("nieuwe-versie")
    page.get_by_role("button", name="Bewerken in de browser").click()
    expect(page.locator('#modeler [data-element-id="beoordeling"]')).to_be_attached()
    check("modeler")
    logout(page)

    draft_id = process_drafts.start_from_latest(live_server.engine, OWNER, "zvt_casus")
    login(page, "proceseigenaar")
    editor = f"/processen/zvt_casus/concepten/{draft_id}/formulieren/beoordeling"
    page.goto(editor)
    expect(page.get_by_role("heading", level=1)).to_have_text("Formulier aanpassen: Aanmelding beoordelen")
    check("formulier-aanpassen")
    page.goto(f"{editor}?veld=besluit_beoordeling&veld=deelnemende_partners")  # as after a save: open
    page.get_by_label("Tekst van keuze oppakken").fill(LONG_WORD)
    expect(page.locator("#voorbeeld-inhoud")).to_contain_text(LONG_WORD)
    # The partner choice's choices come from the register: the page says so instead of offering them.
    expect(page.get_by_text("De keuzes van dit veld komen uit het partnerregister")).to_be_visible()
    check("formulier-aanpassen-keuzes")
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


@pytest.mark.parametrize("width", [360, 768, 1280])
def test_every_main_page_fits_the_window_without_sideways_scrolling(make_page, live_server, shots, width):
    if width == 360:
        page = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    else:
        page = make_page(viewport={"width": width, "height": 900})
    results = visit_every_page(live_server, page, shots, width)
    assert results == {}, "pages wider than the window, or with serious axe violations:\n" + "\n".join(f"{k}: {v}" for k, v in results.items())
    assert not page.problems, str(page.problems)


# What other roles see in the menu: long Dutch labels, added to the beheerder's own up to eight items.
MORE_ITEMS = ["Nieuwe aanmelding", "Verzoek van een betrokkene", "Register van verstrekkingen", "Bewaren"]
MENU_ITEMS = 8


def test_a_menu_of_eight_items_wraps_on_a_phone_and_every_item_stays_visible(make_page, shots):
    page = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, "beheerder")  # Mijn taken, Casussen, Incidenten, Toegangsreview, Accounts, Processen, ...
    own = page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link").count()
    assert own < MENU_ITEMS
    page.evaluate("""(labels) => {
      const list = document.querySelector('nav[aria-label="Hoofdmenu"] ul');
      for (const label of labels) {
        const item = list.lastElementChild.cloneNode(true);
        item.querySelector("a").textContent = label;
        item.querySelector("a").removeAttribute("aria-current");
        list.append(item);
      }
    }""", MORE_ITEMS[:MENU_ITEMS - own])
    links = page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link")
    expect(links).to_have_count(MENU_ITEMS)
    measured = page_width(page)
    assert measured["scroll"] <= 360, measured
    for link in links.all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, (link.inner_text(), box)
    # Wrapped onto lines, not one item per line: at least one line holds two items.
    tops = [link.bounding_box()["y"] for link in links.all()]
    assert len(set(tops)) < len(tops), tops
    shots.take(page, "menu-met-acht-items")
    assert not page.problems, str(page.problems)


# -- the case diagram: readable on load, zoom buttons, fit -------------------------------------------

def diagram_scale(page: Page) -> float:
    """The scale bpmn-js draws the diagram at: the first number of its viewport's transform matrix."""
    transform = page.locator("#diagram svg g.viewport").first.get_attribute("transform") or ""
    match = re.match(r"matrix\(([-\d.e]+)[ ,]", transform)
    assert match, transform
    return float(match.group(1))


def diagram_offset(page: Page) -> tuple[float, float]:
    """Where bpmn-js has moved the diagram to: the last two numbers of its viewport's transform."""
    transform = page.locator("#diagram svg g.viewport").first.get_attribute("transform") or ""
    numbers = [float(n) for n in re.findall(r"[-\d.e]+", transform)]
    return numbers[4], numbers[5]


def finger(page: Page, kind: str, x: float, y: float) -> None:
    page.locator("#diagram").dispatch_event(f"pointer{kind}", {
        "pointerType": "touch", "isPrimary": True, "bubbles": True, "clientX": x, "clientY": y})


def shapes_outside_frame(page: Page) -> int:
    """How many of the diagram's shapes lie (partly) outside its frame, so cannot be seen."""
    return page.evaluate("""() => {
      const frame = document.getElementById("diagram").getBoundingClientRect();
      return [...document.querySelectorAll("#diagram .djs-shape")].filter((shape) => {
        const box = shape.getBoundingClientRect();
        return box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1 || box.bottom > frame.bottom + 1;
      }).length;
    }""")


def the_open_task_is_in_view(page: Page) -> bool:
    return page.evaluate("""() => {
      const frame = document.getElementById("diagram").getBoundingClientRect();
      const box = document.querySelector('#diagram [data-element-id="plan_van_aanpak"]').getBoundingClientRect();
      return box.left >= frame.left && box.right <= frame.right && box.top >= frame.top && box.bottom <= frame.bottom;
    }""")


def test_the_diagram_opens_readable_around_the_open_task_and_zooms_and_fits_with_its_buttons(make_page, live_server, shots):
    number, _plan = case_with_plan_open(live_server)
    page = make_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, "procesregisseur")
    page.goto(f"/casussen/{number}")
    wait_for_diagram(page)
    zoom_in, zoom_out, fit = (page.get_by_role("button", name=name, exact=True)
                              for name in ("Inzoomen", "Uitzoomen", "Passend maken"))
    expect(fit).to_be_visible()
    expect(page.get_by_text("U kunt het diagram verschuiven")).to_be_visible()
    expect(page.locator("#diagram")).to_have_css("touch-action", "pan-y")  # up and down still scroll the page
    status = page.locator("#diagram-zoom")
    # zvt_casus is five times as wide as high: fitted to a phone its labels would be a few pixels
    # high. So it opens at 80%, the open task in the middle, and most shapes out of the frame.
    expect(status).to_have_text("Zoom: 80%")
    assert diagram_scale(page) == pytest.approx(0.8)
    expect(page.locator('#diagram [data-element-id="plan_van_aanpak"]')).to_have_class(re.compile(r"\bzvt-active\b"))
    assert the_open_task_is_in_view(page)
    assert shapes_outside_frame(page) > 20
    page.locator(".zvt-diagram-figure").screenshot(path=str(shots.folder / "01-geopend.png"))

    zoom_in.click()
    expect(status).to_have_text("Zoom: 100%")
    assert diagram_scale(page) == pytest.approx(1.0)
    assert the_open_task_is_in_view(page)  # zooming keeps the middle of the frame in the middle
    # By keyboard: Tab to the button, Enter and Space press it.
    zoom_out.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    expect(status).to_have_text("Zoom: 64%")
    assert diagram_scale(page) == pytest.approx(0.64)

    fit.click()
    expect(status).not_to_have_text("Zoom: 64%")
    assert diagram_scale(page) < 0.3  # some 1,600 diagram units (the folded zvt_casus) in a frame of some 330 px
    assert shapes_outside_frame(page) == 0
    page.locator(".zvt-diagram-figure").screenshot(path=str(shots.folder / "02-passend.png"))
    # A finger moving sideways moves the diagram along (bpmn-js itself follows only a mouse).
    x, y = diagram_offset(page)
    finger(page, "down", 250, 500)
    finger(page, "move", 200, 500)
    finger(page, "move", 150, 490)
    finger(page, "up", 150, 490)
    assert diagram_offset(page) == (pytest.approx(x - 100, abs=0.01), pytest.approx(y - 10, abs=0.01))
    finger(page, "move", 50, 490)  # after the finger is lifted: nothing moves
    assert diagram_offset(page) == (pytest.approx(x - 100, abs=0.01), pytest.approx(y - 10, abs=0.01))
    # Zooming out past the whole diagram stops at a floor instead of shrinking it to a dot.
    for _ in range(20):
        zoom_out.click()
    assert diagram_scale(page) == pytest.approx(0.05)

    results = axe(page, "casus 360 px met zoomknoppen")
    assert results.serious == [], results.describe(results.serious)
    assert not page.problems, str(page.problems)


def test_without_javascript_the_case_page_shows_no_zoom_buttons_and_no_empty_diagram_frame(make_page, live_server, shots):
    number, _plan = case_with_plan_open(live_server)
    page = make_page(viewport=PHONE, java_script_enabled=False)
    login(page, "procesregisseur")
    page.goto(f"/casussen/{number}")
    expect(page.get_by_role("heading", name="Waar staat de casus?")).to_be_visible()
    expect(page.get_by_text("Het diagram verschijnt als JavaScript aan staat.")).to_be_visible()
    for name in ("Inzoomen", "Uitzoomen", "Passend maken"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)  # hidden: not in the page's tree
    expect(page.get_by_text("U kunt het diagram verschuiven")).to_be_hidden()
    frame = page.locator("#diagram").bounding_box()
    assert frame is not None and frame["height"] < 100  # the sentence, not a 28rem empty box
    assert page_width(page)["scroll"] <= 360
    shots.take(page, "casus-zonder-javascript")
    assert not page.problems, str(page.problems)
