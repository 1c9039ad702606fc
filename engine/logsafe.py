"""What may go into a log about a failure: kinds of errors and where they happened, never their text.

A database error's text can hold what a caseworker typed: PostgreSQL's DETAIL repeats the failing
row ("Failing row contains (..)") or the key, and "invalid input syntax" quotes the value.
SQLAlchemy's hide_parameters keeps the bound parameters out, not the server's own words. So a
log line about a failure names the error's class, the driver's class and the SQLSTATE, and a
traceback shows file, line and code of each frame but no exception message.
"""
from __future__ import annotations

import logging
import traceback

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


def unavailable(exc: BaseException) -> bool:
    """The database did not answer in time, or not at all: worth trying again in a moment.

    OperationalError covers a statement timeout (PostgreSQL's query_canceled), SQLite's
    "database is locked" after the busy timeout, and a lost or refused connection; PoolTimeout
    is a request that waited too long for a connection of the pool."""
    return isinstance(exc, (OperationalError, PoolTimeout))


def describe(exc: BaseException) -> str:
    """"OperationalError (psycopg QueryCanceled, SQLSTATE 57014)": the kinds only."""
    kind = type(exc).__name__
    orig = getattr(exc, "orig", None) if isinstance(exc, DBAPIError) else None
    if orig is None:
        return kind
    driver = f"{type(orig).__module__.split('.')[0]} {type(orig).__name__}"
    sqlstate = getattr(orig, "sqlstate", None)  # psycopg; SQLite has none
    if sqlstate is None:
        code = getattr(orig, "sqlite_errorname", None)
        return f"{kind} ({driver}{', ' + code if code else ''})"
    return f"{kind} ({driver}, SQLSTATE {sqlstate})"


def frames(exc: BaseException) -> str:
    """The traceback of `exc` and the exceptions it was raised from, with the kind of each
    exception and none of their messages: enough to find the line, nothing of the data."""
    parts = []
    seen = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        stack = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{describe(current)}\n{stack}".rstrip())
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    # Oldest first, as Python prints a chain.
    return "\n-- which led to --\n".join(reversed(parts))


class _DropRows(logging.Filter):
    # SQLAlchemy logs each result row at DEBUG whenever its logger is enabled, e.g. by a root
    # logger at DEBUG; hide_parameters does not cover rows. Statements (INFO) stay.
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.INFO


class _DropTaskData(logging.Filter):
    # SpiffWorkflow attaches a task's whole data to its log records ("extra") unless its logger
    # has a level of INFO or higher set; a JSON log formatter would print it. The record stays.
    def filter(self, record: logging.LogRecord) -> bool:
        for name in ("data", "internal_data", "transform"):
            if hasattr(record, name):
                setattr(record, name, None)
        return True


_FILTERS = {
    "sqlalchemy.engine.Engine": _DropRows(),
    "spiff.task": _DropTaskData(),
    "spiff.workflow": _DropTaskData(),
    "spiff.data": _DropTaskData(),
}


def keep_data_out_of_library_logs() -> None:
    """Filters on the libraries' loggers (a filter on a logger sees its own records only, so
    each one by name). Idempotent."""
    for name, log_filter in _FILTERS.items():
        logger = logging.getLogger(name)
        if log_filter not in logger.filters:
            logger.addFilter(log_filter)
