"""What the browser modeler's checks need to know beside the diagram (web/modeler/zvt-lint.js): the
roles a lane can have, the actions a script task can run (engine/step_actions.py, offered in the
panel), which user tasks have a form in the draft, and the running version's
reminders and element ids, so that it can say while modelling what the draft's check says on save
(engine/zvt_rules.py): a task without a role or a form, a reminder that lost its mark, a new
element with a made-up id."""
from __future__ import annotations

from .api import Engine
from .bpmn_compare import elements
from .identity import User
from .process_drafts import draft_forms
from .queries import latest_definition
from .roles import ROLES
from .step_actions import ACTIONS


def modeler_facts(engine: Engine, user: User, process_id: str, draft_id: int) -> dict[str, list]:
    forms = draft_forms(engine, user, process_id, draft_id)  # checks that the user may change processes
    with engine.database.unit_of_work(write=False) as uow:
        running = elements(dict(latest_definition(uow.session, process_id).files))
    return {
        "roles": sorted(ROLES),
        "actions": [[name, action.label] for name, action in sorted(ACTIONS.items())],
        "forms": sorted(forms),
        "reminders": sorted(element.id for element in running.values()
                            if element.kind == "boundaryEvent" and "herinnering" in element.aspects.get("properties", {})),
        "known_ids": sorted(element.id for element in running.values()),
    }
