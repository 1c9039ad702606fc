"""E-mail notifications through an outbox: written with the step, sent later over SMTP
(engine/mail_sending.py sends them).

A step that opens a task, fires a reminder or a deadline, or passes a BPMN element marked to
send a message, adds rows to `outbox` in its own transaction (`collect` before the workflow is
cut down, `write` at the end of Step.save). A step that is rolled back therefore never mails,
and a mail server that is down never holds a caseworker's step up: the scheduler sends the rows
later (`send_pending`), tries failed ones again with a growing pause, and keeps them until they
are sent.

What a mail says: the kind of news, the task's name (taken from the BPMN, never personal data),
the case number and a link to the task or case page, where the reader must log in. Nothing from
the case data: the covenant asks for secure mail, and ordinary e-mail is not that.

Who gets what:

- nieuwe_taak: every account that may do a new task (accounts.task_candidates: the lane is one
  of their roles and the policy lets them), except whoever made the step: they are looking at
  the case already.
- herinnering (a timer marked `herinnering` on a user task's border fired) and escalatie (a
  deadline timer there fired): the task's assignee, or when nobody holds it (or the holder has
  no address any more), everyone who may do it. An escalation task that the process opens gets
  its own nieuwe_taak mail.
- a BPMN element with `zvt:bericht` (for now only `terugkoppeling`) mails, when it finishes,
  the accounts with role `zvt:berichtAan` of the partner whose code is in the data field
  named by `zvt:berichtPartner`. zvt_casus's `terugkoppeling_aanmelder` uses it to tell the
  aanmelder's partnermedewerkers that the aanmelding was judged. (engine/zvt_namespace.py
  lowers these attributes into the properties `bericht`, `bericht_aan` and `bericht_partner`
  SpiffWorkflow keeps on the task spec, which is what this module reads.)
- anker: once a day the heads of the access log's and history's hash chains (row ids and
  hashes, nothing about a person) to every FG account, written by engine/anchors.py.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import runtime
from .accounts import candidates_among, task_candidates, usable_accounts
from .db import Account, HumanTask, Instance, OutboxMail

# Sending lives in engine/mail_sending.py; the scheduler and the configuration keep reaching it here.
from .mail_sending import DEFAULT_LEASE, MailSettings, send_pending  # noqa: F401 - re-exported
from .partner_register import day_of
from .roles import ROLES
from .zvt_namespace import PROPERTY_OF

log = logging.getLogger(__name__)

KINDS = ("nieuwe_taak", "herinnering", "escalatie", "terugkoppeling", "anker")
# Kinds a BPMN element may send with the property `bericht`; the others are the engine's own.
ELEMENT_KINDS = frozenset({"terugkoppeling"})
MESSAGE_PROPERTY, ROLE_PROPERTY, PARTNER_PROPERTY = "bericht", "bericht_aan", "bericht_partner"
ATTRIBUTE_OF = {prop: attribute for attribute, prop in PROPERTY_OF.items()}
_DATA_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# -- writing: called from Step.save, in the step's transaction --------------------------

@dataclass(frozen=True)
class _TimerFired:
    task_id: str  # the user task on whose border the timer sits
    name: str | None
    lane: str | None
    partner: str | None  # the task is for this partner's staff alone (policy.may_do_task)
    reminder: bool
    closed: bool  # an interrupting timer closed the task
    assignee: str | None


@dataclass(frozen=True)
class _ElementMessage:
    kind: str
    role: str
    partner: str | None  # the partner code the case data held when the element finished


@dataclass
class StepNews:
    """What a step has to tell people, gathered before the workflow is cut down and the task
    rows are brought in step (after that the fired timers and their tasks are gone)."""

    timers: list[_TimerFired] = field(default_factory=list)
    messages: list[_ElementMessage] = field(default_factory=list)


def collect(session, workflow, finished: list[runtime.Finished]) -> StepNews:
    news = StepNews()
    for item in finished:
        task = runtime.find_task(workflow, item.task_id)
        if task is None or item.state != "completed":
            continue
        user_task = runtime.timer_task_of(task)
        if user_task is not None:
            spec = user_task.task_spec
            row = session.get(HumanTask, str(user_task.id))
            news.timers.append(_TimerFired(
                str(user_task.id), spec.bpmn_name, spec.lane, runtime.task_partner(user_task),
                runtime.is_reminder(task.task_spec),
                bool(getattr(task.task_spec, "cancel_activity", False)), row.assignee if row is not None else None))
        message = element_message(task.task_spec)
        if message is not None:
            kind, role, partner_field = message
            partner = task.data.get(partner_field)
            news.messages.append(_ElementMessage(kind, role, partner if isinstance(partner, str) else None))
    return news


def element_message(spec) -> tuple[str, str, str] | None:
    """(kind, role, partner data field) when the element sends a message as it finishes.

    Raises ValueError, with the reason, when its properties are incomplete or wrong; deploy
    calls this for every element, so a running case never meets a bad one."""
    properties = runtime.properties(spec)
    kind = properties.get(MESSAGE_PROPERTY)
    if kind is None:
        if ROLE_PROPERTY in properties or PARTNER_PROPERTY in properties:
            raise ValueError(f"{_named(ROLE_PROPERTY)} or {_named(PARTNER_PROPERTY)} needs {_named(MESSAGE_PROPERTY)}")
        return None
    if kind not in ELEMENT_KINDS:
        raise ValueError(f"{_named(MESSAGE_PROPERTY)} must be one of: {', '.join(sorted(ELEMENT_KINDS))}; "
                         f"not {kind!r}")
    role, partner_field = properties.get(ROLE_PROPERTY), properties.get(PARTNER_PROPERTY)
    if role not in ROLES:
        raise ValueError(f"{_named(ROLE_PROPERTY)} must name a role ({', '.join(sorted(ROLES))}); not {role!r}")
    if partner_field is None or not _DATA_NAME.fullmatch(partner_field):
        raise ValueError(f"{_named(PARTNER_PROPERTY)} must name the data field that holds the partner code; "
                         f"not {partner_field!r}")
    return kind, role, partner_field


def _named(prop: str) -> str:
    """The property as the process owner writes it in the file: zvt:berichtAan."""
    return f"attribute 'zvt:{ATTRIBUTE_OF[prop]}'"


def asks_who_may_do(news: StepNews, new_tasks: list[HumanTask]) -> bool:
    """Whether `write` will look up who may do a task: a new task in a lane, or a fired timer (whose
    task's holder may be gone)."""
    return bool(news.timers) or any(row.lane is not None for row in new_tasks)


def write(session, instance: Instance, news: StepNews, new_tasks: list[HumanTask], open_lanes: set[str],
          actor: str, now: datetime, candidates: dict | None = None, keep: Callable[[list], None] | None = None,
          accounts: list | None = None) -> int:
    """Add the step's mails to the session (the caller's transaction); return how many.
    `candidates`: who may do a lane's task, as looked up before in this transaction; a
    transaction that steps many cases passes the same dict to each, so that cases alike
    (process, participants, open lanes) ask the database once. `accounts`: the rows of
    accounts.candidates_statement (with e-mail, on this day), read already in this transaction,
    to pick from instead of asking. `keep(mails)` takes the new rows instead of the session
    (engine/step_writes.py)."""
    if not (news.timers or news.messages or new_tasks):
        return 0
    case = instance.id
    participants = instance.participants or []
    mails: list[OutboxMail] = []

    def add(kind: str, recipients, subject: str, body: str, link: str) -> None:
        seen = set()
        for account in recipients:
            address = account.email.strip()
            if address.casefold() in seen:
                continue
            seen.add(address.casefold())
            mails.append(OutboxMail(kind=kind, recipient=address, subject=subject, body=body, link=link,
                                    instance_id=case, created_at=now, attempts=0))

    known = {} if candidates is None else candidates

    def may_do(lane: str | None, partner: str | None) -> list[Any]:  # rows of accounts.task_candidates
        # Once per lane and case kind: a step that opens parallel tasks or fires several
        # timers would ask again, and so would each case of a batch.
        key = (lane, partner, instance.process_id, tuple(participants), frozenset(open_lanes))
        if key not in known:
            known[key] = (task_candidates(session, lane, instance.process_id, participants, open_lanes,
                                          day=day_of(now), with_email=True, partner=partner) if accounts is None
                          else candidates_among(accounts, lane, instance.process_id, participants, open_lanes,
                                                partner))
        return known[key]

    for row in new_tasks:
        recipients = [a for a in may_do(row.lane, row.partner) if a.username != actor]
        add("nieuwe_taak", recipients, f"Nieuwe taak in casus {case}",
            f"Er staat een nieuwe taak voor u klaar in casus {case}: {_task_name(row.name)}.\n\n"
            "Open de taak met de link hieronder. U logt eerst in.", f"/taken/{row.id}")

    for fired in news.timers:
        holder = _accounts(session, now, Account.username == fired.assignee) if fired.assignee is not None else []
        # Held by someone without an address (or who left): the task's other people must hear it.
        recipients = holder or may_do(fired.lane, fired.partner)
        name = _task_name(fired.name)
        link = f"/casussen/{case}" if fired.closed else f"/taken/{fired.task_id}"
        if fired.reminder:
            add("herinnering", recipients, f"Herinnering: taak in casus {case}",
                f"De taak {name} in casus {case} is nog niet klaar. Let op de termijn.\n\n"
                "Open de taak met de link hieronder. U logt eerst in.", link)
        elif fired.closed:
            add("escalatie", recipients, f"Termijn voorbij: taak in casus {case}",
                f"De termijn van de taak {name} in casus {case} is voorbij. De taak is daarom gesloten.\n\n"
                "Bekijk de casus met de link hieronder. U logt eerst in.", link)
        else:
            add("escalatie", recipients, f"Termijn voorbij: taak in casus {case}",
                f"De termijn van de taak {name} in casus {case} is voorbij. De taak staat nog open.\n\n"
                "Open de taak met de link hieronder. U logt eerst in.", link)

    for message in news.messages:
        if message.partner is None:
            log.warning("instance %s: no partner to send the %s to", case, message.kind)
            continue
        recipients = [a for a in _accounts(session, now, Account.partner_id == message.partner)
                      if message.role in (a.roles or ())]
        subject, body = _ELEMENT_TEXTS[message.kind]
        add(message.kind, recipients, subject.format(case=case), body.format(case=case), f"/casussen/{case}")

    (session.add_all if keep is None else keep)(mails)
    return len(mails)


# Subject and text of each kind an element may send; {case} is the case number.
_ELEMENT_TEXTS = {
    "terugkoppeling": ("Terugkoppeling over casus {case}",
                       "Het zorg- en veiligheidsteam heeft de aanmelding van casus {case} beoordeeld.\n\n"
                       "Lees de terugkoppeling na het inloggen, via de link hieronder."),
}
assert set(_ELEMENT_TEXTS) == ELEMENT_KINDS


def _task_name(name: str | None) -> str:
    return f"'{name}'" if name else "zonder naam"


def _accounts(session, now: datetime, condition) -> list[Account]:
    """Accounts that can log in and have an e-mail address, matching `condition`."""
    return list(session.scalars(usable_accounts(with_email=True, day=day_of(now)).where(condition)
                                .order_by(Account.id)))
