"""Jaarlijkse evaluatie: every 15 January the teamleider reports on the past year, the FGs advise on
privacy, the managers of the partners meet and adopt knelpunten and verbeterpunten, which may
lead to changing the covenant or the working method."""
from datetime import datetime, timedelta, timezone

import pytest

from engine import InvalidTaskData
from tests.management_cases import NAMES, spread
from tests.processes.conftest import Case, branches, only_waiting_instance

PID = "jaarlijkse_evaluatie"

# 15 January 09:00 in Amsterdam is 08:00 UTC (winter time).
EERSTE_KEER = datetime(2027, 1, 15, 8, 0, tzinfo=timezone.utc)
TWEEDE_KEER = datetime(2028, 1, 15, 8, 0, tzinfo=timezone.utc)
# Friday 15 January 2027 09:00 + 10 werkdagen = Friday 29 January 2027 09:00.
TIEN_WERKDAGEN_LATER = datetime(2027, 1, 29, 8, 0, tzinfo=timezone.utc)

ONDERWERPEN = ["managementrapportage", "inzet_medewerkers", "verwerken_persoonsgegevens", "beveiligd_mailen",
               "trends", "knelpunten_verbeterpunten", "faciliteiten", "verlenging_convenant"]


def rapportage(jaar: int = 2027, **changes) -> dict:
    """What the teamleider writes beside the computed figures: what they mean."""
    data = {
        "casussen": "Vooral niveau 3; meest om een dreigende huisuitzetting.",
        "doorlooptijden_uitkomsten": "Veel aanmeldingen niet opgepakt: het wijkteam was al betrokken.",
        "datalekken_verzoeken_klachten": "Geen datalek; de klachten gingen over de uitleg aan de betrokkene.",
        "trends": "Meer aanmeldingen door woningcorporaties.",
        "overleg_gepland_op": f"{jaar}-03-04T14:00:00+01:00",
    }
    data.update(changes)
    return data


ADVIES = {
    "geraadpleegde_fgs": ["gemeente_heerenveen", "politie", "ggz_friesland"],
    "privacy_bevindingen": "Beveiligd mailen gaat goed; bij één partner ontbrak de toegangsreview van het tweede kwartaal.",
    "privacy_advies": "Maak de toegangsreview een vast agendapunt van het teamoverleg.",
}


def overleg(**changes) -> dict:
    data = {
        "overleg_gehouden_op": "2027-03-04T14:00:00+01:00",
        "aanwezige_partners": ["gemeente_heerenveen", "accolade", "politie", "ggz_friesland"],
        "besproken_onderwerpen": ONDERWERPEN,
        "knelpunten": "Zorgoverleggen worden laat gepland.",
        "verbeterpunten": "Vaste overlegdag op dinsdag.",
    }
    data.update(changes)
    return data


VASTGESTELD = {"vaststelling": "vastgesteld", "convenant_aanpassen": False, "werkwijze_aanpassen": False}


def volgende_evaluatie(engine, clock) -> Case:
    """Move the clock to the waiting evaluation's moment and let the scheduler start it."""
    [waiting] = [t for t in engine.timers() if engine.instance(t.instance_id).status == "scheduled"]
    clock.now = waiting.due_at
    engine.fire_due_timers()
    case = Case(engine, waiting.instance_id)
    assert case.status == "running"
    return case


def tot_het_overleg(engine, clock, **rapportage_changes) -> Case:
    case = volgende_evaluatie(engine, clock)
    case.complete("rapportage_opstellen", rapportage(clock.now.year, **rapportage_changes), role="teamleider")
    case.complete("privacy_adviseren", ADVIES, role="fg")
    case.complete("evaluatieoverleg_vastleggen", overleg(), role="teamleider")
    return case


# -- scenarios, also run together by the branch-coverage test ------------------------------------

def vastgesteld_zonder_aanpassing(engine, clock):
    case = tot_het_overleg(engine, clock)
    case.complete("verslag_vaststellen", VASTGESTELD, role="manager")
    return case


def vastgesteld_met_aanpassing(engine, clock):
    case = tot_het_overleg(engine, clock)
    case.complete("verslag_vaststellen", {"vaststelling": "vastgesteld", "convenant_aanpassen": False,
                                          "werkwijze_aanpassen": True,
                                          "aanpassing_omschrijving": "Vaste overlegdag op dinsdag in de werkwijze."},
                  role="manager")
    case.complete("aanpassing_voorbereiden", {"voorstel_aanpassing": "Werkwijze hoofdstuk 3 aanpassen.",
                                              "streefdatum": "2027-05-01"}, role="teamleider")
    return case


