"""Incidenten in Chromium: the beheerder sees where the case is stuck in its diagram and skips the timer."""
import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import axe, login, wait_for_diagram
from tests.engine.test_scheduler import BROKEN_PROCESS, deploy
from zvt.layout import add_diagram


def drawn_incident(engine, tmp_path, clock) -> tuple[int, str]:
    """As tests/web/test_incidents_page.make_incident, with a diagram, as every real process has."""
    deploy(engine, tmp_path, ("breekbaar.bpmn", add_diagram(BROKEN_PROCESS.encode()).decode()))
    case = engine.start("breekbaar", {"teller": 0}, actor="piet")
    moment = clock.now + timedelta(hours=1)
    while not engine.incidents():
        engine.fire_due_timers(moment)
        moment += timedelta(hours=2)
    return case, engine.incidents()[0].timer_id


def test_the_beheerder_sees_the_stuck_element_in_the_diagram_and_skips_it(live_server, page: Page, shots, tmp_path,
                                                                           clock):
    case, timer_id = drawn_incident(live_server.engine, tmp_path, clock)
    login(page, "beheerder")
    page.goto("/beheer/incidenten")
    page.get_by_role("link", name=f"termijn in casus {case}: bekijken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Incident in casus {case}")
    wait_for_diagram(page)
    expect(page.locator('#diagram [data-element-id="termijn"]')).to_have_class(re.compile(r"\bzvt-active\b"))
    shots.take(page, "incident")
    result = axe(page, "incident")
    assert result.serious == [], result.describe(result.serious)
    page.get_by_label("Waarom slaat u de termijn over?").fill("Script deelt door nul; wordt aangepast.")
    page.get_by_role("button", name="Termijn overslaan").click()
    expect(page.get_by_text("De termijn is overgeslagen.")).to_be_visible()
    expect(page.get_by_text("Er zijn geen incidenten.")).to_be_visible()
