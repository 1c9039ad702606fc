"""Toegangsreview: every quarter a review of access rights, the full yearly review in the first
quarter and the privileged roles only in the others; rights not confirmed expire, and a review
not done within 10 werkdagen expires the rights in scope and escalates to the teamleider."""
from datetime import datetime, timedelta, timezone

import pytest

from engine import InvalidTaskData
from tests.processes.conftest import Case, branches, only_waiting_instance

PID = "toegangsreview"
UTC = timezone.utc

ALLE_ROLLEN = ["procesregisseur", "partnermedewerker", "teamleider", "proceseigenaar", "fg", "beheerder", "manager"]
GEPRIVILEGIEERD = ["beheerder", "proceseigenaar", "fg"]

# 09:00 in Amsterdam on the 4th of January, April, July and October (UTC+1 in winter, UTC+2 in summer).
K1_2027 = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
K2_2027 = datetime(2027, 4, 4, 7, 0, tzinfo=UTC)
K3_2027 = datetime(2027, 7, 4, 7, 0, tzinfo=UTC)
K4_2027 = datetime(2027, 10, 4, 7, 0, tzinfo=UTC)
K1_2028 = datetime(2028, 1, 4, 8, 0, tzinfo=UTC)
# Monday 4 January 2027 09:00 + 10 werkdagen = Monday 18 January 2027 09:00.
TERMIJN_K1_2027 = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)

VOLLEDIGE_REVIEW = [
    {"gebruiker": "p.devries", "partner": "gemeente_heerenveen", "rollen": ["procesregisseur"], "besluit": "bevestigd"},
    {"gebruiker": "k.bakker", "partner": "woonfriesland", "rollen": ["partnermedewerker"], "besluit": "intrekken",
     "toelichting": "Werkt sinds oktober niet meer in de wijk."},
    {"gebruiker": "m.visser", "partner": "gemeente_heerenveen", "rollen": ["beheerder", "proceseigenaar"],
     "besluit": "bevestigd"},
]


def volgende_review(engine, clock) -> Case:
    """Move the clock to the waiting review's moment and let the scheduler start it."""
    [waiting] = [t for t in engine.timers() if engine.instance(t.instance_id).status == "scheduled"]
    clock.now = waiting.due_at
    engine.fire_due_timers()
    case = Case(engine, waiting.instance_id)
    assert case.status == "running"
    return case


# -- scenarios, also run together by the branch-coverage test ------------------------------------

def review_op_tijd(engine, clock):
    case = volgende_review(engine, clock)
    case.complete("rechten_beoordelen", {"beoordeelde_accounts": VOLLEDIGE_REVIEW}, role="beheerder")
    return case


def review_te_laat(engine, clock):
    case = volgende_review(engine, clock)
    engine.fire_due_timers(case.timers()["reviewtermijn_verstreken"])
    case.complete("review_escalatie", {"afspraak": "M. Visser doet de review deze week."}, role="teamleider")
    case.complete("rechten_beoordelen", {"beoordeelde_accounts": VOLLEDIGE_REVIEW[2:]}, role="beheerder")
    return case


# -- the quarterly schedule ----------------------------------------------------------------------

def test_deploying_leaves_one_review_waiting_for_the_first_quarter(engine, deploy_only):
    deploy_only(PID)
    only_waiting_instance(engine, PID, "elk_kwartaal", K1_2027)


def test_the_first_quarter_reviews_every_right_and_the_second_quarter_waits(engine, deploy_only):
    deploy_only(PID)
    [waiting] = engine.timers()
    assert engine.fire_due_timers(K1_2027 - timedelta(seconds=1)) == 0
    assert engine.fire_due_timers(K1_2027) == 1

    case = Case(engine, waiting.instance_id)
    assert case.open_tasks() == {"rechten_beoordelen": "beheerder"}
    task = case.task("rechten_beoordelen")
    assert task.due_at == TERMIJN_K1_2027
    assert engine.form_values(task.id) == {
        "review_kwartaal": "2027-K1", "review_soort": "volledig", "review_rollen": ALLE_ROLLEN,
        "review_termijn": "2027-01-18T09:00:00+01:00"}
    assert case.timers() == {"reviewtermijn_verstreken": TERMIJN_K1_2027}
    # The script's own helper names stay out of the case.
    assert "begin" not in case.data and "kwartaal" not in case.data

    [following] = [t for t in engine.timers() if t.instance_id != case.id]
    assert following.bpmn_id == "elk_kwartaal"
    assert following.due_at == K2_2027
    assert engine.instance(following.instance_id).status == "scheduled"


