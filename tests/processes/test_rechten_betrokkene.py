"""Rechten betrokkene: a request under the AVG, from receipt to answer, referral or refusal.

Each scenario is a plain function (so the coverage test at the end can run them all) that walks
one case and asserts what it records, who gets which task, and when its timers fire. Moments are
Amsterdam time; the legal deadline is one calendar month after receipt, a partner's receipt
date when the partner forwarded the request.
"""
from __future__ import annotations

from datetime import datetime

import pytest

from engine import InvalidTaskData, TaskClosedByDeadline
from engine.clock import AMSTERDAM
from tests.processes.conftest import Case, branches, start

PID = "rechten_betrokkene"


def ams(year, month, day, hour=10, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def verzoek(**changes) -> dict:
    data = {
        "rechten": ["informatie", "inzage"],
        "ontvangen_op": "2026-11-27T09:30:00+01:00",
        "ontvangen_door": "gemeente_heerenveen",
        "ontvangen_via": "e_mail",
        "verzoeker_naam": "Mevrouw A. de Vries",
        "omschrijving": "Ik wil weten welke gegevens het zorg- en veiligheidsteam over mij heeft.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def van_politie_op_31_januari(**changes) -> dict:
    return verzoek(rechten=["inzage", "correctie", "verwijdering"], ontvangen_op="2027-01-31T10:00:00+01:00",
                   ontvangen_door="politie", doorgestuurd_op="2027-02-02T11:00:00+01:00", ontvangen_via="brief",
                   verzoeker_naam="De heer B. Jansen", **changes)


IDENTITEIT_VASTGESTELD = {"identiteit": "vastgesteld", "identiteit_toelichting": "Legitimatie getoond aan de balie."}


def antwoord(besluiten: dict, **extra) -> dict:
    return {"afhandeling": "antwoord", "besluit_per_recht": besluiten,
            "antwoord_toelichting": "Overzicht van de gegevens en het besluit per recht gestuurd.",
            "antwoord_verstuurd_op": "2026-12-10T11:00:00+01:00", "partners_geinformeerd": [],
            "art41_toepassing": "geen_besluit", **extra}


def doorverwijzing(partner: str, **extra) -> dict:
    return {"afhandeling": "doorverwijzen", "verantwoordelijke_partner": partner,
            "doorverwijzing_reden": "niet_verantwoordelijk", "verzoeker_doorverwezen_op": "2026-12-03T14:00:00+01:00",
            "partners_geinformeerd": [partner], **extra}


def verlenging(maanden: int, **extra) -> dict:
    return {"afhandeling": "verlengen", "verlenging_maanden": maanden,
            "verlenging_redenen": "Gegevens van drie organisaties moeten worden verzameld.",
            "redenen_verstuurd": True, **extra}


def weigering(**extra) -> dict:
    return {"weigering_reden": "identiteit_niet_vastgesteld",
            "weigering_toelichting": "Zonder bewijs van identiteit kunnen wij geen gegevens geven.",
            "weigering_verstuurd_op": "2026-12-15T10:00:00+01:00", "klachtrecht_gemeld": True,
            "partners_geinformeerd": [], **extra}


def refused(engine, case: Case, bpmn_id: str, data: dict) -> set[str]:
    """Complete with bad data: refused naming the fields, the task still open, nothing stored."""
    task = case.task(bpmn_id)
    before = case.data
    with pytest.raises(InvalidTaskData) as error:
        engine.complete(task.id, data, actor="medewerker")
    assert case.task(bpmn_id).id == task.id
    assert case.data == before
    return {e.field for e in error.value.errors}


def fire(engine, clock, moment: datetime) -> None:
    clock.now = moment
    engine.fire_due_timers()


def count(case: Case, bpmn_id: str) -> int:
    return case.visited().count(bpmn_id)


# -- scenarios ----------------------------------------------------------------------------------

def beantwoord_binnen_de_maand(engine, clock) -> Case:
    """Inzage at the municipality: identity, an answer with the access-log report, done."""
    case = start(engine, PID, verzoek(), actor="procesregisseur")
    assert case.data["termijn"] == case.data["eerste_termijn"] == "2026-12-27T09:30:00+01:00"
    assert case.data["herinnering_op"] == "2026-12-20T09:30:00+01:00"
    assert case.data["data_objects"] == {"herinnering_gegeven": False, "escalatie_gegeven": False}
    assert case.open_tasks() == {"identiteit_controleren": "procesregisseur"}
    assert case.timers() == {"herinnering_identiteit": ams(2026, 12, 20, 9, 30),
                             "termijn_identiteit": ams(2026, 12, 27, 9, 30)}
    # The reminder (marked "herinnering") is not a deadline: the task is due at the legal deadline.
    assert case.task("identiteit_controleren").due_at == ams(2026, 12, 27, 9, 30)
    assert engine.form_values(case.task("identiteit_controleren").id)["termijn"] == "2026-12-27T09:30:00+01:00"

    case.complete("identiteit_controleren", IDENTITEIT_VASTGESTELD, role="procesregisseur")
    assert case.open_tasks() == {"beantwoorden_of_verlengen": "procesregisseur"}
    assert case.timers() == {"herinnering_eerste_maand": ams(2026, 12, 20, 9, 30),
                             "eerste_maand_verstreken": ams(2026, 12, 27, 9, 30)}
    assert case.task("beantwoorden_of_verlengen").due_at == ams(2026, 12, 27, 9, 30)

    # Inzage granted without the report of who saw the data: refused.
    besluiten = {"informatie": "toegewezen", "inzage": "toegewezen"}
    assert refused(engine, case, "beantwoorden_of_verlengen", antwoord(besluiten)) == {"toegangslog_bijgevoegd"}
    # A decision on a right that was not asked for, and none on one that was: refused.
    assert refused(engine, case, "beantwoorden_of_verlengen",
                   antwoord({"informatie": "toegewezen", "verzet": "afgewezen"}, toegangslog_bijgevoegd=True,
                            klachtrecht_gemeld=True)) == {"besluit_per_recht/inzage", "besluit_per_recht/verzet"}

    clock.now = ams(2026, 12, 10, 12)
    case.complete("beantwoorden_of_verlengen", antwoord(besluiten, toegangslog_bijgevoegd=True),
                  role="procesregisseur")
    assert case.status == "completed"
    assert case.timers() == {}
    assert case.data["toegangslog_bijgevoegd"] is True
    assert case.data["antwoord_verstuurd_op"] == "2026-12-10T11:00:00+01:00"
    assert case.data["besluit_per_recht"] == besluiten
    assert case.visited()[-4:] == ["keuze_eerste_maand", "beantwoord_samen", "ontvangers_nodig", "einde_beantwoord"]
    return case


def ontvangen_op_31_januari_en_verlengd_tot_drie_maanden(engine, clock) -> Case:
    """Forwarded by the police with its receipt date; reminder, extension, escalation, art. 19."""
    clock.now = ams(2027, 2, 2, 13)
    case = start(engine, PID, van_politie_op_31_januari(), actor="procesregisseur")
    assert case.data["termijn"] == "2027-02-28T10:00:00+01:00"  # 31 January + 1 month
    assert case.data["herinnering_op"] == "2027-02-21T10:00:00+01:00"
    assert case.data["doorgestuurd_op"] == "2027-02-02T11:00:00+01:00"
    case.complete("identiteit_controleren", IDENTITEIT_VASTGESTELD, role="procesregisseur")

    fire(engine, clock, ams(2027, 2, 21, 9, 59))
    assert count(case, "herinnering_termijn") == 0
    fire(engine, clock, ams(2027, 2, 21))
    assert count(case, "herinnering_termijn") == 1
    assert case.data["data_objects"]["herinnering_gegeven"] is True
    assert case.timers() == {"eerste_maand_verstreken": ams(2027, 2, 28)}
    assert case.task("beantwoorden_of_verlengen").due_at == ams(2027, 2, 28)

    clock.now = ams(2027, 2, 25, 15)
    fields = refused(engine, case, "beantwoorden_of_verlengen",
                     {**verlenging(3), "redenen_verstuurd": False, "partners_geinformeerd": ["politie"]})
    assert fields == {"verlenging_maanden", "redenen_verstuurd", "partners_geinformeerd"}
    assert refused(engine, case, "beantwoorden_of_verlengen",
                   {k: v for k, v in verlenging(2).items() if k != "verlenging_redenen"}) == {"verlenging_redenen"}

    case.complete("beantwoorden_of_verlengen", verlenging(2), role="procesregisseur")
    assert case.data["verlengd"] is True
    assert case.data["verlenging_vastgelegd_op"] == "2027-02-25T15:00:00+01:00"
    assert case.data["termijn"] == "2027-04-30T10:00:00+02:00"  # receipt + 3 months, summer time
    assert case.data["eerste_termijn"] == "2027-02-28T10:00:00+01:00"
    assert case.data["herinnering_op"] == "2027-04-23T10:00:00+02:00"
    assert case.data["data_objects"] == {"herinnering_gegeven": False, "escalatie_gegeven": False}
    assert case.open_tasks() == {"verzoek_beantwoorden": "procesregisseur"}
    assert case.timers() == {"herinnering_beantwoorden": ams(2027, 4, 23), "termijn_beantwoorden": ams(2027, 4, 30)}
    assert case.task("verzoek_beantwoorden").due_at == ams(2027, 4, 30)

    fire(engine, clock, ams(2027, 2, 28, 12))  # the first deadline no longer counts
    assert case.open_tasks() == {"verzoek_beantwoorden": "procesregisseur"}
    fire(engine, clock, ams(2027, 4, 23))
    assert count(case, "herinnering_termijn") == 2  # a new deadline has its own reminder
    assert case.task("verzoek_beantwoorden").due_at == ams(2027, 4, 30)

    fire(engine, clock, ams(2027, 4, 30))
    assert case.open_tasks() == {"verzoek_beantwoorden": "procesregisseur", "escalatie_teamleider": "teamleider",
                                 "escalatie_fg": "fg"}
    assert case.task("verzoek_beantwoorden").due_at == ams(2027, 4, 30)  # still shown, now overdue
    assert case.timers() == {}
    assert engine.form_values(case.task("escalatie_fg").id) == {
        "rechten": ["inzage", "correctie", "verwijdering"], "ontvangen_op": "2027-01-31T10:00:00+01:00",
        "ontvangen_door": "politie", "termijn": "2027-04-30T10:00:00+02:00", "verlengd": True}
    case.complete("escalatie_teamleider", {"afspraak_teamleider": "Antwoord gaat maandag de deur uit."},
                  role="teamleider")
    assert refused(engine, case, "escalatie_fg", {"advies_fg_termijn": ""}) == {"advies_fg_termijn"}
    case.complete("escalatie_fg", {"advies_fg_termijn": "Verzoeker vandaag bellen over de vertraging."}, role="fg")

    clock.now = ams(2027, 5, 3, 11)
    besluiten = {"inzage": "toegewezen", "correctie": "toegewezen", "verwijdering": "deels_toegewezen"}
    late = antwoord(besluiten, toegangslog_bijgevoegd=True, antwoord_verstuurd_op="2027-05-03T10:30:00+02:00")
    # Not all granted: the requester must hear about the AP and the court; the police forwarded
    # the request, so the police must be told.
    assert refused(engine, case, "verzoek_beantwoorden", late) == {"klachtrecht_gemeld", "partners_geinformeerd"}
    case.complete("verzoek_beantwoorden", {**late, "klachtrecht_gemeld": True, "partners_geinformeerd": ["politie"]},
                  role="procesregisseur")
    assert case.open_tasks() == {"ontvangers_informeren": "procesregisseur"}
    assert engine.form_values(case.task("ontvangers_informeren").id)["besluit_per_recht"] == besluiten

    assert refused(engine, case, "ontvangers_informeren",
                   {"ontvangers_situatie": "geinformeerd", "ontvangers": []}) == {"ontvangers"}
    assert refused(engine, case, "ontvangers_informeren", {
        "ontvangers_situatie": "geinformeerd",
        "ontvangers": [{"ontvanger": "overig", "geinformeerd_op": "2027-05-04T09:00:00+02:00"}],
    }) == {"ontvangers/0/ontvanger_naam"}
    ontvangers = [
        {"ontvanger": "accolade", "geinformeerd_op": "2027-05-04T09:00:00+02:00"},
        {"ontvanger": "ggz_friesland", "geinformeerd_op": "2027-05-04T09:10:00+02:00"},
        {"ontvanger": "overig", "ontvanger_naam": "Zorgaanbieder De Linde",
         "geinformeerd_op": "2027-05-04T09:20:00+02:00"},
    ]
    case.complete("ontvangers_informeren", {"ontvangers_situatie": "geinformeerd", "ontvangers": ontvangers,
                                            "ontvangers_aan_verzoeker_gemeld": True}, role="procesregisseur")
    assert case.status == "completed"
    assert case.data["ontvangers"] == ontvangers
    assert case.visited()[-2:] == ["ontvangers_informeren", "einde_ontvangers_geinformeerd"]
    assert count(case, "escalatie_teamleider") == count(case, "escalatie_fg") == 1
    return case


def verlengd_met_een_maand_en_doorverwezen(engine, clock) -> Case:
    """One month more: 31 January + 2 months = 31 March, across the change to summer time."""
    clock.now = ams(2027, 2, 2, 13)
    case = start(engine, PID, van_politie_op_31_januari(), actor="procesregisseur")
    case.complete("identiteit_controleren", IDENTITEIT_VASTGESTELD, role="procesregisseur")
    clock.now = ams(2027, 2, 10)
    case.complete("beantwoorden_of_verlengen", verlenging(1), role="procesregisseur")
    assert case.data["termijn"] == "2027-03-31T10:00:00+02:00"
    assert case.data["herinnering_op"] == "2027-03-24T10:00:00+01:00"  # 10:00 on both sides of 28 March
    assert case.timers() == {"herinnering_beantwoorden": ams(2027, 3, 24), "termijn_beantwoorden": ams(2027, 3, 31)}

    # Extending again is not possible: the later task offers no extension.
    assert "afhandeling" in refused(engine, case, "verzoek_beantwoorden", verlenging(1))
    clock.now = ams(2027, 3, 1)
    assert refused(engine, case, "verzoek_beantwoorden",
                   doorverwijzing("gemeente_heerenveen", partners_geinformeerd=["politie"])) == {"verantwoordelijke_partner"}
    # The police forwarded the request, so the police are told as well as the controller.
    assert refused(engine, case, "verzoek_beantwoorden", doorverwijzing("ggz_friesland")) == {"partners_geinformeerd"}
    case.complete("verzoek_beantwoorden",
                  doorverwijzing("ggz_friesland", partners_geinformeerd=["ggz_friesland", "politie"],
                                 verzoeker_doorverwezen_op="2027-03-01T09:30:00+01:00"),
                  role="procesregisseur")
    assert case.status == "completed"
    assert case.data["verantwoordelijke_partner"] == "ggz_friesland"
    assert case.visited()[-4:] == ["verzoek_beantwoorden", "keuze_beantwoorden", "doorverwezen_samen",
                                   "einde_doorverwezen"]
    return case


def eerste_maand_verstreken_zonder_antwoord(engine, clock) -> Case:
    """The task that can extend closes at the deadline; escalation; answering goes on, late."""
    case = start(engine, PID, verzoek(rechten=["verwijdering"]), actor="procesregisseur")
    case.complete("identiteit_controleren", IDENTITEIT_VASTGESTELD, role="procesregisseur")
    fire(engine, clock, ams(2026, 12, 20, 9, 30))
    assert count(case, "herinnering_termijn") == 1

    fire(engine, clock, ams(2026, 12, 27, 9, 30))
    assert case.open_tasks() == {"verzoek_beantwoorden": "procesregisseur", "escalatie_teamleider": "teamleider",
                                 "escalatie_fg": "fg"}
    cancelled = [h for h in engine.history(case.id) if h.bpmn_id == "beantwoorden_of_verlengen"]
    assert [(h.state, h.actor) for h in cancelled] == [("cancelled", "scheduler")]
    # The new task's reminder and deadline have passed already: they fire when it opens, and give
    # nothing twice; the task shows as overdue since the first deadline.
    assert case.timers() == {}
    assert case.task("verzoek_beantwoorden").due_at == ams(2026, 12, 27, 9, 30)
    assert count(case, "herinnering_termijn") == 1
    assert count(case, "einde_herinnering_al_gegeven") == 1
    assert count(case, "escalatie_teamleider") == 0  # still open, so not yet in the history
    assert count(case, "einde_escalatie_al_gegeven") == 1
    assert case.data["data_objects"] == {"herinnering_gegeven": True, "escalatie_gegeven": True}
    assert "afhandeling" in refused(engine, case, "verzoek_beantwoorden", verlenging(2))

    clock.now = ams(2027, 1, 4, 10)
    besluiten = {"verwijdering": "afgewezen"}
    assert refused(engine, case, "verzoek_beantwoorden", antwoord(besluiten)) == {"klachtrecht_gemeld"}
    case.complete("verzoek_beantwoorden", antwoord(besluiten, klachtrecht_gemeld=True), role="procesregisseur")
    # Nothing erased: no recipients to tell; the escalation tasks stay open until done.
    assert case.open_tasks() == {"escalatie_teamleider": "teamleider", "escalatie_fg": "fg"}
    assert case.visited()[-3:] == ["beantwoord_samen", "ontvangers_nodig", "einde_beantwoord"]
    case.complete("escalatie_teamleider", {"afspraak_teamleider": "Besproken in het teamoverleg."}, role="teamleider")
    case.complete("escalatie_fg", {"advies_fg_termijn": "Geen verdere actie."}, role="fg")
    assert case.status == "completed"
    return case


def verlenging_na_de_termijn_gaat_niet_door(engine, clock) -> Case:
    """An extension chosen after the deadline, before the scheduler closed the task, is refused:
    completing fires the due deadline first, which closes the first-month task."""
    case = start(engine, PID, verzoek(), actor="procesregisseur")
    case.complete("identiteit_controleren", IDENTITEIT_VASTGESTELD, role="procesregisseur")
    clock.now = ams(2026, 12, 27, 9, 31)  # past the deadline; no scheduler round yet
    with pytest.raises(TaskClosedByDeadline):
        case.complete("beantwoorden_of_verlengen", verlenging(2), role="procesregisseur")
    assert case.data["verlengd"] is False
    assert case.data["termijn"] == "2026-12-27T09:30:00+01:00"
    assert "termijn_verlengen" not in case.visited()

    # The new task's reminder and deadline had passed when it opened, and neither had been given
    # (no scheduler round since 20 December): both are given now, once.
    assert case.open_tasks() == {"verzoek_beantwoorden": "procesregisseur", "escalatie_teamleider": "teamleider",
                                 "escalatie_fg": "fg"}
    assert count(case, "herinnering_termijn") == 1
    assert case.timers() == {}
    return case


def bewijs_gevraagd_termijn_loopt_door_en_doorverwezen(engine, clock) -> Case:
    """Asking for proof does not stop the deadline; the reminder is given once, not per task."""
    case = start(engine, PID, verzoek(), actor="procesregisseur")
    assert refused(engine, case, "identiteit_controleren",
                   {"identiteit": "bewijs_vragen", "identiteit_toelichting": "Handtekening wijkt af."}) == {
        "gevraagd_bewijs", "bewijs_gevraagd_op"}
    # Refusal fields do not belong to an established identity.
    assert refused(engine, case, "identiteit_controleren",
                   {**IDENTITEIT_VASTGESTELD, **weigering()}) == set(weigering())
    case.complete("identiteit_controleren", {
        "identiteit": "bewijs_vragen", "identiteit_toelichting": "Handtekening wijkt af.",
        "gevraagd_bewijs": "Kopie identiteitsbewijs met afgeschermd BSN",
        "bewijs_gevraagd_op": "2026-11-27T17:05:00+01:00",
    }, role="procesregisseur")
    assert case.open_tasks() == {"identiteitsbewijs_beoordelen": "procesregisseur"}
    assert case.timers() == {"herinnering_bewijs": ams(2026, 12, 20, 9, 30), "termijn_bewijs": ams(2026, 12, 27, 9, 30)}
    assert engine.form_values(case.task("identiteitsbewijs_beoordelen").id)["gevraagd_bewijs"] == (
        "Kopie identiteitsbewijs met afgeschermd BSN")

    fire(engine, clock, ams(2026, 12, 21, 8))
    assert count(case, "herinnering_termijn") == 1
    case.complete("identiteitsbewijs_beoordelen", {"bewijs_uitkomst": "vastgesteld",
                                                   "bewijs_toelichting": "Kopie ontvangen, klopt."},
                  role="procesregisseur")
    # The answer task's reminder moment has passed: it fires as the task opens, without a second reminder.
    assert case.open_tasks() == {"beantwoorden_of_verlengen": "procesregisseur"}
    assert count(case, "herinnering_termijn") == 1
    assert count(case, "einde_herinnering_al_gegeven") == 1
    assert case.timers() == {"eerste_maand_verstreken": ams(2026, 12, 27, 9, 30)}

    case.complete("beantwoorden_of_verlengen", doorverwijzing("woonfriesland"), role="procesregisseur")
    assert case.status == "completed"
    assert case.data["partners_geinformeerd"] == ["woonfriesland"]
    assert case.visited()[-3:] == ["keuze_eerste_maand", "doorverwezen_samen", "einde_doorverwezen"]
    return case


def bewijs_onvoldoende_na_de_termijn_geweigerd(engine, clock) -> Case:
    """The deadline passes while waiting for proof: escalation; then the request is refused."""
    case = start(engine, PID, verzoek(rechten=["correctie"]), actor="procesregisseur")
    case.complete("identiteit_controleren", {
        "identiteit": "bewijs_vragen", "identiteit_toelichting": "Alleen per e-mail, geen gegevens te controleren.",
        "gevraagd_bewijs": "Langskomen met legitimatie", "bewijs_gevraagd_op": "2026-11-27T17:10:00+01:00",
    }, role="procesregisseur")
    fire(engine, clock, ams(2026, 12, 27, 9, 30))
    assert case.open_tasks() == {"identiteitsbewijs_beoordelen": "procesregisseur",
                                 "escalatie_teamleider": "teamleider", "escalatie_fg": "fg"}
    assert case.task("identiteitsbewijs_beoordelen").due_at == ams(2026, 12, 27, 9, 30)

    clock.now = ams(2027, 1, 5)
    fields = refused(engine, case, "identiteitsbewijs_beoordelen", {
        "bewijs_uitkomst": "weigeren", "bewijs_toelichting": "Niet gekomen.",
        **weigering(klachtrecht_gemeld=False)})
    assert fields == {"klachtrecht_gemeld"}
    case.complete("identiteitsbewijs_beoordelen", {
        "bewijs_uitkomst": "weigeren", "bewijs_toelichting": "Niet gekomen.",
        **weigering(weigering_verstuurd_op="2027-01-05T09:00:00+01:00")}, role="procesregisseur")
    assert case.open_tasks() == {"escalatie_teamleider": "teamleider", "escalatie_fg": "fg"}
    assert case.data["weigering_reden"] == "identiteit_niet_vastgesteld"
    assert case.visited()[-3:] == ["bewijs_voldoende", "geweigerd_samen", "einde_geweigerd"]
    return case


def geweigerd_bij_identiteitscontrole(engine, clock) -> Case:
    """Refused at once; WoonFriesland forwarded the request, so it hears the outcome."""
    case = start(engine, PID, verzoek(ontvangen_door="woonfriesland", doorgestuurd_op="2026-11-27T12:00:00+01:00"),
                 actor="procesregisseur")
    refusal = {"identiteit": "weigeren", "identiteit_toelichting": "Verzoek namens een buurman, zonder machtiging.",
               **weigering(weigering_reden="kennelijk_ongegrond")}
    clock.now = ams(2026, 12, 15, 11)
    assert refused(engine, case, "identiteit_controleren", refusal) == {"partners_geinformeerd"}
    case.complete("identiteit_controleren", {**refusal, "partners_geinformeerd": ["woonfriesland"]},
                  role="procesregisseur")
    assert case.status == "completed"
    assert case.timers() == {}
    assert case.visited()[-4:] == ["identiteit_controleren", "identiteit_uitkomst", "geweigerd_samen",
                                   "einde_geweigerd"]
    return case


def termijn_verstreken_tijdens_identiteitscontrole(engine, clock) -> Case:
    """Reminder and escalation while the identity is unchecked; afterwards no extension, no second escalation."""
    case = start(engine, PID, verzoek(), actor="procesregisseur")
    fire(engine, clock, ams(2026, 12, 20, 9, 30))
    assert count(case, "herinnering_termijn") == 1
    assert case.task("identiteit_controleren").due_at == ams(2026, 12, 27, 9, 30)
    fire(engine, clock, ams(2026, 12, 27, 9, 30))
    assert case.open_tasks() == {"identiteit_controleren": "procesregisseur", "escalatie_teamleider": "teamleider",
                                 "escalatie_fg": "fg"}
    assert case.timers() == {}

    clock.now = ams(2026, 12, 28, 9)
    case.complete("identiteit_controleren", IDENTITEIT_VASTGESTELD, role="procesregisseur")
    assert "beantwoorden_of_verlengen" not in case.visited()
    # Its reminder and deadline fire as it opens, silently: both were given during the identity check.
    assert count(case, "herinnering_termijn") == 1
    assert count(case, "einde_escalatie_al_gegeven") == 1
    assert sorted(case.open_tasks()) == ["escalatie_fg", "escalatie_teamleider", "verzoek_beantwoorden"]
    return case


def laat_doorgestuurd_verzoek_escaleert_meteen(engine, clock) -> Case:
    """VNN received it six weeks ago and forwards it now: the deadline has passed already."""
    case = start(engine, PID, verzoek(ontvangen_op="2026-10-15T14:00:00+02:00", ontvangen_door="vnn",
                                      doorgestuurd_op="2026-11-26T09:00:00+01:00"), actor="procesregisseur")
    assert case.data["termijn"] == "2026-11-15T14:00:00+01:00"
    # Both timers had passed when the task opened: they fired at once.
    assert case.timers() == {}
    assert count(case, "herinnering_identiteit") == count(case, "termijn_identiteit") == 1
    assert count(case, "herinnering_termijn") == 1
    assert case.task("identiteit_controleren").due_at == ams(2026, 11, 15, 14)
    assert case.open_tasks() == {"identiteit_controleren": "procesregisseur", "escalatie_teamleider": "teamleider",
                                 "escalatie_fg": "fg"}
    return case


SCENARIOS = [
    beantwoord_binnen_de_maand,
    ontvangen_op_31_januari_en_verlengd_tot_drie_maanden,
    verlengd_met_een_maand_en_doorverwezen,
    eerste_maand_verstreken_zonder_antwoord,
    verlenging_na_de_termijn_gaat_niet_door,
    bewijs_gevraagd_termijn_loopt_door_en_doorverwezen,
    bewijs_onvoldoende_na_de_termijn_geweigerd,
    geweigerd_bij_identiteitscontrole,
    termijn_verstreken_tijdens_identiteitscontrole,
    laat_doorgestuurd_verzoek_escaleert_meteen,
]


# -- tests --------------------------------------------------------------------------------------

@pytest.fixture
def deployed(deploy_only):
    deploy_only(PID)


def test_an_inzage_request_is_answered_within_the_month_with_the_access_log_report(engine, clock, deployed):
    beantwoord_binnen_de_maand(engine, clock)


def test_a_request_received_on_31_january_2027_is_due_on_28_february_and_can_be_extended_to_30_april(
        engine, clock, deployed):
    ontvangen_op_31_januari_en_verlengd_tot_drie_maanden(engine, clock)


def test_an_extension_by_one_month_ends_on_31_march_and_the_request_can_then_be_referred_on(engine, clock, deployed):
    verlengd_met_een_maand_en_doorverwezen(engine, clock)


def test_after_the_first_month_the_extension_is_no_longer_offered_and_the_request_escalates(engine, clock, deployed):
    eerste_maand_verstreken_zonder_antwoord(engine, clock)


def test_an_extension_chosen_after_the_deadline_does_not_extend(engine, clock, deployed):
    verlenging_na_de_termijn_gaat_niet_door(engine, clock)


def test_asking_for_proof_of_identity_does_not_pause_the_deadline(engine, clock, deployed):
    bewijs_gevraagd_termijn_loopt_door_en_doorverwezen(engine, clock)


def test_insufficient_proof_refuses_the_request_with_the_right_to_complain(engine, clock, deployed):
    bewijs_onvoldoende_na_de_termijn_geweigerd(engine, clock)


def test_a_refusal_is_told_to_the_partner_that_forwarded_the_request(engine, clock, deployed):
    geweigerd_bij_identiteitscontrole(engine, clock)


def test_a_deadline_passed_during_the_identity_check_escalates_once(engine, clock, deployed):
    termijn_verstreken_tijdens_identiteitscontrole(engine, clock)


def test_a_request_forwarded_after_its_deadline_escalates_at_once(engine, clock, deployed):
    laat_doorgestuurd_verzoek_escaleert_meteen(engine, clock)


@pytest.mark.parametrize("changes, fields", [
    ({"rechten": []}, {"rechten"}),
    ({"rechten": ["inzage", "vergeten_worden"]}, {"rechten/1"}),
    ({"rechten": None}, {"rechten"}),
    ({"ontvangen_op": "2027-01-31T10:00:00"}, {"ontvangen_op"}),  # no offset: which time is meant?
    ({"ontvangen_door": "politie"}, {"doorgestuurd_op"}),  # forwarded: when?
    ({"doorgestuurd_op": "2026-11-27T12:00:00+01:00"}, {"doorgestuurd_op"}),  # the municipality forwards nothing
    ({"ontvangen_door": "buurthuis", "doorgestuurd_op": "2026-11-27T12:00:00+01:00"}, {"ontvangen_door"}),
    ({"omschrijving": ""}, {"omschrijving"}),
    ({"termijn": "2027-12-31T00:00:00+01:00"}, {"termijn"}),  # the deadline is computed, never entered
])
def test_a_request_with_bad_or_missing_data_is_not_registered(engine, deployed, changes, fields):
    with pytest.raises(InvalidTaskData) as error:
        engine.start(PID, verzoek(**changes), actor="procesregisseur")
    assert {e.field for e in error.value.errors} == fields
    assert engine.ready_tasks() == []
    assert engine.timers() == []


def test_the_scenarios_together_reach_every_branch(engine, clock, deployed):
    start_moment = clock.now
    visited = set()
    for scenario in SCENARIOS:
        clock.now = start_moment
        visited |= set(scenario(engine, clock).visited())
    assert branches(PID) - visited == set()
