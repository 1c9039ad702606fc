"""One database transaction per engine command (cosmicpython's unit of work)."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from . import chain
from .db import DatabaseLimits, make_sql_engine
from .errors import Conflict
from .logsafe import keep_data_out_of_library_logs


class Database:
    def __init__(self, database_url: str, limits: DatabaseLimits | None = None, audit_key: str = chain.DEV_AUDIT_KEY):
        self.url = database_url
        # The key of the access log's and history's hash chains (engine/chain.py); every
        # session carries it, so whoever writes a row of either chain signs it.
        self.audit_key = chain.key_bytes(audit_key)
        self.limits = limits or DatabaseLimits()
        self.sql = make_sql_engine(database_url, self.limits)
        keep_data_out_of_library_logs()
        self.is_sqlite = self.sql.dialect.name == "sqlite"
        writer = self.sql.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else self.sql
        # On PostgreSQL a reading unit of work is a READ ONLY transaction (psycopg says so in its
        # BEGIN): a write in it fails instead of being quietly discarded, and so it can end with
        # COMMIT (UnitOfWork.__exit__).
        reader = self.sql if self.is_sqlite else self.sql.execution_options(postgresql_readonly=True)
        # What every session carries (Session.info): the audit key, and what the engine adds before
        # its first session, such as the retention rules (engine/management_report.py reads them).
        self.info: dict[str, Any] = {"audit_key": self.audit_key}
        self._read = sessionmaker(bind=reader, expire_on_commit=False, autoflush=False, info=self.info)
        self._write = sessionmaker(bind=writer, expire_on_commit=False, autoflush=False, info=self.info)
        chain.chain_history_on_flush(self._write)

    def unit_of_work(self, write: bool = True) -> UnitOfWork:
        if write:
            return UnitOfWork(self._write())
        return UnitOfWork(self._read(), end_with_commit=not self.is_sqlite)

    def dispose(self) -> None:
        self.sql.dispose()


class UnitOfWork:
    """Leaving the block rolls back unless commit() was called.

    `end_with_commit`: a READ ONLY transaction that ends well ends with COMMIT, which for it is
    the same as ROLLBACK, because psycopg drops every prepared statement of the connection on a
    ROLLBACK (and sends DEALLOCATE ALL): with every page's read ending in one, PostgreSQL would
    parse and plan each statement anew and a step's statements would never be prepared."""

    def __init__(self, session: Session, end_with_commit: bool = False):
        self.session = session
        self.end_with_commit = end_with_commit

    def __enter__(self) -> UnitOfWork:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        try:
            if self.end_with_commit and exc_type is None:
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        with conflicts_as_errors():
            self.session.commit()


def flush(session: Session, objects=None) -> None:
    """Write pending changes now (only those of `objects`, when given), so a lost race
    surfaces as Conflict inside the command."""
    with conflicts_as_errors():
        session.flush(objects)


@contextmanager
def conflicts_as_errors():
    try:
        yield
    except StaleDataError as exc:
        # The instance's revision moved on since we read it: another command won.
        raise Conflict("someone else changed this case first; nothing was saved") from exc
    except OperationalError as exc:
        # PostgreSQL reports a lost serialisation race this way too.
        if "could not serialize" in str(exc) or "deadlock detected" in str(exc):
            raise Conflict("someone else changed this case first; nothing was saved") from exc
        raise


def affected(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched. Session.execute types what it returns as a Result;
    for those statements it is a CursorResult, which counts them."""
    return cast(CursorResult, result).rowcount
