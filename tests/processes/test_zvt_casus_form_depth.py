"""zvt_casus: what a procesregisseur needs on the forms, stored and checked on the server, with the
Dutch message at the field; and the plausibility rules between fields (engine/list_rules.py)."""
import json

import pytest

from engine import InvalidTaskData
from tests.processes.conftest import FORMS, start
from tests.processes.test_zvt_casus import (
    INFORMEREN,
    OPPAKKEN,
    PLAN,
    PLAN_BIJSTELLEN,
    PRIVACYCHECK,
    aanmelding,
    new_case,
    to_plan,
    zorgoverleg,
)
from web.forms import dutch_errors

NOT_A_PARTICIPANT = "U kunt hier alleen kiezen wat bij ‘Partners die meedoen’ staat."


def refused_in_dutch(action, form: str) -> dict[str, str]:
    """What the person sees at each field when `action` is refused."""
    with pytest.raises(InvalidTaskData) as refused:
        action()
    schema = json.loads((FORMS / "zvt_casus" / f"{form}.schema.json").read_text(encoding="utf-8"))
    return dutch_errors(refused.value.errors, schema)


def history(engine, case, bpmn_id: str) -> list[dict]:
    return [h.data for h in engine.history(case.id) if h.bpmn_id == bpmn_id]


# -- aanmelding ---------------------------------------------------------------------------

def test_the_aanmelding_keeps_household_minors_care_involved_home_visit_risks_and_urgency(engine, casus):
    extra = {
        "urgentie": "direct", "huishouden": "Woont met partner en twee kinderen.",
        "minderjarige_kinderen": True, "kinderen_toelichting": "Twee kinderen, 4 en 9 jaar.",
        "betrokken_hulpverlening": [{"organisatie": "Huisartsenpraktijk Oranjewoud", "hulp": "Medicatie"},
                                    {"organisatie": "Wijkteam Heerenveen"}],
        "veiligheidsrisico_huisbezoek": True, "veiligheidsrisico_toelichting": "Grote hond, niet alleen gaan.",
    }
    case = new_case(engine, **extra)
    [stored] = history(engine, case, "aanmelding")
    assert {k: stored[k] for k in extra} == extra
    assert {k: case.data[k] for k in extra} == extra


def test_the_new_aanmelding_questions_may_stay_open_when_the_aanmelder_does_not_know(engine, casus):
    # Only what is needed (AVG: data minimisation): an aanmelder who does not know leaves them open.
    data = {k: v for k, v in aanmelding().items()
            if k not in ("urgentie", "minderjarige_kinderen", "veiligheidsrisico_huisbezoek")}
    case = start(engine, "zvt_casus", data, actor="w.woonfriesland", context={"aanmelder_partner": "woonfriesland"})
    assert case.open_tasks() == {"beoordeling": "procesregisseur"}
    assert "urgentie" not in history(engine, case, "aanmelding")[0]


def test_an_aanmelding_with_a_wrong_urgency_or_unexplained_children_or_risks_is_refused_in_dutch(engine, casus):
    data = aanmelding(urgentie="morgen", minderjarige_kinderen=True, veiligheidsrisico_huisbezoek=True,
                      betrokken_hulpverlening=[{"hulp": "Schuldhulp"}])
    messages = refused_in_dutch(lambda: engine.start("zvt_casus", data, actor="w.woonfriesland"), "aanmelding")
    assert messages == {
        "urgentie": "Kies een van de mogelijkheden.",
        "kinderen_toelichting": "Vul dit veld in.",
        "veiligheidsrisico_toelichting": "Vul dit veld in.",
        "betrokken_hulpverlening/0/organisatie": "Vul dit veld in.",
    }
    no_children = aanmelding(kinderen_toelichting="Twee kinderen.")
    messages = refused_in_dutch(lambda: engine.start("zvt_casus", no_children, actor="w.woonfriesland"), "aanmelding")
    assert messages == {"kinderen_toelichting": "Laat dit veld leeg. Het past niet bij uw andere antwoorden."}
    assert engine.ready_tasks() == []


# -- beoordeling --------------------------------------------------------------------------

def test_a_case_not_taken_up_says_what_to_do_instead_and_the_aanmelder_hears_it(engine, casus):
    case = new_case(engine)
    niet = {"niveau": 3, "besluit_beoordeling": "niet_oppakken", "toelichting_besluit": "Valt onder reguliere hulp."}
    messages = refused_in_dutch(lambda: case.complete("beoordeling", niet, role="procesregisseur"), "beoordeling")
    assert messages == {"advies_alternatief": "Vul dit veld in."}
    case.complete("beoordeling", {**niet, "advies_alternatief": "Vraag het wijkteam om een huisbezoek."},
                  role="procesregisseur")
    assert case.data["terugkoppeling"]["advies"] == "Vraag het wijkteam om een huisbezoek."
    assert history(engine, case, "beoordeling")[0]["advies_alternatief"] == "Vraag het wijkteam om een huisbezoek."


