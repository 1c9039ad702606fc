"""Need to know, decided in one place: engine/policy.py."""
import pytest

from engine import policy
from engine.identity import User


def user(role, partner="gemeente_heerenveen", *more, directing="gemeente_heerenveen"):
    """A user of `partner`; `directing` is the partner the register says directs the team."""
    return User(f"{role}.{partner}", role, partner, frozenset({role, *more}), directs=partner == directing)


CASE = {"aanmelder_partner": "woonfriesland", "deelnemende_partners": ["gemeente_heerenveen", "ggz_friesland"]}


def test_the_partners_chosen_in_the_beoordeling_replace_the_aanmelder():
    assert policy.participants("zvt_casus", {"aanmelder_partner": "woonfriesland"}) == {"woonfriesland"}
    assert policy.participants("zvt_casus", CASE) == {"gemeente_heerenveen", "ggz_friesland"}


def test_a_partner_employee_sees_a_case_only_while_the_organisation_takes_part():
    taking_part = policy.participants("zvt_casus", CASE)
    assert policy.may_view_case(user("partnermedewerker", "ggz_friesland"), "zvt_casus", taking_part)
    refused = policy.may_view_case(user("partnermedewerker", "woonfriesland"), "zvt_casus", taking_part)
    assert not refused and refused.reason == "organisation does not take part in the case"


def test_the_procesregisseur_of_the_municipality_directs_every_case():
    assert policy.may_view_case(user("procesregisseur"), "zvt_casus", set())
    assert not policy.may_view_case(user("procesregisseur", "politie"), "zvt_casus", set())


@pytest.mark.parametrize("role", ["proceseigenaar", "beheerder", "manager"])
def test_roles_without_personal_data_never_see_a_case_even_of_a_taking_part_organisation(role):
    decision = policy.may_view_case(user(role, "ggz_friesland"), "zvt_casus", {"ggz_friesland"})
    assert not decision and decision.reason == "role grants no access to personal data"


def test_the_teamleider_sees_a_case_only_while_an_escalation_is_open_for_the_teamleider():
    assert not policy.may_view_case(user("teamleider"), "zvt_casus", {"ggz_friesland"})
    assert policy.may_view_case(user("teamleider"), "zvt_casus", {"ggz_friesland"}, open_lanes={"teamleider"})
    assert not policy.may_view_case(user("teamleider", "politie"), "zvt_casus", {"ggz_friesland"}, {"teamleider"})


def test_an_fg_or_teamleider_of_a_taking_part_organisation_sees_a_case_only_with_an_open_task_for_them():
    assert not policy.may_view_case(user("fg", "ggz_friesland"), "datalek", {"ggz_friesland"})
    assert policy.may_view_case(user("fg", "ggz_friesland"), "datalek", {"ggz_friesland"}, open_lanes={"fg"})
    assert not policy.may_view_case(user("fg", "politie"), "datalek", {"ggz_friesland"}, open_lanes={"fg"})
    assert not policy.may_view_case(user("teamleider"), "zvt_casus", {"gemeente_heerenveen"})


def test_the_directing_partner_takes_part_in_every_rights_request():
    assert policy.participants("rechten_betrokkene", {"ontvangen_door": "politie"},
                               directing="gemeente_heerenveen") == {"politie", "gemeente_heerenveen"}
    # Whichever partner the register says directs: no partner code in the code.
    assert policy.participants("rechten_betrokkene", {"ontvangen_door": "politie"},
                               directing="gemeente_thialf") == {"politie", "gemeente_thialf"}
    assert policy.participants("klacht", {"ontvangen_door": "politie"}, directing="gemeente_thialf") == {"politie"}


def test_the_directing_rights_follow_the_register_not_the_partner_code():
    # Another municipality directs: its procesregisseur directs every case, its teamleider gets the
    # escalations, its FG audits every case; the old municipality's staff get none of that.
    new, old = "gemeente_thialf", "gemeente_heerenveen"
    regisseur = user("procesregisseur", new, directing=new)
    oud_regisseur = user("procesregisseur", old, directing=new)
    assert policy.may_view_case(regisseur, "zvt_casus", {"woonfriesland"})
    assert policy.may_view_case(regisseur, "rechten_betrokkene", {"politie"})
    assert policy.may_pause_deadlines(regisseur, "zvt_casus", {"woonfriesland"})
    assert not policy.may_view_case(oud_regisseur, "zvt_casus", {"woonfriesland"})
    assert not policy.may_pause_deadlines(oud_regisseur, "zvt_casus", {"woonfriesland"})
    assert policy.may_view_case(user("teamleider", new, directing=new), "zvt_casus", set(), {"teamleider"})
    assert not policy.may_view_case(user("teamleider", old, directing=new), "zvt_casus", set(), {"teamleider"})
    assert policy.audit_scope(user("fg", new, directing=new)).every_case
    assert not policy.audit_scope(user("fg", old, directing=new)).every_case
    assert policy.may_audit_case(user("fg", new, directing=new), {"politie"}, False)
    assert not policy.may_audit_case(user("fg", old, directing=new), {"politie"}, False)


