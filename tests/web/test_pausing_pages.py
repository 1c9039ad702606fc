"""Pausing and resuming a case's deadlines on the case page, and the remaining time where a
deadline is shown (Mijn taken, the task page, the case's open tasks)."""
from datetime import datetime, timedelta, timezone

import pytest

from engine.clock import AMSTERDAM
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_datalek import melding
from tests.processes.test_rechten_betrokkene import verzoek
from web.areas import due_state, time_left

REDEN = "Wacht op een kopie van het identiteitsbewijs."


@pytest.fixture
def request_case(engine):
    """A rights request received on 27 November 09:30 (deadline 27 December 09:30); the clock is at
    17:00 that day. "Identiteit controleren" is open for the procesregisseur."""
    engine.deploy(PROCESSES, FORMS)
    return engine.start("rechten_betrokkene", verzoek(), actor="procesregisseur")


def task_of(engine, number):
    [task] = engine.ready_tasks(number)
    return task


def test_the_procesregisseur_pauses_with_a_reason_and_resumes_and_every_page_shows_the_time_left(
        auth, client, engine, clock, request_case):
    number = request_case
    auth.login("procesregisseur")
    page = f"/casussen/{number}"
    body = client.get(page).get_data(as_text=True)
    assert 'for="pauze-reden">Reden' in body and 'name="reden"' in body and "Termijnen pauzeren" in body
    assert "Uiterlijk zondag 27 december 2026, 09:30" in body

    refused = auth.post(f"{page}/termijnen/pauzeren", {"reden": "   "}, token_from=page)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "<title>Fout: Casus" in body
    assert "Vul een reden in: waarom staan de termijnen stil?" in body and 'aria-invalid="true"' in body
    assert engine.instance(number).paused_at is None

    done = auth.post(f"{page}/termijnen/pauzeren", {"reden": REDEN}, token_from=page)
    assert done.status_code == 302 and done.location.endswith(page)
    body = client.get(page).get_data(as_text=True)
    assert "De termijnen staan nu stil." in body  # the flash message
    assert "De termijnen staan stil sinds vrijdag 27 november 2026, 17:00." in body and f"Reden: {REDEN}" in body
    assert "Termijnen weer laten lopen" in body and 'name="reden"' not in body
    # 29 days, 16 hours and 30 minutes were left when the clock stopped: the two largest units.
    assert "Gepauzeerd — nog 29 dagen en 16 uur" in body
    assert f"Termijnen gepauzeerd. Reden: {REDEN}" in body  # the timeline

    clock.now += timedelta(days=5)  # the time left stays what it was
    auth.login("procesregisseur")  # the session ran out meanwhile
    task = task_of(engine, number)
    for path in ("/taken", f"/taken/{task.id}", page):
        body = client.get(path).get_data(as_text=True)
        assert '<span class="zvt-due zvt-due--paused">Gepauzeerd — nog 29 dagen en 16 uur</span>' in body, path
    assert "Te laat: <strong>0</strong>" in client.get("/taken").get_data(as_text=True)

    again = auth.post(f"{page}/termijnen/pauzeren", {"reden": "Nog een keer."}, token_from=page)
    assert again.status_code == 302
    assert "De termijnen stonden al stil." in client.get(page).get_data(as_text=True)

    resumed = auth.post(f"{page}/termijnen/hervatten", token_from=page)
    assert resumed.status_code == 302 and resumed.location.endswith(page)
    body = client.get(page).get_data(as_text=True)
    assert "De termijnen lopen weer. Ze zijn 5 dagen later komen te liggen." in body
    assert "Uiterlijk vrijdag 1 januari 2027, 09:30" in body
    assert "Termijnen lopen weer (stonden 5 dagen stil)" in body
    assert "Termijnen pauzeren" in body and "staan stil sinds" not in body
    assert task_of(engine, number).due_at == datetime(2027, 1, 1, 9, 30, tzinfo=AMSTERDAM)

    twice = auth.post(f"{page}/termijnen/hervatten", token_from=page)
    assert twice.status_code == 302
    assert "De termijnen liepen al." in client.get(page).get_data(as_text=True)