def test_the_other_quarters_review_only_the_privileged_roles_and_the_next_year_all_again(engine, deploy_only, clock):
    deploy_only(PID)
    volgende_review(engine, clock)  # first quarter of 2027

    expected = [
        (K2_2027, "2027-K2", "geprivilegieerd", GEPRIVILEGIEERD, datetime(2027, 4, 16, 7, 0, tzinfo=UTC)),
        (K3_2027, "2027-K3", "geprivilegieerd", GEPRIVILEGIEERD, datetime(2027, 7, 16, 7, 0, tzinfo=UTC)),
        (K4_2027, "2027-K4", "geprivilegieerd", GEPRIVILEGIEERD, datetime(2027, 10, 18, 7, 0, tzinfo=UTC)),
        (K1_2028, "2028-K1", "volledig", ALLE_ROLLEN, datetime(2028, 1, 18, 8, 0, tzinfo=UTC)),
    ]
    for moment, kwartaal, soort, rollen, termijn in expected:
        case = volgende_review(engine, clock)
        assert clock.now == moment
        assert (case.data["review_kwartaal"], case.data["review_soort"], case.data["review_rollen"]) == (
            kwartaal, soort, rollen)
        assert case.task("rechten_beoordelen").due_at == termijn
    scheduled = [t for t in engine.timers() if engine.instance(t.instance_id).status == "scheduled"]
    assert [t.due_at for t in scheduled] == [datetime(2028, 4, 4, 7, 0, tzinfo=UTC)]


# -- the review ----------------------------------------------------------------------------------

def test_a_review_records_the_confirmed_and_the_expired_rights_for_the_account_module(engine, deploy_only, clock):
    deploy_only(PID)
    case = review_op_tijd(engine, clock)

    assert case.status == "completed"
    assert case.visited()[-3:] == ["rechten_beoordelen", "rechten_laten_verlopen", "einde_review"]
    assert case.data["bevestigde_rechten"] == [
        {"gebruiker": "p.devries", "partner": "gemeente_heerenveen", "rollen": ["procesregisseur"]},
        {"gebruiker": "m.visser", "partner": "gemeente_heerenveen", "rollen": ["beheerder", "proceseigenaar"]},
    ]
    assert case.data["verlopen_rechten"] == [
        {"gebruiker": "k.bakker", "partner": "woonfriesland", "rollen": ["partnermedewerker"]}]
    assert case.data["review_afgerond_op"] == "2027-01-04T09:00:00+01:00"
    assert "review_niet_op_tijd" not in case.data
    assert engine.timers(case.id) == []


def test_a_quarterly_review_lists_only_privileged_roles(engine, deploy_only, clock):
    deploy_only(PID)
    volgende_review(engine, clock)
    case = volgende_review(engine, clock)  # second quarter
    assert case.data["review_soort"] == "geprivilegieerd"

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("rechten_beoordelen", {"beoordeelde_accounts": VOLLEDIGE_REVIEW}, role="beheerder")
    assert [e.field for e in refused.value.errors] == ["beoordeelde_accounts/0/rollen/0",
                                                       "beoordeelde_accounts/1/rollen/0"]
    assert case.open_tasks() == {"rechten_beoordelen": "beheerder"}
    assert "beoordeelde_accounts" not in case.data

    case.complete("rechten_beoordelen", {"beoordeelde_accounts": [
        {"gebruiker": "m.visser", "partner": "gemeente_heerenveen", "rollen": ["beheerder"], "besluit": "bevestigd"},
        {"gebruiker": "j.smit", "partner": "politie", "rollen": ["fg"], "besluit": "intrekken"},
    ]}, role="beheerder")
    assert case.data["verlopen_rechten"] == [{"gebruiker": "j.smit", "partner": "politie", "rollen": ["fg"]}]


