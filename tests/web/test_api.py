"""The REST API (/api/v1) as partner systems use it, on SQLite and PostgreSQL: every endpoint, the
policy and its 404/403 as on the pages, the access log, tokens that expire or are revoked, session
cookies refused, and the rate limit. Every answer is checked against the OpenAPI document
(tests/web/api_support.py)."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from engine import api_clients, casework
from engine.db import AccessLogEntry, Account, AccountEvent, ApiClient, HistoryEntry, Instance
from engine.identity import User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN, aanmelding
from tests.web.api_support import Api, add_client
from tests.web.conftest import AuthActions, build_app, client_for
from web.api.openapi import DOCUMENT, INVALID_DATA_TYPE

CASES, TASKS = "/api/v1/cases", "/api/v1/tasks"


@pytest.fixture
def deployed(engine):
    engine.deploy(PROCESSES, FORMS)
    return engine


@pytest.fixture
def api(app, client) -> Api:
    return Api(app, client)


@pytest.fixture
def woonfriesland(deployed) -> str:
    """WoonFriesland's customer system: a partnermedewerker of WoonFriesland."""
    return add_client(deployed, "woonfriesland-crm", "woonfriesland")


@pytest.fixture
def elkien(deployed) -> str:
    return add_client(deployed, "elkien-crm", "elkien")


@pytest.fixture
def regie(deployed) -> str:
    """The municipality's case system, as its procesregisseur: it directs every case."""
    return add_client(deployed, "gemeente-regie", "gemeente_heerenveen", ("procesregisseur",))


def log_rows(engine, username: str | None = None) -> list[tuple]:
    query = select(AccessLogEntry).order_by(AccessLogEntry.id)
    if username:
        query = query.where(AccessLogEntry.username == username)
    with engine.database.unit_of_work(write=False) as uow:
        # The origin's first word: `api:<client>`; the client's user agent follows it.
        return [(r.username, r.partner, r.action, r.object_type, r.object_id, r.result, r.origin_device.split()[0])
                for r in uow.session.scalars(query)]


def aanmeldingen(engine) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Instance).where(Instance.process_id == "zvt_casus"))


def start(api: Api, token: str, **changes) -> int:
    response = api.post(CASES, {"process_id": "zvt_casus", "data": aanmelding(**changes)}, token=token)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["number"]


# -- the document and how the API answers what matches no operation -------------------------------

def test_the_document_is_served_without_a_token_and_lists_exactly_the_api_s_routes(app, api):
    response = api.get("/api/v1/openapi.json", token="")
    assert response.status_code == 200 and response.get_json() == DOCUMENT
    assert response.get_json()["openapi"] == "3.1.0"
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(path.replace("{number}", "<casus:number>").replace("{task_id}", "<taak:task_id>"), method.upper())
                  for path, item in DOCUMENT["paths"].items() for method in item}
    assert routes == documented


def test_what_matches_no_operation_is_a_problem_document_not_a_dutch_page(api, woonfriesland):
    unknown = api.get("/api/v1/onbekend", token=woonfriesland)
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    assert unknown.get_json()["title"] == "Not Found"
    wrong_method = api.call("DELETE", CASES, token=woonfriesland)
    assert wrong_method.status_code == 405 and wrong_method.headers["Allow"] == "POST"
    assert api.call("OPTIONS", TASKS, token=woonfriesland).status_code == 405
    not_a_task = api.get(f"{TASKS}/geen-uuid", token=woonfriesland)  # the pages' converter: 404 before any query
    assert not_a_task.status_code == 404
    control = api.get(f"{TASKS}?x=%00", token=woonfriesland)
    assert control.status_code == 400 and control.mimetype == "application/problem+json"


def test_a_body_larger_than_the_server_takes_is_a_413_problem(database_url, clock, engine, deployed, woonfriesland):
    app = build_app(database_url, clock, environment="development", max_request_kb=1)
    try:
        response = Api(app, client_for(app), woonfriesland).post(
            CASES, {"process_id": "zvt_casus", "data": aanmelding(reden_aanmelding="x" * 2000)})
        assert response.status_code == 413 and response.get_json()["status"] == 413
    finally:
        app.extensions["zvt_engine"].close()


