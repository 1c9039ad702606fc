"""Fixtures the engine's tests share: a copy of the fixture processes and forms to change, and for the
audit chains' tests (test_audit_chain.py, test_audit_anchors.py) a few cases with their history and
access log, the anchor file and `zvt audit verify` on the test's database."""
from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner
from sqlalchemy import event

from engine import access_log
from engine.identity import Origin, User
from tests.conftest import FIXTURES
from zvt.cli import main

HERE = Origin("192.0.2.10", "pytest")
PIET = User("piet", "Piet", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)


@pytest.fixture
def folder(tmp_path):
    """A processes/ and forms/ pair that tests may change."""
    shutil.copytree(FIXTURES / "processes", tmp_path / "processes")
    shutil.copytree(FIXTURES / "forms", tmp_path / "forms")
    return tmp_path


@pytest.fixture
def logs(deployed, clock):
    """A few cases (history rows) and accesses (access-log rows), each chain at least 6 rows."""
    for number in range(3):
        case = deployed.start("proef_casus", {"aanmelder": f"Woonstichting {number}"}, actor="piet")
        with deployed.database.unit_of_work() as uow:
            for action in ("create", "read"):
                access_log.record(uow.session, PIET, HERE, action, "case", str(case), case, True, clock())
            uow.commit()
        clock.advance(minutes=5)
    return deployed


@pytest.fixture
def anchor_file(tmp_path):
    return tmp_path / "anchors.log"


@pytest.fixture
def verify(database_url, anchor_file, monkeypatch):
    monkeypatch.setenv("ZVT_ENV", "development")
    monkeypatch.setenv("ZVT_DATABASE_URL", database_url)
    monkeypatch.setenv("ZVT_AUDIT_ANCHOR_FILE", str(anchor_file))

    def run(*args):
        return CliRunner().invoke(main, ["audit", "verify", *args], catch_exceptions=False)
    return run


class Statements:
    """The SQL statements the engine's connection pool sends (SQLAlchemy's before_cursor_execute),
    each on one line and cut at 90 characters."""

    def __init__(self, engine):
        self.sql, self.seen = engine.database.sql, []
        event.listen(self.sql, "before_cursor_execute", self._seen)

    def _seen(self, _connection, _cursor, statement, _parameters, _context, _many):
        self.seen.append(" ".join(statement.split())[:90])

    def during(self, action) -> list[str]:
        self.seen = []
        action()
        return self.seen

    def close(self):
        event.remove(self.sql, "before_cursor_execute", self._seen)


@pytest.fixture
def statements(engine):
    counter = Statements(engine)
    yield counter
    counter.close()


@pytest.fixture
def commits_seen(monkeypatch):
    """`commits_seen(database)` gives a list that gets, each time SQLAlchemy commits on that
    database, where the driver's transaction stands: psycopg's transaction status (IDLE when the
    COMMIT went with a batch already, engine/driver_batch.py `defer`), None on SQLite."""
    def watch(database) -> list:
        dialect = database.sql.dialect
        seen: list = []

        def do_commit(dbapi_connection):
            seen.append(getattr(getattr(dbapi_connection, "pgconn", None), "transaction_status", None))
            type(dialect).do_commit(dialect, dbapi_connection)

        monkeypatch.setattr(dialect, "do_commit", do_commit)
        return seen
    return watch
