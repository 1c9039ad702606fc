"""Verifying the access log's and the history's hash chains (engine/chain.py): `zvt audit verify`
and the scheduler's hourly check (engine/audit_watch.py).

A row is broken when its hash does not match its fields under the key (changed, inserted, or
written with the public SHA-256 by someone without the key) or when it does not chain onto the
row before it (a row before it deleted, or rows reordered). What no row can show by itself, the
anchors show (engine/anchors.py): a head of the chain written outside the database. A deleted
tail leaves an anchored row missing; a chain recomputed by someone who has the key leaves an
anchored row with another hash.

The rows from before the key (plain SHA-256) count only up to the seal in `audit_chains`, an
HMAC under the key of their last row's id and hash that `zvt db upgrade` writes after checking
them (`seal`). Messages name rows by id and never hold a person's data.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from . import chain
from .db import AuditChain, Destruction

NOT_SEALED = "the rows from before the audit key are not sealed yet; run `zvt db upgrade` (or `zvt audit seal`)"


@dataclass(frozen=True)
class Anchor:
    """A chain's head as written outside the database: row `row_id` had `hash` at `at`."""

    at: datetime | None
    chain: str
    row_id: int
    hash: str


@dataclass(frozen=True)
class Report:
    chain: str
    rows: int  # rows checked
    head: tuple[int, str] | None  # (id, hash) of the last row, None for an empty chain
    last_anchor: Anchor | None  # the newest anchor of this chain that was compared
    broken_row: int | None = None
    problem: str | None = None  # English, for the operator: what is wrong, never a person's data

    @property
    def intact(self) -> bool:
        return self.problem is None


class SealRefused(Exception):
    """The rows from before the key are not intact; sealing them would hide that."""


def verify(session, key: bytes, name: str, anchors: Sequence[Anchor] = (), start: tuple[int, str] | None = None) -> Report:
    """Check chain `name` ("access_log" or "history") from its first row, or from row `start`
    = (id, hash) that an earlier verification found intact, to its head; then the anchors."""
    model = chain.CHAINS[name]
    state = session.get(AuditChain, name)
    legacy_last = state.legacy_last_id if state is not None else None
    head_row = session.execute(select(model.id, model.hash).order_by(model.id.desc()).limit(1)).first()
    head = (head_row.id, head_row.hash) if head_row else None
    mine = sorted((a for a in anchors if a.chain == name), key=lambda a: a.row_id)
    last_anchor = max(mine, key=lambda a: (a.row_id, a.at or datetime.min), default=None)

    def broken(row_id, problem, rows=0):
        return Report(name, rows, head, last_anchor, row_id, problem)

    if legacy_last is not None:
        if state.seal is None:
            return broken(legacy_last, NOT_SEALED)
        if not hmac.compare_digest(state.seal, seal_mac(key, name, legacy_last, state.legacy_last_hash or "")):
            return broken(legacy_last, "the seal over the rows from before the audit key does not match the key: "
                                       "it was changed, or ZVT_AUDIT_KEY is not the key the log was written with")
    columns = select(*model.__table__.columns).order_by(model.id)
    previous, checked = chain.GENESIS, 0
    if start is not None:
        row = session.execute(columns.where(model.id == start[0])).first()
        if row is None or row.hash != start[1] or not _hash_ok(name, row, key, legacy_last):
            return broken(start[0], "changed since it was last verified intact")
        previous, columns = row.hash, columns.where(model.id > start[0])
    # A history row's data may be empty only when its case was destroyed at its retention date.
    destroyed = set(session.scalars(select(Destruction.instance_id))) if name == "history" else set()
    for row in session.execute(columns.execution_options(yield_per=2000)):
        checked += 1
        problem = _problem(session, model, name, row, previous, key, legacy_last) or _data_problem(name, row, destroyed)
        if problem:
            return broken(row.id, problem, checked)
        previous = row.hash
    if legacy_last is not None and (head is None or head[0] < legacy_last or not _legacy_end_ok(session, model, state)):
        return broken(legacy_last, "the last row from before the audit key was changed or deleted", checked)
    for anchor in mine:
        problem = _anchor_problem(session, model, anchor, head)
        if problem:
            return broken(anchor.row_id, problem, checked)
    return Report(name, checked, head, last_anchor)


def _hash_ok(name: str, row, key: bytes, legacy_last: int | None) -> bool:
    if legacy_last is not None and row.id <= legacy_last:
        return row.hash == chain.plain_digest(name, row)
    return hmac.compare_digest(row.hash or "", chain.keyed_digest(name, row, key))


