"""Invented cases for the management information's tests, spread over processes, partners,
niveaus and outcomes, walked through the real zvt_casus and klacht processes. Needs zvt_casus
(with afwegingskader.dmn) and klacht deployed, and the partners.

What `spread` makes, all started on the clock's day and done within the hour (the figures the
tests expect follow from this list):
- zvt_casus, 20 cases started by WoonFriesland:
  6 not taken up at niveau 3; 2 not registered at niveau 3; 5 taken up at niveau 3 with
  Gemeente Heerenveen, WoonFriesland and GGZ Friesland, planned, discussed and closed (afronden);
  2 taken up at niveau 2 (same partners), waiting to inform the betrokkene; 5 waiting for the
  beoordeling.
- klacht, 6 cases received by the municipality: 5 handled (oordeel deels gegrond), 1 waiting for
  the teamleider's assessment.

`beoordelingen` makes 8 cases (not taken up or not registered, niveau 3) whose beoordeling took
BEOORDELING_HOURS each; the beoordeling is due in 3 werkdagen (120 hours from a Friday 17:00), so
the two slowest are late: for those the teamleider first follows up the deadline (a task due at that
same deadline, so late as well).
"""
from __future__ import annotations

from datetime import timedelta

from tests.processes.conftest import Case, start
from tests.processes.test_klacht import AFHANDELING, klacht, ontvangen
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN, PLAN, PRIVACYCHECK, aanmelding, zorgoverleg

# Names in the invented cases: a test checks that none reaches a figure, a page or an export.
NAMES = ("Mevrouw A. de Vries", "Mevrouw Q. Zuidema-Tjepkema")
BEOORDELING_HOURS = (2, 5, 8, 12, 20, 33, 130, 144)


def casus(engine, **changes) -> Case:
    return start(engine, "zvt_casus", aanmelding(**changes), actor="w.woonfriesland",
                 context={"aanmelder_partner": "woonfriesland"})


def niet_oppakken(case: Case, besluit: str = "niet_oppakken") -> None:
    """The beoordeling: not taken up (or not registered). When it is late, the deadline has gone to
    the teamleider, who follows it up first, as the team would."""
    due = case.task("beoordeling").due_at
    if due <= case.engine.clock():
        case.engine.fire_due_timers(due)
        case.complete("beoordeling_te_laat", {"afspraak": "Vandaag nog."}, role="teamleider")
    case.complete("beoordeling", {"niveau": 3, "besluit_beoordeling": besluit,
                                  "toelichting_besluit": "Reguliere hulp loopt al.",
                                  "advies_alternatief": "Het wijkteam."}, role="procesregisseur")


def spread(engine, clock) -> dict[str, list[int]]:
    """The cases above; their numbers by kind, for the tests that look them up."""
    made: dict[str, list[int]] = {}
    for _ in range(6):
        case = casus(engine, betrokkene_naam=NAMES[1])
        niet_oppakken(case)
        made.setdefault("niet_opgepakt", []).append(case.id)
    for _ in range(2):
        case = casus(engine, situaties=["overlast"])
        niet_oppakken(case, "niet_registreren")
        made.setdefault("niet_geregistreerd", []).append(case.id)
    for _ in range(5):
        case = casus(engine)
        case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
        case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
        case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
        case.complete("plan_van_aanpak", PLAN, role="procesregisseur")
        case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
        case.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")
        made.setdefault("afronden", []).append(case.id)
    for _ in range(2):
        case = casus(engine)
        case.complete("beoordeling", {**OPPAKKEN, "niveau": 2, "reden_afwijking": "Het netwerk helpt goed mee."},
                      role="procesregisseur")
        made.setdefault("niveau_2", []).append(case.id)
    for _ in range(5):
        made.setdefault("wacht_op_beoordeling", []).append(casus(engine).id)
    for _ in range(5):
        case = start(engine, "klacht", klacht(klager_naam=NAMES[0]), context=ontvangen("gemeente_heerenveen"))
        case.complete("klacht_beoordelen", {"gesprek_nodig": False,
                                            "reden_geen_gesprek": "De brief is duidelijk."}, role="teamleider")
        case.complete("klacht_afhandelen", AFHANDELING, role="teamleider")
        made.setdefault("klacht_afgehandeld", []).append(case.id)
    made["klacht_open"] = [start(engine, "klacht", klacht(), context=ontvangen("gemeente_heerenveen")).id]
    return made


def beoordelingen(engine, clock) -> list[int]:
    """Eight cases started together, each assessed BEOORDELING_HOURS after the start."""
    started = clock.now
    cases = [casus(engine, **({"situaties": ["overlast"]} if i % 2 else {})) for i in range(len(BEOORDELING_HOURS))]
    for i, (case, hours) in enumerate(zip(cases, BEOORDELING_HOURS)):
        clock.now = started + timedelta(hours=hours)
        niet_oppakken(case, "niet_registreren" if i % 2 else "niet_oppakken")
    return [case.id for case in cases]
