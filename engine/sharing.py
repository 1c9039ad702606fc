"""Sharing data items with partners, decided per item and per partner in the privacy check,
and the register of disclosures that records each sharing (DOMAIN: Disclosure register).

The procesregisseur who directs the case decides, with a reason for each partner that gets an
item; a partner not chosen (any more) does not read it, and a withdrawn share stays in the
register, which only grows. Police data the rules forbid (art. 9 without consent, ad-hoc
partners the police did not allow) cannot be shared at all (engine/item_policy.py). A new share
waits until the betrokkene has heard of that partner (engine/informing.py), unless its purpose
may go first (the crisis).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from . import access_log, casework, informing, partner_register, taking_part
from .api import Engine
from .case_items import MAX_TEXT, InvalidItem, adhoc_partners, case_shares, facts, may_decide
from .clock import aware
from .db import CaseBasis, CaseItem, Disclosure, Instance, ItemShare
from .identity import Origin, User
from .item_policy import may_share_with, rules
from .recipients import receipts


@dataclass(frozen=True)
class Choice:
    """One item and one partner on the sharing page: shared now (with its reason) or not, or
    not allowed at all (why, in English for tests; the page says it in Dutch), or a new share
    that must wait for informing the betrokkene unless its purpose may go first (`waiting`: the
    code of engine/informing.py)."""

    item_id: int
    partner: str
    reason: str | None
    refused: str | None
    waiting: str | None = None


@dataclass(frozen=True)
class DisclosureView:
    id: int
    instance_id: int
    at: datetime
    giver_partner: str
    decided_by: str
    recipients: list[str]
    items: list[int]
    grondslag: str
    purpose: str


def choices(engine: Engine, user: User, instance_id: int, origin: Origin) -> list[Choice]:
    """Per item of the case and per partner taking part (not the item's own organisation) what is
    decided now; for the procesregisseur's sharing page."""
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        instance = casework.readable_instance(uow, user, origin, instance_id, now, "read", "sharing",
                                              lambda i: may_decide(user, i))
        result = _choices(uow.session, instance)
        uow.commit()
        return result


def decide(engine: Engine, user: User, instance_id: int, decisions: dict[tuple[int, str], str | None],
           purpose: str, origin: Origin) -> int:
    """Apply the sharing page: (item, partner) -> the reason it is shared, or None for not (any
    more). New shares are registered, one disclosure per giving organisation. Returns how many
    shares changed. Refuses, saving nothing, a share without a reason, a share the rules forbid,
    an unknown purpose, and a new share with a partner the betrokkene has not heard of yet
    (informing.NOT_INFORMED, informing.NOT_TOLD) for a purpose that may not go first."""
    sharing = rules()
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        instance = casework.readable_instance(uow, user, origin, instance_id, now, "transfer", "sharing",
                                              lambda i: may_decide(user, i))
        allowed = {(c.item_id, c.partner): c for c in _choices(session, instance)}
        problems, new, withdrawn, asked = {}, {}, [], False
        for (item_id, partner), reason in decisions.items():
            choice, field = allowed.get((item_id, partner)), f"{item_id}-{partner}"
            if choice is None:
                problems[field] = "not_a_choice"
            elif reason is None:
                if choice.reason is not None:
                    withdrawn.append((item_id, partner))
            elif choice.refused:
                problems[field], asked = "forbidden", True
            elif not reason.strip() or len(reason.strip()) > MAX_TEXT:
                problems[field], asked = "reason_required" if not reason.strip() else "too_long", True
            elif choice.reason is None and choice.waiting and purpose not in sharing.before_informing:
                problems[field], asked = choice.waiting, True
            elif choice.reason is None:  # a share that stands keeps the reason it was given with
                new[item_id, partner] = reason.strip()
        if (new or asked) and purpose not in sharing.purposes:
            problems["doel"] = "required"
        if problems:
            raise InvalidItem(problems)
        for item_id, partner in withdrawn:
            share = session.scalar(select(ItemShare).where(ItemShare.item_id == item_id, ItemShare.partner == partner,
                                                           ItemShare.withdrawn_at.is_(None)))
            assert share is not None, "withdrawn holds only the shares that stand"
            share.withdrawn_by, share.withdrawn_at = user.username, now
        items = {i.id: i for i in session.scalars(select(CaseItem).where(CaseItem.instance_id == instance.id))}
        for giver in sorted({items[item_id].source_partner for item_id, _ in new}):
            given = {key: reason for key, reason in new.items() if items[key[0]].source_partner == giver}
            basis = session.scalar(select(CaseBasis).where(CaseBasis.instance_id == instance.id,
                                                           CaseBasis.partner == giver))
            disclosure = Disclosure(instance_id=instance.id, at=now, giver_partner=giver, decided_by=user.username,
                                    recipients=sorted({p for _, p in given}), items=sorted({i for i, _ in given}),
                                    grondslag=basis.grondslag if basis else "", purpose=purpose)
            session.add(disclosure)
            session.flush()
            session.add_all(ItemShare(item_id=item_id, partner=partner, reason=reason, disclosure_id=disclosure.id,
                                      shared_by=user.username, shared_at=now)
                            for (item_id, partner), reason in given.items())
        changed = sorted({item_id for item_id, _ in [*new, *withdrawn]})
        access_log.record_many(session, user, origin, "transfer", "item", [(str(i), instance.id) for i in changed],
                               True, now)
        uow.commit()
        return len(new) + len(withdrawn)


@dataclass(frozen=True)
class RegisterPage:
    rows: list[DisclosureView]
    total: int  # every disclosure the reader may see (of the case, when one is asked)
    page: int
    pages: int


PAGE_SIZE = 50


def register(engine: Engine, user: User, origin: Origin, instance_id: int | None = None,
             page: int = 1) -> RegisterPage:
    """The register of disclosures for the FG, one page, newest first: what their organisation
    gave or received, or for the municipality's FG (the team's coordinating party) all of it."""
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        if not user.has("fg"):
            access_log.record(session, user, origin, "read", "register", str(instance_id or "all"), instance_id,
                              False, now)
            uow.commit()
            raise casework.Forbidden("only an FG reads the register of disclosures")
        query = select(Disclosure.id, Disclosure.giver_partner, Disclosure.recipients).order_by(
            Disclosure.at.desc(), Disclosure.id.desc())
        if instance_id is not None:
            query = query.where(Disclosure.instance_id == instance_id)
        # Scoped here rather than in SQL: "received" is membership of a JSON list, which SQLite
        # and PostgreSQL query differently; the scan reads three narrow columns.
        visible = [row.id for row in session.execute(query)
                   if user.directs or user.partner == row.giver_partner or user.partner in row.recipients]
        pages = max(1, -(-len(visible) // PAGE_SIZE))
        page = min(max(page, 1), pages)
        shown = visible[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
        loaded = {d.id: d for d in session.scalars(select(Disclosure).where(Disclosure.id.in_(shown)))}
        access_log.record(session, user, origin, "read", "register", str(instance_id or "all"), instance_id, True, now)
        uow.commit()
        rows = [DisclosureView(d.id, d.instance_id, d.at, d.giver_partner, d.decided_by, list(d.recipients),
                               list(d.items), d.grondslag, d.purpose) for d in (loaded[i] for i in shown)]
        return RegisterPage(rows, len(visible), page, pages)


def recipients_of(session, instance_id: int) -> dict[str, list[int]]:
    """Every partner that ever received an item of the case, with the items: whom to tell after
    a correction, erasure or restriction (AVG art. 19; engine/recipients.py)."""
    return {partner: receipt.items for partner, receipt in receipts(session, instance_id).items()}


def _choices(session, instance: Instance) -> list[Choice]:
    adhoc, all_shares = adhoc_partners(session), case_shares(session, instance.id)
    told = informing.of_case(instance.data, taking_part.told(session, instance.id))
    # Not the directing partner: its procesregisseur reads the items already.
    partners = sorted(set(instance.participants or []) - {partner_register.directing(session)})
    result = []
    for item in session.scalars(select(CaseItem).where(CaseItem.instance_id == instance.id).order_by(CaseItem.id)):
        shares = all_shares.get(item.id, {})
        known = facts(item, shares)
        for partner in partners:
            if partner == item.source_partner:
                continue  # its own organisation reads it already
            decision = may_share_with(partner, known, adhoc)
            result.append(Choice(item.id, partner, shares.get(partner), None if decision else decision.reason,
                                 informing.waits(told, partner) if partner not in shares else None))
    return result

