"""zvt_casus: aanmelding, beoordeling, informeren or art. 41 UAVG, plan, zorgoverleggen, afsluiten."""
from datetime import datetime, timedelta, timezone

import pytest

from engine import InvalidTaskData
from tests.processes.conftest import branches, start

AMS_WINTER = timezone(timedelta(hours=1))


def aanmelding(**changes):
    data = {
        "betrokkene_naam": "Mevrouw A. de Vries",
        "betrokkene_geboortedatum": "1971-03-04",
        "betrokkene_adres": "Voorbeeldstraat 1, 8441 AA Heerenveen",
        "reden_aanmelding": "Huurachterstand van vier maanden en klachten over overlast.",
        "urgentie": "snel",
        "minderjarige_kinderen": False,
        "veiligheidsrisico_huisbezoek": False,
        "situaties": ["dreigende_huisuitzetting", "overlast"],
        "leefgebieden": ["wonen", "financien", "psychische_gezondheid"],
        "zelfregie": False,
        "grote_maatschappelijke_impact": False,
        "betrokkene_op_de_hoogte": True,
        "toestemming": "ja",
        "grondslag_afgewogen": True,
    }
    data.update(changes)
    return data


OPPAKKEN = {
    "niveau": 3, "besluit_beoordeling": "oppakken", "toelichting_besluit": "Meerdere leefgebieden, zorgmijding.",
    "deelnemende_partners": ["gemeente_heerenveen", "woonfriesland", "ggz_friesland"],
    "crisisoverleg": False, "informeren": "informeren",
}
INFORMEREN = {
    "datum_geinformeerd": "2026-11-27", "manier": "gesprek", "gegevens_en_doel": True,
    "bronnen_en_ontvangers": "WoonFriesland en GGZ Friesland", "rechten_uitgelegd": True,
    "uitgenodigd_voor_plan": True,
}
PLAN = {
    "doelen": "Huurachterstand oplossen en hulp accepteren.",
    "afspraken": [{"partner": "woonfriesland", "actie": "Betalingsregeling aanbieden", "uiterlijk_op": "2026-12-11"},
                  {"partner": "ggz_friesland", "actie": "Huisbezoek plannen", "uiterlijk_op": "2026-12-04"}],
    "betrokkene_aanwezig": True, "eerste_zorgoverleg_op": "2026-12-14", "evaluatie_op": "2027-02-08",
}
PLAN_BIJSTELLEN = {
    "reden_bijstelling": "De regeling loopt; nu werk zoeken.", "doelen": "Werk of dagbesteding vinden.",
    "afspraken": [{"partner": "gemeente_heerenveen", "actie": "Gesprek met het werkplein", "uiterlijk_op": "2027-01-08"}],
    "betrokkene_aanwezig": True, "evaluatie_op": "2027-03-01",
}
OVERDRACHT_AKKOORD = {"akkoord": True, "akkoord_op": "2026-11-27"}
PRIVACYCHECK = {"uitgenodigde_partners": ["gemeente_heerenveen", "woonfriesland", "ggz_friesland"],
                "noodzaak_nagegaan": True}
# Before the crisisoverleg: the police join, GGZ is not needed there.
PRIVACYCHECK_CRISIS = {"uitgenodigde_partners": ["gemeente_heerenveen", "woonfriesland", "politie"],
                       "afgemelde_partners": ["ggz_friesland"], "noodzaak_nagegaan": True}


def zorgoverleg(besluit, **changes):
    data = {"datum": "2026-12-14", "betrokkene_uitgenodigd": True, "betrokkene_aanwezig": True,
            "aanwezige_partners": ["gemeente_heerenveen", "woonfriesland"], "voortgang": "Regeling getroffen.",
            "effect": "Eerste doel gehaald.", "besluit_overleg": besluit}
    if besluit == "doorgaan":
        data["volgend_overleg_op"] = "2027-01-11"
    else:
        data["afsluiten_naar_niveau"] = 2
    data.update(changes)
    return data


def new_case(engine, **changes):
    return start(engine, "zvt_casus", aanmelding(**changes), actor="w.woonfriesland",
                 context={"aanmelder_partner": "woonfriesland"})


def to_plan(engine, **beoordeling):
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, **beoordeling}, role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    case.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    return case


# -- aanmelding and beoordeling ------------------------------------------------------

