"""The partner register as forms, policy and processes read it at run time.

A partner takes part from its `joined_on` day (when set) until the day before its `left_on`
day, while `active` (a beheerder can switch a partner off at once). Days are Europe/Amsterdam:
a partner that leaves on 1 March no longer takes part from 1 March 00:00 Dutch time.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import and_, or_, select

from .clock import AMSTERDAM, aware
from .db import Partner


def day_of(now: datetime) -> date:
    """The Dutch calendar day of a moment."""
    return aware(now).astimezone(AMSTERDAM).date()


def takes_part(partner: Partner, day: date) -> bool:
    iso = day.isoformat()
    return (bool(partner.active) and (partner.joined_on is None or partner.joined_on <= iso)
            and (partner.left_on is None or partner.left_on > iso))


def taking_part_clause(day):
    """The SQL condition of `takes_part`, for queries that join Partner. `day`: a date, or a bound
    parameter that will hold one as ISO text (a statement built once and run every day)."""
    iso = day.isoformat() if isinstance(day, date) else day
    return and_(Partner.active.is_(True), or_(Partner.joined_on.is_(None), Partner.joined_on <= iso),
                or_(Partner.left_on.is_(None), Partner.left_on > iso))


def taking_part(session, day: date, kinds: tuple[str, ...] | None = None) -> list[Partner]:
    """The partners taking part on `day` (of the given kinds: "convenant", "adhoc"), the directing
    partner first, then by name."""
    query = select(Partner).where(taking_part_clause(day))
    if kinds is not None:
        query = query.where(Partner.kind.in_(kinds))
    return list(session.scalars(query.order_by(Partner.directs.desc(), Partner.name, Partner.id)))


def names(session) -> dict[str, str]:
    """Every partner's name by code, also of partners that left: what a case stored stays readable."""
    return dict(session.execute(select(Partner.id, Partner.name)).all())


def directing(session) -> str | None:
    """The code of the partner that directs the team (Partner.directs), None when none is set."""
    return session.scalar(select(Partner.id).where(Partner.directs.is_(True)).order_by(Partner.id).limit(1))
