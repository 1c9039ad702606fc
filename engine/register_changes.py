"""The covenant process changes the partner register, in the same transaction as its step.

The process owner sees where in the diagram: three script tasks of `convenant` carry a
`zvt:actie` (engine/step_actions.py), and the engine runs the function named there with the
task's script. What each reads from the case is fixed here:

- `partner_opnemen` ("Toetreding vastleggen", after the beheerder's "Partner toevoegen"; runs
  before the task's script): a convenantpartner with the code `partnercode`, the name
  `nieuwe_partner_naam`, the grondslag (the label the process's form gives the chosen
  `grondslag`, or `grondslag_toelichting` for another one), the contact register lines
  `contact_fg` and `contact_verantwoordelijke`, the contactpersoon (`contactpersoon_naam`,
  `contactpersoon_email`), the gemachtigde (`gemachtigde_naam`, `gemachtigde_email`) and the day
  it takes part from, `toegetreden_op`. Its contactpersoon is mailed a link to request the
  partner's accounts. A code that exists already is refused as a mistake on the beheerder's form
  (InvalidTaskData, code "partnerExists"): nothing of the step is saved.
- `vertrekdag_vastleggen` (after the script of "Einddatum deelname bepalen", which computes the
  end date, and again after the script of "Beëindiging vastleggen"): the partner
  `opzeggende_partner` takes part until the day before `einddatum_deelname` (Partner.left_on, the
  first day it no longer takes part; an earlier leaving day stays). Its accounts stop working
  that day (engine/accounts.py) and the scheduler switches them off (engine/partner_leaving.py).

A step whose case lacks a field an action needs fails whole (WorkflowFailed), as a broken script does.
"""
from __future__ import annotations

import logging
from datetime import datetime

from .account_requests import invite_contact
from .db import Definition, Instance, Partner
from .errors import FieldError, InvalidTaskData, WorkflowFailed

log = logging.getLogger(__name__)

PARTNER_EXISTS = "partnerExists"


# -- the process's steps (engine/step_actions.py) ---------------------------------------------

def add_partner(session, instance: Instance, data: dict, now: datetime) -> dict:
    """Put the partner the beheerder described in the register and invite its contactpersoon."""
    code = _field(data, "partnercode")
    if session.get(Partner, code) is not None:
        raise InvalidTaskData([FieldError("partnercode", "a partner with this code exists already",
                                          code=PARTNER_EXISTS)])
    forms = session.get(Definition, instance.definition_id).forms
    partner = Partner(
        id=code, name=_field(data, "nieuwe_partner_naam"), kind="convenant", grondslag=_grondslag(data, forms),
        active=True, directs=False, joined_on=_field(data, "toegetreden_op"),
        contacts={"fg": _field(data, "contact_fg"), "verantwoordelijke": _field(data, "contact_verantwoordelijke")},
        contact_name=_field(data, "contactpersoon_naam"), contact_email=_field(data, "contactpersoon_email"),
        officer_name=_field(data, "gemachtigde_naam"), officer_email=_field(data, "gemachtigde_email"))
    session.add(partner)
    session.flush([partner])
    log.info("partner register: %s added, taking part from %s", code, partner.joined_on)
    # The form asks for the contactpersoon's address, so there always is one to mail.
    invite_contact(session, partner.id, now)
    return {}


def set_leaving_day(session, instance: Instance, data: dict, now: datetime) -> None:
    """The partner that gave notice no longer takes part from `einddatum_deelname` on (after the
    script that computes it)."""
    code, left_on = _field(data, "opzeggende_partner"), _field(data, "einddatum_deelname")
    partner = session.get(Partner, code)
    if partner is None:
        raise WorkflowFailed(f"the process could not continue: partner {code!r} is not in the partner register")
    if partner.left_on is None or left_on < partner.left_on:
        partner.left_on = left_on
        log.info("partner register: %s takes part until the day before %s", code, left_on)


def _grondslag(data: dict, forms: dict) -> str:
    """The words the process's form shows for the chosen grondslag, as the register keeps them."""
    chosen = _field(data, "grondslag")
    if chosen == "anders":
        return _field(data, "grondslag_toelichting")
    for form in forms.values():
        options = ((form.get("properties") or {}).get("grondslag") or {}).get("oneOf") or []
        title = next((o.get("title") for o in options if o.get("const") == chosen and o.get("title")), None)
        if title:
            return title
    return chosen


def _field(data: dict, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise WorkflowFailed(f"the process could not continue: the partner register needs the field {name!r}")
    return value.strip()