def extra_overleg(engine, clock):
    case = tot_het_overleg(engine, clock)
    case.complete("verslag_vaststellen", {"vaststelling": "extra_overleg",
                                          "reden_extra_overleg": "De politie was er niet bij."}, role="manager")
    case.complete("evaluatieoverleg_vastleggen", overleg(overleg_gehouden_op="2027-03-18T14:00:00+01:00"),
                  role="teamleider")
    case.complete("verslag_vaststellen", VASTGESTELD, role="manager")
    return case


def fg_advies_te_laat(engine, clock):
    case = volgende_evaluatie(engine, clock)
    case.complete("rapportage_opstellen", rapportage(clock.now.year), role="teamleider")
    [due] = case.timers().values()
    assert engine.fire_due_timers(due) >= 1
    case.complete("privacy_adviseren", ADVIES, role="fg")
    case.complete("evaluatieoverleg_vastleggen", overleg(), role="teamleider")
    case.complete("verslag_vaststellen", VASTGESTELD, role="manager")
    return case


# -- the yearly schedule -------------------------------------------------------------------------

def test_deploying_leaves_one_evaluation_waiting_for_15_january(engine, deploy_only):
    deploy_only(PID)
    deploy_only(PID)  # unchanged: still one waiting
    only_waiting_instance(engine, PID, "jaarlijks", EERSTE_KEER)


def test_on_15_january_the_teamleider_reports_on_the_past_year_and_the_next_year_waits(engine, deploy_only):
    deploy_only(PID)
    [waiting] = engine.timers()

    assert engine.fire_due_timers(EERSTE_KEER - timedelta(seconds=1)) == 0
    assert engine.fire_due_timers(EERSTE_KEER) == 1

    case = Case(engine, waiting.instance_id)
    assert case.status == "running"
    # It started now, not when it began to wait at the deploy: the figures count it in 2027.
    assert engine.instance(case.id).started_at == EERSTE_KEER
    assert case.open_tasks() == {"rapportage_opstellen": "teamleider"}
    values = engine.form_values(case.task("rapportage_opstellen").id)
    assert {k: values[k] for k in ("evaluatiejaar", "periode_van", "periode_tot")} == {
        "evaluatiejaar": 2026, "periode_van": "2026-01-01", "periode_tot": "2026-12-31"}
    # Computed, not counted by hand: no cases in 2026 here, so no figures.
    assert values["cijfers_casussen"].startswith("Casussen per proces:\n- geen in deze periode\n")
    assert values["cijfers_uitleg"].startswith("Berekend door ZVT op 2027-01-15 over 2026.")
    [following] = engine.timers()
    assert following.instance_id != case.id
    assert following.due_at == TWEEDE_KEER
    assert engine.instance(following.instance_id).status == "scheduled"

    assert engine.fire_due_timers(TWEEDE_KEER) == 1
    assert engine.instance(following.instance_id).data["evaluatiejaar"] == 2027
    assert [t.due_at for t in engine.timers()] == [datetime(2029, 1, 15, 8, 0, tzinfo=timezone.utc)]


def test_the_report_covers_every_part_without_personal_data_and_plans_the_meeting(engine, deploy_only, clock):
    deploy_only(PID)
    case = volgende_evaluatie(engine, clock)

    incomplete = rapportage()
    del incomplete["trends"], incomplete["overleg_gepland_op"]
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("rapportage_opstellen", {**incomplete, "evaluatiejaar": 2020}, role="teamleider")
    assert {e.field for e in refused.value.errors} == {"evaluatiejaar"}  # read-only, from the case
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("rapportage_opstellen", incomplete, role="teamleider")
    assert {e.field for e in refused.value.errors} == {"trends", "overleg_gepland_op"}
    assert case.open_tasks() == {"rapportage_opstellen": "teamleider"}

    case.complete("rapportage_opstellen", rapportage(), role="teamleider")
    assert case.data["casussen"].startswith("Vooral niveau 3")
    assert case.data["overleg_gepland_op"] == "2027-03-04T14:00:00+01:00"