def test_a_case_taken_up_has_no_alternative(engine, casus):
    case = new_case(engine)
    messages = refused_in_dutch(lambda: case.complete("beoordeling", {**OPPAKKEN, "advies_alternatief": "Wijkteam."},
                                                      role="procesregisseur"), "beoordeling")
    assert messages == {"advies_alternatief": "Laat dit veld leeg. Het past niet bij uw andere antwoorden."}
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    assert case.data["terugkoppeling"]["advies"] is None


# -- plan van aanpak ----------------------------------------------------------------------

def plan_task(engine):
    case = new_case(engine)
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    return case


def test_a_plan_action_goes_only_to_a_partner_that_takes_part(engine, casus):
    case = plan_task(engine)
    assert engine.form_values(case.task("plan_van_aanpak").id)["deelnemende_partners"] == OPPAKKEN["deelnemende_partners"]
    politie = {"partner": "politie", "actie": "Langsgaan", "uiterlijk_op": "2026-12-04"}  # politie does not take part
    plan = {**PLAN, "afspraken": [PLAN["afspraken"][0], politie]}
    messages = refused_in_dutch(lambda: case.complete("plan_van_aanpak", plan, role="procesregisseur"), "plan_van_aanpak")
    assert messages == {"afspraken/1/partner": NOT_A_PARTICIPANT}
    assert case.open_tasks() == {"plan_van_aanpak": "procesregisseur"}


def test_a_plan_action_needs_a_deadline_and_the_evaluation_is_not_before_the_first_overleg(engine, casus):
    case = plan_task(engine)
    plan = {**PLAN, "afspraken": [{"partner": "woonfriesland", "actie": "Regeling"}], "evaluatie_op": "2026-12-01"}
    messages = refused_in_dutch(lambda: case.complete("plan_van_aanpak", plan, role="procesregisseur"), "plan_van_aanpak")
    assert messages == {
        "afspraken/0/uiterlijk_op": "Vul een datum in.",
        "evaluatie_op": "Kies de datum bij ‘Datum eerste zorgoverleg’ of een latere datum.",
    }
    without = {k: v for k, v in PLAN.items() if k != "evaluatie_op"}
    messages = refused_in_dutch(lambda: case.complete("plan_van_aanpak", without, role="procesregisseur"),
                                "plan_van_aanpak")
    assert messages == {"evaluatie_op": "Vul een datum in."}


def test_the_plan_keeps_owners_deadlines_own_goals_and_the_evaluation_date(engine, casus):
    case = plan_task(engine)
    plan = {**PLAN, "eigen_doelen": "Zelf weer de huur betalen en rust in huis."}
    case.complete("plan_van_aanpak", plan, role="procesregisseur")
    [stored] = history(engine, case, "plan_van_aanpak")
    assert stored == plan
    assert case.data["evaluatie_op"] == "2027-02-08"
    assert [(a["partner"], a["uiterlijk_op"]) for a in case.data["afspraken"]] == [
        ("woonfriesland", "2026-12-11"), ("ggz_friesland", "2026-12-04")]


# -- privacycheck and zorgoverleg ---------------------------------------------------------

def test_a_partner_cannot_be_both_invited_and_opted_out(engine, casus):
    case = to_plan(engine)
    both = {**PRIVACYCHECK, "afgemelde_partners": ["ggz_friesland"]}
    messages = refused_in_dutch(lambda: case.complete("privacycheck", both, role="procesregisseur"), "privacycheck")
    assert messages == {"afgemelde_partners": "U kunt hier niets kiezen wat ook bij ‘Uitgenodigde partners’ staat. "
                                              "Iets kan niet op allebei de plekken staan."}
    assert case.open_tasks() == {"privacycheck": "procesregisseur"}


def test_a_zorgoverleg_records_who_attended_and_whether_the_betrokkene_was_invited(engine, casus):
    case = to_plan(engine)
    case.complete("privacycheck", {**PRIVACYCHECK, "uitgenodigde_partners": ["gemeente_heerenveen", "woonfriesland"],
                                   "afgemelde_partners": ["ggz_friesland"]}, role="procesregisseur")
    overleg = zorgoverleg("doorgaan", aanwezige_partners=["woonfriesland", "ggz_friesland"])  # ggz opted out
    del overleg["betrokkene_uitgenodigd"]
    messages = refused_in_dutch(lambda: case.complete("zorgoverleg", overleg, role="procesregisseur"), "zorgoverleg")
    assert messages == {"aanwezige_partners": NOT_A_PARTICIPANT, "betrokkene_uitgenodigd": "Kies Ja of Nee."}

    overleg = zorgoverleg("doorgaan", betrokkene_uitgenodigd=False, betrokkene_aanwezig=False,
                          andere_aanwezigen="Zus van de betrokkene")
    case.complete("zorgoverleg", overleg, role="procesregisseur")
    [stored] = history(engine, case, "zorgoverleg")
    assert stored["aanwezige_partners"] == ["gemeente_heerenveen", "woonfriesland"]
    assert (stored["betrokkene_uitgenodigd"], stored["andere_aanwezigen"]) == (False, "Zus van de betrokkene")
    assert case.open_tasks() == {"privacycheck": "procesregisseur"}  # no revision asked: straight to the next overleg


