"""Convenant: a partner leaves (three months' notice, or at once when all the others agree), the covenant
or the working method changes (only with every partner's written consent), or a new partner joins (after
signing). The municipality's teamleider runs it; its steps change the partner register: a partner added by
the beheerder is in it from its joining day, a partner that leaves takes part until its end date.

The notice period is three calendar months from the day the notice was received (add_maanden): a day the
last month lacks becomes its last day, so a notice received on 30 November 2026 ends on 28 February 2027.
"""
from datetime import datetime, timedelta, timezone

import pytest

from engine import InvalidTaskData, casework
from engine.clock import AMSTERDAM
from engine.db import Partner
from engine.identity import User
from tests.processes.conftest import branches, start

PID = "convenant"
PARTNERS = ["gemeente_heerenveen", "accolade", "woonfriesland", "elkien", "politie", "ggz_friesland", "vnn",
            "veiligheidsregio_fryslan"]

# Notice received 30 November 2026; 30 February does not exist, so three months end on 28 February 2027.
# The participation ends on that day: the beheerder task opens at 00:00 and is due at the end of the day.
EINDDATUM = datetime(2027, 2, 28, 0, 0, tzinfo=AMSTERDAM)       # 2027-02-27 23:00 UTC
EINDE_EINDDATUM = datetime(2027, 3, 1, 0, 0, tzinfo=AMSTERDAM)  # 2027-02-28 23:00 UTC


def at(*parts) -> datetime:
    """A moment by the Amsterdam clock."""
    return datetime(*parts, tzinfo=AMSTERDAM)


def fields(refused) -> list[str]:
    return [e.field for e in refused.value.errors]


TEAMLEIDER = User("teamleider", "Teamleider", "gemeente_heerenveen", frozenset({"teamleider"}), directs=True)


def partner(engine, code: str) -> Partner | None:
    with engine.database.unit_of_work(write=False) as uow:
        found = uow.session.get(Partner, code)
        if found is not None:
            uow.session.expunge(found)  # readable after the session closes
        return found


def zaak(engine, soort: str):
    # As the case page starts it: the engine adds the convenantpartners from the register.
    return start(engine, PID, {"soort_wijziging": soort, "aanleiding": "Brief van de partner."}, actor="teamleider",
                 context=casework.start_context(engine, TEAMLEIDER, PID))


def opzegging(partner="elkien", ontvangen_op="2026-11-30", **changes) -> dict:
    data = {"opzeggende_partner": partner, "opzegging_ontvangen_op": ontvangen_op, "directe_opzegging": False}
    data.update(changes)
    return data


def directe_opzegging(partner="elkien") -> dict:
    return opzegging(partner, directe_opzegging=True, instemmende_partners=[p for p in PARTNERS if p != partner])


BEEINDIGD = {"casusdeelname_beeindigd": True,
             "beeindiging_toelichting": "Twee lopende casussen overgedragen aan WoonFriesland."}

WIJZIGING = {"wijziging_betreft": "werkwijze",
             "wijziging_omschrijving": "Persoonsgegevens alleen nog delen via de beveiligde samenwerkingsomgeving.",
             "voorgestelde_ingangsdatum": "2027-04-01"}


def instemmingen(nee=(), **changes) -> list[dict]:
    return [{"partner": p, "datum": "2027-02-15", "door": f"Directeur van {p}", "akkoord": p not in nee, **changes}
            for p in PARTNERS]


UITNODIGING = {"nieuwe_partner_naam": "Stichting Voorbeeldzorg", "grondslag": "avg_6_1_a_9_2_h",
               "eigen_taak": "Maatschappelijke opvang en begeleid wonen in Heerenveen.",
               "contactpersoon": "Mevrouw C. Bakker", "contactgegevens": "c.bakker@voorbeeldzorg.example, 0513 000000",
               "uitgenodigd_op": "2026-12-01"}
