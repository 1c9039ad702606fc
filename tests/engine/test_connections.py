"""The database connection's work per unit of work on PostgreSQL, kept small: a reading unit of work
(`Database.unit_of_work(write=False)`) is a READ ONLY transaction that ends with COMMIT, so that
psycopg keeps the connection's prepared statements (it drops them all on a ROLLBACK), and a write in
it fails instead of being discarded unnoticed; a pooled connection is checked without a round trip,
and one the server closed is replaced (engine/db.py)."""
import time

import pytest
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import DBAPIError

from engine.db import Partner
from engine.unit_of_work import Database

PREPARED_AFTER = 5  # psycopg's prepare_threshold: a query run this often is prepared on the server


@pytest.fixture
def database(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


NEW_PARTNER = {"id": "nieuw", "name": "Nieuwe partner", "kind": "adhoc", "grondslag": "Convenant", "active": True}


def _prepared(session) -> int:
    return session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_prepared_statements_outlive_a_reading_unit_of_work(database):
    for _ in range(2):
        with database.unit_of_work(write=False) as uow:
            for _ in range(PREPARED_AFTER + 1):
                uow.session.execute(text("SELECT count(*) FROM partners")).scalar_one()
            assert _prepared(uow.session) >= 1
    # The pool gives the same connection back: what the reads prepared is still there.
    with database.unit_of_work(write=False) as uow:
        assert _prepared(uow.session) >= 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_write_in_a_reading_unit_of_work_fails_and_leaves_nothing(database):
    with pytest.raises(DBAPIError, match="read-only transaction"):
        with database.unit_of_work(write=False) as uow:
            uow.session.execute(insert(Partner).values(NEW_PARTNER))
    with database.unit_of_work(write=False) as uow:
        assert uow.session.execute(text("SELECT count(*) FROM partners WHERE id = 'nieuw'")).scalar_one() == 0
    with database.unit_of_work() as uow:  # a writing one on the same pooled connection may write
        uow.session.execute(insert(Partner).values(NEW_PARTNER))
        uow.commit()
    with database.unit_of_work(write=False) as uow:
        assert uow.session.execute(text("SELECT count(*) FROM partners WHERE id = 'nieuw'")).scalar_one() == 1


def test_a_reading_unit_of_work_that_fails_rolls_back(database):
    with pytest.raises(RuntimeError):
        with database.unit_of_work(write=False) as uow:
            uow.session.execute(text("SELECT 1"))
            raise RuntimeError("the caller's own error")
    with database.unit_of_work(write=False) as uow:  # the connection is usable again
        assert uow.session.execute(text("SELECT 1")).scalar_one() == 1


def _backend(database) -> int:
    with database.unit_of_work(write=False) as uow:
        return uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_the_server_closed_is_replaced_before_it_is_used(database, database_url):
    first = _backend(database)
    assert _backend(database) == first  # the pool hands the same connection back
    # Each poll its own transaction: within one, PostgreSQL answers pg_stat_activity from the
    # snapshot it took first, and a backend slow to exit would seem to stay forever.
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:  # as a restart or an idle timeout of the server would
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar_one()
        deadline = time.monotonic() + 10
        while connection.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                                 {"pid": first}).scalar_one():  # gone: its goodbye was sent
            assert time.monotonic() < deadline
            time.sleep(0.02)
    admin.dispose()
    with database.unit_of_work() as uow:  # a command after it just works, on a new connection
        uow.session.execute(insert(Partner).values(NEW_PARTNER))
        uow.commit()
    assert _backend(database) != first


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_taking_a_connection_from_the_pool_sends_nothing_to_the_server(database, monkeypatch):
    pings = []
    monkeypatch.setattr(database.sql.dialect, "do_ping", lambda connection: pings.append(connection) or True)
    for _ in range(3):
        _backend(database)
    assert pings == []  # SQLAlchemy's pre-ping would have asked the server each time
