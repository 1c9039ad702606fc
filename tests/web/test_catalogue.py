"""Processen (/processen): the process catalogue for the proceseigenaar and the beheerder: every
version with its cases and what changed, and each version as a zip that deploys to the same version."""
from __future__ import annotations

import io
import zipfile

import pytest

from engine import casework
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import aanmelding
from tests.web.conftest import AuthActions, client_for

HERE = Origin("192.0.2.1", "test")
WOONFRIESLAND = User("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland",
                     frozenset({"partnermedewerker"}))
ACCOUNTS = ["procesregisseur", "partnermedewerker", "politie", "teamleider", "proceseigenaar", "fg", "beheerder", "manager"]
MAY_READ = {"proceseigenaar", "beheerder"}


@pytest.fixture
def two_versions(engine, tmp_path):
    """zvt_casus version 1 with one running case, then version 2 of tests/engine/test_migrating.py:
    among its changes a renamed beoordeling and the late-beoordeling escalation moved from the
    teamleider's lane to the procesregisseur's."""
    from tests.engine.test_migrating import version_2

    engine.deploy(PROCESSES, FORMS)
    casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    folder = version_2(tmp_path)
    [v2] = [v for v in engine.deploy(folder / "processes", folder / "forms", actor="proceseigenaar") if v.new]
    assert (v2.process_id, v2.version) == ("zvt_casus", 2)
    return v2


def test_the_catalogue_lists_every_process_with_its_versions_and_cases(auth, client, engine, two_versions):
    auth.login("proceseigenaar")
    body = client.get("/processen").get_data(as_text=True)
    assert "Casus zorg- en veiligheidsteam" in body and "Datalek" in body
    assert '<a class="utrecht-link" href="/processen/zvt_casus/versies/2">Versie 2</a> (nieuwste)' in body
    assert "/processen/zvt_casus/versies/1.zip" in body
    assert "1 casus loopt" in body  # on version 1, which keeps it
    # A scheduled process's next case waits for its start: not counted as running.
    evaluation = body[body.index('id="proces-jaarlijkse_evaluatie"'):]
    assert "0 casussen lopen" in evaluation and "(en de volgende, die wacht op de geplande start)" in evaluation
    assert '>Processen</a>' in body  # in the menu


def test_a_version_says_what_changed_and_warns_of_a_task_in_another_role(auth, client, two_versions):
    auth.login("proceseigenaar")
    body = client.get("/processen/zvt_casus/versies/2").get_data(as_text=True)
    assert "Aanmelding beoordelen → Aanmelding bekijken" in body
    assert "teamleider → procesregisseur. Dit verandert wie deze taak mag doen." in body
    assert "1 stap staat" in body and "in een andere rol" in body
    first = client.get("/processen/zvt_casus/versies/1").get_data(as_text=True)
    assert "Dit is de eerste versie." in first and "1 lopend, 0 afgerond" in first
    assert client.get("/processen/zvt_casus/versies/3").status_code == 404
    assert client.get("/processen/bestaat_niet/versies/1").status_code == 404


