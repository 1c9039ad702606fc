"""Asking for an account and the gemachtigde's answer (covenant: formal registration, access only
after authorisation by an authorised officer of the partner).

Who asks: a teamleider (for their own organisation) or a beheerder, signed in; or a partner's
contactpersoon through a one-time link that `invite_contact` mails to the address in the partner
register. Every request mails the partner's gemachtigde (register: officer_name/officer_email) a
one-time link to a page that shows the request; they approve it or refuse it with a reason. Who
decided is recorded as the register names the gemachtigde at that moment.

On approval a new account is made active without a usable password, and its owner gets an
activation link (engine/account_links.py); an extra role is added; an account that was off is on
again. A privileged role is mailed to the other beheerders (account_admin.notify_privileged).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from . import account_admin, account_links, account_mail, account_state, one_time_links
from .clock import aware
from .db import Account, AccountRequest, ApiClient, Partner
from .errors import Conflict, EngineError, NotFound
from .partner_register import day_of, takes_part
from .roles import ROLES

NEW, ROLE, REACTIVATE = "nieuw", "rol", "heractiveren"
API_CLIENT = "koppeling"  # switch on the service account of a new API client (engine/api_clients.py)
OPEN, APPROVED, REFUSED = "open", "goedgekeurd", "geweigerd"

INVITE, APPROVE = "account_aanvraag", "goedkeuren"  # one-time link purposes
# A contactpersoon or gemachtigde may read the mail after a holiday week.
LINK_LIFETIME = timedelta(days=14)
INVITE_PATH, APPROVE_PATH = "/account/aanvragen/", "/account/goedkeuren/"

# A password nobody has: argon2 cannot read it, so no password matches it (engine/accounts.py
# treats an unreadable hash as a wrong password) until the owner sets one through the link.
NO_PASSWORD = "!geen-wachtwoord"

MAX_TEXT, MAX_REASON = 255, 1000
USERNAME_SHAPE = re.compile(r"[a-z0-9][a-z0-9._-]{1,62}[a-z0-9]")
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class RequestInvalid(EngineError):
    """The request cannot be taken; `problems` maps each field to a code: "missing", "too_long",
    "shape" (username or e-mail), "taken" (username), "unknown" (role or partner), "not_taking_part",
    "no_officer" (the partner register has no gemachtigde's address), "not_allowed"."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("account request refused: " + ", ".join(f"{k}={v}" for k, v in problems.items()))
        self.problems = problems


class NoContact(EngineError):
    """The partner register has no contactpersoon's address for this partner."""


@dataclass(frozen=True)
class RequestForm:
    partner: str
    username: str
    display_name: str
    email: str
    function: str
    roles: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class RequestView:
    id: int
    kind: str
    partner: str
    partner_name: str
    username: str
    display_name: str
    email: str
    function: str
    roles: tuple[str, ...]
    current_roles: tuple[str, ...]  # of the account, for a role or a switch back on
    reason: str
    requested_by: str
    requested_at: datetime
    status: str
    decided_at: datetime | None
    officer_name: str | None
    refusal_reason: str | None


@dataclass(frozen=True)
class Decided:
    account_id: int
    username: str
    beheerders_told: int


def contact_actor(partner: str) -> str:
    """Who asked, for a request through the contactpersoon's link."""
    return f"contactpersoon:{partner}"


# -- asking ------------------------------------------------------------------------------

def invite_contact(session, partner_code: str, now: datetime) -> str:
    """Mail the partner's contactpersoon a one-time link to ask for an account (an older unused one
    stops working); its token. NotFound, NoContact. In the caller's transaction: the covenant
    process calls it when a partner joins."""
    partner = session.get(Partner, partner_code)
    if partner is None:
        raise NotFound(f"partner {partner_code!r}")
    if not partner.contact_email:
        raise NoContact(f"partner {partner_code!r} has no contactpersoon's e-mail address")
    subject = {"partner": partner.id}
    one_time_links.withdraw(session, INVITE, subject, now)
    token = one_time_links.issue(session, INVITE, subject, now, LINK_LIFETIME)
    account_mail.link_mail(session, account_mail.INVITATION, partner.contact_email, INVITE_PATH + token, now,
                           partner=partner.name, hours=int(LINK_LIFETIME.total_seconds() // 3600))
    return token


def send_invitation(database, partner_code: str, now: datetime) -> None:
    """invite_contact in a transaction of its own (the beheerder's button)."""
    with database.unit_of_work() as uow:
        invite_contact(uow.session, partner_code, now)
        uow.commit()


def invited_partner(database, token: str, now: datetime) -> tuple[str, str]:
    """(code, name) of the partner a contactpersoon's link is for, without using it; LinkInvalid."""
    with database.unit_of_work(write=False) as uow:
        link = one_time_links.peek(uow.session, token, INVITE, now)
        partner = uow.session.get(Partner, link.subject.get("partner"))
        if partner is None or not takes_part(partner, day_of(now)):
            raise one_time_links.LinkInvalid("unknown")
        return partner.id, partner.name


def submit(database, form: RequestForm, requested_by: str, now: datetime) -> int:
    """A signed-in teamleider's or beheerder's request (the policy was asked by the caller); its id.
    RequestInvalid, with nothing saved."""
    with database.unit_of_work() as uow:
        request_id = _submit(uow.session, form, requested_by, now)
        uow.commit()
    return request_id


def submit_by_contact(database, token: str, form: RequestForm, now: datetime) -> int:
    """A contactpersoon's request through their link, for the link's partner whatever the form
    says; uses the link. LinkInvalid, RequestInvalid (the link stays usable)."""
    with database.unit_of_work() as uow:
        link = one_time_links.peek(uow.session, token, INVITE, now)
        partner: str = link.subject["partner"]
        form = RequestForm(partner, form.username, form.display_name, form.email, form.function, form.roles,
                           form.reason)
        request_id = _submit(uow.session, form, contact_actor(partner), now)
        one_time_links.redeem(uow.session, token, INVITE, now)
        uow.commit()
    return request_id


def request_change(database, account_id: int, kind: str, roles: tuple[str, ...], reason: str,
                   requested_by: str, now: datetime) -> int:
    """A beheerder asks the gemachtigde to give an account more roles (ROLE) or to switch it back
    on (REACTIVATE); its id. RequestInvalid, NotFound."""
    if kind not in (ROLE, REACTIVATE):
        raise ValueError(f"not a change: {kind!r}")
    with database.unit_of_work() as uow:
        account = uow.session.get(Account, account_id)
        if account is None:
            raise NotFound(f"account {account_id}")
        request_id = ask_officer(uow.session, account, kind, roles, reason, requested_by, now)
        uow.commit()
    return request_id


def ask_officer(session, account: Account, kind: str, roles: tuple[str, ...], reason: str, requested_by: str,
                now: datetime) -> int:
    """The request of `request_change`, in the caller's transaction; also API_CLIENT, for the
    switched-off service account of a new API client. RequestInvalid."""
    problems = {}
    if kind == ROLE:
        roles = tuple(r for r in roles if r not in (account.roles or ()))
        if not roles:
            problems["roles"] = "missing"
        elif not set(roles) <= ROLES:
            problems["roles"] = "unknown"
    elif account.active:
        problems["account"] = "not_allowed"  # on already
    problems.update(_reason_problem(reason))
    partner = session.get(Partner, account.partner_id)
    if not partner.officer_email:
        problems["partner"] = "no_officer"
    if problems:
        raise RequestInvalid(problems)
    row = AccountRequest(kind=kind, partner_id=account.partner_id, account_id=account.id,
                         username=account.username, display_name=account.display_name,
                         email=account.email or "", function=_last_function(session, account.id),
                         roles=list(roles) if kind == ROLE else list(account.roles or ()),
                         reason=reason.strip(), requested_by=requested_by, requested_at=aware(now), status=OPEN)
    session.add(row)
    session.flush()
    account_state.record(session, account.id, "aangevraagd", requested_by, now, aanvraag=row.id, soort=kind,
                         rollen=list(row.roles))
    _mail_officer(session, row, partner, now)
    return row.id


def resend_to_officer(database, request_id: int, now: datetime) -> None:
    """Mail the gemachtigde a new link for an open request (the older one stops working): after it
    ran out, or when the register names another gemachtigde now. NotFound, Conflict."""
    with database.unit_of_work() as uow:
        row = uow.session.get(AccountRequest, request_id)
        if row is None:
            raise NotFound(f"account request {request_id}")
        if row.status != OPEN:
            raise Conflict(f"account request {request_id} was decided already")
        partner = uow.session.get(Partner, row.partner_id)
        if not partner.officer_email:
            raise RequestInvalid({"partner": "no_officer"})
        _mail_officer(uow.session, row, partner, now)
        uow.commit()


def check(session, form: RequestForm, now: datetime) -> dict[str, str]:
    """The problems of a request for a new account, by field; empty when it can be taken."""
    problems: dict[str, str] = {}
    for name in ("display_name", "email", "function", "username"):
        value = getattr(form, name).strip()
        if not value:
            problems[name] = "missing"
        elif len(value) > MAX_TEXT:
            problems[name] = "too_long"
    if "email" not in problems and not EMAIL_SHAPE.fullmatch(form.email.strip()):
        problems["email"] = "shape"
    username = form.username.strip().lower()
    if "username" not in problems:
        if not USERNAME_SHAPE.fullmatch(username):
            problems["username"] = "shape"
        elif _username_taken(session, username):
            problems["username"] = "taken"
    if not form.roles:
        problems["roles"] = "missing"
    elif not set(form.roles) <= ROLES:
        problems["roles"] = "unknown"
    problems.update(_reason_problem(form.reason))
    partner = session.get(Partner, form.partner) if form.partner else None
    if partner is None:
        problems["partner"] = "missing" if not form.partner else "unknown"
    elif not takes_part(partner, day_of(now)):
        problems["partner"] = "not_taking_part"
    elif not partner.officer_email:
        problems["partner"] = "no_officer"
    return problems


# -- the gemachtigde's answer ------------------------------------------------------------

def for_officer(database, token: str, now: datetime) -> RequestView:
    """The request behind a gemachtigde's link, without using it; LinkInvalid (also when the
    request was decided meanwhile: "used")."""
    with database.unit_of_work(write=False) as uow:
        row = _linked(uow.session, one_time_links.peek(uow.session, token, APPROVE, now))
        return _view(uow.session, row)


def approve(database, token: str, now: datetime) -> Decided:
    """Approve through the gemachtigde's link: make the account (and mail its activation link), add
    the roles, or switch it back on; record who and when. LinkInvalid; Conflict when the username
    was taken meanwhile (refuse, and ask again under another name)."""
    with database.unit_of_work() as uow:
        session = uow.session
        row = _linked(session, one_time_links.redeem(session, token, APPROVE, now))
        partner = session.get(Partner, row.partner_id)
        actor = _decide(row, partner, APPROVED, now)
        if row.kind == NEW:
            if _username_taken(session, row.username, but=row.id):
                raise Conflict(f"username {row.username!r} was taken meanwhile")
            account = Account(username=row.username, display_name=row.display_name, partner_id=row.partner_id,
                              roles=list(row.roles), password_hash=NO_PASSWORD, totp_secret=None, active=True,
                              demo=False, created_at=aware(now), email=row.email)
            session.add(account)
            session.flush()
            row.account_id = account.id
            account_state.record(session, account.id, "aangevraagd", row.requested_by, row.requested_at,
                                 aanvraag=row.id, soort=NEW, rollen=list(row.roles), functie=row.function)
            granted = list(row.roles)
        else:
            account = session.get(Account, row.account_id)
            if row.kind == ROLE:
                granted = [r for r in row.roles if r not in (account.roles or ())]
                account.roles = list(account.roles or ()) + granted
            else:  # REACTIVATE, or API_CLIENT: its service account goes on, and with it the client's token
                account.active, account.deactivated_at, account.deactivated_reason = True, None, None
                granted = list(account.roles or ())
        account_state.record(session, account.id, "goedgekeurd", actor, now, aanvraag=row.id, soort=row.kind,
                             rollen=list(row.roles), gemachtigde=row.officer_name, email=row.officer_email)
        if row.kind == NEW:
            account_links.send(session, account, account_links.ACTIVATE, actor, now)
        told = account_admin.notify_privileged(session, account, granted, actor, now)
        decided = Decided(account.id, account.username, told)
        uow.commit()
    return decided


def refuse(database, token: str, reason: str, now: datetime) -> None:
    """Refuse through the gemachtigde's link, with a reason (RequestInvalid without one, the link
    still usable). LinkInvalid."""
    problems = _reason_problem(reason)
    if problems:
        raise RequestInvalid(problems)
    with database.unit_of_work() as uow:
        row = _linked(uow.session, one_time_links.redeem(uow.session, token, APPROVE, now))
        partner = uow.session.get(Partner, row.partner_id)
        actor = _decide(row, partner, REFUSED, now)
        row.refusal_reason = reason.strip()
        if row.kind == API_CLIENT:  # the client's token is refused for good; the beheerder may make a new one
            client = uow.session.scalar(select(ApiClient).where(ApiClient.account_id == row.account_id))
            client.revoked_at, client.revoked_by = aware(now), actor
            uow.session.get(Account, row.account_id).deactivated_reason = account_state.REFUSED_BY_OFFICER
        if row.account_id is not None:
            account_state.record(uow.session, row.account_id, "geweigerd", actor, now, aanvraag=row.id,
                                 soort=row.kind, gemachtigde=row.officer_name, email=row.officer_email,
                                 reden=row.refusal_reason)
        uow.commit()


def withdraw_open(session, account_id: int, actor: str, reason: str, now: datetime) -> bool:
    """Close the account's open request (in the caller's transaction), its link no longer
    working: the beheerder revoked an API client before its gemachtigde decided. False: none open."""
    row = session.scalar(select(AccountRequest).where(AccountRequest.account_id == account_id,
                                                      AccountRequest.status == OPEN))
    if row is None:
        return False
    one_time_links.withdraw(session, APPROVE, {"request": row.id}, now)
    row.status, row.decided_at, row.decided_by, row.refusal_reason = REFUSED, aware(now), actor, reason
    return True


# -- reading -----------------------------------------------------------------------------

def requests(database, partner: str, *, status: str | None = OPEN) -> list[RequestView]:
    """The partner's requests (open ones by default), newest first."""
    with database.unit_of_work(write=False) as uow:
        query = select(AccountRequest).where(AccountRequest.partner_id == partner)
        if status is not None:
            query = query.where(AccountRequest.status == status)
        rows = uow.session.scalars(query.order_by(AccountRequest.requested_at.desc(), AccountRequest.id.desc()))
        return [_view(uow.session, row) for row in rows]


# -- internals ---------------------------------------------------------------------------

def _submit(session, form: RequestForm, requested_by: str, now: datetime) -> int:
    problems = check(session, form, now)
    if problems:
        raise RequestInvalid(problems)
    row = AccountRequest(kind=NEW, partner_id=form.partner, username=form.username.strip().lower(),
                         display_name=form.display_name.strip(), email=form.email.strip(),
                         function=form.function.strip(), roles=sorted(set(form.roles)), reason=form.reason.strip(),
                         requested_by=requested_by, requested_at=aware(now), status=OPEN)
    session.add(row)
    session.flush()
    _mail_officer(session, row, session.get_one(Partner, form.partner), now)
    return row.id


def _mail_officer(session, row: AccountRequest, partner: Partner, now: datetime) -> None:
    assert partner.officer_email, "the callers refuse a partner without a gemachtigde's address"
    subject = {"request": row.id}
    one_time_links.withdraw(session, APPROVE, subject, now)
    token = one_time_links.issue(session, APPROVE, subject, now, LINK_LIFETIME)
    account_mail.link_mail(session, account_mail.APPROVAL, partner.officer_email, APPROVE_PATH + token, now,
                           partner=partner.name, hours=int(LINK_LIFETIME.total_seconds() // 3600))


def _decide(row: AccountRequest, partner: Partner, status: str, now: datetime) -> str:
    """Record the decision on the request: the gemachtigde as the register names them now."""
    actor = account_state.officer_actor(partner.id)
    row.status, row.decided_at, row.decided_by = status, aware(now), actor
    row.officer_name, row.officer_email = partner.officer_name, partner.officer_email
    return actor


def _linked(session, link) -> AccountRequest:
    row = session.get(AccountRequest, (link.subject or {}).get("request"))
    if row is None:
        raise one_time_links.LinkInvalid("unknown")
    if row.status != OPEN:
        raise one_time_links.LinkInvalid("used")
    return row


def _reason_problem(reason: str) -> dict[str, str]:
    reason = (reason or "").strip()
    if not reason:
        return {"reason": "missing"}
    return {"reason": "too_long"} if len(reason) > MAX_REASON else {}


def _username_taken(session, username: str, *, but: int | None = None) -> bool:
    """Taken by an account, or asked for in another open request (case does not matter: the
    login's limits fold case too)."""
    folded = username.strip().lower()
    if session.scalar(select(Account.id).where(func.lower(Account.username) == folded).limit(1)) is not None:
        return True
    query = select(AccountRequest.id).where(AccountRequest.status == OPEN, AccountRequest.kind == NEW,
                                            func.lower(AccountRequest.username) == folded)
    if but is not None:
        query = query.where(AccountRequest.id != but)
    return session.scalar(query.limit(1)) is not None


def _last_function(session, account_id: int) -> str:
    return session.scalar(select(AccountRequest.function).where(AccountRequest.account_id == account_id)
                          .order_by(AccountRequest.id.desc()).limit(1)) or ""


def _view(session, row: AccountRequest) -> RequestView:
    partner = session.get(Partner, row.partner_id)
    account = session.get(Account, row.account_id) if row.account_id is not None else None
    return RequestView(row.id, row.kind, row.partner_id, partner.name if partner else row.partner_id, row.username,
                       row.display_name, row.email, row.function, tuple(row.roles or ()),
                       tuple(account.roles or ()) if account is not None else (), row.reason, row.requested_by,
                       row.requested_at, row.status, row.decided_at, row.officer_name, row.refusal_reason)
