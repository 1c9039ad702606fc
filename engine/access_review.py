"""The toegangsreview's lists, generated from the accounts, and what becomes of each right.

BIO 9.2.5.1 / BIO2 5.18.02 and the covenant: every access right is reviewed at least once a year,
the privileged ones (beheerder, proceseigenaar, fg) every quarter, and a right nobody re-confirms
expires. The process `toegangsreview` drives it; two of its script tasks run this module in their
step's transaction (engine/step_actions.py):

- `open_review` (when the review starts): per partner taking part, every active account's roles
  in scope become rows of that partner's list, and the partner's gemachtigde gets a one-time link
  by e-mail (engine/one_time_links.py) that works until the deadline. A partner without a
  gemachtigde's address gets no mail; the beheerder sees that and can send the link once the
  address is known (`resend`).
- `lapse` (at the deadline): every right still open lapses. Its role is taken off the account
  (an AccountEvent), and an account left without roles is switched off (REVIEW_LAPSED), which ends
  its sessions. Never the last beheerder's role: it is kept, and the process escalates to the
  teamleider.

The gemachtigde has no account: the link opens a page (web/toegangsreview.py) where they mark
roles "nog nodig" or "vervalt" and send the list once (engine/access_review_lists.py `confirm`).
"Vervalt" takes effect at once, with the gemachtigde as the actor (account_state.officer_actor); a
role left without a choice stays open and lapses at the deadline like any right not re-confirmed. The beheerder follows the
reviews per partner, in counts only (`overview`).
"""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select, update

from . import account_state, one_time_links
from .account_mail import REVIEW
from .clock import AMSTERDAM, aware
from .db import AccessReview, AccessReviewList, AccessReviewRight, Account, OutboxMail, Partner
from .errors import EngineError, NotFound
from .partner_register import day_of, taking_part

log = logging.getLogger(__name__)

PURPOSE = "toegangsreview"  # of the one-time links
MAIL_KIND = REVIEW
NOG_NODIG, VERVALT = "nog_nodig", "vervalt"  # the gemachtigde's choices
VERLOPEN = "verlopen"  # not confirmed by the deadline
BEHOUDEN = "behouden"  # would have been the last beheerder's: kept
OFFICER_CHOICES = (NOG_NODIG, VERVALT)
# The order rights are listed in: as the roles are named in DOMAIN.md.
ROLE_ORDER = ("procesregisseur", "partnermedewerker", "teamleider", "proceseigenaar", "fg", "beheerder", "manager")


class ListIncomplete(EngineError):
    """The gemachtigde chose for no right at all, or sent a choice that is not one; `missing` are
    the ids concerned. Nothing was saved."""

    def __init__(self, missing: list[int]):
        super().__init__(f"no choice for {len(missing)} right(s)")
        self.missing = missing


class CannotResend(EngineError):
    """`reason`: "closed" (the deadline passed), "completed" (the gemachtigde sent the list) or
    "no_address" (the partner has no gemachtigde's e-mail address)."""

    def __init__(self, reason: str):
        super().__init__(f"cannot send the link again: {reason}")
        self.reason = reason


# -- the process's steps (engine/step_actions.py) ---------------------------------------------

def open_review(session, instance, data: dict, now: datetime) -> dict:
    """Generate the review's lists from the accounts and mail each partner's gemachtigde."""
    roles = [r for r in ROLE_ORDER if r in set(data["review_rollen"])]
    review = AccessReview(instance_id=instance.id, label=data["review_kwartaal"], kind=data["review_soort"],
                          roles=roles, started_at=now, deadline=aware(datetime.fromisoformat(data["review_termijn"])))
    session.add(review)
    session.flush()
    lists = rights = mailed = 0
    for partner in taking_part(session, day_of(now)):
        accounts = session.scalars(select(Account).where(Account.partner_id == partner.id, Account.active.is_(True))
                                   .order_by(Account.display_name, Account.id)).all()
        in_scope = [(account, role) for account in accounts for role in roles if role in (account.roles or ())]
        if not in_scope:
            continue
        row = AccessReviewList(review_id=review.id, partner_id=partner.id, sent_count=0)
        session.add(row)
        session.flush()
        session.add_all(AccessReviewRight(list_id=row.id, account_id=account.id, role=role) for account, role in in_scope)
        mailed += _send_link(session, review, row, partner, now)
        lists += 1
        rights += len(in_scope)
    log.info("access review %s (%s) opened: %d lists, %d rights, %d links mailed", review.label, review.kind,
             lists, rights, mailed)
    return {"review_lijsten": lists, "review_rechten": rights}


