"""The beheerder's side of account administration: per partner its accounts, an account's record,
and what a beheerder may do at once: take a role away, switch an account off, send a password or
two-factor reset link. Giving a role or switching an account back on is a request that the
partner's gemachtigde approves (engine/account_requests.py).

A beheerder sees accounts, never case data; the policy says who may (policy.may_manage_accounts).
Every change is an AccountEvent; none may remove the last active beheerder
(account_state.last_beheerder), which the break-glass command (zvt/accounts_cli.py) is the way
around when that beheerder cannot sign in anyway.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from . import account_links, account_mail, account_state, accounts, partner_register
from .db import Account, AccountEvent, LoginAttempt, Partner
from .errors import EngineError, NotFound
from .partner_register import day_of
from .roles import PRIVILEGED_ROLES


class LastBeheerder(EngineError):
    """The change would leave no active beheerder; nothing was changed."""


class OnlyRole(EngineError):
    """The role is the account's only one: switch the account off instead."""


@dataclass(frozen=True)
class AccountRow:
    id: int
    username: str
    display_name: str
    email: str | None
    roles: tuple[str, ...]
    active: bool
    deactivated_reason: str | None
    deactivated_at: datetime | None
    has_totp: bool
    last_sign_in: datetime | None  # the last accepted password, while login attempts are kept
    demo: bool
    sso_available: bool = False  # its partner signs in with its own provider (engine/sso.py)
    sso_linked: bool = False  # the account is linked to a person at that provider


@dataclass(frozen=True)
class EventRow:
    at: datetime
    actor: str
    action: str
    detail: dict


@dataclass(frozen=True)
class PartnerRow:
    code: str
    name: str
    kind: str
    accounts: int
    active_accounts: int
    has_contact: bool
    has_officer: bool


def partners(database) -> list[PartnerRow]:
    """Every partner (also those that left: their accounts stay on record), by name."""
    with database.unit_of_work(write=False) as uow:
        counts = {code: (total, active or 0) for code, total, active in uow.session.execute(
            select(Account.partner_id, func.count(Account.id), func.sum(case((Account.active.is_(True), 1), else_=0)))
            .group_by(Account.partner_id))}
        return [PartnerRow(p.id, p.name, p.kind, *counts.get(p.id, (0, 0)), bool(p.contact_email),
                           bool(p.officer_email))
                for p in uow.session.scalars(select(Partner).order_by(Partner.name, Partner.id))]


def taking_part(database, now: datetime) -> list[tuple[str, str]]:
    """(code, name) of the partners one may ask accounts for today (engine/partner_register.py)."""
    with database.unit_of_work(write=False) as uow:
        return [(p.id, p.name) for p in partner_register.taking_part(uow.session, partner_register.day_of(now))]


def partner_accounts(database, partner: str) -> list[AccountRow]:
    """The partner's accounts by name; NotFound for an unknown partner."""
    with database.unit_of_work(write=False) as uow:
        if uow.session.get(Partner, partner) is None:
            raise NotFound(f"partner {partner!r}")
        rows = uow.session.scalars(select(Account).where(Account.partner_id == partner)
                                   .order_by(Account.display_name, Account.id)).all()
        return [_row(uow.session, account) for account in rows]


def account(database, account_id: int) -> tuple[AccountRow, str, list[EventRow]]:
    """One account, its partner's code, and its record, newest first; NotFound."""
    with database.unit_of_work(write=False) as uow:
        found = uow.session.get(Account, account_id)
        if found is None:
            raise NotFound(f"account {account_id}")
        events = [EventRow(e.at, e.actor, e.action, e.detail or {}) for e in uow.session.scalars(
            select(AccountEvent).where(AccountEvent.account_id == account_id)
            .order_by(AccountEvent.at.desc(), AccountEvent.id.desc()))]
        return _row(uow.session, found), found.partner_id, events


def remove_role(database, account_id: int, role: str, actor: str, now: datetime) -> None:
    """Take a role away at once. LastBeheerder, OnlyRole; a role it does not have changes nothing."""
    with database.unit_of_work() as uow:
        found = _get(uow.session, account_id)
        if role not in (found.roles or ()):
            return
        after = [r for r in found.roles if r != role]
        if account_state.last_beheerder(uow.session, found, now, roles_after=set(after)):
            raise LastBeheerder(f"account {found.username!r} is the last active beheerder")
        if not after:
            raise OnlyRole(f"{role!r} is the only role of account {found.username!r}")
        found.roles = after
        account_state.record(uow.session, found.id, "rol_ingetrokken", actor, now, rol=role)
        uow.commit()


def switch_off(database, account_id: int, actor: str, now: datetime) -> bool:
    """Switch the account off at once (its sessions end at their next click); False when it was
    off already. LastBeheerder."""
    with database.unit_of_work() as uow:
        found = _get(uow.session, account_id)
        if account_state.last_beheerder(uow.session, found, now, active_after=False):
            raise LastBeheerder(f"account {found.username!r} is the last active beheerder")
        changed = account_state.deactivate(uow.session, found, account_state.BY_BEHEERDER, actor, now)
        uow.commit()
        return changed


