"""Mijn taken, a task's form, the case page and a new aanmelding, through the Flask test client."""
import re

import pytest
from sqlalchemy import func, select

from engine import casework
from engine.db import AccessLogEntry
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN, aanmelding
from tests.web.conftest import AuthActions, client_for

NAAM = "Mevrouw A. de Vries"
HERE = Origin("192.0.2.1", "test")
WOONFRIESLAND = User("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland", frozenset({"partnermedewerker"}))
PARTNERS_WITHOUT_POLITIE = ["gemeente_heerenveen", "woonfriesland"]


@pytest.fixture
def case(engine):
    return taken_up_case(engine)


def taken_up_case(engine) -> int:
    """A zvt_casus filed by WoonFriesland and taken up with the municipality and WoonFriesland."""
    engine.deploy(PROCESSES, FORMS)
    number = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    [task] = engine.ready_tasks(number)
    engine.complete(task.id, {**OPPAKKEN, "deelnemende_partners": PARTNERS_WITHOUT_POLITIE}, actor="procesregisseur")
    return number


def open_task(engine, number):
    [task] = engine.ready_tasks(number)
    return task


def test_mijn_taken_counts_and_lists_the_tasks_of_my_role(auth, client, engine, case):
    auth.login("procesregisseur")
    body = client.get("/taken").get_data(as_text=True)
    assert "Open voor mijn rol: <strong>1</strong>" in body
    assert "Betrokkene informeren" in body and NAAM not in body  # the inbox shows no personal data
    auth.logout()
    auth.login("politie")
    assert "Er zijn geen open taken voor uw rol." in client.get("/taken").get_data(as_text=True)


def test_a_task_form_shows_dutch_errors_keeps_what_was_entered_and_then_completes(auth, client, engine, case):
    auth.login("procesregisseur")
    task = open_task(engine, case)
    page = client.get(f"/taken/{task.id}")
    assert page.status_code == 200 and "Betrokkene informeren" in page.get_data(as_text=True)

    wrong = auth.post(f"/taken/{task.id}", {"bronnen_en_ontvangers": "WoonFriesland en GGZ"}, token_from=f"/taken/{task.id}")
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert "Er ging iets mis. Controleer deze velden:" in body and "Vul een datum in." in body
    assert "WoonFriesland en GGZ" in body  # kept

    form = {"datum_geinformeerd": "2026-11-27", "manier": "gesprek", "gegevens_en_doel": "ja",
            "bronnen_en_ontvangers": "WoonFriesland", "rechten_uitgelegd": "ja", "uitgenodigd_voor_plan": "ja"}
    done = auth.post(f"/taken/{task.id}", form, token_from=f"/taken/{task.id}")
    assert done.status_code == 302 and done.location.endswith(f"/casussen/{case}")
    assert open_task(engine, case).bpmn_id == "privacycheck_plangesprek"  # before the plan, who takes part