def _problem(session, model, name: str, row, previous: str, key: bytes, legacy_last: int | None) -> str | None:
    if not _hash_ok(name, row, key, legacy_last):
        keyed = legacy_last is None or row.id > legacy_last
        if keyed and row.hash == chain.plain_digest(name, row):
            return ("written without the key: its hash is the public SHA-256, so it was inserted, appended "
                    "or recomputed by someone who could write the database")
        following = session.scalar(select(model.previous_hash).where(model.id > row.id).order_by(model.id).limit(1))
        if following is not None and following == previous:
            return "inserted: its hash does not match its fields, and the next row chains onto the row before it"
        algorithm = " under the audit key" if keyed else " (SHA-256, from before the key)"
        if following is None and row.previous_hash == previous:
            return f"changed or appended: its hash does not match its fields{algorithm}"
        return f"changed: its hash does not match its fields{algorithm}"
    if row.previous_hash != previous:
        if session.scalar(select(func.count()).select_from(model).where(model.hash == row.previous_hash)):
            return "out of order: it chains onto another row than the one before it"
        return "a row before it was deleted: it chains onto a row that is no longer there"
    return None


def _data_problem(name: str, row, destroyed: set[int]) -> str | None:
    """The hash covers a history row's data through its digest: the data must still match it, or
    be gone because the case was destroyed (engine/retention.py)."""
    if name != "history" or row.data_digest is None:
        return None
    if row.data is None:
        return None if row.instance_id in destroyed else "its data was removed, but its case was not destroyed"
    if chain.data_digest(row.data) != row.data_digest:
        return "changed: its data does not match the digest its hash covers"
    return None


def _legacy_end_ok(session, model, state: AuditChain) -> bool:
    return session.scalar(select(model.hash).where(model.id == state.legacy_last_id)) == state.legacy_last_hash


def _anchor_problem(session, model, anchor: Anchor, head: tuple[int, str] | None) -> str | None:
    when = f" (anchored {anchor.at.isoformat(timespec='seconds')})" if anchor.at else " (anchored)"
    found = session.scalar(select(model.hash).where(model.id == anchor.row_id))
    if found is None:
        if head is None or anchor.row_id > head[0]:
            end = f"row {head[0]}" if head else "no rows"
            return f"deleted tail: row {anchor.row_id}{when} is gone; the chain now ends at {end}"
        return f"deleted: row {anchor.row_id}{when} is gone"
    if found != anchor.hash:
        return f"recomputed: row {anchor.row_id} has another hash than its anchor{when}; the chain up to it was rewritten"
    return None


def seal_mac(key: bytes, name: str, row_id: int, row_hash: str) -> str:
    return hmac.new(key, f"{name}:{row_id}:{row_hash}".encode(), hashlib.sha256).hexdigest()


def seal(session, key: bytes) -> list[str]:
    """Seal every chain whose rows from before the key are not sealed yet, after checking them;
    the names of the chains sealed now. Raises SealRefused when those rows are not intact."""
    sealed = []
    for state in session.scalars(select(AuditChain).where(AuditChain.seal.is_(None),
                                                          AuditChain.legacy_last_id.is_not(None))):
        model = chain.CHAINS[state.chain]
        columns = select(*model.__table__.columns).where(model.id <= state.legacy_last_id).order_by(model.id)
        previous = chain.GENESIS
        for row in session.execute(columns.execution_options(yield_per=2000)):
            if row.previous_hash != previous or row.hash != chain.plain_digest(state.chain, row):
                raise SealRefused(f"{state.chain}: row {row.id} from before the audit key is broken; "
                                  f"not sealed (restore a backup, or ask the FG)")
            previous = row.hash
        if previous != state.legacy_last_hash:
            raise SealRefused(f"{state.chain}: the last row from before the audit key, row {state.legacy_last_id}, "
                              f"is changed or gone; not sealed")
        state.seal = seal_mac(key, state.chain, state.legacy_last_id, state.legacy_last_hash)
        sealed.append(state.chain)
    return sealed


def mark(session, report: Report, now: datetime) -> bool:
    """Record a scheduled verification's outcome as the chain's incident (set or, when a full
    verification is intact, cleared). True when a new incident was raised."""
    state = session.get(AuditChain, report.chain)
    if state is None:
        state = AuditChain(chain=report.chain)
        session.add(state)
    if report.intact:
        state.broken_at = state.broken_row = state.broken_problem = None
        return False
    new = state.broken_row != report.broken_row or state.broken_problem != report.problem
    if new:
        state.broken_at, state.broken_row, state.broken_problem = now, report.broken_row, report.problem
    return new


@dataclass(frozen=True)
class ChainIncident:
    chain: str
    broken_at: datetime
    row_id: int | None
    problem: str


def incidents(session) -> list[ChainIncident]:
    """The chains a scheduled verification found broken, for the beheerder's incidents page."""
    return [ChainIncident(s.chain, s.broken_at, s.broken_row, s.broken_problem or "")
            for s in session.scalars(select(AuditChain).where(AuditChain.broken_at.is_not(None))
                                     .order_by(AuditChain.chain))]
