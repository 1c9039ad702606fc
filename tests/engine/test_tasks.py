import pytest
from sqlalchemy import func, select

from engine import InvalidTaskData, ProcessNotFound, TaskNotFound, WorkflowFailed
from engine.db import HistoryEntry, Instance

GOOD = {"besluit": "oppakken", "toelichting": "Huurachterstand en overlast, team pakt op."}


def only_task(engine, instance_id, bpmn_id):
    [task] = [t for t in engine.ready_tasks(instance_id) if t.bpmn_id == bpmn_id]
    return task


def test_start_runs_to_the_first_user_task_with_its_lane_form_and_due_date(deployed, clock):
    instance_id = deployed.start("proef_casus", {"aanmelder": "Woonstichting Voorbeeld"}, actor="piet")

    [task] = deployed.ready_tasks(instance_id)
    assert (task.bpmn_id, task.name, task.lane) == ("beoordeling", "Aanmelding beoordelen", "procesregisseur")
    assert task.form == "proef_casus/beoordeling"
    assert task.due_at == clock.now.replace(day=30)  # the P3D boundary timer
    view = deployed.instance(instance_id)
    assert (view.status, view.version, view.started_by) == ("running", 1, "piet")
    assert view.data == {"aanmelder": "Woonstichting Voorbeeld", "termijn": "P3D"}


def test_history_records_every_finished_element_with_who_and_when(deployed, clock):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    clock.advance(hours=2)
    deployed.complete(only_task(deployed, instance_id, "beoordeling").id, GOOD, actor="anna")

    history = deployed.history(instance_id)
    assert [(h.bpmn_id, h.actor, h.state) for h in history] == [
        ("start", "piet", "completed"),
        ("zet_termijn", "piet", "completed"),
        ("beoordeling", "anna", "completed"),
        ("besluit", "anna", "completed"),
    ]
    assert history[2].finished_at == clock.now
    assert history[2].name == "Aanmelding beoordelen"


def test_the_gateway_follows_the_decision_in_the_form(deployed):
    taken_up = deployed.start("proef_casus", {}, actor="piet")
    not_taken_up = deployed.start("proef_casus", {}, actor="piet")

    deployed.complete(only_task(deployed, taken_up, "beoordeling").id, GOOD, actor="anna")
    deployed.complete(only_task(deployed, not_taken_up, "beoordeling").id,
                      {"besluit": "niet_oppakken", "toelichting": "Geen zorg- en veiligheidsprobleem."}, actor="anna")

    assert [t.bpmn_id for t in deployed.ready_tasks(taken_up)] == ["plan"]
    assert deployed.ready_tasks(not_taken_up) == []
    assert deployed.instance(not_taken_up).status == "completed"
    assert deployed.instance(not_taken_up).data["besluit"] == "niet_oppakken"
    assert "einde_niet_opgepakt" in [h.bpmn_id for h in deployed.history(not_taken_up)]
    assert deployed.timers(not_taken_up) == []


def test_completing_the_last_task_completes_the_instance(deployed, clock):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    deployed.complete(only_task(deployed, instance_id, "beoordeling").id, GOOD, actor="anna")
    clock.advance(days=1)
    deployed.complete(only_task(deployed, instance_id, "plan").id, {}, actor="anna")

    view = deployed.instance(instance_id)
    assert (view.status, view.completed_at) == ("completed", clock.now)
    assert view.data["toelichting"] == GOOD["toelichting"]


def test_invalid_form_data_lists_every_failing_field_and_saves_nothing(deployed, database_url):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    task = only_task(deployed, instance_id, "beoordeling")
    history_before = deployed.history(instance_id)
    with deployed.database.unit_of_work(write=False) as uow:
        revision_before = uow.session.get(Instance, instance_id).revision

    with pytest.raises(InvalidTaskData) as refused:
        deployed.complete(task.id, {"besluit": "misschien", "onbekend": 1}, actor="anna")

    assert sorted((e.field, e.message) for e in refused.value.errors) == [
        ("besluit", "'misschien' is not one of ['oppakken', 'niet_oppakken']"),
        ("onbekend", "this field is not part of the form"),
        ("toelichting", "this field is required"),
    ]
    assert deployed.ready_tasks(instance_id) == [task]
    assert deployed.history(instance_id) == history_before
    with deployed.database.unit_of_work(write=False) as uow:
        assert uow.session.get(Instance, instance_id).revision == revision_before


