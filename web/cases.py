"""The case page: the person, niveau, partners, timeline, open tasks and the diagram."""
from __future__ import annotations

import json

from flask import Blueprint, render_template

from engine import casework

from .areas import current_user, engine, now, origin

bp = Blueprint("cases", __name__)

# What the summary at the top shows of a zvt_casus, in this order.
SUMMARY = [
    ("betrokkene_naam", "Naam"),
    ("betrokkene_geboortedatum", "Geboortedatum"),
    ("betrokkene_adres", "Adres"),
    ("reden_aanmelding", "Waarom aangemeld"),
]


@bp.get("/casussen/<int:number>")
def show(number: int):
    page = casework.view_case(engine(), current_user(), number, origin())
    names = casework.partner_names(engine())
    finished = sorted({h.bpmn_id for h in page.history})
    active = sorted({t.bpmn_id for t in page.open_tasks})
    return render_template(
        "case.html", page=page, names=names, summary=SUMMARY, moment=now(),
        markers=json.dumps({"finished": finished, "active": active}),
    )
