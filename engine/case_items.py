"""Data items: what a partner brings into a case, with its source and kind, and the partner's
grondslag for the case. Who reads an item is engine/item_policy.py's; sharing it with other
partners, and the register of that, is engine/sharing.py's.

Every function here is casework as a logged-in user does it (engine/casework.py): it asks the
policy, and logs the access, refused or allowed, in the transaction that does it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from . import access_log, casework, policy
from .api import Engine
from .clock import aware
from .db import CaseBasis, CaseItem, Instance, ItemShare, Partner
from .errors import EngineError, NotFound
from .identity import Origin, User
from .item_policy import ItemFacts, Kind, may_read_item, rules

MAX_SUBJECT, MAX_CONTENT, MAX_TEXT = 200, 5000, 2000


class InvalidItem(EngineError):
    """Input the rules refuse; `problems` maps a field to a reason code (the web says it in Dutch)."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(", ".join(f"{field}: {code}" for field, code in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Consent:
    officer: str
    function: str
    given_on: str


@dataclass(frozen=True)
class ItemView:
    id: int
    source_partner: str
    author: str
    created_at: datetime
    kind: Kind
    subject: str
    content: str
    consent: Consent | None
    adhoc_allowed_by: str | None
    shared_with: dict[str, str]  # partner -> the reason it needs the item


@dataclass(frozen=True)
class BasisView:
    partner: str
    grondslag: str
    secrecy_basis: str | None
    secrecy_weighing: str | None
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True)
class CaseItems:
    """The data-items part of the case page, for one reader."""

    items: list[ItemView]
    kinds: list[Kind]  # what the reader may choose when adding one
    basis: BasisView | None  # the reader's organisation's grondslag in this case
    may_add: bool
    may_share: bool  # the procesregisseur decides the sharing
    is_police: bool


def text_problems(fields: dict[str, str], limit: int = 255) -> dict[str, str]:
    """The fields (name -> stripped text) that are empty or longer than `limit`, with why."""
    return {name: "required" if not value else "too_long" for name, value in fields.items()
            if not value or len(value) > limit}


def past_date_problem(value: str | None, today: date) -> str | None:
    """Why `value` is not an ISO date on or before today, or None."""
    try:
        return "future" if date.fromisoformat(value or "") > today else None
    except ValueError:
        return "required" if not value else "not_a_date"


def facts(item: CaseItem, shares: dict[str, str]) -> ItemFacts:
    """What the reading rules need of an item; `shares`: its active shares (case_shares)."""
    return ItemFacts(item.source_partner, item.classification, item.consent_officer is not None,
                     item.adhoc_allowed_by is not None, frozenset(shares))


def case_shares(session, instance_id: int) -> dict[int, dict[str, str]]:
    """Per item of the case, the partners it is shared with now and the reason: one query."""
    shares: dict[int, dict[str, str]] = {}
    for share in session.scalars(select(ItemShare).join(CaseItem, CaseItem.id == ItemShare.item_id)
                                 .where(CaseItem.instance_id == instance_id, ItemShare.withdrawn_at.is_(None))):
        shares.setdefault(share.item_id, {})[share.partner] = share.reason
    return shares


def adhoc_partners(session) -> frozenset[str]:
    return frozenset(session.scalars(select(Partner.id).where(Partner.kind == "adhoc")))


def for_case(engine: Engine, user: User, instance_id: int, origin: Origin, action: str = "read") -> CaseItems:
    """The case's items the user may read, for the case page (or its PDF: `action` "print")."""
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        def decide(instance: Instance) -> policy.Decision:
            return policy.may_view_case(user, instance.process_id, instance.participants or [],
                                        casework.open_lanes(uow.session, instance.id))
        instance = casework.readable_instance(uow, user, origin, instance_id, now, action, "item", decide)
        page = visible_items(uow.session, user, instance, origin, now, action)
        uow.commit()
        return page


