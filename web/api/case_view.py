"""A case as the API shows it: what the case page (templates/case.html) shows the same reader, read
by the same engine functions, as JSON values instead of Dutch text, and nothing more.

Each part follows the page's rule for it: the summary and every step's answers only the fields the
form asked for and the page reads back (web/forms/summary.py: not read-only, not empty; of a group
only the fields its schema names), steps without a name and gateways left out (web/dossier.py), the
items the reader may read (engine/case_items.py, each one an access-log row), who an item is shared
with only for the procesregisseur who shares and the item's own organisation.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from engine import feedback
from engine.case_items import CaseItems
from engine.casework import CasePage
from engine.identity import User
from engine.ui_schema import SUMMARY, UI_SUFFIX, ordered, per_process

from .. import dossier
from ..cases import feedback_decision
from ..forms.schema import properties_of

# What the page writes after a step of the whole case (pausing, resuming, moving, skipping a timer).
_LABELS = {"reden": "Reden", "stilgestaan_seconden": "Stilgestaan (seconden)", "van_versie": "Was versie"}
_CASE_STEP_FIELDS = {"DeadlinesPaused": ("reden",), "IncidentSkipped": ("reden",),
                     "DeadlinesResumed": ("stilgestaan_seconden",), "CaseMigrated": ("van_versie", "reden")}
_NIVEAU_FIELDS = ("moment", "niveau", "bron", "reden")


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def case_json(page: CasePage, items: CaseItems, names: Mapping[str, str], user: User, wpg_notice: str) -> dict:
    instance = page.instance
    data = instance.data or {}
    destroyed = instance.status == "destroyed"
    return {
        "number": instance.id,
        "process_id": instance.process_id,
        "process_name": page.process_name,
        "version": instance.version,
        "status": instance.status,
        "started_at": iso(instance.started_at),
        "completed_at": iso(instance.completed_at),
        "destroy_at": None if destroyed or instance.hold_reason else iso(instance.destroy_at),
        "legal_hold": None if destroyed else instance.hold_reason,
        "paused": {"since": iso(instance.paused_at), "by": instance.paused_by, "reason": instance.pause_reason}
        if instance.paused_at else None,
        "summary": _summary(instance.process_id, data, page.forms),
        "informing": _informing(page),
        "feedback": _feedback(instance.process_id, data, page.forms),
        "niveau": _niveau(data),
        "participants": [{"code": code, "name": names.get(code, code)} for code in page.participants],
        "open_tasks": [{"id": t.id, "name": t.name, "lane": t.lane, "assignee": t.assignee, "due_at": iso(t.due_at)}
                       for t in page.open_tasks],
        "steps": [_step(step) | {"answers": _step_answers(step.entry, page.forms)}
                  for step in dossier.steps(page.history, page.forms, "oudste")],
        "items": [_item(item, items, user, wpg_notice) for item in items.items],
    }


def answers(schema: Mapping | None, data: Mapping[str, Any] | None, ui: Mapping | None = None) -> list[dict]:
    """The answers the page reads back (web/forms/summary.py summarize), as values."""
    if not schema or not data:
        return []
    properties = dict(properties_of(schema))
    return [{"field": name, "label": str(properties[name].get("title") or name),
             "value": shown(properties[name], data[name])}
            for name in ordered(list(properties), ui or {})
            if name in data and data[name] is not None and not properties[name].get("readOnly")]


def shown(prop: Mapping, value: Any) -> Any:
    """The value as far as the page shows it (web/forms/render.py display_value): of a group only
    the fields its schema names; what else it holds (a code looked up for a rule) is not for reading."""
    if isinstance(value, list):
        items = items if isinstance(items := prop.get("items"), dict) else {}
        return [shown(items, v) for v in value]
    if isinstance(value, Mapping):
        props = dict(properties_of(prop))
        return {k: shown(props[k], value[k]) for k in props if k in value} if props else dict(value)
    return value


def _summary(process_id: str, data: Mapping, forms: Mapping[str, dict]) -> list[dict]:
    found = per_process(forms, process_id, SUMMARY)
    if found is None:
        return []
    form = forms.get(f"{process_id}/{found[0]}") or {}
    return answers(form, {name: data[name] for name in found[1] if name in data}, {"ui:order": found[1]})


def _informing(page: CasePage) -> dict | None:
    told = dossier.informing(page.instance.process_id, page.history, page.forms)
    if told is None:
        return None
    return {"state": told.state, "text": told.text, "recorded_at": iso(told.moment), "recorded_by": told.actor}


def _feedback(process_id: str, data: Mapping, forms: Mapping[str, dict]) -> dict | None:
    told = data.get(feedback.FEEDBACK_KEY)
    decision = feedback_decision(process_id, forms, told)
    if decision is None or not isinstance(told, dict):  # a decision comes from a dict
        return None
    return {"decision": str(decision), "explanation": _text(told.get("toelichting")),
            "advice": _text(told.get("advies")), "decided_at": _text(told.get("moment"))}


def _niveau(data: Mapping) -> dict | None:
    if "niveau" not in data and "voorgesteld_niveau" not in data:
        return None
    history = history if isinstance(history := data.get("niveau_historie"), list) else []
    return {"current": data.get("niveau"), "proposed": data.get("voorgesteld_niveau"),
            "history": [{key: entry.get(key) for key in _NIVEAU_FIELDS}
                        for entry in history if isinstance(entry, dict)]}


def _step(step: dossier.Step) -> dict:
    entry = step.entry
    return {"task_id": entry.task_id, "bpmn_id": entry.bpmn_id, "name": entry.name, "type": entry.task_type,
            "state": entry.state, "finished_at": iso(entry.finished_at), "by": step.who}


def _step_answers(entry, forms: Mapping[str, dict]) -> list[dict]:
    if entry.task_type in dossier.CASE_STEPS:
        return [{"field": key, "label": _LABELS[key], "value": entry.data[key]}
                for key in _CASE_STEP_FIELDS.get(entry.task_type, ()) if entry.data and entry.data.get(key) is not None]
    key = f"{entry.process_id}/{entry.bpmn_id}"
    return answers(forms.get(key), entry.data, forms.get(key + UI_SUFFIX))


def _item(item, items: CaseItems, user: User, wpg_notice: str) -> dict:
    consent = item.consent
    return {
        "id": item.id, "source_partner": item.source_partner, "created_at": iso(item.created_at),
        "kind": item.kind.code, "kind_label": item.kind.label, "police": item.kind.police,
        "notice": wpg_notice if item.kind.police else None, "subject": item.subject, "content": item.content,
        "consent": {"officer": consent.officer, "function": consent.function, "given_on": consent.given_on}
        if consent else None,
        "shared_with": dict(item.shared_with)
        if item.shared_with and (items.may_share or user.partner == item.source_partner) else None,
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