def test_invalid_type_and_length_are_reported_per_field(deployed):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    task = only_task(deployed, instance_id, "beoordeling")

    with pytest.raises(InvalidTaskData) as refused:
        deployed.complete(task.id, {"besluit": 3, "toelichting": "kort"}, actor="anna")

    fields = {e.field for e in refused.value.errors}
    assert fields == {"besluit", "toelichting"}


def test_a_task_without_a_form_takes_no_data(deployed):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    deployed.complete(only_task(deployed, instance_id, "beoordeling").id, GOOD, actor="anna")
    plan = only_task(deployed, instance_id, "plan")
    assert plan.form is None and deployed.form(plan.id) is None

    with pytest.raises(InvalidTaskData, match="this task takes no data"):
        deployed.complete(plan.id, {"stiekem": "extra"}, actor="anna")
    assert deployed.ready_tasks(instance_id) == [plan]


def test_data_that_would_shadow_a_script_global_is_refused_as_a_field(deployed):
    with pytest.raises(InvalidTaskData) as refused:
        deployed.start("proef_casus", {"datetime": "vandaag", "naam": "ok"}, actor="piet")
    assert [e.field for e in refused.value.errors] == ["datetime"]


def test_data_that_is_not_plain_json_is_refused(deployed):
    with pytest.raises(InvalidTaskData):
        deployed.start("proef_casus", {"typename": "BpmnWorkflow"}, actor="piet")
    with pytest.raises(InvalidTaskData):
        deployed.start("proef_casus", {"x": float("nan")}, actor="piet")


def test_ready_tasks_filters_by_role_and_by_user(deployed, clock):
    first = deployed.start("proef_casus", {}, actor="piet")
    second = deployed.start("proef_casus", {}, actor="piet")
    clock.advance(days=4)
    deployed.fire_due_timers()

    assert {t.bpmn_id for t in deployed.ready_tasks(role="teamleider")} == {"escalatie"}
    assert len(deployed.ready_tasks(role="teamleider")) == 2
    assert len(deployed.ready_tasks(role=["procesregisseur", "teamleider"])) == 4
    assert deployed.ready_tasks(user="anna") == []
    assert {t.instance_id for t in deployed.ready_tasks(role="procesregisseur", user="anna")} == {first, second}


def test_starting_an_unknown_process_is_refused_and_stores_nothing(deployed):
    with pytest.raises(ProcessNotFound):
        deployed.start("bestaat_niet", {}, actor="piet")
    with deployed.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Instance)) == 0


def test_completing_an_unknown_task_says_not_found(deployed):
    with pytest.raises(TaskNotFound):
        deployed.complete("00000000-0000-0000-0000-000000000000", {}, actor="anna")
    with pytest.raises(TaskNotFound):
        deployed.complete("geen-uuid", {}, actor="anna")


def test_a_failing_script_saves_nothing(engine, tmp_path):
    (tmp_path / "processes").mkdir()
    source = (tmp_path / "processes" / "deling.bpmn")
    from tests.engine.bpmn import simple_process
    source.write_text(simple_process("deling", script="uitkomst = 1 / teller"))
    engine.deploy(tmp_path / "processes")

    with pytest.raises(WorkflowFailed, match="division by zero"):
        engine.start("deling", {"teller": 0}, actor="piet")
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Instance)) == 0
        assert uow.session.scalar(select(func.count()).select_from(HistoryEntry)) == 0
    assert engine.instance(engine.start("deling", {"teller": 4}, actor="piet")).data["uitkomst"] == 0.25
