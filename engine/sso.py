"""Single sign-on: from the claims of a checked id_token to a ZVT account.

The web layer (web/sso.py) runs the OpenID Connect flow and checks the id_token (signature,
issuer, audience, expiry, nonce); this module decides who that person is in ZVT, with the same
rules as a local login (engine/accounts.py): an account of that partner, active, of a partner
taking part today, no demo account where demo accounts are refused. Every sign-in, let in or
refused, is a `login_attempts` row, as a local login's password check is.

An account is found by its external subject (the provider's issuer and the subject claim). A
first login links by e-mail address only when the partner's settings allow it and the provider
says the address is verified; otherwise a beheerder links the account, on its page under
/beheer/accounts or with `zvt sso link`, with the code the refused login showed the person.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from . import account_state, partner_register
from .accounts import AccountInactive, DemoAccountRefused, LoginRefused
from .clock import aware
from .db import Account, LoginAttempt, Partner
from .identity import Origin
from .sso_settings import SsoSettings, SsoSettingsInvalid, parse

if TYPE_CHECKING:
    from .api import Engine

log = logging.getLogger(__name__)


class UnknownPartner(LoginRefused):
    """The provider or the claims do not name a partner that takes part with single sign-on."""


class NotLinked(LoginRefused):
    """The person has no ZVT account linked to their subject at the provider (yet). `subject`
    is what a beheerder needs to link one (the account's page, or `zvt sso link`)."""

    def __init__(self, message: str, subject: str):
        super().__init__(message)
        self.subject = subject


class LinkRefused(ValueError):
    """An account cannot be linked to that subject; `reason`: "empty", "too_long" or "taken"
    (`username`: the account linked to it already)."""

    def __init__(self, message: str, reason: str, username: str | None = None):
        super().__init__(message)
        self.reason, self.username = reason, username


MAX_SUBJECT_LENGTH = 255  # the column's width; OpenID Connect allows at most 255 ASCII characters


class NoRoles(LoginRefused):
    """The partner's provider decides the roles, and gave this person none that ZVT knows."""


@dataclass(frozen=True)
class SsoPartner:
    code: str
    name: str
    settings: SsoSettings


@dataclass(frozen=True)
class SignedIn:
    username: str
    mfa: bool  # the provider checked a second factor: no TOTP step in ZVT


def actor(partner: str) -> str:
    """The actor of an account change the partner's provider made (roles, a link by e-mail)."""
    return f"sso:{partner}"


def configured(engine: Engine) -> list[tuple[str, SsoSettings | SsoSettingsInvalid]]:
    """Every partner with single sign-on settings and those settings, or why they are unusable."""
    with engine.database.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(Partner.id, Partner.sso).where(Partner.sso.is_not(None))
                                   .order_by(Partner.id)).all()
    result: list[tuple[str, SsoSettings | SsoSettingsInvalid | None]] = []
    for code, data in rows:
        try:
            result.append((code, parse(data)))
        except SsoSettingsInvalid as exc:
            result.append((code, exc))
    return [(code, settings) for code, settings in result if settings is not None]


def partners(engine: Engine, now: datetime) -> list[SsoPartner]:
    """The partners taking part today whose people may sign in through their organisation, by name.
    A partner whose settings are unusable is left out (and logged): a login would fail anyway."""
    day = partner_register.day_of(now)
    with engine.database.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(Partner).where(
            Partner.sso.is_not(None), partner_register.taking_part_clause(day)).order_by(Partner.name)).all()
        found = []
        for partner in rows:
            try:
                settings = parse(partner.sso)
            except SsoSettingsInvalid as exc:
                log.warning("partner %s: single sign-on settings unusable: %s", partner.id, exc)
                continue
            if settings is not None:
                found.append(SsoPartner(partner.id, partner.name, settings))
    return found


