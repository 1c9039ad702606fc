"""Limits on guessing passwords and TOTP codes, kept in `login_attempts` so they hold across
processes and hosts that share one database (engine/accounts.py asks them before every check)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from .clock import aware
from .db import LoginAttempt
from .identity import Origin

# Guessing limits that cannot be turned into a lock-out. Locking an account after a few
# failures lets anyone who knows a colleague's username keep that colleague out, so nothing
# here ever refuses the right password from an address that has not itself failed:
#
# - Per account, slow down: after SLOW_DOWN_AFTER failed checks (password or code) on an
#   account in ATTEMPT_WINDOW, an address that has itself failed on that account within the
#   window waits before its next check: 1, 2, 4, ... seconds after its own last failure,
#   doubling with every failure on the account, at most MAX_DELAY. An address without a recent
#   failure on the account is checked at once, so the real user at their own desk gets in
#   while the attacker's address waits. A refused attempt checks nothing and is not recorded:
#   clicking again too early never makes the wait longer.
# - Per address, block: an address with MAX_FAILURES_PER_ADDRESS failed checks in the window,
#   over any accounts, is refused for every account until the oldest of those is out of the
#   window (15 minutes after a burst). 20 lets a shared office address (one NAT for a whole
#   team) absorb a few people's typos while one address cannot walk through many usernames or
#   guess one password fast: at most 20 guesses per 15 minutes, about 1,900 a day, per address.
#
# What this gives up: addresses are how people are told apart, so an attacker behind the same
# address as the colleague (ZVT_TRUSTED_PROXIES decides which address that is) slows them down
# too, by at most MAX_DELAY a try; and an attacker with many addresses gets 20 guesses per 15
# minutes from each. Production asks every account for a TOTP code as well, which these limits
# cover the same way (see verify_totp).
SLOW_DOWN_AFTER = 5
MAX_DELAY = timedelta(seconds=60)
MAX_FAILURES_PER_ADDRESS = 20
ATTEMPT_WINDOW = timedelta(minutes=15)



@dataclass(frozen=True)
class Limited:
    """Why nothing is checked now (engine/accounts.py raises it as TooManyAttempts)."""

    message: str
    retry_after: timedelta
    per_address: bool = False


def attempt_key(username: str) -> str:
    # Case-folded, so "Jan" and "jan" share one limit instead of doubling the guesses.
    return username.strip().casefold()[:255]


def delay_after(failures: int) -> timedelta:
    """How long an address that failed on an account waits after its own last failure, when
    the account has `failures` failed checks in the window (from any address)."""
    if failures < SLOW_DOWN_AFTER:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(failures - SLOW_DOWN_AFTER, 16)), MAX_DELAY)


def limited(session, key: str, ip: str, now: datetime) -> Limited | None:
    since = now - ATTEMPT_WINDOW
    failed = select(LoginAttempt.at).where(LoginAttempt.success.is_(False), LoginAttempt.at > since)
    ip = ip[:64]
    if ip:
        # The failure that would have to leave the window for the address to drop below the limit.
        oldest_counted = session.scalar(failed.where(LoginAttempt.origin_ip == ip)
                                        .order_by(LoginAttempt.at.desc()).offset(MAX_FAILURES_PER_ADDRESS - 1)
                                        .limit(1))
        if oldest_counted is not None:
            return Limited("too many failed attempts from this address; try again later",
                           aware(oldest_counted) + ATTEMPT_WINDOW - now, per_address=True)
    # A success does not reset the count: a correct password is only half a login, and
    # resetting on it would give whoever knows the password endless guesses at the code.
    account_failures = session.scalar(select(func.count()).select_from(failed.where(
        LoginAttempt.username == key).subquery()))
    if account_failures < SLOW_DOWN_AFTER:
        return None
    own_last_failure = session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.username == key, LoginAttempt.origin_ip == ip, LoginAttempt.success.is_(False),
        LoginAttempt.at > since))
    if own_last_failure is None:
        return None  # this address has not failed on the account: check it at once
    wait = aware(own_last_failure) + delay_after(account_failures) - now
    if wait <= timedelta(0):
        return None
    return Limited("too many failed attempts on this account from this address; wait", wait)


def attempt(key: str, origin: Origin, now: datetime, *, success: bool) -> LoginAttempt:
    return LoginAttempt(username=key, origin_ip=origin.ip[:64], at=now, success=success)


def record(engine, key: str, origin: Origin, now: datetime, *, success: bool) -> None:
    with engine.database.unit_of_work() as uow:
        uow.session.add(attempt(key, origin, now, success=success))
        uow.commit()
