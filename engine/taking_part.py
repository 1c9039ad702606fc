"""The partners taking part in a case: what its forms chose, with the changes made outside them
(engine/participation.py) applied. Kept apart so that a workflow step can use it without the
casework layer."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import exists, select

from . import partner_register, policy, process_rules
from .db import CaseParticipation, Instance


def effective(session, instance: Instance, changes: dict[str, str] | None = None,
              directing: Callable[[], str | None] | None = None) -> list[str]:
    """The partners taking part: the forms' choice, admitted ad-hoc partners in, opted-out out.
    `changes`: the case's `latest`, when the caller read it already; `directing`: what gives the
    directing partner's code, when the caller keeps it (partner_register.directing otherwise)."""
    # The directing partner's code only where the process counts it (a query less for every other step).
    needs = process_rules.active().rule(instance.process_id).directing_partner
    code = None
    if needs:
        code = directing() if directing is not None else partner_register.directing(session)
    chosen = set(policy.participants(instance.process_id, instance.data or {}, code))
    for partner, change in (latest(session, instance.id) if changes is None else changes).items():
        if change == "afgemeld":
            chosen.discard(partner)
        elif change == "toegelaten":
            chosen.add(partner)
    return sorted(chosen)


TOLD = "geinformeerd"  # the betrokkene heard of an admitted ad-hoc partner: no change in who takes part


def latest(session, instance_id: int) -> dict[str, str]:
    """Per partner its last change: "afgemeld", "weer_mee" or "toegelaten"."""
    return latest_of(session, [instance_id]).get(instance_id, {})


def latest_of(session, instance_ids) -> dict[int, dict[str, str]]:
    """`latest` of every case in `instance_ids`, in one statement; a case without changes maps to {}."""
    found: dict[int, dict[str, str]] = {instance_id: {} for instance_id in instance_ids}
    for instance_id, partner, change in session.execute(
            select(CaseParticipation.instance_id, CaseParticipation.partner, CaseParticipation.change)
            .where(CaseParticipation.instance_id.in_(list(found)), CaseParticipation.change != TOLD)
            .order_by(CaseParticipation.id)):
        found[instance_id][partner] = change
    return found


def changed(instance_id_column):
    """SQL: whether the case of `instance_id_column` has a participation change (so that a
    query reading the case can tell `latest` need not be read)."""
    return exists().where(CaseParticipation.instance_id == instance_id_column, CaseParticipation.change != TOLD)


def told(session, instance_id: int) -> frozenset[str]:
    """The ad-hoc partners the betrokkene was told of (engine/informing.py counts them as known)."""
    return frozenset(session.scalars(select(CaseParticipation.partner).where(
        CaseParticipation.instance_id == instance_id, CaseParticipation.change == TOLD)))
