"""`zvt backup` and `zvt restore` on real SQLite files and real PostgreSQL databases of their own."""
from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine import Engine
from engine.migrate import upgrade
from tests.conftest import FIXTURES, POSTGRES_URL
from zvt import backup as backups
from zvt.cli import main

GOOD = {"besluit": "oppakken", "toelichting": "Huurachterstand, team pakt het op."}
_numbers = itertools.count()


@pytest.fixture
def new_database(request, tmp_path, worker_id, testrun_uid):
    """Makes empty databases of the test's backend: files under tmp_path, or PostgreSQL
    databases of this test alone (a restore drops tables; the shared test database is not ours)."""
    backend = request.param
    made: list[str] = []
    admin = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT") if backend == "postgresql" else None

    def make(migrated: bool = True) -> str:
        number = next(_numbers)
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / f'db{number}.sqlite3'}"
        else:
            name = f"zvt_backup_{testrun_uid[:12]}_{worker_id}_{number}"
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            made.append(name)
            url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
        if migrated:
            upgrade(url)
        return url

    yield make
    if admin is not None:
        with admin.connect() as connection:
            for name in made:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


both = pytest.mark.parametrize("new_database", ["sqlite", "postgresql"], indirect=True)


def deployed_engine(url: str) -> Engine:
    engine = Engine(url)
    engine.deploy(FIXTURES / "processes", FIXTURES / "forms")
    return engine


def snapshot(url: str) -> dict:
    """Everything a restore must bring back, row by row."""
    sql = create_engine(url)
    try:
        with sql.connect() as connection:
            def rows(query):
                return [tuple(row) for row in connection.execute(text(query))]
            return {
                "instances": rows("SELECT id, status, revision, state, data FROM instances ORDER BY id"),
                "tasks": rows("SELECT id, instance_id, bpmn_id, assignee FROM human_tasks ORDER BY id"),
                "timers": rows("SELECT id, instance_id, due_at FROM timers ORDER BY id"),
                "history": rows("SELECT id, instance_id, bpmn_id, actor FROM history ORDER BY id"),
                "definitions": rows("SELECT id, process_id, version FROM definitions ORDER BY id"),
            }
    finally:
        sql.dispose()


def zvt(url: str, *args: str):
    runner = CliRunner()
    return runner.invoke(main, list(args), env={"ZVT_DATABASE_URL": url, "ZVT_ENV": "development"},
                         catch_exceptions=False)


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output, result.output
    return lines[0]


@both
def test_backups_taken_while_cases_are_written_hold_every_case_committed_up_to_one_moment(new_database, tmp_path):
    url = new_database()
    setup = deployed_engine(url)
    for n in range(50):  # some content, so that a backup takes a while
        setup.start("proef_casus", {"n": n}, actor="piet")
    setup.close()

    committed = 50
    stop = threading.Event()
    failures: list[BaseException] = []

    def write_cases():
        nonlocal committed
        writer = Engine(url)  # a second engine stands for the web app or the scheduler
        try:
            while not stop.is_set():
                writer.start("proef_casus", {"n": committed}, actor="piet")
                committed += 1
        except BaseException as exc:  # noqa: BLE001 - the test asserts there were none
            failures.append(exc)
        finally:
            writer.close()

    thread = threading.Thread(target=write_cases)
    thread.start()
    taken = []
    try:
        for index in range(3):
            time.sleep(0.3)
            before = committed
            result = backups.backup(url, tmp_path / f"backup{index}")
            taken.append((result, before, committed))
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not failures, failures
    assert committed > taken[-1][2], "the writer went on writing while and after the backups were taken"

    for result, before, after in taken:
        if url.startswith("sqlite"):
            with sqlite3.connect(result.path) as copy:
                assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        inspect = new_database(migrated=False)
        backups.restore(inspect, result.path)
        state = snapshot(inspect)
        numbers = [(data if isinstance(data, dict) else json.loads(data))["n"] for *_, data in state["instances"]]
        # Every case committed before the backup began, none missing in between, and each case
        # whole: its open task and its deadline timer came with it.
        assert before <= len(numbers) <= after
        assert sorted(numbers) == list(range(len(numbers)))
        assert len(state["tasks"]) == len(state["timers"]) == len(numbers)
        assert result.cases in (None, len(numbers))


@both
def test_restore_brings_back_exactly_the_backed_up_state(new_database, tmp_path):
    url = new_database()
    engine = deployed_engine(url)
    first = engine.start("proef_casus", {}, actor="piet")
    engine.start("proef_casus", {}, actor="piet")
    [task] = engine.ready_tasks(first)
    engine.complete(task.id, GOOD, actor="anna")
    engine.close()
    backed_up = snapshot(url)
    path = tmp_path / "zvt.backup"

    made = zvt(url, "backup", str(path))
    assert made.exit_code == 0, made.output
    assert f"backup written to {path}: schema revision" in made.stdout
    assert os.stat(path).st_mode & 0o777 == 0o600  # it holds personal data

    engine = Engine(url)
    later = engine.start("proef_casus", {}, actor="piet")  # after the backup: lost by the restore
    [plan] = engine.ready_tasks(first)
    engine.complete(plan.id, {}, actor="anna")
    engine.close()
    assert snapshot(url) != backed_up

    restored = zvt(url, "restore", str(path))

    assert restored.exit_code == 0, restored.output
    assert restored.stdout.strip().endswith("2 cases")
    assert snapshot(url) == backed_up
    engine = Engine(url)
    try:
        assert later not in [row[0] for row in snapshot(url)["instances"]]
        assert [t.bpmn_id for t in engine.ready_tasks(first)] == ["plan"]
        engine.start("proef_casus", {}, actor="piet")  # the restored database works as before
    finally:
        engine.close()


