"""datalek: melding -> partners binnen 24 uur -> besluit AP binnen 72 uur -> betrokkenen bij hoog risico -> register.

Both deadlines are calendar hours from `bekend_sinds` (add_uren): weekends, public holidays
and the daylight-saving change do not stretch them.
"""
from datetime import date, datetime

import pytest

from engine import InvalidTaskData
from engine.clock import AMSTERDAM
from engine.werkdagen import add_werkdagen, is_werkdag
from tests.processes.conftest import branches, start


def at(*parts) -> datetime:
    """A moment by the Amsterdam clock."""
    return datetime(*parts, tzinfo=AMSTERDAM)


def melding(**changes):
    data = {
        "omschrijving": "Verslag van een zorgoverleg per e-mail naar een verkeerde externe ontvanger gestuurd.",
        "bekend_sinds": "2027-05-14T17:00:00+02:00",
        "partner_inbreuk": "woonfriesland",
        "aard": ["vertrouwelijkheid"],
        "aantal_personen": 1,
        "soorten_gegevens": ["naw", "gezondheid", "casusinformatie"],
        "maatregelen": "Ontvanger gebeld en gevraagd de e-mail te verwijderen; verwijdering schriftelijk bevestigd.",
        "verantwoordelijke_partners": ["woonfriesland", "gemeente_heerenveen"],
    }
    data.update(changes)
    return data


def partners_bericht(**changes):
    data = {
        "partners_geinformeerd": ["gemeente_heerenveen"],
        "partners_geinformeerd_op": "2027-05-15T09:00:00+02:00",
        "partners_kanaal": "beveiligde_email",
        "partners_inhoud_volledig": True,
    }
    data.update(changes)
    return data


def ap_besluit(risico, **changes):
    data = {"risico": risico, "risico_toelichting": "Eén persoon, gezondheidsgegevens, ontvanger heeft verwijderd."}
    if risico == "geen":
        data["ap_gemeld"] = False
    else:
        data.update(ap_gemeld=True, ap_gemeld_op="2027-05-16T10:00:00+02:00", ap_gemeld_door=["woonfriesland"],
                    ap_meldnummer="AP-2027-000123")
    if risico != "hoog":
        data["reden_betrokkenen_niet_informeren"] = "De ontvanger is een zorgverlener en heeft de e-mail verwijderd."
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}  # None: leave the field out


BERICHT = {
    "bericht_afgestemd_met": ["woonfriesland", "gemeente_heerenveen"],
    "bericht_afzender": "gemeente_heerenveen",
    "bericht_verzonden_op": "2027-05-18",
    "bericht_kanaal": "brief",
    "aantal_geinformeerd": 1,
    "bericht_inhoud_volledig": True,
    "bericht_samenvatting": "Wat er gebeurde, de gevolgen, de maatregelen en hoe u de FG bereikt.",
    "art41_toepassing": "geen_besluit",
}
REGISTER = {
    "registernummer": "DL-2027-007",
    "oorzaak": "verkeerde_ontvanger",
    "feiten": "Verslag zorgoverleg naar verkeerde ontvanger, één persoon, gezondheidsgegevens.",
    "gevolgen": "Geen verdere verspreiding bekend.",
    "herstelmaatregelen": "E-mail verwijderd door ontvanger, bevestigd.",
    "verbetermaatregelen": "Adresboek opgeschoond; waarschuwing bij externe ontvangers aangezet.",
}


FG_ADVIES = {"fg_advies_risico": "risico", "fg_advies_ap": "melden", "fg_advies_betrokkenen": "niet_informeren",
             "fg_advies_toelichting": "Gezondheidsgegevens van één persoon; melden, de ontvanger heeft verwijderd."}


def melden(engine, data, **kwargs):
    """Start a datalek, and the FG gives its advice at once (tests of the advice start it with `start`)."""
    case = start(engine, "datalek", data, **kwargs)
    case.complete("fg_advies", FG_ADVIES, role="fg")
    return case


def fields(refused) -> list[str]:
    return [e.field for e in refused.value.errors]


@pytest.fixture
def datalek(deploy_only):
    deploy_only("datalek")


# -- scenarios, plain functions so that the coverage test can run them all ----------------------

