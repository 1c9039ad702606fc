"""Data items: kinds, police rules, sharing per partner and the register of disclosures, through
the casework functions a logged-in user calls (engine/case_items.py, engine/sharing.py)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import case_items, casework, participation, sharing
from engine.db import AccessLogEntry, CaseBasis, Disclosure, Instance, ItemShare, Partner
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES, add_partners
from tests.processes.test_zvt_casus import BESLUIT_41, INFORMEREN, OPPAKKEN, aanmelding


@pytest.fixture(autouse=True)
def partners(engine):
    """The eight convenantpartners: the forms' partner choices come from the register."""
    add_partners(engine)


HERE = Origin("192.0.2.1", "test")
ADHOC = "buurtteam_noord"  # an ad-hoc partner, admitted for this one case


def person(partner: str, *roles: str) -> User:
    return User(f"{partner}-{'-'.join(roles)}", partner, partner, frozenset(roles),
                directs=partner == "gemeente_heerenveen")


REGISSEUR = person("gemeente_heerenveen", "procesregisseur")
POLITIE = person("politie", "partnermedewerker")
WOONFRIESLAND = person("woonfriesland", "partnermedewerker")
GGZ = person("ggz_friesland", "partnermedewerker")
VNN = person("vnn", "partnermedewerker")  # took part, then opted out
BUURTTEAM = person(ADHOC, "partnermedewerker")
TEAMLEIDER = person("gemeente_heerenveen", "teamleider")
PARTICIPANTS = ["gemeente_heerenveen", "woonfriesland", "ggz_friesland", "politie", "vnn"]


def step(engine, number, bpmn_id, data):
    [task] = [t for t in engine.ready_tasks(number) if t.bpmn_id == bpmn_id]
    engine.complete(task.id, data, actor="procesregisseur")


def taken_up(engine, informeren="informeren"):
    """A zvt_casus taken up with the municipality, WoonFriesland, GGZ, the police and VNN; the
    ad-hoc partner is admitted with its declaration, VNN opts out. The betrokkene is not yet
    informed."""
    engine.deploy(PROCESSES, FORMS)
    number = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    step(engine, number, "beoordeling", {**OPPAKKEN, "deelnemende_partners": PARTICIPANTS, "informeren": informeren})
    with engine.database.unit_of_work() as uow:
        uow.session.add(Partner(id=ADHOC, name="Buurtteam Noord", kind="adhoc", grondslag="verklaring", active=True))
        uow.commit()
    participation.admit_adhoc(engine, REGISSEUR, number, ADHOC, "J. de Voorzitter, directeur", "2026-11-20",
                              "archief gemeente 2026-0815", HERE)
    participation.opt_out(engine, VNN, number, "geen rol meer voor verslavingszorg", HERE)
    return number


@pytest.fixture
def case(engine):
    """Taken up, and the betrokkene informed of the partners of the beoordeling (not of the
    ad-hoc partner admitted on the case page)."""
    number = taken_up(engine)
    step(engine, number, "betrokkene_informeren", INFORMEREN)
    return number


def add(engine, case, user, kind, subject):
    case_items.record_basis(engine, user, case, f"grondslag van {user.partner}",
                            "toestemming" if user.partner == "ggz_friesland" else None, None, HERE)
    return case_items.add_item(engine, user, case, kind, subject, f"inhoud: {subject}", HERE)


def seen(engine, case, user) -> set[str]:
    return {item.subject for item in case_items.for_case(engine, user, case, HERE).items}


@pytest.fixture
def items(engine, case):
    made = {
        "huur": add(engine, case, WOONFRIESLAND, "gewoon", "huur"),
        "zorg": add(engine, case, GGZ, "bijzonder", "zorg"),
        "straf": add(engine, case, REGISSEUR, "justitieel", "straf"),
        "politie8": add(engine, case, POLITIE, "politie_8_13", "politie8"),
        "politie9": add(engine, case, POLITIE, "politie_9", "politie9"),
    }
    return made


def share_all(engine, case, partners, purpose="zorgoverleg"):
    """The procesregisseur shares every item with the partners where the rules allow it."""
    allowed = [c for c in sharing.choices(engine, REGISSEUR, case, HERE) if c.partner in partners and not c.refused]
    return sharing.decide(engine, REGISSEUR, case, {(c.item_id, c.partner): "nodig voor het overleg" for c in allowed},
                          purpose, HERE)