ONDERTEKEND = {"ondertekend": True, "ondertekend_op": "2027-01-12", "ondertekend_door": "De heer D. Visser, bestuurder"}
TOEGEVOEGD = {"partnercode": "voorbeeldzorg", "toegetreden_op": "2027-02-01",
              "contact_fg": "Privacybalie: privacy@voorbeeldzorg.example", "contact_verantwoordelijke":
              "Directiesecretariaat: datalek@voorbeeldzorg.example", "contactpersoon_naam": "Mevrouw C. Bakker",
              "contactpersoon_email": "c.bakker@voorbeeldzorg.example", "gemachtigde_naam": "De heer D. Visser",
              "gemachtigde_email": "d.visser@voorbeeldzorg.example"}


# -- scenarios, also run together by the branch-coverage test ------------------------------------

def opzegging_met_opzegtermijn(engine, clock):
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", opzegging(), role="teamleider")
    assert engine.fire_due_timers(EINDDATUM) == 1
    clock.now = at(2027, 2, 28, 10, 0)
    case.complete("deelname_beeindigen", BEEINDIGD, role="beheerder")
    return case


def opzegging_direct(engine, clock):
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", directe_opzegging("politie"), role="teamleider")
    case.complete("deelname_beeindigen", BEEINDIGD, role="beheerder")
    return case


def opzegging_te_laat_beeindigd(engine, clock):
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", opzegging(), role="teamleider")
    assert engine.fire_due_timers(EINDDATUM) == 1
    assert engine.fire_due_timers(EINDE_EINDDATUM) == 1
    clock.now = at(2027, 3, 1, 9, 0)
    case.complete("beeindiging_opvolgen", {"opvolging": "Beheerder gebeld; accounts gaan vandaag dicht."},
                  role="teamleider")
    case.complete("deelname_beeindigen", BEEINDIGD, role="beheerder")
    return case


def wijziging_aangenomen(engine, clock):
    case = zaak(engine, "wijziging")
    case.complete("wijziging_beschrijven", WIJZIGING, role="teamleider")
    case.complete("instemming_vastleggen", {"instemmingen": instemmingen()}, role="teamleider")
    case.complete("wijziging_invoeren", {"ingangsdatum": "2027-04-01", "versie": "Werkwijze ZVT Heerenveen, versie 2027"},
                  role="teamleider")
    return case


def wijziging_niet_aangenomen(engine, clock):
    case = zaak(engine, "wijziging")
    case.complete("wijziging_beschrijven", WIJZIGING, role="teamleider")
    case.complete("instemming_vastleggen", {"instemmingen": instemmingen(nee=("politie",))}, role="teamleider")
    return case


def toetreding_ondertekend(engine, clock):
    case = zaak(engine, "toetreding")
    case.complete("partner_uitnodigen", UITNODIGING, role="teamleider")
    case.complete("ondertekening_vastleggen", ONDERTEKEND, role="teamleider")
    case.complete("partner_toevoegen", TOEGEVOEGD, role="beheerder")
    return case


def toetreding_afgewezen(engine, clock):
    case = zaak(engine, "toetreding")
    case.complete("partner_uitnodigen", UITNODIGING, role="teamleider")
    case.complete("ondertekening_vastleggen", {"ondertekend": False,
                                               "reden_niet_ondertekend": "De raad van bestuur wil alleen per casus meedoen."},
                  role="teamleider")
    return case


# -- starting a covenant case --------------------------------------------------------------------

@pytest.mark.parametrize("soort, eerste_taak", [
    ("opzegging", "opzegging_vastleggen"),
    ("wijziging", "wijziging_beschrijven"),
    ("toetreding", "partner_uitnodigen"),
])
def test_the_teamleider_starts_a_covenant_case_by_the_kind_of_change(engine, deploy_only, soort, eerste_taak):
    deploy_only(PID)
    case = zaak(engine, soort)

    assert case.open_tasks() == {eerste_taak: "teamleider"}
    assert case.data == {"soort_wijziging": soort, "aanleiding": "Brief van de partner.",
                         "convenantpartners": ["gemeente_heerenveen", *sorted(PARTNERS[1:], key=str.title)]}
    # (from the register: the directing partner first, then by name)
    assert engine.timers(case.id) == []