def op_tijd_met_risico(engine, clock):
    """Everything on time; risk, so the AP is notified; not high, so the betrokkenen are not."""
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding(), actor="m.woonfriesland", context={"melder_partner": "woonfriesland"})
    clock.now = at(2027, 5, 15, 9, 5)
    case.complete("partners_informeren", partners_bericht(), role="partnermedewerker")
    clock.now = at(2027, 5, 16, 10, 30)
    case.complete("ap_besluit", ap_besluit("risico"), role="teamleider")
    assert case.open_tasks() == {"datalek_registreren": "fg"}
    clock.now = at(2027, 5, 18, 11, 0)
    case.complete("datalek_registreren", REGISTER, role="fg")
    return case


def hoog_risico_drie_partners(engine, clock):
    """Three responsible partners, high risk: one message agreed by all three."""
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding(
        verantwoordelijke_partners=["woonfriesland", "gemeente_heerenveen", "ggz_friesland"],
        soorten_gegevens=["naw", "bsn", "gezondheid", "politiegegevens"], aantal_personen=12))
    clock.now = at(2027, 5, 15, 10, 0)
    case.complete("partners_informeren", partners_bericht(
        partners_geinformeerd=["gemeente_heerenveen", "ggz_friesland"]), role="partnermedewerker")
    clock.now = at(2027, 5, 16, 12, 0)
    case.complete("ap_besluit", ap_besluit("hoog", ap_gemeld_door=["woonfriesland", "ggz_friesland"]), role="teamleider")
    assert case.open_tasks() == {"betrokkenen_informeren": "teamleider"}
    clock.now = at(2027, 5, 18, 10, 0)
    case.complete("betrokkenen_informeren", dict(
        BERICHT, bericht_afgestemd_met=["woonfriesland", "gemeente_heerenveen", "ggz_friesland"],
        aantal_geinformeerd=12), role="teamleider")
    case.complete("datalek_registreren", REGISTER, role="fg")
    return case


def alleen_eigen_organisatie_geen_risico(engine, clock):
    """Only the partner where it happened is responsible: no one else to inform; no risk: no AP."""
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding(partner_inbreuk="elkien", verantwoordelijke_partners=["elkien"],
                                            soorten_gegevens=["contactgegevens"]))
    assert case.open_tasks() == {"ap_besluit": "teamleider"}
    case.complete("ap_besluit", ap_besluit("geen"), role="teamleider")
    case.complete("datalek_registreren", dict(REGISTER, oorzaak="technische_fout"), role="fg")
    return case


def termijnen_verstreken_over_pinksteren(engine, clock):
    """Reported Friday 14 May 2027 17:00, the Friday before Whit Monday: every timer fires, the
    partners are informed late, the AP decision is taken after the 72 hours with a reason."""
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding())
    for moment in [at(2027, 5, 15, 13, 0), at(2027, 5, 15, 17, 0), at(2027, 5, 16, 17, 0), at(2027, 5, 17, 17, 0)]:
        clock.now = moment
        assert engine.fire_due_timers() == 1
    clock.now = at(2027, 5, 17, 18, 0)
    case.complete("partners_informeren", partners_bericht(partners_geinformeerd_op="2027-05-15T19:30:00+02:00"),
                  role="partnermedewerker")
    case.complete("partners_escalatie_fg", {"partners_escalatie_fg_actie": "Melder gebeld; bericht is verstuurd."}, role="fg")
    case.complete("partners_escalatie_teamleider", {"partners_escalatie_teamleider_actie": "Besproken in teamoverleg."},
                  role="teamleider")
    case.complete("ap_besluit_te_laat", ap_besluit("risico", ap_gemeld_op="2027-05-17T17:45:00+02:00",
                                                   reden_vertraging="FG was met Pinksteren niet bereikbaar."), role="teamleider")
    case.complete("ap_escalatie_teamleider", {"ap_escalatie_teamleider_actie": "Vervanging FG in feestdagen geregeld."},
                  role="teamleider")
    case.complete("datalek_registreren", REGISTER, role="fg")
    return case


# -- the start form ---------------------------------------------------------------------------

