"""Incidenten: the beheerder sees the timers the scheduler gave up on and hands them back."""
from __future__ import annotations

from datetime import timedelta

from tests.engine.test_scheduler import BROKEN_PROCESS, deploy
from tests.web.conftest import AuthActions, client_for


def make_incident(engine, tmp_path, clock) -> tuple[int, str]:
    deploy(engine, tmp_path, ("breekbaar.bpmn", BROKEN_PROCESS))
    case = engine.start("breekbaar", {"teller": 0, "naam": "A. Jansen"}, actor="piet")
    moment = clock.now + timedelta(hours=1)
    while not engine.incidents():
        engine.fire_due_timers(moment)
        moment += timedelta(hours=2)
    [incident] = engine.incidents()
    return case, incident.timer_id


def test_the_beheerder_sees_where_a_timer_broke_and_hands_it_back(app, auth, client, engine, tmp_path, clock):
    case, timer_id = make_incident(engine, tmp_path, clock)
    auth.login("beheerder")
    page = client.get("/beheer/incidenten")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Open incidenten (1)" in body
    assert f'<td class="utrecht-table__cell">{case}</td>' in body and "breekbaar" in body and "termijn" in body
    assert "WorkflowFailed" in body
    assert "division by zero" not in body and "Jansen" not in body  # where it broke, not what the case holds
    assert 'href="/beheer/incidenten"' in client.get("/").get_data(as_text=True)  # in the menu

    done = auth.post(f"/beheer/incidenten/{timer_id}/opnieuw", token_from="/beheer/incidenten")
    assert done.status_code == 302 and done.location.endswith("/beheer/incidenten")
    assert engine.incidents() == []
    body = client.get("/beheer/incidenten").get_data(as_text=True)
    assert "De planner probeert het opnieuw bij de volgende ronde." in body
    assert "Er zijn geen incidenten." in body

    again = auth.post(f"/beheer/incidenten/{timer_id}/opnieuw", token_from="/beheer/incidenten")
    assert "Dit incident bestaat niet meer." in client.get(again.location).get_data(as_text=True)


def test_only_the_beheerder_may_see_or_retry_incidents(app, engine, tmp_path, clock):
    _, timer_id = make_incident(engine, tmp_path, clock)
    for username in ("procesregisseur", "partnermedewerker", "teamleider", "proceseigenaar", "manager", "fg"):
        client = client_for(app)
        auth = AuthActions(client)
        auth.login(username)
        assert client.get("/beheer/incidenten").status_code == 403, username
        assert 'href="/beheer/incidenten"' not in client.get("/").get_data(as_text=True)
        assert auth.post(f"/beheer/incidenten/{timer_id}/opnieuw").status_code == 403, username
    assert len(engine.incidents()) == 1


def test_the_beheerder_sees_where_the_case_is_stuck_and_skips_the_timer_with_a_reason(app, auth, client, engine,
                                                                                        tmp_path, clock):
    case, timer_id = make_incident(engine, tmp_path, clock)
    auth.login("beheerder")
    page = f"/beheer/incidenten/{timer_id}"
    assert f'href="{page}"' in client.get("/beheer/incidenten").get_data(as_text=True)
    body = client.get(page).get_data(as_text=True)
    assert f"Incident in casus {case}" in body and "WorkflowFailed" in body
    assert 'data-markers="{&#34;finished&#34;: [], &#34;active&#34;: [&#34;termijn&#34;]}"' in body  # marked in the diagram
    assert "division by zero" not in body and "Jansen" not in body

    refused = auth.post(f"{page}/overslaan", {"reden": ""}, token_from=page)
    assert refused.status_code == 400 and "Schrijf op waarom deze termijn wordt overgeslagen." in refused.get_data(as_text=True)
    assert len(engine.incidents()) == 1

    done = auth.post(f"{page}/overslaan", {"reden": "Script deelt door nul."}, token_from=page)
    assert done.status_code == 302 and engine.incidents() == []
    assert "De termijn is overgeslagen." in client.get(done.location).get_data(as_text=True)
    assert [h.data["reden"] for h in engine.history(case) if h.task_type == "IncidentSkipped"] == ["Script deelt door nul."]
    assert client.get(page).status_code == 404


def test_only_the_beheerder_sees_an_incident_or_skips_it(app, engine, tmp_path, clock):
    _, timer_id = make_incident(engine, tmp_path, clock)
    for username in ("procesregisseur", "proceseigenaar", "fg"):
        client = client_for(app)
        auth = AuthActions(client)
        auth.login(username)
        assert client.get(f"/beheer/incidenten/{timer_id}").status_code == 403, username
        assert auth.post(f"/beheer/incidenten/{timer_id}/overslaan", {"reden": "x"}).status_code == 403, username
    assert len(engine.incidents()) == 1
