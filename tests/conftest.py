"""Every engine test runs twice: on a SQLite file and on PostgreSQL, both migrated by Alembic.

Also the fixtures that tests in several folders use (a test module never imports a fixture of
another): deploy_only, the built wheel and the Python to install it with, the `zvt` command line,
and as plugins `smtp` and `oidc_provider`."""
from __future__ import annotations

import fcntl
import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from engine import Engine
from engine.db import Base
from engine.migrate import upgrade
from tests import newer_python, test_packaging
from zvt.cli import main

FIXTURES = Path(__file__).parent / "engine" / "fixtures"
ROOT = Path(__file__).resolve().parents[1]
PROCESSES = ROOT / "processes"
FORMS = ROOT / "forms"
# Fixtures of their own modules, for tests in every folder: `smtp` (a real SMTP server on loopback)
# and `oidc_provider` (an OpenID Connect provider).
pytest_plugins = ["tests.smtp_server", "tests.oidc_provider"]
POSTGRES_URL = os.environ.get("ZVT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database(worker_id, testrun_uid) -> str:
    """A database of its own per test worker, migrated once; tests empty it between runs.

    Named after the run as well, so two runs on one machine never drop each other's."""
    admin_url = make_url(POSTGRES_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"zvt_test_{testrun_uid[:12]}_{worker_id}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL} (set ZVT_TEST_POSTGRES_URL or start it): {exc}",
                    pytrace=False)
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    return empty_database(request, request.param, tmp_path)


def empty_database(request, kind: str, directory: Path) -> str:
    """A migrated, empty database of `kind` ("sqlite" or "postgresql"): a fresh SQLite file in
    `directory`, or the worker's PostgreSQL database emptied."""
    if kind == "sqlite":
        path = directory / "zvt.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    sql = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with sql.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    sql.dispose()
    return url


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    # A Friday afternoon in winter time, Amsterdam (UTC+1).
    return Clock(datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc))


@pytest.fixture
def engine(database_url, clock):
    engine = Engine(database_url, clock=clock)
    yield engine
    engine.close()


@pytest.fixture
def deployed(engine):
    engine.deploy(FIXTURES / "processes", FIXTURES / "forms")
    return engine


@pytest.fixture
def deploy_only(engine, tmp_path):
    """Deploys the named processes of processes/ (with their forms and the DMN files named)."""
    def deploy(*process_ids: str, dmn: tuple[str, ...] = ()):
        (tmp_path / "processes").mkdir(exist_ok=True)
        (tmp_path / "forms").mkdir(exist_ok=True)
        for pid in process_ids:
            shutil.copy(PROCESSES / f"{pid}.bpmn", tmp_path / "processes")
            if (FORMS / pid).is_dir():
                shutil.copytree(FORMS / pid, tmp_path / "forms" / pid, dirs_exist_ok=True)
        for name in dmn:
            shutil.copy(PROCESSES / name, tmp_path / "processes")
        return engine.deploy(tmp_path / "processes", tmp_path / "forms")
    return deploy


@pytest.fixture(scope="session")
def wheel(tmp_path_factory, worker_id) -> Path:
    """The wheel built as the container image's build stage builds it (tests/test_packaging.py)."""
    # The workers of one run share a parent folder: the first to get the lock builds.
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    with open(shared / "zvt-wheel.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        built = sorted(shared.glob("zvt-wheel/source/dist/zvt-*.whl"))
        if built:
            return built[0]
        (shared / "zvt-wheel").mkdir()
        return test_packaging.build(shared / "zvt-wheel")


def pytest_generate_tests(metafunc):
    """`venv_python`: the Python a test installs the wheel with (tests/newer_python.py), named in
    the test's id, e.g. test_an_installed_wheel_serves_the_app_without_node[python3.13]."""
    if "venv_python" in metafunc.fixturenames:
        python = newer_python.for_the_wheel()
        metafunc.parametrize("venv_python", [python], ids=[python.label])


@pytest.fixture
def zvt(database_url, monkeypatch):
    """`zvt` as the command line runs it, on the test's database."""
    monkeypatch.setenv("ZVT_DATABASE_URL", database_url)
    monkeypatch.setenv("ZVT_ENV", "development")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run