# -- tokens --------------------------------------------------------------------------------------

def test_no_token_or_an_unknown_one_is_refused_with_401_and_a_challenge(api, woonfriesland):
    missing = api.get(TASKS, token="")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == 'Bearer realm="zvt"'
    unknown = api.get(TASKS, token="zvt_" + "x" * 43)
    assert unknown.status_code == 401 and 'error="invalid_token"' in unknown.headers["WWW-Authenticate"]
    assert unknown.get_json()["detail"] == "The token is not known."
    basic = api.get(TASKS, token="", headers={"Authorization": f"Basic {woonfriesland}"})
    assert basic.status_code == 401
    assert api.get(TASKS, token=woonfriesland).status_code == 200


def test_only_the_hash_of_a_token_is_stored(deployed, woonfriesland):
    with deployed.database.unit_of_work(write=False) as uow:
        stored = uow.session.scalar(select(ApiClient.token_hash))
    assert stored == api_clients.token_hash(woonfriesland) and woonfriesland not in stored
    assert woonfriesland.startswith("zvt_") and len(woonfriesland) >= 40


def test_an_expired_token_is_refused(api, deployed, clock):
    token = add_client(deployed, "kort", "woonfriesland", days=1)
    assert api.get(TASKS, token=token).status_code == 200
    clock.advance(days=1)
    response = api.get(TASKS, token=token)
    assert response.status_code == 401 and "expired" in response.get_json()["detail"]
    assert [row.state for row in api_clients.clients(deployed.database, clock())] == ["verlopen"]


def test_a_revoked_token_is_refused_and_its_service_account_is_switched_off(api, deployed, clock, woonfriesland):
    assert api_clients.revoke(deployed.database, "woonfriesland-crm", "beheerder", clock())
    response = api.get(TASKS, token=woonfriesland)
    assert response.status_code == 401 and response.get_json()["detail"] == "The token has been revoked."
    with deployed.database.unit_of_work(write=False) as uow:
        account = uow.session.scalar(select(Account).where(Account.username == "api-woonfriesland-crm"))
        active = account.active
        events = [e.action for e in uow.session.scalars(select(AccountEvent).where(
            AccountEvent.account_id == account.id).order_by(AccountEvent.id))]
    assert not active
    assert events == ["api_koppeling_aangemaakt", "aangevraagd", "goedgekeurd", "api_sleutel_ingetrokken",
                      "gedeactiveerd"]
    assert not api_clients.revoke(deployed.database, "woonfriesland-crm", "beheerder", clock())


def test_a_new_token_replaces_the_old_one_at_once(api, deployed, clock, woonfriesland):
    renewed = api_clients.renew(deployed.database, "woonfriesland-crm", "beheerder", clock())
    assert api.get(TASKS, token=woonfriesland).status_code == 401
    assert api.get(TASKS, token=renewed.token).status_code == 200


def test_a_token_stops_working_when_its_account_or_partner_does(api, deployed, clock, woonfriesland):
    with deployed.database.unit_of_work() as uow:
        uow.session.query(Account).filter_by(username="api-woonfriesland-crm").update({"active": False})
        uow.commit()
    response = api.get(TASKS, token=woonfriesland)
    assert response.status_code == 401 and "no longer works" in response.get_json()["detail"]


def test_the_service_account_cannot_sign_in_on_the_pages(auth, woonfriesland):
    page = auth.login("api-woonfriesland-crm", password="!api-client: signs in with its token only")
    assert "De gebruikersnaam of het wachtwoord klopt niet." in page.get_data(as_text=True)