def test_a_process_the_rules_do_not_name_holds_personal_data_and_nobody_starts_it():
    assert policy.holds_personal_data("onbekend_proces")
    assert not policy.may_start(user("teamleider"), "onbekend_proces")
    assert not policy.may_start(user("procesregisseur"), "onbekend_proces")
    assert not policy.may_view_case(user("procesregisseur"), "onbekend_proces", set())  # directs no unknown process
    assert policy.participants("onbekend_proces", {"aanmelder_partner": "politie"}, directing="gemeente_heerenveen") \
        == frozenset()


def test_a_task_needs_the_role_of_its_lane_as_well_as_sight_of_the_case():
    procesregisseur = user("procesregisseur")
    assert policy.may_do_task(procesregisseur, "procesregisseur", "zvt_casus", set())
    assert not policy.may_do_task(procesregisseur, "teamleider", "zvt_casus", set())
    assert not policy.may_do_task(procesregisseur, None, "zvt_casus", set())


def test_an_unknown_process_is_treated_as_holding_personal_data():
    assert policy.holds_personal_data("nieuw_proces")
    assert not policy.may_view_case(user("manager"), "nieuw_proces", set())


def test_processes_without_citizens_data_are_open_to_the_roles_that_work_in_them():
    assert policy.may_view_case(user("manager", "accolade"), "jaarlijkse_evaluatie", set())
    assert not policy.may_view_case(user("partnermedewerker", "accolade"), "jaarlijkse_evaluatie", set())
    assert policy.may_view_case(user("beheerder"), "toegangsreview", set())


def test_who_may_start_what():
    assert policy.may_start(user("partnermedewerker", "politie"), "zvt_casus")
    assert not policy.may_start(user("manager", "accolade"), "zvt_casus")
    assert not policy.may_start(user("beheerder"), "toegangsreview")  # it starts by its timer
    assert policy.may_start(user("teamleider"), "convenant")


def test_the_datalek_and_klacht_participants_come_from_their_start_data():
    assert policy.participants("datalek", {"melder_partner": "elkien", "partner_inbreuk": "elkien",
                                           "verantwoordelijke_partners": ["elkien", "politie"]}) == {"elkien", "politie"}
    assert policy.participants("klacht", {"ontvangen_door": "politie", "behandelende_partner": "gemeente_heerenveen"}) == {
        "politie", "gemeente_heerenveen"}


def test_the_municipalitys_fg_audits_every_case_another_fg_its_own_staff_and_its_organisations_cases():
    municipality, partner = user("fg"), user("fg", "woonfriesland")
    assert policy.audit_scope(municipality) == policy.AuditScope(every_case=True, staff_of="gemeente_heerenveen")
    assert policy.audit_scope(partner) == policy.AuditScope(every_case=False, staff_of="woonfriesland")
    assert policy.audit_scope(user("procesregisseur")) is None
    assert policy.may_audit_case(municipality, ["politie"], False)
    assert policy.may_audit_case(partner, ["politie", "woonfriesland"], False)  # takes part
    assert policy.may_audit_case(partner, ["politie"], True)  # took part: its staff worked with the case
    refused = policy.may_audit_case(partner, ["politie"], False)
    assert not refused and refused.reason == "organisation never took part in the case"
    assert not policy.may_audit_case(user("procesregisseur"), ["gemeente_heerenveen"], True)


def test_only_work_with_a_cases_data_counts_as_taking_part_not_an_fgs_own_audit_or_the_retention_overview():
    assert {"case", "task", "caselist"} <= policy.CASE_WORK_OBJECTS
    assert not {"access_log", "inzage", "register", "legal_hold"} & policy.CASE_WORK_OBJECTS
