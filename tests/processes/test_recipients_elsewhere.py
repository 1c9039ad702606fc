"""Issue 13 (AVG art. 19): a rights request that corrects, erases or restricts data tells every
recipient. "Ontvangers informeren" shows, per ZVT case the request names, the partners that
received its data items by the register of disclosures (only to a reader who may open that
case; each read logged), starts its list with them, and refuses "all recipients informed" while
one of them is missing from the list."""
import pytest

from engine import InvalidTaskData, case_items, casework, sharing
from engine.identity import Origin, User
from tests.processes.conftest import Case
from tests.processes.test_art41_elsewhere import demo_team, reads_logged
from tests.processes.test_rechten_betrokkene import IDENTITEIT_VASTGESTELD, antwoord, verzoek
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN, aanmelding

HERE = Origin("192.0.2.11", "pytest")
REGISSEUR = User("procesregisseur", "Demo Procesregisseur", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
WOON_MEDEWERKER = User("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland",
                       frozenset({"partnermedewerker"}))
# A procesregisseur account at the police, which received the request first: the policy lets it do
# the request's tasks (its organisation takes part in the request), not open the ZVT case.
POLITIE_REGISSEUR = User("regisseur_politie", "Regisseur Politie", "politie", frozenset({"procesregisseur"}))
CORRECTIE = {"correctie": "toegewezen"}


def shared_case(engine) -> int:
    """A ZVT case whose WoonFriesland item went to GGZ Friesland (twice: another item later)."""
    number = casework.start_case(engine, WOON_MEDEWERKER, "zvt_casus", aanmelding(), HERE)
    case = Case(engine, number)
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    case_items.record_basis(engine, WOON_MEDEWERKER, number, "AVG art. 6 lid 1 sub e", None, None, HERE)
    for subject in ("Huurachterstand", "Overlast"):
        item = case_items.add_item(engine, WOON_MEDEWERKER, number, "gewoon", subject, f"{subject}: vier maanden", HERE)
        sharing.decide(engine, REGISSEUR, number, {(item, "ggz_friesland"): "nodig voor het huisbezoek"},
                       "zorgoverleg", HERE)
    return number


def empty_case(engine) -> int:
    number = casework.start_case(engine, WOON_MEDEWERKER, "zvt_casus", aanmelding(), HERE)
    Case(engine, number).complete("beoordeling", OPPAKKEN, role="procesregisseur")
    return number


def at_recipients_task(engine, casusnummers: str, **changes) -> Case:
    number = casework.start_case(engine, REGISSEUR, "rechten_betrokkene",
                                 verzoek(rechten=["correctie"], casusnummers=casusnummers, **changes), HERE)
    request = Case(engine, number)
    request.complete("identiteit_controleren", IDENTITEIT_VASTGESTELD, role="procesregisseur")
    request.complete("beantwoorden_of_verlengen", antwoord(CORRECTIE, partners_geinformeerd=changes.get(
        "ontvangen_door") and [changes["ontvangen_door"]] or []), role="procesregisseur")
    assert request.open_tasks() == {"ontvangers_informeren": "procesregisseur"}
    return request


def told(*partners: str) -> list[dict]:
    return [{"ontvanger": p, "geinformeerd_op": "2026-11-27T15:00:00+01:00"} for p in partners]


@pytest.fixture
def team(engine):
    return demo_team(engine)


def test_the_recipients_task_shows_the_register_starts_with_it_and_refuses_a_recipient_left_out(team):
    shared, empty = shared_case(team), empty_case(team)
    # A second partner received an item of the shared case: the municipality's, for WoonFriesland.
    case_items.record_basis(team, REGISSEUR, shared, "Participatiewet", None, None, HERE)
    item = case_items.add_item(team, REGISSEUR, shared, "gewoon", "Schulden", "Drie schuldeisers", HERE)
    sharing.decide(team, REGISSEUR, shared, {(item, "woonfriesland"): "nodig voor de betalingsregeling"},
                   "plan_van_aanpak", HERE)
    request = at_recipients_task(team, f"{shared}, {empty}, 999")
    task_id = request.task("ontvangers_informeren").id

    page = casework.open_task(team, REGISSEUR, task_id, HERE)
    assert page.read_only["register_ontvangers"] == [
        {"casus": shared, "status": "ontvangen", "ontvanger": "ggz_friesland", "naam": "GGZ Friesland",
         "aantal_gegevens": 2, "sinds": "2026-11-27"},
        {"casus": shared, "status": "ontvangen", "ontvanger": "woonfriesland", "naam": "WoonFriesland",
         "aantal_gegevens": 1, "sinds": "2026-11-27"},
        {"casus": empty, "status": "geen"},
        {"casus": 999, "status": "niet_gevonden"}]
    assert page.prefill == {"ontvangers": [{"ontvanger": "ggz_friesland"}, {"ontvanger": "woonfriesland"}]}
    assert {str(shared), str(empty)} <= set(reads_logged(team, "procesregisseur"))

    with pytest.raises(InvalidTaskData) as refused:  # WoonFriesland is in the register, not in the list
        casework.submit_task(team, REGISSEUR, task_id, {"ontvangers_situatie": "geinformeerd",
                                                        "ontvangers": told("ggz_friesland", "accolade")}, HERE)
    [error] = refused.value.errors
    assert (error.field, error.code, error.values) == ("ontvangers", "missingFromList", ("woonfriesland",))
    assert request.open_tasks() == {"ontvangers_informeren": "procesregisseur"}  # nothing saved

    # Informing one of them turned out impossible: the list may then hold fewer, with the reason.
    casework.submit_task(team, REGISSEUR, task_id, {
        "ontvangers_situatie": "onevenredig", "ontvangers": told("ggz_friesland"),
        "ontvangers_toelichting": "Het team van WoonFriesland bestaat niet meer; niemand neemt het over."}, HERE)
    assert request.status == "completed"
    assert "register_ontvangers" not in request.data  # looked up when shown, never stored


def test_every_register_recipient_in_the_list_completes_the_request(team):
    shared = shared_case(team)
    request = at_recipients_task(team, str(shared))
    task_id = request.task("ontvangers_informeren").id
    casework.submit_task(team, REGISSEUR, task_id, {"ontvangers_situatie": "geinformeerd",
                                                    "ontvangers": told("ggz_friesland")}, HERE)
    assert request.status == "completed" and request.data["ontvangers"] == told("ggz_friesland")


def test_the_register_recipients_stay_hidden_from_a_reader_who_may_not_open_the_case(team):
    shared = shared_case(team)
    request = at_recipients_task(team, str(shared), ontvangen_door="politie",
                                 doorgestuurd_op="2026-11-27T10:00:00+01:00")
    task_id = request.task("ontvangers_informeren").id
    page = casework.open_task(team, POLITIE_REGISSEUR, task_id, HERE)
    assert page.read_only["register_ontvangers"] == [{"casus": shared, "status": "verborgen"}]
    assert page.prefill == {}
    assert str(shared) not in reads_logged(team, "regisseur_politie")
    # What it may not see, it is not held to either.
    casework.submit_task(team, POLITIE_REGISSEUR, task_id, {"ontvangers_situatie": "geinformeerd",
                                                            "ontvangers": told("accolade")}, HERE)
    assert request.status == "completed"
