"""zvt_casus: a privacy check before every overleg (convenant, Verwerking persoonsgegevens IV), so also
before the crisisoverleg and before the plangesprek, where the plan van aanpak is drawn up.

Who takes part is what the need-to-know policy reads: a partner left out cannot open the case. The
forms of the overleg itself only accept partners that take part."""
import pytest

from engine import InvalidTaskData, casework, participation
from tests.engine.test_case_items import GGZ, HERE, POLITIE, WOONFRIESLAND, person
from tests.engine.test_participation import participants
from tests.processes.test_zvt_casus import BESLUIT_41, INFORMEREN, OPPAKKEN, PLAN, PRIVACYCHECK, new_case, zorgoverleg

ELKIEN = person("elkien", "partnermedewerker")
CRISISOVERLEG = {"datum": "2026-11-28", "aanwezige_partners": ["politie", "gemeente_heerenveen"],
                 "afspraken": "Politie rijdt extra surveillance."}


def check(partners, afgemeld=()):
    return {"uitgenodigde_partners": list(partners), "afgemelde_partners": list(afgemeld), "noodzaak_nagegaan": True}


def may_view(engine, case) -> dict[str, bool]:
    """Per partner employee: may they open the case now (the policy, as the case page asks it)?"""
    return {user.partner: casework.may_view(engine, user, case.id) for user in (WOONFRIESLAND, GGZ, POLITIE, ELKIEN)}


def refused_fields(complete) -> set[str]:
    with pytest.raises(InvalidTaskData) as refused:
        complete()
    return {e.field for e in refused.value.errors}


def crisis_case(engine):
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "crisisoverleg": True}, role="procesregisseur")
    return case


# -- before the crisisoverleg ---------------------------------------------------------------

def test_a_partner_not_invited_to_the_crisisoverleg_does_not_take_part_in_it_and_one_invited_does(engine, casus):
    case = crisis_case(engine)
    assert case.open_tasks() == {"privacycheck_crisisoverleg": "procesregisseur"}
    task = case.task("privacycheck_crisisoverleg")
    assert engine.form_values(task.id) == {"deelnemende_partners": OPPAKKEN["deelnemende_partners"]}
    # The same rule as before a zorgoverleg: a partner is invited or opted out, not both.
    assert refused_fields(lambda: case.complete("privacycheck_crisisoverleg", check(
        ["gemeente_heerenveen", "politie"], ["politie"]), role="procesregisseur")) == {"afgemelde_partners"}

    case.complete("privacycheck_crisisoverleg", check(["gemeente_heerenveen", "politie"], ["ggz_friesland"]),
                  role="procesregisseur")
    # A crisis disclosure: the betrokkene is informed after the crisisoverleg, so no task to tell them first.
    assert case.open_tasks() == {"crisisoverleg_houden": "procesregisseur"}
    assert case.data["deelnemende_partners"] == ["gemeente_heerenveen", "politie"]
    assert may_view(engine, case) == {"woonfriesland": False, "ggz_friesland": False, "politie": True, "elkien": False}
    assert "woonfriesland" not in participants(engine, case.id)
    # Only partners that take part can have been at the crisisoverleg.
    assert refused_fields(lambda: case.complete("crisisoverleg_houden", {
        **CRISISOVERLEG, "aanwezige_partners": ["politie", "woonfriesland"]}, role="procesregisseur")) == {
        "aanwezige_partners"}
    case.complete("crisisoverleg_houden", CRISISOVERLEG, role="procesregisseur")
    assert case.open_tasks() == {"betrokkene_informeren": "procesregisseur"}


def test_every_partner_that_had_the_data_before_informing_is_a_known_recipient_after_the_crisisoverleg(engine, casus):
    case = crisis_case(engine)
    case.complete("privacycheck_crisisoverleg", check(["gemeente_heerenveen", "politie"], ["ggz_friesland"]),
                  role="procesregisseur")
    case.complete("crisisoverleg_houden", CRISISOVERLEG, role="procesregisseur")
    # The betrokkene hears of the partners of the beoordeling (they could read the case until the check)
    # and of the police, invited for the crisisoverleg.
    known = ["gemeente_heerenveen", "woonfriesland", "ggz_friesland", "politie"]
    assert case.data["bekende_ontvangers"] == known
    # The informing form lists them, so that the procesregisseur names them all to the betrokkene.
    assert engine.form_values(case.task("betrokkene_informeren").id) == {"bekende_ontvangers": known}
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    case.complete("privacycheck_plangesprek", check(["gemeente_heerenveen", "woonfriesland", "ggz_friesland", "politie"]),
                  role="procesregisseur")
    assert case.open_tasks() == {"plan_van_aanpak": "procesregisseur"}  # none of them is new
    assert may_view(engine, case) == {"woonfriesland": True, "ggz_friesland": True, "politie": True, "elkien": False}


def test_without_a_crisisoverleg_there_is_no_check_before_it(engine, casus):
    case = new_case(engine)
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    assert case.open_tasks() == {"betrokkene_informeren": "procesregisseur"}
    assert case.data["bekende_ontvangers"] == OPPAKKEN["deelnemende_partners"]
    assert "privacycheck_crisisoverleg" not in case.visited()


