"""Local accounts: signing in with a password and a TOTP code, with limits on guessing.

Plain functions over the engine's database; the web layer turns their errors into Dutch
messages. Every password and code attempt is written to `login_attempts`, so the limits
hold across processes and hosts that share one database.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pyotp.utils import strings_equal
from sqlalchemy import Row, String, bindparam, select, update

from . import login_limits, partner_register, policy
from .clock import aware
from .db import Account, HumanTask, Partner
from .errors import EngineError
from .identity import Origin, User
from .login_limits import (  # noqa: F401 - the limits' figures, public here as before
    ATTEMPT_WINDOW,
    MAX_DELAY,
    MAX_FAILURES_PER_ADDRESS,
    SLOW_DOWN_AFTER,
    delay_after,
)
from .unit_of_work import affected

if TYPE_CHECKING:
    from .api import Engine

# The guessing limits (slow down per account, block per address) are in engine/login_limits.py.

# argon2 cost grows with the input; a password longer than any passphrase is refused
# before hashing so a megabyte "password" cannot tie up a worker.
MAX_PASSWORD_LENGTH = 1024

# RFC 6238 defaults, which every authenticator app uses. One step either side absorbs a
# phone clock that is up to 30 seconds off and a code typed just as it changed.
TOTP_INTERVAL = 30
TOTP_VALID_WINDOW = 1
TOTP_ISSUER = "ZVT"

_DEFAULT_HASHER = PasswordHasher()
_dummy_hashes: dict[tuple, str] = {}


class LoginRefused(EngineError):
    """Signing in did not succeed; the subclass says why."""


class WrongCredentials(LoginRefused):
    """Unknown username or wrong password; deliberately not saying which."""


class AccountInactive(LoginRefused):
    """The account, or the partner it belongs to, has been switched off."""


class DemoAccountRefused(LoginRefused):
    """A demo account (its password is in the README) tried to sign in where demo accounts are refused."""


class TooManyAttempts(LoginRefused):
    """Too many failed attempts; nothing was checked. `retry_after` says how long to wait;
    `per_address` says whether this address is blocked for every account (else it only has to
    wait before its next try on this one)."""

    def __init__(self, message: str, retry_after: timedelta, *, per_address: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.per_address = per_address


class InvalidCode(LoginRefused):
    """The TOTP code is wrong, too old, or was used before."""


class TotpNotEnrolled(LoginRefused):
    """The account has no TOTP secret yet."""


class TotpAlreadyEnrolled(LoginRefused):
    """The account has a TOTP secret already; replacing it is a beheerder's job."""


@dataclass(frozen=True)
class AccountView:
    """What the web layer shows of a signed-in account besides the User itself."""

    user: User
    partner_name: str
    has_totp: bool
    demo: bool
    session_epoch: int  # a browser session signed in under another value has ended


def authenticate(engine: Engine, username: str, password: str, origin: Origin, now: datetime, *,
                 refuse_demo: bool = False, hasher: PasswordHasher | None = None) -> User:
    """Check a username and password; return the User or raise a LoginRefused subclass.

    The password is checked before anything else is told: a refusal for an inactive or
    demo account only follows a correct password, so the answers reveal nothing about which
    usernames exist. `refuse_demo` is the production configuration's flag.
    """
    hasher = hasher or _DEFAULT_HASHER
    now = aware(now)
    name, key = username.strip(), login_limits.attempt_key(username)
    with engine.database.unit_of_work(write=False) as uow:
        limited = _limited(uow.session, key, origin.ip, now)
        account = None if limited else _load(uow.session, name, now)
    # The password is hashed outside any transaction: argon2 takes tens of milliseconds
    # and SQLite's write lock must not be held that long.
    if limited is not None:
        raise limited
    if account is None or not password or len(password) > MAX_PASSWORD_LENGTH:
        # Hash anyway, so an unknown username takes as long as a known one.
        _verify(hasher, _dummy_hash(hasher), password[:MAX_PASSWORD_LENGTH])
        login_limits.record(engine, key, origin, now, success=False)
        raise WrongCredentials("unknown username or wrong password")
    if not _verify(hasher, account.password_hash, password):
        login_limits.record(engine, key, origin, now, success=False)
        raise WrongCredentials("unknown username or wrong password")

    refusal: LoginRefused | None = None
    if not (account.active and account.partner_active):
        refusal = AccountInactive(f"account {name!r} or its partner is inactive")
    elif refuse_demo and account.demo:
        refusal = DemoAccountRefused(f"account {name!r} is a demo account, refused in this configuration")
    new_hash = None
    if refusal is None and hasher.check_needs_rehash(account.password_hash):
        new_hash = hasher.hash(password)
    with engine.database.unit_of_work() as uow:
        uow.session.add(login_limits.attempt(key, origin, now, success=refusal is None))
        if new_hash is not None:
            # Only if nobody changed the password meanwhile.
            uow.session.execute(update(Account).where(
                Account.id == account.id, Account.password_hash == account.password_hash,
            ).values(password_hash=new_hash))
        uow.commit()
    if refusal is not None:
        raise refusal
    return account.user