def lapse(session, instance, data: dict, now: datetime) -> dict:
    """Let every right still open lapse; say what happened, for the gateway and the escalation."""
    review = session.scalar(select(AccessReview).where(AccessReview.instance_id == instance.id))
    if review is None:
        raise NotFound(f"case {instance.id} has no access review")
    open_rights = session.execute(
        select(AccessReviewRight, AccessReviewList.partner_id)
        .join(AccessReviewList, AccessReviewList.id == AccessReviewRight.list_id)
        .where(AccessReviewList.review_id == review.id, AccessReviewRight.decision.is_(None))
        .order_by(AccessReviewRight.id)).all()
    lapsed = switched_off = 0
    for right, _partner in open_rights:
        outcome = _take_away(session, review, right, VERLOPEN, account_state.SYSTEM, now)
        lapsed += outcome in ("removed", "switched_off")
        switched_off += outcome == "switched_off"
    # The links expire at the deadline by themselves, and a closed review opens no list.
    review.closed_at = now
    session.flush()  # the decisions above, for the counts below (the session does not autoflush)
    kept = session.scalar(select(func.count()).select_from(AccessReviewRight)
                          .join(AccessReviewList, AccessReviewList.id == AccessReviewRight.list_id)
                          .where(AccessReviewList.review_id == review.id, AccessReviewRight.decision == BEHOUDEN))
    silent = sorted(session.scalars(select(Partner.name).join(AccessReviewList, AccessReviewList.partner_id == Partner.id)
                                    .where(AccessReviewList.review_id == review.id,
                                           AccessReviewList.completed_at.is_(None))))
    log.info("access review %s closed: %d rights lapsed, %d accounts switched off, %d kept as the last beheerder",
             review.label, lapsed, switched_off, kept)
    return {"rechten_vervallen": lapsed, "accounts_uitgezet": switched_off, "laatste_beheerder_behouden": kept > 0,
            "partners_zonder_reactie": silent}


def _take_away(session, review: AccessReview, right: AccessReviewRight, decision: str, actor: str,
               now: datetime) -> str:
    """Record `decision` (VERVALT or VERLOPEN) on an open right and take its role off the account;
    "removed", "switched_off" (no role left), "kept" (the last beheerder), "gone" (the account or
    role was gone already) or "taken" (someone decided it first: nothing done)."""
    if not _decide(session, right, decision, actor, now):
        return "taken"
    account = session.get(Account, right.account_id, with_for_update=True)
    roles = list(account.roles or ())
    if not account.active or right.role not in roles:
        return "gone"
    remaining = [r for r in roles if r != right.role]
    if account_state.last_beheerder(session, account, now, roles_after=set(remaining),
                                    active_after=bool(remaining)):
        right.decision = BEHOUDEN
        log.warning("access review %s: the last beheerder's role of account %s is kept", review.label, account.username)
        return "kept"
    account.roles = remaining
    account_state.record(session, account.id, "rol_ingetrokken", actor, now, rol=right.role, reden=decision,
                         review=review.label)
    if not remaining:
        account_state.deactivate(session, account, account_state.REVIEW_LAPSED, actor, now)
    # Written now: the next right's last-beheerder guard asks the database about the others.
    session.flush()
    return "removed" if remaining else "switched_off"


def _decide(session, right: AccessReviewRight, decision: str, actor: str, now: datetime) -> bool:
    """Record the decision on the right if nobody did first (the deadline and the gemachtigde
    racing); whether this did."""
    won = session.execute(update(AccessReviewRight).where(AccessReviewRight.id == right.id,
                                                          AccessReviewRight.decision.is_(None))
                          .values(decision=decision, decided_by=actor[:255], decided_at=aware(now))
                          .execution_options(synchronize_session=False)).rowcount == 1
    if won:
        right.decision, right.decided_by, right.decided_at = decision, actor[:255], aware(now)
    return won


def _send_link(session, review: AccessReview, row: AccessReviewList, partner: Partner, now: datetime) -> int:
    """Mail the gemachtigde a new link to the list (the old one stops working); 1 if sent, 0
    without an address."""
    address = (partner.officer_email or "").strip()
    if not address:
        return 0
    subject = {"lijst": row.id}
    one_time_links.withdraw(session, PURPOSE, subject, now)
    token = one_time_links.issue(session, PURPOSE, subject, now, review.deadline - aware(now))
    deadline = review.deadline.astimezone(AMSTERDAM)
    session.add(OutboxMail(
        kind=MAIL_KIND, recipient=address, subject=f"Toegangsreview ZVT {review.label}: kijk de rechten van uw organisatie na",
        body=(f"U bent de gemachtigde van {partner.name} voor ZVT, het systeem van het zorg- en veiligheidsteam. "
              "Wie toegang heeft tot ZVT, moet die toegang nog nodig hebben. Daarom kijken wij die toegang "
              "regelmatig na: elk jaar alle rechten, en elk kwartaal de rechten van beheerders, proceseigenaren "
              "en FG's.\n\n"
              "Open de link hieronder. U ziet dan de medewerkers van uw organisatie met hun rol in ZVT. Kies bij "
              "elke rol: nog nodig, of vervalt. U hoeft daarvoor geen account te hebben.\n\n"
              f"De link werkt één keer, tot {deadline:%d-%m-%Y} {deadline:%H:%M} uur. Rollen die dan niet "
              "bevestigd zijn, vervallen vanzelf. Stuur deze e-mail niet door: met de link beslist u over de "
              "toegang van uw collega's."),
        link=f"/toegangsreview/{token}", instance_id=review.instance_id, created_at=aware(now), attempts=0))
    row.sent_at = aware(now)
    row.sent_count = (row.sent_count or 0) + 1
    return 1