def test_a_request_with_a_session_cookie_is_refused_even_with_a_valid_token(api, auth, client, woonfriesland):
    auth.login("partnermedewerker")  # the browser's session cookie is now in the client
    with_token = api.get(TASKS, token=woonfriesland)
    assert with_token.status_code == 401 and "session cookie" in with_token.get_json()["detail"]
    without = api.get(TASKS, token="")
    assert without.status_code == 401 and without.mimetype == "application/problem+json"
    # No CSRF token is asked of the API, so a form elsewhere riding on the cookie would be refused here.
    posted = api.post(CASES, {"process_id": "zvt_casus", "data": aanmelding()}, token="")
    assert posted.status_code == 401


def test_roles_that_administer_are_not_for_an_api_client(deployed):
    for role in ("beheerder", "fg", "proceseigenaar", "koning"):
        with pytest.raises(api_clients.ClientRefused):
            add_client(deployed, f"x-{role}", "woonfriesland", (role,))
    with pytest.raises(api_clients.ClientRefused, match="exists already"):
        add_client(deployed, "dubbel", "woonfriesland")
        add_client(deployed, "dubbel", "elkien")


# -- starting a case -----------------------------------------------------------------------------

def test_a_partner_system_starts_a_case_for_its_own_organisation_logged_as_the_api(api, deployed, woonfriesland):
    response = api.post(CASES, {"process_id": "zvt_casus", "data": aanmelding()}, token=woonfriesland,
                        headers={"User-Agent": "WoonFriesland-CRM/2.1"})
    assert response.status_code == 201
    number = response.get_json()["number"]
    assert response.headers["Location"].endswith(f"/api/v1/cases/{number}") and response.get_json()["may_read"]
    with deployed.database.unit_of_work(write=False) as uow:
        case = uow.session.get(Instance, number)
        assert case.data["aanmelder_partner"] == "woonfriesland" and case.started_by == "api-woonfriesland-crm"
        device = uow.session.scalar(select(AccessLogEntry.origin_device))
    assert log_rows(deployed, "api-woonfriesland-crm") == [
        ("api-woonfriesland-crm", "woonfriesland", "create", "case", str(number), "toegestaan",
         "api:woonfriesland-crm")]
    assert device == "api:woonfriesland-crm WoonFriesland-CRM/2.1"


def test_start_data_is_checked_by_the_form_and_every_wrong_field_is_in_the_problem(api, deployed, woonfriesland):
    data = aanmelding(urgentie="morgen", aanmelder_partner="elkien")
    del data["reden_aanmelding"]
    response = api.post(CASES, {"process_id": "zvt_casus", "data": data}, token=woonfriesland)
    problem = response.get_json()
    assert response.status_code == 422 and problem["type"] == INVALID_DATA_TYPE
    found = {(e["pointer"], e["code"]) for e in problem["errors"]}
    assert {("/data/reden_aanmelding", "required"), ("/data/aanmelder_partner", "additionalProperties")} <= found
    assert "/data/urgentie" in {pointer for pointer, _ in found}
    assert aanmeldingen(deployed) == 0


def test_the_api_refuses_the_start_data_the_web_form_refuses(app, api, auth, client, deployed, woonfriesland):
    """The same check: a date of birth in the future fails the form's date rule on both faces."""
    response = api.post(CASES, {"process_id": "zvt_casus", "data": aanmelding(betrokkene_geboortedatum="2030-01-01")},
                        token=woonfriesland)
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["betrokkene_geboortedatum"]
    # The same aanmelding, posted as the web form posts it, by a person of the same organisation.
    auth.login("partnermedewerker")
    form = {"betrokkene_naam": "Mevrouw A. de Vries", "betrokkene_geboortedatum": "2030-01-01",
            "betrokkene_adres": "Voorbeeldstraat 1", "reden_aanmelding": "Huurachterstand.", "situaties": ["overlast"],
            "leefgebieden": ["wonen"], "zelfregie": "nee", "grote_maatschappelijke_impact": "nee",
            "betrokkene_op_de_hoogte": "ja", "toestemming": "ja", "grondslag_afgewogen": "ja"}
    page = auth.post("/aanmelding/nieuw", form, token_from="/aanmelding/nieuw")
    assert page.status_code == 400 and aanmeldingen(deployed) == 0


