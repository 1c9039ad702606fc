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
