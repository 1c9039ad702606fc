"""What changed between two versions of a process, element by element, for the proceseigenaar.

A version is its files (BPMN and DMN sources) and its forms, as deploy stores them. The BPMN is
read with lxml (no entities, no network, as deploy reads it) into the elements that decide how a
case runs: per element its kind, name, lane (the role that may do it), script, condition, timer,
documentation, the element it is attached to, and ZVT's settings (engine/zvt_namespace.py:
termijn, herinnering, bericht*, the DMN it calls), read alike from either form a file may use. Elements are matched by BPMN id, so a renamed task is
"changed", a task with a new id is "removed" and "added": an id is what running cases point at.

Moving a task to another lane is said apart from other changes: it changes who may do the task.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from . import zvt_namespace

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_SKIP = {"laneSet", "extensionElements", "documentation", "incoming", "outgoing", "script",
         "conditionExpression", "ioSpecification", "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
         "dataInputAssociation", "dataOutputAssociation", "property"}
# What a change to an aspect is called on the page (Dutch: the proceseigenaar reads it).
ASPECTS = {
    "kind": "soort", "name": "naam", "lane": "rol (lane)", "script": "script", "condition": "voorwaarde",
    "timer": "timer", "documentation": "beschrijving", "attached_to": "vastgemaakt aan", "flow": "pijl",
    "properties": "eigenschappen",
}


@dataclass(frozen=True)
class Element:
    process_id: str
    id: str
    kind: str  # the BPMN element's local name: userTask, boundaryEvent, sequenceFlow, ...
    name: str
    aspects: dict = field(default_factory=dict, compare=False)  # aspect -> comparable value


@dataclass(frozen=True)
class Changed:
    element: Element  # as in the newer version
    aspects: list[tuple[str, object, object]]  # (aspect, before, after)

    @property
    def moved_lane(self) -> bool:
        return any(aspect == "lane" for aspect, _before, _after in self.aspects)


@dataclass(frozen=True)
class Comparison:
    added: list[Element]
    removed: list[Element]
    changed: list[Changed]
    forms_added: list[str]  # "<process_id>/<task_id>"
    forms_removed: list[str]
    forms_changed: list[str]
    other_files: list[str]  # DMN and other files whose text differs

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.forms_added or self.forms_removed
                    or self.forms_changed or self.other_files)


def elements(files: Mapping[str, str]) -> dict[tuple[str, str], Element]:
    """Every element with an id of every process in the BPMN files, by (process id, element id)."""
    found: dict[tuple[str, str], Element] = {}
    for name, text in sorted(files.items()):
        if not name.endswith(".bpmn"):
            continue
        root = etree.fromstring(text.encode("utf-8"), _PARSER)
        for process in root.iter(f"{{{_BPMN}}}process"):
            lanes = {ref.text.strip(): (zvt_namespace.role_of(lane) or lane.get("id"), zvt_namespace.partner_of(lane))
                     for lane in process.iter(f"{{{_BPMN}}}lane")
                     for ref in lane.findall(f"{{{_BPMN}}}flowNodeRef") if ref.text}
            process_id = process.get("id", "")
            for element in process.iter():
                if not isinstance(element.tag, str) or element is process:
                    continue
                kind = etree.QName(element).localname
                if etree.QName(element).namespace != _BPMN or kind in _SKIP or kind.endswith("EventDefinition") \
                        or kind in ("lane", "flowNodeRef", "timeDate", "timeDuration", "timeCycle") \
                        or not (element_id := element.get("id")):
                    continue
                found[(process_id, element_id)] = Element(
                    process_id, element_id, kind, element.get("name") or "",
                    _aspects(element, kind, *lanes.get(element_id, (None, None))))
    return found


def _aspects(element, kind: str, lane: str | None, lane_partner: str | None) -> dict:
    def text(path: str) -> str | None:
        found = element.find(path, {"bpmn": _BPMN})
        return (found.text or "").strip() if found is not None else None

    timer = element.find(f"{{{_BPMN}}}timerEventDefinition")
    timer_text = None
    if timer is not None:
        timer_text = " ".join(f"{etree.QName(c).localname}: {(c.text or '').strip()}"
                              for c in timer if isinstance(c.tag, str))
    properties = zvt_namespace.properties(element)
    # A lane bound to a partner (zvt:partner; in older files the user tasks' property `partner`) is
    # part of who may do a user task: a change of it is a move to another lane.
    partner = properties.pop("partner", None) or (lane_partner if kind == "userTask" else None)
    if lane is not None and partner:
        lane = f"{lane} (partner uit {partner})"
    aspects = {
        "kind": kind, "name": element.get("name") or "", "lane": lane, "script": text("bpmn:script"),
        "condition": text("bpmn:conditionExpression"), "timer": timer_text,
        "documentation": text("bpmn:documentation"), "attached_to": element.get("attachedToRef"),
        "properties": properties or None,
    }
    if kind == "sequenceFlow":
        aspects["flow"] = f"{element.get('sourceRef')} → {element.get('targetRef')}"
    return {k: v for k, v in aspects.items() if v is not None}


def compare(old_files: Mapping[str, str], old_forms: Mapping[str, dict],
            new_files: Mapping[str, str], new_forms: Mapping[str, dict]) -> Comparison:
    """What the newer version (files and forms) adds, removes and changes against the older."""
    before, after = elements(old_files), elements(new_files)
    changed = []
    for key in sorted(before.keys() & after.keys()):
        old, new = before[key].aspects, after[key].aspects
        differences = [(aspect, old.get(aspect), new.get(aspect)) for aspect in ASPECTS
                       if old.get(aspect) != new.get(aspect)]
        if differences:
            changed.append(Changed(after[key], differences))
    forms_before, forms_after = _canonical(old_forms), _canonical(new_forms)
    other = sorted(name for name in old_files.keys() | new_files.keys()
                   if not name.endswith(".bpmn") and old_files.get(name) != new_files.get(name))
    return Comparison(
        added=[after[k] for k in sorted(after.keys() - before.keys())],
        removed=[before[k] for k in sorted(before.keys() - after.keys())],
        changed=changed,
        forms_added=sorted(forms_after.keys() - forms_before.keys()),
        forms_removed=sorted(forms_before.keys() - forms_after.keys()),
        forms_changed=sorted(k for k in forms_before.keys() & forms_after.keys() if forms_before[k] != forms_after[k]),
        other_files=other,
    )


def _canonical(forms: Mapping[str, dict]) -> dict[str, str]:
    return {key: json.dumps(value, sort_keys=True, ensure_ascii=False) for key, value in forms.items()}
