"""ZVT's own BPMN extension: what a process file says about how ZVT runs it, in a namespace of its own.

Declared as a moddle descriptor (engine/zvt_moddle.json) that the browser modeler bundles, so
bpmn-js knows the attributes: it keeps them through copy/paste and the replace menu, and its
properties panel edits them (web/modeler/zvt-properties.js). The attributes:

    <bpmn:lane zvt:rol="procesregisseur">           the role whose members do the lane's user tasks
    <bpmn:lane zvt:rol="teamleider" zvt:partner="partner_inbreuk">   ... and only those of the
                                                    partner that data field names (policy.py)
    <bpmn:userTask zvt:termijn="ap_termijn">        the task's due date, an expression (due_dates.py)
    <bpmn:boundaryEvent zvt:herinnering="true">     a reminder; without it a timer is the deadline
    <bpmn:... zvt:bericht="terugkoppeling" zvt:berichtAan="partnermedewerker"
              zvt:berichtPartner="aanmelder_partner">   who is told when the step finishes (outbox.py)
    <bpmn:businessRuleTask zvt:beslistabel="afwegingskader">   the DMN decision the step calls
    <bpmn:scriptTask zvt:actie="toegangsreview_opstellen">    engine code the step runs in its
                                                    transaction (engine/step_actions.py)

SpiffWorkflow reads none of these. `lower` rewrites a parsed file, just before SpiffWorkflow reads
it, into what it does read: `spiffworkflow:property` elements, `spiffworkflow:calledDecisionId`,
and a lane named after its role (a lane's `zvt:partner` becomes the property `partner` of each
user task in it, as SpiffWorkflow keeps nothing of a lane but its name). So the stored specs hold
the same extensions as before this namespace existed, and versions deployed then run on unchanged. Files written in that older
form (the properties as `spiffworkflow:property`) are still read; the modeler rewrites them into
this namespace when it opens them.
"""
from __future__ import annotations

import json
from pathlib import Path

from lxml import etree

DESCRIPTOR = json.loads(Path(__file__).with_name("zvt_moddle.json").read_text(encoding="utf-8"))
NAMESPACE = DESCRIPTOR["uri"]
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

# The property (as the engine names it in a spec's extensions) that each attribute becomes.
PROPERTY_OF = {"termijn": "termijn", "herinnering": "herinnering", "bericht": "bericht",
               "berichtAan": "bericht_aan", "berichtPartner": "bericht_partner", "actie": "actie"}
REMINDER_VALUE = "ja"  # what files before the namespace wrote; the engine asks only whether it is there
_LEGACY_DECISION = "calledDecisionId"
_FLOW_NODES = {"task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
               "businessRuleTask", "callActivity", "subProcess", "startEvent", "endEvent", "boundaryEvent",
               "intermediateThrowEvent", "intermediateCatchEvent", "exclusiveGateway", "parallelGateway",
               "inclusiveGateway", "eventBasedGateway", "complexGateway"}


def _allowed_on() -> dict[str, set[str]]:
    # From the descriptor, so the modeler and the engine accept the same attributes on the same elements.
    allowed: dict[str, set[str]] = {}
    for kind in DESCRIPTOR["types"]:
        tags: set[str] = set()
        for base in kind["extends"]:
            local = base.split(":", 1)[1]
            tags |= _FLOW_NODES if local == "FlowNode" else {local[0].lower() + local[1:]}
        for prop in kind["properties"]:
            allowed[prop["name"]] = tags
    return allowed


ALLOWED_ON = _allowed_on()


