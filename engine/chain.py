"""The keyed hash chains that make the access log and the history tamper-evident.

Each row of `access_log` and of `history` carries `previous_hash` (the hash of the row before
it) and `hash`: HMAC-SHA256, under the audit key (ZVT_AUDIT_KEY, kept outside the database),
of the row's own fields and `previous_hash`. Whoever can write the database but lacks the key
cannot make a changed, inserted or appended row fit, nor recompute the chain.

Rows written before the key existed (access-log rows of schema revisions before 0017) carry the
plain SHA-256 of the same fields; history rows from then were chained with plain SHA-256 by the
migration. They stay as they are: `zvt db upgrade` checks them and seals the last of them
with the key (table `audit_chains`, see engine/audit.py), so from then on their hashes are
fixed by the key as well, and a plain SHA-256 row past the seal is a forgery.

Every writer of either chain takes the same lock for the rest of its transaction, so each
chain has exactly one next row: PostgreSQL's transaction advisory lock; on SQLite every
writing unit of work already holds the database's single write lock (BEGIN IMMEDIATE).
One lock for both chains: a step writes rows of both, and two locks could deadlock.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
from datetime import timezone
from typing import Any

from sqlalchemy import event, inspect, select, text

from .db import AccessLogEntry, HistoryEntry

GENESIS = "0" * 64
# Public, like the development secret key: only for ZVT_ENV=development and the tests. A log
# chained with it proves nothing; production refuses it (zvt/config.py).
DEV_AUDIT_KEY = "zvt-development-audit-key-not-secret"
# Any constant: all writers of a chain take this lock so the chain has exactly one next row.
CHAIN_LOCK = 7513

CHAINS: dict[str, type[AccessLogEntry] | type[HistoryEntry]] = {"access_log": AccessLogEntry, "history": HistoryEntry}


def fields(chain: str, row) -> dict:
    """What a row's hash covers: everything but its id and its own hash. `row`: a mapped row or
    a plain result row with the same attributes (verification reads those: faster)."""
    if chain == "access_log":
        return {
            "at": row.at.astimezone(timezone.utc).isoformat(), "username": row.username, "partner": row.partner,
            "role": row.role, "on_behalf_of": row.on_behalf_of, "action": row.action,
            "object_type": row.object_type, "object_id": row.object_id, "instance_id": row.instance_id,
            "origin_ip": row.origin_ip, "origin_device": row.origin_device, "result": row.result,
            "previous_hash": row.previous_hash,
        }
    covered = {
        "instance_id": row.instance_id, "task_id": row.task_id, "process_id": row.process_id,
        "bpmn_id": row.bpmn_id, "name": row.name, "task_type": row.task_type, "lane": row.lane,
        "state": row.state, "actor": row.actor, "finished_at": row.finished_at.astimezone(timezone.utc).isoformat(),
        "data_digest": row.data_digest, "previous_hash": row.previous_hash,
    }
    # A user task's opening and due moments (schema revision 0028) are covered only where a row has
    # them: the rows from before keep the hashes they were written with.
    for name in ("opened_at", "due_at"):
        moment = getattr(row, name, None)
        if moment is not None:
            covered[name] = moment.astimezone(timezone.utc).isoformat()
    return covered


def data_digest(data) -> str | None:
    """The digest of a history row's data that its hash covers (instead of the data itself, so
    that the retention job can empty the data and leave the chain whole)."""
    return None if data is None else hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def _payload(chain: str, row) -> bytes:
    return json.dumps(fields(chain, row), sort_keys=True).encode("utf-8")


def keyed_digest(chain: str, row, key: bytes) -> str:
    return hmac.new(key, _payload(chain, row), hashlib.sha256).hexdigest()


def plain_digest(chain: str, row) -> str:
    """The public algorithm of the rows from before the key: anyone can compute it."""
    return hashlib.sha256(_payload(chain, row)).hexdigest()


def key_bytes(key: str) -> bytes:
    return key.encode("utf-8")


_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def lock(session) -> None:
    if session.bind.dialect.name == "postgresql":
        # Two transactions must never both chain onto the same last row (see the module doc). Held
        # until the transaction ends, so taken once in it: a step that writes history and the
        # access log's row (a form sent from the web) asks once. (No savepoint is used, whose
        # rollback would let it go.)
        connection = session.connection()  # begins the transaction if none has begun
        if not _held(session):
            connection.execute(_LOCK, {"key": CHAIN_LOCK})
            took(session)


_LOCKED_HEAD = text("SELECT zvt_chain_head(:key, :chain)")


def locked_head_hash(session, model) -> str:
    """The chain's last hash, read under the lock (taken now if this transaction has not yet): on
    PostgreSQL lock and read are one call when the lock is not held yet (migration 0031); on
    SQLite the writer holds the write lock of BEGIN IMMEDIATE already."""
    statement, parameters = locked_head_statement(session, model)
    head = session.connection().scalar(statement, parameters)
    took(session)
    return head or GENESIS


def locked_head_statement(session, model) -> tuple[Any, dict[str, Any]]:
    """What locked_head_hash runs, for a caller that sends it with other statements
    (engine/driver_batch.py): the statement and its parameters. Its result is the head hash, or
    None for an empty chain (GENESIS); the caller says `took(session)` once it ran."""
    session.connection()  # begins the transaction if none has begun
    if session.bind.dialect.name == "postgresql" and not _held(session):
        return _LOCKED_HEAD, {"key": CHAIN_LOCK, "chain": model.__tablename__}
    return _head_query(model), {}


def _held(session) -> bool:
    """The lock was taken in the session's running transaction (call once it has begun)."""
    return session.info.get("chain_locked_in") is session.get_transaction()


def took(session) -> None:
    """The chain's lock is held from now until the transaction ends (on SQLite: BEGIN IMMEDIATE's)."""
    session.info["chain_locked_in"] = session.get_transaction()


@functools.cache
def _head_query(model):
    return select(model.hash).order_by(model.id.desc()).limit(1)


def link(session, rows: list, previous: str | None = None) -> None:
    """Chain new rows of one table, in this order, onto the table's last row (or onto
    `previous`, a row of this transaction not written yet), under the lock."""
    if not rows:
        return
    key = session.info["audit_key"]
    model = type(rows[0])
    if previous is None:
        previous = locked_head_hash(session, model)
    else:
        lock(session)
    for row in rows:
        if model is HistoryEntry:
            row.data_digest = data_digest(row.data)
        row.previous_hash = previous
        row.hash = previous = keyed_digest(model.__tablename__, row, key)


def chain_history_on_flush(session_factory) -> None:
    """Chain every new history row when it is written, whoever writes it (a step, a pause, a
    move to another version), in the order it was added, which is the order of its id."""
    @event.listens_for(session_factory, "before_flush")
    def _before_flush(session, _context, _instances):
        pending = sorted((row for row in session.new if isinstance(row, HistoryEntry)),
                         key=lambda row: inspect(row).insert_order or 0)  # set for every new row
        # A flush of some objects only (Step.save flushes the case row first) chains every new
        # history row but writes none: rows added after it chain onto those, not onto the table.
        chained = [row for row in pending if row.hash is not None]
        link(session, [row for row in pending if row.hash is None], chained[-1].hash if chained else None)
