"""The covenant process changes the partner register, in the same transaction as its step.

Which steps do so is a process fact (processes/process_rules.json `register_changes`: element
id -> change); what each change reads from the case is fixed here:

- `add_partner` ("Partner toevoegen", after the new partner signed): a convenantpartner with
  the code `partnercode`, the name `nieuwe_partner_naam`, the grondslag (the label of the chosen
  `grondslag` on the step's form, or `grondslag_toelichting` for another one), the contact
  register lines `contact_fg` and `contact_verantwoordelijke`, the contactpersoon
  (`contactpersoon_naam`, `contactpersoon_email`), the gemachtigde (`gemachtigde_naam`,
  `gemachtigde_email`) and the day it takes part from, `toegetreden_op`. A code that exists
  already is refused as a mistake on the form (InvalidTaskData, code "partnerExists"): nothing of
  the step is saved.
- `end_partner` (the end date computed, "Deelname beëindigen"): the partner `opzeggende_partner`
  takes part until the day before `einddatum_deelname` (Partner.left_on, the first day it no
  longer takes part; an earlier leaving day stays). Its accounts stop working that day
  (engine/accounts.py) and the scheduler switches them off (engine/partner_leaving.py).

A step whose case lacks a field a change needs fails whole (WorkflowFailed), as a broken script does.
"""
from __future__ import annotations

import logging
from datetime import datetime

from .account_requests import invite_contact
from .db import Definition, Partner
from .definitions import form_key
from .errors import FieldError, InvalidTaskData, WorkflowFailed
from .process_rules import active as process_rules

log = logging.getLogger(__name__)

PARTNER_EXISTS = "partnerExists"


def apply(session, definition: Definition, finished_tasks, now: datetime) -> None:
    """Make the register changes of the steps that finished now (runtime.Finished), in the
    caller's transaction."""
    for finished in finished_tasks:
        if finished.state != "completed":
            continue
        change = process_rules().rule(finished.process_id).register_changes.get(finished.bpmn_id)
        if change == "add_partner":
            form = definition.forms.get(form_key(finished.process_id, finished.bpmn_id)) or {}
            add_partner(session, finished.data, form, now)
        elif change == "end_partner":
            end_partner(session, finished.data)


def add_partner(session, data: dict, form: dict, now: datetime) -> Partner:
    code = _field(data, "partnercode")
    if session.get(Partner, code) is not None:
        raise InvalidTaskData([FieldError("partnercode", "a partner with this code exists already",
                                          code=PARTNER_EXISTS)])
    partner = Partner(
        id=code, name=_field(data, "nieuwe_partner_naam"), kind="convenant", grondslag=_grondslag(data, form),
        active=True, directs=False, joined_on=_field(data, "toegetreden_op"),
        contacts={"fg": _field(data, "contact_fg"), "verantwoordelijke": _field(data, "contact_verantwoordelijke")},
        contact_name=_field(data, "contactpersoon_naam"), contact_email=_field(data, "contactpersoon_email"),
        officer_name=_field(data, "gemachtigde_naam"), officer_email=_field(data, "gemachtigde_email"))
    session.add(partner)
    session.flush([partner])
    log.info("partner register: %s added, taking part from %s", code, partner.joined_on)
    partner_added(session, partner, now)
    return partner


def partner_added(session, partner: Partner, now: datetime) -> None:
    """After a partner joined through the covenant process, in the same transaction: its
    contactpersoon is mailed a link to request the partner's accounts (engine/account_requests.py;
    the form asks for the address, so there always is one)."""
    invite_contact(session, partner.id, now)


def end_partner(session, data: dict) -> Partner:
    code, left_on = _field(data, "opzeggende_partner"), _field(data, "einddatum_deelname")
    partner = session.get(Partner, code)
    if partner is None:
        raise WorkflowFailed(f"the process could not continue: partner {code!r} is not in the partner register")
    if partner.left_on is None or left_on < partner.left_on:
        partner.left_on = left_on
        log.info("partner register: %s takes part until the day before %s", code, left_on)
    return partner


def _grondslag(data: dict, form: dict) -> str:
    chosen = _field(data, "grondslag")
    if chosen == "anders":
        return _field(data, "grondslag_toelichting")
    options = ((form.get("properties") or {}).get("grondslag") or {}).get("oneOf") or []
    return next((o.get("title") for o in options if o.get("const") == chosen and o.get("title")), chosen)


def _field(data: dict, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise WorkflowFailed(f"the process could not continue: the partner register needs the field {name!r}")
    return value.strip()
