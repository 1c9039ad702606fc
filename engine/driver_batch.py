"""Statements sent by the database driver itself, on PostgreSQL several in one round trip.

Why by hand (issue 15): a step is a handful of small statements, and on PostgreSQL most of
their cost was waiting for the server once per statement. psycopg can send statements one
after the other without waiting (its pipeline mode, psycopg.org/psycopg3/docs/advanced/
pipeline.html), but SQLAlchemy cannot run in that mode: it reads each statement's result
metadata as soon as it is sent. So a `Batch` takes SQLAlchemy statements, has SQLAlchemy
compile each once (its SQL text and every parameter's bind processor: JSON, UTC moments), and
gives them to the driver's cursor: on PostgreSQL all in one pipeline (the transaction's BEGIN
too, when the batch is its first), on SQLite one after the other (there is no server to wait
for; the driver still skips SQLAlchemy's per-statement work). Rows read come back as SQLAlchemy
gives them (each column's result processor applied), and `persistent` makes a row the
session's object, as the ORM's loading would.

What a caller gets is what SQLAlchemy gives: errors as SQLAlchemy's exceptions (an
OperationalError of a lost race stays one), and the connection's before_cursor_execute and
after_cursor_execute events fire for every statement, so whoever counts or logs statements sees
these too. Statements run in the connection's transaction, which SQLAlchemy still ends.

A batch whose rows nobody reads before the transaction ends can be `defer`red: it goes with
whatever the connection sends next, which for a step's last rows is the COMMIT (on PostgreSQL
one round trip for both; SQLAlchemy's commit then finds the transaction ended and sends nothing).
"""
from __future__ import annotations

import functools
import logging
from collections import namedtuple
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict
from sqlalchemy.orm.instrumentation import manager_of_class
from sqlalchemy.orm.util import identity_key
from sqlalchemy.pool import Pool

# SQLAlchemy's own statement log (echo, or a level of INFO set on it): these statements are in it too.
_echo = logging.getLogger("sqlalchemy.engine.Engine")

# Where a deferred batch waits: the database connection's info, which SQLAlchemy's Connection
# and its pool record share.
_DEFERRED = "zvt_deferred_batch"


class Pending:
    """A statement of a batch whose result is read once the batch is sent: `rows` as SQLAlchemy
    would give them (each column's result processor applied; a SELECT's by column name too)."""

    def __init__(self) -> None:
        self.rowcount = -1
        self.rows: list[Any] = []

    def scalar(self) -> Any:
        return self.rows[0][0] if self.rows else None


class Batch:
    """Statements for one connection, sent together by `send()`, in the order they were added."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.dialect = connection.dialect
        self.queued: list[tuple[Any, list[dict[str, Any]], Pending | None]] = []
        self.results: list[tuple[Pending, Callable[[list[tuple]], list[Any]]]] = []

    def add(self, statement, rows: Sequence[dict[str, Any]], column_keys: Sequence[str] | None = None) -> None:
        """Run `statement` once per parameter set in `rows` (no result read). `column_keys`: the
        columns an INSERT or UPDATE sets, as for SQLAlchemy's compile()."""
        if rows:
            self.queued.append((_compiled(self.dialect, statement, tuple(column_keys or ())), list(rows), None))

    def read(self, statement, parameters: dict[str, Any], column_keys: Sequence[str] | None = None) -> Pending:
        """Run `statement` once; its rows and row count are on the returned Pending after send()."""
        pending = Pending()
        self.queued.append((_compiled(self.dialect, statement, tuple(column_keys or ())), [parameters], pending))
        self.results.append((pending, _result_rows(self.dialect, statement)))
        return pending

    def defer(self) -> None:
        """Send these statements with the connection's next: before SQLAlchemy's next statement,
        ahead of the next batch's in its round trip, or with the transaction's COMMIT. A rollback
        drops them, as it would have undone them. For statements whose result nobody reads: an
        error in them comes from where they are sent, the commit at the latest."""
        assert not self.results, "a deferred batch reads nothing"
        self._after_deferred()
        if self.queued:
            self.connection.info[_DEFERRED] = self

    def _after_deferred(self) -> None:
        """Take over the connection's deferred statements, to go before this batch's own."""
        held = self.connection.info.pop(_DEFERRED, None)
        if held is not None:
            self.queued = held.queued + self.queued

    def send(self, commit: bool = False) -> None:
        """Send the statements, after any deferred ones of the connection; with `commit`, end the
        transaction with them (on PostgreSQL in the same round trip; on SQLite the COMMIT that
        SQLAlchemy sends next does it)."""
        self._after_deferred()
        queued, self.queued = self.queued, []
        results, self.results = self.results, []
        if not queued:
            return
        connection = self.connection
        driver = connection.connection.driver_connection
        assert driver is not None  # a connection in use has its driver connection
        dispatch = connection.dispatch
        pipeline = driver.pipeline() if self.dialect.name == "postgresql" else nullcontext()
        cursors: list[tuple[Any, Pending | None]] = []
        try:
            with pipeline:
                for (sql, convert), rows, pending in queued:
                    cursor = driver.cursor()
                    cursors.append((cursor, pending))
                    parameters = [convert(row) for row in rows]
                    many = pending is None
                    dispatch.before_cursor_execute(connection, cursor, sql, parameters, None, many)
                    _echo.info(sql)
                    if many:
                        cursor.executemany(sql, parameters)
                    else:
                        cursor.execute(sql, parameters[0])
                    dispatch.after_cursor_execute(connection, cursor, sql, parameters, None, many)
                if commit and self.dialect.name == "postgresql":
                    # The server ends the transaction; psycopg's commit() then sees it idle and
                    # sends nothing.
                    cursor = driver.cursor()
                    cursors.append((cursor, None))
                    cursor.execute("COMMIT", prepare=False)
            for cursor, pending in cursors:
                if pending is not None:
                    pending.rowcount = cursor.rowcount
                    pending.rows = cursor.fetchall() if cursor.description else []
            for pending, rows_of in results:
                pending.rows = rows_of(pending.rows)
        except self.dialect.loaded_dbapi.Error as exc:
            # As SQLAlchemy raises it, parameters hidden (a person's data); in a pipeline the error
            # comes when the batch is read back, so it names every statement of the batch.
            invalidated = self.dialect.is_disconnect(exc, driver, None)
            if invalidated:
                connection.invalidate(exc)
            raise DBAPIError.instance("; ".join(sql for (sql, _), _rows, _pending in queued),
                                      [rows for _sql, rows, _pending in queued], exc,
                                      self.dialect.loaded_dbapi.Error, hide_parameters=True,
                                      connection_invalidated=invalidated, dialect=self.dialect) from exc
        finally:
            for cursor, _pending in cursors:
                cursor.close()