def test_a_later_zorgoverleg_revises_the_plan_for_the_partners_that_take_part_then(engine, casus):
    case = to_plan(engine)
    case.complete("privacycheck", {**PRIVACYCHECK, "uitgenodigde_partners": ["gemeente_heerenveen", "woonfriesland"]},
                  role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("doorgaan", plan_veranderen=True), role="procesregisseur")
    assert case.open_tasks() == {"plan_bijstellen": "procesregisseur"}
    ggz = {"partner": "ggz_friesland", "actie": "Behandeling", "uiterlijk_op": "2027-01-08"}  # no longer invited
    revised = {**PLAN_BIJSTELLEN, "afspraken": [*PLAN_BIJSTELLEN["afspraken"], ggz]}
    messages = refused_in_dutch(lambda: case.complete("plan_bijstellen", revised, role="procesregisseur"),
                                "plan_bijstellen")
    assert messages == {"afspraken/1/partner": NOT_A_PARTICIPANT}
    case.complete("plan_bijstellen", {**PLAN_BIJSTELLEN, "eigen_doelen": "Een baan."}, role="procesregisseur")
    assert case.data["afspraken"] == PLAN_BIJSTELLEN["afspraken"] and case.data["eigen_doelen"] == "Een baan."
    assert [h["reden_bijstelling"] for h in history(engine, case, "plan_bijstellen")] == [
        PLAN_BIJSTELLEN["reden_bijstelling"]]
    assert len(history(engine, case, "plan_van_aanpak")) == 1  # the first plan stays on record

    # The answer counts for one overleg: the next "doorgaan" goes straight on.
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("doorgaan"), role="procesregisseur")
    assert case.open_tasks() == {"privacycheck": "procesregisseur"}


def test_closing_asks_the_niveau_the_case_closes_to_and_keeps_it(engine, casus):
    case = to_plan(engine)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    closing = {k: v for k, v in zorgoverleg("afronden").items() if k != "afsluiten_naar_niveau"}
    messages = refused_in_dutch(lambda: case.complete("zorgoverleg", {**closing, "plan_veranderen": True},
                                                      role="procesregisseur"), "zorgoverleg")
    assert messages == {"afsluiten_naar_niveau": "Vul dit veld in.",
                        "plan_veranderen": "Laat dit veld leeg. Het past niet bij uw andere antwoorden."}
    messages = refused_in_dutch(lambda: case.complete("zorgoverleg", {**closing, "afsluiten_naar_niveau": 5},
                                                      role="procesregisseur"), "zorgoverleg")
    assert messages == {"afsluiten_naar_niveau": "Vul een heel getal in tussen 0 en 4."}
    case.complete("zorgoverleg", {**closing, "afsluiten_naar_niveau": 1}, role="procesregisseur")
    assert case.status == "completed"
    assert case.data["niveau"] == 1
    last = case.data["niveau_historie"][-1]
    assert (last["niveau"], last["bron"], last["moment"]) == (1, "afsluiten", case.data["afgesloten_op"])


# -- overdracht ---------------------------------------------------------------------------

def test_a_warm_overdracht_needs_the_receiving_organisations_agreement(engine, casus):
    case = to_plan(engine)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("afschalen"), role="procesregisseur")
    row = {"organisatie": "Wijkteam Heerenveen", "activiteiten": "Begeleiding thuis"}
    overdracht = {"overdrachten": [row], "datum": "2026-12-15", "betrokkene_geinformeerd": True}
    messages = refused_in_dutch(lambda: case.complete("overdracht", overdracht, role="procesregisseur"), "overdracht")
    assert messages == {"overdrachten/0/akkoord": "Vink dit aan om verder te gaan.",
                        "overdrachten/0/akkoord_op": "Vul een datum in."}
    ahead = {**overdracht, "overdrachten": [{**row, "akkoord": True, "akkoord_op": "2026-11-28"}]}
    messages = refused_in_dutch(lambda: case.complete("overdracht", ahead, role="procesregisseur"), "overdracht")
    assert messages == {"overdrachten/0/akkoord_op": "Kies vandaag of een eerdere datum."}

    agreed = {**row, "akkoord": True, "akkoord_op": "2026-11-27", "contactpersoon": "J. Jansen, 0513-000000"}
    case.complete("overdracht", {**overdracht, "overdrachten": [agreed]}, role="procesregisseur")
    assert history(engine, case, "overdracht")[0]["overdrachten"] == [agreed]
    assert case.status == "completed" and case.data["niveau"] == 2
