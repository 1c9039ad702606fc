"""A step's rows written with SQLAlchemy Core statements instead of the ORM's unit of work.

Half of a step was the ORM's flushes (issue 15): working out what changed, ordering it and
emitting one statement per table and kind, per object. A step knows what it changes, so it says
it: the case row first with its revision check in one UPDATE (where a command that lost a race
stops, before it writes any other row), then the new rows of each table in one INSERT each,
the changed rows in one UPDATE each, the gone rows in one DELETE each (executemany). On
PostgreSQL all of those after the case row go to the server as one statement (`write_together`):
one round trip instead of one per table and kind.

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

from sqlalchemy import ColumnDefault, Table, bindparam, delete, inspect, literal_column, select, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from . import chain
from .db import HistoryEntry, Instance
from .errors import Conflict
from .unit_of_work import affected, conflicts_as_errors

CONFLICT = "someone else changed this case first; nothing was saved"


def table_of(model) -> Table:
    return model.__table__


def write_case(session: Session, instance: Instance) -> None:
    """UPDATE the case row with what was set on it since it was read and the next revision, where
    its revision is still the one read; raise Conflict when another command saved it first."""
    state = inspect(instance)
    # What was set and differs from what was read, as the ORM's flush would compare it.
    changed = {key: state.dict[key] for key, before in state.committed_state.items() if state.dict[key] != before}
    revision = instance.revision
    with conflicts_as_errors():
        result = session.connection().execute(_case_update(), {**changed, "revision": revision + 1, "_id": instance.id,
                                                               "_revision": revision})
    if affected(result) != 1:  # the revision moved on since we read it: another command won
        raise Conflict(CONFLICT)
    set_committed_value(instance, "revision", revision + 1)
    # Everything set on it is written now: what a flush does after writing the row (the session's
    # next flush skips it, and writes only what is set on it after this).
    state._commit_all(state.dict, session.identity_map)


def insert_case(session: Session, instance: Instance) -> None:
    """INSERT a new case row (revision 1) and keep the object in the session as that row, as a
    flush would, in one statement without the unit of work: a start writes it before its step."""
    instance.revision = 1
    for key, default in _case_defaults().items():  # every column given, so the object holds the whole row
        if key not in instance.__dict__:
            setattr(instance, key, default())
    values = {key: value for key, value in instance.__dict__.items() if key in _case_defaults()}
    result = session.connection().execute(_insert(table_of(Instance)), values)
    inserted = result.inserted_primary_key
    assert inserted is not None  # an INSERT of one row has it
    instance.id = inserted[0]
    make_transient_to_detached(instance)  # its values are the row's now
    session.add(instance)


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
def _case_update():
    table = table_of(Instance)
    return update(table).where(table.c.id == bindparam("_id"), table.c.revision == bindparam("_revision"))


def insert(session: Session, rows: Sequence[Any]) -> None:
    """INSERT new (unsaved) objects of one model, in their order: the columns each was given."""
    if not rows:
        return
    _chain(session, rows)
    _insert_chained(session, rows)


def _insert_chained(session: Session, rows: Sequence[Any]) -> None:
    if not rows:
        return
    table = table_of(type(rows[0]))
    for _keys, values in _given(table, rows):
        session.connection().execute(_insert(table), values)


def _chain(session: Session, rows: Sequence[Any]) -> None:
    if rows and isinstance(rows[0], HistoryEntry):
        chain.link(session, list(rows))


def _given(table: Table, rows: Sequence[Any]) -> list[tuple[tuple[str, ...], list[dict]]]:
    """The rows' values, in their order, in runs of rows given the same columns (an INSERT per run):
    history rows get their ids in the order they are chained."""
    columns = [column.key for column in table.columns]
    runs: list[tuple[tuple[str, ...], list[dict]]] = []
    for row in rows:
        given = row.__dict__
        keys = tuple(key for key in columns if key in given)
        if not runs or runs[-1][0] != keys:
            runs.append((keys, []))
        runs[-1][1].append({key: given[key] for key in keys})
    return runs


@functools.cache
def _insert(table: Table):
    return table.insert()


def update_rows(session: Session, changes: Iterable[tuple[Any, dict[str, Any]]]) -> None:
    """UPDATE rows of one model by primary key: `changes` pairs a persistent object with its new
    values, which become the object's committed ones."""
    changes = list(changes)
    groups: dict[tuple[type, tuple[str, ...]], list[tuple[Any, dict]]] = {}
    for row, values in changes:
        groups.setdefault((type(row), tuple(sorted(values))), []).append((row, values))
    for (model, _keys), pairs in groups.items():
        session.connection().execute(_update_by_id(table_of(model)), [{**values, "_id": row.id} for row, values in pairs])
    _updated(changes)


