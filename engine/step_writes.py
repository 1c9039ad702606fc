"""A step's rows written with a few statements of its own instead of the ORM's unit of work.

Half of a step was the ORM's flushes (issue 15): working out what changed, ordering it and
emitting one statement per table and kind, per object. A step knows what it changes, so it says
it: the case row first with its revision check in one UPDATE (where a command that lost a race
stops, before it writes any other row; a start's new case row is inserted there, once, with the
id it read before its step ran), with the history chain's head; then the new rows of
each table in one INSERT each, the changed rows in one UPDATE each, the gone rows in one DELETE
each (executemany). The statements go to the driver in two batches (engine/driver_batch.py): on
PostgreSQL two round trips for the whole step.

The objects stay what the rest of the engine reads: the case and the rows it had are kept in
the session with the values written as their committed ones (so a later flush neither writes
them again nor misses what is changed after), the gone ones leave it, and new rows are objects
built as before (the step's mails read them) that are written here and never added to the
session. History rows are chained here (engine/chain.py) under the same lock, in their order.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnDefault, Table, bindparam, delete, func, inspect, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from . import chain
from .db import HistoryEntry, Instance
from .driver_batch import Batch, Pending
from .errors import Conflict
from .unit_of_work import conflicts_as_errors

CONFLICT = "someone else changed this case first; nothing was saved"


def table_of(model) -> Table:
    return model.__table__


def case_update(batch: Batch, instance: Instance) -> Pending:
    """Add to `batch` the UPDATE of the case row with what was set on it since it was read and the
    next revision, where its revision is still the one read; after the batch is sent, call
    `case_written` with what this returns."""
    state = inspect(instance)
    # What was set and differs from what was read, as the ORM's flush would compare it.
    changed = {key: state.dict[key] for key, before in state.committed_state.items() if state.dict[key] != before}
    revision = instance.revision
    return batch.read(_case_update(), {**changed, "revision": revision + 1, "_id": instance.id, "_revision": revision},
                      column_keys=[*changed, "revision"])


def case_written(session: Session, instance: Instance, update: Pending) -> None:
    """After case_update's batch was sent: raise Conflict when another command saved the case first,
    else keep what was written as the case object's committed values."""
    if update.rowcount != 1:  # the revision moved on since we read it: another command won
        raise Conflict(CONFLICT)
    set_committed_value(instance, "revision", instance.revision + 1)
    # Everything set on it is written now: what a flush does after writing the row (the session's
    # next flush skips it, and writes only what is set on it after this).
    state = inspect(instance)
    state._commit_all(state.dict, session.identity_map)


def new_case_id(batch: Batch) -> Pending:
    """Add to `batch` the read of the id the next case row takes: a start knows it before its
    first step runs, so it inserts the case row once, with the step's other rows (`case_insert`),
    and not first empty and then again. On PostgreSQL the id column's sequence gives it; on SQLite
    it is the highest id plus one, the row id SQLite itself gives (the id has no AUTOINCREMENT),
    and it stays free because a writing transaction there holds the write lock from its BEGIN
    (BEGIN IMMEDIATE, engine/unit_of_work.py)."""
    return batch.read(_next_case_id(batch.dialect.name), {})


def is_new(instance: Instance) -> bool:
    """Whether the case has no row yet: made by a start, not loaded and not inserted."""
    return inspect(instance).key is None


def case_insert(batch: Batch, instance: Instance) -> None:
    """Add to `batch` the INSERT of a new case row (revision 1) with its id (`new_case_id`) and
    every column given, so the object holds the whole row; after the batch is sent, call
    `case_inserted`."""
    instance.revision = 1
    for key, default in _case_defaults().items():
        if key not in instance.__dict__:
            setattr(instance, key, default())
    values = {key: value for key, value in instance.__dict__.items() if key == "id" or key in _case_defaults()}
    batch.add(_insert(table_of(Instance)), [values], column_keys=list(values))


def case_inserted(session: Session, instance: Instance) -> None:
    """After case_insert's batch was sent: keep the object in the session as that row, as a flush
    would (its values are the row's committed ones)."""
    if instance in session:
        session.expunge(instance)
    make_transient_to_detached(instance)
    session.add(instance)


def insert_case(session: Session, instance: Instance) -> None:
    """INSERT a new case row now, in a batch of its own: for a start whose step runs an engine
    action, which writes rows that refer to the case (engine/step_actions.py)."""
    batch = Batch(session.connection())
    case_insert(batch, instance)
    batch.send()
    case_inserted(session, instance)


@functools.cache
def _case_defaults() -> dict[str, Callable[[], Any]]:
    """Per column of the case row but its id, what an INSERT gives it when not set: the column's default."""
    defaults: dict[str, Callable[[], Any]] = {}
    for column in table_of(Instance).columns:
        if column.key == "id":
            continue
        default = column.default
        assert default is None or isinstance(default, ColumnDefault), "a case column with a database-side default"
        if default is None:
            defaults[column.key] = lambda: None
        elif default.is_callable:
            defaults[column.key] = functools.partial(default.arg, None)  # SQLAlchemy's wrapper takes a context
        else:
            defaults[column.key] = functools.partial(lambda value: value, default.arg)
    return defaults


@functools.cache
def _next_case_id(dialect_name: str):
    table = table_of(Instance)
    if dialect_name == "postgresql":
        return select(func.nextval(func.pg_get_serial_sequence(table.name, table.c.id.name)))
    return select(func.coalesce(func.max(table.c.id), 0) + 1)


@functools.cache
def _case_update():
    table = table_of(Instance)
    return update(table).where(table.c.id == bindparam("_id"), table.c.revision == bindparam("_revision"))


