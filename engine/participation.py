"""Who takes part in a case besides what its forms chose: a partner that opted out, and an ad-hoc
partner admitted for this one case (convenant: Verwerking persoonsgegevens IV, Werking).

- A partner may say at any time that it no longer needs the case's data: its staff opt out on
  the case page. It then stays out, whatever a later privacy check chooses, until its own staff
  opt back in.
- An ad-hoc partner (kind "adhoc") takes part only after the procesregisseur admits it, with the
  declaration it signed (who, when, which document). It never receives police data unless the
  police decide so (engine/item_policy.py). It gets no data item before the betrokkene heard of
  it (AVG art. 14 lid 3 c): the procesregisseur records when and how the betrokkene was told
  (`record_told`; engine/informing.py).

The case's `participants` column, which need to know reads, is the forms' choice with these
changes applied; every change here updates it in the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from . import access_log, casework, policy
from .api import Engine
from .case_items import InvalidItem, past_date_problem, text_problems
from .clock import aware
from .db import CaseParticipation, Instance, Partner
from .identity import Origin, User
from .taking_part import TOLD, effective, latest, told

MAX_REASON = 2000


@dataclass(frozen=True)
class Change:
    partner: str
    change: str
    by: str
    at: datetime
    reason: str | None
    declaration: tuple[str, str | None, str | None] | None  # signed by, signed on, document
    told_on: str | None = None  # "geinformeerd": the day the betrokkene was told (how: `reason`)


def opted_out(engine: Engine, user: User) -> list[int]:
    """The running cases the user's organisation opted out of: numbers only, to opt back in."""
    if not user.roles & policy.CASEWORK_ROLES:
        return []
    with engine.database.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(CaseParticipation.instance_id, CaseParticipation.change)
                                   .join(Instance, Instance.id == CaseParticipation.instance_id)
                                   .where(CaseParticipation.partner == user.partner, Instance.status == "running",
                                          CaseParticipation.change.in_(("afgemeld", "weer_mee")))
                                   .order_by(CaseParticipation.id)).all()
    last: dict[int, str] = {}
    for instance_id, change in rows:
        last[instance_id] = change
    return sorted(i for i, change in last.items() if change == "afgemeld")


def history(engine: Engine, instance_id: int) -> list[Change]:
    with engine.database.unit_of_work(write=False) as uow:
        return [Change(r.partner, r.change, r.by, r.at, r.reason,
                       (r.declaration_signed_by, r.declaration_signed_on, r.declaration_document)
                       if r.declaration_signed_by else None, r.told_on)
                for r in uow.session.scalars(select(CaseParticipation).where(CaseParticipation.instance_id == instance_id)
                                             .order_by(CaseParticipation.id))]


def opt_out(engine: Engine, user: User, instance_id: int, reason: str, origin: Origin) -> None:
    """The user's organisation no longer takes part in the case."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidItem({"reden": "required" if not reason else "too_long"})
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        def decide(instance: Instance) -> policy.Decision:
            if not user.roles & policy.CASEWORK_ROLES or user.directs:
                return policy.Decision(False, "a partner's caseworkers opt their organisation out; "
                                              "the municipality directs the case")
            if instance.status != "running" or user.partner not in (instance.participants or []):
                return policy.Decision(False, "the organisation does not take part in a running case")
            return policy.Decision(True, "the organisation takes part")
        instance = casework.readable_instance(uow, user, origin, instance_id, now, "change", "participation", decide)
        _add(uow.session, instance, user.partner, "afgemeld", user.username, now, reason=reason)
        access_log.record(uow.session, user, origin, "change", "participation", user.partner, instance.id, True, now)
        uow.commit()


def opt_in(engine: Engine, user: User, instance_id: int, origin: Origin) -> None:
    """The user's organisation, which opted out, takes part again (if the forms still choose it)."""
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        def decide(instance: Instance) -> policy.Decision:
            if not user.roles & policy.CASEWORK_ROLES:
                return policy.Decision(False, "a partner's caseworkers opt their organisation back in")
            if instance.status != "running" or latest(uow.session, instance.id).get(user.partner) != "afgemeld":
                return policy.Decision(False, "the organisation did not opt out of a running case")
            return policy.Decision(True, "the organisation opted out before")
        instance = casework.readable_instance(uow, user, origin, instance_id, now, "change", "participation", decide)
        _add(uow.session, instance, user.partner, "weer_mee", user.username, now)
        access_log.record(uow.session, user, origin, "change", "participation", user.partner, instance.id, True, now)
        uow.commit()