def partner(engine: Engine, code: str, now: datetime) -> SsoPartner:
    """The partner `code` with its settings, if it takes part today with single sign-on; else
    UnknownPartner (or SsoSettingsInvalid for settings that cannot be used)."""
    with engine.database.unit_of_work(write=False) as uow:
        return _partner(uow.session, code, now)


def sign_in(engine: Engine, code: str, claims: Mapping, origin: Origin, now: datetime, *,
            refuse_demo: bool = False) -> SignedIn:
    """The account that the checked id_token's `claims`, from partner `code`'s provider, sign in
    as; raises a LoginRefused subclass saying why not. Updates the account's name and e-mail
    address from the claims (and its roles, when the partner's provider decides them), links it
    on a first login by verified e-mail when the settings allow that, and records the attempt."""
    now = aware(now)
    refused_as = f"sso:{code}"[:255]
    try:
        with engine.database.unit_of_work() as uow:
            session = uow.session
            found = _partner(session, code, now)
            settings = found.settings
            if settings.partner_claim is not None:
                claim, value = settings.partner_claim
                if claims.get(claim) != value:
                    raise UnknownPartner(f"the token's {claim!r} claim does not name partner {code!r}")
            subject = claims.get(settings.subject_claim)
            if not isinstance(subject, str) or not subject or len(subject) > 255:
                raise UnknownPartner(f"the token has no usable {settings.subject_claim!r} claim")
            account = session.scalar(select(Account).where(Account.external_issuer == settings.issuer,
                                                           Account.external_subject == subject))
            if account is None:
                account = _link_by_email(session, found, claims, subject, now)
            refused_as = account.username.casefold()[:255]
            if account.partner_id != code:
                raise UnknownPartner(f"account {account.username!r} belongs to another partner than {code!r}")
            if not account.active:
                raise AccountInactive(f"account {account.username!r} is inactive")
            if refuse_demo and account.demo:
                raise DemoAccountRefused(f"account {account.username!r} is a demo account")
            _update_from_claims(session, account, found, claims, now)
            session.add(_attempt(refused_as, origin, now, success=True))
            uow.commit()
            return SignedIn(account.username, settings.shows_mfa(claims))
    except (LoginRefused, SsoSettingsInvalid) as exc:
        log.info("single sign-on via %s refused: %s", code[:64], type(exc).__name__)
        with engine.database.unit_of_work() as uow:
            uow.session.add(_attempt(refused_as, origin, now, success=False))
            uow.commit()
        raise


def record_refusal(engine: Engine, code: str, origin: Origin, now: datetime) -> None:
    """A sign-in the provider's answer did not survive (refused, expired, tampered, replayed):
    a failed login attempt, which counts towards the address's limit (engine/accounts.py)."""
    with engine.database.unit_of_work() as uow:
        uow.session.add(_attempt(f"sso:{code}"[:255], origin, aware(now), success=False))
        uow.commit()


def link(engine: Engine, username: str, subject: str, now: datetime, actor_name: str) -> None:
    """Link the account to the person `subject` at its partner's provider (a beheerder's step).
    Raises UnknownPartner when the partner has no single sign-on, AccountInactive when it does not
    take part today, LinkRefused for an empty or too long subject or one another account has, and
    ValueError when the account is unknown."""
    subject = subject.strip()
    if not subject:
        raise LinkRefused("the subject is empty", "empty")
    if len(subject) > MAX_SUBJECT_LENGTH:
        raise LinkRefused(f"the subject is longer than {MAX_SUBJECT_LENGTH} characters", "too_long")
    with engine.database.unit_of_work() as uow:
        account = uow.session.scalar(select(Account).where(Account.username == username.strip()))
        if account is None:
            raise ValueError(f"no account {username!r}")
        settings = _partner(uow.session, account.partner_id, now).settings
        taken = uow.session.scalar(select(Account.username).where(
            Account.external_issuer == settings.issuer, Account.external_subject == subject, Account.id != account.id))
        if taken is not None:
            raise LinkRefused(f"account {taken!r} is linked to that subject already", "taken", taken)
        account.external_issuer, account.external_subject = settings.issuer, subject
        account_state.record(uow.session, account.id, "sso_gekoppeld", actor_name, now)
        uow.commit()


