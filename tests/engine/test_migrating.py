"""Moving running cases to a newer version (engine/migrating.py), on the real zvt_casus.

Version 2 renames the beoordeling, moves the late-beoordeling escalation from the teamleider to
the procesregisseur, gives the step that scales up to the safety chain a new id at the same place
(SpiffWorkflow aligns it by its place in the flow; a step with timers on its border, such as the
informing step, cannot be renamed so), drops the crisisoverleg task (so a case standing on it cannot move)
and adds a script after each zorgoverleg. Cases of version 1 stand at several points; a dry run
says what a move would do and changes nothing; the move keeps deadlines and task ids; every case
then runs to its end, on version 2 or, where it could not move, on version 1.
"""
from __future__ import annotations

import json
import re
import shutil
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.db import HistoryEntry, Instance
from engine.migrating import MigrationRefused
from tests.processes.conftest import FORMS, PROCESSES, add_partners
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN, PLAN, PRIVACYCHECK, new_case, zorgoverleg


@pytest.fixture(autouse=True)
def partners(engine):
    """The eight convenantpartners: the forms' partner choices come from the register."""
    add_partners(engine)


INFORMEREN_ID = "betrokkene_informeren"
RENAMED_ID = "opschalen_veiligheidsketen"
NEW_ID = "opschalen_keten"
OPSCHALEN = {"opgeschaald_naar": "Zorg- en Veiligheidshuis Fryslân", "datum": "2026-11-28", "toelichting": "Gevaar voor buren."}


def version_2(tmp_path):
    folder = tmp_path / "v2"
    shutil.copytree(PROCESSES, folder / "processes")
    shutil.copytree(FORMS, folder / "forms")
    path = folder / "processes" / "zvt_casus.bpmn"
    text = path.read_text().replace('name="Aanmelding beoordelen"', 'name="Aanmelding bekijken"')
    text = text.replace("<bpmn:flowNodeRef>beoordeling_te_laat</bpmn:flowNodeRef>", "").replace(
        "<bpmn:flowNodeRef>beoordeling</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>beoordeling</bpmn:flowNodeRef><bpmn:flowNodeRef>beoordeling_te_laat</bpmn:flowNodeRef>")
    text = text.replace(f'"{RENAMED_ID}"', f'"{NEW_ID}"').replace(f">{RENAMED_ID}<", f">{NEW_ID}<")
    text = text.replace(
        '<bpmn:sequenceFlow id="f_overleg_besluit" sourceRef="zorgoverleg_vastleggen" targetRef="overleg_besluit_gw" />',
        '<bpmn:sequenceFlow id="f_overleg_besluit" sourceRef="zorgoverleg_vastleggen" targetRef="overleg_tellen" />'
        '<bpmn:scriptTask id="overleg_tellen" name="Overleg tellen"><bpmn:incoming>f_overleg_besluit</bpmn:incoming>'
        '<bpmn:outgoing>f_na_tellen</bpmn:outgoing><bpmn:script>geteld_in_versie_2 = overleg_nummer</bpmn:script>'
        '</bpmn:scriptTask>'
        '<bpmn:sequenceFlow id="f_na_tellen" sourceRef="overleg_tellen" targetRef="overleg_besluit_gw" />')
    text = text.replace("<bpmn:incoming>f_overleg_besluit</bpmn:incoming>\n      <bpmn:outgoing>f_doorgaan",
                        "<bpmn:incoming>f_na_tellen</bpmn:incoming>\n      <bpmn:outgoing>f_doorgaan")
    assert text.count("f_na_tellen") == 3 and NEW_ID in text
    # The crisisoverleg is no longer a task of its own: after its privacy check the case goes straight on.
    text = re.sub(r'\s*<bpmn:userTask id="crisisoverleg_houden".*?</bpmn:userTask>', "", text, flags=re.S)
    text = re.sub(r'\s*<bpmn:sequenceFlow id="f_na_crisisoverleg"[^>]*/>', "", text)
    text = re.sub(r'\s*<bpmndi:(BPMNShape|BPMNEdge) id="(crisisoverleg_houden|f_na_crisisoverleg)_di".*?</bpmndi:\1>', "",
                  text, flags=re.S)
    text = text.replace("<bpmn:flowNodeRef>crisisoverleg_houden</bpmn:flowNodeRef>", "").replace(
        'targetRef="crisisoverleg_houden"', 'targetRef="na_crisisoverleg"').replace(
        "<bpmn:incoming>f_na_crisisoverleg</bpmn:incoming>", "<bpmn:incoming>f_naar_crisisoverleg</bpmn:incoming>")
    assert "crisisoverleg_houden" not in text
    path.write_text(text)
    forms = folder / "forms" / "zvt_casus"
    for suffix in (".schema.json", ".ui.json"):
        (forms / f"{RENAMED_ID}{suffix}").rename(forms / f"{NEW_ID}{suffix}")
        (forms / f"crisisoverleg_houden{suffix}").unlink()
    for path in forms.glob("*.ui.json"):
        ui = json.loads(path.read_text())
        ui["ui:context"] = [step for step in ui.get("ui:context", []) if step != "crisisoverleg_houden"]
        path.write_text(json.dumps(ui))
    return folder