def test_an_aanmelding_suggests_a_niveau_and_is_due_for_beoordeling_in_three_werkdagen(engine, casus):
    # Friday 27 November 2026, 17:00 in Heerenveen: three werkdagen later is Wednesday 17:00.
    case = new_case(engine)
    task = case.task("beoordeling")
    assert task.lane == "procesregisseur"
    assert task.due_at == datetime(2026, 12, 2, 17, 0, tzinfo=AMS_WINTER)
    assert case.data["voorgesteld_niveau"] == 3
    assert case.data["dreigende_huisuitzetting"] is True
    assert case.data["aanmelder_partner"] == "woonfriesland"
    assert engine.form_values(task.id) == {
        "voorgesteld_niveau": 3, "niveau_uitleg": case.data["niveau_uitleg"], "dreigende_huisuitzetting": True}
    [registered] = [h for h in engine.history(case.id) if h.bpmn_id == "aanmelding"]
    assert registered.actor == "w.woonfriesland" and registered.data["betrokkene_naam"] == "Mevrouw A. de Vries"


@pytest.mark.parametrize("situaties, leefgebieden, zelfregie, impact, niveau", [
    ([], [], True, False, 0),
    ([], ["financien"], True, False, 1),
    (["overlast"], ["financien"], False, False, 1),
    ([], ["financien", "wonen"], False, False, 2),
    (["overlast"], ["financien", "wonen"], True, False, 2),
    (["overlast"], ["financien", "wonen"], False, False, 3),
    (["maatschappelijke_onrust", "veiligheid_in_gevaar"], ["wonen", "justitie"], False, False, 3),
    (["maatschappelijke_onrust", "veiligheid_in_gevaar"], ["wonen", "justitie"], True, True, 4),
])
def test_the_afwegingskader_suggests_the_niveau_of_bijlage_2(engine, casus, situaties, leefgebieden, zelfregie, impact, niveau):
    case = new_case(engine, situaties=situaties, leefgebieden=leefgebieden, zelfregie=zelfregie,
                    grote_maatschappelijke_impact=impact)
    assert case.data["voorgesteld_niveau"] == niveau
    assert case.data["niveau_uitleg"]


def test_an_incomplete_aanmelding_is_refused_and_nothing_is_stored(engine, casus):
    data = aanmelding(toestemming="nee")
    del data["grondslag_afgewogen"]
    with pytest.raises(InvalidTaskData) as refused:
        engine.start("zvt_casus", data, actor="w.woonfriesland")
    assert {e.field for e in refused.value.errors} == {"grondslag_afgewogen", "toelichting_toestemming"}
    assert engine.ready_tasks() == []


def test_a_late_beoordeling_goes_to_the_teamleider_and_stays_open(engine, clock, casus):
    case = new_case(engine)
    due = case.task("beoordeling").due_at
    assert engine.fire_due_timers(due - timedelta(seconds=1)) == 0
    assert case.open_tasks() == {"beoordeling": "procesregisseur"}

    assert engine.fire_due_timers(due) == 1
    assert case.open_tasks() == {"beoordeling": "procesregisseur", "beoordeling_te_laat": "teamleider"}
    case.complete("beoordeling_te_laat", {"afspraak": "Morgen om 10:00 beoordeeld."}, role="teamleider")
    assert case.open_tasks() == {"beoordeling": "procesregisseur"}
    assert case.task("beoordeling").due_at == due  # still shown as overdue