# Who reads which item, by the rules of DOMAIN.md and the covenant (not by running the code):
# before art. 9 consent, after it, and after the police allow the ad-hoc partner.
BEFORE = {
    "procesregisseur": {"huur", "zorg", "straf", "politie8"},
    "politie (not shared)": {"politie8", "politie9"},  # its own items only: police data go one way
    "woonfriesland (shared)": {"huur", "zorg", "straf", "politie8"},
    "ggz (not shared: no need)": {"zorg"},
    "ad-hoc (shared)": {"huur", "zorg", "straf"},
    "teamleider (no open task)": None,
    "vnn (opted out)": None,
}
AFTER_CONSENT = {**BEFORE, "procesregisseur": BEFORE["procesregisseur"] | {"politie9"},
                 "woonfriesland (shared)": BEFORE["woonfriesland (shared)"] | {"politie9"}}
AFTER_POLICE_ALLOW_ADHOC = {**AFTER_CONSENT, "ad-hoc (shared)": BEFORE["ad-hoc (shared)"] | {"politie8"}}
READERS = {"procesregisseur": REGISSEUR, "politie (not shared)": POLITIE, "woonfriesland (shared)": WOONFRIESLAND,
           "ggz (not shared: no need)": GGZ, "ad-hoc (shared)": BUURTTEAM, "teamleider (no open task)": TEAMLEIDER,
           "vnn (opted out)": VNN}


def check(engine, case, expected):
    for name, user in READERS.items():
        if expected[name] is None:
            with pytest.raises(casework.Forbidden):
                case_items.for_case(engine, user, case, HERE)
        else:
            assert seen(engine, case, user) == expected[name], name


def test_who_reads_which_item_before_and_after_consent_and_the_police_decision(engine, case, items):
    # The betrokkene has not heard of the ad-hoc partner: it gets items for the crisis only.
    share_all(engine, case, {"woonfriesland"})
    share_all(engine, case, {ADHOC}, "crisisoverleg")
    check(engine, case, BEFORE)

    case_items.record_consent(engine, POLITIE, items["politie9"], "mr. J. Voorbeeld", "officier van justitie",
                              "2026-11-26", HERE)
    share_all(engine, case, {"woonfriesland"})  # now art. 9 may be shared too
    check(engine, case, AFTER_CONSENT)

    case_items.allow_adhoc(engine, POLITIE, items["politie8"], "nodig voor de veiligheid bij het huisbezoek", HERE)
    share_all(engine, case, {ADHOC}, "crisisoverleg")
    check(engine, case, AFTER_POLICE_ALLOW_ADHOC)


def test_art_9_and_ad_hoc_police_shares_are_refused_until_the_police_decide(engine, case, items):
    choices = {(c.item_id, c.partner): c for c in sharing.choices(engine, REGISSEUR, case, HERE)}
    assert choices[items["politie9"], "woonfriesland"].refused
    assert choices[items["politie8"], ADHOC].refused and not choices[items["politie8"], "woonfriesland"].refused
    assert (items["politie8"], "politie") not in choices  # its own organisation reads it already
    with pytest.raises(case_items.InvalidItem) as refused:
        sharing.decide(engine, REGISSEUR, case, {(items["politie9"], "woonfriesland"): "nodig",
                                                 (items["huur"], "ggz_friesland"): "nodig"}, "zorgoverleg", HERE)
    assert refused.value.problems == {f"{items['politie9']}-woonfriesland": "forbidden"}
    with engine.database.unit_of_work(write=False) as uow:  # nothing of the refused decision was saved
        assert uow.session.scalar(select(func.count()).select_from(Disclosure)) == 0


def test_each_sharing_is_registered_and_withdrawing_stops_the_reading_but_not_the_register(engine, case, items):
    share_all(engine, case, {"woonfriesland"})
    with engine.database.unit_of_work(write=False) as uow:
        rows = [(d.giver_partner, d.recipients, d.items, d.grondslag, d.purpose)
                for d in uow.session.scalars(select(Disclosure).order_by(Disclosure.giver_partner))]
    assert rows == [
        ("gemeente_heerenveen", ["woonfriesland"], [items["straf"]], "grondslag van gemeente_heerenveen", "zorgoverleg"),
        ("ggz_friesland", ["woonfriesland"], [items["zorg"]], "grondslag van ggz_friesland", "zorgoverleg"),
        ("politie", ["woonfriesland"], [items["politie8"]], "grondslag van politie", "zorgoverleg")]

    sharing.decide(engine, REGISSEUR, case, {(items["zorg"], "woonfriesland"): None}, "zorgoverleg", HERE)
    assert "zorg" not in seen(engine, case, WOONFRIESLAND)
    fg = person("ggz_friesland", "fg")
    register = sharing.register(engine, fg, HERE)
    assert [(d.giver_partner, d.items) for d in register.rows] == [("ggz_friesland", [items["zorg"]])]
    assert (register.total, register.page, register.pages) == (1, 1, 1)
    with engine.database.unit_of_work(write=False) as uow:
        assert sharing.recipients_of(uow.session, case)["woonfriesland"] == sorted(
            items[k] for k in ("zorg", "straf", "politie8"))


