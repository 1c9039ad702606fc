"""The toegangsreview's lists as people use them: the gemachtigde's page behind a one-time link,
and the beheerder's overview (engine/access_review.py generates the lists and lets them lapse).

The beheerder sees counts per review and per partner, and whether the gemachtigde acted; never a
case. The gemachtigde sees their own organisation's list only, found by the link's token.
"""
from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from . import account_state, one_time_links
from .access_review import (
    BEHOUDEN,
    NOG_NODIG,
    OFFICER_CHOICES,
    PURPOSE,
    ROLE_ORDER,
    VERLOPEN,
    VERVALT,
    CannotResend,
    ListIncomplete,
    _decide,
    _send_link,
    _take_away,
)
from .api import Engine
from .clock import aware
from .db import AccessReview, AccessReviewList, AccessReviewRight, Account, Partner
from .errors import NotFound

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RightRow:
    id: int
    display_name: str
    username: str
    role: str
    decision: str | None


@dataclass(frozen=True)
class OfficerList:
    """What the gemachtigde's page shows: their organisation's list of one review."""

    review_label: str
    review_kind: str
    deadline: datetime
    partner_name: str
    rights: list[RightRow]


@dataclass(frozen=True)
class ListSummary:
    list_id: int
    partner: str
    partner_name: str
    accounts: int
    confirmed: int  # nog nodig
    lapsed: int  # vervalt (the gemachtigde) or verlopen (the deadline)
    kept: int  # the last beheerder's role, kept
    open: int
    sent_at: datetime | None
    sent_count: int
    completed_at: datetime | None
    has_address: bool


@dataclass(frozen=True)
class ReviewSummary:
    id: int
    instance_id: int
    label: str
    kind: str
    started_at: datetime
    deadline: datetime
    closed_at: datetime | None
    lists: list[ListSummary]


def _open_list(session, token: str, now: datetime, *, use: bool) -> tuple[AccessReview, AccessReviewList, Partner]:
    """The list behind a link that still works (LinkInvalid otherwise); `use`: redeem it."""
    link = (one_time_links.redeem if use else one_time_links.peek)(session, token, PURPOSE, now)
    row = session.get(AccessReviewList, int(link.subject["lijst"]))
    review = session.get(AccessReview, row.review_id)
    if review.closed_at is not None:
        raise one_time_links.LinkInvalid("expired")
    return review, row, session.get(Partner, row.partner_id)


def _rights(session, list_id: int) -> list[RightRow]:
    rows = session.execute(select(AccessReviewRight, Account.display_name, Account.username)
                           .join(Account, Account.id == AccessReviewRight.account_id)
                           .where(AccessReviewRight.list_id == list_id)).all()
    rows.sort(key=lambda r: (r[1].casefold(), r[2], ROLE_ORDER.index(r[0].role) if r[0].role in ROLE_ORDER else 99))
    return [RightRow(right.id, name, username, right.role, right.decision) for right, name, username in rows]


def officer_list(engine: Engine, token: str) -> OfficerList:
    """The list a link opens, without using the link; LinkInvalid when it no longer works."""
    now = aware(engine.clock())
    with engine.database.unit_of_work(write=False) as uow:
        review, row, partner = _open_list(uow.session, token, now, use=False)
        return OfficerList(review.label, review.kind, review.deadline, partner.name, _rights(uow.session, row.id))


def confirm(engine: Engine, token: str, choices: dict[int, str]) -> Counter:
    """The gemachtigde sends the list: per open right, by its id, NOG_NODIG or VERVALT, or no
    choice (the right stays open and lapses at the deadline, as every right nobody re-confirms).
    Uses the link; "vervalt" takes the role off at once. Returns how many of each outcome.
    Raises LinkInvalid, or ListIncomplete when not one right got a choice or a choice is not one
    of the two (nothing saved, the link still works)."""
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        review, row, partner = _open_list(session, token, now, use=False)
        rights = session.scalars(select(AccessReviewRight).where(AccessReviewRight.list_id == row.id,
                                                                 AccessReviewRight.decision.is_(None))
                                 .order_by(AccessReviewRight.id)).all()
        chosen = [r for r in rights if choices.get(r.id) is not None]
        wrong = [r.id for r in chosen if choices[r.id] not in OFFICER_CHOICES]
        if wrong or not chosen:
            raise ListIncomplete(wrong or [r.id for r in rights])
        _open_list(session, token, now, use=True)
        actor = account_state.officer_actor(partner.id)
        outcomes: Counter = Counter()
        for right in chosen:
            if choices[right.id] == NOG_NODIG:
                if _decide(session, right, NOG_NODIG, actor, now):
                    account_state.record(session, right.account_id, "rol_bevestigd", actor, now, rol=right.role,
                                         review=review.label)
                    outcomes[NOG_NODIG] += 1
            else:
                outcomes[_take_away(session, review, right, VERVALT, actor, now)] += 1
        row.completed_at = now
        uow.commit()
    log.info("access review %s: the gemachtigde of %s sent the list (%s)", review.label, partner.id,
             ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    return outcomes


def overview(engine: Engine, limit: int = 8) -> list[ReviewSummary]:
    """The latest reviews, newest first, with per partner the counts and whether the gemachtigde
    acted. No names of people: the beheerder follows the review, the gemachtigde does it."""
    with engine.database.unit_of_work(write=False) as uow:
        session = uow.session
        reviews = session.scalars(select(AccessReview).order_by(AccessReview.started_at.desc(), AccessReview.id.desc())
                                  .limit(limit)).all()
        result = []
        for review in reviews:
            lists = []
            for row, partner in session.execute(
                    select(AccessReviewList, Partner).join(Partner, Partner.id == AccessReviewList.partner_id)
                    .where(AccessReviewList.review_id == review.id).order_by(Partner.directs.desc(), Partner.name)):
                rights = session.scalars(select(AccessReviewRight).where(AccessReviewRight.list_id == row.id)).all()
                decisions = Counter(r.decision for r in rights)
                lists.append(ListSummary(
                    row.id, partner.id, partner.name, len({r.account_id for r in rights}), decisions[NOG_NODIG],
                    decisions[VERVALT] + decisions[VERLOPEN], decisions[BEHOUDEN], decisions[None], row.sent_at,
                    row.sent_count or 0, row.completed_at, bool((partner.officer_email or "").strip())))
            result.append(ReviewSummary(review.id, review.instance_id, review.label, review.kind, review.started_at,
                                        review.deadline, review.closed_at, lists))
        return result


def resend(engine: Engine, list_id: int, actor: str) -> None:
    """Mail the partner's gemachtigde a new link (the old one stops working). Raises NotFound or
    CannotResend."""
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        row = session.get(AccessReviewList, list_id, with_for_update=True)
        if row is None:
            raise NotFound(f"there is no review list {list_id}")
        review = session.get_one(AccessReview, row.review_id)
        if review.closed_at is not None or aware(review.deadline) <= now:
            raise CannotResend("closed")
        if row.completed_at is not None:
            raise CannotResend("completed")
        if not _send_link(session, review, row, session.get_one(Partner, row.partner_id), now):
            raise CannotResend("no_address")
        uow.commit()
    log.info("access review %s: link for %s sent again by %s", review.label, row.partner_id, actor)