def test_a_dreigende_huisuitzetting_can_never_be_closed_as_not_registered(engine, casus):
    case = new_case(engine)
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("beoordeling", {"niveau": 3, "besluit_beoordeling": "niet_registreren",
                                      "toelichting_besluit": "Valt buiten het doel.",
                                      "advies_alternatief": "Het wijkteam."}, role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["besluit_beoordeling"]
    assert "beoordeling" in case.open_tasks()


def test_not_taken_up_is_registered_fed_back_and_kept_for_a_year(engine, clock, casus):
    case = new_case(engine)
    case.complete("beoordeling", {"niveau": 3, "besluit_beoordeling": "niet_oppakken",
                                  "toelichting_besluit": "Reguliere hulp loopt al via het wijkteam.",
                                  "advies_alternatief": "Neem contact op met het wijkteam."}, role="procesregisseur")
    assert case.status == "completed"
    assert case.data["uitkomst"] == "niet_opgepakt"
    assert case.data["terugkoppeling"]["opgepakt"] is False
    assert case.data["terugkoppeling"]["toelichting"] == "Reguliere hulp loopt al via het wijkteam."
    assert engine.instance(case.id).destroy_at == datetime(2027, 11, 27, 17, 0, tzinfo=AMS_WINTER)
    assert "terugkoppeling_aanmelder" in case.visited() and case.visited()[-1] == "einde_niet_opgepakt"


def test_an_aanmelding_without_huisuitzetting_can_be_closed_unregistered_and_kept_a_month(engine, casus):
    case = new_case(engine, situaties=["overlast"])
    case.complete("beoordeling", {"niveau": 3, "besluit_beoordeling": "niet_registreren",
                                  "toelichting_besluit": "Dubbele aanmelding, loopt al.",
                                  "advies_alternatief": "Volg de eerdere aanmelding."}, role="procesregisseur")
    assert case.data["uitkomst"] == "niet_geregistreerd"
    assert engine.instance(case.id).destroy_at == datetime(2026, 12, 27, 17, 0, tzinfo=AMS_WINTER)
    assert case.visited()[-1] == "einde_niet_geregistreerd"


def test_overriding_the_suggested_niveau_needs_a_reason_and_is_kept_in_the_niveau_history(engine, casus):
    case = new_case(engine)
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("beoordeling", {**OPPAKKEN, "niveau": 2}, role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["reden_afwijking"]
    case.complete("beoordeling", {**OPPAKKEN, "niveau": 2, "reden_afwijking": "Netwerk helpt goed mee."},
                  role="procesregisseur")
    [entry] = case.data["niveau_historie"]
    assert (entry["niveau"], entry["voorgesteld"], entry["reden"], entry["bron"]) == (2, 3, "Netwerk helpt goed mee.", "beoordeling")


def test_taking_up_requires_partners_crisisoverleg_and_the_informeren_choice(engine, casus):
    case = new_case(engine)
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("beoordeling", {"niveau": 3, "besluit_beoordeling": "oppakken",
                                      "toelichting_besluit": "Oppakken."}, role="procesregisseur")
    assert {e.field for e in refused.value.errors} == {"deelnemende_partners", "crisisoverleg", "informeren"}


# -- taken up --------------------------------------------------------------------------

def scenario_crisis_niveau_4_afschalen(engine):
    case = new_case(engine, situaties=["maatschappelijke_onrust", "veiligheid_in_gevaar"],
                    grote_maatschappelijke_impact=True)
    assert case.data["voorgesteld_niveau"] == 4
    case.complete("beoordeling", {**OPPAKKEN, "niveau": 4, "crisisoverleg": True}, role="procesregisseur")
    assert case.data["terugkoppeling"]["opgepakt"] is True
    case.complete("privacycheck_crisisoverleg", PRIVACYCHECK_CRISIS, role="procesregisseur")
    case.complete("crisisoverleg_houden", {"datum": "2026-11-28", "aanwezige_partners": ["politie", "gemeente_heerenveen"],
                                           "afspraken": "Politie rijdt extra surveillance."}, role="procesregisseur")
    case.complete("opschalen_veiligheidsketen", {"opgeschaald_naar": "Zorg- en Veiligheidshuis Fryslân", "datum": "2026-11-28",
                                                 "toelichting": "Gevaar voor buren."}, role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    case.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    case.complete("privacycheck", {"uitgenodigde_partners": ["gemeente_heerenveen", "woonfriesland"],
                                   "afgemelde_partners": ["ggz_friesland"], "noodzaak_nagegaan": True}, role="procesregisseur")
    assert case.data["deelnemende_partners"] == ["gemeente_heerenveen", "woonfriesland"]
    case.complete("zorgoverleg", zorgoverleg("doorgaan", niveau_wijziging=3, reden_niveau_wijziging="Rust in de buurt.",
                                             plan_veranderen=True), role="procesregisseur")
    assert case.data["niveau"] == 3 and case.data["niveau_historie"][-1]["bron"] == "zorgoverleg 1"
    assert case.open_tasks() == {"plan_bijstellen": "procesregisseur"}
    case.complete("plan_bijstellen", PLAN_BIJSTELLEN, role="procesregisseur")
    assert case.data["afspraken"] == PLAN_BIJSTELLEN["afspraken"]
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    assert case.data["deelnemende_partners"] == PRIVACYCHECK["uitgenodigde_partners"]
    case.complete("zorgoverleg", zorgoverleg("afschalen"), role="procesregisseur")
    case.complete("overdracht", {"overdrachten": [{"organisatie": "Wijkteam Heerenveen", "activiteiten": "Begeleiding thuis",
                                                   **OVERDRACHT_AKKOORD}],
                                 "datum": "2027-01-11", "betrokkene_geinformeerd": True}, role="procesregisseur")
    return case


def test_a_crisis_at_niveau_4_is_scaled_up_then_down_and_handed_over(engine, casus):
    case = scenario_crisis_niveau_4_afschalen(engine)
    assert case.status == "completed"
    assert case.data["uitkomst"] == "afschalen"
    assert case.data["overleg_nummer"] == 2
    assert engine.instance(case.id).destroy_at == datetime(2028, 11, 27, 17, 0, tzinfo=AMS_WINTER)
    assert [h["niveau"] for h in case.data["niveau_historie"]] == [4, 3, 2]
    assert case.data["niveau"] == 2 and case.data["niveau_historie"][-1]["bron"] == "afsluiten"
    assert case.visited()[-6:] == ["afsluiten_gw", "art41_bij_afsluiten", "art41_actief_gw", "na_slotbesluit",
                                  "casus_afsluiten", "einde_casus"]


def test_a_partner_that_is_not_invited_does_not_take_part_in_the_next_overleg(engine, casus):
    case = to_plan(engine)
    case.complete("privacycheck", {"uitgenodigde_partners": ["gemeente_heerenveen", "woonfriesland"],
                                   "noodzaak_nagegaan": True}, role="procesregisseur")
    assert case.data["deelnemende_partners"] == ["gemeente_heerenveen", "woonfriesland"]
    with pytest.raises(InvalidTaskData):  # the overleg cannot go on without the privacy check answered
        case.complete("zorgoverleg", {"datum": "2026-12-14"}, role="procesregisseur")


def scenario_stoppen(engine):
    case = to_plan(engine)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("stoppen"), role="procesregisseur")
    assert case.open_tasks() == {"overdracht": "procesregisseur"}
    case.complete("overdracht", {"overdrachten": [{"organisatie": "GGZ Friesland", "activiteiten": "Behandeling",
                                                   **OVERDRACHT_AKKOORD}],
                                 "datum": "2026-12-15", "betrokkene_geinformeerd": False}, role="procesregisseur")
    return case


def test_stopping_hands_over_before_closing(engine, casus):
    case = scenario_stoppen(engine)
    assert case.status == "completed" and case.data["uitkomst"] == "stoppen"
    assert "overdracht" in case.visited()


def scenario_afronden(engine):
    case = to_plan(engine)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")
    return case


def test_afronden_closes_without_overdracht(engine, casus):
    case = scenario_afronden(engine)
    assert case.status == "completed" and case.data["uitkomst"] == "afronden"
    assert "overdracht" not in case.visited()


def test_continuing_needs_the_date_of_the_next_overleg(engine, casus):
    case = to_plan(engine)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    without_date = {k: v for k, v in zorgoverleg("doorgaan").items() if k != "volgend_overleg_op"}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("zorgoverleg", without_date, role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["volgend_overleg_op"]


def test_fifty_zorgoverleggen_each_keep_their_own_record(engine, casus):
    case = to_plan(engine)
    for ronde in range(1, 51):
        case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
        besluit = "doorgaan" if ronde < 50 else "afronden"
        case.complete("zorgoverleg", zorgoverleg(besluit, voortgang=f"Ronde {ronde}: afspraken nagekomen."),
                      role="procesregisseur")
    assert case.status == "completed"
    assert case.data["overleg_nummer"] == 50
    overleggen = [h for h in engine.history(case.id) if h.bpmn_id == "zorgoverleg"]
    assert [h.data["voortgang"] for h in overleggen] == [f"Ronde {n}: afspraken nagekomen." for n in range(1, 51)]
    assert len([h for h in engine.history(case.id) if h.bpmn_id == "privacycheck"]) == 50


# -- art. 41 UAVG ----------------------------------------------------------------------

BESLUIT_41 = {
    "grond": "d", "noodzaak_en_evenredigheid": "Informeren zou een lopend politieonderzoek schaden.",
    "doeleinden": "Een huisuitzetting voorkomen en hulp regelen.", "categorieen_gegevens": "Adres, schulden, politiegegevens.",
    "reikwijdte": "Politie-informatie over de woning.", "waarborgen": "Alleen procesregisseur en politie.",
    "verwerkingsverantwoordelijke": "Gemeente Heerenveen en Politie.", "bewaartermijn": "Twee jaar na afsluiten.",
    "risicos": "De betrokkene kan fouten in de politie-informatie niet laten verbeteren.",
    "betrokkene_hoort_van_beperking": "nee_schaadt_doel",
    "reden_niet_melden_beperking": "Dan weet de betrokkene dat er een politieonderzoek loopt.",
    "herzien_op": "2027-01-15",
}
VERLENGEN_41 = {
    "herziening": "verlengen", "nieuwe_grond": "d", "nieuwe_herziendatum": "2027-03-01",
    "nieuwe_onderbouwing": "Het onderzoek loopt nog tot eind februari.",
    "nieuwe_reikwijdte": "Alleen nog de politie-informatie over de woning.",
    "nieuwe_risicos": "De betrokkene kan twee maanden langer niets laten verbeteren.",
}


def scenario_art_41(engine, clock):
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    case.complete("besluit_niet_informeren", BESLUIT_41, role="procesregisseur")
    # The case goes on while the review date waits.
    assert case.open_tasks() == {"privacycheck_plangesprek": "procesregisseur"}
    assert case.timers() == {"herziendatum": datetime(2027, 1, 15, 9, 0, tzinfo=AMS_WINTER)}
    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    case.complete("plan_van_aanpak", {**PLAN, "betrokkene_aanwezig": False,
                                      "betrokkene_over_plan_geinformeerd": "nee_artikel_41"}, role="procesregisseur")
    assert engine.fire_due_timers(datetime(2027, 1, 15, 8, 59, tzinfo=AMS_WINTER)) == 0
    assert engine.fire_due_timers(datetime(2027, 1, 15, 9, 0, tzinfo=AMS_WINTER)) == 1
    assert case.open_tasks() == {"privacycheck": "procesregisseur", "besluit_herzien": "procesregisseur"}
    case.complete("besluit_herzien", VERLENGEN_41, role="procesregisseur")
    assert case.timers() == {"herziendatum": datetime(2027, 3, 1, 9, 0, tzinfo=AMS_WINTER)}
    assert engine.fire_due_timers(datetime(2027, 3, 1, 9, 0, tzinfo=AMS_WINTER)) == 1
    case.complete("besluit_herzien", {"herziening": "nu_informeren"}, role="procesregisseur")
    clock.now = datetime(2027, 3, 2, 10, 0, tzinfo=AMS_WINTER)  # informed the day after the review, not before it
    case.complete("betrokkene_alsnog_informeren", {**INFORMEREN, "datum_geinformeerd": "2027-03-02"}, role="procesregisseur")
    assert case.open_tasks() == {"privacycheck": "procesregisseur"}
    return case


def test_an_art_41_decision_is_reviewed_on_its_date_renewed_and_then_the_betrokkene_is_informed(engine, clock, casus):
    case = scenario_art_41(engine, clock)
    assert case.visited().count("herziendatum") == 2
    assert "einde_herziening" in case.visited()
    assert case.status == "running"


def test_an_art_41_decision_needs_every_part_of_its_reasoning(engine, casus):
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("besluit_niet_informeren", {"grond": "z", "herzien_op": "volgende week"}, role="procesregisseur")
    assert {e.field for e in refused.value.errors} == {
        "grond", "herzien_op", "noodzaak_en_evenredigheid", "reikwijdte", "waarborgen",
        # art. 41 lid 2 UAVG: a, b, e, f, g and h
        "doeleinden", "categorieen_gegevens", "verwerkingsverantwoordelijke", "bewaartermijn", "risicos",
        "betrokkene_hoort_van_beperking"}


def test_not_telling_of_the_restriction_itself_needs_a_reason(engine, casus):
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    without = {k: v for k, v in BESLUIT_41.items() if k != "reden_niet_melden_beperking"}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("besluit_niet_informeren", without, role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["reden_niet_melden_beperking"]
    case.complete("besluit_niet_informeren", {**without, "betrokkene_hoort_van_beperking": "ja"}, role="procesregisseur")


@pytest.mark.parametrize("herzien_op, wrong", [
    ("2027-05-28", "beyond six months"),  # today is 27 November 2026: 27 May 2027 is the last day allowed
    ("2026-11-27", "today"),
    ("2026-11-01", "in the past"),
])
def test_an_art_41_review_date_beyond_the_maximum_term_or_not_after_today_is_refused(engine, casus, herzien_op, wrong):
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("besluit_niet_informeren", {**BESLUIT_41, "herzien_op": herzien_op}, role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["herzien_op"], wrong
    case.complete("besluit_niet_informeren", {**BESLUIT_41, "herzien_op": "2027-05-27"}, role="procesregisseur")
    assert case.data["data_objects"]["art41_besluit"] == {
        "actief": True, "grond": "d", "reikwijdte": BESLUIT_41["reikwijdte"], "besloten_op": "2026-11-27",
        "herzien_op": "2027-05-27"}


def test_renewing_an_art_41_decision_needs_new_reasoning_and_a_new_date(engine, clock, casus):
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    case.complete("besluit_niet_informeren", BESLUIT_41, role="procesregisseur")
    engine.fire_due_timers(datetime(2027, 1, 15, 9, 0, tzinfo=AMS_WINTER))
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("besluit_herzien", {"herziening": "verlengen"}, role="procesregisseur")
    # The ground, necessity and proportionality are asked again, not copied from the first decision.
    assert {e.field for e in refused.value.errors} == {"nieuwe_grond", "nieuwe_onderbouwing", "nieuwe_reikwijdte",
                                                       "nieuwe_risicos", "nieuwe_herziendatum"}
    assert engine.form_values(case.task("besluit_herzien").id) == {}
    clock.now = datetime(2027, 1, 15, 10, 0, tzinfo=AMS_WINTER)
    with pytest.raises(InvalidTaskData) as refused:  # a renewal runs at most six months too
        case.complete("besluit_herzien", {**VERLENGEN_41, "nieuwe_herziendatum": "2027-07-16"}, role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["nieuwe_herziendatum"]
    case.complete("besluit_herzien", {**VERLENGEN_41, "nieuwe_grond": "i", "nieuwe_herziendatum": "2027-07-15"},
                  role="procesregisseur")
    assert case.data["data_objects"]["art41_besluit"] == {
        "actief": True, "grond": "i", "reikwijdte": VERLENGEN_41["nieuwe_reikwijdte"], "besloten_op": "2027-01-15",
        "herzien_op": "2027-07-15"}


def closing_under_art_41(engine):
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    case.complete("besluit_niet_informeren", BESLUIT_41, role="procesregisseur")
    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    case.complete("plan_van_aanpak", {**PLAN, "betrokkene_aanwezig": True}, role="procesregisseur")
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")
    return case


def scenario_closing_under_art_41_restriction_continues(engine):
    case = closing_under_art_41(engine)
    # Closing does not silently end the waiting review: a final decision comes first.
    assert case.status == "running"
    assert case.open_tasks() == {"art41_slotbesluit": "procesregisseur"}
    assert case.timers() == {"herziendatum": datetime(2027, 1, 15, 9, 0, tzinfo=AMS_WINTER)}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("art41_slotbesluit", {"slotbesluit": "beperking_loopt_door"}, role="procesregisseur")
    assert {e.field for e in refused.value.errors} == {"grond", "reden_doorlopen", "beperking_tot"}
    with pytest.raises(InvalidTaskData) as refused:  # not past the retention of a closed case
        case.complete("art41_slotbesluit", {"slotbesluit": "beperking_loopt_door", "grond": "d", "beperking_tot": "2028-11-28",
                                            "reden_doorlopen": "Het politieonderzoek loopt nog."}, role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["beperking_tot"]
    case.complete("art41_slotbesluit", {"slotbesluit": "beperking_loopt_door", "grond": "d", "beperking_tot": "2027-06-01",
                                        "reden_doorlopen": "Het politieonderzoek loopt nog."}, role="procesregisseur")
    return case


def test_closing_under_an_active_art_41_decision_requires_a_final_decision_first(engine, clock, casus):
    case = scenario_closing_under_art_41_restriction_continues(engine)
    assert case.status == "completed"
    assert case.timers() == {}
    assert engine.fire_due_timers(datetime(2027, 1, 15, 9, 0, tzinfo=AMS_WINTER)) == 0
    [final] = [h for h in engine.history(case.id) if h.bpmn_id == "art41_slotbesluit"]
    assert final.data["beperking_tot"] == "2027-06-01" and final.lane == "procesregisseur"


def test_closing_under_an_art_41_decision_can_inform_the_betrokkene_now(engine, clock, casus):
    case = closing_under_art_41(engine)
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("art41_slotbesluit", {"slotbesluit": "nu_informeren"}, role="procesregisseur")
    assert {e.field for e in refused.value.errors} == {"datum_geinformeerd", "manier", "rechten_uitgelegd"}
    case.complete("art41_slotbesluit", {"slotbesluit": "nu_informeren", "datum_geinformeerd": "2026-11-27",
                                        "manier": "gesprek", "rechten_uitgelegd": True}, role="procesregisseur")
    assert case.status == "completed"


def test_closing_after_the_betrokkene_was_informed_after_all_needs_no_final_decision(engine, clock, casus):
    case = scenario_art_41(engine, clock)
    assert case.data["data_objects"]["art41_besluit"]["actief"] is False
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")
    assert case.status == "completed"
    assert "art41_slotbesluit" not in case.visited()


# -- the informing deadline and new recipients -------------------------------------------

def test_informing_is_due_a_month_after_taking_up_with_a_reminder_a_week_before(engine, casus):
    case = new_case(engine)
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    assert case.task("betrokkene_informeren").due_at == datetime(2026, 12, 27, 17, 0, tzinfo=AMS_WINTER)
    assert case.timers() == {"informeren_herinnering": datetime(2026, 12, 20, 17, 0, tzinfo=AMS_WINTER),
                             "informeren_termijn": datetime(2026, 12, 27, 17, 0, tzinfo=AMS_WINTER)}


def scenario_informing_late(engine):
    case = new_case(engine)
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    assert engine.fire_due_timers(datetime(2026, 12, 20, 17, 0, tzinfo=AMS_WINTER)) == 1
    assert case.open_tasks() == {"betrokkene_informeren": "procesregisseur"}
    assert engine.fire_due_timers(datetime(2026, 12, 27, 16, 59, tzinfo=AMS_WINTER)) == 0
    assert engine.fire_due_timers(datetime(2026, 12, 27, 17, 0, tzinfo=AMS_WINTER)) == 1
    # Escalated to the teamleider; the informing task stays open for the procesregisseur.
    assert case.open_tasks() == {"betrokkene_informeren": "procesregisseur", "informeren_te_laat": "teamleider"}
    assert case.task("informeren_te_laat").due_at == datetime(2026, 12, 27, 17, 0, tzinfo=AMS_WINTER)
    case.complete("informeren_te_laat", {"afspraak": "Morgen op huisbezoek."}, role="teamleider")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    return case


def test_informing_the_betrokkene_late_is_reminded_then_escalated_to_the_teamleider(engine, casus):
    case = scenario_informing_late(engine)
    assert case.open_tasks() == {"privacycheck_plangesprek": "procesregisseur"}
    assert "herinnering_informeren" in case.visited()


def scenario_partner_added_later(engine):
    case = to_plan(engine)
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    assert case.open_tasks() == {"zorgoverleg": "procesregisseur"}  # no one new: no task
    case.complete("zorgoverleg", zorgoverleg("doorgaan"), role="procesregisseur")
    case.complete("privacycheck", {**PRIVACYCHECK, "uitgenodigde_partners": [*PRIVACYCHECK["uitgenodigde_partners"], "politie"]},
                  role="procesregisseur")
    # The police take part for the first time: the betrokkene hears of it before they see the case.
    assert case.open_tasks() == {"nieuwe_ontvangers_informeren": "procesregisseur"}
    task = case.task("nieuwe_ontvangers_informeren")
    assert task.due_at.astimezone(AMS_WINTER).date().isoformat() == "2027-01-11"  # before the next overleg
    assert engine.form_values(task.id) == {"nieuwe_ontvangers": ["politie"]}
    assert "politie" not in case.data["deelnemende_partners"]
    case.complete("nieuwe_ontvangers_informeren", {"datum_geinformeerd": "2026-11-27", "manier": "telefoon",
                                                   "ontvangers_en_doel": True}, role="procesregisseur")
    assert "politie" in case.data["deelnemende_partners"]
    assert case.open_tasks() == {"zorgoverleg": "procesregisseur"}
    case.complete("zorgoverleg", zorgoverleg("doorgaan"), role="procesregisseur")
    case.complete("privacycheck", {**PRIVACYCHECK, "uitgenodigde_partners": [*PRIVACYCHECK["uitgenodigde_partners"], "politie"]},
                  role="procesregisseur")
    assert case.open_tasks() == {"zorgoverleg": "procesregisseur"}  # told once
    return case


def test_a_partner_added_later_is_told_to_the_betrokkene_before_it_takes_part(engine, casus):
    case = scenario_partner_added_later(engine)
    assert case.visited().count("nieuwe_ontvangers_informeren") == 1


def scenario_partner_added_under_art_41(engine, clock):
    clock.now = datetime(2026, 11, 27, 17, 0, tzinfo=AMS_WINTER)
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    case.complete("besluit_niet_informeren", BESLUIT_41, role="procesregisseur")
    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    case.complete("plan_van_aanpak", {**PLAN, "betrokkene_aanwezig": False,
                                      "betrokkene_over_plan_geinformeerd": "nee_artikel_41"}, role="procesregisseur")
    case.complete("privacycheck", {**PRIVACYCHECK, "uitgenodigde_partners": [*PRIVACYCHECK["uitgenodigde_partners"], "politie"]},
                  role="procesregisseur")
    return case


def test_a_partner_added_under_an_active_art_41_decision_is_recorded_not_told(engine, clock, casus):
    case = scenario_partner_added_under_art_41(engine, clock)
    assert case.open_tasks() == {"zorgoverleg": "procesregisseur"}
    [covered] = case.data["ontvangers_onder_art41"]
    assert covered["partners"] == ["politie"] and covered["grond"] == "d" and covered["herzien_op"] == "2027-01-15"
    assert "politie" in case.data["deelnemende_partners"]


def test_a_plan_made_without_the_betrokkene_records_whether_they_were_told(engine, casus):
    case = new_case(engine)
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("plan_van_aanpak", {**PLAN, "betrokkene_aanwezig": False}, role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["betrokkene_over_plan_geinformeerd"]


# -- every branch ----------------------------------------------------------------------

def test_the_scenarios_walk_every_gateway_flow_and_timer_of_zvt_casus(engine, clock, casus):
    visited = set()
    for scenario in (scenario_crisis_niveau_4_afschalen, scenario_stoppen, scenario_afronden):
        visited.update(scenario(engine).visited())
    visited.update(scenario_art_41(engine, clock).visited())
    clock.now = datetime(2026, 11, 27, 17, 0, tzinfo=AMS_WINTER)
    visited.update(scenario_closing_under_art_41_restriction_continues(engine).visited())
    visited.update(scenario_informing_late(engine).visited())
    visited.update(scenario_partner_added_later(engine).visited())
    visited.update(scenario_partner_added_under_art_41(engine, clock).visited())

    late = new_case(engine)
    engine.fire_due_timers(late.task("beoordeling").due_at)
    late.complete("beoordeling_te_laat", {"afspraak": "Vandaag nog."}, role="teamleider")
    late.complete("beoordeling", {"niveau": 3, "besluit_beoordeling": "niet_oppakken",
                                  "toelichting_besluit": "Wijkteam pakt het op.", "advies_alternatief": "Het wijkteam."},
                  role="procesregisseur")
    visited.update(late.visited())
    unregistered = new_case(engine, situaties=[])
    unregistered.complete("beoordeling", {"niveau": 1, "reden_afwijking": "Ik kies 1.", "besluit_beoordeling": "niet_registreren",
                                          "toelichting_besluit": "Buiten de doelgroep.", "advies_alternatief": "De huisarts."},
                                         role="procesregisseur")
    visited.update(unregistered.visited())

    assert branches("zvt_casus") - visited == set()


def test_informing_the_betrokkene_records_purpose_sources_recipients_and_rights(engine, casus):
    case = new_case(engine)
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    incomplete = {k: v for k, v in INFORMEREN.items() if k not in ("rechten_uitgelegd", "bronnen_en_ontvangers")}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("betrokkene_informeren", {**incomplete, "gegevens_en_doel": False}, role="procesregisseur")
    assert {e.field for e in refused.value.errors} == {"rechten_uitgelegd", "bronnen_en_ontvangers", "gegevens_en_doel"}
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    [informed] = [h for h in engine.history(case.id) if h.bpmn_id == "betrokkene_informeren"]
    assert informed.data == INFORMEREN and informed.lane == "procesregisseur"


def test_an_ad_hoc_partner_joins_a_case_only_with_a_signed_declaration(engine, casus):
    case = new_case(engine)
    unsigned = {**OPPAKKEN, "adhoc_partners": [{"organisatie": "Stichting Schuldhulp Noord", "verklaring_getekend": False}]}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("beoordeling", unsigned, role="procesregisseur")
    assert [e.field for e in refused.value.errors] == ["adhoc_partners/0/verklaring_getekend"]
    signed = {**OPPAKKEN, "adhoc_partners": [{"organisatie": "Stichting Schuldhulp Noord", "verklaring_getekend": True}]}
    case.complete("beoordeling", signed, role="procesregisseur")
    assert case.data["adhoc_partners"] == signed["adhoc_partners"]