def test_a_report_with_bad_data_is_refused_naming_each_field_and_nothing_is_stored(engine, datalek):
    bad = melding(bekend_sinds="2027-05-14T17:00", partner_inbreuk="woningstichting", verantwoordelijke_partners=[],
                  aard=["diefstal"], aantal_personen=-1, betrokkene_naam="Mevrouw A. de Vries")
    del bad["maatregelen"]
    with pytest.raises(InvalidTaskData) as refused:
        melden(engine, bad)
    assert set(fields(refused)) == {"bekend_sinds", "partner_inbreuk", "verantwoordelijke_partners", "aard/0",
                                    "aantal_personen", "betrokkene_naam", "maatregelen"}
    assert engine.ready_tasks() == [] and engine.timers() == []


# -- deadlines: calendar hours over Whitsun and over the clock change --------------------------

def test_both_deadlines_run_in_calendar_hours_from_becoming_aware_even_over_whit_monday(engine, clock, datalek):
    assert not is_werkdag(date(2027, 5, 17))  # Whit Monday 2027 is a public holiday
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding(), context={"melder_partner": "woonfriesland"})

    assert case.open_tasks() == {"partners_informeren": "partnermedewerker", "ap_besluit": "teamleider"}
    assert case.timers() == {
        "partners_herinnering": at(2027, 5, 15, 13, 0),         # 4 hours before the 24
        "partners_termijn_verstreken": at(2027, 5, 15, 17, 0),  # Saturday 17:00
        "ap_herinnering": at(2027, 5, 16, 17, 0),               # 24 hours before the 72
        "ap_termijn_verstreken": at(2027, 5, 17, 17, 0),        # Whit Monday 17:00
    }
    data = case.data
    assert (data["partners_termijn"], data["ap_termijn"]) == ("2027-05-15T17:00:00+02:00", "2027-05-17T17:00:00+02:00")
    # Not working days: those would have put the AP deadline on Thursday.
    assert add_werkdagen(data["bekend_sinds"], 3) == "2027-05-20T17:00:00+02:00" != data["ap_termijn"]
    assert data["andere_partners"] == ["gemeente_heerenveen"]
    assert data["melder_partner"] == "woonfriesland"
    assert data["ap_te_laat"] is False


def test_the_reminder_and_the_escalations_fire_at_their_moments_and_never_early(engine, clock, datalek):
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding())
    # The due date is the 24 h deadline, not the reminder 4 hours before it.
    assert case.task("partners_informeren").due_at == at(2027, 5, 15, 17, 0)

    clock.now = at(2027, 5, 15, 12, 59, 59)
    assert engine.fire_due_timers() == 0
    clock.now = at(2027, 5, 15, 13, 0)
    assert engine.fire_due_timers() == 1
    assert "herinnering_partners" in case.visited()
    assert case.open_tasks() == {"partners_informeren": "partnermedewerker", "ap_besluit": "teamleider"}
    assert case.task("partners_informeren").due_at == at(2027, 5, 15, 17, 0)

    clock.now = at(2027, 5, 15, 16, 59, 59)
    assert engine.fire_due_timers() == 0
    assert "partners_termijn_verstreken" not in case.visited()
    clock.now = at(2027, 5, 15, 17, 0)
    assert engine.fire_due_timers() == 1
    assert case.open_tasks() == {"partners_informeren": "partnermedewerker", "ap_besluit": "teamleider",
                                 "partners_escalatie_fg": "fg", "partners_escalatie_teamleider": "teamleider"}
    assert case.task("partners_informeren").due_at == at(2027, 5, 15, 17, 0)  # stays, now overdue

    clock.now = at(2027, 5, 16, 16, 59, 59)
    assert engine.fire_due_timers() == 0
    clock.now = at(2027, 5, 16, 17, 0)
    assert engine.fire_due_timers() == 1
    assert "herinnering_ap" in case.visited()
    assert case.task("ap_besluit").due_at == at(2027, 5, 17, 17, 0)

    clock.now = at(2027, 5, 17, 16, 59, 59)  # Whit Monday counts like any other day
    assert engine.fire_due_timers() == 0
    assert "ap_besluit" in case.open_tasks()
    clock.now = at(2027, 5, 17, 17, 0)
    assert engine.fire_due_timers() == 1
    assert case.open_tasks() == {"partners_informeren": "partnermedewerker", "partners_escalatie_fg": "fg",
                                 "partners_escalatie_teamleider": "teamleider", "ap_besluit_te_laat": "teamleider",
                                 "ap_escalatie_teamleider": "teamleider"}
    [vervallen] = [h for h in engine.history(case.id) if h.bpmn_id == "ap_besluit"]
    assert (vervallen.state, vervallen.actor, vervallen.finished_at) == ("cancelled", "scheduler", at(2027, 5, 17, 17, 0))
    assert case.timers() == {}
    assert engine.fire_due_timers(at(2027, 6, 1, 0, 0)) == 0


