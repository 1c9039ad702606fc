"""On a partner's leaving day its accounts are switched off (covenant: leaving staff lose access).

From `Partner.left_on` on, the accounts of a partner no longer sign in (engine/accounts.py
counts a partner only while it takes part). This job, run by every scheduler round, also
switches them off with the reason PARTNER_LEFT, so the account lists say why and a later
return of the partner does not bring its old accounts back by itself. It never switches off
the last active beheerder (account_state.last_beheerder): that account stays and a warning is
logged, for the break-glass procedure (docs/beheer.md) or another beheerder to take over.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from . import account_state
from .clock import aware
from .db import Account, Partner
from .partner_register import day_of

log = logging.getLogger(__name__)


@dataclass
class Report:
    switched_off: list[int] = field(default_factory=list)  # account ids
    kept_last_beheerder: list[int] = field(default_factory=list)


def run(database, now: datetime) -> Report:
    """Switch off the active accounts of every partner whose leaving day has come (on or before
    today, so a scheduler that was down catches up); one transaction. Cheap when none is due."""
    now = aware(now)
    today = day_of(now).isoformat()
    report = Report()
    with database.unit_of_work() as uow:
        session = uow.session
        leaving = select(Account, Partner.id).join(Partner, Partner.id == Account.partner_id).where(
            Account.active.is_(True), Partner.left_on.is_not(None), Partner.left_on <= today).order_by(Account.id)
        for account, partner in session.execute(leaving).all():
            if account_state.last_beheerder(session, account, now, active_after=False):
                # No personal data: the account's number and its partner's code only.
                log.warning("partner %s has left, but account %d is the last active beheerder and stays on; "
                            "give another account the beheerder role, then switch it off", partner, account.id)
                report.kept_last_beheerder.append(account.id)
                continue
            account_state.deactivate(session, account, account_state.PARTNER_LEFT, account_state.SYSTEM, now)
            session.flush([account])  # the next account's last-beheerder check must see this one off
            report.switched_off.append(account.id)
        if report.switched_off:
            uow.commit()
    if report.switched_off:
        log.info("partners that left: switched off %d accounts", len(report.switched_off))
    return report
