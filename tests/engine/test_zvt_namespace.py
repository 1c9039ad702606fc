"""ZVT's own BPMN namespace (engine/zvt_namespace.py): what its attributes make of a process, that a
file in the older form (`spiffworkflow:property`) means the same, and deploy's refusals."""
from __future__ import annotations

import re
import shutil

import pytest

from engine import DefinitionRefused
from engine.definitions import read_folder
from engine.runtime import is_reminder
from tests.engine.bpmn import HEAD, older_form
from tests.processes.conftest import FORMS, PROCESSES

ZVT = 'xmlns:zvt="https://zvt.heerenveen.example/schema/bpmn/1.0" '
SPIFF = 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '


def spiff_properties(**values) -> str:
    return ("<bpmn:extensionElements><spiffworkflow:properties>"
            + "".join(f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in values.items())
            + "</spiffworkflow:properties></bpmn:extensionElements>")


# Every ZVT setting once: a lane's role, a due date, a reminder and a deadline, a message, a decision.
NEW = {"lane": 'name="Regie (gemeente)" zvt:rol="procesregisseur"',
       "task": 'zvt:termijn="uiterlijk">',
       "reminder": 'zvt:herinnering="true">',
       "deadline": 'zvt:herinnering="false">',
       "message": 'zvt:bericht="terugkoppeling" zvt:berichtAan="partnermedewerker" zvt:berichtPartner="partner">',
       "decision": 'zvt:beslistabel="afwegingskader">'}
OLD = {"lane": 'name="procesregisseur"',
       "task": ">" + spiff_properties(termijn="uiterlijk"),
       "reminder": ">" + spiff_properties(herinnering="ja"),
       "deadline": ">",
       "message": ">" + spiff_properties(bericht="terugkoppeling", bericht_aan="partnermedewerker",
                                         bericht_partner="partner"),
       "decision": "><bpmn:extensionElements><spiffworkflow:calledDecisionId>afwegingskader"
                   "</spiffworkflow:calledDecisionId></bpmn:extensionElements>"}


def process(parts: dict[str, str], namespace: str) -> str:
    timer = ('<bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">uiterlijk'
             '</bpmn:timeDate></bpmn:timerEventDefinition>')
    refs = ["start", "zetten", "voorstel", "melden", "taak", "herinnering", "deadline", "einde", "h_einde", "d_einde"]
    return (HEAD.format(pid="instellingen").replace("<bpmn:definitions ", "<bpmn:definitions " + namespace)
            + '<bpmn:process id="instellingen" isExecutable="true">'
            f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane_1" {parts["lane"]}>'
            + "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs) + "</bpmn:lane></bpmn:laneSet>"
            '<bpmn:startEvent id="start" />'
            '<bpmn:scriptTask id="zetten"><bpmn:script>uiterlijk = "2027-05-17T17:00:00+02:00"\n'
            'partner = "accolade"\nsoort_casus = "overlast"\nrisico = "hoog"</bpmn:script></bpmn:scriptTask>'
            f'<bpmn:businessRuleTask id="voorstel" {parts["decision"]}</bpmn:businessRuleTask>'
            f'<bpmn:intermediateThrowEvent id="melden" {parts["message"]}</bpmn:intermediateThrowEvent>'
            f'<bpmn:userTask id="taak" name="Taak" {parts["task"]}</bpmn:userTask>'
            f'<bpmn:boundaryEvent id="herinnering" attachedToRef="taak" cancelActivity="false" {parts["reminder"]}'
            f'{timer}</bpmn:boundaryEvent>'
            f'<bpmn:boundaryEvent id="deadline" attachedToRef="taak" cancelActivity="false" {parts["deadline"]}'
            f'{timer}</bpmn:boundaryEvent>'
            '<bpmn:endEvent id="einde" /><bpmn:endEvent id="h_einde" /><bpmn:endEvent id="d_einde" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="zetten" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="zetten" targetRef="voorstel" />'
            '<bpmn:sequenceFlow id="f3" sourceRef="voorstel" targetRef="melden" />'
            '<bpmn:sequenceFlow id="f4" sourceRef="melden" targetRef="taak" />'
            '<bpmn:sequenceFlow id="f5" sourceRef="taak" targetRef="einde" />'
            '<bpmn:sequenceFlow id="f6" sourceRef="herinnering" targetRef="h_einde" />'
            '<bpmn:sequenceFlow id="f7" sourceRef="deadline" targetRef="d_einde" />'
            '</bpmn:process></bpmn:definitions>')


