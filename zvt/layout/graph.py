"""The part of a process the layout draws: flow nodes, lanes and sequence flows."""
from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from .geometry import Box

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"


class Graph:
    """The flow nodes, lanes and sequence flows of one process, in document order.

    place adds the grid it lays them out on: layer (the column of each node), back (flows
    that close a loop), col_x, widths and gaps (of the columns), gutters (y of free runs) and side (the nodes only a timer leads to)."""

    # What place (placement.py) adds.
    sizes: dict[str, tuple[float, float]]
    layer: dict[str, int]
    back: set[str | None]  # None: a boundary event's tie to its task, when a loop closes through it
    side: dict[str, int]
    col_x: list[float]
    widths: list[float]
    gaps: list[float]
    timed: list[str]
    margin_x: list[float]
    top: set[str]
    gutters: list[float]
    data_boxes: dict[str, Box]

    def __init__(self, process):
        self.tags: dict[str, str] = {}
        self.kinds: dict[str, str] = {}
        self.names: dict[str, str | None] = {}
        self.flows: dict[str, tuple[str, str]] = {}
        self.flow_names: dict[str, str | None] = {}
        self.attached: dict[str, str] = {}  # boundary event -> its task
        self.data: dict[str, str | None] = {}  # data object and data store references
        self.associations: dict[str, tuple[str, str, bool]] = {}  # -> task, data, whether the task reads it
        for element in process.iterchildren(f"{{{BPMN}}}*"):
            tag, eid = etree.QName(element).localname, element.get("id")
            if tag == "sequenceFlow":
                self.flows[eid] = (element.get("sourceRef"), element.get("targetRef"))
                self.flow_names[eid] = element.get("name")
            elif tag in ("dataObjectReference", "dataStoreReference"):
                self.data[eid] = element.get("name")
            elif kind := _kind(tag):
                self.tags[eid], self.kinds[eid], self.names[eid] = tag, kind, element.get("name")
                if tag == "boundaryEvent":
                    self.attached[eid] = element.get("attachedToRef")
        # A task reads (input) or writes (output) a data object: drawn as a line between them.
        for task in self.tags:
            element = process.find(f"{{{BPMN}}}*[@id='{task}']")
            for association in element.iterchildren(f"{{{BPMN}}}dataInputAssociation",
                                                    f"{{{BPMN}}}dataOutputAssociation"):
                reads = etree.QName(association).localname == "dataInputAssociation"
                ref = association.findtext(f"{{{BPMN}}}{'sourceRef' if reads else 'targetRef'}", "").strip()
                if ref in self.data:
                    self.associations[association.get("id")] = (task, ref, reads)
        lane_sets = process.findall(f"{{{BPMN}}}laneSet")
        if len(lane_sets) != 1:
            raise ValueError(f"process '{process.get('id')}' needs exactly one laneSet, it has {len(lane_sets)}")
        self.lanes: dict[str, list[str]] = {}
        self.lane_of: dict[str, str] = {}
        for lane in lane_sets[0].findall(f"{{{BPMN}}}lane"):
            if lane.find(f"{{{BPMN}}}childLaneSet") is not None:
                raise ValueError(f"lane '{lane.get('id')}' has lanes of its own, which this layout does not draw")
            self.lanes[lane.get("id")] = [ref.text.strip() for ref in lane.findall(f"{{{BPMN}}}flowNodeRef")]
            self.lane_of.update(dict.fromkeys(self.lanes[lane.get("id")], lane.get("id")))
        if laneless := [n for n in self.tags if n not in self.lane_of]:
            raise ValueError(f"flow nodes in no lane: {', '.join(laneless)}")
        if dangling := [f for f, ends in self.flows.items() if not all(end in self.tags for end in ends)]:
            raise ValueError(f"sequence flows from or to no flow node: {', '.join(dangling)}")


def _kind(tag: str) -> str | None:
    if tag.endswith("Task") or tag in ("task", "callActivity", "subProcess", "transaction"):
        return "task"
    return "event" if tag.endswith("Event") else "gateway" if tag.endswith("Gateway") else None