def test_24_hours_from_the_saturday_before_the_autumn_change_end_at_11_by_the_clock(engine, clock, datalek):
    clock.now = at(2026, 10, 24, 12, 30)
    case = melden(engine, melding(bekend_sinds="2026-10-24T12:00:00+02:00"))
    assert case.data["partners_termijn"] == "2026-10-25T11:00:00+01:00"
    assert case.data["ap_termijn"] == "2026-10-27T11:00:00+01:00"
    assert case.timers() == {
        "partners_herinnering": at(2026, 10, 25, 7, 0),
        "partners_termijn_verstreken": at(2026, 10, 25, 11, 0),
        "ap_herinnering": at(2026, 10, 26, 11, 0),
        "ap_termijn_verstreken": at(2026, 10, 27, 11, 0),
    }
    clock.now = at(2026, 10, 25, 6, 59, 59)
    assert engine.fire_due_timers() == 0
    clock.now = at(2026, 10, 25, 7, 0)
    assert engine.fire_due_timers() == 1
    clock.now = at(2026, 10, 25, 10, 59, 59)
    assert engine.fire_due_timers() == 0
    assert "partners_escalatie_fg" not in case.open_tasks()
    clock.now = at(2026, 10, 25, 11, 0)
    assert engine.fire_due_timers() == 1
    assert {"partners_escalatie_fg", "partners_escalatie_teamleider"} <= set(case.open_tasks())
    [fired] = [h for h in engine.history(case.id) if h.bpmn_id == "partners_termijn_verstreken"]
    assert fired.finished_at == datetime.fromisoformat("2026-10-25T10:00:00+00:00")


# -- partners informeren ---------------------------------------------------------------------

def test_informing_the_partners_must_name_every_other_responsible_partner(engine, clock, datalek):
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding(verantwoordelijke_partners=["woonfriesland", "gemeente_heerenveen", "politie"]))
    task = case.task("partners_informeren")
    assert engine.form_values(task.id) == {"partner_inbreuk": "woonfriesland",
                                           "andere_partners": ["gemeente_heerenveen", "politie"],
                                           "partners_termijn": "2027-05-15T17:00:00+02:00",
                                           "partners_contacten": [{"partner": "gemeente_heerenveen"}, {"partner": "politie"}]}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("partners_informeren", partners_bericht(partners_inhoud_volledig=False, partners_kanaal="email"),
                      role="partnermedewerker")
    # Politie is missing, the content was incomplete, and plain e-mail is not a secure channel.
    assert set(fields(refused)) == {"partners_geinformeerd", "partners_inhoud_volledig", "partners_kanaal"}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("partners_informeren", partners_bericht(
            partners_geinformeerd=["gemeente_heerenveen", "politie"], partners_termijn="2027-05-16T17:00:00+02:00"),
            role="partnermedewerker")
    assert fields(refused) == ["partners_termijn"]  # filled in by the case, never by the form
    assert "partners_geinformeerd" not in case.data and "partners_informeren" in case.open_tasks()

    case.complete("partners_informeren", partners_bericht(partners_geinformeerd=["gemeente_heerenveen", "politie"]),
                  role="partnermedewerker")
    assert case.data["partners_te_laat"] is False
    assert set(case.timers()) == {"ap_herinnering", "ap_termijn_verstreken"}  # the partner timers are gone
    assert case.open_tasks() == {"ap_besluit": "teamleider"}


def test_partners_informed_after_24_hours_are_recorded_as_late(engine, clock, datalek):
    case = termijnen_verstreken_over_pinksteren(engine, clock)
    assert case.data["partners_te_laat"] is True
    assert case.data["partners_escalatie_fg_actie"] == "Melder gebeld; bericht is verstuurd."