def verify_totp(engine: Engine, username: str, code: str, now: datetime, *, origin: Origin | None = None) -> None:
    """Accept a TOTP code for the account, once: raises InvalidCode for a wrong or reused code.

    Wrong codes count towards the same limits as wrong passwords: a six-digit code is
    otherwise guessed in a few hundred thousand tries. There is deliberately no lock per
    account either: only someone with the right password reaches the code, and a lock would
    let that person keep the real user out with a few wrong codes. Instead the address that
    guesses slows down (at most one guess a minute on the account after five failures) and is
    blocked after 20 failures in 15 minutes, about 1,900 guesses a day at 3 codes in a million
    (the step before and after count too): a few in a thousand a day per address. The real
    user, typing the right code from their own address, is checked at once.
    """
    origin = origin or Origin(ip="")
    now = aware(now)
    name, key = username.strip(), login_limits.attempt_key(username)
    with engine.database.unit_of_work(write=False) as uow:
        limited = _limited(uow.session, key, origin.ip, now)
        account = None if limited else _load(uow.session, name, now)
    if limited is not None:
        raise limited
    if account is None or not (account.active and account.partner_active):
        login_limits.record(engine, key, origin, now, success=False)
        raise AccountInactive(f"account {name!r} is unknown or inactive")
    if account.totp_secret is None:
        raise TotpNotEnrolled(f"account {name!r} has no TOTP secret")
    step = _matching_step(account.totp_secret, code, now)
    if step is not None and (account.totp_last_step is None or step > account.totp_last_step):
        with engine.database.unit_of_work() as uow:
            # Conditional, so two requests racing with the same code cannot both win.
            claimed = affected(uow.session.execute(update(Account).where(
                Account.id == account.id,
                (Account.totp_last_step.is_(None)) | (Account.totp_last_step < step),
            ).values(totp_last_step=step))) == 1
            uow.session.add(login_limits.attempt(key, origin, now, success=claimed))
            uow.commit()
        if claimed:
            return
    else:
        login_limits.record(engine, key, origin, now, success=False)
    raise InvalidCode("wrong, expired or already used code")


def new_totp_secret() -> str:
    """A fresh random secret (160 bits, base32), as RFC 4226 recommends."""
    return pyotp.random_base32()