def insert(batch: Batch, rows: Sequence[Any]) -> None:
    """Add to `batch` the INSERTs of new (unsaved) objects of one model, in their order: the columns
    each was given. History rows must be chained already."""
    if not rows:
        return
    table = table_of(type(rows[0]))
    columns = [column.key for column in table.columns]
    # In runs of rows given the same columns, in their order: history rows get their ids in the
    # order they were chained in.
    runs: list[tuple[tuple[str, ...], list[dict]]] = []
    for row in rows:
        given = row.__dict__
        keys = tuple(key for key in columns if key in given)
        if not runs or runs[-1][0] != keys:
            runs.append((keys, []))
        runs[-1][1].append({key: given[key] for key in keys})
    for keys, values in runs:
        batch.add(_insert(table), values, column_keys=keys)


@functools.cache
def _insert(table: Table):
    # inline(): no RETURNING of the new ids, which nobody reads (and SQLAlchemy would add).
    return table.insert().inline()


def update_rows(batch: Batch, changes: Iterable[tuple[Any, dict[str, Any]]]) -> None:
    """Add to `batch` the UPDATEs of rows of one model by primary key: `changes` pairs a persistent
    object with its new values, which become the object's committed ones."""
    groups: dict[tuple[type, tuple[str, ...]], list[tuple[Any, dict]]] = {}
    for row, values in changes:
        groups.setdefault((type(row), tuple(sorted(values))), []).append((row, values))
    for (model, keys), pairs in groups.items():
        batch.add(_update_by_id(table_of(model)), [{**values, "_id": row.id} for row, values in pairs],
                  column_keys=keys)
        for row, values in pairs:
            for key, value in values.items():
                set_committed_value(row, key, value)


@functools.cache
def _update_by_id(table: Table):
    """SET what the column keys name (given when compiled)."""
    return update(table).where(table.c.id == bindparam("_id"))


def delete_rows(batch: Batch, rows: Sequence[Any]) -> None:
    """Add to `batch` the DELETEs of persistent objects of one model by primary key."""
    if rows:
        batch.add(_delete_by_id(table_of(type(rows[0]))), [{"_id": row.id} for row in rows])


@functools.cache
def _delete_by_id(table: Table):
    return delete(table).where(table.c.id == bindparam("_id"))


class OrmRows:
    """A step's rows through the session's unit of work: for a caller that flushes the rows of
    many cases together, or when rows the session holds must be written first."""

    def __init__(self, session: Session):
        self.session = session

    def add(self, rows: Sequence[Any]) -> None:
        self.session.add_all(rows)

    def change(self, row: Any, values: dict[str, Any]) -> None:
        for key, value in values.items():
            setattr(row, key, value)

    def remove(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.session.delete(row)

    def write(self) -> None:
        """Nothing: the session's next flush writes them."""


class CoreRows(OrmRows):
    """A step's rows gathered, then written in two batches (engine/driver_batch.py): `write_case`
    sends the case row with the history chain's head and what the step reads with them
    (`read_with_case`); `write` the new rows per table in the order they came (history first: its
    chain), the changed and the gone, deferred to go with the transaction's next statement or its
    COMMIT (`Batch.defer`)."""

    def __init__(self, session: Session):
        super().__init__(session)
        self.new: dict[type, list] = {}
        self.changed: list[tuple[Any, dict[str, Any]]] = []
        self.gone: dict[type, list] = {}
        self.first: Batch | None = None

    def add(self, rows: Sequence[Any]) -> None:
        for row in rows:
            self.new.setdefault(type(row), []).append(row)

    def change(self, row: Any, values: dict[str, Any]) -> None:
        self.changed.append((row, values))

    def remove(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.gone.setdefault(type(row), []).append(row)

    def _unchained(self) -> list[HistoryEntry]:
        return [row for row in self.new.get(HistoryEntry, []) if row.hash is None]

    def read_with_case(self, statement, parameters: dict[str, Any]) -> Pending:
        """Read with the case row's batch: the result is there once write_case() has run."""
        if self.first is None:
            self.first = Batch(self.session.connection())
        return self.first.read(statement, parameters)

    def write_case(self, case: Instance | None = None) -> None:
        """Send the UPDATE of the `case` row with its revision check (its INSERT when a start made
        it: `is_new`), the history chain's head (taking the chain's lock) and the reads of
        read_with_case; raise Conflict when another command saved the case first. History rows
        added by now are chained."""
        session = self.session
        first = self.first if self.first is not None else Batch(session.connection())
        self.first = None
        history = self._unchained()
        update = None
        if case is not None:
            if is_new(case):
                case_insert(first, case)
            else:
                update = case_update(first, case)
        head = first.read(*chain.locked_head_statement(session, HistoryEntry)) if history else None
        with conflicts_as_errors():
            first.send()
        if case is not None:
            if update is None:
                case_inserted(session, case)
            else:
                case_written(session, case, update)
        if head is not None:
            chain.took(session)
            chain.link(session, history, head.scalar() or chain.GENESIS)

    def write(self) -> None:
        if self.first is not None or self._unchained():  # write_case() has not run
            self.write_case()
        rest = Batch(self.session.connection())
        for rows in self.new.values():
            insert(rest, rows)
        update_rows(rest, self.changed)
        for rows in self.gone.values():
            delete_rows(rest, rows)
        # Nothing of this step reads them back: they go with the transaction's COMMIT, or with
        # whatever the command still sends before it.
        rest.defer()
        for rows in self.gone.values():
            for row in rows:
                if inspect(row).persistent:
                    self.session.expunge(row)
        self.new, self.changed, self.gone = {}, [], {}