def test_no_partner_task_when_only_the_own_organisation_is_responsible(engine, clock, datalek):
    case = alleen_eigen_organisatie_geen_risico(engine, clock)
    assert case.status == "completed"
    visited = case.visited()
    assert "partners_klaar" in visited and "partners_informeren" not in visited
    assert "partners_herinnering" not in visited and "partners_termijn_verstreken" not in visited
    assert case.data["andere_partners"] == []


# -- the AP decision ---------------------------------------------------------------------------

def test_a_breach_with_risk_must_be_reported_to_the_ap_and_art_41_uavg_cannot_suppress_it(engine, clock, datalek):
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding())
    task = case.task("ap_besluit")
    assert engine.form_values(task.id) == {
        "bekend_sinds": "2027-05-14T17:00:00+02:00", "ap_termijn": "2027-05-17T17:00:00+02:00",
        "soorten_gegevens": ["naw", "gezondheid", "casusinformatie"], "aantal_personen": 1}
    for risico in ("risico", "hoog"):
        niet_gemeld = {"risico": risico, "risico_toelichting": "Art. 41 UAVG: melden schaadt het onderzoek.",
                       "ap_gemeld": False, "reden_betrokkenen_niet_informeren": "Zie hierboven."}
        if risico == "hoog":
            del niet_gemeld["reden_betrokkenen_niet_informeren"]
        with pytest.raises(InvalidTaskData) as refused:
            case.complete("ap_besluit", niet_gemeld, role="teamleider")
        assert fields(refused) == ["ap_gemeld"]
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("ap_besluit", ap_besluit("risico", ap_gemeld_op=None, ap_gemeld_door=None,
                                               art_41_uavg="Onderzoek politie"), role="teamleider")
    assert set(fields(refused)) == {"ap_gemeld_op", "ap_gemeld_door", "art_41_uavg"}
    assert "risico" not in case.data and "ap_besluit" in case.open_tasks()


def test_no_risk_needs_no_ap_notification_but_no_notification_details_either(engine, clock, datalek):
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding())
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("ap_besluit", ap_besluit("geen", ap_gemeld_op="2027-05-15T10:00:00+02:00",
                                               reden_betrokkenen_niet_informeren=None), role="teamleider")
    assert set(fields(refused)) == {"ap_gemeld_op", "reden_betrokkenen_niet_informeren"}
    case.complete("ap_besluit", ap_besluit("geen"), role="teamleider")
    assert case.data["ap_gemeld"] is False and case.data["ap_te_laat"] is False
    assert case.open_tasks() == {"partners_informeren": "partnermedewerker"}  # the register waits for the partners


def test_a_late_ap_decision_requires_a_reason(engine, clock, datalek):
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding())
    clock.now = at(2027, 5, 17, 17, 0)
    assert engine.fire_due_timers() == 4  # both reminders, both deadlines: all due by now
    assert case.data["ap_te_laat"] is True
    task = case.task("ap_besluit_te_laat")
    assert task.lane == "teamleider" and engine.form_values(task.id)["ap_termijn"] == "2027-05-17T17:00:00+02:00"

    clock.now = at(2027, 5, 17, 18, 0)
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("ap_besluit_te_laat", ap_besluit("risico"), role="teamleider")
    assert [(e.field, e.message) for e in refused.value.errors] == [("reden_vertraging", "this field is required")]
    assert "risico" not in case.data

    case.complete("ap_besluit_te_laat", ap_besluit("risico", reden_vertraging="FG met Pinksteren niet bereikbaar."),
                  role="teamleider")
    assert case.data["reden_vertraging"] == "FG met Pinksteren niet bereikbaar."
    assert "ap_escalatie_teamleider" in case.open_tasks()


def test_a_report_made_after_both_deadlines_escalates_at_once(engine, clock, datalek):
    clock.now = at(2027, 5, 20, 9, 0)  # six days after becoming aware
    case = melden(engine, melding())
    assert case.open_tasks() == {"partners_informeren": "partnermedewerker", "partners_escalatie_fg": "fg",
                                 "partners_escalatie_teamleider": "teamleider", "ap_besluit_te_laat": "teamleider",
                                 "ap_escalatie_teamleider": "teamleider"}
    assert case.timers() == {}
    assert case.data["ap_te_laat"] is True
    # The deadline had passed before the task opened: it is shown as overdue since then.
    assert case.task("partners_informeren").due_at == at(2027, 5, 15, 17, 0)