def test_the_report_shows_the_figures_of_the_evaluation_year_and_the_teamleider_writes_what_they_mean(
        engine, deploy_only, clock):
    deploy_only(PID, "zvt_casus", "klacht", dmn=("afwegingskader.dmn",))
    spread(engine, clock)  # in November 2026
    case = volgende_evaluatie(engine, clock)
    assert case.visited()[:3] == ["jaarlijks", "periode_bepalen", "cijfers_berekenen"]

    values = engine.form_values(case.task("rapportage_opstellen").id)
    casussen = values["cijfers_casussen"].split("\n")
    assert "- Casus zorg- en veiligheidsteam: nieuw 20, afgesloten 13, onderhanden 20" in casussen
    assert ["- Niveau 2: casussen niet getoond", "- Niveau 3: casussen 13"] == casussen[5:7]
    assert "- GGZ Friesland: casus zorg- en veiligheidsteam 7, klacht 0" in casussen
    uitkomsten = values["cijfers_doorlooptijden_uitkomsten"].split("\n")
    assert "- Casus zorg- en veiligheidsteam – Niet opgepakt: casussen 6" in uitkomsten
    assert "- Casus zorg- en veiligheidsteam – Niet geregistreerd: casussen niet getoond" in uitkomsten
    assert not any("Klacht" in line for line in uitkomsten)
    klachten = values["cijfers_datalekken_verzoeken_klachten"].split("\n")
    assert "- Klacht: nieuw 6, afgesloten 5, onderhanden 6" in klachten
    assert "- Klacht – Klacht afgehandeld – Deels gegrond: casussen 5" in klachten
    assert not any("zorg- en veiligheidsteam" in line for line in klachten)
    assert not any(name in value for name in NAMES for value in values.values() if isinstance(value, str))

    # The figures are the case's; the form refuses them as input, and takes the interpretation.
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("rapportage_opstellen", {**rapportage(), "cijfers_casussen": "42 casussen"}, role="teamleider")
    assert {e.field for e in refused.value.errors} == {"cijfers_casussen"}
    case.complete("rapportage_opstellen", rapportage(), role="teamleider")
    assert case.data["cijfers_casussen"] == values["cijfers_casussen"]
    assert case.open_tasks() == {"privacy_adviseren": "fg"}


# -- the FGs -------------------------------------------------------------------------------------

def test_the_fgs_advise_on_privacy_within_ten_working_days(engine, deploy_only, clock):
    deploy_only(PID)
    case = volgende_evaluatie(engine, clock)
    case.complete("rapportage_opstellen", rapportage(), role="teamleider")

    assert case.open_tasks() == {"privacy_adviseren": "fg"}
    assert case.task("privacy_adviseren").due_at == TIEN_WERKDAGEN_LATER
    assert case.timers() == {"fg_termijn_verstreken": TIEN_WERKDAGEN_LATER}
    values = engine.form_values(case.task("privacy_adviseren").id)
    assert values["fg_advies_termijn"] == "2027-01-29T09:00:00+01:00"
    assert values["datalekken_verzoeken_klachten"].startswith("Geen datalek")

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("privacy_adviseren", {**ADVIES, "geraadpleegde_fgs": []}, role="fg")
    assert [e.field for e in refused.value.errors] == ["geraadpleegde_fgs"]

    case.complete("privacy_adviseren", ADVIES, role="fg")
    assert case.open_tasks() == {"evaluatieoverleg_vastleggen": "teamleider"}
    assert case.timers() == {}
    assert engine.form_values(case.task("evaluatieoverleg_vastleggen").id)["privacy_advies"] == ADVIES["privacy_advies"]


def test_the_fg_advice_is_due_before_a_meeting_that_comes_sooner(engine, deploy_only, clock):
    deploy_only(PID)
    case = volgende_evaluatie(engine, clock)
    case.complete("rapportage_opstellen", rapportage(overleg_gepland_op="2027-01-22T13:00:00Z"), role="teamleider")

    assert case.task("privacy_adviseren").due_at == datetime(2027, 1, 22, 13, 0, tzinfo=timezone.utc)
    assert case.data["fg_advies_termijn"] == "2027-01-22T14:00:00+01:00"


def test_a_late_fg_advice_gives_a_reminder_and_stays_open(engine, deploy_only, clock):
    deploy_only(PID)
    case = volgende_evaluatie(engine, clock)
    case.complete("rapportage_opstellen", rapportage(), role="teamleider")

    assert engine.fire_due_timers(TIEN_WERKDAGEN_LATER - timedelta(seconds=1)) == 0
    assert engine.fire_due_timers(TIEN_WERKDAGEN_LATER) == 1
    assert case.open_tasks() == {"privacy_adviseren": "fg"}
    assert case.task("privacy_adviseren").due_at == TIEN_WERKDAGEN_LATER
    assert case.visited()[-3:] == ["fg_termijn_verstreken", "herinnering_fg_advies", "einde_herinnering_fg"]

    case.complete("privacy_adviseren", ADVIES, role="fg")
    assert case.open_tasks() == {"evaluatieoverleg_vastleggen": "teamleider"}


# -- the meeting and its outcome -----------------------------------------------------------------