def read(tmp_path, text: str):
    folder = tmp_path / "processes"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "instellingen.bpmn").write_text(text, encoding="utf-8")
    shutil.copy(PROCESSES / "afwegingskader.dmn", folder / "afwegingskader.dmn")
    [bundle] = read_folder(folder, tmp_path / "forms")
    return bundle


def settings(bundle) -> dict:
    return {bpmn_id: (ts.lane, ts.extensions.get("properties"), getattr(ts, "dmnEngine", None) and ts.dmnEngine.decision_table.id)
            for ts in bundle.spec.task_specs.values() if (bpmn_id := getattr(ts, "bpmn_id", None))}


def test_the_zvt_attributes_give_the_engine_what_the_older_form_gave(tmp_path):
    new = settings(read(tmp_path / "new", process(NEW, ZVT)))
    old = settings(read(tmp_path / "old", process(OLD, SPIFF)))
    assert new == old
    assert new["taak"] == ("procesregisseur", {"termijn": "uiterlijk"}, None)
    assert new["melden"][1] == {"bericht": "terugkoppeling", "bericht_aan": "partnermedewerker", "bericht_partner": "partner"}
    assert new["voorstel"][2] == "afwegingskader_tabel"  # the decision's table


def test_a_lane_is_its_role_whatever_its_label_and_a_timer_is_a_reminder_only_when_it_says_so(tmp_path):
    bundle = read(tmp_path, process(NEW, ZVT))
    specs = {ts.bpmn_id: ts for ts in bundle.spec.task_specs.values() if getattr(ts, "bpmn_id", None)}
    assert specs["taak"].lane == "procesregisseur"
    assert is_reminder(specs["herinnering"]) and not is_reminder(specs["deadline"])
    assert 'name="Regie (gemeente)"' in bundle.files["instellingen.bpmn"]  # the file is stored as written


def every_setting(folder) -> dict:
    return {bundle.process_id: {**settings(bundle), **{f"{sub}/{k}": v for sub, spec in bundle.subprocess_specs.items()
                                                       for k, v in settings_of(spec).items()}}
            for bundle in read_folder(folder, FORMS)}


def settings_of(spec) -> dict:
    return {ts.bpmn_id: (ts.lane, ts.extensions.get("properties")) for ts in spec.task_specs.values()
            if getattr(ts, "bpmn_id", None)}


def test_every_process_file_in_the_older_form_deploys_to_the_same_specs(tmp_path):
    older = tmp_path / "processes"
    shutil.copytree(PROCESSES, older)
    for path in older.glob("*.bpmn"):
        text = path.read_text(encoding="utf-8")
        assert "zvt:" in text
        path.write_text(older_form(text), encoding="utf-8")
        # Only a lane bound to a partner keeps its zvt:partner: the older form had no such lanes.
        assert re.sub(r' zvt:partner="\w+"| xmlns:zvt="[^"]*"', "", path.read_text(encoding="utf-8")).count("zvt:") == 0
    now, before = every_setting(PROCESSES), every_setting(older)
    assert now == before
    assert now["datalek"]["partners_herinnering"][1] == {"herinnering": "ja"}
    assert now["zvt_casus"]["niveau_voorstel"][2] == "afwegingskader_tabel"


@pytest.mark.parametrize("part, written, reason", [
    ("task", 'zvt:termyn="uiterlijk">', "unknown ZVT attribute zvt:termyn; known are: zvt:actie, zvt:bericht,"),
    ("task", 'zvt:rol="fg">', "zvt:rol does not belong on a userTask"),
    ("reminder", 'zvt:herinnering="ja">', 'zvt:herinnering is "true" (a reminder) or "false" (the deadline)'),
    ("decision", 'zvt:beslistabel=" ">', "zvt:beslistabel is empty"),
    ("lane", 'name="Stagiair" zvt:rol="stagiair"', "lane role 'stagiair' is not a role; give the lane zvt:rol"),
    ("message", 'zvt:bericht="terugkoppeling">', "attribute 'zvt:berichtAan'"),
])
def test_deploy_refuses_a_zvt_attribute_it_cannot_run_naming_the_element(tmp_path, part, written, reason):
    with pytest.raises(DefinitionRefused) as refused:
        read(tmp_path, process({**NEW, part: written}, ZVT))
    reasons = [p.reason for p in refused.value.problems]
    assert any(reason in r for r in reasons), reasons
    assert all(p.file == "instellingen.bpmn" for p in refused.value.problems)
