"""The art. 41 UAVG decisions of zvt_casus cases, shown where another process must weigh them.

A rights request (rechten_betrokkene) and a datalek's message to the betrokkenen (AVG art. 34) may
name the ZVT cases they concern (a text field of case numbers such as "12, 15"). Their handler
must see whether a decision not to inform the betrokkene (art. 41 UAVG) is active there, and its
scope, and record how it applies: art. 41 may restrict an inzage answer or the art. 34 message,
never the notification to the AP (art. 33), whose form has no such field.

A form asks for it with a read-only field `"x-zvt-art41-van": "<field with the case numbers>"`.
Its value is looked up when the task page opens, as the decisions stand then, and never stored.
The scope is a case's data: it is shown, and the read logged, only to a reader whose policy lets
them open that case; others see that a decision is active, its ground and review date, and ask the
procesregisseur.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .db import Instance

KEYWORD = "x-zvt-art41-van"
CASE_PROCESS = "zvt_casus"
_NUMBER = re.compile(r"\d{1,9}")
HIDDEN_SCOPE = "U mag deze casus niet openen. Vraag de procesregisseur naar de reikwijdte."


def sources(schema: Mapping | None) -> dict[str, str]:
    """Field -> the field holding the case numbers, for each such read-only field of the form."""
    properties = (schema or {}).get("properties") or {}
    return {name: prop[KEYWORD] for name, prop in properties.items()
            if isinstance(prop, Mapping) and isinstance(prop.get(KEYWORD), str)}


def case_numbers(value) -> list[int]:
    """The case numbers in a text such as "12, 15" (or a list), each once, in order."""
    found = _NUMBER.findall(value) if isinstance(value, str) else [str(v) for v in value or [] if isinstance(v, int)]
    return list(dict.fromkeys(int(n) for n in found))


def decisions(session, numbers: list[int], may_view: Callable[[Instance], bool]) -> tuple[list[dict], list[int]]:
    """One row per case number: its art. 41 status now. Also the cases whose scope was shown
    (for the access log)."""
    rows, shown = [], []
    for number in numbers:
        instance = session.get(Instance, number)
        if instance is None or instance.process_id != CASE_PROCESS:
            rows.append({"casus": number, "status": "niet_gevonden"})
            continue
        decision = _decision_of(instance.data or {})
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


def _decision_of(data: Mapping) -> dict:
    decision = (data.get("data_objects") or {}).get("art41_besluit")
    if isinstance(decision, dict):
        return decision
    # A case from before the shared decision (zvt_casus version 1): its main branch knows the first one.
    if data.get("informeren") == "niet_informeren" and data.get("herziening") != "nu_informeren":
        return {"actief": True, "grond": data.get("grond"), "reikwijdte": data.get("reikwijdte"),
                "herzien_op": data.get("nieuwe_herziendatum") or data.get("herzien_op")}
    return {}