def test_a_case_without_a_known_kind_of_change_is_refused_and_nothing_is_stored(engine, deploy_only):
    deploy_only(PID)
    with pytest.raises(InvalidTaskData) as refused:
        engine.start(PID, {"soort_wijziging": "ontbinding"}, actor="teamleider")
    assert fields(refused) == ["soort_wijziging"]
    with pytest.raises(InvalidTaskData) as refused:
        engine.start(PID, {"aanleiding": "Brief."}, actor="teamleider")
    assert [(e.field, e.message) for e in refused.value.errors] == [("soort_wijziging", "this field is required")]
    assert engine.ready_tasks() == []


# -- opzegging ----------------------------------------------------------------------------------

def test_a_notice_received_on_30_november_ends_the_participation_on_28_february(engine, deploy_only, clock):
    deploy_only(PID)
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", opzegging(opzegging_toelichting="Elkien stopt met de wijkaanpak."),
                  role="teamleider")

    # add_maanden("2026-11-30", 3): 30 February does not exist, so the last day of February 2027.
    assert case.data["einde_deelname_op"] == "2027-02-28T00:00:00+01:00"
    assert case.data["einddatum_deelname"] == "2027-02-28"
    assert case.data["beeindigen_uiterlijk"] == "2027-03-01T00:00:00+01:00"
    # Nothing to do during the notice period: the case waits for the end date.
    assert case.open_tasks() == {}
    assert case.status == "running"
    assert case.timers() == {"einddatum_bereikt": datetime(2027, 2, 27, 23, 0, tzinfo=timezone.utc)}

    assert engine.fire_due_timers(EINDDATUM - timedelta(seconds=1)) == 0
    assert case.open_tasks() == {}
    assert engine.fire_due_timers(EINDDATUM) == 1
    assert case.open_tasks() == {"deelname_beeindigen": "beheerder"}
    assert case.task("deelname_beeindigen").due_at == datetime(2027, 2, 28, 23, 0, tzinfo=timezone.utc)
    assert case.timers() == {"beeindigen_termijn_verstreken": datetime(2027, 2, 28, 23, 0, tzinfo=timezone.utc)}
    assert engine.form_values(case.task("deelname_beeindigen").id) == {
        "opzeggende_partner": "elkien", "einddatum_deelname": "2027-02-28",
        "beeindigen_uiterlijk": "2027-03-01T00:00:00+01:00"}

    clock.now = at(2027, 2, 28, 10, 0)
    case.complete("deelname_beeindigen", BEEINDIGD, role="beheerder")
    assert case.status == "completed"
    # For the account module: which partner, from when.
    assert case.data["partner_beeindigd"] == {"partner": "elkien", "beeindigd_op": "2027-02-28T10:00:00+01:00"}
    assert engine.timers(case.id) == []
    assert case.visited() == ["convenantzaak_starten", "soort_wijziging_keuze", "opzegging_vastleggen",
                              "einddatum_bepalen", "directe_opzegging_keuze", "einddatum_bereikt",
                              "samenvoegen_beeindigen", "deelname_beeindigen", "beeindiging_vastleggen",
                              "einde_deelname_beeindigd"]


@pytest.mark.parametrize("ontvangen_op, einde, timer_utc", [
    # Winter to summer time: 00:00 by the Amsterdam clock on 15 April is 22:00 UTC the day before.
    ("2027-01-15", "2027-04-15T00:00:00+02:00", datetime(2027, 4, 14, 22, 0, tzinfo=timezone.utc)),
    # 31 June does not exist: the last day of June.
    ("2027-03-31", "2027-06-30T00:00:00+02:00", datetime(2027, 6, 29, 22, 0, tzinfo=timezone.utc)),
])
def test_the_notice_period_is_three_calendar_months_from_receipt(engine, deploy_only, ontvangen_op, einde, timer_utc):
    deploy_only(PID)
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", opzegging("ggz_friesland", ontvangen_op), role="teamleider")

    assert case.data["einde_deelname_op"] == einde
    assert case.timers() == {"einddatum_bereikt": timer_utc}


