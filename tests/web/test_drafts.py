"""Drafts of a task form, a form sent after the idle timeout, a double submit, and where the
user goes after completing a task. Through the Flask test client, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import func, select

from engine import casework, drafts
from engine.db import AccessLogEntry, TaskDraft
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_datalek import FG_ADVIES, REGISTER, ap_besluit, melding
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN, aanmelding
from tests.web.conftest import AuthActions, add_account, client_for

HERE = Origin("192.0.2.1", "test")
WOONFRIESLAND = User("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland", frozenset({"partnermedewerker"}))
PROCESREGISSEUR = User("procesregisseur", "Demo Procesregisseur", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
TYPED = "Gesproken met de huisarts en de wijkagent"  # invented, as all test data
FORM = {"datum_geinformeerd": "2026-11-27", "manier": "gesprek", "gegevens_en_doel": "ja",
        "bronnen_en_ontvangers": "WoonFriesland", "rechten_uitgelegd": "ja", "uitgenodigd_voor_plan": "ja"}
COLLEAGUE_PASSWORD = "een-lang-wachtwoord-voor-de-test"


@pytest.fixture
def case(engine):
    """A zvt_casus taken up with the municipality and WoonFriesland; open: Betrokkene informeren."""
    engine.deploy(PROCESSES, FORMS)
    number = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    [task] = engine.ready_tasks(number)
    engine.complete(task.id, {**OPPAKKEN, "deelnemende_partners": ["gemeente_heerenveen", "woonfriesland"]},
                    actor="procesregisseur")
    return number


@pytest.fixture
def task_id(engine, case):
    [task] = engine.ready_tasks(case)
    return task.id


def draft_rows(engine, task_id=None):
    with engine.database.unit_of_work(write=False) as uow:
        query = select(TaskDraft)
        if task_id is not None:
            query = query.where(TaskDraft.task_id == task_id)
        return [(row.username, row.data) for row in uow.session.scalars(query)]


def log_rows(engine, object_type="draft"):
    with engine.database.unit_of_work(write=False) as uow:
        return [(r.username, r.action, r.object_id, r.result) for r in uow.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.object_type == object_type).order_by(AccessLogEntry.id))]


def refusals(engine, username):
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(AccessLogEntry).where(
            AccessLogEntry.username == username, AccessLogEntry.result == "geweigerd"))


def idle_past(app, clock):
    clock.advance(minutes=app.extensions["zvt_config"].session_idle_minutes, seconds=1)


# -- saving a draft ---------------------------------------------------------------------------------

def test_tussentijds_opslaan_keeps_what_was_typed_for_the_author_only(app, auth, client, engine, task_id):
    auth.login("procesregisseur")
    page = f"/taken/{task_id}"
    assert "Tussentijds opslaan" in client.get(page).get_data(as_text=True)
    saved = auth.post(f"{page}/concept", {"bronnen_en_ontvangers": TYPED, "manier": "gesprek"}, token_from=page)
    assert saved.status_code == 302 and saved.location.endswith(page)
    body = client.get(page).get_data(as_text=True)
    assert TYPED in body and "Hieronder staat uw concept" in body and "Uw concept is opgeslagen" in body
    assert draft_rows(engine, task_id) == [("procesregisseur", {"bronnen_en_ontvangers": TYPED, "manier": "gesprek"})]
    assert engine.ready_tasks(engine.task(task_id).instance_id)[0].id == task_id  # nothing completed
    assert log_rows(engine) == [("procesregisseur", "change", task_id, "toegestaan")]

    # A colleague with the same role opens the same task: an empty form, not the draft.
    add_account(engine, "collega", COLLEAGUE_PASSWORD, roles=("procesregisseur",))
    colleague = AuthActions(client_for(app))
    colleague.login("collega", COLLEAGUE_PASSWORD)
    other = colleague.client.get(page).get_data(as_text=True)
    assert TYPED not in other and "Hieronder staat uw concept" not in other


def test_autosave_answers_without_a_page_and_a_second_save_replaces_the_first(auth, client, engine, task_id):
    auth.login("procesregisseur")
    page = f"/taken/{task_id}"
    token = auth.csrf_token(page)
    first = client.post(f"{page}/concept", data={"csrf_token": token, "bronnen_en_ontvangers": "eerst"},
                        headers={"X-ZVT-Autosave": "1"})
    assert first.status_code == 204 and first.get_data() == b""
    client.post(f"{page}/concept", data={"csrf_token": token, "bronnen_en_ontvangers": TYPED},
                headers={"X-ZVT-Autosave": "1"})
    assert draft_rows(engine, task_id) == [("procesregisseur", {"bronnen_en_ontvangers": TYPED})]


def test_autosave_without_a_csrf_token_is_refused(auth, client, engine, task_id):
    auth.login("procesregisseur")
    response = client.post(f"/taken/{task_id}/concept", data={"bronnen_en_ontvangers": TYPED},
                           headers={"X-ZVT-Autosave": "1"})
    assert response.status_code == 400 and draft_rows(engine) == []


def test_someone_who_may_not_do_the_task_cannot_save_a_draft_and_the_refusal_is_logged(auth, client, engine, task_id):
    auth.login("politie")  # not a participant, not the task's role
    response = auth.post(f"/taken/{task_id}/concept", {"bronnen_en_ontvangers": TYPED})
    assert response.status_code == 403 and draft_rows(engine) == []
    assert log_rows(engine) == [("politie", "change", task_id, "geweigerd")]


def test_a_draft_can_be_thrown_away(auth, client, engine, task_id):
    auth.login("procesregisseur")
    page = f"/taken/{task_id}"
    auth.post(f"{page}/concept", {"bronnen_en_ontvangers": TYPED}, token_from=page)
    gone = auth.post(f"{page}/concept/weggooien", token_from=page)
    assert gone.status_code == 302 and draft_rows(engine) == []
    shown = client.get(page).get_data(as_text=True)
    assert TYPED not in shown and "Uw concept is weggegooid." in shown
    assert log_rows(engine)[-1] == ("procesregisseur", "delete", task_id, "toegestaan")
    # Again, with nothing left: it says so, and logs no deletion.
    auth.post(f"{page}/concept/weggooien", token_from=page)
    assert "U had geen concept van deze taak." in client.get(page).get_data(as_text=True)
    assert [row for row in log_rows(engine) if row[1] == "delete"] == [("procesregisseur", "delete", task_id, "toegestaan")]


# -- the draft goes with the task ----------------------------------------------------------------------

def test_completing_the_task_deletes_every_draft_of_it_in_the_same_step(auth, client, engine, case, task_id):
    add_account(engine, "collega", COLLEAGUE_PASSWORD, roles=("procesregisseur",))
    colleague = User("collega", "Collega", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
    drafts.save(engine, colleague, task_id, {"bronnen_en_ontvangers": "van de collega"}, HERE)
    auth.login("procesregisseur")
    page = f"/taken/{task_id}"
    auth.post(f"{page}/concept", {"bronnen_en_ontvangers": TYPED}, token_from=page)
    assert len(draft_rows(engine, task_id)) == 2
    done = auth.post(page, FORM, token_from=page)
    assert done.status_code == 302 and done.location.endswith(f"/casussen/{case}")
    assert draft_rows(engine) == []


def test_a_task_closed_by_its_deadline_takes_its_draft_along_and_a_late_form_says_it_closed(
        app, auth, client, engine, clock):
    engine.deploy(PROCESSES, FORMS)
    number = engine.start("datalek", melding(bekend_sinds="2026-11-27T10:00:00+01:00",
                                             partner_inbreuk="gemeente_heerenveen",
                                             verantwoordelijke_partners=["gemeente_heerenveen"]),
                          actor="fg", context={"melder_partner": "gemeente_heerenveen"})
    # The municipality's breach: its own responsible person decides on the AP (issue 13).
    [task] = [t for t in engine.ready_tasks(number) if t.bpmn_id == "ap_besluit"]
    auth.login("teamleider")
    page = f"/taken/{task.id}"
    token = auth.csrf_token(page)
    auth.post(f"{page}/concept", {"risico_toelichting": TYPED, "csrf_token": token})
    assert len(draft_rows(engine, task.id)) == 1
    clock.advance(hours=72)
    assert engine.fire_due_timers() >= 1
    assert draft_rows(engine) == []  # the deadline closed the task; its draft went with it
    auth.login("teamleider")  # 72 hours later: a new session
    late = auth.post(page, {"risico": "geen"})
    body = late.get_data(as_text=True)
    assert late.status_code == 409 and "Deze taak is al gesloten" in body and "Iemand anders" not in body


# -- after completing -----------------------------------------------------------------------------------

def test_after_the_last_task_of_the_fg_the_fg_goes_to_mijn_taken_without_a_refusal(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    number = engine.start("datalek", melding(bekend_sinds="2026-11-27T10:00:00+01:00",
                                             partner_inbreuk="gemeente_heerenveen",
                                             verantwoordelijke_partners=["gemeente_heerenveen"]),
                          actor="fg", context={"melder_partner": "gemeente_heerenveen"})
    tasks = {t.bpmn_id: t for t in engine.ready_tasks(number)}
    engine.complete(tasks["fg_advies"].id, FG_ADVIES, actor="fg")
    engine.complete(tasks["ap_besluit"].id, ap_besluit("geen"), actor="teamleider")
    [register] = engine.ready_tasks(number)
    assert register.bpmn_id == "datalek_registreren"
    auth.login("fg")
    page = f"/taken/{register.id}"
    done = auth.post(page, REGISTER, token_from=page)
    assert done.status_code == 302 and done.location.endswith("/taken"), done.location
    landing = client.get("/taken").get_data(as_text=True)
    assert "is afgerond" in landing
    assert refusals(engine, "fg") == 0  # nobody asked for the case page, so nothing was refused
    assert client.get(f"/casussen/{number}").status_code == 403  # and indeed it is closed to the FG now


def test_sending_the_same_form_twice_says_the_first_one_counted(auth, client, engine, case, task_id):
    auth.login("procesregisseur")
    page = f"/taken/{task_id}"
    token = auth.csrf_token(page)
    first = client.post(page, data={**FORM, "csrf_token": token})
    assert first.status_code == 302
    again = client.post(page, data={**FORM, "bronnen_en_ontvangers": "iets anders", "csrf_token": token})
    assert again.status_code == 302 and again.location.endswith(f"/casussen/{case}")
    body = client.get(again.location).get_data(as_text=True)
    assert "U had deze taak al afgerond." in body and "Iemand anders" not in body
    [entry] = [h for h in engine.history(case) if h.task_id == task_id]
    assert entry.data["bronnen_en_ontvangers"] == "WoonFriesland"  # the first submit's input


def test_a_colleague_completing_first_still_gives_the_colleague_409(auth, client, engine, case, task_id):
    auth.login("procesregisseur")
    page = f"/taken/{task_id}"
    token = auth.csrf_token(page)
    engine.complete(task_id, INFORMEREN, actor="collega")
    response = client.post(page, data={**FORM, "csrf_token": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "Iemand anders heeft deze taak al afgerond." in body
    assert "U had deze taak al afgerond" not in body


# -- a form sent after the idle timeout -----------------------------------------------------------------

def test_a_form_sent_after_the_idle_timeout_is_kept_as_a_draft_and_shown_after_logging_in(
        app, auth, client, engine, clock, task_id):
    auth.login("procesregisseur")
    page = f"/taken/{task_id}"
    token = auth.csrf_token(page)
    idle_past(app, clock)
    response = client.post(page, data={**FORM, "bronnen_en_ontvangers": TYPED, "csrf_token": token})
    assert response.status_code == 302 and "/inloggen?next=" in response.location
    assert engine.ready_tasks(engine.task(task_id).instance_id)[0].id == task_id  # not completed
    assert draft_rows(engine, task_id)[0][0] == "procesregisseur"
    assert draft_rows(engine, task_id)[0][1]["bronnen_en_ontvangers"] == TYPED
    login_page = client.get(response.location).get_data(as_text=True)
    assert "Wat u invulde is bewaard als concept" in login_page and TYPED not in login_page

    back = auth.login("procesregisseur", next_url=page)
    assert back.status_code == 302 and back.location.endswith(page)
    body = client.get(page).get_data(as_text=True)
    assert TYPED in body and "Hieronder staat uw concept" in body
    assert ("procesregisseur", "change", task_id, "toegestaan") in log_rows(engine)


def test_a_late_form_is_not_kept_after_a_logout_and_never_shown_to_another_account(
        app, auth, client, engine, clock, task_id):
    auth.login("procesregisseur")
    page = f"/taken/{task_id}"
    token = auth.csrf_token(page)
    cookie = client.get_cookie("zvt_session").value
    auth.logout()  # ends every session of the account: the old cookie may write nothing
    idle_past(app, clock)
    client.set_cookie("zvt_session", cookie)
    response = client.post(page, data={**FORM, "bronnen_en_ontvangers": TYPED, "csrf_token": token})
    assert response.status_code == 302 and "next=" not in response.location
    assert draft_rows(engine) == []

    # Kept for the account whose session it was; a colleague on the same browser sees nothing of it.
    auth.login("procesregisseur")
    token = auth.csrf_token(page)
    idle_past(app, clock)
    client.post(page, data={**FORM, "bronnen_en_ontvangers": TYPED, "csrf_token": token})
    assert [row[0] for row in draft_rows(engine)] == ["procesregisseur"]
    add_account(engine, "collega", COLLEAGUE_PASSWORD, roles=("procesregisseur",))
    auth.login("collega", COLLEAGUE_PASSWORD, next_url=page)
    assert TYPED not in client.get(page).get_data(as_text=True)


def test_a_late_form_of_someone_who_may_not_do_the_task_is_not_kept(app, auth, client, engine, clock, task_id):
    auth.login("politie")
    token = auth.csrf_token()
    idle_past(app, clock)
    response = client.post(f"/taken/{task_id}", data={**FORM, "csrf_token": token})
    assert response.status_code == 302 and "next=" not in response.location
    assert draft_rows(engine) == [] and log_rows(engine) == [("politie", "change", task_id, "geweigerd")]


def test_a_late_form_without_the_sessions_csrf_token_is_refused_and_not_kept(app, auth, client, engine, clock, task_id):
    auth.login("procesregisseur")
    idle_past(app, clock)
    response = client.post(f"/taken/{task_id}", data={**FORM, "csrf_token": "vals"})
    assert response.status_code == 400 and draft_rows(engine) == []


def test_saving_a_draft_of_a_task_a_colleague_completed_says_so(auth, client, engine, task_id):
    auth.login("procesregisseur")
    page = f"/taken/{task_id}"
    token = auth.csrf_token(page)
    engine.complete(task_id, INFORMEREN, actor="collega")
    response = client.post(f"{page}/concept", data={"csrf_token": token, "bronnen_en_ontvangers": TYPED})
    assert response.status_code == 409 and "Iemand anders heeft deze taak al afgerond." in response.get_data(as_text=True)
    assert draft_rows(engine) == []
