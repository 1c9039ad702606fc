"""Start forms, caller context, read-only form fields and scheduled (timer-start) processes."""
import json
from datetime import datetime, timezone

import pytest

from engine import DefinitionRefused, EngineError, InvalidTaskData
from tests.engine.bpmn import HEAD

START_FORM = {
    "type": "object", "required": ["naam"], "additionalProperties": False,
    "properties": {"naam": {"type": "string", "minLength": 2}, "ernstig": {"type": "boolean"}},
}

# The reason is required only when the niveau differs from the suggested one, which the
# form shows read-only from the case.
CONFIRM_FORM = {
    "type": "object", "required": ["niveau"], "additionalProperties": False,
    "properties": {
        "voorstel": {"type": "integer", "readOnly": True},
        "niveau": {"type": "integer", "minimum": 0, "maximum": 4},
        "reden": {"type": "string", "minLength": 5},
    },
    "allOf": [{
        "if": {"properties": {"voorstel": {"const": v}, "niveau": {"not": {"const": v}}}, "required": ["voorstel"]},
        "then": {"required": ["reden"]},
    } for v in range(5)],
}


def met_startformulier():
    return (HEAD.format(pid="met_start") + '<bpmn:process id="met_start" isExecutable="true">'
            '<bpmn:laneSet id="ls"><bpmn:lane id="l" name="procesregisseur"><bpmn:flowNodeRef>bevestigen</bpmn:flowNodeRef>'
            '</bpmn:lane></bpmn:laneSet>'
            '<bpmn:startEvent id="aanmelding" />'
            '<bpmn:scriptTask id="voorstellen"><bpmn:script>voorstel = 3 if ernstig else 1</bpmn:script></bpmn:scriptTask>'
            '<bpmn:userTask id="bevestigen" name="Niveau bevestigen" />'
            '<bpmn:endEvent id="einde" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="aanmelding" targetRef="voorstellen" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="voorstellen" targetRef="bevestigen" />'
            '<bpmn:sequenceFlow id="f3" sourceRef="bevestigen" targetRef="einde" />'
            '</bpmn:process></bpmn:definitions>')


def gepland(reeks="R/2026-01-15T09:00/P1Y", pid="evaluatie"):
    return (HEAD.format(pid=pid) + f'<bpmn:process id="{pid}" isExecutable="true">'
            '<bpmn:laneSet id="ls"><bpmn:lane id="l" name="manager"><bpmn:flowNodeRef>bespreken</bpmn:flowNodeRef>'
            '</bpmn:lane></bpmn:laneSet>'
            '<bpmn:startEvent id="jaarlijks"><bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
            f'volgende_keer("{reeks}")</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:startEvent>'
            '<bpmn:userTask id="bespreken" name="Bespreken" />'
            '<bpmn:endEvent id="einde" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="jaarlijks" targetRef="bespreken" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="bespreken" targetRef="einde" />'
            '</bpmn:process></bpmn:definitions>')


def write(tmp_path, pid, bpmn, forms=None):
    (tmp_path / "processes").mkdir(exist_ok=True)
    (tmp_path / "processes" / f"{pid}.bpmn").write_text(bpmn)
    for task, schema in (forms or {}).items():
        (tmp_path / "forms" / pid).mkdir(parents=True, exist_ok=True)
        (tmp_path / "forms" / pid / f"{task}.schema.json").write_text(json.dumps(schema))
    return tmp_path / "processes"


@pytest.fixture
def met_start(engine, tmp_path):
    engine.deploy(write(tmp_path, "met_start", met_startformulier(),
                        {"aanmelding": START_FORM, "bevestigen": CONFIRM_FORM}))
    return engine


def test_start_data_is_checked_against_the_start_form_and_nothing_is_stored_when_it_fails(met_start):
    with pytest.raises(InvalidTaskData) as refused:
        met_start.start("met_start", {"naam": "A", "kleur": "rood"}, actor="jan")
    assert {(e.field, e.message) for e in refused.value.errors} >= {("kleur", "this field is not part of the form")}
    assert "naam" in {e.field for e in refused.value.errors}
    assert met_start.ready_tasks() == []
    assert met_start.start_form("met_start") == START_FORM


def test_context_from_the_caller_is_added_but_may_not_overwrite_the_form(met_start):
    instance = met_start.start("met_start", {"naam": "Anna", "ernstig": True}, actor="jan",
                               context={"aanmelder_partner": "politie"})
    assert met_start.instance(instance).data["aanmelder_partner"] == "politie"
    with pytest.raises(ValueError, match="naam"):
        met_start.start("met_start", {"naam": "Anna"}, actor="jan", context={"naam": "Bob"})


