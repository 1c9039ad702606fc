"""The case page: the person, niveau, partners, timeline, open tasks and the diagram."""
from __future__ import annotations

import json

from flask import Blueprint, render_template

from engine import casework

from .areas import current_user, engine, now, origin

bp = Blueprint("cases", __name__)

# What the summary at the top shows of a zvt_casus, in this order: (field, label, is a date).
SUMMARY = [
    ("betrokkene_naam", "Naam", False),
    ("betrokkene_geboortedatum", "Geboortedatum", True),
    ("betrokkene_adres", "Adres", False),
    ("reden_aanmelding", "Waarom aangemeld", False),
]
# Steps a person takes; the rest of the timeline (scripts, decisions, deadlines) the engine does.
HUMAN_STEPS = {"UserTask", "ManualTask", "StartEvent"}


def timeline(history) -> list[tuple]:
    """(entry, who) for the case's timeline. Gateways are left out: the answer that chose the
    way is already there as the task before it, and "Oppakken?" after "Aanmelding beoordelen"
    only repeats it."""
    return [(entry, entry.actor if entry.task_type in HUMAN_STEPS else "automatisch")
            for entry in history if entry.name and not entry.task_type.endswith("Gateway")]


@bp.get("/casussen/<int:number>")
def show(number: int):
    page = casework.view_case(engine(), current_user(), number, origin())
    names = casework.partner_names(engine())
    finished = sorted({h.bpmn_id for h in page.history})
    active = sorted({t.bpmn_id for t in page.open_tasks})
    return render_template(
        "case.html", page=page, names=names, summary=SUMMARY, timeline=timeline(page.history), moment=now(),
        markers=json.dumps({"finished": finished, "active": active}),
    )