# -- betrokkenen and register ------------------------------------------------------------------

def test_a_breach_with_risk_is_reported_to_the_ap_and_registered_without_informing_the_betrokkenen(engine, clock, datalek):
    case = op_tijd_met_risico(engine, clock)
    assert case.status == "completed"
    visited = case.visited()
    assert "naar_register" in visited and "betrokkenen_informeren" not in visited
    assert not {"herinnering_partners", "partners_termijn_verstreken", "herinnering_ap", "ap_termijn_verstreken"} & set(visited)
    data = case.data
    assert (data["ap_gemeld"], data["ap_gemeld_door"], data["ap_te_laat"], data["partners_te_laat"]) == (
        True, ["woonfriesland"], False, False)
    assert data["reden_betrokkenen_niet_informeren"].startswith("De ontvanger")
    assert data["registernummer"] == "DL-2027-007"
    assert data["afgesloten_op"] == "2027-05-18T11:00:00+02:00"
    assert engine.timers(case.id) == [] and engine.fire_due_timers(at(2027, 6, 1, 0, 0)) == 0


def test_high_risk_informs_the_betrokkenen_with_one_message_agreed_by_every_responsible_partner(engine, clock, datalek):
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding(verantwoordelijke_partners=["woonfriesland", "gemeente_heerenveen", "ggz_friesland"]))
    case.complete("partners_informeren", partners_bericht(partners_geinformeerd=["gemeente_heerenveen", "ggz_friesland"]),
                  role="partnermedewerker")
    with pytest.raises(InvalidTaskData) as refused:  # at high risk there is no reason not to inform them
        case.complete("ap_besluit", ap_besluit("hoog", reden_betrokkenen_niet_informeren="Liever niet."), role="teamleider")
    assert fields(refused) == ["reden_betrokkenen_niet_informeren"]
    case.complete("ap_besluit", ap_besluit("hoog"), role="teamleider")
    task = case.task("betrokkenen_informeren")
    assert task.lane == "teamleider"
    assert engine.form_values(task.id) == {
        "verantwoordelijke_partners": ["woonfriesland", "gemeente_heerenveen", "ggz_friesland"],
        # Started without the web app: no contact register, the partners to agree with all the same.
        "ap_contacten": [{"partner": "gemeente_heerenveen"}, {"partner": "ggz_friesland"}]}

    clock.now = at(2027, 5, 18, 10, 0)  # the day the message went out: a date sent may not lie ahead
    with pytest.raises(InvalidTaskData) as refused:  # GGZ Friesland has not agreed the text
        case.complete("betrokkenen_informeren", dict(BERICHT, bericht_inhoud_volledig=False, bericht_verzonden_op="18-05-2027"),
                      role="teamleider")
    assert set(fields(refused)) == {"bericht_afgestemd_met", "bericht_inhoud_volledig", "bericht_verzonden_op"}
    assert "registernummer" not in case.data and "betrokkenen_informeren" in case.open_tasks()

    case.complete("betrokkenen_informeren", dict(BERICHT, bericht_afgestemd_met=["woonfriesland", "gemeente_heerenveen", "ggz_friesland"]),
                  role="teamleider")
    assert case.open_tasks() == {"datalek_registreren": "fg"}
    assert case.data["bericht_afzender"] == "gemeente_heerenveen"


def test_every_breach_is_registered_before_it_is_closed(engine, clock, datalek):
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding(partner_inbreuk="elkien", verantwoordelijke_partners=["elkien"]))
    case.complete("ap_besluit", ap_besluit("geen"), role="teamleider")
    task = case.task("datalek_registreren")
    assert engine.form_values(task.id) == {"risico": "geen", "ap_gemeld": False}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("datalek_registreren", {"registernummer": "DL-1", "oorzaak": "pech"}, role="fg")
    assert set(fields(refused)) == {"oorzaak", "feiten", "gevolgen", "herstelmaatregelen"}
    assert case.status == "running"
    clock.now = at(2027, 5, 15, 9, 0)
    case.complete("datalek_registreren", REGISTER, role="fg")
    assert case.status == "completed"
    assert case.data["afgesloten_op"] == "2027-05-15T09:00:00+02:00"
    assert case.visited()[-1] == "datalek_afgesloten"