def test_a_share_needs_a_reason_and_a_purpose_and_only_the_procesregisseur_decides(engine, case, items):
    key = (items["huur"], "ggz_friesland")
    with pytest.raises(case_items.InvalidItem) as refused:
        sharing.decide(engine, REGISSEUR, case, {key: "  "}, "zorgoverleg", HERE)
    assert refused.value.problems == {f"{items['huur']}-ggz_friesland": "reason_required"}
    with pytest.raises(case_items.InvalidItem) as refused:
        sharing.decide(engine, REGISSEUR, case, {key: "nodig"}, "roddel", HERE)
    assert refused.value.problems == {"doel": "required"}
    with pytest.raises(casework.Forbidden):
        sharing.decide(engine, WOONFRIESLAND, case, {key: "nodig"}, "zorgoverleg", HERE)
    with engine.database.unit_of_work(write=False) as uow:
        refusals = uow.session.scalar(select(func.count()).select_from(AccessLogEntry).where(
            AccessLogEntry.username == WOONFRIESLAND.username, AccessLogEntry.result == "geweigerd"))
    assert refusals == 1


def test_an_item_needs_the_organisations_grondslag_and_a_kind_it_may_choose(engine, case):
    with pytest.raises(case_items.InvalidItem) as refused:
        case_items.add_item(engine, WOONFRIESLAND, case, "gewoon", "huur", "vier maanden", HERE)
    assert refused.value.problems == {"grondslag": "missing"}
    case_items.record_basis(engine, WOONFRIESLAND, case, "AVG art. 6 lid 1 sub b", None, None, HERE)
    with pytest.raises(case_items.InvalidItem) as refused:
        case_items.add_item(engine, WOONFRIESLAND, case, "politie_9", "", "x" * 5001, HERE)
    assert refused.value.problems == {"soort": "police_only", "onderwerp": "required", "tekst": "too_long"}


def test_ggz_records_how_it_breaks_its_professional_secrecy(engine, case):
    with pytest.raises(case_items.InvalidItem) as refused:
        case_items.record_basis(engine, GGZ, case, "AVG art. 9 lid 2 sub h", None, None, HERE)
    assert refused.value.problems == {"beroepsgeheim": "required"}
    with pytest.raises(case_items.InvalidItem) as refused:
        case_items.record_basis(engine, GGZ, case, "AVG art. 9 lid 2 sub h", "conflict_van_plichten", " ", HERE)
    assert refused.value.problems == {"afweging": "required"}
    case_items.record_basis(engine, GGZ, case, "AVG art. 9 lid 2 sub h", "conflict_van_plichten",
                            "Psychiater dr. B. Voorbeeld woog: gevaar voor de kinderen weegt zwaarder.", HERE)
    with engine.database.unit_of_work(write=False) as uow:
        basis = uow.session.scalar(select(CaseBasis).where(CaseBasis.partner == "ggz_friesland"))
        assert basis.secrecy_basis == "conflict_van_plichten" and "Psychiater" in basis.secrecy_weighing


def test_only_the_police_record_consent_and_not_in_the_future(engine, case, items):
    with pytest.raises(casework.Forbidden):
        case_items.record_consent(engine, REGISSEUR, items["politie9"], "J. Voorbeeld", "officier", "2026-11-26", HERE)
    with pytest.raises(case_items.InvalidItem) as refused:
        case_items.record_consent(engine, POLITIE, items["politie9"], "J. Voorbeeld", "", "2026-12-24", HERE)
    assert refused.value.problems == {"functie": "required", "datum": "future"}
    with pytest.raises(case_items.InvalidItem) as refused:
        case_items.record_consent(engine, POLITIE, items["politie8"], "J. Voorbeeld", "officier", "2026-11-26", HERE)
    assert refused.value.problems == {"soort": "no_consent_needed"}


# -- informing the betrokkene before the first disclosure (AVG art. 14 lid 3 c) ------------------

def register_rows(engine) -> list[tuple]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(d.giver_partner, d.recipients, d.items, d.purpose)
                for d in uow.session.scalars(select(Disclosure).order_by(Disclosure.id))]


def shares_count(engine) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(ItemShare))