def test_immediate_termination_agreed_by_all_other_partners_ends_the_participation_today(engine, deploy_only, clock):
    deploy_only(PID)
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", directe_opzegging("politie"), role="teamleider")

    # Today, Friday 27 November 2026 17:00 in Amsterdam: no notice period, no timer to wait for.
    assert case.data["einde_deelname_op"] == "2026-11-27T17:00:00+01:00"
    assert case.data["einddatum_deelname"] == "2026-11-27"
    assert "einddatum_bereikt" not in case.visited()
    assert case.open_tasks() == {"deelname_beeindigen": "beheerder"}
    assert case.task("deelname_beeindigen").due_at == datetime(2026, 11, 27, 23, 0, tzinfo=timezone.utc)
    assert case.data["instemmende_partners"] == [p for p in PARTNERS if p != "politie"]

    clock.advance(hours=1)
    case.complete("deelname_beeindigen", BEEINDIGD, role="beheerder")
    assert case.status == "completed"
    assert case.data["partner_beeindigd"] == {"partner": "politie", "beeindigd_op": "2026-11-27T18:00:00+01:00"}


def test_immediate_termination_needs_the_consent_of_every_other_partner_and_not_the_leaving_one(engine, deploy_only):
    deploy_only(PID)
    case = zaak(engine, "opzegging")
    others = [p for p in PARTNERS if p != "elkien"]

    with pytest.raises(InvalidTaskData) as refused:  # no list of consenting partners
        case.complete("opzegging_vastleggen", opzegging(directe_opzegging=True), role="teamleider")
    assert fields(refused) == ["instemmende_partners"]
    with pytest.raises(InvalidTaskData) as refused:  # the police did not agree
        case.complete("opzegging_vastleggen",
                      opzegging(directe_opzegging=True, instemmende_partners=[p for p in others if p != "politie"]),
                      role="teamleider")
    assert set(fields(refused)) == {"instemmende_partners"}
    with pytest.raises(InvalidTaskData) as refused:  # the leaving partner is not one who consents
        case.complete("opzegging_vastleggen",
                      opzegging(directe_opzegging=True, instemmende_partners=others[1:] + ["elkien"]),
                      role="teamleider")
    assert set(fields(refused)) == {"instemmende_partners"}
    with pytest.raises(InvalidTaskData) as refused:  # consent listed, but no immediate termination asked
        case.complete("opzegging_vastleggen", opzegging(instemmende_partners=others), role="teamleider")
    assert fields(refused) == ["instemmende_partners"]
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("opzegging_vastleggen", opzegging(partner="buurtvereniging", ontvangen_op="30-11-2026"),
                      role="teamleider")
    assert set(fields(refused)) == {"opzeggende_partner", "opzegging_ontvangen_op"}

    assert case.open_tasks() == {"opzegging_vastleggen": "teamleider"}
    assert "opzeggende_partner" not in case.data
    assert engine.timers(case.id) == []


def test_ending_the_participation_requires_ended_accounts_and_case_participation(engine, deploy_only):
    deploy_only(PID)
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", directe_opzegging(), role="teamleider")

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("deelname_beeindigen", {"casusdeelname_beeindigd": False}, role="beheerder")
    assert set(fields(refused)) == {"casusdeelname_beeindigd"}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("deelname_beeindigen", {**BEEINDIGD, "opzeggende_partner": "accolade"}, role="beheerder")
    assert fields(refused) == ["opzeggende_partner"]  # read-only: the partner comes from the case
    assert case.open_tasks() == {"deelname_beeindigen": "beheerder"}
    assert "partner_beeindigd" not in case.data


