"""Pausing a case's deadlines (a rights request waiting for proof of identity) and resuming them.

The real rechten_betrokkene process on both databases. Moments are Amsterdam time; the request
below was received on 27 November 2026 at 09:30, so its legal deadline (`termijn`) is 27 December
09:30 and its reminder (`herinnering_op`) 20 December 09:30.
"""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from engine import (
    Conflict,
    DeadlinesAlreadyPaused,
    DeadlinesNotPaused,
    ReasonRequired,
    casework,
)
from engine.clock import AMSTERDAM
from engine.db import AccessLogEntry
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES, Case, add_partners, start
from tests.processes.test_rechten_betrokkene import verlenging, verzoek


@pytest.fixture(autouse=True)
def partners(engine):
    """The eight convenantpartners: the forms' partner choices come from the register."""
    add_partners(engine)


PID = "rechten_betrokkene"
REDEN = "Wacht op een kopie van het identiteitsbewijs."
BEWIJS_VRAGEN = {
    "identiteit": "bewijs_vragen", "identiteit_toelichting": "Handtekening wijkt af.",
    "gevraagd_bewijs": "Kopie identiteitsbewijs met afgeschermd BSN", "bewijs_gevraagd_op": "2026-11-27T17:05:00+01:00",
}
BEWIJS_VOLDOENDE = {"bewijs_uitkomst": "vastgesteld", "bewijs_toelichting": "Kopie ontvangen, klopt."}
HERE = Origin("192.0.2.20", "pytest")
REGISSEUR = User("procesregisseur", "Demo Procesregisseur", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
WOONFRIESLAND = User("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland",
                     frozenset({"partnermedewerker"}))


def ams(year, month, day, hour=10, minute=0, second=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM)


@pytest.fixture
def rights(engine, tmp_path):
    (tmp_path / "processes").mkdir()
    shutil.copy(PROCESSES / f"{PID}.bpmn", tmp_path / "processes")
    shutil.copytree(FORMS / PID, tmp_path / "forms" / PID)
    engine.deploy(tmp_path / "processes", tmp_path / "forms")
    return engine


def waiting_for_proof(engine) -> Case:
    """A request whose identity check asked for proof: "Identiteitsbewijs beoordelen" is open."""
    case = start(engine, PID, verzoek(), actor="procesregisseur")
    case.complete("identiteit_controleren", BEWIJS_VRAGEN, role="procesregisseur")
    assert case.timers() == {"herinnering_bewijs": ams(2026, 12, 20, 9, 30), "termijn_bewijs": ams(2026, 12, 27, 9, 30)}
    return case


def pause(engine, clock, case: Case, moment: datetime, reason: str = REDEN) -> datetime:
    clock.now = moment
    return engine.pause_deadlines(case.id, reason, actor="regisseur")


def resume(engine, clock, case: Case, moment: datetime) -> timedelta:
    clock.now = moment
    return engine.resume_deadlines(case.id, actor="regisseur")


def fire(engine, clock, moment: datetime) -> int:
    clock.now = moment
    return engine.fire_due_timers()


def fired(case: Case) -> list[str]:
    return [bpmn_id for bpmn_id in case.visited() if bpmn_id in {"herinnering_termijn", "escaleren"}]


def test_a_paused_deadline_does_not_fire_however_long_after_it_was_due(rights, clock):
    case = waiting_for_proof(rights)
    other = waiting_for_proof(rights)
    assert pause(rights, clock, case, ams(2026, 12, 1, 10)) == ams(2026, 12, 1, 10)
    assert rights.instance(case.id).paused_at == ams(2026, 12, 1, 10)
    assert rights.instance(case.id).pause_reason == REDEN

    # Months later: the other case escalated long ago, the paused one did nothing at all.
    assert fire(rights, clock, ams(2027, 6, 1, 9)) == 2  # the other case's reminder and deadline
    assert fired(other) == ["herinnering_termijn", "escaleren"]
    assert fired(case) == []
    assert case.open_tasks() == {"identiteitsbewijs_beoordelen": "procesregisseur"}
    assert case.timers() == {"herinnering_bewijs": ams(2026, 12, 20, 9, 30), "termijn_bewijs": ams(2026, 12, 27, 9, 30)}
    assert fire(rights, clock, ams(2027, 6, 2, 9)) == 0
    task = case.task("identiteitsbewijs_beoordelen")
    assert (task.due_at, task.paused_at) == (ams(2026, 12, 27, 9, 30), ams(2026, 12, 1, 10))


def test_resuming_after_n_days_moves_the_deadline_n_days_in_the_workflow_the_rows_and_the_task(rights, clock):
    case = waiting_for_proof(rights)
    pause(rights, clock, case, ams(2026, 12, 1, 10))
    assert resume(rights, clock, case, ams(2026, 12, 11, 10)) == timedelta(days=10)

    assert rights.instance(case.id).paused_at is None
    assert case.timers() == {"herinnering_bewijs": ams(2026, 12, 30, 9, 30), "termijn_bewijs": ams(2027, 1, 6, 9, 30)}
    task = case.task("identiteitsbewijs_beoordelen")
    assert (task.due_at, task.paused_at) == (ams(2027, 1, 6, 9, 30), None)
    # The case's deadline fields moved with the timers that read them; the first deadline is history.
    assert case.data["termijn"] == "2027-01-06T09:30:00+01:00"
    assert case.data["herinnering_op"] == "2026-12-30T09:30:00+01:00"
    assert case.data["eerste_termijn"] == "2026-12-27T09:30:00+01:00"

    # The workflow itself fires at the new moment, not a second before.
    assert fire(rights, clock, ams(2026, 12, 30, 9, 29, 59)) == 0
    assert fire(rights, clock, ams(2026, 12, 30, 9, 30)) == 1
    assert fired(case) == ["herinnering_termijn"]
    assert fire(rights, clock, ams(2027, 1, 6, 9, 29, 59)) == 0
    assert "escalatie_teamleider" not in case.open_tasks()
    assert fire(rights, clock, ams(2027, 1, 6, 9, 30)) == 1
    assert case.open_tasks() == {"identiteitsbewijs_beoordelen": "procesregisseur",
                                 "escalatie_teamleider": "teamleider", "escalatie_fg": "fg"}


def test_completing_a_task_while_paused_fires_no_deadline_and_the_next_tasks_deadline_waits_too(rights, clock):
    case = waiting_for_proof(rights)
    pause(rights, clock, case, ams(2026, 12, 1, 10))
    # Without the pause, completing after the deadline fires it first (escalation); paused, nothing fires.
    clock.now = ams(2026, 12, 28, 11)
    case.complete("identiteitsbewijs_beoordelen", BEWIJS_VOLDOENDE, role="procesregisseur")
    assert fired(case) == []
    # Completed while the clock stood still, on a day after the old deadline: the first month (as the
    # gateway reads it, by the real date) is over, so the task without extension opens; its reminder
    # and deadline, read from the unmoved fields, wait for the resume.
    assert case.open_tasks() == {"verzoek_beantwoorden": "procesregisseur"}
    assert case.timers() == {"herinnering_beantwoorden": ams(2026, 12, 20, 9, 30),
                             "termijn_beantwoorden": ams(2026, 12, 27, 9, 30)}
    assert fire(rights, clock, ams(2027, 1, 15)) == 0

    resume(rights, clock, case, ams(2026, 12, 28, 12))  # 27 days and 2 hours after the pause
    assert case.timers() == {"herinnering_beantwoorden": ams(2027, 1, 16, 11, 30),
                             "termijn_beantwoorden": ams(2027, 1, 23, 11, 30)}
    assert case.task("verzoek_beantwoorden").due_at == ams(2027, 1, 23, 11, 30)


def test_a_task_that_opens_after_the_resume_keeps_the_moved_deadline_and_an_extension_keeps_the_pause(
        rights, clock):
    case = waiting_for_proof(rights)
    pause(rights, clock, case, ams(2026, 12, 1, 10))
    resume(rights, clock, case, ams(2026, 12, 11, 10))
    clock.now = ams(2026, 12, 12, 10)
    case.complete("identiteitsbewijs_beoordelen", BEWIJS_VOLDOENDE, role="procesregisseur")
    assert case.open_tasks() == {"beantwoorden_of_verlengen": "procesregisseur"}
    assert case.timers() == {"herinnering_eerste_maand": ams(2026, 12, 30, 9, 30),
                             "eerste_maand_verstreken": ams(2027, 1, 6, 9, 30)}

    # Three months from receipt (27 February 2027), plus the ten days the clock stood still.
    case.complete("beantwoorden_of_verlengen", verlenging(2), role="procesregisseur")
    assert case.data["termijn"] == "2027-03-09T09:30:00+01:00"
    assert case.task("verzoek_beantwoorden").due_at == ams(2027, 3, 9, 9, 30)


def test_pausing_and_resuming_are_in_the_history_with_who_when_and_why(rights, clock):
    case = waiting_for_proof(rights)
    clock.now = ams(2026, 12, 1, 10, 0, 0) + timedelta(microseconds=250_000)
    rights.pause_deadlines(case.id, f"  {REDEN}\n", actor="regisseur")
    clock.now = ams(2026, 12, 3, 14, 30)
    rights.resume_deadlines(case.id, actor="regisseur2")

    history = [h for h in rights.history(case.id) if h.task_type in ("DeadlinesPaused", "DeadlinesResumed")]
    assert [(h.name, h.actor, h.finished_at, h.state, h.lane) for h in history] == [
        ("Termijnen gepauzeerd", "regisseur", ams(2026, 12, 1, 10), "completed", None),
        ("Termijnen lopen weer", "regisseur2", ams(2026, 12, 3, 14, 30), "completed", None),
    ]
    assert history[0].data == {"reden": REDEN}
    assert history[1].data == {"reden": REDEN, "gepauzeerd_op": "2026-12-01T09:00:00+00:00",
                               "gepauzeerd_door": "regisseur", "stilgestaan_seconden": 2 * 86400 + 4.5 * 3600}
    assert case.timers()["termijn_bewijs"] == ams(2026, 12, 29, 14, 0)


def test_a_pause_across_the_autumn_clock_change_moves_the_deadline_by_the_real_hours(rights, clock):
    clock.now = ams(2026, 10, 20, 10)
    case = start(rights, PID, verzoek(ontvangen_op="2026-10-20T09:00:00+02:00"), actor="procesregisseur")
    assert case.timers()["termijn_identiteit"] == ams(2026, 11, 20, 9)

    pause(rights, clock, case, ams(2026, 10, 24, 12))  # 12:00 summer time
    stood_still = resume(rights, clock, case, ams(2026, 10, 26, 12))  # 12:00 winter time
    assert stood_still == timedelta(hours=49)
    # 49 real hours later: 10:00 by the clock, not 09:00.
    assert case.timers()["termijn_identiteit"] == ams(2026, 11, 22, 10)
    assert case.task("identiteit_controleren").due_at == ams(2026, 11, 22, 10)
    assert case.data["termijn"] == "2026-11-22T10:00:00+01:00"
    assert fire(rights, clock, ams(2026, 11, 22, 9, 59, 59)) == 1  # only the reminder, itself moved 49 hours
    assert "escalatie_teamleider" not in case.open_tasks()
    assert fire(rights, clock, ams(2026, 11, 22, 10)) == 1
    assert "escalatie_teamleider" in case.open_tasks()


def test_pausing_fires_first_what_was_due_already(rights, clock):
    case = waiting_for_proof(rights)
    # The reminder was due on 20 December; no scheduler round ran since.
    pause(rights, clock, case, ams(2026, 12, 21, 8))
    assert fired(case) == ["herinnering_termijn"]
    history = [h.bpmn_id for h in rights.history(case.id)]
    assert history.index("herinnering_bewijs") < history.index("termijnen_gepauzeerd")
    assert case.timers() == {"termijn_bewijs": ams(2026, 12, 27, 9, 30)}


def test_refusals_change_nothing(rights, clock):
    case = waiting_for_proof(rights)
    before = len(rights.history(case.id))
    clock.now = ams(2026, 12, 1, 10)
    with pytest.raises(DeadlinesNotPaused):
        rights.resume_deadlines(case.id, actor="regisseur")
    for empty in ("", "   \n", None):
        with pytest.raises(ReasonRequired):
            rights.pause_deadlines(case.id, empty, actor="regisseur")
    assert rights.instance(case.id).paused_at is None

    rights.pause_deadlines(case.id, REDEN, actor="regisseur")
    clock.now = ams(2026, 12, 2, 10)
    with pytest.raises(DeadlinesAlreadyPaused):
        rights.pause_deadlines(case.id, "Nog een keer.", actor="regisseur")
    assert rights.instance(case.id).paused_at == ams(2026, 12, 1, 10)
    assert rights.instance(case.id).pause_reason == REDEN
    assert len(rights.history(case.id)) == before + 1

    finished = start(rights, PID, verzoek(), actor="procesregisseur")
    finished.complete("identiteit_controleren", {
        "identiteit": "weigeren", "identiteit_toelichting": "Namens een buurman, zonder machtiging.",
        "weigering_reden": "kennelijk_ongegrond", "weigering_toelichting": "Geen machtiging.",
        "weigering_verstuurd_op": "2026-12-02T10:00:00+01:00", "klachtrecht_gemeld": True,
        "partners_geinformeerd": []}, role="procesregisseur")
    assert finished.status == "completed"
    with pytest.raises(Conflict):
        rights.pause_deadlines(finished.id, REDEN, actor="regisseur")


def test_a_duration_timer_moves_by_the_pause_too(deployed, clock):
    instance_id = deployed.start("proef_casus", {}, actor="piet")  # beoordeling due in 3 days
    due = clock.now + timedelta(days=3)
    clock.advance(days=1)
    deployed.pause_deadlines(instance_id, "Wacht op informatie.", actor="piet")
    assert deployed.fire_due_timers(due + timedelta(days=30)) == 0
    clock.advance(days=5)
    deployed.resume_deadlines(instance_id, actor="piet")
    [timer] = deployed.timers(instance_id)
    assert timer.due_at == due + timedelta(days=5)
    assert deployed.fire_due_timers(due + timedelta(days=5) - timedelta(seconds=1)) == 0
    assert deployed.fire_due_timers(due + timedelta(days=5)) == 1


def access_rows(engine) -> list[tuple]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(e.username, e.action, e.object_type, e.object_id, e.result) for e in
                uow.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))]


