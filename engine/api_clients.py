"""Partner systems that use the REST API (web/api/): each a client with a token of its own.

A client acts as its own service account of its partner, with the roles the beheerder gave it, so
the policy (engine/policy.py) decides for it exactly as for a person with those roles, and the access
log names that account. The account cannot sign in on the pages: it has no password (its hash is
no argon2 hash, so no password ever matches), no e-mail address and no single sign-on link. It is
on its partner's accounts page and in the access review like any account: a role that lapses there
is gone for the API too, and a switched-off account makes the token fail.

The token is 256 random bits, shown once when it is made; only its SHA-256 is stored (a fast hash is
enough for a random secret of that length, as for the one-time links). It expires, and the beheerder
revokes it (`zvt api-clients revoke`), which also switches the service account off.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from . import account_requests, account_state, partner_register
from .accounts import user_of
from .api_limits import Window, count_request
from .clock import aware
from .db import Account, ApiClient, Partner
from .errors import EngineError, NotFound
from .identity import User
from .one_time_links import token_hash
from .roles import PRIVILEGED_ROLES, ROLES

TOKEN_PREFIX = "zvt_"
# A year: long enough not to break an integration by surprise, short enough that a forgotten
# token does not live for ever. At most two.
DEFAULT_DAYS, MAX_DAYS = 365, 730
# Requests per minute: a system that polls its tasks every few seconds and acts on some stays far
# below it; a runaway loop is stopped within a minute. The beheerder sets another per client.
DEFAULT_PER_MINUTE, MAX_PER_MINUTE = 60, 10_000
# The API does casework only: a role that administers (beheerder), changes the processes
# (proceseigenaar) or supervises (FG, who reads the access log) is not for a machine.
API_ROLES = ROLES - PRIVILEGED_ROLES
USERNAME_PREFIX = "api-"
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
# No argon2 hash (argon2 refuses it as InvalidHashError), so no password ever matches it.
NO_PASSWORD = "!api-client: signs in with its token only"

# Account events (engine/account_state.py); the pages say them in Dutch (web/account_texts.py).
MADE, RENEWED, REVOKED = "api_koppeling_aangemaakt", "api_sleutel_vernieuwd", "api_sleutel_ingetrokken"


class ClientRefused(EngineError):
    """The beheerder's command cannot be done as asked; nothing was changed."""


class TokenRefused(EngineError):
    """A request's token does not admit it; `reason` says why: "unknown", "expired", "revoked",
    "pending" (the partner's gemachtigde has not approved the client, or refused it) or "inactive"
    (its service account, or its partner, no longer works)."""

    def __init__(self, reason: str):
        super().__init__(f"API token {reason}")
        self.reason = reason


class RateLimited(EngineError):
    """The client made its allowed requests of this minute; `window` says when the next one starts."""

    def __init__(self, window: Window):
        super().__init__("too many API requests this minute")
        self.window = window


@dataclass(frozen=True)
class Issued:
    code: str
    username: str
    token: str  # shown once, never stored
    expires_at: datetime


@dataclass(frozen=True)
class ClientRow:
    code: str
    name: str
    partner: str
    username: str
    roles: tuple[str, ...]
    created_at: datetime
    created_by: str
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    per_minute: int
    state: str  # "actief", "verlopen", "ingetrokken" or "account uit"


@dataclass(frozen=True)
class Admitted:
    """A request the token admits: who it acts as, and how much of its minute is left."""
    code: str
    user: User
    window: Window


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def add(database, code: str, name: str, partner: str, roles, actor: str, now: datetime, *, reason: str = "",
        days: int = DEFAULT_DAYS, per_minute: int = DEFAULT_PER_MINUTE, token: str | None = None,
        demo: bool = False) -> Issued:
    """Make a client with its service account `api-<code>` and return its token. The token works
    once the partner's gemachtigde approved the client through the link mailed in the same
    transaction (engine/account_requests.py, API_CLIENT; `reason` is what they read), as every
    account of the partner needs: the covenant gives access only after an authorised officer's
    consent. `token`: a known one, and no approval, for the demo data only."""
    now = aware(now)
    code, name, roles = (code or "").strip(), " ".join((name or "").split()), sorted(set(roles or ()))
    _check(code, name, roles, days, per_minute)
    token = token or new_token()
    username = USERNAME_PREFIX + code
    with database.unit_of_work() as uow:
        session = uow.session
        found = session.get(Partner, partner)
        if found is None or not partner_register.takes_part(found, partner_register.day_of(now)):
            raise ClientRefused(f"partner {partner!r} is not in the register or does not take part today")
        if session.scalar(select(ApiClient.id).where(ApiClient.code == code)) is not None:
            raise ClientRefused(f"an API client {code!r} exists already (a revoked one keeps its code)")
        if session.scalar(select(Account.id).where(Account.username == username)) is not None:
            raise ClientRefused(f"an account {username!r} exists already")
        account = Account(username=username, display_name=f"API-koppeling: {name}"[:255], partner_id=partner,
                          roles=roles, password_hash=NO_PASSWORD, active=demo, demo=demo, created_at=now,
                          deactivated_at=None if demo else now,
                          deactivated_reason=None if demo else account_state.AWAITING_APPROVAL)
        session.add(account)
        session.flush()
        expires_at = now + timedelta(days=days)
        session.add(ApiClient(code=code, name=name, account_id=account.id, token_hash=token_hash(token),
                              created_at=now, created_by=actor, expires_at=expires_at, per_minute=per_minute,
                              window_count=0))
        account_state.record(session, account.id, MADE, actor, now, rollen=roles, koppeling=code)
        if not demo:
            try:
                account_requests.ask_officer(session, account, account_requests.API_CLIENT, (), reason, actor, now)
            except account_requests.RequestInvalid as exc:
                raise ClientRefused(_NOT_ASKED.get(next(iter(exc.problems)), "the request to the gemachtigde is "
                                                   f"refused: {exc.problems}")) from None
        uow.commit()
    return Issued(code, username, token, expires_at)


