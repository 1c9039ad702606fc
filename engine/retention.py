"""Forgetting on time: a closed case's personal data goes at its destruction date.

DOMAIN.md (Retention) and the covenant (Uitgangspunt II: no longer than needed; Beveiliging:
digital documents removed beyond recovery). The terms are data (engine/retention_rules.py,
processes/retention.json); their reasons are in docs/bewaartermijnen.md.

Closing a case sets `destroy_at` (engine/steps.py); a case closed without rules at hand (or
before this job existed) gets it from the job's first round. At the date, in one transaction
per case, the job wipes every trace of the person: the case's data and workflow state, the
data of its history rows, its open tasks with their drafts, its timers and its mails, the
partners' data items with their shares, grondslag and disclosures, the reasons for opting out. What
stays: the case row as a tombstone (status "destroyed", no data), the history rows without
data (who did which step when), the access log (ids of users and cases, no personal data: it
must be kept at least five years, DOMAIN.md) and a `destructions` row: the destruction record
and the anonymous figures for the management report. A case under a legal hold is skipped.

Several schedulers may run this at once on PostgreSQL: each case is destroyed in its own
transaction that locks the case row first (`FOR UPDATE SKIP LOCKED`) and re-checks that it is
due, so a case is destroyed exactly once and a crash halfway leaves it whole.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, null, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from . import logsafe
from .db import (
    CaseBasis,
    CaseItem,
    CaseParticipation,
    Definition,
    Destruction,
    Disclosure,
    HistoryEntry,
    HumanTask,
    Instance,
    ItemShare,
    LoginAttempt,
    OutboxMail,
    TaskDraft,
    Timer,
)
from .errors import Conflict
from .retention_rules import RetentionRules
from .unit_of_work import Database, affected, flush

log = logging.getLogger(__name__)

# Cases destroyed per run: a scheduler round stays short; the next round takes the rest.
BATCH = 200


@dataclass(frozen=True)
class DueCase:
    """A case whose date has come: its number, process, rule and the rows it holds. No data."""

    case: int
    process_id: str
    destroy_at: datetime
    rule: str
    counts: dict[str, int]


@dataclass(frozen=True)
class RetentionReport:
    dry_run: bool
    dated: int = 0  # closed cases that got their destruction date in this run
    destroyed: list[DueCase] = field(default_factory=list)  # with --dry-run: would be destroyed
    held: list[int] = field(default_factory=list)  # due, but under a legal hold
    failed: list[int] = field(default_factory=list)  # rolled back whole; the next run tries again
    login_attempts: int = 0  # pruned (or, dry run, to prune)
    sent_mails: int = 0


def destroy_at(rules: RetentionRules | None, instance: Instance) -> datetime | None:
    """The destruction date of a case that closed now; None without a rule or for a kept process."""
    rule = rules.rule(instance.process_id) if rules is not None else None
    if rule is None or instance.completed_at is None:
        return None
    return rule.destroy_at(instance.data or {}, instance.completed_at)


def run(database: Database, rules: RetentionRules, now: datetime, *, dry_run: bool = False,
        actor: str = "zvt retention", batch: int = BATCH) -> RetentionReport:
    """Date the closed cases, destroy up to `batch` due ones and prune old login attempts and sent
    mail. `dry_run`: say what would happen and change nothing."""
    dated = _date_closed_cases(database, rules, now, dry_run)
    held = _held_due(database, now)
    destroyed, failed = [], []
    for case, _process_id in _due(database, now, batch, rules, dated if dry_run else {}):
        if dry_run:
            destroyed.append(_describe(database, rules, case, dated))
            continue
        try:
            done = _destroy(database, rules, case, now, actor)
        except (SQLAlchemyError, Conflict) as exc:
            # One case that cannot go must not keep the others: its transaction rolled back whole.
            # The kind of error only: a database error may quote the case's data (engine/logsafe.py).
            log.error("retention: case %d could not be destroyed and stays whole (%s); the next run tries again",
                      case, logsafe.describe(exc))
            failed.append(case)
            continue
        if done is not None:
            destroyed.append(done)
    attempts, mails = _prune(database, rules, now, dry_run)
    return RetentionReport(dry_run, len(dated), destroyed, held, failed, attempts, mails)


def _date_closed_cases(database: Database, rules: RetentionRules, now: datetime, dry_run: bool) -> dict:
    """Set the date of closed cases that have none (closed before the rules were at hand).
    Returns case number -> date. Writes without bumping the revision: the date is the same
    whoever computes it, so two schedulers doing it at once agree."""
    found = {}
    with database.unit_of_work(write=not dry_run) as uow:
        rows = uow.session.execute(select(Instance.id, Instance.process_id, Instance.data, Instance.completed_at).where(
            Instance.status == "completed", Instance.destroy_at.is_(None), Instance.completed_at.is_not(None),
            Instance.process_id.in_(rules.destroying()))).all()
        for case, process_id, data, completed_at in rows:
            found[case] = rules.processes[process_id].destroy_at(data or {}, completed_at)
            if not dry_run:
                uow.session.execute(update(Instance).where(Instance.id == case, Instance.destroy_at.is_(None))
                                    .values(destroy_at=found[case]).execution_options(synchronize_session=False))
        if not dry_run:
            uow.commit()
    return found


def _due(database: Database, now: datetime, batch: int, rules: RetentionRules, dated: dict) -> list[tuple[int, str]]:
    """The due cases, oldest date first. `dated`: dates a dry run computed but did not store."""
    with database.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(Instance.id, Instance.process_id, Instance.destroy_at).where(
            Instance.status == "completed", Instance.hold_reason.is_(None),
            Instance.process_id.in_(rules.destroying()),
            or_(Instance.destroy_at <= now, Instance.id.in_(list(dated))))).all()
    due = sorted((at or dated[case], case, pid) for case, pid, at in rows)
    return [(case, pid) for at, case, pid in due if at <= now][:batch]


def _held_due(database: Database, now: datetime) -> list[int]:
    with database.unit_of_work(write=False) as uow:
        return list(uow.session.scalars(select(Instance.id).where(
            Instance.status == "completed", Instance.hold_reason.is_not(None), Instance.destroy_at <= now)
            .order_by(Instance.id)))


def _describe(database: Database, rules: RetentionRules, case: int, dated: dict[int, datetime]) -> DueCase:
    """`dated`: the dates this dry run computed, for the cases that have none stored."""
    with database.unit_of_work(write=False) as uow:
        instance = uow.session.get_one(Instance, case)
        return DueCase(case, instance.process_id, instance.destroy_at or dated[case],
                       rules.processes[instance.process_id].term(instance.data or {})[1], _counts(uow.session, case))


def _counts(session, case: int) -> dict[str, int]:
    def count(model, *where):
        return session.scalar(select(func.count()).select_from(model).where(*where))

    tasks = select(HumanTask.id).where(HumanTask.instance_id == case)
    return {"history": count(HistoryEntry, HistoryEntry.instance_id == case),
            "human_tasks": count(HumanTask, HumanTask.instance_id == case),
            "task_drafts": count(TaskDraft, TaskDraft.task_id.in_(tasks)),
            "timers": count(Timer, Timer.instance_id == case),
            "outbox": count(OutboxMail, OutboxMail.instance_id == case),
            "items": count(CaseItem, CaseItem.instance_id == case),
            "disclosures": count(Disclosure, Disclosure.instance_id == case)}


def _destroy(database: Database, rules: RetentionRules, case: int, now: datetime, actor: str) -> DueCase | None:
    """Destroy one case's personal data in one transaction; None when another scheduler has it,
    or it is no longer due (held, or destroyed meanwhile)."""
    with database.unit_of_work() as uow:
        session = uow.session
        instance = session.scalar(select(Instance).where(
            Instance.id == case, Instance.status == "completed", Instance.hold_reason.is_(None),
            Instance.destroy_at <= now).with_for_update(skip_locked=True))
        if instance is None or instance.destroy_at is None:  # the second never: the query asked for a date
            return None
        rule = rules.rule(instance.process_id)
        if rule is None or rule.keep:
            return None
        data = instance.data or {}
        rule_text = rule.term(data)[1]
        counts = _counts(session, case)
        tasks = select(HumanTask.id).where(HumanTask.instance_id == case).scalar_subquery()
        session.execute(delete(TaskDraft).where(TaskDraft.task_id.in_(tasks)))
        session.execute(delete(HumanTask).where(HumanTask.instance_id == case))
        session.execute(delete(Timer).where(Timer.instance_id == case))
        session.execute(delete(OutboxMail).where(OutboxMail.instance_id == case))
        session.execute(update(HistoryEntry).where(HistoryEntry.instance_id == case).values(data=null())
                        .execution_options(synchronize_session=False))
        # The partners' data items, their grondslag (with a conflict of duties' weighing) and the
        # case's part of the register of disclosures go: the register's grondslag is free text,
        # and what was shared with whom is part of the file. The record keeps how many there were.
        items = select(CaseItem.id).where(CaseItem.instance_id == case).scalar_subquery()
        session.execute(delete(ItemShare).where(ItemShare.item_id.in_(items)))
        session.execute(delete(Disclosure).where(Disclosure.instance_id == case))
        session.execute(delete(CaseItem).where(CaseItem.instance_id == case))
        session.execute(delete(CaseBasis).where(CaseBasis.instance_id == case))
        session.execute(update(CaseParticipation).where(CaseParticipation.instance_id == case).values(reason=null())
                        .execution_options(synchronize_session=False))
        destroyed_at = now.replace(microsecond=0)
        session.add(Destruction(
            instance_id=case, process_id=instance.process_id,
            version=session.scalar(select(Definition.version).where(Definition.id == instance.definition_id)),
            rule=rule_text, started_at=instance.started_at, completed_at=instance.completed_at,
            destroy_at=instance.destroy_at, destroyed_at=destroyed_at, destroyed_by=actor,
            participants=list(instance.participants or []), figures=rule.anonymous_figures(data), counts=counts))
        flush(session)
        # The case row last: its revision check fails a racing command (there should be none on
        # a closed case), and the record above was written in the same transaction.
        instance.data, instance.state, instance.status = {}, None, "destroyed"
        instance.search_name = instance.search_birth = None
        instance.pause_reason = instance.paused_at = instance.paused_by = None
        instance.updated_at = destroyed_at
        flush(session, [instance])
        uow.commit()
        return DueCase(case, instance.process_id, instance.destroy_at, rule_text, counts)


def _prune(database: Database, rules: RetentionRules, now: datetime, dry_run: bool) -> tuple[int, int]:
    """Login attempts older than their term (the login limits look back minutes, not months) and
    mails sent longer ago than theirs; a mail not sent yet stays whatever its age."""
    attempts = (LoginAttempt.at < now - timedelta(days=rules.login_attempts_days),)
    mails = (OutboxMail.sent_at.is_not(None), OutboxMail.sent_at < now - timedelta(days=rules.sent_mail_days))
    with database.unit_of_work(write=not dry_run) as uow:
        if dry_run:
            return (uow.session.execute(select(func.count()).select_from(LoginAttempt).where(*attempts)).scalar_one(),
                    uow.session.execute(select(func.count()).select_from(OutboxMail).where(*mails)).scalar_one())
        pruned = (affected(uow.session.execute(delete(LoginAttempt).where(*attempts))),
                  affected(uow.session.execute(delete(OutboxMail).where(*mails))))
        uow.commit()
        return pruned
