"""The terugkoppeling: what the organisation that referred a case may read of it, and nothing else.

The terugkoppeling mail links to the case page; a reader who may not see the whole case but whose
organisation referred it is sent here instead (casework.FeedbackOnly), so the link works also when the
team did not choose that organisation. Reading it is logged like every read of case data.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from . import access_log, partner_choices, policy
from .api import Engine
from .casework import readable_instance
from .clock import aware
from .db import Definition
from .identity import Origin, User

# Where the case keeps what the aanmelder is told (zvt_casus's script "Beoordeling vastleggen").
FEEDBACK_KEY = "terugkoppeling"


@dataclass(frozen=True)
class Feedback:
    case_number: int
    process_id: str
    process_name: str | None
    referred_at: datetime
    feedback: dict | None  # {"besluit", "opgepakt", "toelichting", "moment"}; None until the beoordeling
    forms: dict  # the process version's forms, to word the decision with the form's own choices


def read_feedback(engine: Engine, user: User, instance_id: int, origin: Origin) -> Feedback:
    now = aware(engine.clock())
    with engine.database.unit_of_work() as uow:
        session = uow.session
        instance = readable_instance(uow, user, origin, instance_id, now, "read", FEEDBACK_KEY,
                                     lambda i: policy.may_read_feedback(user, i.process_id, i.data or {}))
        definition = session.get_one(Definition, instance.definition_id)
        feedback = (instance.data or {}).get(FEEDBACK_KEY)
        page = Feedback(instance_id, instance.process_id, definition.name, instance.started_at,
                        dict(feedback) if isinstance(feedback, dict) else None,
                        partner_choices.expand_forms(definition.forms, session))
        access_log.record(session, user, origin, "read", FEEDBACK_KEY, str(instance_id), instance_id, True, now)
        uow.commit()
        return page