def _zvt(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def role_of(lane) -> str | None:
    """The role a lane stands for: its `zvt:rol`, or (files before the namespace) its name."""
    return lane.get(_zvt("rol")) or lane.get("name")


def partner_of(lane) -> str | None:
    """The data field whose partner alone does a lane's tasks (`zvt:partner`), or None."""
    return (lane.get(_zvt("partner")) or "").strip() or None


def properties(element) -> dict[str, str]:
    """ZVT's settings of one BPMN element, in the engine's names, whichever form the file uses:
    `termijn`, `herinnering`, `bericht`, `bericht_aan`, `bericht_partner`, `actie`, `beslistabel`."""
    found: dict[str, str] = {}
    for ext in element.findall(f"{{{_BPMN}}}extensionElements"):
        for child in ext.iter(f"{{{SPIFF}}}property"):
            if child.get("name"):
                found[child.get("name")] = child.get("value") or (child.text or "").strip()
        for child in ext.iter(f"{{{SPIFF}}}{_LEGACY_DECISION}"):
            found["beslistabel"] = (child.text or "").strip()
    for attribute, value in element.attrib.items():
        local = etree.QName(attribute)
        if local.namespace != NAMESPACE:
            continue
        if local.localname == "herinnering":
            if value == "true":
                found["herinnering"] = REMINDER_VALUE
            else:
                found.pop("herinnering", None)
        elif local.localname in PROPERTY_OF:
            found[PROPERTY_OF[local.localname]] = value
        elif local.localname == "beslistabel":
            found["beslistabel"] = value
    return found


def lower(tree) -> list[tuple[str | None, str]]:
    """Rewrite a parsed BPMN file in place into what SpiffWorkflow reads (see the module's text).
    Returns (element id, reason) for each attribute that cannot be deployed; the tree is then
    not fit to parse."""
    problems: list[tuple[str | None, str]] = []
    lane_partner = _lane_partners(tree)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        ours = {etree.QName(a).localname: v for a, v in element.attrib.items() if etree.QName(a).namespace == NAMESPACE}
        if element.get("id") in lane_partner and etree.QName(element).localname == "userTask":
            # Its lane's partner, as a property of the task itself (read with the others below).
            _replace_spiff_extensions(element, {**properties(element), "partner": lane_partner[element.get("id")]},
                                      None)
        if not ours:
            continue
        kind = etree.QName(element).localname
        for name, value in ours.items():
            if name not in ALLOWED_ON:
                problems.append((element.get("id"), f"unknown ZVT attribute zvt:{name}; known are: "
                                                    f"{', '.join('zvt:' + n for n in sorted(ALLOWED_ON))}"))
            elif kind not in ALLOWED_ON[name]:
                problems.append((element.get("id"), f"zvt:{name} does not belong on a {kind}"))
            elif name == "herinnering" and value not in ("true", "false"):
                problems.append((element.get("id"), 'zvt:herinnering is "true" (a reminder) or "false" (the deadline)'))
            elif name != "herinnering" and not value.strip():
                problems.append((element.get("id"), f"zvt:{name} is empty; leave it out or give it a value"))
        if problems:
            continue
        if kind == "lane":
            if "rol" in ours:
                element.set("name", ours["rol"])  # SpiffWorkflow gives a task its lane's name: the role
            continue
        wanted = properties(element)
        decision = wanted.pop("beslistabel", None)
        _replace_spiff_extensions(element, wanted, decision)
    return problems


def _lane_partners(tree) -> dict[str, str]:
    """Element id -> the data field of its lane's `zvt:partner`, for the elements of such lanes."""
    found = {}
    for lane in tree.iter(f"{{{_BPMN}}}lane"):
        partner = partner_of(lane)
        if partner:
            found.update({(ref.text or "").strip(): partner for ref in lane.findall(f"{{{_BPMN}}}flowNodeRef")})
    return found


def _replace_spiff_extensions(element, wanted: dict[str, str], decision: str | None) -> None:
    extensions = element.find(f"{{{_BPMN}}}extensionElements")
    if extensions is None:
        extensions = etree.Element(f"{{{_BPMN}}}extensionElements")
        # extensionElements follows the documentation and precedes all else (the BPMN schema checks it).
        documentation = element.findall(f"{{{_BPMN}}}documentation")
        element.insert(element.index(documentation[-1]) + 1 if documentation else 0, extensions)
    for old in [*extensions.iter(f"{{{SPIFF}}}properties"), *extensions.iter(f"{{{SPIFF}}}{_LEGACY_DECISION}")]:
        old.getparent().remove(old)
    if wanted:
        container = etree.SubElement(extensions, f"{{{SPIFF}}}properties")
        for name, value in sorted(wanted.items()):
            etree.SubElement(container, f"{{{SPIFF}}}property", name=name, value=value)
    if decision is not None:
        etree.SubElement(extensions, f"{{{SPIFF}}}{_LEGACY_DECISION}").text = decision
