"""Signing in through one's organisation, in a real browser: the login page, the organisation's
OpenID Connect provider (npm oidc-provider on loopback, tests/oidc_provider.py) and back, and
logging out of both. The protocol's details and refusals are in tests/web/test_sso.py; this is
what the employee sees."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from engine.db import Account, Partner
from engine.mail_sending import MailSettings
from tests.browser.conftest import serving
from tests.conftest import Clock
from tests.oidc_provider import CLIENT_SECRET, PASSWORD, running_provider
from zvt.config import DEV_MAIL_FROM


@pytest.fixture
def clock() -> Clock:
    # The provider signs its tokens with the real time: the app's clock starts there.
    return Clock(datetime.now(timezone.utc).replace(microsecond=0))


@pytest.fixture
def live_server(deployed_template, tmp_path, clock):
    """The live server, for which the municipality signs in at the test provider; the demo
    procesregisseur is the provider's anna (with a second factor there)."""
    def settings(url: str) -> dict:
        return {"mail": MailSettings(host=None, sender=DEV_MAIL_FROM, base_url=url),
                "oidc_client_secrets": {"gemeente_heerenveen": CLIENT_SECRET}}

    with serving(deployed_template, tmp_path, clock, settings) as server, \
            running_provider(tmp_path, server.url) as provider:
        with server.engine.database.unit_of_work() as uow:
            uow.session.get(Partner, "gemeente_heerenveen").sso = provider.settings()
            account = uow.session.scalar(select(Account).where(Account.username == "procesregisseur"))
            account.external_issuer, account.external_subject = provider.issuer, "sub-anna"
            uow.commit()
        yield server


def test_an_employee_signs_in_through_the_organisation_and_logs_out_of_both(live_server, page: Page, shots):
    page.goto("/inloggen")
    assert not page.problems, str(page.problems)
    page.get_by_role("link", name="Gemeente Heerenveen").click()
    # At the organisation's own sign-in page (the test provider's, in English).
    page.get_by_label("Login").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    leave_the_provider(page, "Sign in")

    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Welkom, Anna de Vries")).to_be_visible()  # the name the provider gives
    expect(page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn taken")).to_be_visible()
    shots.take(page, "ingelogd-via-de-organisatie")
    assert not page.problems, str(page.problems)

    page.get_by_role("button", name="Uitloggen").click()
    leave_the_provider(page, "Yes, sign me out")  # the provider asks, as Entra ID does
    expect(page.get_by_text("U bent uitgelogd bij ZVT en bij uw organisatie.")).to_be_visible()
    shots.take(page, "uitgelogd-bij-beide")
    # Both sessions ended: ZVT asks to sign in again, and so does the provider.
    page.goto("/")
    expect(page).to_have_url(live_server.url + "/inloggen?next=/")
    assert not page.problems, str(page.problems)
    page.get_by_role("link", name="Gemeente Heerenveen").click()
    expect(page.get_by_label("Login")).to_be_visible()


def leave_the_provider(page: Page, button: str) -> None:
    """Press the provider's button that sends the browser back to ZVT. What the provider's own
    pages log (a missing favicon, a web font it cannot reach offline) is not ZVT's to answer for."""
    page.get_by_role("button", name=button).click()
    page.problems.clear()