@pytest.fixture
def cases(engine, clock, tmp_path):
    """Version 1 deployed and four cases on it, then version 2 deployed:
    waiting: waits for its beoordeling (a deadline timer waiting);
    late: its beoordeling is late, the teamleider holds the escalation;
    scaling: stands on scaling up to the safety chain, which version 2 gave a new id;
    crisis: stands on the crisisoverleg, which version 2 does not have;
    overleg: waits for its first zorgoverleg."""
    engine.deploy(PROCESSES, FORMS)
    late = new_case(engine)
    engine.fire_due_timers(late.task("beoordeling").due_at)
    engine.assign(late.task("beoordeling_te_laat").id, "teamleider", expected=None)
    waiting = new_case(engine)  # filed after that firing: its deadline still waits
    scaling = new_case(engine)
    scaling.complete("beoordeling", {**OPPAKKEN, "niveau": 4, "reden_afwijking": "Gevaar."}, role="procesregisseur")
    crisis = new_case(engine)
    crisis.complete("beoordeling", {**OPPAKKEN, "crisisoverleg": True}, role="procesregisseur")
    crisis.complete("privacycheck_crisisoverleg", PRIVACYCHECK, role="procesregisseur")
    overleg = new_case(engine)
    overleg.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    overleg.complete(INFORMEREN_ID, INFORMEREN, role="procesregisseur")
    overleg.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    overleg.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    overleg.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    [v2] = [v for v in engine.deploy(version_2(tmp_path) / "processes", version_2(tmp_path / "again") / "forms")
            if v.process_id == "zvt_casus"]
    assert v2.version == 2
    return {"waiting": waiting, "late": late, "scaling": scaling, "crisis": crisis, "overleg": overleg}


def versions(engine) -> dict[int, int]:
    with engine.database.unit_of_work(write=False) as uow:
        from engine.db import Definition
        return dict(uow.session.execute(select(Instance.id, Definition.version)
                                        .join(Definition, Definition.id == Instance.definition_id)).all())


def history_count(engine) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(HistoryEntry))


def test_a_dry_run_says_which_cases_can_move_and_changes_nothing(engine, cases):
    numbers = {name: case.id for name, case in cases.items()}
    assert engine.migration_candidates("zvt_casus") == sorted(numbers.values())
    before_versions, before_history = versions(engine), history_count(engine)
    results = {name: engine.migrate(number, actor="proceseigenaar", dry_run=True) for name, number in numbers.items()}

    assert {name: r.can_move for name, r in results.items()} == {
        "waiting": True, "late": True, "scaling": True, "crisis": False, "overleg": True}
    assert results["crisis"].missing == ["crisisoverleg_houden"] and "crisisoverleg_houden" in results["crisis"].reason
    assert [t.bpmn_id for t in results["scaling"].after] == [NEW_ID]
    assert [(t.bpmn_id, t.name) for t in results["waiting"].after] == [("beoordeling", "Aanmelding bekijken")]
    assert results["late"].lanes_changed == ["beoordeling_te_laat"]
    assert not any(r.moved for r in results.values())
    assert versions(engine) == before_versions and history_count(engine) == before_history
    assert cases["waiting"].task("beoordeling").name == "Aanmelding beoordelen"