def test_pausing_and_resuming_need_the_csrf_token(auth, client, engine, request_case):
    auth.login("procesregisseur")
    page = f"/casussen/{request_case}"
    response = client.post(f"{page}/termijnen/pauzeren", data={"reden": REDEN})
    assert response.status_code == 400 and "Formulier verlopen" in response.get_data(as_text=True)
    assert engine.instance(request_case).paused_at is None

    engine.pause_deadlines(request_case, REDEN, actor="procesregisseur")
    assert client.post(f"{page}/termijnen/hervatten").status_code == 400
    assert engine.instance(request_case).paused_at is not None


def test_a_partnermedewerker_who_sees_the_case_may_not_pause_or_resume_it(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    # WoonFriesland received and forwarded the request, so its partnermedewerker sees the case.
    number = engine.start("rechten_betrokkene", verzoek(ontvangen_door="woonfriesland",
                                                        doorgestuurd_op="2026-11-27T12:00:00+01:00"),
                          actor="procesregisseur")
    auth.login("partnermedewerker")
    page = f"/casussen/{number}"
    body = client.get(page).get_data(as_text=True)
    assert "Open taken" in body and "Termijnen pauzeren" not in body and 'id="pauze-reden"' not in body

    assert auth.post(f"{page}/termijnen/pauzeren", {"reden": REDEN}, token_from=page).status_code == 403
    assert engine.instance(number).paused_at is None

    engine.pause_deadlines(number, REDEN, actor="procesregisseur")
    body = client.get(page).get_data(as_text=True)
    assert "De termijnen staan stil sinds" in body and "Termijnen weer laten lopen" not in body
    assert auth.post(f"{page}/termijnen/hervatten", token_from=page).status_code == 403
    assert engine.instance(number).paused_at is not None


def test_a_case_page_without_pausable_deadlines_shows_no_form(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    # A datalek's hours to the AP are the law's; they never pause.
    number = engine.start("datalek", melding(), actor="procesregisseur", context={"melder_partner": "gemeente_heerenveen"})
    auth.login("procesregisseur")
    page = f"/casussen/{number}"
    assert "Termijnen pauzeren" not in client.get(page).get_data(as_text=True)
    assert auth.post(f"{page}/termijnen/pauzeren", {"reden": REDEN}, token_from=page).status_code == 403


MOMENT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("left, text", [
    (timedelta(days=12, hours=3, minutes=40), "12 dagen en 3 uur"),
    (timedelta(days=12, minutes=40), "12 dagen"),
    (timedelta(days=1), "1 dag"),
    (timedelta(hours=1, minutes=1), "1 uur en 1 minuut"),
    (timedelta(hours=5, minutes=20, seconds=59), "5 uur en 20 minuten"),
    (timedelta(minutes=1), "1 minuut"),
    (timedelta(seconds=30), "minder dan een minuut"),
])
def test_the_time_left_is_said_in_the_two_largest_units(left, text):
    assert time_left(left) == text


def test_a_paused_deadline_shows_the_time_left_at_the_pause_or_that_it_was_late_already():
    due = MOMENT + timedelta(days=12, hours=3)
    later = MOMENT + timedelta(days=40)  # now; the pause began at MOMENT
    assert due_state(due, later, MOMENT) == ("paused", "Gepauzeerd — nog 12 dagen en 3 uur")
    assert due_state(due, later) == ("overdue", "Te laat sinds zondag 13 december 2026, 13:00")
    assert due_state(MOMENT - timedelta(hours=1), later, MOMENT) == (
        "overdue", "Te laat sinds dinsdag 1 december 2026, 09:00 (termijnen gepauzeerd)")
    assert due_state(None, later, MOMENT) == ("none", "Geen termijn")
