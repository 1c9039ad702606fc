"""Mijn taken in Chromium: the late AP decision of a datalek reported after 72 hours is counted under "Te laat"."""
from playwright.sync_api import Page

from tests.browser.conftest import axe, login
from tests.processes.test_datalek import melding


def test_the_breached_partners_responsible_person_sees_the_ap_decision_past_72_hours_as_late(
        live_server, page: Page, shots):
    # The live server's clock stands at Friday 27 November 2026, 17:00: a week after becoming aware.
    live_server.engine.start("datalek", melding(bekend_sinds="2026-11-20T10:00:00+01:00"), actor="aanmelder")
    # A breach at WoonFriesland: its own responsible person decides on the AP (issue 13).
    login(page, "verantwoordelijke_woonfriesland")
    page.goto("/taken")
    shots.take(page, "verantwoordelijke-taken")
    # The late decision, the escalation of it, and the escalation of the 24-hour partner task.
    assert page.get_by_role("list", name="Aantallen").inner_text().splitlines()[-1] == "Te laat: 3"
    row = page.get_by_role("row").filter(has_text="Besluiten over melding aan de AP (termijn voorbij)")
    assert row.locator(".zvt-due--overdue").inner_text() == "Te laat sinds maandag 23 november 2026, 10:00"
    result = axe(page, "taken")
    assert result.serious == [], result.describe(result.serious)