def unlink(engine: Engine, username: str, now: datetime, actor_name: str) -> bool:
    """Remove the account's link to its provider; False when it had none."""
    with engine.database.unit_of_work() as uow:
        account = uow.session.scalar(select(Account).where(Account.username == username.strip()))
        if account is None:
            raise ValueError(f"no account {username!r}")
        if account.external_subject is None:
            return False
        account.external_issuer = account.external_subject = None
        account.session_epoch = (account.session_epoch or 0) + 1
        account_state.record(uow.session, account.id, "sso_ontkoppeld", actor_name, now)
        uow.commit()
        return True


# -- internals ---------------------------------------------------------------------

def _partner(session, code: str, now: datetime) -> SsoPartner:
    row = session.get(Partner, code) if code else None
    if row is None or row.sso is None:
        raise UnknownPartner(f"partner {code[:64]!r} has no single sign-on")
    if not partner_register.takes_part(row, partner_register.day_of(now)):
        raise AccountInactive(f"partner {code!r} does not take part today")
    settings = parse(row.sso)
    if settings is None:  # a JSON null
        raise UnknownPartner(f"partner {code[:64]!r} has no single sign-on")
    return SsoPartner(row.id, row.name, settings)


def _link_by_email(session, found: SsoPartner, claims: Mapping, subject: str, now: datetime) -> Account:
    settings = found.settings
    refusal = NotLinked(f"no account of partner {found.code!r} is linked to this subject", subject)
    email = claims.get(settings.email_claim) if settings.email_claim else None
    # Only an address the provider vouches for: else anyone who can set their own address at the
    # provider could take over a colleague's account.
    if not (settings.link_by_email and isinstance(email, str) and "@" in email
            and claims.get("email_verified") is True):
        raise refusal
    candidates = session.scalars(select(Account).where(
        Account.partner_id == found.code, func.lower(Account.email) == email.strip().lower(),
        Account.external_subject.is_(None))).all()
    if len(candidates) != 1:
        raise refusal
    account = candidates[0]
    account.external_issuer, account.external_subject = settings.issuer, subject
    account_state.record(session, account.id, "sso_gekoppeld", actor(found.code), now, via="e-mail")
    return account


def _update_from_claims(session, account: Account, found: SsoPartner, claims: Mapping, now: datetime) -> None:
    settings = found.settings
    name = claims.get(settings.name_claim) if settings.name_claim else None
    if isinstance(name, str) and name.strip() and name.strip()[:255] != account.display_name:
        account.display_name = name.strip()[:255]
    email = claims.get(settings.email_claim) if settings.email_claim else None
    if isinstance(email, str) and "@" in email and len(email) <= 255 and email != account.email:
        account.email = email
    if not settings.roles_from_idp:
        return
    roles = settings.roles_in(claims)
    if not roles:
        raise NoRoles(f"the provider gave account {account.username!r} no ZVT role")
    if roles == set(account.roles or ()):
        return
    if account_state.last_beheerder(session, account, now, roles_after=roles):
        # The provider cannot lock ZVT out of its last beheerder: that role stays.
        log.warning("account %s keeps the beheerder role: it is the last active beheerder", account.username)
        roles = roles | {"beheerder"}
    before = sorted(account.roles or ())
    account.roles = sorted(roles)
    if before != account.roles:
        account_state.record(session, account.id, "rollen_gewijzigd", actor(found.code), now,
                             voor=before, na=account.roles)


def _attempt(key: str, origin: Origin, now: datetime, *, success: bool) -> LoginAttempt:
    return LoginAttempt(username=key, origin_ip=origin.ip[:64], at=now, success=success)