def test_a_body_that_is_not_the_request_schema_is_a_400_with_where(api, woonfriesland):
    missing = api.post(CASES, {"data": {}}, token=woonfriesland)
    assert missing.status_code == 400
    assert [(e["pointer"], e["code"]) for e in missing.get_json()["errors"]] == [("", "required")]
    bad_id = api.post(CASES, {"process_id": "zvt casus!", "data": {}}, token=woonfriesland)
    assert [e["pointer"] for e in bad_id.get_json()["errors"]] == ["/process_id"]
    not_json = api.post(CASES, token=woonfriesland, data="process_id=zvt_casus",
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert not_json.status_code == 415
    broken = api.post(CASES, token=woonfriesland, data="{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400


def test_a_role_that_may_not_start_the_process_gets_403_and_the_refusal_is_logged(api, deployed):
    manager = add_client(deployed, "accolade-rapportage", "accolade", ("manager",))
    response = api.post(CASES, {"process_id": "zvt_casus", "data": aanmelding()}, token=manager)
    assert response.status_code == 403
    assert log_rows(deployed, "api-accolade-rapportage") == [
        ("api-accolade-rapportage", "accolade", "create", "case", "zvt_casus", "geweigerd", "api:accolade-rapportage")]


def test_the_processes_list_holds_what_the_client_may_start_with_its_form(api, deployed, woonfriesland):
    response = api.get("/api/v1/processes", token=woonfriesland)
    processes = {p["process_id"]: p for p in response.get_json()["processes"]}
    user = User("x", "x", "woonfriesland", frozenset({"partnermedewerker"}))
    from engine import policy
    assert set(processes) == {pid for pid in ("zvt_casus", "datalek", "rechten_betrokkene", "klacht", "convenant",
                                              "jaarlijkse_evaluatie", "toegangsreview") if policy.may_start(user, pid)}
    assert processes["zvt_casus"]["start_form"] == deployed.start_form("zvt_casus")


# -- tasks ---------------------------------------------------------------------------------------

def test_my_tasks_are_the_inbox_of_the_service_account(api, deployed, woonfriesland, regie):
    number = start(api, woonfriesland)
    tasks = api.get(TASKS, token=regie).get_json()["tasks"]
    regisseur = User("api-gemeente-regie", "x", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
    inbox = casework.inbox(deployed, regisseur)
    assert [t["id"] for t in tasks] == [i.task.id for i in inbox.items] and len(tasks) == 1
    assert tasks[0]["case"] == number and tasks[0]["name"] == "Aanmelding beoordelen" and not tasks[0]["mine"]
    assert api.get(TASKS, token=woonfriesland).get_json() == {"tasks": []}
    # No personal data in the list, so no access-log row, as Mijn taken.
    assert log_rows(deployed, "api-gemeente-regie") == []


def test_a_task_is_read_and_completed_with_its_form_through_the_api(api, deployed, woonfriesland, regie):
    number = start(api, woonfriesland)
    [task] = deployed.ready_tasks(number)
    read = api.get(f"{TASKS}/{task.id}", token=regie).get_json()
    assert read["form"]["title"] == "Aanmelding beoordelen" and read["case"] == number
    assert read["read_only"]["voorgesteld_niveau"] in (0, 1, 2, 3, 4)

    wrong = api.post(f"{TASKS}/{task.id}/complete", {"data": {"niveau": 9}}, token=regie)
    assert wrong.status_code == 422
    assert {e["pointer"] for e in wrong.get_json()["errors"]} >= {"/data/besluit_beoordeling", "/data/niveau"}
    assert [t.id for t in deployed.ready_tasks(number)] == [task.id]  # nothing saved

    data = {**OPPAKKEN, "niveau": read["read_only"]["voorgesteld_niveau"]}
    done = api.post(f"{TASKS}/{task.id}/complete", {"data": data}, token=regie)
    assert done.status_code == 200
    assert done.get_json() == {"case": number, "task_name": "Aanmelding beoordelen", "may_read_case": True}
    with deployed.database.unit_of_work(write=False) as uow:
        actor = uow.session.scalar(select(HistoryEntry.actor).where(HistoryEntry.task_id == task.id))
    assert actor == "api-gemeente-regie"
    assert [(r[2], r[3], r[4], r[5]) for r in log_rows(deployed, "api-gemeente-regie")] == [
        ("read", "task", task.id, "toegestaan"), ("change", "task", task.id, "toegestaan")]

    again = api.post(f"{TASKS}/{task.id}/complete", {"data": data}, token=regie)
    assert again.status_code == 409 and again.get_json()["completed_by_you"] is True


def test_a_task_for_another_role_is_403_logged_and_an_unknown_one_404(api, deployed, woonfriesland):
    number = start(api, woonfriesland)
    [task] = deployed.ready_tasks(number)  # the procesregisseur's beoordeling
    assert api.get(f"{TASKS}/{task.id}", token=woonfriesland).status_code == 403
    refused = api.post(f"{TASKS}/{task.id}/complete", {"data": OPPAKKEN}, token=woonfriesland)
    assert refused.status_code == 403
    assert [(r[2], r[3], r[5]) for r in log_rows(deployed, "api-woonfriesland-crm")][1:] == [
        ("read", "task", "geweigerd"), ("change", "task", "geweigerd")]
    missing = "00000000-0000-4000-8000-000000000000"
    assert api.get(f"{TASKS}/{missing}", token=woonfriesland).status_code == 404
    assert api.post(f"{TASKS}/{missing}/complete", {"data": {}}, token=woonfriesland).status_code == 404
    assert len(log_rows(deployed, "api-woonfriesland-crm")) == 3  # a 404 reads nothing, so no row


# -- reading a case ------------------------------------------------------------------------------

def test_a_client_of_another_partner_gets_403_logged_and_no_case_404_as_on_the_pages(
        api, auth, deployed, woonfriesland, elkien):
    number = start(api, woonfriesland)
    refused = api.get(f"{CASES}/{number}", token=elkien)
    assert refused.status_code == 403 and "betrokkene" not in refused.get_data(as_text=True)
    assert log_rows(deployed, "api-elkien-crm") == [
        ("api-elkien-crm", "elkien", "read", "case", str(number), "geweigerd", "api:elkien-crm")]
    assert api.get(f"{CASES}/{number + 1}", token=elkien).status_code == 404
    assert api.get(f"{CASES}/2147483648", token=elkien).status_code == 404
    assert len(log_rows(deployed, "api-elkien-crm")) == 1
    # The pages answer the same: 403 for a case of another organisation, 404 for none.
    auth.login("politie")
    assert auth.client.get(f"/casussen/{number}").status_code == 403
    assert auth.client.get(f"/casussen/{number + 1}").status_code == 404


def test_the_fg_reads_in_the_access_log_which_partner_system_read_a_case(api, auth, client, deployed, woonfriesland,
                                                                          elkien):
    number = start(api, woonfriesland)
    assert api.get(f"{CASES}/{number}", token=elkien).status_code == 403
    auth.login("fg")
    page = client.get(f"/fg/toegangslog?casus={number}").get_data(as_text=True)
    assert page.count(", via de koppeling woonfriesland-crm</td>") == 1  # it started the case
    assert page.count(", via de koppeling elkien-crm</td>") == 1  # its refused read
    assert "via de koppeling api-" not in page


def test_a_case_reads_as_its_page_shows_it_and_holds_nothing_the_page_does_not(
        app, api, deployed, woonfriesland, regie):
    number = start(api, woonfriesland)
    [task] = deployed.ready_tasks(number)
    assert api.post(f"{TASKS}/{task.id}/complete", {"data": {**OPPAKKEN, "niveau": 3, "reden_afwijking": "Zorgen."}},
                    token=regie).status_code == 200
    [task] = deployed.ready_tasks(number)
    assert api.post(f"{TASKS}/{task.id}/complete", {"data": INFORMEREN}, token=regie).status_code == 200

    case = api.get(f"{CASES}/{number}", token=regie).get_json()
    assert case["number"] == number and case["status"] == "running" and case["process_id"] == "zvt_casus"
    summary = {a["field"]: a["value"] for a in case["summary"]}
    assert summary["betrokkene_naam"] == "Mevrouw A. de Vries"
    assert [p["code"] for p in case["participants"]] == sorted(OPPAKKEN["deelnemende_partners"])
    assert case["informing"]["state"] == "informed" and case["niveau"]["current"] == 3
    beoordeling = next(s for s in case["steps"] if s["bpmn_id"] == "beoordeling")
    answered = {a["field"] for a in beoordeling["answers"]}
    assert "toelichting_besluit" in answered and "voorgesteld_niveau" not in answered  # read-only: not entered
    assert beoordeling["by"] == "api-gemeente-regie"

    # Nothing more than the page: every text the API gives as an answer is on the case page of a
    # person with the same role and organisation.
    client = client_for(app)
    AuthActions(client).login("procesregisseur")
    page = html.unescape(client.get(f"/casussen/{number}").get_data(as_text=True))
    texts = [a["value"] for part in [case["summary"], *(s["answers"] for s in case["steps"])] for a in part
             if isinstance(a["value"], str) and " " in a["value"]]
    assert texts and all(text in page for text in texts)
    assert ("read", "case", str(number), "toegestaan") in [(r[2], r[3], r[4], r[5])
                                                             for r in log_rows(deployed, "api-gemeente-regie")]


def test_the_referring_organisation_that_may_only_read_the_terugkoppeling_gets_403_logged(api, deployed, regie):
    """On the pages such a reader is sent to the terugkoppeling; the API refuses and logs it."""
    woon = add_client(deployed, "woon-2", "woonfriesland")
    number = start(api, woon)
    [task] = deployed.ready_tasks(number)
    data = {**OPPAKKEN, "niveau": 3, "reden_afwijking": "Zorgen.", "deelnemende_partners": ["gemeente_heerenveen"]}
    assert api.post(f"{TASKS}/{task.id}/complete", {"data": data}, token=regie).status_code == 200
    assert api.get(f"{CASES}/{number}", token=woon).status_code == 403
    assert log_rows(deployed, "api-woon-2")[-1][2:6] == ("read", "case", str(number), "geweigerd")


# -- rate limit ----------------------------------------------------------------------------------

def test_the_rate_limit_is_per_client_gives_429_with_retry_after_and_is_shared_by_every_worker(
        api, database_url, deployed, clock, woonfriesland):
    token = add_client(deployed, "traag", "elkien", per_minute=3)
    clock.advance(seconds=15)  # 16:00:15: the window ends at 16:01:00
    other_worker = build_app(database_url, clock, environment="development")
    try:
        second = Api(other_worker, client_for(other_worker), token)
        assert [api.get(TASKS, token=token).status_code, second.get(TASKS).status_code,
                api.get(TASKS, token=token).status_code] == [200, 200, 200]
        limited = second.get(TASKS)
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "45"
        assert limited.get_json()["detail"] == "This client may make 3 requests a minute."
        assert api.get(TASKS, token=woonfriesland).status_code == 200  # another client has its own count
        clock.advance(seconds=45)
        assert api.get(TASKS, token=token).status_code == 200
    finally:
        other_worker.extensions["zvt_engine"].close()


def test_demo_data_has_a_working_api_client_for_woonfriesland(api, deployed):
    from zvt import demo

    assert demo.load_api_client(deployed) and not demo.load_api_client(deployed)
    response = api.get(TASKS, token=demo.API_TOKEN)
    assert response.status_code == 200
    [row] = [r for r in api_clients.clients(deployed.database, deployed.clock()) if r.code == demo.API_CLIENT]
    assert (row.partner, row.roles, row.state) == ("woonfriesland", ("partnermedewerker",), "actief")
    # Its service account is a demo account: production refuses to start on a database with it.
    with deployed.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(Account.demo).where(Account.username == "api-woonfriesland-crm")) is True