def admit_adhoc(engine: Engine, user: User, instance_id: int, partner: str, signed_by: str, signed_on: str,
                document: str, origin: Origin) -> None:
    """The procesregisseur admits an ad-hoc partner that signed the declaration for this case."""
    signed_by, document = (signed_by or "").strip(), (document or "").strip()
    problems = text_problems({"getekend_door": signed_by, "document": document})
    now = aware(engine.clock())
    if problem := past_date_problem(signed_on, now.date()):
        problems["getekend_op"] = problem
    with engine.database.unit_of_work() as uow:
        instance = casework.readable_instance(uow, user, origin, instance_id, now, "change", "participation",
                                              _directing(user, "admits ad-hoc partners to"))
        row = uow.session.get(Partner, partner or "")
        if row is None or row.kind != "adhoc" or not row.active:
            problems["partner"] = "required"
        if problems:
            raise InvalidItem(problems)
        _add(uow.session, instance, partner, "toegelaten", user.username, now,
             declaration=(signed_by, signed_on, document))
        access_log.record(uow.session, user, origin, "change", "participation", partner, instance.id, True, now)
        uow.commit()


def record_told(engine: Engine, user: User, instance_id: int, partner: str, told_on: str, how: str,
                origin: Origin) -> None:
    """The procesregisseur records that the betrokkene was told, on `told_on` and how, that an
    admitted ad-hoc partner takes part: from then on it may be given the case's data items."""
    how = (how or "").strip()
    problems = text_problems({"hoe": how})
    now = aware(engine.clock())
    if problem := past_date_problem(told_on, now.date()):
        problems["verteld_op"] = problem
    with engine.database.unit_of_work() as uow:
        instance = casework.readable_instance(uow, user, origin, instance_id, now, "change", "participation",
                                              _directing(user, "records informing in"))
        if latest(uow.session, instance.id).get(partner) != "toegelaten" or partner in told(uow.session, instance.id):
            problems["partner"] = "not_a_choice"
        if problems:
            raise InvalidItem(problems)
        _add(uow.session, instance, partner, TOLD, user.username, now, reason=how, told_on=told_on)
        access_log.record(uow.session, user, origin, "change", "participation", partner, instance.id, True, now)
        uow.commit()


def untold_adhoc(engine: Engine, instance_id: int) -> list[str]:
    """The admitted ad-hoc partners of the case the betrokkene was not yet told of, for the case page."""
    with engine.database.unit_of_work(write=False) as uow:
        told_of = told(uow.session, instance_id)
        return sorted(p for p, change in latest(uow.session, instance_id).items()
                      if change == "toegelaten" and p not in told_of)


def adhoc_candidates(engine: Engine) -> list[tuple[str, str]]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(p.id, p.name) for p in uow.session.scalars(
            select(Partner).where(Partner.kind == "adhoc", Partner.active.is_(True)).order_by(Partner.name))]


def _directing(user: User, what: str):
    """The policy for what only the municipality's procesregisseur does in a running case it sees."""
    def decide(instance: Instance) -> policy.Decision:
        if not policy.directs_cases(user) or instance.status != "running":
            return policy.Decision(False, f"the procesregisseur {what} a running case")
        return policy.may_view_case(user, instance.process_id, instance.participants or [], ())
    return decide


def _add(session, instance: Instance, partner: str, change: str, by: str, now: datetime, *, reason=None,
         declaration=None, told_on=None) -> None:
    signed_by, signed_on, document = declaration or (None, None, None)
    session.add(CaseParticipation(instance_id=instance.id, partner=partner, change=change, by=by, at=now,
                                  reason=reason, declaration_signed_by=signed_by, declaration_signed_on=signed_on,
                                  declaration_document=document, told_on=told_on))
    session.flush()
    instance.participants = effective(session, instance)
