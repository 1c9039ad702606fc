"""An account's record of what happened to it, and switching it off.

Every change to who may sign in with which roles is an AccountEvent with who did it and when
(covenant: formal registration and deregistration; BIO 5.18). Switching an account off ends its
browser sessions at once (the session epoch, engine/accounts.py end_sessions).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from .clock import aware
from .db import Account, AccountEvent, Partner
from .partner_register import day_of, taking_part_clause

# Why an account was switched off (Account.deactivated_reason); the pages say them in Dutch.
BY_BEHEERDER = "beheerder"  # at once, by a beheerder (someone left, or on a partner's request)
REVIEW_LAPSED = "review_vervallen"  # its rights were not re-confirmed in the access review
PARTNER_LEFT = "partner_vertrokken"  # its partner left the covenant
AWAITING_APPROVAL = "wacht_op_gemachtigde"  # an API client's service account, until the gemachtigde approves it
REFUSED_BY_OFFICER = "geweigerd_door_gemachtigde"  # an API client's, when the gemachtigde refused it
REASONS = frozenset({BY_BEHEERDER, REVIEW_LAPSED, PARTNER_LEFT, AWAITING_APPROVAL, REFUSED_BY_OFFICER})

# Who acted when it was not an account: the scheduler, a beheerder on the server with a zvt
# command, or a partner's gemachtigde by a link.
SYSTEM = "systeem"
CLI_ACTOR = "beheer-cli"


def officer_actor(partner: str) -> str:
    """The actor of a step a partner's gemachtigde took through a one-time link."""
    return f"gemachtigde:{partner}"


def record(session, account_id: int, action: str, actor: str, now: datetime, **detail) -> AccountEvent:
    event = AccountEvent(account_id=account_id, at=aware(now), actor=actor[:255], action=action,
                         detail=detail or None)
    session.add(event)
    return event


def deactivate(session, account: Account, reason: str, actor: str, now: datetime) -> bool:
    """Switch the account off (in the caller's transaction) and end its sessions; False when it
    was off already (nothing recorded)."""
    if reason not in REASONS:
        raise ValueError(f"unknown deactivation reason {reason!r}")
    if not account.active:
        return False
    account.active = False
    account.deactivated_at = aware(now)
    account.deactivated_reason = reason
    account.session_epoch = (account.session_epoch or 0) + 1
    record(session, account.id, "gedeactiveerd", actor, now, reden=reason)
    return True


def last_beheerder(session, account: Account, now: datetime, *, roles_after: set[str] | None = None,
                   active_after: bool = True) -> bool:
    """Whether a change would leave no account that can sign in as beheerder: active, and of a
    partner that takes part today (`now`; a partner past its leaving day signs in no one).
    `account` keeps `roles_after` (None: unchanged) and stays active when `active_after`. Every way an account
    loses rights (a beheerder's change, a lapsed review, a partner leaving) asks this first; when
    it is True the change is refused (docs/beheer.md: the break-glass procedure is the way back
    when the last beheerder is gone anyway)."""
    if "beheerder" not in (account.roles or ()) or not account.active:
        return False
    if active_after and "beheerder" in (account.roles if roles_after is None else roles_after):
        return False
    others = session.scalars(select(Account).join(Partner, Partner.id == Account.partner_id).where(
        Account.active.is_(True), taking_part_clause(day_of(now)), Account.id != account.id)).all()
    return not any("beheerder" in (other.roles or ()) for other in others)