def test_a_participation_not_ended_by_the_end_of_the_end_date_escalates_to_the_teamleider(engine, deploy_only, clock):
    deploy_only(PID)
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", opzegging(), role="teamleider")
    assert engine.fire_due_timers(EINDDATUM) == 1

    assert engine.fire_due_timers(EINDE_EINDDATUM - timedelta(seconds=1)) == 0
    assert engine.fire_due_timers(EINDE_EINDDATUM) == 1
    # The beheerder task stays open and overdue; the teamleider follows it up.
    assert case.open_tasks() == {"deelname_beeindigen": "beheerder", "beeindiging_opvolgen": "teamleider"}
    assert case.task("deelname_beeindigen").due_at == datetime(2027, 2, 28, 23, 0, tzinfo=timezone.utc)
    assert engine.form_values(case.task("beeindiging_opvolgen").id) == {
        "opzeggende_partner": "elkien", "einddatum_deelname": "2027-02-28"}
    assert case.timers() == {}

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("beeindiging_opvolgen", {}, role="teamleider")
    assert fields(refused) == ["opvolging"]
    case.complete("beeindiging_opvolgen", {"opvolging": "Beheerder gebeld; accounts gaan vandaag dicht."},
                  role="teamleider")
    assert case.status == "running"
    assert case.open_tasks() == {"deelname_beeindigen": "beheerder"}

    clock.now = at(2027, 3, 1, 9, 30)
    case.complete("deelname_beeindigen", BEEINDIGD, role="beheerder")
    assert case.status == "completed"
    assert case.data["partner_beeindigd"] == {"partner": "elkien", "beeindigd_op": "2027-03-01T09:30:00+01:00"}


def test_ending_the_participation_after_the_deadline_still_escalates_when_no_scheduler_ran(engine, deploy_only, clock):
    deploy_only(PID)
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", opzegging(), role="teamleider")
    assert engine.fire_due_timers(EINDDATUM) == 1

    clock.now = at(2027, 3, 1, 8, 0)  # past the end of the end date; the deadline has not fired yet
    case.complete("deelname_beeindigen", BEEINDIGD, role="beheerder")
    assert "beeindigen_termijn_verstreken" in case.visited()
    assert case.open_tasks() == {"beeindiging_opvolgen": "teamleider"}
    assert case.data["partner_beeindigd"] == {"partner": "elkien", "beeindigd_op": "2027-03-01T08:00:00+01:00"}


def test_a_notice_recorded_after_its_end_date_ends_the_participation_at_once(engine, deploy_only):
    deploy_only(PID)
    case = zaak(engine, "opzegging")
    # Received 1 August 2026: the end date, 1 November 2026, has passed when it is recorded on 27 November.
    case.complete("opzegging_vastleggen", opzegging("vnn", "2026-08-01"), role="teamleider")

    assert case.data["einddatum_deelname"] == "2026-11-01"
    assert case.open_tasks() == {"deelname_beeindigen": "beheerder", "beeindiging_opvolgen": "teamleider"}
    assert case.task("deelname_beeindigen").due_at == datetime(2026, 11, 1, 23, 0, tzinfo=timezone.utc)
    assert engine.fire_due_timers() == 0


# -- wijziging ----------------------------------------------------------------------------------

def test_a_change_every_partner_consents_to_in_writing_is_adopted(engine, deploy_only):
    deploy_only(PID)
    case = zaak(engine, "wijziging")
    case.complete("wijziging_beschrijven", WIJZIGING, role="teamleider")

    assert case.open_tasks() == {"instemming_vastleggen": "teamleider"}
    assert engine.form_values(case.task("instemming_vastleggen").id) == {
        "wijziging_betreft": "werkwijze", "wijziging_omschrijving": WIJZIGING["wijziging_omschrijving"],
        "convenantpartners": case.data["convenantpartners"]}  # every one of them must answer
    case.complete("instemming_vastleggen", {"instemmingen": instemmingen()}, role="teamleider")

    assert case.data["alle_partners_akkoord"] is True
    assert case.data["wijziging_vastgesteld"] is True
    assert case.data["partners_niet_akkoord"] == []
    assert sorted(case.data["partners_akkoord"]) == sorted(PARTNERS)
    assert case.open_tasks() == {"wijziging_invoeren": "teamleider"}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("wijziging_invoeren", {"ingangsdatum": "1 april"}, role="teamleider")
    assert set(fields(refused)) == {"ingangsdatum", "versie"}

    case.complete("wijziging_invoeren", {"ingangsdatum": "2027-04-01", "versie": "Werkwijze ZVT Heerenveen, versie 2027"},
                  role="teamleider")
    assert case.status == "completed"
    assert case.visited()[-3:] == ["instemming_keuze", "wijziging_invoeren", "einde_wijziging_vastgesteld"]
    assert case.data["ingangsdatum"] == "2027-04-01"


