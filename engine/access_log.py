"""The access log (NEN 7513, BIO2 8.15): who did what with whose data, when, from where.

Rows are only ever added. Each row carries the SHA-256 of its own fields and of the row
before it, so changing, removing or reordering a row breaks the chain at that point and
`verify` names it. Rows are written by the same transaction as the access they record: an
access that is rolled back leaves no row, and no access happens without its row.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, text

from .db import AccessLogEntry
from .identity import Origin, User

GENESIS = "0" * 64
ACTIONS = frozenset({"read", "create", "change", "delete", "print", "export", "search", "transfer"})
# Any constant: all writers of the log take this lock so the chain has exactly one next row.
_CHAIN_LOCK = 7513


@dataclass(frozen=True)
class Access:
    at: datetime
    username: str
    partner: str
    role: str
    action: str
    object_type: str
    object_id: str
    instance_id: int | None
    origin_ip: str
    result: str


def record(session, user: User, origin: Origin, action: str, object_type: str, object_id: str,
           instance_id: int | None, allowed: bool, now: datetime, on_behalf_of: str | None = None) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    if session.bind.dialect.name == "postgresql":
        # Two transactions must never both chain onto the same last row. On SQLite every
        # writer already holds the database's single write lock (BEGIN IMMEDIATE).
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    previous = session.scalar(select(AccessLogEntry.hash).order_by(AccessLogEntry.id.desc()).limit(1)) or GENESIS
    entry = AccessLogEntry(
        at=now, username=user.username, partner=user.partner, role=",".join(sorted(user.roles)),
        on_behalf_of=on_behalf_of, action=action, object_type=object_type, object_id=str(object_id),
        instance_id=instance_id, origin_ip=origin.ip[:64], origin_device=origin.device[:255],
        result="toegestaan" if allowed else "geweigerd", previous_hash=previous,
    )
    entry.hash = _digest(entry)
    session.add(entry)
    session.flush()


def record_many(session, user: User, origin: Origin, action: str, object_type: str,
                objects: list[tuple[str, int | None]], allowed: bool, now: datetime) -> None:
    """Like `record`, one row per (object_id, instance_id), chained in order with one lock, one
    read of the last row and one insert: what a list page showing many cases writes."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    if not objects:
        return
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    previous = session.scalar(select(AccessLogEntry.hash).order_by(AccessLogEntry.id.desc()).limit(1)) or GENESIS
    entries = []
    for object_id, instance_id in objects:
        entry = AccessLogEntry(
            at=now, username=user.username, partner=user.partner, role=",".join(sorted(user.roles)),
            on_behalf_of=None, action=action, object_type=object_type, object_id=str(object_id),
            instance_id=instance_id, origin_ip=origin.ip[:64], origin_device=origin.device[:255],
            result="toegestaan" if allowed else "geweigerd", previous_hash=previous,
        )
        entry.hash = previous = _digest(entry)
        entries.append(entry)
    session.add_all(entries)
    session.flush()


def verify(session) -> list[int]:
    """Ids of the rows where the chain is broken; an empty list means the log is intact."""
    broken, previous = [], GENESIS
    for entry in session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)).yield_per(1000):
        if entry.previous_hash != previous or entry.hash != _digest(entry):
            broken.append(entry.id)
        previous = entry.hash
    return broken


def for_case(session, instance_id: int) -> list[Access]:
    """Every access to one case's data, oldest first: the betrokkene's report of who saw what."""
    rows = session.scalars(select(AccessLogEntry).where(AccessLogEntry.instance_id == instance_id)
                           .order_by(AccessLogEntry.id))
    return [Access(r.at, r.username, r.partner, r.role, r.action, r.object_type, r.object_id,
                   r.instance_id, r.origin_ip, r.result) for r in rows]


def _digest(entry: AccessLogEntry) -> str:
    fields = {
        "at": entry.at.astimezone(timezone.utc).isoformat(), "username": entry.username, "partner": entry.partner, "role": entry.role,
        "on_behalf_of": entry.on_behalf_of, "action": entry.action, "object_type": entry.object_type,
        "object_id": entry.object_id, "instance_id": entry.instance_id, "origin_ip": entry.origin_ip,
        "origin_device": entry.origin_device, "result": entry.result, "previous_hash": entry.previous_hash,
    }
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode("utf-8")).hexdigest()