def test_a_case_with_open_escalations_closes_only_when_they_are_handled(engine, clock, datalek):
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding())
    clock.now = at(2027, 5, 15, 17, 0)
    engine.fire_due_timers()
    case.complete("partners_informeren", partners_bericht(partners_geinformeerd_op="2027-05-15T17:30:00+02:00"),
                  role="partnermedewerker")
    case.complete("ap_besluit", ap_besluit("risico"), role="teamleider")
    case.complete("datalek_registreren", REGISTER, role="fg")
    assert case.status == "running"
    assert case.open_tasks() == {"partners_escalatie_fg": "fg", "partners_escalatie_teamleider": "teamleider"}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("partners_escalatie_teamleider", {}, role="teamleider")
    assert fields(refused) == ["partners_escalatie_teamleider_actie"]
    case.complete("partners_escalatie_fg", {"partners_escalatie_fg_actie": "Opgelost."}, role="fg")
    case.complete("partners_escalatie_teamleider", {"partners_escalatie_teamleider_actie": "Besproken."}, role="teamleider")
    assert case.status == "completed"


# -- coverage ----------------------------------------------------------------------------------

def test_the_scenarios_together_reach_every_branch_and_timer(engine, clock, datalek):
    visited = set()
    for scenario in (op_tijd_met_risico, hoog_risico_drie_partners, alleen_eigen_organisatie_geen_risico,
                     termijnen_verstreken_over_pinksteren):
        case = scenario(engine, clock)
        assert case.status == "completed", scenario.__name__
        visited |= set(case.visited())
    assert branches("datalek") - visited == set()


# -- issue 13: art. 34 without waiting, the FG advises ------------------------------------------

def test_high_risk_informs_the_betrokkenen_at_once_without_waiting_for_the_24_hour_task(engine, clock, datalek):
    clock.now = at(2027, 5, 14, 17, 30)
    case = melden(engine, melding())
    clock.now = at(2027, 5, 14, 19, 0)
    case.complete("ap_besluit", ap_besluit("hoog"), role="teamleider")
    # The partners are not informed yet; the betrokkenen are informed now, alongside (AVG art. 34).
    assert case.open_tasks() == {"partners_informeren": "partnermedewerker", "betrokkenen_informeren": "teamleider"}
    clock.now = at(2027, 5, 14, 21, 0)
    case.complete("betrokkenen_informeren", dict(BERICHT, bericht_verzonden_op="2027-05-14"), role="teamleider")
    assert case.open_tasks() == {"partners_informeren": "partnermedewerker"}  # the register waits for both
    case.complete("partners_informeren", partners_bericht(partners_geinformeerd_op="2027-05-14T22:00:00+02:00"),
                  role="partnermedewerker")
    assert case.open_tasks() == {"datalek_registreren": "fg"}


def test_the_fg_advises_in_parallel_and_the_responsible_person_decides(engine, clock, datalek):
    clock.now = at(2027, 5, 14, 17, 30)
    case = start(engine, "datalek", melding())
    assert case.open_tasks() == {"partners_informeren": "partnermedewerker", "ap_besluit": "teamleider",
                                 "fg_advies": "fg"}
    with pytest.raises(InvalidTaskData) as refused:
        case.complete("fg_advies", {"fg_advies_ap": "melden"}, role="fg")
    assert set(fields(refused)) == {"fg_advies_risico", "fg_advies_betrokkenen", "fg_advies_toelichting"}
    case.complete("fg_advies", FG_ADVIES, role="fg")
    case.complete("partners_informeren", partners_bericht(), role="partnermedewerker")
    case.complete("ap_besluit", ap_besluit("risico"), role="teamleider")
    case.complete("datalek_registreren", REGISTER, role="fg")
    assert case.status == "completed"
    assert [(h.bpmn_id, h.lane) for h in engine.history(case.id) if h.bpmn_id in ("fg_advies", "ap_besluit")] == [
        ("fg_advies", "fg"), ("ap_besluit", "teamleider")]
