"""Background work that several workers share: due timers to fire, queued mails to send.

A worker claims a batch of rows for a while (its lease) in one short transaction: rows another
worker is claiming at that moment are skipped, not waited for (PostgreSQL `FOR UPDATE SKIP
LOCKED`; SQLite has one writer at a time and ignores it). A worker that dies leaves its claims
to run out; then another takes the rows. After a failure a row waits before the next try.
The claimed table has the columns `id`, `lock_owner`, `lock_expires_at` and `retry_at`.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

# How long a worker holds what it claimed; when it dies, others take it after this.
DEFAULT_LEASE = timedelta(minutes=5)
# After the n-th failure, wait RETRY_AFTER[n-1] before the next try.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1))


def claim(session, model, where: tuple, order_by: tuple, batch: int, owner: str, now: datetime,
          lease: timedelta) -> list:
    """Claim up to `batch` rows matching `where` that nobody holds and that wait for no retry;
    return their ids. The caller commits."""
    ids = list(session.scalars(
        select(model.id).where(
            *where,
            or_(model.retry_at.is_(None), model.retry_at <= now),
            or_(model.lock_owner.is_(None), model.lock_expires_at <= now))
        .order_by(*order_by).limit(batch)
        .with_for_update(skip_locked=True)))
    if ids:
        session.execute(update(model).where(model.id.in_(ids)).values(lock_owner=owner, lock_expires_at=now + lease))
    return ids


def release(session, model, ids, owner: str, **values) -> None:
    """Let go of what `owner` still holds of these rows (a claim that ran out is someone else's)."""
    if ids:
        session.execute(update(model).where(model.id.in_(ids), model.lock_owner == owner)
                        .values(lock_owner=None, lock_expires_at=None, **values))
