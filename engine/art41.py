"""The art. 41 UAVG decisions of zvt_casus cases, shown where another process must weigh them.

A rights request (rechten_betrokkene) and a datalek's message to the betrokkenen (AVG art. 34) may
name the ZVT cases they concern (a text field of case numbers such as "12, 15"). Their handler
must see whether a decision not to inform the betrokkene (art. 41 UAVG) is active there, and its
scope, and record how it applies: art. 41 may restrict an inzage answer or the art. 34 message,
never the notification to the AP (art. 33), whose form has no such field.

A form asks for it with a read-only field `"x-zvt-art41-van": "<field with the case numbers>"`
(engine/named_cases.py). Its value is looked up when the task page opens, as the decisions stand
then, and never stored.
The scope is a case's data: it is shown, and the read logged, only to a reader whose policy lets
them open that case; others see that a decision is active, its ground and review date, and ask the
procesregisseur.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from .db import Instance
from .named_cases import case_of

KEYWORD = "x-zvt-art41-van"
HIDDEN_SCOPE = "U mag deze casus niet openen. Vraag de procesregisseur naar de reikwijdte."


def decisions(session, numbers: list[int], may_view: Callable[[Instance], bool]) -> tuple[list[dict], list[int]]:
    """One row per case number: its art. 41 status now. Also the cases whose scope was shown
    (for the access log)."""
    rows, shown = [], []
    for number in numbers:
        instance = case_of(session, number)
        if instance is None:
            rows.append({"casus": number, "status": "niet_gevonden"})
            continue
        decision = decision_of(instance.data or {})
        if not decision.get("actief"):
            rows.append({"casus": number, "status": "geen"})
            continue
        row = {"casus": number, "status": "actief", "grond": decision.get("grond"),
               "herzien_op": decision.get("herzien_op")}
        if may_view(instance):
            row["reikwijdte"] = decision.get("reikwijdte")
            shown.append(number)
        else:
            row["reikwijdte"] = HIDDEN_SCOPE
        rows.append({k: v for k, v in row.items() if v is not None})
    return rows, shown


def decision_of(data: Mapping) -> dict:
    """The case's art. 41 decision as its data holds it now ({} when none was taken)."""
    decision = (data.get("data_objects") or {}).get("art41_besluit")
    if isinstance(decision, dict):
        return decision
    # A case from before the shared decision (zvt_casus version 1): its main branch knows the first one.
    if data.get("informeren") == "niet_informeren" and data.get("herziening") != "nu_informeren":
        return {"actief": True, "grond": data.get("grond"), "reikwijdte": data.get("reikwijdte"),
                "herzien_op": data.get("nieuwe_herziendatum") or data.get("herzien_op")}
    return {}