@both
def test_restore_refuses_what_is_not_a_whole_zvt_backup_and_leaves_the_database_as_it_was(new_database, tmp_path):
    url = new_database()
    engine = deployed_engine(url)
    engine.start("proef_casus", {}, actor="piet")
    engine.close()
    good = backups.backup(url, tmp_path / "good").path
    engine = Engine(url)
    engine.start("proef_casus", {}, actor="piet")  # the database now differs from the backup
    engine.close()
    before = snapshot(url)

    garbage = tmp_path / "garbage"
    garbage.write_bytes(os.urandom(64 * 1024))
    truncated = tmp_path / "truncated"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE notes (text TEXT)")
    future = tmp_path / "future"  # a backup whose schema revision a newer release made
    if url.startswith("sqlite"):
        shutil.copyfile(good, future)
        with sqlite3.connect(future) as connection:
            connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    else:
        other_url = new_database()
        with create_engine(other_url).begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        libpq_url = make_url(other_url).set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(["pg_dump", "--format=custom", f"--file={future}", f"--dbname={libpq_url}"], check=True)

    expected = {
        garbage: "is not a ZVT backup",
        truncated: "cut short" if url.startswith("sqlite") else "failed",
        foreign: "is not a ZVT backup" if url.startswith("postgresql") else "not a ZVT database",
        tmp_path / "missing": "is not a file",
    }
    for path, message in expected.items():
        line = one_error_line(zvt(url, "restore", str(path)))
        assert message in line, (path.name, line)
        assert snapshot(url) == before, path.name
    assert "does not know" in one_error_line(zvt(url, "restore", str(future)))
    assert snapshot(url) == before


@pytest.mark.parametrize("new_database", ["sqlite"], indirect=True)
def test_a_backup_of_a_future_schema_is_refused_when_taken(new_database, tmp_path):
    url = new_database()
    with create_engine(url).begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    line = one_error_line(zvt(url, "backup", str(tmp_path / "b")))
    assert "does not know" in line and not (tmp_path / "b").exists()


@pytest.mark.parametrize("new_database", ["postgresql"], indirect=True)
def test_a_postgresql_restore_is_refused_while_the_app_is_connected(new_database, tmp_path):
    url = new_database()
    deployed_engine(url).close()
    path = backups.backup(url, tmp_path / "b").path
    app = create_engine(url)
    with app.connect() as connection:
        connection.execute(text("SELECT 1"))
        line = one_error_line(zvt(url, "restore", str(path)))
    app.dispose()
    assert "other connection(s)" in line and "stop the web app and the scheduler" in line


@both
def test_backup_refuses_to_replace_a_file_unless_told(new_database, tmp_path):
    url = new_database()
    path = tmp_path / "b"
    path.write_text("an older backup")
    assert "exists already" in one_error_line(zvt(url, "backup", str(path)))
    assert path.read_text() == "an older backup"
    assert zvt(url, "backup", "--overwrite", str(path)).exit_code == 0
    assert path.read_bytes()[:5] in (b"SQLit", b"PGDMP")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_backup_of_the_live_database_onto_itself_is_refused(tmp_path):
    path = tmp_path / "zvt.sqlite3"
    upgrade(f"sqlite:///{path}")
    line = one_error_line(zvt(f"sqlite:///{path}", "backup", "--overwrite", str(path)))
    assert "is the database itself" in line


def test_postgresql_errors_are_one_line(tmp_path, monkeypatch):
    unreachable = "postgresql+psycopg://postgres:hemmelig@127.0.0.1:1/zvt"
    line = one_error_line(zvt(unreachable, "backup", str(tmp_path / "b")))
    assert "cannot reach the database" in line and "hemmelig" not in line
    monkeypatch.setenv("PATH", str(tmp_path))  # a machine without postgresql-client
    line = one_error_line(zvt(POSTGRES_URL, "backup", str(tmp_path / "b")))
    assert "pg_dump is not installed" in line


def test_the_password_goes_to_pg_dump_in_its_environment_not_on_its_command_line():
    url = make_url("postgresql+psycopg://zvt:s3cr%40t@db.example:5433/zvt?sslmode=require")
    argv, env = backups._libpq(url, "pg_dump")
    assert argv[0] == shutil.which("pg_dump")
    assert not any("s3cr" in argument for argument in argv)
    assert env["PGPASSWORD"] == "s3cr@t"
    assert argv[1].startswith("--dbname=postgresql://zvt@db.example:5433/zvt?")
    assert "sslmode=require" in argv[1]