_NOT_ASKED = {
    "partner": "the partner has no gemachtigde's e-mail address in the register; the gemachtigde approves "
               "every API client (fill it in on the beheerder's partner page first)",
    "reason": "give the reason the gemachtigde reads (--reason), at most 1000 characters",
}


def renew(database, code: str, actor: str, now: datetime, *, days: int = DEFAULT_DAYS) -> Issued:
    """A new token for an active client; the old one stops working at once."""
    now = aware(now)
    _check_days(days)
    token = new_token()
    with database.unit_of_work() as uow:
        client, account = _client(uow.session, code)
        if client.revoked_at is not None:
            raise ClientRefused(f"API client {code!r} was revoked; make a new one")
        client.token_hash, client.expires_at = token_hash(token), now + timedelta(days=days)
        account_state.record(uow.session, account.id, RENEWED, actor, now, koppeling=code)
        uow.commit()
        return Issued(code, account.username, token, client.expires_at)


def revoke(database, code: str, actor: str, now: datetime) -> bool:
    """Refuse the client's token from now on and switch its service account off; False when it
    was revoked already (nothing changed)."""
    now = aware(now)
    with database.unit_of_work() as uow:
        client, account = _client(uow.session, code)
        if client.revoked_at is not None:
            return False
        client.revoked_at, client.revoked_by = now, actor
        account_state.record(uow.session, account.id, REVOKED, actor, now, koppeling=code)
        account_requests.withdraw_open(uow.session, account.id, actor, "De beheerder heeft de koppeling ingetrokken "
                                       "voordat de gemachtigde besliste.", now)
        account_state.deactivate(uow.session, account, account_state.BY_BEHEERDER, actor, now)
        uow.commit()
        return True


def clients(database, now: datetime) -> list[ClientRow]:
    """Every client, also revoked ones (their rows in the access log name them), by code."""
    now = aware(now)
    with database.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(ApiClient, Account).join(Account, Account.id == ApiClient.account_id)
                                   .order_by(ApiClient.code))
        return [ClientRow(c.code, c.name, a.partner_id, a.username, tuple(a.roles or ()), c.created_at, c.created_by,
                          c.expires_at, c.revoked_at, c.last_used_at, c.per_minute, _state(c, a, now))
                for c, a in rows]


def admit(database, token: str, now: datetime) -> Admitted:
    """The request's caller, counted against its rate limit: TokenRefused (401) or RateLimited (429).

    One short write transaction: the count is the database's, so every worker and host shares it."""
    now = aware(now)
    with database.unit_of_work() as uow:
        session = uow.session
        row = session.execute(select(ApiClient, Account, Partner)
                              .join(Account, Account.id == ApiClient.account_id)
                              .join(Partner, Partner.id == Account.partner_id)
                              .where(ApiClient.token_hash == token_hash(token or ""))).one_or_none()
        if row is None:
            raise TokenRefused("unknown")
        client, account, partner = row
        if client.revoked_at is not None:
            raise TokenRefused("revoked")
        if aware(client.expires_at) <= now:
            raise TokenRefused("expired")
        if account.deactivated_reason == account_state.AWAITING_APPROVAL:
            raise TokenRefused("pending")
        if not (account.active and partner_register.takes_part(partner, partner_register.day_of(now))):
            raise TokenRefused("inactive")
        window = count_request(session, client.id, client.per_minute, now)
        uow.commit()
    if window.exceeded:
        raise RateLimited(window)
    return Admitted(client.code, user_of(account, directs=bool(partner.directs)), window)


def _state(client: ApiClient, account: Account, now: datetime) -> str:
    if client.revoked_at is not None:
        return ("afgewezen door de gemachtigde" if account.deactivated_reason == account_state.REFUSED_BY_OFFICER
                else "ingetrokken")
    if aware(client.expires_at) <= now:
        return "verlopen"
    if account.deactivated_reason == account_state.AWAITING_APPROVAL:
        return "wacht op de gemachtigde"
    return "actief" if account.active else "account uit"


def _client(session, code: str) -> tuple[ApiClient, Account]:
    row = session.execute(select(ApiClient, Account).join(Account, Account.id == ApiClient.account_id)
                          .where(ApiClient.code == (code or "").strip())).one_or_none()
    if row is None:
        raise NotFound(f"API client {code!r}")
    return row


def _check(code: str, name: str, roles: list[str], days: int, per_minute: int) -> None:
    if not _CODE.fullmatch(code):
        raise ClientRefused("the code has 2 to 40 characters: lower-case letters, digits and '-', "
                            "starting with a letter or digit (for example woonfriesland-crm)")
    if not name or len(name) > 200:
        raise ClientRefused("give the client a name of at most 200 characters (what the system is)")
    if not roles:
        raise ClientRefused("give the client at least one role")
    refused = [role for role in roles if role not in API_ROLES]
    if refused:
        raise ClientRefused(f"role(s) {', '.join(refused)} not for an API client; choose from "
                            f"{', '.join(sorted(API_ROLES))}")
    _check_days(days)
    if not 1 <= per_minute <= MAX_PER_MINUTE:
        raise ClientRefused(f"the rate limit is 1 to {MAX_PER_MINUTE} requests per minute")


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_DAYS:
        raise ClientRefused(f"a token lives 1 to {MAX_DAYS} days")