def test_every_reviewed_account_needs_a_decision_and_a_known_organisation(engine, deploy_only, clock):
    deploy_only(PID)
    case = volgende_review(engine, clock)

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("rechten_beoordelen", {"beoordeelde_accounts": []}, role="beheerder")
    assert [e.field for e in refused.value.errors] == ["beoordeelde_accounts"]
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("rechten_beoordelen", {"beoordeelde_accounts": [
            {"gebruiker": "p.devries", "partner": "buurthuis", "rollen": ["procesregisseur"]}]}, role="beheerder")
    assert {e.field for e in refused.value.errors} == {"beoordeelde_accounts/0/besluit", "beoordeelde_accounts/0/partner"}
    assert case.open_tasks() == {"rechten_beoordelen": "beheerder"}


# -- the deadline --------------------------------------------------------------------------------

def test_a_review_not_done_in_time_lets_the_rights_expire_and_escalates_to_the_teamleider(engine, deploy_only, clock):
    deploy_only(PID)
    case = volgende_review(engine, clock)

    assert engine.fire_due_timers(TERMIJN_K1_2027 - timedelta(seconds=1)) == 0
    assert engine.fire_due_timers(TERMIJN_K1_2027) == 1
    assert case.open_tasks() == {"rechten_beoordelen": "beheerder", "review_escalatie": "teamleider"}
    assert case.task("rechten_beoordelen").due_at == TERMIJN_K1_2027  # still open, now overdue
    assert case.data["review_niet_op_tijd"] is True
    assert case.data["verlopen_rollen"] == ALLE_ROLLEN
    assert case.visited()[-2:] == ["reviewtermijn_verstreken", "alle_rechten_laten_verlopen"]
    assert engine.form_values(case.task("review_escalatie").id) == {
        "review_kwartaal": "2027-K1", "review_soort": "volledig", "review_termijn": "2027-01-18T09:00:00+01:00",
        "verlopen_rollen": ALLE_ROLLEN}

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("review_escalatie", {}, role="teamleider")
    assert [e.field for e in refused.value.errors] == ["afspraak"]
    case.complete("review_escalatie", {"afspraak": "M. Visser doet de review deze week."}, role="teamleider")
    assert case.open_tasks() == {"rechten_beoordelen": "beheerder"}

    # Done late: what the beheerder confirms now counts again, the rest stays expired.
    clock.now = TERMIJN_K1_2027 + timedelta(days=2)
    case.complete("rechten_beoordelen", {"beoordeelde_accounts": VOLLEDIGE_REVIEW[2:]}, role="beheerder")
    assert case.status == "completed"
    assert case.data["bevestigde_rechten"] == [
        {"gebruiker": "m.visser", "partner": "gemeente_heerenveen", "rollen": ["beheerder", "proceseigenaar"]}]
    assert case.data["verlopen_rechten"] == []
    assert case.data["review_afgerond_op"] == "2027-01-20T09:00:00+01:00"


def test_a_review_done_in_time_has_no_escalation(engine, deploy_only, clock):
    deploy_only(PID)
    case = review_op_tijd(engine, clock)
    assert engine.fire_due_timers(TERMIJN_K1_2027 + timedelta(days=1)) == 0
    assert engine.ready_tasks(role="teamleider") == []
    assert "reviewtermijn_verstreken" not in case.visited()


# -- every branch --------------------------------------------------------------------------------

def test_the_scenarios_reach_every_branch_of_toegangsreview(engine, deploy_only, clock):
    deploy_only(PID)
    visited = set()
    for scenario in (review_op_tijd, review_te_laat):
        visited.update(scenario(engine, clock).visited())
    assert branches(PID) - visited == set()