def send_reset(database, account_id: int, kind: str, actor: str, now: datetime) -> None:
    """Mail the account's owner a password (account_links.PASSWORD) or two-factor
    (account_links.TOTP) reset link; the older one stops working. NoAddress, NotFound; an account
    that is off gets none (switch it back on first)."""
    if kind not in (account_links.PASSWORD, account_links.TOTP):
        raise ValueError(f"not a reset: {kind!r}")
    with database.unit_of_work() as uow:
        found = _get(uow.session, account_id)
        if not found.active:
            raise NotFound(f"account {account_id} is switched off")
        account_links.send(uow.session, found, kind, actor, now)
        uow.commit()


def notify_privileged(session, account: Account, roles: list[str] | set[str], actor: str, now: datetime) -> int:
    """When `account` was given one of PRIVILEGED_ROLES (among `roles`), mail every other active
    beheerder with an address; how many were told. In the caller's transaction."""
    granted = sorted(set(roles) & PRIVILEGED_ROLES)
    if not granted:
        return 0
    recipients = [other.email for other in session.scalars(accounts.usable_accounts(with_email=True, day=day_of(now))
                                                           .where(Account.id != account.id))
                  if "beheerder" in (other.roles or ())]
    partner = session.get(Partner, account.partner_id)
    account_mail.privileged_mail(session, recipients, account.username,
                                 partner.name if partner else account.partner_id, granted, actor, account.id, now)
    return len(recipients)


def _get(session, account_id: int) -> Account:
    found = session.get(Account, account_id)
    if found is None:
        raise NotFound(f"account {account_id}")
    return found


def _row(session, account: Account) -> AccountRow:
    last = session.scalar(select(func.max(LoginAttempt.at)).where(
        LoginAttempt.username == account.username.strip().casefold()[:255], LoginAttempt.success.is_(True)))
    partner = session.get(Partner, account.partner_id)
    return AccountRow(account.id, account.username, account.display_name, account.email, tuple(account.roles or ()),
                      bool(account.active), account.deactivated_reason, account.deactivated_at,
                      account.totp_secret is not None, last, bool(account.demo),
                      partner is not None and partner.sso is not None, account.external_subject is not None)


BREAK_GLASS = "break-glass"
BREAK_GLASS_LIFETIME = timedelta(hours=1)  # printed on the server's terminal and used at once


class BreakGlassRefused(EngineError):
    """The break-glass command cannot go on; the message says why (English, for the terminal)."""


@dataclass(frozen=True)
class BreakGlass:
    account_id: int
    token: str
    created: bool
    beheerders_told: int


def break_glass(database, partner: str, username: str, email: str, now: datetime, *,
                display_name: str | None = None, partner_name: str | None = None) -> BreakGlass:
    """Make or re-enable a beheerder account from the server when no beheerder can sign in (and the
    first account of a new installation): active, role beheerder, no password and no second factor
    (both chosen anew through the activation link it returns, since whoever is locked out may have
    lost either), its sessions ended; recorded with actor "break-glass" and mailed to the other
    beheerders, so a use nobody expected is seen.

    `partner_name`: on a new installation the partner register is empty; the partner is then added
    with this name, taking part from today, and its grondslag, contacts and gemachtigde are filled
    in afterwards in the register. Without it an unknown partner is refused."""
    from .account_requests import EMAIL_SHAPE, NO_PASSWORD, USERNAME_SHAPE

    username, email = username.strip().lower(), email.strip()
    if not USERNAME_SHAPE.fullmatch(username):
        raise BreakGlassRefused("the username must be 3 to 64 characters: lower-case letters, digits, '.', '_', '-'")
    if not EMAIL_SHAPE.fullmatch(email):
        raise BreakGlassRefused("that is not an e-mail address")
    with database.unit_of_work() as uow:
        session = uow.session
        if session.get(Partner, partner) is None:
            if not partner_name or not partner_name.strip():
                raise BreakGlassRefused(f"unknown partner {partner!r}; give --partner-name to add it (new "
                                        "installation), or use a code from the partner register")
            session.add(Partner(id=partner, name=partner_name.strip()[:255], kind="convenant", grondslag="",
                                active=True, joined_on=partner_register.day_of(now).isoformat()))
            session.flush()
        found = session.scalar(select(Account).where(func.lower(Account.username) == username))
        created = found is None
        if created:
            found = Account(username=username, display_name=(display_name or username).strip()[:255],
                            partner_id=partner, roles=["beheerder"], password_hash=NO_PASSWORD, totp_secret=None,
                            active=True, demo=False, created_at=now, email=email)
            session.add(found)
            session.flush()
        else:
            if found.partner_id != partner:
                raise BreakGlassRefused(f"account {username!r} belongs to another partner ({found.partner_id})")
            if found.demo:
                raise BreakGlassRefused(f"account {username!r} is a demo account")
            found.active, found.deactivated_at, found.deactivated_reason = True, None, None
            found.roles = list(found.roles or ()) + ([] if "beheerder" in (found.roles or ()) else ["beheerder"])
            found.password_hash, found.totp_secret, found.totp_last_step = NO_PASSWORD, None, None
            found.email = email
            if display_name:
                found.display_name = display_name.strip()[:255]
            found.session_epoch = (found.session_epoch or 0) + 1
        account_state.record(session, found.id, "noodtoegang", BREAK_GLASS, now, nieuw=created,
                             rollen=list(found.roles))
        token = account_links.issue(session, found, account_links.ACTIVATE, BREAK_GLASS, now,
                                    lifetime=BREAK_GLASS_LIFETIME)
        told = notify_privileged(session, found, ["beheerder"], BREAK_GLASS, now)
        result = BreakGlass(found.id, token, created, told)
        uow.commit()
    return result