def test_a_downloaded_version_deploys_to_the_same_version(auth, client, engine, two_versions, tmp_path, database_url):
    auth.login("beheerder")
    response = client.get("/processen/zvt_casus/versies/2.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert 'filename="zvt_casus-versie-2.zip"' in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "zip")
    assert "processes/zvt_casus.bpmn" in names and "processes/afwegingskader.dmn" in names
    assert "forms/zvt_casus/beoordeling.schema.json" in names and "forms/zvt_casus/beoordeling.ui.json" in names
    # Deployed into the same database it is the same content: nothing new.
    again = {v.process_id: v for v in engine.deploy(tmp_path / "zip" / "processes", tmp_path / "zip" / "forms")}
    assert again["zvt_casus"].content_hash == two_versions.content_hash and not again["zvt_casus"].new


@pytest.mark.parametrize("username", ACCOUNTS)
def test_only_the_proceseigenaar_and_the_beheerder_see_the_catalogue(app, engine, username):
    engine.deploy(PROCESSES, FORMS)
    client = client_for(app)
    AuthActions(client).login(username)
    for path in ("/processen", "/processen/zvt_casus/versies/1", "/processen/zvt_casus/versies/1.zip"):
        status = client.get(path).status_code
        assert status == (200 if username in MAY_READ else 403), (username, path, status)
    home = client.get("/taken").get_data(as_text=True)
    assert ('href="/processen"' in home) == (username in MAY_READ)


@pytest.fixture
def cases_on_version_1(engine, tmp_path):
    """Two zvt_casus cases on version 1 (one waiting for its beoordeling, one in the crisisoverleg),
    then version 2 of tests/engine/test_migrating.py, which has no crisisoverleg task."""
    from tests.engine.test_migrating import version_2
    from tests.processes.test_zvt_casus import OPPAKKEN

    engine.deploy(PROCESSES, FORMS)
    waiting = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    crisis = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    [task] = engine.ready_tasks(crisis)
    engine.complete(task.id, {**OPPAKKEN, "crisisoverleg": True}, actor="procesregisseur")
    [task] = engine.ready_tasks(crisis)  # the privacy check before the crisisoverleg
    engine.complete(task.id, {"uitgenodigde_partners": OPPAKKEN["deelnemende_partners"], "noodzaak_nagegaan": True},
                    actor="procesregisseur")
    folder = version_2(tmp_path)
    engine.deploy(folder / "processes", folder / "forms", actor="proceseigenaar")
    return waiting, crisis


def test_the_proceseigenaar_checks_then_moves_the_cases_that_can_with_a_reason(auth, client, engine, cases_on_version_1):
    waiting, crisis = cases_on_version_1
    auth.login("proceseigenaar")
    version_page = client.get("/processen/zvt_casus/versies/2").get_data(as_text=True)
    assert "Lopende casussen overzetten naar deze versie" in version_page and "2 casussen lopen" in version_page
    page = "/processen/zvt_casus/versies/2/overzetten"
    body = client.get(page).get_data(as_text=True)
    assert "Er is nog niets veranderd." in body and "waarvan 1 over kunnen" in body
    assert f"Casus {waiting}" in body and "Aanmelding bekijken (procesregisseur)" in body
    assert "Nee: de casus staat op of is voorbij" in body and "crisisoverleg_houden" in body
    assert engine.instance(waiting).version == 1  # looking changed nothing

    refused = auth.post(page, {"reden": "  "}, token_from=page)
    assert refused.status_code == 400 and "Schrijf op waarom u de casussen overzet." in refused.get_data(as_text=True)
    assert engine.instance(waiting).version == 1

    done = auth.post(page, {"reden": "Convenant 2027"}, token_from=page)
    assert done.status_code == 302
    after = client.get(page).get_data(as_text=True)
    assert "1 casus is overgezet naar versie 2. 1 casus blijft op de eigen versie." in after
    assert (engine.instance(waiting).version, engine.instance(crisis).version) == (2, 1)
    [entry] = [h for h in engine.history(waiting) if h.task_type == "CaseMigrated"]
    assert (entry.actor, entry.data["reden"]) == ("proceseigenaar", "Convenant 2027")


@pytest.mark.parametrize("username", sorted(set(ACCOUNTS) - MAY_READ))
def test_no_other_role_sees_or_moves_cases_between_versions(app, engine, cases_on_version_1, username):
    waiting, _crisis = cases_on_version_1
    client = client_for(app)
    auth = AuthActions(client)
    auth.login(username)
    page = "/processen/zvt_casus/versies/2/overzetten"
    assert client.get(page).status_code == 403
    assert auth.post(page, {"reden": "Convenant 2027"}, token_from="/taken").status_code == 403
    assert engine.instance(waiting).version == 1


def test_the_page_says_a_case_waiting_behind_a_new_task_stays_and_why(auth, client, engine, tmp_path):
    from tests.engine.test_migrating import inserted
    from tests.processes.conftest import start
    from tests.processes.test_datalek import ap_besluit, melding

    engine.deploy(PROCESSES, FORMS)
    case = start(engine, "datalek", melding())
    case.complete("ap_besluit", ap_besluit("risico"), role="teamleider")
    engine.deploy(inserted(tmp_path, "datalek", "f_naar_register",
                           '<bpmn:userTask id="extra_controle" name="Extra controle"></bpmn:userTask>', "lane_fg"),
                  FORMS, actor="proceseigenaar")
    auth.login("proceseigenaar")
    page = "/processen/datalek/versies/2/overzetten"
    body = client.get(page).get_data(as_text=True)
    assert "waarvan 0 over kunnen" in body and f"Casus {case.id}" in body
    assert "staat al achter de plek waar versie 2 de taak\n        extra_controle toevoegt" in body
    assert "Zet " not in body  # nothing to move: no button
    assert engine.instance(case.id).version == 1
