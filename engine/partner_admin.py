"""The beheerder's view of the partner register: the list, and per partner the contact register
lines, the contactpersoon and the gemachtigde (web/partners.py, /beheer/partners).

Partners are added by the covenant process (engine/register_changes.py), as ad-hoc partners on a
case page (engine/participation.py) or, on a new installation, by `zvt partners import`
(engine/partner_import.py); they leave through the covenant process. The register holds no case
data, so the beheerder may read and change it (policy.may_manage_partners).
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from . import policy
from .clock import aware
from .db import Partner
from .errors import EngineError, NotFound
from .identity import User
from .partner_register import day_of, takes_part

log = logging.getLogger(__name__)

# One address, no display name: something@domain.tld without spaces. The mail server decides the rest.
EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
MAX_LINE = 500  # a contact register line
MAX_NAME = 255

# The fields a beheerder edits, with their longest length and whether they hold an e-mail address.
DETAILS = {"contact_fg": (MAX_LINE, False), "contact_verantwoordelijke": (MAX_LINE, False),
           "contact_name": (MAX_NAME, False), "contact_email": (MAX_NAME, True),
           "officer_name": (MAX_NAME, False), "officer_email": (MAX_NAME, True)}


class Forbidden(EngineError):
    """Only a beheerder looks after the partner register."""


class InvalidDetails(EngineError):
    """Some fields are wrong: `problems` maps each to a code ("required", "too_long", "one_line", "email")."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("invalid partner details: " + ", ".join(f"{k}: {v}" for k, v in sorted(problems.items())))
        self.problems = problems


@dataclass(frozen=True)
class PartnerRow:
    code: str
    name: str
    kind: str
    joined_on: str | None
    left_on: str | None
    directs: bool
    taking_part: bool  # today, Dutch day
    active: bool
    details: dict[str, str]  # DETAILS' fields, "" where empty


def text_problem(value: str, longest: int, email: bool = False) -> str | None:
    """Why a register field is wrong (a code), or None."""
    if not value:
        return "required"
    if len(value) > longest or "\n" in value or "\r" in value:
        return "too_long" if len(value) > longest else "one_line"
    if email and not EMAIL.match(value):
        return "email"
    return None


def partners(engine, user: User, now: datetime | None = None) -> list[PartnerRow]:
    _check(user)
    day = day_of(aware(now or engine.clock()))
    with engine.database.unit_of_work(write=False) as uow:
        found = uow.session.scalars(select(Partner).order_by(Partner.directs.desc(), Partner.kind.desc(),
                                                             Partner.name, Partner.id)).all()
        return [_row(p, day) for p in found]


def partner(engine, user: User, code: str) -> PartnerRow:
    _check(user)
    day = day_of(aware(engine.clock()))
    with engine.database.unit_of_work(write=False) as uow:
        found = uow.session.get(Partner, code)
        if found is None:
            raise NotFound(f"partner {code!r} does not exist")
        return _row(found, day)


def update_details(engine, user: User, code: str, values: dict[str, str]) -> None:
    """Replace the partner's contact register lines, contactpersoon and gemachtigde; all or nothing."""
    _check(user)
    cleaned = {key: (values.get(key) or "").strip() for key in DETAILS}
    problems = {key: problem for key, (longest, email) in DETAILS.items()
                if (problem := text_problem(cleaned[key], longest, email))}
    if problems:
        raise InvalidDetails(problems)
    with engine.database.unit_of_work() as uow:
        found = uow.session.get(Partner, code)
        if found is None:
            raise NotFound(f"partner {code!r} does not exist")
        found.contacts = {"fg": cleaned["contact_fg"], "verantwoordelijke": cleaned["contact_verantwoordelijke"]}
        found.contact_name, found.contact_email = cleaned["contact_name"], cleaned["contact_email"]
        found.officer_name, found.officer_email = cleaned["officer_name"], cleaned["officer_email"]
        uow.commit()
    log.info("partner register: %s's contacts changed by %s", code, user.username)


def _check(user: User) -> None:
    decision = policy.may_manage_partners(user)
    if not decision:
        raise Forbidden(decision.reason)


def _row(p: Partner, day) -> PartnerRow:
    contacts = p.contacts if isinstance(p.contacts, dict) else {}
    details = {"contact_fg": contacts.get("fg") or "", "contact_verantwoordelijke": contacts.get("verantwoordelijke") or "",
               "contact_name": p.contact_name or "", "contact_email": p.contact_email or "",
               "officer_name": p.officer_name or "", "officer_email": p.officer_email or ""}
    return PartnerRow(p.id, p.name, p.kind, p.joined_on, p.left_on, bool(p.directs), takes_part(p, day),
                      bool(p.active), details)