def test_a_change_one_partner_does_not_consent_to_is_recorded_as_not_adopted(engine, deploy_only):
    deploy_only(PID)
    case = wijziging_niet_aangenomen(engine, None)

    assert case.status == "completed"
    assert case.data["alle_partners_akkoord"] is False
    assert case.data["wijziging_vastgesteld"] is False
    assert case.data["partners_niet_akkoord"] == ["politie"]
    assert case.visited()[-2:] == ["instemming_keuze", "einde_wijziging_niet_vastgesteld"]
    assert "wijziging_invoeren" not in case.visited()


def test_the_consent_record_names_every_partner_once_with_date_signatory_and_answer(engine, deploy_only):
    deploy_only(PID)
    case = zaak(engine, "wijziging")
    case.complete("wijziging_beschrijven", WIJZIGING, role="teamleider")

    with pytest.raises(InvalidTaskData) as refused:  # Veiligheidsregio Fryslân has not answered
        case.complete("instemming_vastleggen", {"instemmingen": instemmingen()[:7]}, role="teamleider")
    assert set(fields(refused)) == {"instemmingen"}
    with pytest.raises(InvalidTaskData) as refused:  # the police twice, Veiligheidsregio Fryslân missing
        case.complete("instemming_vastleggen", {"instemmingen": instemmingen()[:7] + instemmingen()[4:5]},
                      role="teamleider")
    assert set(fields(refused)) == {"instemmingen"}
    incomplete = instemmingen()
    del incomplete[3]["door"]
    incomplete[5]["datum"] = "vorige week"
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("instemming_vastleggen", {"instemmingen": incomplete}, role="teamleider")
    assert set(fields(refused)) == {"instemmingen/3/door", "instemmingen/5/datum"}

    assert case.open_tasks() == {"instemming_vastleggen": "teamleider"}
    assert "instemmingen" not in case.data
    assert "alle_partners_akkoord" not in case.data


def test_a_change_needs_a_description_of_what_changes(engine, deploy_only):
    deploy_only(PID)
    case = zaak(engine, "wijziging")
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("wijziging_beschrijven", {"wijziging_betreft": "alles"}, role="teamleider")
    assert set(fields(refused)) == {"wijziging_betreft", "wijziging_omschrijving"}
    assert case.open_tasks() == {"wijziging_beschrijven": "teamleider"}


# -- toetreding ---------------------------------------------------------------------------------

