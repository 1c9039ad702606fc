"""The API's rate limit per client: so many requests per minute, counted in the database.

Not Flask-Limiter: its counts live in the worker's memory or in Redis or Memcached, and ZVT runs
several gunicorn workers, possibly on several hosts, with only the database in common; a count per
worker would let a client make the limit times the number of workers. The login limits share their
counts through the database for the same reason (engine/login_limits.py).

The window is the calendar minute (UTC): the count sits on the client's row (`window_start`,
`window_count`) and one UPDATE ... RETURNING both moves it and reads it, atomic on SQLite (its write
lock) and on PostgreSQL (the row's lock), so two workers never both take the last request. At a
minute's turn a client may do its limit twice within a few seconds, as with any fixed window; that is
the price of one row and one statement per request.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, update

from .db import ApiClient

WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class Window:
    limit: int
    used: int  # requests in this window, this one included
    resets_at: datetime

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit

    def retry_after(self, now: datetime) -> int:
        """Whole seconds until the next window, at least 1 (the Retry-After header)."""
        return max(1, math.ceil((self.resets_at - now).total_seconds()))


def window_start(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def count_request(session, client_id: int, per_minute: int, now: datetime) -> Window:
    """Count one request of the client in the caller's transaction, and say where it stands."""
    start = window_start(now)
    used = session.scalar(
        update(ApiClient).where(ApiClient.id == client_id)
        .values(window_count=case((ApiClient.window_start == start, ApiClient.window_count + 1), else_=1),
                window_start=start, last_used_at=now)
        .returning(ApiClient.window_count))
    return Window(per_minute, used, start + WINDOW)
