"""Due dates the covenant's processes declare on their tasks (property `termijn`), and the inbox's "Te laat".

A date entered earlier in the case (the zorgoverleg, the art. 41 review), an escalation that
carries the deadline it escalates, and a task that opens after its legal deadline had passed.
"""
from datetime import datetime, timedelta

import pytest

from engine import casework
from engine.clock import AMSTERDAM
from engine.identity import User
from tests.processes.conftest import start
from tests.processes.test_datalek import melding, partners_bericht
from tests.processes.test_toegangsreview import add_accounts
from tests.processes.test_zvt_casus import (
    BESLUIT_41,
    INFORMEREN,
    OPPAKKEN,
    PLAN_BIJSTELLEN,
    PRIVACYCHECK,
    VERLENGEN_41,
    aanmelding,
    new_case,
    to_plan,
    zorgoverleg,
)

FG = User("fg", "Demo FG", "woonfriesland", frozenset({"fg"}))
TEAMLEIDER = User("teamleider", "Demo Teamleider", "gemeente_heerenveen", frozenset({"teamleider"}), directs=True)
# A datalek at WoonFriesland: its own responsible person decides (issue 13).
VERANTWOORDELIJKE = User("verantwoordelijke_woonfriesland", "Demo Teamleider WoonFriesland", "woonfriesland",
                         frozenset({"teamleider"}))
REGISSEUR = User("procesregisseur", "Demo Procesregisseur", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)


def ams(*parts) -> datetime:
    return datetime(*parts, tzinfo=AMSTERDAM)


def end_of(year, month, day) -> datetime:
    return ams(year, month, day, 23, 59, 59)


def overdue_in_inbox(engine, user, now) -> dict[str, datetime]:
    """BPMN id -> due date of the tasks the user's inbox counts under "Te laat" at `now`."""
    return {i.task.bpmn_id: i.task.due_at for i in casework.inbox(engine, user, now).overdue}


# -- datalek: the AP decision past its 72 hours -------------------------------------------------

@pytest.fixture
def datalek(deploy_only):
    deploy_only("datalek")


def test_an_ap_decision_that_opens_past_its_72_hours_is_overdue_since_then_and_counted_late(engine, clock, datalek):
    clock.now = ams(2027, 5, 20, 9, 0)  # six days after becoming aware (14 May 17:00)
    case = start(engine, "datalek", melding())
    ap_termijn, partners_termijn = ams(2027, 5, 17, 17, 0), ams(2027, 5, 15, 17, 0)
    assert case.task("ap_besluit_te_laat").due_at == ap_termijn
    assert case.task("ap_escalatie_teamleider").due_at == ap_termijn
    assert case.task("partners_escalatie_fg").due_at == partners_termijn
    assert case.task("partners_escalatie_teamleider").due_at == partners_termijn
    assert overdue_in_inbox(engine, FG, clock.now) == {"partners_escalatie_fg": partners_termijn}
    assert overdue_in_inbox(engine, VERANTWOORDELIJKE, clock.now) == {
        "partners_escalatie_teamleider": partners_termijn, "ap_escalatie_teamleider": ap_termijn,
        "ap_besluit_te_laat": ap_termijn}
    assert overdue_in_inbox(engine, TEAMLEIDER, clock.now) == {}  # the municipality's: not its breach


def test_an_ap_decision_becomes_late_at_72_hours_and_stays_counted_until_it_is_done(engine, clock, datalek):
    clock.now = ams(2027, 5, 14, 17, 30)
    case = start(engine, "datalek", melding())
    case.complete("partners_informeren", partners_bericht(), role="partnermedewerker")
    ap_termijn = ams(2027, 5, 17, 17, 0)
    assert case.task("ap_besluit").due_at == ap_termijn
    assert overdue_in_inbox(engine, VERANTWOORDELIJKE, ap_termijn - timedelta(seconds=1)) == {}
    assert engine.fire_due_timers(ap_termijn) >= 1
    # The decision now is the "(termijn voorbij)" task: not "Geen termijn", but late since 17 May 17:00.
    assert "ap_besluit" not in case.open_tasks()
    assert case.task("ap_besluit_te_laat").due_at == ap_termijn
    assert overdue_in_inbox(engine, VERANTWOORDELIJKE, ap_termijn + timedelta(hours=1)) == {
        "ap_besluit_te_laat": ap_termijn, "ap_escalatie_teamleider": ap_termijn}


# -- zvt_casus: dates entered earlier, the late beoordeling, the art. 41 review --------------------

