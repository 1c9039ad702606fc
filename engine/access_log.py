"""The access log (NEN 7513, BIO2 8.15): who did what with whose data, when, from where.

Rows are only ever added. Each row carries a keyed hash (HMAC-SHA256 under ZVT_AUDIT_KEY) of
its own fields and of the row before it (engine/chain.py), so changing, removing, adding or
reordering a row breaks the chain at that point and `zvt audit verify` names it
(engine/audit.py). Rows are written by the same transaction as the access they record: an
access that is rolled back leaves no row, and no access happens without its row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from . import chain
from .db import AccessLogEntry
from .identity import Origin, User

ACTIONS = frozenset({"read", "create", "change", "delete", "print", "export", "search", "transfer"})
# A request through the REST API (web/api/) records its device as "api:<client code> <user agent>".
API_DEVICE_PREFIX = "api:"


def api_device(client_code: str, agent: str) -> str:
    return f"{API_DEVICE_PREFIX}{client_code} {agent}".strip()[:255]


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
    api_client: str | None = None  # the partner system's client code, for a request through the API


def record(session, user: User, origin: Origin, action: str, object_type: str, object_id: str,
           instance_id: int | None, allowed: bool, now: datetime, on_behalf_of: str | None = None) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    entry = _entry(user, origin, action, object_type, object_id, instance_id, allowed, now, on_behalf_of)
    chain.link(session, [entry])
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
    entries = [_entry(user, origin, action, object_type, object_id, instance_id, allowed, now)
               for object_id, instance_id in objects]
    chain.link(session, entries)
    session.add_all(entries)
    session.flush()


def _entry(user: User, origin: Origin, action: str, object_type: str, object_id: str, instance_id: int | None,
           allowed: bool, now: datetime, on_behalf_of: str | None = None) -> AccessLogEntry:
    return AccessLogEntry(
        at=now, username=user.username, partner=user.partner, role=",".join(sorted(user.roles)),
        on_behalf_of=on_behalf_of, action=action, object_type=object_type, object_id=str(object_id),
        instance_id=instance_id, origin_ip=origin.ip[:64], origin_device=origin.device[:255],
        result="toegestaan" if allowed else "geweigerd",
    )


def for_case(session, instance_id: int) -> list[Access]:
    """Every access to one case's data, oldest first: the betrokkene's report of who saw what."""
    rows = session.scalars(select(AccessLogEntry).where(AccessLogEntry.instance_id == instance_id)
                           .order_by(AccessLogEntry.id))
    return [access(row) for row in rows]


def access(row: AccessLogEntry) -> Access:
    device = row.origin_device or ""
    client = device[len(API_DEVICE_PREFIX):].split(" ", 1)[0] if device.startswith(API_DEVICE_PREFIX) else None
    return Access(row.at, row.username, row.partner, row.role, row.action, row.object_type, row.object_id,
                  row.instance_id, row.origin_ip, row.result, client or None)
