"""Bewaren: the procesregisseur and the FG see what is destroyed soon and what is on hold, and set and
lift a hold with a reason; others get 403. A destroyed case's page says so and shows no data."""
from datetime import timedelta

import pytest

from engine import retention
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import aanmelding

REASON = "Rechtszaak over de huisuitzetting loopt nog."


@pytest.fixture
def app(app_with_retention):
    """The app with the retention rules: they say how cases end and when their data goes."""
    return app_with_retention


@pytest.fixture
def closed(app, engine):
    """A zvt_casus closed unregistered (kept a month), started and closed through the app's engine."""
    app_engine = app.extensions["zvt_engine"]
    engine.deploy(PROCESSES, FORMS)
    number = app_engine.start("zvt_casus", aanmelding(situaties=["overlast"]), actor="partnermedewerker",
                              context={"aanmelder_partner": "woonfriesland"})
    [task] = app_engine.ready_tasks(number)
    app_engine.complete(task.id, {"niveau": 3, "besluit_beoordeling": "niet_registreren",
                                  "toelichting_besluit": "Dubbel.", "advies_alternatief": "Wijkteam."},
                        actor="procesregisseur")
    return number


def test_the_fg_sees_a_coming_destruction_sets_a_hold_with_a_reason_and_lifts_it(auth, client, app, closed):
    auth.login("fg")
    body = client.get("/bewaren").get_data(as_text=True)
    assert f"Casus {closed} (zvt_casus)" in body and "Wordt vernietigd op zondag 27 december 2026" in body
    assert ">Bewaren</a>" in body  # the menu item

    refused = auth.post(f"/bewaren/{closed}/vasthouden", {"reden": " "}, token_from="/bewaren")
    assert refused.status_code == 400 and "Schrijf op waarom deze casus bewaard moet blijven" in refused.get_data(as_text=True)
    done = auth.post(f"/bewaren/{closed}/vasthouden", {"reden": REASON}, token_from="/bewaren")
    assert done.status_code == 302
    body = client.get("/bewaren").get_data(as_text=True)
    assert "Casussen met een bewaarplicht (1)" in body and f"Reden: {REASON}" in body
    assert app.extensions["zvt_engine"].instance(closed).held_by == "fg"

    auth.post(f"/bewaren/{closed}/vrijgeven", {"reden": "Uitspraak gedaan."}, token_from="/bewaren")
    assert app.extensions["zvt_engine"].instance(closed).hold_reason is None


@pytest.mark.parametrize("username", ["partnermedewerker", "beheerder", "manager", "proceseigenaar"])
def test_other_roles_get_403_and_no_menu_item(auth, client, username):
    auth.login(username)
    assert client.get("/bewaren").status_code == 403
    assert ">Bewaren</a>" not in client.get("/taken").get_data(as_text=True)


def test_a_destroyed_case_page_says_so_and_shows_no_data(auth, client, app, clock, closed):
    app_engine = app.extensions["zvt_engine"]
    clock.now += timedelta(days=40)
    assert [d.case for d in retention.run(app_engine.database, app_engine.retention, clock()).destroyed] == [closed]
    auth.login("procesregisseur")
    response = client.get(f"/casussen/{closed}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vernietigd" in body and "De persoonsgegevens van deze casus zijn gewist." in body
    assert "de Vries" not in body and "Voorbeeldstraat" not in body