def test_a_new_partner_joins_after_signing_and_the_beheerder_adds_it_to_the_register(engine, deploy_only, clock):
    deploy_only(PID)
    case = zaak(engine, "toetreding")
    case.complete("partner_uitnodigen", UITNODIGING, role="teamleider")

    assert case.open_tasks() == {"ondertekening_vastleggen": "teamleider"}
    case.complete("ondertekening_vastleggen", ONDERTEKEND, role="teamleider")
    assert case.open_tasks() == {"partner_toevoegen": "beheerder"}
    assert engine.form_values(case.task("partner_toevoegen").id) == {
        "nieuwe_partner_naam": "Stichting Voorbeeldzorg", "grondslag": "avg_6_1_a_9_2_h",
        "eigen_taak": UITNODIGING["eigen_taak"], "ondertekend_op": "2027-01-12"}

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("partner_toevoegen", {**TOEGEVOEGD, "partnercode": "Voorbeeld Zorg",
                                            "gemachtigde_email": "d.visser at voorbeeldzorg"}, role="beheerder")
    assert set(fields(refused)) == {"partnercode", "gemachtigde_email"}
    assert partner(engine, "voorbeeldzorg") is None

    clock.now = at(2027, 1, 13, 11, 0)
    case.complete("partner_toevoegen", TOEGEVOEGD, role="beheerder")
    assert case.status == "completed"
    assert case.data["partner_toegevoegd"] == {"partner": "voorbeeldzorg", "naam": "Stichting Voorbeeldzorg",
                                               "grondslag": "avg_6_1_a_9_2_h",
                                               "toegevoegd_op": "2027-01-13T11:00:00+01:00",
                                               "doet_mee_vanaf": "2027-02-01"}
    assert case.visited()[-4:] == ["ondertekend_keuze", "partner_toevoegen", "toetreding_vastleggen",
                                   "einde_toegetreden"]
    # The step put the partner in the register, with the grondslag's words from the form.
    added = partner(engine, "voorbeeldzorg")
    assert (added.name, added.kind, added.active, added.directs, added.joined_on, added.left_on) == (
        "Stichting Voorbeeldzorg", "convenant", True, False, "2027-02-01", None)
    assert added.grondslag == "AVG artikel 6 lid 1 sub a (toestemming), of sub b met artikel 9 lid 2 sub h (zorg)"
    assert added.contacts == {"fg": "Privacybalie: privacy@voorbeeldzorg.example",
                              "verantwoordelijke": "Directiesecretariaat: datalek@voorbeeldzorg.example"}
    assert (added.contact_name, added.contact_email, added.officer_name, added.officer_email) == (
        "Mevrouw C. Bakker", "c.bakker@voorbeeldzorg.example", "De heer D. Visser", "d.visser@voorbeeldzorg.example")
    # From its joining day on, a covenant case counts it among the partners whose consent a change needs.
    assert "voorbeeldzorg" not in zaak(engine, "wijziging").data["convenantpartners"]
    clock.now = at(2027, 2, 1, 0, 0)
    assert "voorbeeldzorg" in zaak(engine, "wijziging").data["convenantpartners"]


def test_a_code_already_in_the_register_is_refused_and_nothing_is_saved(engine, deploy_only, clock):
    deploy_only(PID)
    case = zaak(engine, "toetreding")
    case.complete("partner_uitnodigen", UITNODIGING, role="teamleider")
    case.complete("ondertekening_vastleggen", ONDERTEKEND, role="teamleider")

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("partner_toevoegen", {**TOEGEVOEGD, "partnercode": "politie"}, role="beheerder")
    # The form refuses a code in the register (x-zvt-nieuwe-partnercode); should one be added meanwhile,
    # the register action refuses it as well (tests/engine/test_step_actions.py).
    assert [(e.field, e.code) for e in refused.value.errors] == [("partnercode", "not")]
    assert case.open_tasks() == {"partner_toevoegen": "beheerder"}
    assert "partner_toegevoegd" not in case.data and "partnercode" not in case.data
    assert partner(engine, "politie").name == "Politie"


def test_a_partner_that_gives_notice_leaves_the_register_on_its_end_date(engine, deploy_only, clock):
    deploy_only(PID)
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", opzegging(), role="teamleider")
    # The end date is in the register as soon as it is known: from 28 February Elkien no longer takes part.
    assert partner(engine, "elkien").left_on == "2027-02-28"

    assert engine.fire_due_timers(EINDDATUM) == 1
    clock.now = at(2027, 2, 28, 10, 0)
    case.complete("deelname_beeindigen", BEEINDIGD, role="beheerder")
    assert partner(engine, "elkien").left_on == "2027-02-28"
    assert partner(engine, "accolade").left_on is None