def test_moving_keeps_the_deadline_and_the_task_and_is_in_the_history(engine, clock, cases):
    waiting, late = cases["waiting"], cases["late"]
    task, [timer] = waiting.task("beoordeling"), engine.timers(waiting.id)
    clock.now = clock.now + timedelta(hours=1)  # an hour later: a restarted timer would show it
    result = engine.migrate(waiting.id, actor="proceseigenaar", reason="Convenant 2027")
    assert result.moved and versions(engine)[waiting.id] == 2
    moved = waiting.task("beoordeling")
    assert (moved.id, moved.name, moved.due_at) == (task.id, "Aanmelding bekijken", task.due_at)
    assert [(t.id, t.due_at) for t in engine.timers(waiting.id)] == [(timer.id, timer.due_at)]
    [entry] = [h for h in engine.history(waiting.id) if h.task_type == "CaseMigrated"]
    assert (entry.name, entry.actor, entry.data) == (
        "Overgezet naar versie 2", "proceseigenaar", {"van_versie": 1, "naar_versie": 2, "reden": "Convenant 2027"})
    # A task that changed lane goes back to its new role: the teamleider who held it may not do it now.
    engine.migrate(late.id, actor="proceseigenaar")
    escalation = late.task("beoordeling_te_laat")
    assert (escalation.lane, escalation.assignee) == ("procesregisseur", None)


def test_a_case_that_cannot_move_is_refused_whole_and_stays_on_its_version(engine, cases):
    crisis = cases["crisis"]
    before = history_count(engine)
    with pytest.raises(MigrationRefused, match="crisisoverleg_houden"):
        engine.migrate(crisis.id, actor="proceseigenaar")
    assert versions(engine)[crisis.id] == 1 and history_count(engine) == before
    assert set(crisis.open_tasks()) == {"crisisoverleg_houden"}
    with pytest.raises(MigrationRefused, match="version 2 already|not older"):
        engine.migrate(cases["waiting"].id, to_version=1, actor="proceseigenaar")


def test_moved_and_unmoved_cases_all_run_to_their_end(engine, clock, cases):
    scaling_task = cases["scaling"].task(RENAMED_ID)
    for name in ("waiting", "late", "scaling", "overleg"):
        engine.migrate(cases[name].id, actor="proceseigenaar")
    # The scaling step kept its task (and id) under its new element, with the new form.
    moved = cases["scaling"].task(NEW_ID)
    assert (moved.id, moved.form) == (scaling_task.id, f"zvt_casus/{NEW_ID}")
    assert "opgeschaald_naar" in engine.form(moved.id)["properties"]
    # On version 2: the new script after the zorgoverleg.
    waiting = cases["waiting"]
    waiting.complete("beoordeling", OPPAKKEN, role="procesregisseur")
    waiting.complete(INFORMEREN_ID, INFORMEREN, role="procesregisseur")
    waiting.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    waiting.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    waiting.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    waiting.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")
    assert waiting.status == "completed" and waiting.data["geteld_in_versie_2"] == 1
    overleg = cases["overleg"]
    overleg.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")
    assert overleg.status == "completed" and overleg.data["geteld_in_versie_2"] == 1
    late = cases["late"]
    late.complete("beoordeling_te_laat", {"afspraak": "Vandaag beoordeeld."}, role="procesregisseur")
    late.complete("beoordeling", {**OPPAKKEN, "besluit_beoordeling": "niet_oppakken",
                                  "advies_alternatief": "Wijkteam"}, role="procesregisseur")
    assert late.status == "completed"
    scaling = cases["scaling"]
    scaling.complete(NEW_ID, OPSCHALEN, role="procesregisseur")
    scaling.complete(INFORMEREN_ID, INFORMEREN, role="procesregisseur")
    scaling.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    scaling.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    scaling.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    scaling.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")
    assert scaling.status == "completed" and scaling.data["geteld_in_versie_2"] == 1
    # On version 1, where it stayed: the crisisoverleg, the old scaling step, no counting script.
    crisis = cases["crisis"]
    crisis.complete("crisisoverleg_houden", {"datum": "2026-11-28", "aanwezige_partners": ["gemeente_heerenveen"],
                                             "afspraken": "Wijkagent gaat langs."}, role="procesregisseur")
    crisis.complete(INFORMEREN_ID, INFORMEREN, role="procesregisseur")
    crisis.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    crisis.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    crisis.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    crisis.complete("zorgoverleg", zorgoverleg("afronden"), role="procesregisseur")
    assert crisis.status == "completed" and "geteld_in_versie_2" not in crisis.data
    assert versions(engine)[crisis.id] == 1



