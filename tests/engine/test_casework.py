"""Casework as a logged-in user: the policy decides, the access log records, in one transaction."""
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from engine import Conflict, InvalidTaskData, access_log, audit, casework
from engine.db import AccessLogEntry
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import OPPAKKEN, aanmelding
from zvt import demo

HERE = Origin("192.0.2.10", "pytest")
WOONFRIESLAND = User("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland", frozenset({"partnermedewerker"}))
POLITIE = User("politie", "Demo Medewerker Politie", "politie", frozenset({"partnermedewerker"}))
REGISSEUR = User("procesregisseur", "Demo Procesregisseur", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
BEHEERDER = User("beheerder", "Demo Beheerder", "gemeente_heerenveen", frozenset({"beheerder"}), directs=True)


@pytest.fixture
def team(engine):
    engine.deploy(PROCESSES, FORMS)
    demo.load(engine, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    return engine


def log(engine):
    with engine.database.unit_of_work(write=False) as uow:
        return [(e.username, e.action, e.object_type, e.result) for e in
                uow.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))]


def new_case(engine, by=WOONFRIESLAND):
    return casework.start_case(engine, by, "zvt_casus", aanmelding(), HERE)


def test_starting_a_case_adds_the_starters_organisation_and_logs_the_creation(team):
    case = new_case(team)
    assert team.instance(case).data["aanmelder_partner"] == "woonfriesland"
    assert log(team)[-1] == ("partnermedewerker", "create", "case", "toegestaan")


def test_a_role_that_may_not_start_the_process_is_refused(team):
    with pytest.raises(casework.Forbidden):
        casework.start_case(team, BEHEERDER, "zvt_casus", aanmelding(), HERE)


def test_the_inbox_holds_only_tasks_the_policy_lets_me_do(team):
    case = new_case(team)
    mine = casework.inbox(team, REGISSEUR)
    assert case in {i.case_number for i in mine.items if i.task.bpmn_id == "beoordeling"}
    assert all(i.task.lane == "procesregisseur" for i in mine.items)
    assert casework.inbox(team, POLITIE).items == []  # politie takes part in no case
    assert casework.inbox(team, BEHEERDER).items == []


def test_opening_a_task_is_logged_and_shows_the_read_only_values(team):
    case = new_case(team)
    [task] = team.ready_tasks(case)
    page = casework.open_task(team, REGISSEUR, task.id, HERE)
    assert page.read_only["voorgesteld_niveau"] == 3
    assert ("procesregisseur", "Demo Procesregisseur") in page.colleagues
    assert log(team)[-1] == ("procesregisseur", "read", "task", "toegestaan")


def test_a_non_participant_is_refused_and_the_refusal_is_logged(team):
    case = new_case(team)
    [task] = team.ready_tasks(case)
    team.complete(task.id, OPPAKKEN, actor="procesregisseur")  # politie does not take part
    with pytest.raises(casework.Forbidden):
        casework.view_case(team, POLITIE, case, HERE)
    assert log(team)[-1] == ("politie", "read", "case", "geweigerd")
    # WoonFriesland, the aanmelder, was chosen as a partner too (OPPAKKEN), so it still sees it.
    assert casework.view_case(team, WOONFRIESLAND, case, HERE).participants == [
        "gemeente_heerenveen", "ggz_friesland", "woonfriesland"]


def test_the_case_page_has_history_open_tasks_and_the_diagram(team):
    case = new_case(team)
    page = casework.view_case(team, REGISSEUR, case, HERE)
    assert page.instance.id == case and page.process_name == "Casus zorg- en veiligheidsteam"
    assert [t.bpmn_id for t in page.open_tasks] == ["beoordeling"]
    assert page.history[0].bpmn_id == "aanmelding"
    assert 'id="zvt_casus"' in page.diagram and "BPMNDiagram" in page.diagram


def test_a_refused_submission_writes_no_change_row(team):
    case = new_case(team)
    [task] = team.ready_tasks(case)
    before = len(log(team))
    with pytest.raises(InvalidTaskData):
        casework.submit_task(team, REGISSEUR, task.id, {"niveau": 9}, HERE)
    assert len(log(team)) == before  # the rolled-back completion took its log row with it
    casework.submit_task(team, REGISSEUR, task.id, OPPAKKEN, HERE)
    assert log(team)[-1] == ("procesregisseur", "change", "task", "toegestaan")


def test_claiming_releasing_and_assigning_respect_who_holds_the_task(team):
    case = new_case(team)
    [task] = team.ready_tasks(case)
    casework.claim(team, REGISSEUR, task.id, HERE)
    assert team.task(task.id).assignee == "procesregisseur"
    with pytest.raises(Conflict):
        team.assign(task.id, "iemand", expected=None)
    casework.release(team, REGISSEUR, task.id, HERE)
    assert team.task(task.id).assignee is None
    with pytest.raises(casework.Forbidden):  # the beheerder may not do the beoordeling
        casework.assign(team, REGISSEUR, task.id, "beheerder", None, HERE)
    casework.assign(team, REGISSEUR, task.id, "procesregisseur", None, HERE)
    assert team.task(task.id).assignee == "procesregisseur"


def test_a_task_assigned_to_someone_else_is_refused(team):
    case = new_case(team)
    [task] = team.ready_tasks(case)
    team.assign(task.id, "iemand_anders", expected=None)
    with pytest.raises(casework.Forbidden):
        casework.open_task(team, REGISSEUR, task.id, HERE)
    assert task.id not in {i.task.id for i in casework.inbox(team, REGISSEUR).items}


def test_the_access_log_chain_shows_a_changed_or_removed_row(team):
    case = new_case(team)
    casework.view_case(team, REGISSEUR, case, HERE)
    casework.view_case(team, REGISSEUR, case, HERE)
    with team.database.unit_of_work(write=False) as uow:
        assert audit.verify(uow.session, team.database.audit_key, "access_log").intact
        ids = list(uow.session.scalars(select(AccessLogEntry.id).order_by(AccessLogEntry.id)))
        report = access_log.for_case(uow.session, case)
    assert [a.action for a in report] == ["create", "read", "read"]
    with team.database.unit_of_work() as uow:
        uow.session.execute(update(AccessLogEntry).where(AccessLogEntry.id == ids[1]).values(username="niemand"))
        uow.commit()
    with team.database.unit_of_work(write=False) as uow:
        assert audit.verify(uow.session, team.database.audit_key, "access_log").broken_row == ids[1]


def test_two_nodes_logging_at_once_keep_one_unbroken_chain(team, database_url):
    from concurrent.futures import ThreadPoolExecutor

    from engine import Engine

    case = new_case(team)
    nodes = [Engine(database_url, clock=team.clock) for _ in range(2)]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda n: [casework.view_case(n, REGISSEUR, case, HERE) for _ in range(15)], nodes))
    finally:
        for node in nodes:
            node.close()
    with team.database.unit_of_work(write=False) as uow:
        assert audit.verify(uow.session, team.database.audit_key, "access_log").intact
        assert audit.verify(uow.session, team.database.audit_key, "history").intact
        assert len(access_log.for_case(uow.session, case)) == 31