def visible_items(session, user: User, instance: Instance, origin: Origin, now: datetime,
                  action: str = "read") -> CaseItems:
    """The items of the case the reader may read, logged as read in the caller's transaction;
    the caller has already decided that the reader may open the case."""
    sharing, adhoc, shares = rules(), adhoc_partners(session), case_shares(session, instance.id)
    shown = []
    for item in session.scalars(select(CaseItem).where(CaseItem.instance_id == instance.id).order_by(CaseItem.id)):
        if may_read_item(user, facts(item, shares.get(item.id, {})), adhoc, sharing):
            shown.append(_view(item, shares.get(item.id, {})))
    access_log.record_many(session, user, origin, action, "item", [(str(i.id), instance.id) for i in shown], True, now)
    basis = session.scalar(select(CaseBasis).where(CaseBasis.instance_id == instance.id,
                                                   CaseBasis.partner == user.partner))
    return CaseItems(shown, sharing.kinds_for(user.partner), basis and _basis_view(basis),
                     may_add=_may_contribute(user, instance), may_share=bool(may_decide(user, instance)),
                     is_police=user.partner in sharing.police_partners)


def partner_grondslag(engine: Engine, partner: str) -> str:
    """The grondslag the covenant names for the partner: what its basis for a case starts from."""
    with engine.database.unit_of_work(write=False) as uow:
        row = uow.session.get(Partner, partner)
        return row.grondslag if row else ""


def record_basis(engine: Engine, user: User, instance_id: int, grondslag: str, secrecy_basis: str | None,
                 weighing: str | None, origin: Origin) -> None:
    """The user's organisation's grondslag for this case, and for a partner with professional
    secrecy on what ground it breaks it (consent, or a conflict of duties: who weighed what)."""
    sharing = rules()
    grondslag, weighing = (grondslag or "").strip(), (weighing or "").strip() or None
    problems = {}
    if not grondslag or len(grondslag) > MAX_TEXT:
        problems["grondslag"] = "required" if not grondslag else "too_long"
    if user.partner in sharing.secrecy_partners:
        if secrecy_basis not in sharing.secrecy_bases:
            problems["beroepsgeheim"] = "required"
        elif sharing.secrecy_bases[secrecy_basis][1] and not weighing:
            problems["afweging"] = "required"
        elif weighing and len(weighing) > MAX_TEXT:
            problems["afweging"] = "too_long"
    else:
        secrecy_basis = weighing = None
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        instance = _contributor_case(uow, user, origin, instance_id, now, "change", "basis")
        if problems:
            raise InvalidItem(problems)
        basis = session.scalar(select(CaseBasis).where(CaseBasis.instance_id == instance.id,
                                                       CaseBasis.partner == user.partner))
        if basis is None:
            basis = CaseBasis(instance_id=instance.id, partner=user.partner)
            session.add(basis)
        basis.grondslag, basis.secrecy_basis, basis.secrecy_weighing = grondslag, secrecy_basis, weighing
        basis.recorded_by, basis.recorded_at = user.username, now
        access_log.record(session, user, origin, "change", "basis", user.partner, instance.id, True, now)
        uow.commit()


def add_item(engine: Engine, user: User, instance_id: int, classification: str, subject: str, content: str,
             origin: Origin) -> int:
    """A new item from the user's organisation; it needs the organisation's grondslag first."""
    sharing = rules()
    subject, content = (subject or "").strip(), (content or "").strip()
    problems = {}
    if classification not in {k.code for k in sharing.kinds_for(user.partner)}:
        problems["soort"] = "police_only" if classification in sharing.kinds else "required"
    for field, value, limit in (("onderwerp", subject, MAX_SUBJECT), ("tekst", content, MAX_CONTENT)):
        if not value or len(value) > limit:
            problems[field] = "required" if not value else "too_long"
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        instance = _contributor_case(uow, user, origin, instance_id, now, "create", "item")
        if session.scalar(select(CaseBasis.id).where(CaseBasis.instance_id == instance.id,
                                                     CaseBasis.partner == user.partner)) is None:
            problems["grondslag"] = "missing"
        if problems:
            raise InvalidItem(problems)
        item = CaseItem(instance_id=instance.id, source_partner=user.partner, author=user.username, created_at=now,
                        classification=classification, subject=subject, content=content)
        session.add(item)
        session.flush()
        access_log.record(session, user, origin, "create", "item", str(item.id), instance.id, True, now)
        uow.commit()
        return item.id