def _updated(changes: Iterable[tuple[Any, dict[str, Any]]]) -> None:
    for row, values in changes:
        for key, value in values.items():
            set_committed_value(row, key, value)


@functools.cache
def _update_by_id(table: Table):
    """SET what the parameters name (Core takes the columns from the first set)."""
    return update(table).where(table.c.id == bindparam("_id"))


def delete_rows(session: Session, rows: Sequence[Any]) -> None:
    """DELETE persistent objects of one model by primary key; they leave the session."""
    if not rows:
        return
    session.connection().execute(_delete_by_id(table_of(type(rows[0]))), [{"_id": row.id} for row in rows])
    _deleted(session, rows)


def _deleted(session: Session, rows: Iterable[Any]) -> None:
    for row in rows:
        if inspect(row).persistent:
            session.expunge(row)


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
    """A step's rows gathered, then written with a few Core statements (`write`): the new ones per
    table in the order they came (history first: its chain), then the changed, then the gone."""

    def __init__(self, session: Session):
        super().__init__(session)
        self.new: dict[type, list] = {}
        self.changed: list[tuple[Any, dict[str, Any]]] = []
        self.gone: dict[type, list] = {}

    def add(self, rows: Sequence[Any]) -> None:
        for row in rows:
            self.new.setdefault(type(row), []).append(row)

    def change(self, row: Any, values: dict[str, Any]) -> None:
        self.changed.append((row, values))

    def remove(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.gone.setdefault(type(row), []).append(row)

    def write(self) -> None:
        with conflicts_as_errors():
            for rows in self.new.values():
                _chain(self.session, rows)
            if not write_together(self.session, self.new, self.changed, self.gone):
                for rows in self.new.values():
                    _insert_chained(self.session, rows)
                update_rows(self.session, self.changed)
                for rows in self.gone.values():
                    delete_rows(self.session, rows)
        self.new, self.changed, self.gone = {}, [], {}


# -- PostgreSQL: a step's rows in one statement ------------------------------------------------

def write_together(session: Session, new: dict[type, list], changed: list[tuple[Any, dict[str, Any]]],
                   gone: dict[type, list]) -> bool:
    """On PostgreSQL, write the step's new, changed and gone rows (history chained already) as one
    statement: each INSERT, UPDATE and DELETE a data-modifying part of one WITH, so the server gets
    them in one round trip instead of one per table and kind. Returns False, having written
    nothing, on SQLite (no such statements; it has no round trips to save) and where there is at
    most one part. The parts of one statement see the same snapshot and run in no set order: a step
    never removes and adds the same row (Step._sync_human_tasks and _sync_timers add what was not
    there and remove what is no longer), and no part reads what another writes."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    shape: list[tuple] = []
    params: dict[str, Any] = {}
    for rows in new.values():
        if not rows:
            continue
        table = table_of(type(rows[0]))
        runs = _given(table, rows)
        if len(runs) > 1 and isinstance(rows[0], HistoryEntry):
            return False  # the parts run in no set order, and history's ids must follow its chain
        for keys, given in runs:
            part = len(shape)
            shape.append(("insert", table, keys, len(given)))
            for number, one in enumerate(given):
                params.update({f"p{part}r{number}_{key}": one[key] for key in keys})
    for row, values in changed:
        part = len(shape)
        table = table_of(type(row))
        shape.append(("update", table, tuple(sorted(values)), 1))
        params.update({f"p{part}_{key}": value for key, value in values.items()})
        params[f"p{part}_id"] = row.id
    for rows in gone.values():
        if not rows:
            continue
        part = len(shape)
        shape.append(("delete", table_of(type(rows[0])), (), len(rows)))
        params.update({f"p{part}_{number}": row.id for number, row in enumerate(rows)})
    if len(shape) < 2:
        return False
    session.connection().execute(_together(tuple(shape)), params)
    _updated(changed)
    for rows in gone.values():
        _deleted(session, rows)
    return True


@functools.lru_cache(maxsize=256)
def _together(shape: tuple[tuple, ...]):
    """The one statement of a step of this shape: (kind, table, columns, rows) per part; its
    parameters are named by part and row (write_together). Built once per shape: a step of a
    process writes the same few shapes again and again."""
    parts = []
    for part, (kind, table, keys, count) in enumerate(shape):
        if kind == "insert":
            statement = table.insert().values([{key: bindparam(f"p{part}r{number}_{key}") for key in keys}
                                               for number in range(count)])
        elif kind == "update":
            statement = update(table).where(table.c.id == bindparam(f"p{part}_id")).values(
                {key: bindparam(f"p{part}_{key}") for key in keys})
        else:
            statement = delete(table).where(table.c.id.in_([bindparam(f"p{part}_{number}") for number in range(count)]))
        parts.append(statement.cte(f"w{part}"))
    return select(literal_column("1")).add_cte(*parts)