def test_a_new_share_waits_until_the_betrokkene_is_informed_except_for_a_crisis(engine):
    number = taken_up(engine)
    huur = add(engine, number, WOONFRIESLAND, "gewoon", "huur")
    zorg = add(engine, number, GGZ, "bijzonder", "zorg")
    choices = {(c.item_id, c.partner): c for c in sharing.choices(engine, REGISSEUR, number, HERE)}
    assert choices[huur, "ggz_friesland"].waiting == "not_informed"
    assert choices[zorg, "woonfriesland"].waiting == "not_informed"

    with pytest.raises(case_items.InvalidItem) as refused:
        sharing.decide(engine, REGISSEUR, number, {(huur, "ggz_friesland"): "nodig voor het huisbezoek"},
                       "zorgoverleg", HERE)
    assert refused.value.problems == {f"{huur}-ggz_friesland": "not_informed"}
    assert register_rows(engine) == [] and shares_count(engine) == 0  # nothing saved, register unchanged

    # A crisis does not wait: shared, and registered with its purpose.
    assert sharing.decide(engine, REGISSEUR, number, {(huur, "ggz_friesland"): "acute zorg nodig"},
                          "crisisoverleg", HERE) == 1
    assert register_rows(engine) == [("woonfriesland", ["ggz_friesland"], [huur], "crisisoverleg")]

    step(engine, number, "betrokkene_informeren", INFORMEREN)
    choices = {(c.item_id, c.partner): c for c in sharing.choices(engine, REGISSEUR, number, HERE)}
    assert choices[zorg, "woonfriesland"].waiting is None
    assert choices[huur, "ggz_friesland"].waiting is None  # shared already: nothing to wait for
    sharing.decide(engine, REGISSEUR, number, {(zorg, "woonfriesland"): "nodig voor de huurregeling"},
                   "zorgoverleg", HERE)
    assert register_rows(engine)[-1] == ("ggz_friesland", ["woonfriesland"], [zorg], "zorgoverleg")
    assert "zorg" in seen(engine, number, WOONFRIESLAND)


def test_a_partner_the_betrokkene_has_not_heard_of_waits_after_informing(engine, case):
    huur = add(engine, case, WOONFRIESLAND, "gewoon", "huur")
    choices = {(c.item_id, c.partner): c for c in sharing.choices(engine, REGISSEUR, case, HERE)}
    assert choices[huur, "ggz_friesland"].waiting is None  # told at informing: a partner of the beoordeling
    assert choices[huur, ADHOC].waiting == "not_told"  # admitted on the case page, never told
    with pytest.raises(case_items.InvalidItem) as refused:
        sharing.decide(engine, REGISSEUR, case, {(huur, ADHOC): "buurtteam helpt bij het huisbezoek",
                                                 (huur, "ggz_friesland"): "nodig voor het huisbezoek"},
                       "plan_van_aanpak", HERE)
    assert refused.value.problems == {f"{huur}-{ADHOC}": "not_told"}
    assert register_rows(engine) == [] and shares_count(engine) == 0  # not even the allowed share
    assert "huur" not in seen(engine, case, BUURTTEAM) and "huur" not in seen(engine, case, GGZ)


def test_an_active_art_41_decision_lets_the_partners_it_covers_receive_items(engine):
    number = taken_up(engine, informeren="niet_informeren")
    huur = add(engine, number, WOONFRIESLAND, "gewoon", "huur")
    # Deciding is not yet done: no decision is active, the betrokkene is not informed.
    assert {c.waiting for c in sharing.choices(engine, REGISSEUR, number, HERE)} == {"not_informed"}
    step(engine, number, "besluit_niet_informeren", BESLUIT_41)
    choices = {(c.item_id, c.partner): c for c in sharing.choices(engine, REGISSEUR, number, HERE)}
    assert choices[huur, "politie"].waiting is None  # a partner when the decision was taken: covered
    assert choices[huur, ADHOC].waiting == "not_told"  # not covered: never recorded under the decision
    participation.record_told(engine, REGISSEUR, number, ADHOC, "2026-11-27",
                              "valt onder het besluit niet te informeren", HERE)
    choices = {(c.item_id, c.partner): c for c in sharing.choices(engine, REGISSEUR, number, HERE)}
    assert choices[huur, ADHOC].waiting is None
    with engine.database.unit_of_work(write=False) as uow:  # recording it changes no participation
        assert ADHOC in uow.session.get(Instance, number).participants
    sharing.decide(engine, REGISSEUR, number, {(huur, "politie"): "nodig voor het onderzoek naar de woning"},
                   "veiligheid", HERE)
    assert register_rows(engine) == [("woonfriesland", ["politie"], [huur], "veiligheid")]