def inserted(tmp_path, process: str, flow_id: str, element: str, lane: str | None):
    """The processes with `element` put into the sequence flow `flow_id` of `process`, in `lane`."""
    folder = tmp_path / "inserted"
    shutil.copytree(PROCESSES, folder / "processes")
    path = folder / "processes" / f"{process}.bpmn"
    text = path.read_text()
    [(source, target)] = re.findall(rf'<bpmn:sequenceFlow id="{flow_id}" sourceRef="([^"]+)" targetRef="([^"]+)" />', text)
    node = re.search(r'id="([^"]+)"', element).group(1)
    text = text.replace(f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />',
                        element.replace(">", f"><bpmn:incoming>{flow_id}</bpmn:incoming>"
                                             "<bpmn:outgoing>f_na_nieuw</bpmn:outgoing>", 1)
                        + f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{node}" />'
                        f'<bpmn:sequenceFlow id="f_na_nieuw" sourceRef="{node}" targetRef="{target}" />')
    target_at = text.index(f'id="{target}"')
    incoming = text.index(f"<bpmn:incoming>{flow_id}</bpmn:incoming>", target_at)
    text = text[:incoming] + "<bpmn:incoming>f_na_nieuw</bpmn:incoming>" + text[incoming + len(f"<bpmn:incoming>{flow_id}</bpmn:incoming>"):]
    if lane:
        text = re.sub(rf'(<bpmn:lane id="{lane}"[^>]*>)', rf"\1<bpmn:flowNodeRef>{node}</bpmn:flowNodeRef>", text)
    path.write_text(text)
    return folder / "processes"


def test_a_branch_waiting_behind_a_new_task_keeps_the_case_on_its_version_behind_a_new_script_it_moves(
        engine, tmp_path):
    """A datalek whose AP decision (no high risk) is done and waits at the join for "Partners
    informeren": a new version that adds a step between the AP branch's end and the join would
    pass it over, as SpiffWorkflow keeps the waiting branch where it stands."""
    from tests.processes.conftest import start
    from tests.processes.test_datalek import ap_besluit, melding
    engine.deploy(PROCESSES, FORMS)
    waiting, fresh = start(engine, "datalek", melding()), start(engine, "datalek", melding())
    waiting.complete("ap_besluit", ap_besluit("risico"), role="teamleider")
    assert "partners_informeren" in waiting.open_tasks() and "ap_besluit" not in waiting.open_tasks()
    [v2] = [v for v in engine.deploy(inserted(tmp_path / "task", "datalek", "f_naar_register",
            '<bpmn:userTask id="extra_controle" name="Extra controle"></bpmn:userTask>', "lane_fg"), FORMS)
            if v.process_id == "datalek"]
    [v3] = [v for v in engine.deploy(inserted(tmp_path / "script", "datalek", "f_naar_register",
            '<bpmn:scriptTask id="extra_teller" name="Extra teller"><bpmn:script>teller = 1</bpmn:script>'
            '</bpmn:scriptTask>', None), FORMS) if v.process_id == "datalek"]

    result = engine.migrate(waiting.id, v2.version, actor="proceseigenaar", dry_run=True)
    assert (result.can_move, result.skipped_tasks) == (False, ["extra_controle"]) and "extra_controle" in result.reason
    with pytest.raises(MigrationRefused, match="extra_controle"):
        engine.migrate(waiting.id, v2.version, actor="proceseigenaar")
    assert versions(engine)[waiting.id] == 1
    # A case whose AP branch has not got there yet moves and meets the new task.
    engine.migrate(fresh.id, v2.version, actor="proceseigenaar")
    fresh.complete("ap_besluit", ap_besluit("risico"), role="teamleider")
    assert "extra_controle" in fresh.open_tasks()
    # A script at that place is passed over, and said so; the case moves and goes on.
    result = engine.migrate(waiting.id, v3.version, actor="proceseigenaar")
    assert (result.moved, result.skipped, result.skipped_tasks) == (True, ["extra_teller"], [])
    assert "teller" not in waiting.data and "partners_informeren" in waiting.open_tasks()
