"""datalek, issue 13: the breached partner's duties are its own. Its staff inform the other
partners, its responsible person (role teamleider) decides on the AP and on art. 34, its FG advises
and keeps the register; a late task escalates to its own responsible person, and the municipality's
teamleider does not see a breach at another partner. The forms show the contact register."""
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from engine import casework
from engine.db import OutboxMail
from engine.identity import Origin, User
from tests.processes.conftest import Case
from tests.processes.test_datalek import FG_ADVIES, ap_besluit, at, melding
from zvt import demo

HERE = Origin("192.0.2.10", "pytest")


def user(username, partner, role):
    return User(username, username, partner, frozenset({role}), directs=partner == "gemeente_heerenveen")


WOON_MEDEWERKER = user("partnermedewerker", "woonfriesland", "partnermedewerker")
WOON_VERANTWOORDELIJKE = user("verantwoordelijke_woonfriesland", "woonfriesland", "teamleider")
WOON_FG = user("fg_woonfriesland", "woonfriesland", "fg")
POLITIE = user("politie", "politie", "partnermedewerker")
GEMEENTE_TEAMLEIDER = user("teamleider", "gemeente_heerenveen", "teamleider")
GEMEENTE_FG = user("fg", "gemeente_heerenveen", "fg")


@pytest.fixture
def team(engine, deploy_only):
    deploy_only("datalek")
    demo.load(engine, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    return engine


def report(engine, clock):
    """WoonFriesland reports a breach at WoonFriesland for which the municipality and the police share responsibility."""
    clock.now = at(2027, 5, 14, 17, 30)
    number = casework.start_case(engine, WOON_MEDEWERKER, "datalek", melding(
        verantwoordelijke_partners=["woonfriesland", "gemeente_heerenveen", "politie"]), HERE)
    return Case(engine, number)


def may_do(engine, who, case, bpmn_id) -> bool:
    try:
        casework.open_task(engine, who, case.task(bpmn_id).id, HERE)
        return True
    except casework.Forbidden:
        return False


def may_view(engine, who, case) -> bool:
    return casework.may_view(engine, who, case.id)


def test_only_the_breached_partners_own_people_do_its_tasks(team, clock):
    case = report(team, clock)
    assert case.open_tasks() == {"partners_informeren": "partnermedewerker", "ap_besluit": "teamleider", "fg_advies": "fg"}
    assert may_do(team, WOON_MEDEWERKER, case, "partners_informeren")
    assert not may_do(team, POLITIE, case, "partners_informeren")  # takes part, but not its breach
    assert may_view(team, POLITIE, case)
    assert may_do(team, WOON_VERANTWOORDELIJKE, case, "ap_besluit")
    assert not may_do(team, GEMEENTE_TEAMLEIDER, case, "ap_besluit")
    assert may_do(team, WOON_FG, case, "fg_advies")
    assert not may_do(team, GEMEENTE_FG, case, "fg_advies")
    assert {i.task.bpmn_id for i in casework.inbox(team, WOON_VERANTWOORDELIJKE).items} == {"ap_besluit"}
    assert casework.inbox(team, GEMEENTE_TEAMLEIDER).items == []
    assert casework.inbox(team, GEMEENTE_FG).items == []


def test_the_municipalitys_teamleider_does_not_see_a_breach_at_another_partner_even_when_late(team, clock):
    case = report(team, clock)
    clock.now = at(2027, 5, 15, 17, 0)
    assert team.fire_due_timers() >= 1  # 24 hours: the partners are not informed yet
    assert case.open_tasks()["partners_escalatie_teamleider"] == "teamleider"
    assert not may_view(team, GEMEENTE_TEAMLEIDER, case)
    with pytest.raises(casework.Forbidden):
        casework.view_case(team, GEMEENTE_TEAMLEIDER, case.id, HERE)
    assert may_do(team, WOON_VERANTWOORDELIJKE, case, "partners_escalatie_teamleider")
    assert may_do(team, WOON_FG, case, "partners_escalatie_fg")
    assert not may_do(team, GEMEENTE_FG, case, "partners_escalatie_fg")


def test_new_task_mails_go_to_the_breached_partners_own_people_only(team, clock):
    case = report(team, clock)
    with team.database.unit_of_work(write=False) as uow:
        mails = {(m.recipient, m.link.split("/")[-1]) for m in uow.session.scalars(
            select(OutboxMail).where(OutboxMail.instance_id == case.id))}
    tasks = {case.task(b).id: b for b in ("partners_informeren", "ap_besluit", "fg_advies")}
    assert {(recipient, tasks[task]) for recipient, task in mails} == {
        ("verantwoordelijke_woonfriesland@example.nl", "ap_besluit"),
        ("fg_woonfriesland@example.nl", "fg_advies"),
    }  # the reporter does not mail themselves; nobody at the municipality is told


def test_the_forms_show_the_other_partners_contacts_from_the_register(team, clock):
    case = report(team, clock)
    page = casework.open_task(team, WOON_MEDEWERKER, case.task("partners_informeren").id, HERE)
    assert page.read_only["partners_contacten"] == [
        {"partner": "gemeente_heerenveen", **demo.demo_contacts("gemeente_heerenveen", "Gemeente Heerenveen")},
        {"partner": "politie", **demo.demo_contacts("politie", "Politie")}]
    assert "bijlage 3" not in page.schema["description"]
    case.complete("fg_advies", FG_ADVIES, role="fg")
    case.complete("ap_besluit", ap_besluit("hoog"), role="teamleider")
    page = casework.open_task(team, WOON_VERANTWOORDELIJKE, case.task("betrokkenen_informeren").id, HERE)
    assert [c["partner"] for c in page.read_only["ap_contacten"]] == ["gemeente_heerenveen", "politie"]
