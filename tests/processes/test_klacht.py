"""Klacht: conduct complaints go to the employee's organisation, procedure complaints to the
municipality's teamleider, and a complaint filed at the wrong organisation is referred on."""
from datetime import datetime, timedelta, timezone

import pytest

from engine import InvalidTaskData, WorkflowFailed
from tests.processes.conftest import branches, start

PID = "klacht"

# 26 November 2026 10:30 Amsterdam (UTC+1); six weeks later is 7 January 2027 10:30.
ONTVANGEN_OP = "2026-11-26T10:30:00+01:00"
ZES_WEKEN_NA_ONTVANGST = datetime(2027, 1, 7, 9, 30, tzinfo=timezone.utc)


def klacht(**changes) -> dict:
    data = {
        "ontvangen_op": ONTVANGEN_OP,
        "vorm": "schriftelijk",
        "klager_naam": "Mevrouw A. de Vries",
        "klager_contact": "a.devries@voorbeeld.nl",
        "soort_klacht": "werkwijze",
        "omschrijving": "Er is over mij vergaderd zonder dat iemand mij heeft verteld waarom.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def ontvangen(door: str) -> dict:
    """What the engine adds when `door`'s employee starts the case (processes/process_rules.json):
    the receiving organisation and the partner that directs the team, from the register."""
    return {"ontvangen_door": door, "regiepartner": "gemeente_heerenveen"}


def gedragsklacht(medewerker_partner: str) -> dict:
    return klacht(soort_klacht="gedrag", medewerker_partner=medewerker_partner, medewerker_naam="De heer B. Jansen",
                  omschrijving="De medewerker sprak mij onbeleefd aan tijdens het huisbezoek.")


AFHANDELING = {
    "oordeel": "deels_gegrond",
    "motivering": "De klager is te laat geïnformeerd; het besluit zelf was wel nodig.",
    "maatregelen": "Betrokkenen krijgen binnen een week na de aanmelding bericht.",
    "klager_bericht_op": "2026-12-10T11:00:00+01:00",
}


# -- scenarios, also run together by the branch-coverage test ------------------------------------

def werkwijze_zonder_gesprek(engine):
    case = start(engine, PID, klacht(), context=ontvangen("gemeente_heerenveen"))
    case.complete("klacht_beoordelen", {"gesprek_nodig": False,
                                        "reden_geen_gesprek": "De brief beschrijft precies wat er gebeurde en wat de klager wil."},
                  role="teamleider")
    case.complete("klacht_afhandelen", AFHANDELING, role="teamleider")
    return case


def werkwijze_met_gesprek(engine):
    case = start(engine, PID, klacht(vorm="mondeling"), context=ontvangen("gemeente_heerenveen"))
    case.complete("klacht_beoordelen", {"gesprek_nodig": True}, role="teamleider")
    case.complete("gesprek_voeren", {"gesprek_op": "2026-12-03T10:00:00+01:00",
                                     "gespreksverslag": "De klager wil weten welke partners over haar hebben gesproken."},
                  role="teamleider")
    case.complete("klacht_afhandelen", AFHANDELING, role="teamleider")
    return case


def werkwijze_doorgestuurd_door_politie(engine):
    case = start(engine, PID, klacht(), context=ontvangen("politie"))
    case.complete("klager_doorverwijzen", {"wijze_doorverwijzing": "doorgestuurd",
                                           "doorverwezen_op": "2026-12-01T14:00:00+01:00",
                                           "toelichting_doorverwijzing": "Met instemming van de klager per post naar de gemeente."},
                  role="partnermedewerker")
    return case


def werkwijze_klager_dient_zelf_in(engine):
    case = start(engine, PID, klacht(), context=ontvangen("woonfriesland"))
    case.complete("klager_doorverwijzen", {"wijze_doorverwijzing": "klager_zelf",
                                           "doorverwezen_op": "2026-11-27T09:00:00+01:00"},
                  role="partnermedewerker")
    return case


def gedrag_bij_eigen_organisatie(engine):
    case = start(engine, PID, gedragsklacht("ggz_friesland"), context=ontvangen("ggz_friesland"))
    case.complete("klacht_overdragen", {"overgedragen_aan": "Klachtenfunctionaris GGZ Friesland",
                                        "overgedragen_op": "2026-11-27T15:00:00+01:00"},
                  role="partnermedewerker")
    return case


def gedrag_bij_verkeerde_organisatie(engine):
    case = start(engine, PID, gedragsklacht("accolade"), context=ontvangen("gemeente_heerenveen"))
    case.complete("klager_doorverwijzen", {"wijze_doorverwijzing": "doorgestuurd",
                                           "doorverwezen_op": "2026-11-30T09:00:00+01:00"},
                  role="partnermedewerker")
    return case


def afhandeltermijn_voorbij(engine):
    case = start(engine, PID, klacht(), context=ontvangen("gemeente_heerenveen"))
    case.complete("klacht_beoordelen", {"gesprek_nodig": True}, role="teamleider")
    case.complete("gesprek_voeren", {"gesprek_op": "2026-12-03T10:00:00+01:00",
                                     "gespreksverslag": "De klager voelt zich niet gehoord."}, role="teamleider")
    assert engine.fire_due_timers(ZES_WEKEN_NA_ONTVANGST) == 1
    return case


# -- procedure complaints: the municipality ------------------------------------------------------

def test_a_procedure_complaint_filed_at_the_municipality_goes_to_the_teamleider(engine, deploy_only):
    deploy_only(PID)
    case = start(engine, PID, klacht(), context=ontvangen("gemeente_heerenveen"))

    assert case.open_tasks() == {"klacht_beoordelen": "teamleider"}
    assert case.data["behandelende_partner"] == "gemeente_heerenveen"
    assert case.data["doorverwijzen"] is False
    assert case.data["afhandeltermijn"] == "2027-01-07T10:30:00+01:00"
    # The form shows the complaint and the deadline, which the teamleider cannot change.
    values = engine.form_values(case.task("klacht_beoordelen").id)
    assert values["afhandeltermijn"] == "2027-01-07T10:30:00+01:00"
    assert values["omschrijving"].startswith("Er is over mij vergaderd")
    assert values["vorm"] == "schriftelijk"


def test_a_clear_written_complaint_is_handled_without_a_conversation(engine, deploy_only):
    deploy_only(PID)
    case = werkwijze_zonder_gesprek(engine)

    assert case.status == "completed"
    assert "gesprek_voeren" not in case.visited()
    assert case.visited()[-1] == "einde_afgehandeld"
    assert case.data["gesprek_nodig"] is False
    assert case.data["oordeel"] == "deels_gegrond"
    assert case.data["maatregelen"].startswith("Betrokkenen krijgen")
    assert engine.timers(case.id) == []


def test_skipping_the_conversation_requires_a_reason(engine, deploy_only):
    deploy_only(PID)
    case = start(engine, PID, klacht(), context=ontvangen("gemeente_heerenveen"))

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("klacht_beoordelen", {"gesprek_nodig": False}, role="teamleider")
    assert [(e.field, e.message) for e in refused.value.errors] == [("reden_geen_gesprek", "this field is required")]
    assert case.open_tasks() == {"klacht_beoordelen": "teamleider"}
    assert "gesprek_nodig" not in case.data


def test_a_complaint_that_is_not_clear_gets_a_conversation_first(engine, deploy_only):
    deploy_only(PID)
    case = start(engine, PID, klacht(vorm="mondeling"), context=ontvangen("gemeente_heerenveen"))
    case.complete("klacht_beoordelen", {"gesprek_nodig": True}, role="teamleider")

    assert case.open_tasks() == {"gesprek_voeren": "teamleider"}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("gesprek_voeren", {"gesprek_op": "morgen", "gespreksverslag": "Kort gesprek."}, role="teamleider")
    assert [e.field for e in refused.value.errors] == ["gesprek_op"]

    case.complete("gesprek_voeren", {"gesprek_op": "2026-12-03T10:00:00+01:00",
                                     "gespreksverslag": "De klager wil weten welke partners over haar hebben gesproken."},
                  role="teamleider")
    assert case.open_tasks() == {"klacht_afhandelen": "teamleider"}
    assert case.task("klacht_afhandelen").due_at == ZES_WEKEN_NA_ONTVANGST
    assert case.timers() == {"afhandeltermijn_verstreken": ZES_WEKEN_NA_ONTVANGST}

    case.complete("klacht_afhandelen", AFHANDELING, role="teamleider")
    assert case.status == "completed"
    assert case.visited() == ["klacht_ontvangen", "klacht_routeren", "juiste_organisatie", "soort_klacht_keuze",
                              "samenvoegen_gemeente", "afhandeltermijn_bepalen", "klacht_beoordelen", "gesprek_keuze",
                              "gesprek_voeren", "samenvoegen_gesprek", "klacht_afhandelen", "einde_afgehandeld"]


def test_handling_a_complaint_needs_an_outcome_and_a_known_verdict(engine, deploy_only):
    deploy_only(PID)
    case = start(engine, PID, klacht(), context=ontvangen("gemeente_heerenveen"))
    case.complete("klacht_beoordelen", {"gesprek_nodig": True}, role="teamleider")
    case.complete("gesprek_voeren", {"gesprek_op": "2026-12-03T10:00:00+01:00", "gespreksverslag": "Verslag."},
                  role="teamleider")

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("klacht_afhandelen", {"oordeel": "terecht", "afhandeltermijn": "2030-01-01T00:00:00+01:00"},
                      role="teamleider")
    fields = {e.field for e in refused.value.errors}
    assert "afhandeltermijn" in fields  # read-only: the deadline comes from the case
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("klacht_afhandelen", {"oordeel": "terecht"}, role="teamleider")
    assert {e.field for e in refused.value.errors} == {"oordeel", "motivering", "klager_bericht_op"}
    assert case.open_tasks() == {"klacht_afhandelen": "teamleider"}
    assert case.data["afhandeltermijn"] == "2027-01-07T10:30:00+01:00"


# -- referral: filed at the wrong organisation --------------------------------------------------

def test_a_procedure_complaint_filed_at_a_partner_is_sent_on_to_the_municipality(engine, deploy_only):
    deploy_only(PID)
    case = start(engine, PID, klacht(), context=ontvangen("politie"))

    assert case.open_tasks() == {"klager_doorverwijzen": "partnermedewerker"}
    assert engine.form_values(case.task("klager_doorverwijzen").id) == {
        "behandelende_partner": "gemeente_heerenveen", "soort_klacht": "werkwijze",
        "omschrijving": klacht()["omschrijving"]}

    case.complete("klager_doorverwijzen", {"wijze_doorverwijzing": "doorgestuurd",
                                           "doorverwezen_op": "2026-12-01T14:00:00+01:00"},
                  role="partnermedewerker")
    # The municipality received it when it was sent on: six weeks from 1 December 14:00.
    assert case.open_tasks() == {"klacht_beoordelen": "teamleider"}
    assert case.data["ontvangen_door_gemeente_op"] == "2026-12-01T14:00:00+01:00"
    assert case.data["afhandeltermijn"] == "2027-01-12T14:00:00+01:00"

    case.complete("klacht_beoordelen", {"gesprek_nodig": True}, role="teamleider")
    case.complete("gesprek_voeren", {"gesprek_op": "2026-12-08T10:00:00+01:00", "gespreksverslag": "Verslag."},
                  role="teamleider")
    assert case.task("klacht_afhandelen").due_at == datetime(2027, 1, 12, 13, 0, tzinfo=timezone.utc)


def test_a_complainant_who_files_at_the_municipality_themselves_ends_the_referral_here(engine, deploy_only):
    deploy_only(PID)
    case = werkwijze_klager_dient_zelf_in(engine)

    assert case.status == "completed"
    assert case.visited()[-3:] == ["klager_doorverwijzen", "naar_gemeente", "einde_doorverwezen"]
    assert case.data["wijze_doorverwijzing"] == "klager_zelf"
    assert "afhandeltermijn" not in case.data


def test_a_conduct_complaint_filed_at_the_wrong_organisation_is_referred_to_the_employees_organisation(
        engine, deploy_only):
    deploy_only(PID)
    case = start(engine, PID, gedragsklacht("accolade"), context=ontvangen("gemeente_heerenveen"))

    assert case.open_tasks() == {"klager_doorverwijzen": "partnermedewerker"}
    assert engine.form_values(case.task("klager_doorverwijzen").id)["behandelende_partner"] == "accolade"

    case.complete("klager_doorverwijzen", {"wijze_doorverwijzing": "doorgestuurd",
                                           "doorverwezen_op": "2026-11-30T09:00:00+01:00"},
                  role="partnermedewerker")
    # Accolade handles it under its own klachtenregeling; nothing goes to the teamleider.
    assert case.status == "completed"
    assert case.visited()[-1] == "einde_doorverwezen"
    assert "klacht_beoordelen" not in case.visited()


# -- conduct complaints at the employee's own organisation --------------------------------------

def test_a_conduct_complaint_goes_to_the_klachtenregeling_of_the_employees_organisation(engine, deploy_only):
    deploy_only(PID)
    case = start(engine, PID, gedragsklacht("ggz_friesland"), context=ontvangen("ggz_friesland"))

    assert case.open_tasks() == {"klacht_overdragen": "partnermedewerker"}
    assert case.data["behandelende_partner"] == "ggz_friesland"
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("klacht_overdragen", {"overgedragen_op": "2026-11-27T15:00:00+01:00"}, role="partnermedewerker")
    assert [e.field for e in refused.value.errors] == ["overgedragen_aan"]

    case.complete("klacht_overdragen", {"overgedragen_aan": "Klachtenfunctionaris GGZ Friesland",
                                        "overgedragen_op": "2026-11-27T15:00:00+01:00"},
                  role="partnermedewerker")
    assert case.status == "completed"
    assert case.visited()[-1] == "einde_overgedragen"
    assert case.data["overgedragen_aan"] == "Klachtenfunctionaris GGZ Friesland"
    assert engine.timers(case.id) == []


def test_a_conduct_complaint_names_the_employees_organisation(engine, deploy_only):
    deploy_only(PID)
    with pytest.raises(InvalidTaskData) as refused:
        engine.start(PID, klacht(soort_klacht="gedrag"), actor="aanmelder", context=ontvangen("politie"))
    assert [(e.field, e.message) for e in refused.value.errors] == [("medewerker_partner", "this field is required")]

    with pytest.raises(InvalidTaskData) as refused:
        engine.start(PID, klacht(soort_klacht="gedrag", medewerker_partner="buurtvereniging"), actor="aanmelder",
                     context=ontvangen("politie"))
    assert [e.field for e in refused.value.errors] == ["medewerker_partner"]
    assert engine.ready_tasks() == []


def test_a_complaint_needs_the_receiving_organisation_from_the_caller(engine, deploy_only):
    # The web layer passes the organisation of whoever registers the complaint; without it
    # the process cannot tell a referral from a complaint at the right place.
    deploy_only(PID)
    with pytest.raises(WorkflowFailed, match="ontvangen_door"):
        engine.start(PID, klacht(), actor="aanmelder", context={"regiepartner": "gemeente_heerenveen"})
    # Nor without the directing partner from the register (engine/casework.py start_context).
    with pytest.raises(WorkflowFailed, match="regiepartner"):
        engine.start(PID, klacht(), actor="aanmelder", context={"ontvangen_door": "politie"})
    assert engine.ready_tasks() == []
    assert engine.timers() == []


# -- the six-week deadline -----------------------------------------------------------------------

def test_a_complaint_not_handled_within_six_weeks_gives_a_reminder_and_stays_open(engine, deploy_only):
    deploy_only(PID)
    case = start(engine, PID, klacht(), context=ontvangen("gemeente_heerenveen"))
    case.complete("klacht_beoordelen", {"gesprek_nodig": False, "reden_geen_gesprek": "De brief is duidelijk."},
                  role="teamleider")

    assert engine.fire_due_timers(ZES_WEKEN_NA_ONTVANGST - timedelta(seconds=1)) == 0
    assert engine.fire_due_timers(ZES_WEKEN_NA_ONTVANGST) == 1
    assert case.open_tasks() == {"klacht_afhandelen": "teamleider"}
    assert case.task("klacht_afhandelen").due_at == ZES_WEKEN_NA_ONTVANGST  # now overdue
    assert case.visited()[-3:] == ["afhandeltermijn_verstreken", "herinnering_afhandeltermijn", "einde_herinnering"]
    assert case.timers() == {}

    case.complete("klacht_afhandelen", AFHANDELING, role="teamleider")
    assert case.status == "completed"


def test_a_conversation_that_runs_past_six_weeks_reminds_as_soon_as_the_handling_opens(engine, deploy_only, clock):
    deploy_only(PID)
    case = start(engine, PID, klacht(), context=ontvangen("gemeente_heerenveen"))
    case.complete("klacht_beoordelen", {"gesprek_nodig": True}, role="teamleider")
    assert engine.fire_due_timers(ZES_WEKEN_NA_ONTVANGST + timedelta(days=3)) == 0  # no reminder on the conversation

    clock.now = ZES_WEKEN_NA_ONTVANGST + timedelta(days=3)
    case.complete("gesprek_voeren", {"gesprek_op": "2027-01-09T10:00:00+01:00", "gespreksverslag": "Verslag."},
                  role="teamleider")
    # The deadline has passed when the task opens: the reminder comes in the same step.
    assert case.visited()[-3:] == ["afhandeltermijn_verstreken", "herinnering_afhandeltermijn", "einde_herinnering"]
    assert case.open_tasks() == {"klacht_afhandelen": "teamleider"}
    assert engine.fire_due_timers() == 0


# -- every branch --------------------------------------------------------------------------------

def test_the_scenarios_reach_every_branch_of_klacht(engine, deploy_only):
    deploy_only(PID)
    scenarios = [werkwijze_zonder_gesprek, werkwijze_met_gesprek, werkwijze_doorgestuurd_door_politie,
                 werkwijze_klager_dient_zelf_in, gedrag_bij_eigen_organisatie, gedrag_bij_verkeerde_organisatie,
                 afhandeltermijn_voorbij]
    visited = set()
    for scenario in scenarios:
        visited.update(scenario(engine).visited())
    assert branches(PID) - visited == set()