def _deferred(connection) -> Batch | None:
    """Take the connection's deferred batch, if any. An invalidated or closed connection has none
    (its info went with its database connection; asking for it would try to reconnect)."""
    if connection.invalidated or connection.closed:
        return None
    return connection.info.pop(_DEFERRED, None)


@event.listens_for(Engine, "before_cursor_execute")
def _send_deferred_first(connection, _cursor, _statement, _parameters, _context, _many) -> None:
    """Any statement of SQLAlchemy's (a flush, a query) comes after the deferred batch's."""
    held = _deferred(connection)
    if held is not None:
        held.send()


@event.listens_for(Engine, "commit")
def _send_deferred_with_commit(connection) -> None:
    held = _deferred(connection)
    if held is not None:
        held.send(commit=True)


@event.listens_for(Engine, "rollback")
def _drop_deferred(connection) -> None:
    _deferred(connection)


@event.listens_for(Pool, "checkin")
def _drop_deferred_of_returned(_dbapi_connection, record) -> None:
    """A connection back in the pool carries nothing into its next transaction (a session closed
    without commit or rollback, a connection invalidated)."""
    if record is not None:
        record.info.pop(_DEFERRED, None)


@functools.lru_cache(maxsize=512)
def _compiled(dialect, statement, column_keys: tuple[str, ...]) -> tuple[str, Callable[[dict], Any]]:
    """The statement's SQL for the driver and what turns a parameter dict into the driver's
    parameters: each bind processor applied, and in order where the driver's style is positional."""
    compiled = statement.compile(dialect=dialect, column_keys=list(column_keys) or None)
    # The dialect's own form of each type (SQLite's DATETIME writes text, say), as SQLAlchemy uses it.
    processors = {name: processor for name, bind in compiled.binds.items()
                  if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None}
    # Values the statement holds itself (a LIMIT's, say).
    held = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}

    def processed(row: dict) -> dict:
        values = {**held, **row}
        for key, processor in processors.items():
            if key in values:
                values[key] = processor(values[key])
        return values

    if compiled.positional:
        order = list(compiled.positiontup or ())

        def positional(row: dict) -> tuple:
            values = processed(row)
            return tuple(values[name] for name in order)

        return compiled.string, positional
    return compiled.string, processed


@functools.lru_cache(maxsize=512)
def _result_rows(dialect, statement) -> Callable[[list[tuple]], list[Any]]:
    """What turns the driver's rows of `statement` into SQLAlchemy's: a SELECT's rows as named
    tuples of its columns, each column's result processor applied (JSON on SQLite, booleans)."""
    columns = getattr(statement, "selected_columns", None)
    if columns is None:  # a text() statement: its values as the driver gives them
        return list
    names = [column.key for column in columns]
    row_type = namedtuple("Row", names, rename=True)  # type: ignore[misc]  # built per statement
    processors = [column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns]
    if not any(processors):
        return lambda rows: [row_type(*row) for row in rows]
    return lambda rows: [row_type(*(value if processor is None else processor(value)
                                    for processor, value in zip(processors, row))) for row in rows]


def columns_of(model) -> list:
    """The columns of `model` a query reads for `persistent`: all but the deferred ones (loaded
    when first used, as the ORM would)."""
    return [prop.columns[0] for prop in _loaded(model)]


def persistent(session, model, values: Sequence[Any]):
    """The object of `model` for a row read past the ORM, in the order of `columns_of(model)`, kept
    in the session as that row, as if a query had loaded it (what is set on it later is a change to
    write). When the session holds that row's object already, that object, as a query gives it."""
    held = session.identity_map.get(identity_key(model, values[_key_index(model)]))
    if held is not None:
        return held
    # By hand what the ORM's loading does: the values go into the object's dict, with no change
    # events (the constructor would record each as a change, then have them forgotten), and
    # make_transient_to_detached makes them its committed, loaded values.
    obj = manager_of_class(model).new_instance()
    instance_dict(obj).update(zip(_keys(model), values))
    make_transient_to_detached(obj)
    session.add(obj)
    return obj


@functools.cache
def _keys(model) -> list[str]:
    return [prop.key for prop in _loaded(model)]


@functools.cache
def _loaded(model) -> list:
    return [prop for prop in model.__mapper__.column_attrs if not prop.deferred]


@functools.cache
def _key_index(model) -> int:
    """Where the primary key is among the values of `persistent` (every model here has one column)."""
    [key] = model.__mapper__.primary_key
    return columns_of(model).index(key)
