"""The whole processes/ and forms/ folders, deployed as `make run` deploys them."""
import json

from lxml import etree

from tests.processes.conftest import BPMN_NS, FORMS, PROCESSES

COVENANT_PROCESSES = {"zvt_casus", "convenant", "datalek", "rechten_betrokkene", "klacht", "jaarlijkse_evaluatie", "toegangsreview"}
SCHEDULED = {"jaarlijkse_evaluatie", "toegangsreview"}


def test_every_covenant_process_deploys_and_the_scheduled_ones_wait_for_their_moment(engine):
    versions = engine.deploy(PROCESSES, FORMS)
    assert {v.process_id for v in versions} == COVENANT_PROCESSES
    waiting = {engine.instance(t.instance_id).process_id for t in engine.timers()}
    assert waiting == SCHEDULED
    assert all(engine.instance(t.instance_id).status == "scheduled" for t in engine.timers())


def test_every_user_task_and_plain_start_has_a_dutch_form_with_titles():
    missing, untitled = [], []
    for path in sorted(PROCESSES.glob("*.bpmn")):
        tree = etree.parse(str(path))
        for process in tree.xpath("//bpmn:process", namespaces=BPMN_NS):
            pid = process.get("id")
            elements = process.xpath("./bpmn:userTask | ./bpmn:startEvent[not(*[contains(local-name(), 'EventDefinition')])]",
                                     namespaces=BPMN_NS)
            for element in elements:
                form = FORMS / pid / f"{element.get('id')}.schema.json"
                if not form.is_file():
                    missing.append(f"{pid}/{element.get('id')}")
                    continue
                schema = json.loads(form.read_text(encoding="utf-8"))
                if not schema.get("title") or not schema.get("description"):
                    untitled.append(f"{form.name}: form title/description")
                untitled.extend(f"{form.name}: {name}" for name, prop in schema["properties"].items() if not prop.get("title"))
    assert missing == []
    assert untitled == []
