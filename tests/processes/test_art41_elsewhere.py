"""Issue 13: a rights request and a datalek's message to the betrokkenen (AVG art. 34) take an
active art. 41 UAVG decision into account. The handler sees the decision of the ZVT cases the
request or the report names (its scope only when they may open that case) and records how it
applies. Art. 41 never touches the notification to the AP (art. 33): that form has no such field."""
import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from engine import InvalidTaskData, casework
from engine.db import AccessLogEntry
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES, Case
from tests.processes.test_datalek import FG_ADVIES, ap_besluit, at, melding
from tests.processes.test_rechten_betrokkene import IDENTITEIT_VASTGESTELD, antwoord, verzoek
from tests.processes.test_zvt_casus import BESLUIT_41, OPPAKKEN, aanmelding
from zvt import demo

HERE = Origin("192.0.2.10", "pytest")
REGISSEUR = User("procesregisseur", "Demo Procesregisseur", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
WOON_MEDEWERKER = User("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland", frozenset({"partnermedewerker"}))
WOON_VERANTWOORDELIJKE = User("verantwoordelijke_woonfriesland", "Demo Teamleider WoonFriesland", "woonfriesland",
                              frozenset({"teamleider"}))


@pytest.fixture
def team(engine):
    return demo_team(engine)


def demo_team(engine):
    """Every process deployed, with the demo's partners and accounts."""
    engine.deploy(PROCESSES, FORMS)
    demo.load(engine, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    return engine


def case_under_art_41(engine) -> Case:
    number = casework.start_case(engine, WOON_MEDEWERKER, "zvt_casus", aanmelding(), HERE)
    case = Case(engine, number)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    case.complete("besluit_niet_informeren", BESLUIT_41, role="procesregisseur")
    return case


def informed_case(engine) -> Case:
    number = casework.start_case(engine, WOON_MEDEWERKER, "zvt_casus", aanmelding(), HERE)
    case = Case(engine, number)
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    return case


def reads_logged(engine, username) -> list[str]:
    with engine.database.unit_of_work(write=False) as uow:
        return [e.object_id for e in uow.session.scalars(select(AccessLogEntry).where(
            AccessLogEntry.username == username, AccessLogEntry.action == "read", AccessLogEntry.object_type == "case"))]


def test_a_rights_request_shows_the_active_art_41_decision_and_records_how_it_applies(team):
    restricted, informed = case_under_art_41(team), informed_case(team)
    number = casework.start_case(team, REGISSEUR, "rechten_betrokkene",
                                 verzoek(casusnummers=f"{restricted.id}, {informed.id}, 999"), HERE)
    request = Case(team, number)
    request.complete("identiteit_controleren", IDENTITEIT_VASTGESTELD, role="procesregisseur")
    page = casework.open_task(team, REGISSEUR, request.task("beantwoorden_of_verlengen").id, HERE)
    assert page.read_only["art41_besluiten"] == [
        {"casus": restricted.id, "status": "actief", "grond": "d", "herzien_op": "2027-01-15",
         "reikwijdte": BESLUIT_41["reikwijdte"]},
        {"casus": informed.id, "status": "geen"},
        {"casus": 999, "status": "niet_gevonden"}]
    assert str(restricted.id) in reads_logged(team, "procesregisseur")
    besluiten = {"informatie": "toegewezen", "inzage": "toegewezen"}
    without = {k: v for k, v in antwoord(besluiten).items() if k != "art41_toepassing"}
    with pytest.raises(InvalidTaskData) as refused:  # how the decision applies must be recorded
        request.complete("beantwoorden_of_verlengen", {**without, "toegangslog_bijgevoegd": True},
                         role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["art41_toepassing"]
    with pytest.raises(InvalidTaskData) as refused:
        request.complete("beantwoorden_of_verlengen", {**antwoord(besluiten, art41_toepassing="beperkt"),
                                                       "toegangslog_bijgevoegd": True}, role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["art41_uitleg"]
    request.complete("beantwoorden_of_verlengen", {
        **antwoord(besluiten, art41_toepassing="beperkt",
                   art41_uitleg="De politie-informatie over de woning staat niet in de inzage, tot 15 januari 2027."),
        "toegangslog_bijgevoegd": True}, role="procesregisseur")
    assert request.data["art41_toepassing"] == "beperkt"
    assert "art41_besluiten" not in request.data  # looked up when shown, never stored


def test_the_datalek_art_34_message_shows_the_decision_without_its_scope_to_whoever_may_not_open_the_case(team, clock):
    restricted = case_under_art_41(team)
    clock.now = at(2027, 5, 14, 17, 30)
    number = casework.start_case(team, WOON_MEDEWERKER, "datalek", melding(casusnummers=str(restricted.id)), HERE)
    breach = Case(team, number)
    breach.complete("fg_advies", FG_ADVIES, role="fg")
    breach.complete("ap_besluit", ap_besluit("hoog"), role="teamleider")  # the AP form has no art. 41 way out
    page = casework.open_task(team, WOON_VERANTWOORDELIJKE, breach.task("betrokkenen_informeren").id, HERE)
    [row] = page.read_only["art41_besluiten"]
    assert row["status"] == "actief" and row["grond"] == "d" and "procesregisseur" in row["reikwijdte"]
    assert BESLUIT_41["reikwijdte"] not in json.dumps(page.read_only)
    assert str(restricted.id) not in reads_logged(team, "verantwoordelijke_woonfriesland")
    assert "art41_toepassing" in page.schema["required"]


def test_a_decision_ended_by_informing_the_betrokkene_no_longer_counts(team, clock):
    restricted = case_under_art_41(team)
    team.fire_due_timers(at(2027, 1, 15, 9, 0))
    restricted.complete("besluit_herzien", {"herziening": "nu_informeren"}, role="procesregisseur")
    restricted.complete("betrokkene_alsnog_informeren", {
        "datum_geinformeerd": "2026-11-27", "manier": "gesprek", "gegevens_en_doel": True,
        "bronnen_en_ontvangers": "WoonFriesland en GGZ Friesland", "rechten_uitgelegd": True,
        "uitgenodigd_voor_plan": True}, role="procesregisseur")
    number = casework.start_case(team, REGISSEUR, "rechten_betrokkene", verzoek(casusnummers=str(restricted.id)), HERE)
    request = Case(team, number)
    request.complete("identiteit_controleren", IDENTITEIT_VASTGESTELD, role="procesregisseur")
    page = casework.open_task(team, REGISSEUR, request.task("beantwoorden_of_verlengen").id, HERE)
    assert page.read_only["art41_besluiten"] == [{"casus": restricted.id, "status": "geen"}]