def test_the_beoordeling_page_follows_its_ui_schema(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    number = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    auth.login("procesregisseur")
    body = client.get(f"/taken/{open_task(engine, number).id}").get_data(as_text=True)
    assert "Kijk naar het voorstel hierboven." in body  # the UI schema's help at the niveau


def test_completing_a_task_someone_else_completed_first_gives_the_dutch_409(app, auth, client, engine, case):
    auth.login("procesregisseur")
    task = open_task(engine, case)
    token_page = f"/taken/{task.id}"
    token = auth.csrf_token(token_page)
    engine.complete(task.id, INFORMEREN, actor="collega")
    response = client.post(token_page, data={"csrf_token": token})
    assert response.status_code in (404, 409)
    if response.status_code == 409:
        assert "Iemand anders heeft deze taak al afgerond." in response.get_data(as_text=True)


def test_claiming_and_releasing_a_task(auth, client, engine, case):
    auth.login("procesregisseur")
    task = open_task(engine, case)
    auth.post(f"/taken/{task.id}/oppakken", token_from="/taken")
    assert engine.task(task.id).assignee == "procesregisseur"
    auth.post(f"/taken/{task.id}/vrijgeven", token_from="/taken")
    assert engine.task(task.id).assignee is None


def test_the_case_page_shows_the_person_the_niveau_the_partners_the_timeline_and_the_diagram(auth, client, case):
    auth.login("procesregisseur")
    body = client.get(f"/casussen/{case}").get_data(as_text=True)
    assert NAAM in body and "Niveau nu: <strong>3</strong>" in body
    assert "WoonFriesland" in body and "Gemeente Heerenveen" in body
    assert re.search(r"<dt>Geboortedatum</dt><dd>\s*4 maart 1971\s*</dd>", body)  # the date of birth, the Dutch way
    timeline = body[body.index('id="kop-dossier"'):body.index('id="kop-diagram"')]
    assert "Aanmelding beoordelen" in timeline and "procesregisseur" in timeline
    assert "Oppakken?" not in timeline  # a gateway only repeats the answer of the task before it
    assert "Aanmelding registreren" in timeline and "automatisch" in timeline  # a script step
    assert 'data-bpmn="' in body and "bpmn-navigated-viewer.js" in body
    assert re.search(r'data-markers="\{&#34;finished&#34;: \[.*&#34;beoordeling&#34;', body)


def test_a_new_aanmelding_is_checked_and_then_filed_for_the_employees_organisation(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    auth.login("politie")
    assert "Aanmelding bij het zorg- en veiligheidsteam" in client.get("/aanmelding/nieuw").get_data(as_text=True)
    wrong = auth.post("/aanmelding/nieuw", {"betrokkene_naam": "B"}, token_from="/aanmelding/nieuw")
    assert wrong.status_code == 400 and "Vul dit veld in." in wrong.get_data(as_text=True)
    form = {"betrokkene_naam": "Meneer B. Bakker", "betrokkene_adres": "Demoweg 2, Heerenveen",
            "reden_aanmelding": "Overlast en zorgen over verwaarlozing.", "situaties": ["overlast"],
            "leefgebieden": ["wonen", "zelfzorg"], "zelfregie": "nee", "grote_maatschappelijke_impact": "nee",
            "betrokkene_op_de_hoogte": "ja", "toestemming": "ja", "grondslag_afgewogen": "ja"}
    done = auth.post("/aanmelding/nieuw", form, token_from="/aanmelding/nieuw")
    assert done.status_code == 302
    number = int(done.location.rsplit("/", 1)[1])
    assert engine.instance(number).data["aanmelder_partner"] == "politie"


def test_roles_that_may_not_file_an_aanmelding_get_403(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    auth.login("beheerder")
    assert client.get("/aanmelding/nieuw").status_code == 403


# -- need to know: every route x every demo account -----------------------------------------

ACCOUNTS = ["procesregisseur", "partnermedewerker", "politie", "teamleider", "proceseigenaar", "fg", "beheerder", "manager"]
# Who may see this case (procesregisseur directs it; WoonFriesland takes part) and do its open task.
MAY_VIEW = {"procesregisseur", "partnermedewerker"}
MAY_DO = {"procesregisseur"}  # the open task, betrokkene_informeren, is in the procesregisseur lane
MAY_READ_FEEDBACK = {"partnermedewerker"}  # WoonFriesland referred the case


def refusals(engine, username: str) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(AccessLogEntry).where(
            AccessLogEntry.username == username, AccessLogEntry.result == "geweigerd"))


@pytest.mark.parametrize("username", ACCOUNTS)
def test_need_to_know_holds_on_every_route_for_every_account(app, engine, case, username):
    client = client_for(app)
    auth = AuthActions(client)
    auth.login(username)
    task = open_task(engine, case)
    routes = [
        ("get", f"/casussen/{case}", username in MAY_VIEW),
        ("get", f"/taken/{task.id}", username in MAY_DO),
        ("post", f"/taken/{task.id}", username in MAY_DO),
        ("post", f"/taken/{task.id}/oppakken", username in MAY_DO),
        ("post", f"/taken/{task.id}/toewijzen", username in MAY_DO),
        ("post", f"/taken/{task.id}/vrijgeven", username in MAY_DO),
        ("post", f"/taken/{task.id}/concept", username in MAY_DO),
        # Anyone may throw away their own draft of a task (it removes data); there is none here.
        ("post", f"/taken/{task.id}/concept/weggooien", True),
        ("get", f"/casussen/{case}/dossier.pdf", username in MAY_VIEW),
        ("get", f"/casussen/{case}/terugkoppeling", username in MAY_READ_FEEDBACK),
    ]
    for method, path, allowed in routes:
        refused_before = refusals(engine, username)
        if method == "get":
            response = client.get(path)
        else:
            response = auth.post(path, {"collega": "procesregisseur"}, token_from="/taken")
        body = response.get_data()
        if allowed:
            assert response.status_code in (200, 302, 400, 409), (username, method, path, response.status_code)
        else:
            assert response.status_code in (403, 404), (username, method, path, response.status_code)
            assert NAAM.encode() not in body and b"Voorbeeldstraat" not in body, (username, path)
            if response.status_code == 403:  # a refusal, not a page that does not exist: in the log
                assert refusals(engine, username) == refused_before + 1, (username, method, path)
    inbox = client.get("/taken").get_data(as_text=True)
    assert (f"/taken/{task.id}" in inbox) == (username in MAY_DO and engine.task(task.id).assignee in (None, username))
    # Casussen: listed, counted and found by name only for who may open the case.
    for typed in ("", "de vries", str(case)):  # as the form sends it, then on to the list
        listing = auth.post("/casussen", {"status": "all", "zoek": typed}, follow_redirects=True).get_data(as_text=True)
        assert (f'href="/casussen/{case}"' in listing) == (username in MAY_VIEW), (username, typed)
        assert (NAAM in listing) == (username in MAY_VIEW), (username, typed)


def test_warm_up_compiles_every_page_template_before_the_first_request(app):
    from web import warm_up

    pages = set(app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html")))
    assert "task.html" in pages and "case.html" in pages
    compiled = {name for _, name in app.jinja_env.cache.keys()} if app.jinja_env.cache is not None else set()
    assert not pages <= compiled
    warm_up(app)
    assert pages <= {name for _, name in app.jinja_env.cache.keys()}
