"""A reading unit of work (`Database.unit_of_work(write=False)`): on PostgreSQL a READ ONLY transaction
that ends with COMMIT, so that psycopg keeps the connection's prepared statements (it drops them all
on a ROLLBACK), and a write in it fails instead of being discarded unnoticed."""
import pytest
from sqlalchemy import insert, text
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
