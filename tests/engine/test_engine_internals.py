"""Properties of the engine's own machinery: schema, script engine after loading."""
import shutil

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from engine import Engine
from engine.db import Base, Definition, Instance
from engine.sandbox import ScriptRefused, is_restricted


def test_the_migrations_create_exactly_the_mapped_schema(database_url):
    sql = create_engine(database_url)
    try:
        with sql.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        sql.dispose()
    assert differences == []


def test_a_loaded_workflow_runs_scripts_in_the_restricted_engine_again(deployed):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    with deployed.database.unit_of_work(write=False) as uow:
        instance = uow.session.get(Instance, instance_id)
        definition = uow.session.get(Definition, instance.definition_id)
        workflow = deployed.store.load(definition, instance.state)

    assert is_restricted(workflow.script_engine)
    environment = workflow.script_engine.environment
    with pytest.raises(ScriptRefused):
        environment.evaluate("open('/etc/passwd')", {})
    with pytest.raises(ScriptRefused):  # plain Python would allow it; the run-time guard does not
        environment.execute("y = range(3).start", {})
    assert environment.evaluate("termijn == 'P3D'", {"termijn": "P3D"}) is True


def test_the_embedded_sqlite_database_runs_in_wal_mode(sqlite_template, tmp_path):
    path = tmp_path / "zvt.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = Engine(f"sqlite:///{path}")
    try:
        with engine.database.sql.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.close()


def test_the_case_data_shows_the_latest_value_of_a_list_even_when_it_shrank(engine, tmp_path):
    # SpiffWorkflow's DeepMerge would unite ["a", "b", "c"] and ["c"] into ["a"]; the
    # case data must say ["c"], and the nested record must not leak between versions.
    from tests.engine.bpmn import HEAD
    bpmn = (HEAD.format(pid="lijsten") + '<bpmn:process id="lijsten" isExecutable="true">'
            '<bpmn:laneSet id="ls"><bpmn:lane id="l" name="procesregisseur"><bpmn:flowNodeRef>kijk</bpmn:flowNodeRef>'
            '</bpmn:lane></bpmn:laneSet><bpmn:startEvent id="start" />'
            '<bpmn:scriptTask id="eerst"><bpmn:script>lijst = ["a", "b", "c"]\nrecord = {"items": [{"n": 1}, {"n": 2}]}</bpmn:script></bpmn:scriptTask>'
            '<bpmn:userTask id="kijk" />'
            '<bpmn:scriptTask id="daarna"><bpmn:script>lijst = ["c"]\nrecord = {"items": [{"n": 3}]}</bpmn:script></bpmn:scriptTask>'
            '<bpmn:endEvent id="einde" />'
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="eerst" />'
            '<bpmn:sequenceFlow id="f2" sourceRef="eerst" targetRef="kijk" />'
            '<bpmn:sequenceFlow id="f3" sourceRef="kijk" targetRef="daarna" />'
            '<bpmn:sequenceFlow id="f4" sourceRef="daarna" targetRef="einde" />'
            '</bpmn:process></bpmn:definitions>')
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "lijsten.bpmn").write_text(bpmn)
    engine.deploy(tmp_path / "processes")
    instance = engine.start("lijsten", {}, actor="jan")
    assert engine.instance(instance).data["lijst"] == ["a", "b", "c"]
    [task] = engine.ready_tasks(instance)
    engine.complete(task.id, {}, actor="jan")
    data = engine.instance(instance).data
    assert data["lijst"] == ["c"]
    assert data["record"] == {"items": [{"n": 3}]}