def test_immediate_termination_ends_the_participation_in_the_register_today(engine, deploy_only):
    deploy_only(PID)
    case = zaak(engine, "opzegging")
    case.complete("opzegging_vastleggen", directe_opzegging("politie"), role="teamleider")
    assert partner(engine, "politie").left_on == "2026-11-27"


def test_an_invited_organisation_that_does_not_sign_does_not_join(engine, deploy_only):
    deploy_only(PID)
    case = toetreding_afgewezen(engine, None)

    assert case.status == "completed"
    assert case.data["ondertekend"] is False
    assert "partner_toegevoegd" not in case.data
    assert case.visited()[-2:] == ["ondertekend_keuze", "einde_niet_toegetreden"]
    assert "partner_toevoegen" not in case.visited()


def test_an_invitation_records_the_organisation_its_grondslag_and_contact(engine, deploy_only):
    deploy_only(PID)
    case = zaak(engine, "toetreding")

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("partner_uitnodigen", {"nieuwe_partner_naam": "Stichting Voorbeeldzorg"}, role="teamleider")
    assert set(fields(refused)) == {"grondslag", "eigen_taak", "contactpersoon", "contactgegevens", "uitgenodigd_op"}
    with pytest.raises(InvalidTaskData) as refused:  # another grondslag must be named
        case.complete("partner_uitnodigen", {**UITNODIGING, "grondslag": "anders"}, role="teamleider")
    assert fields(refused) == ["grondslag_toelichting"]
    assert case.open_tasks() == {"partner_uitnodigen": "teamleider"}

    case.complete("partner_uitnodigen", {**UITNODIGING, "grondslag": "anders",
                                         "grondslag_toelichting": "Wet maatschappelijke ondersteuning, artikel 5.1.1."},
                  role="teamleider")
    assert case.open_tasks() == {"ondertekening_vastleggen": "teamleider"}
    assert engine.form_values(case.task("ondertekening_vastleggen").id) == {
        "nieuwe_partner_naam": "Stichting Voorbeeldzorg", "uitgenodigd_op": "2026-12-01"}


def test_signing_needs_date_and_signatory_and_declining_needs_a_reason(engine, deploy_only):
    deploy_only(PID)
    case = zaak(engine, "toetreding")
    case.complete("partner_uitnodigen", UITNODIGING, role="teamleider")

    with pytest.raises(InvalidTaskData) as refused:
        case.complete("ondertekening_vastleggen", {"ondertekend": True}, role="teamleider")
    assert set(fields(refused)) == {"ondertekend_door", "ondertekend_op"}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("ondertekening_vastleggen", {"ondertekend": False}, role="teamleider")
    assert fields(refused) == ["reden_niet_ondertekend"]
    with pytest.raises(InvalidTaskData) as refused:  # a refusal has no signing date
        case.complete("ondertekening_vastleggen", {"ondertekend": False, "ondertekend_op": "2027-01-12",
                                                   "reden_niet_ondertekend": "Geen capaciteit."}, role="teamleider")
    assert fields(refused) == ["ondertekend_op"]
    assert case.open_tasks() == {"ondertekening_vastleggen": "teamleider"}
    assert "ondertekend" not in case.data


# -- every branch --------------------------------------------------------------------------------

def test_the_scenarios_reach_every_branch_of_convenant(engine, deploy_only, clock):
    deploy_only(PID)
    scenarios = [opzegging_met_opzegtermijn, opzegging_direct, opzegging_te_laat_beeindigd, wijziging_aangenomen,
                 wijziging_niet_aangenomen, toetreding_ondertekend, toetreding_afgewezen]
    visited = set()
    for scenario in scenarios:
        clock.now = datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc)
        with engine.database.unit_of_work() as uow:  # each starts with the whole covenant: nobody left
            for found in uow.session.query(Partner).filter(Partner.left_on.is_not(None)):
                found.left_on = None
            uow.commit()
        case = scenario(engine, clock)
        assert case.status == "completed", scenario.__name__
        visited.update(case.visited())
    assert branches(PID) - visited == set()
