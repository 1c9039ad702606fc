"""A legal hold: a case that must not be destroyed yet (a court case, a running rights request
or complaint about it), with the reason, who set it and when. The retention job skips it
until it is lifted. Setting and lifting are history rows and access-log rows of the case.

Part of `Engine` (engine/api.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from . import access_log, policy
from .clock import aware
from .db import Instance
from .deadlines import record_case_event
from .engine_part import EnginePart
from .errors import Conflict, EngineError, InstanceNotFound, ReasonRequired
from .identity import Origin, User
from .unit_of_work import flush

# The longest reason kept: a hold's reason says why, in a sentence or two.
MAX_REASON = 1000


class HoldRefused(EngineError):
    """The user's role may not set or lift a legal hold."""


@dataclass(frozen=True)
class RetentionItem:
    """A closed case as the FG and procesregisseur see it on the retention page: no case data."""

    case: int
    process_id: str
    completed_at: datetime | None
    destroy_at: datetime | None
    hold_reason: str | None
    held_by: str | None
    held_at: datetime | None


class LegalHolds(EnginePart):
    def set_legal_hold(self, instance_id: int, reason: str, user: User, origin: Origin) -> datetime:
        """Put a running or closed case on hold; raises ReasonRequired, HoldRefused, or Conflict
        when it is on hold already or destroyed. Returns the moment (whole seconds)."""
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise ReasonRequired("a legal hold needs a reason")
        if len(reason) > MAX_REASON:
            raise ReasonRequired(f"the reason of a legal hold is at most {MAX_REASON} characters")
        return self._change_hold(instance_id, user, origin, reason)

    def lift_legal_hold(self, instance_id: int, reason: str, user: User, origin: Origin) -> datetime:
        """Lift the hold: the case is destroyed at its date (at once when that has passed)."""
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise ReasonRequired("lifting a legal hold needs a reason")
        return self._change_hold(instance_id, user, origin, None, lift_reason=reason[:MAX_REASON])

    def retention_overview(self, user: User, origin: Origin, until: datetime) -> list[RetentionItem]:
        """The cases on hold and the closed cases due for destruction before `until`, soonest
        first; refused (HoldRefused) for a role that does not manage holds. A hold's reason may
        name a person: each one shown is a "read" row in the access log."""
        if not policy.may_manage_legal_holds(user):
            raise HoldRefused("only a procesregisseur or an FG sees the retention overview")
        with self.database.unit_of_work() as uow:
            rows = uow.session.scalars(select(Instance).where(
                Instance.status.in_(("running", "completed")),
                or_(Instance.hold_reason.is_not(None), Instance.destroy_at < until))
                .order_by(Instance.destroy_at.is_(None), Instance.destroy_at, Instance.id))
            items = [RetentionItem(i.id, i.process_id, i.completed_at, i.destroy_at, i.hold_reason, i.held_by,
                                   i.held_at) for i in rows]
            access_log.record_many(uow.session, user, origin, "read", "legal_hold",
                                   [(str(i.case), i.case) for i in items if i.hold_reason], True, aware(self.clock()))
            uow.commit()
            return items

    def _change_hold(self, instance_id: int, user: User, origin: Origin, reason: str | None,
                     lift_reason: str | None = None) -> datetime:
        now = aware(self.clock())
        at = now.replace(microsecond=0)
        with self.database.unit_of_work() as uow:
            decision = policy.may_manage_legal_holds(user)
            instance = uow.session.get(Instance, instance_id)
            if instance is None:
                raise InstanceNotFound(f"instance {instance_id} does not exist")
            if not decision:
                access_log.record(uow.session, user, origin, "change", "legal_hold", str(instance_id), instance_id,
                                  False, now)
                uow.commit()
                raise HoldRefused(decision.reason)
            if instance.status not in ("running", "completed"):
                raise Conflict(f"case {instance_id} is {instance.status}")
            if reason is not None and instance.hold_reason is not None:
                raise Conflict(f"case {instance_id} is on hold already")
            if reason is None and instance.hold_reason is None:
                raise Conflict(f"case {instance_id} is not on hold")
            if reason is not None:
                instance.hold_reason, instance.held_by, instance.held_at = reason, user.username, at
                record_case_event(uow.session, instance, "bewaarplicht_gezet", "Niet vernietigen (bewaarplicht)",
                                  "LegalHoldSet", user.username, at, {"reden": reason})
            else:
                record_case_event(uow.session, instance, "bewaarplicht_opgeheven", "Bewaarplicht opgeheven",
                                  "LegalHoldLifted", user.username, at,
                                  {"reden": lift_reason, "reden_bewaarplicht": instance.hold_reason,
                                   "gezet_door": instance.held_by,
                                   "gezet_op": instance.held_at.isoformat() if instance.held_at else None})
                instance.hold_reason = instance.held_by = instance.held_at = None
            instance.updated_at = now
            flush(uow.session, [instance])
            access_log.record(uow.session, user, origin, "change", "legal_hold", str(instance_id), instance_id,
                              True, now)
            uow.commit()
            return at