# -- before the plangesprek ----------------------------------------------------------------

def informed(engine):
    case = new_case(engine)
    case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    return case


def test_a_partner_not_invited_to_the_plangesprek_does_not_take_part_in_it_and_one_invited_does(engine, casus):
    case = informed(engine)
    assert case.open_tasks() == {"privacycheck_plangesprek": "procesregisseur"}
    case.complete("privacycheck_plangesprek", check(["gemeente_heerenveen", "woonfriesland"], ["ggz_friesland"]),
                  role="procesregisseur")
    assert case.open_tasks() == {"plan_van_aanpak": "procesregisseur"}
    assert case.data["deelnemende_partners"] == ["gemeente_heerenveen", "woonfriesland"]
    assert case.data["afgemelde_partners"] == []  # an opt-out counts for this overleg only
    assert may_view(engine, case) == {"woonfriesland": True, "ggz_friesland": False, "politie": False, "elkien": False}
    # The plan gives actions only to partners that take part.
    assert refused_fields(lambda: case.complete("plan_van_aanpak", PLAN, role="procesregisseur")) == {
        "afspraken/1/partner"}
    plan = {**PLAN, "afspraken": PLAN["afspraken"][:1]}
    case.complete("plan_van_aanpak", plan, role="procesregisseur")
    # Then the zorgoverleg's own check, due on the date the plan set.
    assert case.open_tasks() == {"privacycheck": "procesregisseur"}
    assert case.task("privacycheck").due_at.date().isoformat() == PLAN["eerste_zorgoverleg_op"]


def test_a_partner_first_invited_for_the_plangesprek_is_told_to_the_betrokkene_before_it_takes_part(engine, casus):
    case = informed(engine)
    case.complete("privacycheck_plangesprek", check([*OPPAKKEN["deelnemende_partners"], "politie"]),
                  role="procesregisseur")
    assert case.open_tasks() == {"nieuwe_ontvangers_informeren": "procesregisseur"}
    task = case.task("nieuwe_ontvangers_informeren")
    assert engine.form_values(task.id) == {"nieuwe_ontvangers": ["politie"]}
    assert task.due_at is None  # the plangesprek has no date in the case, nor has its check
    assert may_view(engine, case)["politie"] is False
    case.complete("nieuwe_ontvangers_informeren", {"datum_geinformeerd": "2026-11-27", "manier": "telefoon",
                                                   "ontvangers_en_doel": True}, role="procesregisseur")
    assert case.open_tasks() == {"plan_van_aanpak": "procesregisseur"}
    assert may_view(engine, case)["politie"] is True
    case.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    case.complete("privacycheck", check([*OPPAKKEN["deelnemende_partners"], "politie"]), role="procesregisseur")
    assert case.open_tasks() == {"zorgoverleg": "procesregisseur"}  # told once
    assert case.visited().count("nieuwe_ontvangers_informeren") == 1


def test_a_partner_first_invited_for_the_plangesprek_under_an_art_41_decision_is_recorded(engine, casus):
    case = new_case(engine)
    case.complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    case.complete("besluit_niet_informeren", BESLUIT_41, role="procesregisseur")
    case.complete("privacycheck_plangesprek", check([*OPPAKKEN["deelnemende_partners"], "politie"]),
                  role="procesregisseur")
    assert case.open_tasks() == {"plan_van_aanpak": "procesregisseur"}
    [covered] = case.data["ontvangers_onder_art41"]
    assert covered["partners"] == ["politie"] and covered["grond"] == "d" and covered["herzien_op"] == "2027-01-15"
    assert may_view(engine, case)["politie"] is True


# -- opted out on the case page ----------------------------------------------------------------

def test_a_partner_that_opted_out_on_the_case_page_stays_out_through_the_new_checks(engine, casus):
    case = crisis_case(engine)
    participation.opt_out(engine, WOONFRIESLAND, case.id, "Wij hebben geen woning meer voor deze persoon.", HERE)
    everyone = ["gemeente_heerenveen", "woonfriesland", "ggz_friesland"]
    case.complete("privacycheck_crisisoverleg", check(everyone), role="procesregisseur")
    assert case.data["deelnemende_partners"] == everyone  # the check invited it ...
    assert "woonfriesland" not in participants(engine, case.id)  # ... its own opt-out wins
    assert may_view(engine, case)["woonfriesland"] is False
    case.complete("crisisoverleg_houden", {**CRISISOVERLEG, "aanwezige_partners": ["gemeente_heerenveen"]},
                  role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    case.complete("privacycheck_plangesprek", check(everyone), role="procesregisseur")
    assert case.open_tasks() == {"plan_van_aanpak": "procesregisseur"}
    assert may_view(engine, case)["woonfriesland"] is False

    participation.opt_in(engine, WOONFRIESLAND, case.id, HERE)
    assert may_view(engine, case)["woonfriesland"] is True
    case.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")
    assert case.status == "completed"