def record_consent(engine: Engine, user: User, item_id: int, officer: str, function: str, given_on: str,
                   origin: Origin) -> None:
    """The police record the consent of the designated police or OM officer to an art. 9 item."""
    officer, function = (officer or "").strip(), (function or "").strip()
    problems = text_problems({"functionaris": officer, "functie": function})
    now = aware(engine.clock())
    if problem := past_date_problem(given_on, now.date()):
        problems["datum"] = problem
    with engine.database.unit_of_work() as uow:
        item, _ = _police_item(uow, user, origin, item_id, now)
        if not rules().kind(item.classification).needs_consent:
            raise InvalidItem({"soort": "no_consent_needed"})
        if problems:
            raise InvalidItem(problems)
        item.consent_officer, item.consent_function, item.consent_on = officer, function, given_on
        item.consent_recorded_by = user.username
        access_log.record(uow.session, user, origin, "change", "item", str(item.id), item.instance_id, True, now)
        uow.commit()


def allow_adhoc(engine: Engine, user: User, item_id: int, reason: str, origin: Origin) -> None:
    """The police decide that ad-hoc partners in the case may receive this police item."""
    reason = (reason or "").strip()
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        item, _ = _police_item(uow, user, origin, item_id, now)
        if not reason or len(reason) > MAX_TEXT:
            raise InvalidItem({"reden": "required" if not reason else "too_long"})
        item.adhoc_allowed_by, item.adhoc_reason = user.username, reason
        access_log.record(uow.session, user, origin, "change", "item", str(item.id), item.instance_id, True, now)
        uow.commit()


def may_decide(user: User, instance: Instance) -> policy.Decision:
    if not policy.directs_cases(user):
        return policy.Decision(False, "the procesregisseur decides the sharing")
    if instance.status != "running":
        return policy.Decision(False, "the case does not run any more")
    return policy.may_view_case(user, instance.process_id, instance.participants or [], ())


def _may_contribute(user: User, instance: Instance) -> bool:
    """Casework staff of an organisation taking part (the procesregisseur directs every case)."""
    return instance.status == "running" and bool(user.roles & policy.CASEWORK_ROLES) and bool(
        policy.may_view_case(user, instance.process_id, instance.participants or [], ()))


def _contributor_case(uow, user: User, origin: Origin, instance_id: int, now: datetime, action: str,
                      object_type: str) -> Instance:
    def decide(instance: Instance) -> policy.Decision:
        if not _may_contribute(user, instance):
            return policy.Decision(False, "only casework staff taking part add to a running case")
        return policy.Decision(True, "takes part in the case")
    return casework.readable_instance(uow, user, origin, instance_id, now, action, object_type, decide)


def _police_item(uow, user: User, origin: Origin, item_id: int, now: datetime) -> tuple[CaseItem, Instance]:
    item = uow.session.get(CaseItem, item_id)
    if item is None:
        raise NotFound(f"item {item_id} does not exist")

    def decide(instance: Instance) -> policy.Decision:
        if not rules().kind(item.classification).police:
            return policy.Decision(False, "not a police item")
        if user.partner not in rules().police_partners:
            return policy.Decision(False, "only the police decide on police data")
        if not _may_contribute(user, instance):
            return policy.Decision(False, "only casework staff taking part add to a running case")
        return policy.Decision(True, "police decide on police data")
    return item, casework.readable_instance(uow, user, origin, item.instance_id, now, "change", "item", decide)


def _view(item: CaseItem, shares: dict[str, str]) -> ItemView:
    consent = item.consent_officer and Consent(item.consent_officer, item.consent_function or "", item.consent_on or "")
    return ItemView(item.id, item.source_partner, item.author, item.created_at, rules().kind(item.classification),
                    item.subject, item.content, consent or None, item.adhoc_allowed_by, shares)


def _basis_view(basis: CaseBasis) -> BasisView:
    return BasisView(basis.partner, basis.grondslag, basis.secrecy_basis, basis.secrecy_weighing,
                     basis.recorded_by, basis.recorded_at)
