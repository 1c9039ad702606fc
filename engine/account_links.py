"""What an employee does through a link in a mail: set a first password, choose a new one, or set
up the second factor again.

Nobody else ever sees or sets a person's password: the beheerder (or the gemachtigde's approval)
only makes a link go to the account's own e-mail address, and the person chooses the password on
the page behind it. A new link of a kind withdraws the older one of that account. Setting a
password through a link ends the account's other browser sessions.

The two-factor reset is the only way a secret is replaced: engine/accounts.py enrol_totp keeps
refusing that for a signed-in session, since whoever holds a session could otherwise move the
second factor to their own phone. The reset link asks for the password too (checked with the
login's guessing limits), so the mailbox alone is not enough.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import select

from . import account_mail, account_state, accounts, one_time_links
from .accounts import MAX_PASSWORD_LENGTH
from .db import Account, Partner
from .errors import EngineError
from .identity import Origin

ACTIVATE, PASSWORD, TOTP = "activeren", "wachtwoord", "tweestap"
LIFETIME = {
    # A new employee may read the mail on their first day, after a weekend.
    ACTIVATE: timedelta(hours=72),
    # A reset is asked for while the person is waiting for it.
    PASSWORD: timedelta(hours=2),
    TOTP: timedelta(hours=2),
}
_MAIL_KIND = {ACTIVATE: account_mail.ACTIVATION, PASSWORD: account_mail.PASSWORD_RESET,
              TOTP: account_mail.TOTP_RESET}
_PATH = {ACTIVATE: "/account/activeren/", PASSWORD: "/account/wachtwoord/", TOTP: "/account/tweestap/"}
_EVENT = {ACTIVATE: "activatielink_verstuurd", PASSWORD: "wachtwoordlink_verstuurd",
          TOTP: "tweestaplink_verstuurd"}

# NIST SP 800-63B: length is what makes a password strong; no rules about kinds of characters,
# which only make people write them down. 12 characters fits a short passphrase.
MIN_PASSWORD_LENGTH = 12

_DEFAULT_HASHER = PasswordHasher()


class PasswordRefused(EngineError):
    """The new password does not meet the rules; `code` says which: "short", "long", "mismatch",
    "like_name" (it is the username or the e-mail address), "repeated" (one character over and over)."""

    def __init__(self, code: str):
        super().__init__(f"password refused: {code}")
        self.code = code


class NoAddress(EngineError):
    """The account has no e-mail address to send the link to."""


@dataclass(frozen=True)
class LinkAccount:
    """What the page behind a link shows: whose account it is (the person opened their own mail)."""

    username: str
    display_name: str
    partner_name: str
    has_totp: bool


def password_problem(password: str, repeated: str, account: Account) -> str | None:
    """The code of the rule a new password breaks, else None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "long"
    if password != repeated:
        return "mismatch"
    lowered = password.strip().casefold()
    if lowered in {account.username.casefold(), (account.email or "").strip().casefold()}:
        return "like_name"
    if len(set(password)) < 3:
        return "repeated"
    return None


def send(session, account: Account, kind: str, actor: str, now: datetime) -> None:
    """Mail the account's owner a link of `kind` (ACTIVATE, PASSWORD, TOTP), withdrawing the older
    one, and record it. In the caller's transaction."""
    if not account.email:
        raise NoAddress(f"account {account.username!r} has no e-mail address")
    token = issue(session, account, kind, actor, now)
    partner = session.get(Partner, account.partner_id)
    account_mail.link_mail(session, _MAIL_KIND[kind], account.email, _PATH[kind] + token, now,
                           partner=partner.name if partner else account.partner_id,
                           hours=int(LIFETIME[kind].total_seconds() // 3600))


def issue(session, account: Account, kind: str, actor: str, now: datetime, *,
          lifetime: timedelta | None = None) -> str:
    """A new link of `kind` for the account (the older one withdrawn), recorded as an event; its token.
    The break-glass command prints it instead of mailing it."""
    subject = {"account": account.id}
    one_time_links.withdraw(session, kind, subject, now)
    token = one_time_links.issue(session, kind, subject, now, lifetime or LIFETIME[kind])
    account_state.record(session, account.id, _EVENT[kind], actor, now)
    return token


def path(kind: str, token: str) -> str:
    """The page a link of `kind` opens, relative to ZVT_BASE_URL."""
    return _PATH[kind] + token


def look(database, token: str, kind: str, now: datetime) -> LinkAccount:
    """Whose link it is, without using it; LinkInvalid when it cannot be used (also when the
    account was switched off meanwhile: "unknown")."""
    with database.unit_of_work(write=False) as uow:
        account = _account(uow.session, one_time_links.peek(uow.session, token, kind, now))
        partner = uow.session.get(Partner, account.partner_id)
        return LinkAccount(account.username, account.display_name,
                           partner.name if partner else account.partner_id, account.totp_secret is not None)


def set_password(database, token: str, kind: str, password: str, repeated: str, now: datetime, *,
                 hasher: PasswordHasher | None = None) -> str:
    """Use an activation or password link: store the new password's hash, end the account's
    sessions, record it. Returns the username. PasswordRefused leaves the link usable."""
    if kind not in (ACTIVATE, PASSWORD):
        raise ValueError(f"not a password link: {kind!r}")
    with database.unit_of_work(write=False) as uow:
        account = _account(uow.session, one_time_links.peek(uow.session, token, kind, now))
        problem = password_problem(password, repeated, account)
    if problem is not None:
        raise PasswordRefused(problem)
    # Hashed outside the transaction: argon2 takes tens of milliseconds, SQLite's write lock must not.
    new_hash = (hasher or _DEFAULT_HASHER).hash(password)
    with database.unit_of_work() as uow:
        account = _account(uow.session, one_time_links.redeem(uow.session, token, kind, now))
        account.password_hash = new_hash
        account.session_epoch = (account.session_epoch or 0) + 1
        account_state.record(uow.session, account.id,
                             "wachtwoord_ingesteld" if kind == ACTIVATE else "wachtwoord_hersteld",
                             account.username, now)
        username = account.username
        uow.commit()
    return username


def replace_totp(engine, token: str, password: str, secret: str, code: str, origin: Origin, now: datetime, *,
                 hasher: PasswordHasher | None = None) -> str:
    """Use a two-factor reset link: with the account's password and a code from the new secret,
    replace the secret and end the account's sessions. The password is checked by
    accounts.authenticate, so the guessing limits of the login hold here too: it raises its
    LoginRefused errors; a code that does not fit the secret raises InvalidCode. Either way the
    link stays usable."""
    with engine.database.unit_of_work(write=False) as uow:
        username = _account(uow.session, one_time_links.peek(uow.session, token, TOTP, now)).username
    accounts.authenticate(engine, username, password, origin, now, hasher=hasher)
    try:
        step = accounts._matching_step(secret, code, now)
    except ValueError:
        raise accounts.InvalidCode("the secret is not valid base32") from None
    if step is None:
        raise accounts.InvalidCode("the code does not match the new secret")
    with engine.database.unit_of_work() as uow:
        account = _account(uow.session, one_time_links.redeem(uow.session, token, TOTP, now))
        account.totp_secret, account.totp_last_step = secret, step
        account.session_epoch = (account.session_epoch or 0) + 1
        account_state.record(uow.session, account.id, "tweestap_hersteld", account.username, now)
        uow.commit()
    return username


def _account(session, link) -> Account:
    account = session.scalar(select(Account).where(Account.id == (link.subject or {}).get("account")))
    if account is None or not account.active:
        raise one_time_links.LinkInvalid("unknown")
    return account
