"""The recipients of a zvt_casus case's data items, from the register of disclosures
(engine/sharing.py), shown where a rights request must tell them (AVG art. 19: every recipient of
a corrected or erased item, or of a restricted processing, hears of it).

The register is engine/sharing.py's table Disclosure; this module only reads it. A form asks for it with a read-only field `"x-zvt-ontvangers-van": "<field with the case numbers>"`
(engine/named_cases.py): one row per partner that received items of a named case, with how many
items and since when, as the register stands when the task page opens; never stored. Who
received what is the case's data: a reader whose policy does not let them open the case sees a
line saying so (ask the procesregisseur), and each case shown is a read in the access log
(engine/casework.py). A field of the form can then require every recipient shown
(`x-zvt-alle-van`, engine/list_rules.py).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .clock import AMSTERDAM
from .db import Disclosure, Instance, Partner
from .named_cases import case_of

KEYWORD = "x-zvt-ontvangers-van"
# Row status codes; the form's choice list says them in Dutch.
RECEIVED, NONE, NOT_FOUND, HIDDEN = "ontvangen", "geen", "niet_gevonden", "verborgen"


@dataclass(frozen=True)
class Receipt:
    """What one partner ever received of a case: the items, and the moment of the first."""

    items: list[int]
    since: datetime


def receipts(session, instance_id: int) -> dict[str, Receipt]:
    """Every partner that ever received an item of the case, by the register. Withdrawn shares
    count: the partner had the item."""
    items: dict[str, set[int]] = {}
    since: dict[str, datetime] = {}
    for d in session.scalars(select(Disclosure).where(Disclosure.instance_id == instance_id)
                             .order_by(Disclosure.at, Disclosure.id)):
        for partner in d.recipients:
            items.setdefault(partner, set()).update(d.items)
            since.setdefault(partner, d.at)
    return {partner: Receipt(sorted(items[partner]), since[partner]) for partner in sorted(items)}


def rows(session, numbers: list[int], may_view: Callable[[Instance], bool]) -> tuple[list[dict], list[int]]:
    """Per named case, one row per recipient (or one row saying there are none, no such case, or
    that the reader may not open it). Also the cases whose recipients were shown (for the log)."""
    found, shown, names = [], [], None
    for number in numbers:
        instance = case_of(session, number)
        if instance is None:
            found.append({"casus": number, "status": NOT_FOUND})
            continue
        if not may_view(instance):
            found.append({"casus": number, "status": HIDDEN})
            continue
        shown.append(number)
        given = receipts(session, number)
        if not given:
            found.append({"casus": number, "status": NONE})
            continue
        if names is None:
            names = {code: name for code, name in session.execute(select(Partner.id, Partner.name))}
        found += [{"casus": number, "status": RECEIVED, "ontvanger": partner, "naam": names.get(partner, partner),
                   "aantal_gegevens": len(receipt.items), "sinds": receipt.since.astimezone(AMSTERDAM).date().isoformat()}
                  for partner, receipt in given.items()]
    return found, shown