def test_a_read_only_field_comes_from_the_case_and_drives_the_form_rules(met_start):
    met_start.start("met_start", {"naam": "Anna", "ernstig": True}, actor="jan")
    [task] = met_start.ready_tasks()
    assert met_start.form_values(task.id) == {"voorstel": 3}

    with pytest.raises(InvalidTaskData) as refused:
        met_start.complete(task.id, {"niveau": 2}, actor="piet")
    assert [(e.field, e.message) for e in refused.value.errors] == [("reden", "this field is required")]

    with pytest.raises(InvalidTaskData) as refused:
        met_start.complete(task.id, {"niveau": 3, "voorstel": 2}, actor="piet")
    assert [e.field for e in refused.value.errors] == ["voorstel"]

    met_start.complete(task.id, {"niveau": 3}, actor="piet")  # the suggestion taken: no reason needed
    assert met_start.ready_tasks() == []


def test_a_read_only_field_cannot_be_required(engine, tmp_path):
    form = dict(CONFIRM_FORM, required=["niveau", "voorstel"])
    with pytest.raises(DefinitionRefused, match="read-only field 'voorstel'"):
        engine.deploy(write(tmp_path, "met_start", met_startformulier(), {"aanmelding": START_FORM, "bevestigen": form}))


def test_deploying_a_scheduled_process_leaves_one_instance_waiting_for_the_next_moment(engine, tmp_path, clock):
    folder = write(tmp_path, "evaluatie", gepland())
    engine.deploy(folder)
    engine.deploy(folder)  # unchanged: still one waiting
    [timer] = engine.timers()
    assert timer.due_at == datetime(2027, 1, 15, 8, 0, tzinfo=timezone.utc)
    assert engine.instance(timer.instance_id).status == "scheduled"
    with pytest.raises(EngineError, match="starts by its timer"):
        engine.start("evaluatie", {}, actor="jan")

    assert engine.fire_due_timers(datetime(2027, 1, 15, 8, 0, tzinfo=timezone.utc)) == 1
    [task] = engine.ready_tasks(role="manager")
    assert engine.instance(task.instance_id).status == "running"
    [next_timer] = engine.timers()
    assert next_timer.due_at == datetime(2028, 1, 15, 8, 0, tzinfo=timezone.utc)
    assert engine.instance(next_timer.instance_id).status == "scheduled"
    assert next_timer.instance_id != task.instance_id


def test_a_new_version_of_a_scheduled_process_replaces_the_waiting_instance(engine, tmp_path):
    engine.deploy(write(tmp_path, "evaluatie", gepland()))
    [old] = engine.timers()
    engine.deploy(write(tmp_path, "evaluatie", gepland("R/2026-03-01T09:00/P1Y")))
    [new] = engine.timers()
    assert new.instance_id != old.instance_id
    assert engine.instance(old.instance_id).status == "cancelled"
    assert new.due_at == datetime(2027, 3, 1, 8, 0, tzinfo=timezone.utc)
    assert engine.instance(new.instance_id).version == 2


def test_a_timer_start_beside_another_start_is_refused(engine, tmp_path):
    bpmn = gepland().replace('<bpmn:userTask id="bespreken"', '<bpmn:startEvent id="hand" /><bpmn:userTask id="bespreken"').replace(
        '<bpmn:sequenceFlow id="f2"', '<bpmn:sequenceFlow id="f9" sourceRef="hand" targetRef="bespreken" /><bpmn:sequenceFlow id="f2"')
    with pytest.raises(DefinitionRefused, match="timer start event can have no other start event"):
        engine.deploy(write(tmp_path, "evaluatie", bpmn))


def test_the_database_refuses_a_second_waiting_instance_of_a_scheduled_process(engine, tmp_path, clock):
    from sqlalchemy.exc import IntegrityError

    from engine.db import Instance

    engine.deploy(write(tmp_path, "evaluatie", gepland()))
    [timer] = engine.timers()
    with pytest.raises(IntegrityError):
        with engine.database.unit_of_work() as uow:
            waiting = uow.session.get(Instance, timer.instance_id)
            uow.session.add(Instance(definition_id=waiting.definition_id, process_id="evaluatie", status="scheduled",
                                     state=None, data={}, started_at=clock.now, started_by="x", updated_at=clock.now))
            uow.session.flush()