def provisioning_uri(username: str, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from a QR code."""
    return pyotp.TOTP(secret, interval=TOTP_INTERVAL).provisioning_uri(name=username, issuer_name=TOTP_ISSUER)


def enrol_totp(engine: Engine, username: str, secret: str, code: str, now: datetime) -> None:
    """Store `secret` for the account once `code` proves the person's app produces it.

    Refuses to replace an existing secret: that would let whoever holds a session switch
    the second factor to their own phone.
    """
    now = aware(now)
    name = username.strip()
    try:
        step = _matching_step(secret, code, now)
    except ValueError:
        raise InvalidCode("the secret is not valid base32") from None
    if step is None:
        raise InvalidCode("the code does not match the new secret")
    with engine.database.unit_of_work() as uow:
        stored = affected(uow.session.execute(update(Account).where(
            Account.username == name, Account.active.is_(True), Account.totp_secret.is_(None),
        ).values(totp_secret=secret, totp_last_step=step))) == 1
        if not stored:
            has_secret = uow.session.scalar(select(Account.totp_secret.is_not(None)).where(Account.username == name))
            if has_secret:
                raise TotpAlreadyEnrolled(f"account {name!r} has a TOTP secret already")
            raise AccountInactive(f"account {name!r} is unknown or inactive")
        uow.commit()


def load_account(engine: Engine, username: str) -> AccountView | None:
    """The account behind a session, if it may still be used: active, of a partner taking part today."""
    with engine.database.unit_of_work(write=False) as uow:
        account = _load(uow.session, username.strip(), aware(engine.clock()))
    if account is None or not (account.active and account.partner_active):
        return None
    return AccountView(account.user, account.partner_name, account.totp_secret is not None, account.demo,
                       account.session_epoch)


def end_sessions(engine: Engine, username: str) -> None:
    """End every browser session of the account (logging out), wherever it was started.

    Sessions live in signed cookies, which the server cannot delete; the cookie's epoch
    no longer matching the account's is what ends them.
    """
    with engine.database.unit_of_work() as uow:
        uow.session.execute(update(Account).where(Account.username == username.strip()).values(
            session_epoch=Account.session_epoch + 1))
        uow.commit()


def load_user(engine: Engine, username: str) -> User | None:
    """The User for an active account of an active partner, else None."""
    view = load_account(engine, username)
    return view.user if view is not None else None


def task_candidates(session, lane: str | None, process_id: str, participants, open_lanes, *, day: date,
                    with_email: bool = False, partner: str | None = None) -> list[Row]:
    """The accounts that may do a task: active, of a partner taking part on `day`, with the task's lane
    among their roles and let through by the policy (engine/policy.py may_do_task; `partner`:
    the task is for that partner's staff alone).

    One rule for everyone who asks: the colleagues a task can be given to (casework) and the
    people told of a new task by e-mail (outbox), so no mail points someone at a task the
    task page would refuse them. `with_email` leaves out accounts without an address.
    Rows of the columns those callers read (username, display_name, partner_id, roles, email,
    directs), not Account objects: every step that opens a task asks, for every account.
    """
    if lane is None:
        return []
    statement, parameters = candidates_statement(with_email, day)
    return candidates_among(session.connection().execute(statement, parameters), lane, process_id, participants,
                            open_lanes, partner)


def candidates_statement(with_email: bool, day: date) -> tuple[Any, dict[str, str]]:
    """task_candidates' SELECT of every account that can log in on `day`, with its parameters: for
    a caller that sends it with other statements (engine/step_writes.py) and then picks with
    `candidates_among`."""
    return _candidates_query(with_email), {"day": day.isoformat()}


def candidates_among(accounts: Iterable[Any], lane: str | None, process_id: str, participants, open_lanes,
                     partner: str | None = None) -> list[Any]:
    """Of the rows of candidates_statement, the accounts that may do a task in `lane` (task_candidates)."""
    if lane is None:
        return []
    participants, open_lanes = list(participants or ()), set(open_lanes or ())
    return [account for account in accounts if lane in (account.roles or ()) and policy.may_do_task(
        user_of(account, directs=bool(account.directs)), lane, process_id, participants, open_lanes, partner)]


@functools.cache
def _candidates_query(with_email: bool):
    """task_candidates' SELECT, built once (every step that opens a task runs it): the day is a parameter."""
    return (usable_accounts(with_email, day=bindparam("day", type_=String))
            .with_only_columns(Account.username, Account.display_name, Account.partner_id, Account.roles,
                               Account.email, Partner.directs)
            .order_by(Account.display_name, Account.id))


def open_lanes(session, instance_id: int) -> set[str]:
    """The lanes of a case's open tasks as the policy counts them (`policy.lane_key`)."""
    # A task in no lane counts for no one: every check asks whether a role's key is among these.
    return {policy.lane_key(lane, partner) for lane, partner in session.execute(
        select(HumanTask.lane, HumanTask.partner).where(HumanTask.instance_id == instance_id)) if lane is not None}


def usable_accounts(with_email: bool = False, *, day):
    """SELECT of the accounts that can log in: active, of a partner taking part on `day` (the
    Dutch day of the engine's clock, partner_register.day_of; from its leaving day on, a partner's
    accounts no longer work) and with an e-mail address when `with_email`."""
    query = select(Account).join(Partner, Partner.id == Account.partner_id).where(
        Account.active.is_(True), partner_register.taking_part_clause(day))
    return query.where(Account.email.is_not(None)) if with_email else query


def user_of(account: Account | Row, *, directs: bool = False) -> User:
    """The User of an account; `directs`: its partner directs the team (Partner.directs), which
    whoever builds the User reads with the account."""
    return User(username=account.username, display_name=account.display_name, partner=account.partner_id,
                roles=frozenset(account.roles or ()), directs=directs)


# -- internals ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Loaded:
    id: int
    user: User
    password_hash: str
    totp_secret: str | None
    totp_last_step: int | None
    active: bool
    demo: bool
    partner_active: bool
    partner_name: str
    session_epoch: int


def _load(session, username: str, now: datetime) -> _Loaded | None:
    if not username:
        return None
    row = session.execute(select(Account, Partner).join(Partner, Partner.id == Account.partner_id)
                          .where(Account.username == username)).one_or_none()
    if row is None:
        return None
    account, partner = row
    # `partner_active`: the partner takes part today (from its leaving day on, its accounts stop).
    return _Loaded(account.id, user_of(account, directs=bool(partner.directs)), account.password_hash,
                   account.totp_secret, account.totp_last_step, bool(account.active), bool(account.demo),
                   partner_register.takes_part(partner, partner_register.day_of(now)), partner.name,
                   account.session_epoch or 0)


def _limited(session, key: str, ip: str, now: datetime) -> TooManyAttempts | None:
    limit = login_limits.limited(session, key, ip, now)
    return None if limit is None else TooManyAttempts(limit.message, limit.retry_after, per_address=limit.per_address)


def _verify(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _dummy_hash(hasher: PasswordHasher) -> str:
    parameters = (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.hash_len, hasher.salt_len,
                  hasher.type)
    if parameters not in _dummy_hashes:
        _dummy_hashes[parameters] = hasher.hash("not a password of anyone")
    return _dummy_hashes[parameters]


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code `code` is, within the valid window, else None."""
    code = "".join(code.split())  # apps show "123 456"; people type it that way
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_INTERVAL)
    current = totp.timecode(now)
    matched = None
    # Every step is compared (no early exit), in constant time per comparison.
    for step in range(current - TOTP_VALID_WINDOW, current + TOTP_VALID_WINDOW + 1):
        if strings_equal(code, totp.generate_otp(step)):
            matched = step
    return matched