def test_only_the_procesregisseur_pauses_and_every_attempt_is_in_the_access_log(rights, clock):
    case = waiting_for_proof(rights)
    clock.now = ams(2026, 12, 1, 10)
    with pytest.raises(casework.Forbidden):
        casework.pause_deadlines(rights, WOONFRIESLAND, case.id, REDEN, HERE)
    assert rights.instance(case.id).paused_at is None
    assert access_rows(rights) == [("partnermedewerker", "change", "case", str(case.id), "geweigerd")]

    casework.pause_deadlines(rights, REGISSEUR, case.id, REDEN, HERE)
    assert rights.instance(case.id).paused_by == "procesregisseur"
    with pytest.raises(casework.Forbidden):
        casework.resume_deadlines(rights, WOONFRIESLAND, case.id, HERE)
    assert rights.instance(case.id).paused_at is not None
    clock.now = ams(2026, 12, 2, 10)
    casework.resume_deadlines(rights, REGISSEUR, case.id, HERE)
    assert access_rows(rights)[1:] == [
        ("procesregisseur", "change", "case", str(case.id), "toegestaan"),
        ("partnermedewerker", "change", "case", str(case.id), "geweigerd"),
        ("procesregisseur", "change", "case", str(case.id), "toegestaan"),
    ]
    # A refusal for an empty reason happens after the policy check and logs nothing allowed.
    with pytest.raises(ReasonRequired):
        casework.pause_deadlines(rights, REGISSEUR, case.id, " ", HERE)
    assert len(access_rows(rights)) == 4
