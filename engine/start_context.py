"""What the engine adds to a new case besides its start form (processes/process_rules.json
`start_context`): the starter's organisation, the directing partner, the contact register or the
convenantpartners as they are on the day the case starts.

A person's start (engine/casework.py) and the scheduler's start of a scheduled process
(engine/firing.py) both read it here, so a scheduled case gets the register as it is on the
morning it starts, not as it was when the process was deployed. A scheduled case has no starter:
deploy refuses `starter_partner` for a scheduled process (process_rules.check_folder).
"""
from __future__ import annotations

from datetime import date

from . import partner_register, process_rules


def values(session, process_id: str, day: date, starter_partner: str | None = None) -> dict:
    wanted = process_rules.active().rule(process_id).start_context
    sources = {
        "starter_partner": lambda: starter_partner,
        "directing_partner": lambda: partner_register.directing(session),
        "contact_register": lambda: {p.id: dict(p.contacts) for p in partner_register.taking_part(session, day)
                                     if isinstance(p.contacts, dict)},
        "convenant_partners": lambda: [p.id for p in partner_register.taking_part(session, day, ("convenant",))],
    }
    return {key: sources[source]() for key, source in wanted.items()}
