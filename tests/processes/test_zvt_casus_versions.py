"""Running zvt_casus cases and the version with a privacy check before every overleg (issue 13).

Version 1 is the process as it was deployed before (fixtures/zvt_casus_v_before: the BPMN without its
diagram, and the forms that changed since). Cases stand at the usual points. Those whose next steps the
new version leaves as they were, or where a new check still lies ahead, move to the current version
(engine/migrating.py) with their open tasks, due dates and timers, and run to their end on it, meeting
the new checks that lie ahead. A case standing at the crisisoverleg or at the plan would pass over the
check the new version puts right before it: the engine refuses to move it, and it runs to its end on
version 1."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from engine.migrating import MigrationRefused
from tests.processes.conftest import FORMS, PROCESSES, Case
from tests.processes.test_zvt_casus import (
    AMS_WINTER,
    BESLUIT_41,
    INFORMEREN,
    OPPAKKEN,
    PLAN,
    PRIVACYCHECK,
    new_case,
    zorgoverleg,
)

BEFORE = Path(__file__).parent / "fixtures" / "zvt_casus_v_before"
NEW_FORMS = ("privacycheck_crisisoverleg", "privacycheck_plangesprek")
CRISISOVERLEG = {"datum": "2026-11-28", "aanwezige_partners": ["gemeente_heerenveen"], "afspraken": "Wijkagent gaat langs."}
NIEUWE_ONTVANGERS = {"datum_geinformeerd": "2026-11-27", "manier": "telefoon", "ontvangers_en_doel": True}
MET_POLITIE = {**PRIVACYCHECK, "uitgenodigde_partners": [*PRIVACYCHECK["uitgenodigde_partners"], "politie"]}


def version_before(tmp_path) -> Path:
    folder = tmp_path / "v1"
    (folder / "processes").mkdir(parents=True)
    shutil.copy(BEFORE / "processes" / "zvt_casus.bpmn", folder / "processes")
    shutil.copy(PROCESSES / "afwegingskader.dmn", folder / "processes")
    shutil.copytree(FORMS / "zvt_casus", folder / "forms" / "zvt_casus")
    for name in NEW_FORMS:
        for suffix in (".schema.json", ".ui.json"):
            (folder / "forms" / "zvt_casus" / f"{name}{suffix}").unlink()
    shutil.copytree(BEFORE / "forms", folder / "forms", dirs_exist_ok=True)
    return folder


def version_now(tmp_path) -> Path:
    folder = tmp_path / "v2"
    (folder / "processes").mkdir(parents=True)
    for name in ("zvt_casus.bpmn", "afwegingskader.dmn"):
        shutil.copy(PROCESSES / name, folder / "processes")
    shutil.copytree(FORMS / "zvt_casus", folder / "forms" / "zvt_casus")
    return folder


@pytest.fixture
def cases(engine, clock, tmp_path) -> dict[str, Case]:
    """Cases on version 1 at the usual points, then the current version deployed as version 2."""
    before = version_before(tmp_path)
    [v1] = [v for v in engine.deploy(before / "processes", before / "forms") if v.process_id == "zvt_casus"]
    assert v1.version == 1
    found = {"beoordeling": new_case(engine)}

    found["crisisoverleg"] = new_case(engine)
    found["crisisoverleg"].complete("beoordeling", {**OPPAKKEN, "crisisoverleg": True}, role="procesregisseur")

    found["informeren"] = new_case(engine)
    found["informeren"].complete("beoordeling", OPPAKKEN, role="procesregisseur")

    found["plan"] = new_case(engine)
    found["plan"].complete("beoordeling", OPPAKKEN, role="procesregisseur")
    found["plan"].complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")

    found["plan_art41"] = new_case(engine)
    found["plan_art41"].complete("beoordeling", {**OPPAKKEN, "informeren": "niet_informeren"}, role="procesregisseur")
    found["plan_art41"].complete("besluit_niet_informeren", BESLUIT_41, role="procesregisseur")

    for name in ("privacycheck", "nieuwe_ontvangers", "zorgoverleg"):
        case = found[name] = new_case(engine)
        case.complete("beoordeling", OPPAKKEN, role="procesregisseur")
        case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
        case.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    found["nieuwe_ontvangers"].complete("privacycheck", MET_POLITIE, role="procesregisseur")
    found["zorgoverleg"].complete("privacycheck", PRIVACYCHECK, role="procesregisseur")

    now = version_now(tmp_path)
    [v2] = [v for v in engine.deploy(now / "processes", now / "forms") if v.process_id == "zvt_casus"]
    assert v2.version == 2
    return found


MOVING = ("beoordeling", "informeren", "privacycheck", "nieuwe_ontvangers", "zorgoverleg")
# Would pass over the check the new version puts right before where the case stands.
STAYING = {"crisisoverleg": "privacycheck_crisisoverleg", "plan": "privacycheck_plangesprek",
           "plan_art41": "privacycheck_plangesprek"}


def test_a_case_moves_with_its_open_tasks_and_deadlines_unless_it_would_pass_over_a_new_check(engine, cases):
    open_before = {name: case.open_tasks() for name, case in cases.items()}
    tasks_before = {name: sorted((t.id, t.due_at) for t in engine.ready_tasks(case.id)) for name, case in cases.items()}
    timers_before = {name: case.timers() for name, case in cases.items()}
    assert open_before == {
        "beoordeling": {"beoordeling": "procesregisseur"}, "crisisoverleg": {"crisisoverleg_houden": "procesregisseur"},
        "informeren": {"betrokkene_informeren": "procesregisseur"}, "plan": {"plan_van_aanpak": "procesregisseur"},
        "plan_art41": {"plan_van_aanpak": "procesregisseur"}, "privacycheck": {"privacycheck": "procesregisseur"},
        "nieuwe_ontvangers": {"nieuwe_ontvangers_informeren": "procesregisseur"},
        "zorgoverleg": {"zorgoverleg": "procesregisseur"}}
    dry = {name: engine.migrate(case.id, actor="proceseigenaar", dry_run=True) for name, case in cases.items()}
    assert {name: (r.can_move, r.reason) for name, r in dry.items() if name in MOVING} == dict.fromkeys(
        MOVING, (True, None))
    for name, check in STAYING.items():
        assert not dry[name].can_move and dry[name].skipped_tasks == [check] and check in dry[name].reason, name

    for name in MOVING:
        assert engine.migrate(cases[name].id, actor="proceseigenaar", reason="Privacycheck voor elk overleg").moved
    for name in STAYING:
        with pytest.raises(MigrationRefused, match=STAYING[name]):
            engine.migrate(cases[name].id, actor="proceseigenaar", reason="Privacycheck voor elk overleg")
    assert {name: engine.instance(case.id).version for name, case in cases.items()} == {
        name: 2 if name in MOVING else 1 for name in cases}
    assert {name: case.open_tasks() for name, case in cases.items()} == open_before
    assert {name: sorted((t.id, t.due_at) for t in engine.ready_tasks(case.id))
            for name, case in cases.items()} == tasks_before
    assert {name: case.timers() for name, case in cases.items()} == timers_before
    # The betrokkene hears of the police before the overleg the plan set, as before the move.
    assert cases["nieuwe_ontvangers"].task("nieuwe_ontvangers_informeren").due_at == datetime(
        2026, 12, 14, 23, 59, 59, tzinfo=AMS_WINTER)


def finish_with_zorgoverleg(case: Case) -> None:
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")


def test_moved_cases_meet_the_new_checks_that_lie_ahead_and_all_cases_run_to_their_end(engine, cases):
    for name in MOVING:
        engine.migrate(cases[name].id, actor="proceseigenaar")

    # Moved before its beoordeling: a crisisoverleg now has its own privacy check.
    case = cases["beoordeling"]
    case.complete("beoordeling", {**OPPAKKEN, "crisisoverleg": True}, role="procesregisseur")
    assert case.open_tasks() == {"privacycheck_crisisoverleg": "procesregisseur"}
    case.complete("privacycheck_crisisoverleg", {"uitgenodigde_partners": ["gemeente_heerenveen", "politie"],
                                                 "noodzaak_nagegaan": True}, role="procesregisseur")
    case.complete("crisisoverleg_houden", {**CRISISOVERLEG, "aanwezige_partners": ["politie"]}, role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    case.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    finish_with_zorgoverleg(case)

    # Moved at informing: then the plangesprek's check, which knows it comes before the plan.
    case = cases["informeren"]
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    case.complete("privacycheck_plangesprek", MET_POLITIE, role="procesregisseur")
    assert case.open_tasks() == {"nieuwe_ontvangers_informeren": "procesregisseur"}
    case.complete("nieuwe_ontvangers_informeren", NIEUWE_ONTVANGERS, role="procesregisseur")
    assert case.open_tasks() == {"plan_van_aanpak": "procesregisseur"}
    case.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    case.complete("privacycheck", MET_POLITIE, role="procesregisseur")  # the police were told already
    case.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")

    # Moved at the zorgoverleg's check, at telling of a new recipient, at the zorgoverleg: on to the zorgoverleg.
    cases["privacycheck"].complete("privacycheck", MET_POLITIE, role="procesregisseur")
    assert cases["privacycheck"].open_tasks() == {"nieuwe_ontvangers_informeren": "procesregisseur"}
    for name in ("privacycheck", "nieuwe_ontvangers"):
        cases[name].complete("nieuwe_ontvangers_informeren", NIEUWE_ONTVANGERS, role="procesregisseur")
        assert cases[name].open_tasks() == {"zorgoverleg": "procesregisseur"}
        assert "politie" in cases[name].data["deelnemende_partners"]
        cases[name].complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")
    case = cases["zorgoverleg"]
    case.complete("zorgoverleg", zorgoverleg("doorgaan"), role="procesregisseur")
    finish_with_zorgoverleg(case)

    # Stayed on version 1: the crisisoverleg, the plan (also under art. 41), then as that version goes.
    case = cases["crisisoverleg"]
    case.complete("crisisoverleg_houden", CRISISOVERLEG, role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")
    assert case.open_tasks() == {"plan_van_aanpak": "procesregisseur"}
    for name in STAYING:
        cases[name].complete("plan_van_aanpak", {**PLAN, "betrokkene_aanwezig": False,
                                                 "betrokkene_over_plan_geinformeerd": "nee_artikel_41"}
                             if name == "plan_art41" else PLAN, role="procesregisseur")
        finish_with_zorgoverleg(cases[name])
    cases["plan_art41"].complete("art41_slotbesluit", {"slotbesluit": "nu_informeren", "datum_geinformeerd": "2026-11-27",
                                                       "manier": "gesprek", "rechten_uitgelegd": True},
                                 role="procesregisseur")

    assert {name: case.status for name, case in cases.items()} == dict.fromkeys(cases, "completed")
    assert {name: engine.instance(case.id).version for name, case in cases.items()} == {
        name: 2 if name in MOVING else 1 for name in cases}
    assert not any("privacycheck_plangesprek" in cases[name].visited()
                   for name in ("privacycheck", "nieuwe_ontvangers", "zorgoverleg", *STAYING))