def test_the_zorgoverleg_is_due_on_the_date_the_plan_and_then_the_previous_overleg_set(engine, casus):
    case = to_plan(engine)  # the plan sets the first zorgoverleg on 14 December 2026
    assert case.task("privacycheck").due_at == end_of(2026, 12, 14)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    assert case.task("zorgoverleg").due_at == end_of(2026, 12, 14)
    case.complete("zorgoverleg", zorgoverleg("doorgaan"), role="procesregisseur")  # next one: 11 January 2027
    assert case.task("privacycheck").due_at == end_of(2027, 1, 11)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    assert case.task("zorgoverleg").due_at == end_of(2027, 1, 11)
    assert overdue_in_inbox(engine, REGISSEUR, ams(2027, 1, 11, 23, 59)) == {}  # late only after that day
    assert overdue_in_inbox(engine, REGISSEUR, ams(2027, 1, 12, 0, 0)) == {"zorgoverleg": end_of(2027, 1, 11)}


def test_a_privacy_check_is_due_no_later_than_the_overleg_it_precedes(engine, casus):
    case = new_case(engine)  # Friday 27 November 2026, 17:00
    case.complete("beoordeling", {**OPPAKKEN, "crisisoverleg": True}, role="procesregisseur")
    # A crisis does not wait: at the end of the day of the beoordeling that called for the crisisoverleg.
    assert case.task("privacycheck_crisisoverleg").due_at == end_of(2026, 11, 27)
    assert overdue_in_inbox(engine, REGISSEUR, ams(2026, 11, 27, 23, 59)) == {}
    assert overdue_in_inbox(engine, REGISSEUR, ams(2026, 11, 28, 0, 0)) == {"privacycheck_crisisoverleg": end_of(2026, 11, 27)}
    case.complete("privacycheck_crisisoverleg", PRIVACYCHECK, role="procesregisseur")
    case.complete("crisisoverleg_houden", {"datum": "2026-11-27", "aanwezige_partners": ["gemeente_heerenveen"],
                                           "afspraken": "Wijkagent gaat vandaag langs."}, role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    # The plangesprek has no date in the case, like the plan it is for: its check has no due date.
    assert case.task("privacycheck_plangesprek").due_at is None
    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    assert case.task("plan_van_aanpak").due_at is None


def test_the_late_beoordeling_escalation_carries_the_beoordeling_deadline(engine, casus):
    case = new_case(engine)
    due = case.task("beoordeling").due_at
    engine.fire_due_timers(due)
    assert case.task("beoordeling_te_laat").due_at == due
    assert overdue_in_inbox(engine, TEAMLEIDER, due) == {"beoordeling_te_laat": due}


def test_an_art_41_review_is_due_on_its_review_date_and_on_the_renewed_one(engine, casus):
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    case.complete("besluit_niet_informeren", BESLUIT_41, role="procesregisseur")  # review on 15 January 2027
    engine.fire_due_timers(ams(2027, 1, 15, 9, 0))
    assert case.task("besluit_herzien").due_at == end_of(2027, 1, 15)
    case.complete("besluit_herzien", VERLENGEN_41,
                  role="procesregisseur")
    engine.fire_due_timers(ams(2027, 3, 1, 9, 0))
    assert case.task("besluit_herzien").due_at == end_of(2027, 3, 1)


# -- other escalations and steps that carry their process's deadline -------------------------------

def test_a_late_rights_request_escalates_with_its_legal_deadline_as_due_date(engine, deploy_only):
    deploy_only("rechten_betrokkene")
    from tests.processes.test_rechten_betrokkene import verzoek
    case = start(engine, "rechten_betrokkene", verzoek(ontvangen_op="2026-10-15T14:00:00+02:00", ontvangen_door="vnn",
                                                       doorgestuurd_op="2026-11-26T09:00:00+01:00"),
                 actor="procesregisseur")
    termijn = ams(2026, 11, 15, 14, 0)
    assert case.task("escalatie_teamleider").due_at == termijn
    assert case.task("escalatie_fg").due_at == termijn


def test_every_step_of_a_complaint_at_the_municipality_is_due_within_the_six_weeks(engine, deploy_only):
    deploy_only("klacht")
    from tests.processes.test_klacht import klacht
    case = start(engine, "klacht", klacht(vorm="mondeling"), context={"ontvangen_door": "gemeente_heerenveen",
                                                                   "regiepartner": "gemeente_heerenveen"})
    afhandeltermijn = datetime.fromisoformat(case.data["afhandeltermijn"])
    assert case.task("klacht_beoordelen").due_at == afhandeltermijn
    case.complete("klacht_beoordelen", {"gesprek_nodig": True}, role="teamleider")
    assert case.task("gesprek_voeren").due_at == afhandeltermijn


def test_a_late_access_review_escalates_with_the_review_deadline_as_due_date(engine, deploy_only, clock):
    add_accounts(engine)
    deploy_only("toegangsreview")
    from tests.processes.test_toegangsreview import volgende_review
    case = volgende_review(engine, clock)
    deadline = case.timers()["reviewtermijn_verstreken"]
    engine.fire_due_timers(deadline)  # no gemachtigde acted: the teamleider follows up
    assert case.task("review_escalatie").due_at == deadline


def test_recording_the_evaluation_meeting_is_due_at_the_end_of_the_planned_meeting_day(engine, deploy_only, clock):
    deploy_only("jaarlijkse_evaluatie")
    from tests.processes.test_jaarlijkse_evaluatie import ADVIES, rapportage, volgende_evaluatie
    case = volgende_evaluatie(engine, clock)
    case.complete("rapportage_opstellen", rapportage(clock.now.year), role="teamleider")  # meeting 4 March 14:00
    case.complete("privacy_adviseren", ADVIES, role="fg")
    assert case.task("evaluatieoverleg_vastleggen").due_at == end_of(2027, 3, 4)


def test_a_participation_ended_too_late_escalates_with_the_end_of_the_end_date_as_due_date(engine, deploy_only):
    deploy_only("convenant")
    from tests.processes.test_convenant import opzegging, zaak
    case = zaak(engine, "opzegging")
    # Received 1 August 2026: the end date, 1 November 2026, has passed when it is recorded on 27 November.
    case.complete("opzegging_vastleggen", opzegging("vnn", "2026-08-01"), role="teamleider")
    einde = ams(2026, 11, 2, 0, 0)  # the end of the end date
    assert case.task("beeindiging_opvolgen").due_at == einde == case.task("deelname_beeindigen").due_at


def test_an_aanmelding_that_needs_help_at_once_is_due_for_its_beoordeling_in_one_werkdag(engine, clock, casus):
    clock.now = ams(2027, 1, 14, 10, 0)  # a Thursday
    assert new_case(engine, urgentie="direct").task("beoordeling").due_at == ams(2027, 1, 15, 10, 0)
    assert new_case(engine, urgentie="gewoon").task("beoordeling").due_at == ams(2027, 1, 19, 10, 0)
    unsaid = {k: v for k, v in aanmelding().items() if k != "urgentie"}
    case = start(engine, "zvt_casus", unsaid, actor="w.woonfriesland", context={"aanmelder_partner": "woonfriesland"})
    assert case.task("beoordeling").due_at == ams(2027, 1, 19, 10, 0)  # not said: the team's 3 werkdagen


def test_the_overleg_that_evaluates_the_plan_is_due_on_the_evaluation_date_once(engine, casus):
    case = to_plan(engine)  # first overleg 14 December 2026, evaluation by 8 February 2027
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("doorgaan", volgend_overleg_op="2027-03-15"), role="procesregisseur")
    # Planned after the evaluation date: this overleg must be held by that date, and says it evaluates.
    assert case.task("privacycheck").due_at == end_of(2027, 2, 8)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    assert case.task("zorgoverleg").due_at == end_of(2027, 2, 8)
    assert engine.form_values(case.task("zorgoverleg").id)["evaluatie_in_dit_overleg"] is True
    case.complete("zorgoverleg", zorgoverleg("doorgaan", datum="2027-02-08", volgend_overleg_op="2027-04-12"),
                  role="procesregisseur")
    # Evaluated: the next one is due when it is planned.
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    assert case.task("zorgoverleg").due_at == end_of(2027, 4, 12)
    assert engine.form_values(case.task("zorgoverleg").id)["evaluatie_in_dit_overleg"] is False
    # A revised plan has a new evaluation date, which counts again.
    case.complete("zorgoverleg", zorgoverleg("doorgaan", datum="2027-04-12", volgend_overleg_op="2027-06-14",
                                             plan_veranderen=True), role="procesregisseur")
    case.complete("plan_bijstellen", PLAN_BIJSTELLEN, role="procesregisseur")  # evaluation by 1 March 2027
    assert case.task("privacycheck").due_at == end_of(2027, 3, 1)