def test_the_meeting_record_covers_every_topic_the_covenant_names(engine, deploy_only, clock):
    deploy_only(PID)
    case = volgende_evaluatie(engine, clock)
    case.complete("rapportage_opstellen", rapportage(), role="teamleider")
    case.complete("privacy_adviseren", ADVIES, role="fg")

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("evaluatieoverleg_vastleggen", overleg(besproken_onderwerpen=ONDERWERPEN[:-1]), role="teamleider")
    assert [e.field for e in refused.value.errors] == ["besproken_onderwerpen"]
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("evaluatieoverleg_vastleggen", overleg(besproken_onderwerpen=ONDERWERPEN[:-1] + ["koffie"]),
                      role="teamleider")
    assert [e.field for e in refused.value.errors] == [f"besproken_onderwerpen/{len(ONDERWERPEN) - 1}"]
    assert case.open_tasks() == {"evaluatieoverleg_vastleggen": "teamleider"}

    case.complete("evaluatieoverleg_vastleggen", overleg(), role="teamleider")
    assert case.open_tasks() == {"verslag_vaststellen": "manager"}
    assert engine.form_values(case.task("verslag_vaststellen").id)["verbeterpunten"] == "Vaste overlegdag op dinsdag."


def test_managers_who_adopt_the_record_without_changes_end_the_evaluation(engine, deploy_only, clock):
    deploy_only(PID)
    case = tot_het_overleg(engine, clock)

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("verslag_vaststellen", {"vaststelling": "vastgesteld"}, role="manager")
    assert {e.field for e in refused.value.errors} == {"convenant_aanpassen", "werkwijze_aanpassen"}

    case.complete("verslag_vaststellen", VASTGESTELD, role="manager")
    assert case.status == "completed"
    assert case.visited()[-3:] == ["vaststelling_keuze", "aanpassing_keuze", "einde_zonder_aanpassing"]
    assert case.data["knelpunten"] == "Zorgoverleggen worden laat gepland."


def test_a_change_to_the_covenant_or_the_working_method_is_prepared_by_the_teamleider(engine, deploy_only, clock):
    deploy_only(PID)
    case = tot_het_overleg(engine, clock)

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("verslag_vaststellen", {**VASTGESTELD, "convenant_aanpassen": True}, role="manager")
    assert [e.field for e in refused.value.errors] == ["aanpassing_omschrijving"]

    case.complete("verslag_vaststellen", {**VASTGESTELD, "convenant_aanpassen": True,
                                          "aanpassing_omschrijving": "Veiligheidsregio als vaste partner opnemen."},
                  role="manager")
    assert case.open_tasks() == {"aanpassing_voorbereiden": "teamleider"}
    assert engine.form_values(case.task("aanpassing_voorbereiden").id) == {
        "convenant_aanpassen": True, "werkwijze_aanpassen": False,
        "aanpassing_omschrijving": "Veiligheidsregio als vaste partner opnemen."}

    case.complete("aanpassing_voorbereiden", {"voorstel_aanpassing": "Tekst bijlage 1 aanvullen.",
                                              "streefdatum": "2027-07-01"}, role="teamleider")
    assert case.status == "completed"
    assert case.visited()[-1] == "einde_met_aanpassing"
    assert case.data["streefdatum"] == "2027-07-01"


def test_an_extra_meeting_sends_the_record_back_to_the_teamleider(engine, deploy_only, clock):
    deploy_only(PID)
    case = tot_het_overleg(engine, clock)

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("verslag_vaststellen", {"vaststelling": "extra_overleg"}, role="manager")
    assert [e.field for e in refused.value.errors] == ["reden_extra_overleg"]

    case.complete("verslag_vaststellen", {"vaststelling": "extra_overleg",
                                          "reden_extra_overleg": "De politie was er niet bij."}, role="manager")
    assert case.open_tasks() == {"evaluatieoverleg_vastleggen": "teamleider"}

    case.complete("evaluatieoverleg_vastleggen", overleg(overleg_gehouden_op="2027-03-18T14:00:00+01:00",
                                                         knelpunten="Politie mist de uitnodigingen."),
                  role="teamleider")
    case.complete("verslag_vaststellen", VASTGESTELD, role="manager")
    assert case.status == "completed"
    assert case.visited().count("evaluatieoverleg_vastleggen") == 2
    assert case.data["overleg_gehouden_op"] == "2027-03-18T14:00:00+01:00"
    assert case.data["knelpunten"] == "Politie mist de uitnodigingen."


# -- every branch --------------------------------------------------------------------------------

def test_the_scenarios_reach_every_branch_of_jaarlijkse_evaluatie(engine, deploy_only, clock):
    deploy_only(PID)
    visited = set()
    for scenario in (vastgesteld_zonder_aanpassing, vastgesteld_met_aanpassing, extra_overleg, fg_advies_te_laat):
        visited.update(scenario(engine, clock).visited())
    assert branches(PID) - visited == set()
