"""Diagram interchange (BPMN DI) for our process files, so a modeler or bpmn-js can draw them.

Hand-written because no maintained library lays out a process with lanes: bpmn-io's
bpmn-auto-layout ignores lanes and pools, and here the lanes say who does what. The layout
is deliberately plain: one pool, horizontal lanes in laneSet order, columns by longest path
from the start, orthogonal flows that turn only in the gaps between columns and rows.

The file is edited as text rather than re-serialised by lxml, so that a diff shows only the
root's namespace declarations, the collaboration and the diagram.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import permutations
from xml.sax.saxutils import quoteattr

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)

SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}
ROW = 80          # a row is as tall as a task; events and gateways sit on its centre line
ROW_GAP = 90      # below a row: boundary events and their labels, then room for flows
TRACKS = 30       # the part of that room where flows run, clear of the labels
LANE_TOP = 50     # above a lane's first row, for flows that go over it
COL_GAP = 70      # flows turn in these gaps only, so they never cut through a column
LABEL_BAND = 30   # bpmn-js writes pool and lane names vertically in a band this wide
ORIGIN = (100, 60)


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    right = property(lambda self: self.x + self.w)
    bottom = property(lambda self: self.y + self.h)
    cx = property(lambda self: self.x + self.w / 2)
    cy = property(lambda self: self.y + self.h / 2)


def add_diagram(xml_bytes: bytes, replace: bool = False) -> bytes:
    """Return the BPMN file with a pool around its process and a laid-out BPMNDiagram.

    Raises ValueError when the file already has a diagram (unless `replace`) or is not one
    this layout handles: one executable process whose flow nodes are all in its laneSet."""
    try:
        root = etree.fromstring(xml_bytes, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"malformed XML: {exc}") from None
    if root.tag != f"{{{BPMN}}}definitions":
        raise ValueError("not a BPMN file: the root element is not bpmn:definitions")
    if root.find(f"{{{BPMNDI}}}BPMNDiagram") is not None and not replace:
        raise ValueError("the file already has a diagram (BPMNDiagram); replace it with --replace")
    processes = [p for p in root.findall(f"{{{BPMN}}}process") if p.get("isExecutable") == "true"]
    if len(processes) != 1:
        raise ValueError(f"expected one executable process, found {len(processes)}")
    process, pid = processes[0], processes[0].get("id")
    # The ids in an old diagram are free again: it goes.
    taken = set(root.xpath("//@id[not(ancestor::bpmndi:BPMNDiagram)]", namespaces={"bpmndi": BPMNDI}))
    collaboration, participant, new_collaboration = _collaboration(root, pid, taken)
    prefix = _prefixes(root)

    graph = _Graph(process)
    boxes, lane_boxes, pool = _place(graph)
    routes = _routes(graph, boxes)
    labels = {n: _boundary_label(graph, boxes, n) for n in graph.attached if graph.names[n]}
    labels.update(_flow_labels(graph, boxes, routes, labels, list(lane_boxes.values())))

    def shape(element_id, box, label=None, **flags):
        children = [_bounds(prefix, box)] + ([_element(prefix["bpmndi"], "BPMNLabel", {}, [_bounds(prefix, label)])]
                                             if label else [])
        return _element(prefix["bpmndi"], "BPMNShape",
                        {"id": _free_id(f"{element_id}_di", taken), "bpmnElement": element_id, **flags}, children)

    def edge(flow_id, points, label=None):
        children = [_element(prefix["di"], "waypoint", {"x": round(x), "y": round(y)}) for x, y in points]
        if label:
            children.append(_element(prefix["bpmndi"], "BPMNLabel", {}, [_bounds(prefix, label)]))
        return _element(prefix["bpmndi"], "BPMNEdge", {"id": _free_id(f"{flow_id}_di", taken), "bpmnElement": flow_id},
                        children)

    shapes = [shape(participant, pool, isHorizontal="true")]
    shapes += [shape(lane, box, isHorizontal="true") for lane, box in lane_boxes.items()]
    shapes += [shape(node, boxes[node], labels.get(node),
                     **({"isMarkerVisible": "true"} if tag == "exclusiveGateway" else {}))
               for node, tag in graph.tags.items()]
    shapes += [edge(fid, points, labels.get(fid)) for fid, points in routes.items()]
    diagram = _element(prefix["bpmndi"], "BPMNDiagram", {"id": _free_id(f"diagram_{pid}", taken)}, [
        _element(prefix["bpmndi"], "BPMNPlane",
                 {"id": _free_id(f"plane_{pid}", taken), "bpmnElement": collaboration}, shapes)])
    pool_xml = new_collaboration and _element(prefix["bpmn"], "collaboration", {"id": collaboration}, [_element(
        prefix["bpmn"], "participant", {"id": participant, "name": process.get("name") or pid, "processRef": pid})])
    declarations = "".join(f' xmlns:{prefix[name]}="{uri}"' for name, uri in
                           (("bpmndi", BPMNDI), ("dc", DC), ("di", DI)) if uri not in root.nsmap.values())
    result = _splice(xml_bytes, root, process, declarations, pool_xml, diagram)
    etree.fromstring(result, _PARSER)  # never hand back a file that is not well-formed
    return result


# -- the model ----------------------------------------------------------------------

class _Graph:
    """The flow nodes, lanes and sequence flows of one process, in document order.

    _place adds the grid it lays them out on: layer (the column of each node), back (flows
    that close a loop), col_x, widths and gaps (of the columns) and gutters (y of free runs)."""

    def __init__(self, process):
        self.tags, self.kinds, self.names = {}, {}, {}
        self.flows: dict[str, tuple[str, str]] = {}
        self.flow_names: dict[str, str | None] = {}
        self.attached: dict[str, str] = {}  # boundary event -> its task
        for element in process.iterchildren(f"{{{BPMN}}}*"):
            tag, eid = etree.QName(element).localname, element.get("id")
            if tag == "sequenceFlow":
                self.flows[eid] = (element.get("sourceRef"), element.get("targetRef"))
                self.flow_names[eid] = element.get("name")
            elif _kind(tag):  # data objects and the like are no flow nodes: not drawn
                self.tags[eid], self.kinds[eid], self.names[eid] = tag, _kind(tag), element.get("name")
                if tag == "boundaryEvent":
                    self.attached[eid] = element.get("attachedToRef")
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


# -- layout -------------------------------------------------------------------------

def _layers(graph: _Graph) -> tuple[dict[str, int], set[str], dict[str, int]]:
    """The column of each node, the flows that close a loop, and each node's longest way to an end."""
    out = {n: [] for n in graph.tags}
    for fid, (source, target) in graph.flows.items():
        out[source].append((fid, target))
    for boundary, host in graph.attached.items():
        out[host].append((None, boundary))  # in its task's column, so its flows come after the task
    back, state = set(), {}

    def visit(node):
        state[node] = "open"
        for fid, target in out[node]:
            if state.get(target) == "open":
                back.add(fid)
            elif target not in state:
                visit(target)
        state[node] = "done"

    for node in [n for n, tag in graph.tags.items() if tag == "startEvent"] + list(graph.tags):
        if node not in state:
            visit(node)
    forward = {n: [(fid, t) for fid, t in out[n] if fid not in back] for n in graph.tags}
    incoming = {n: 0 for n in graph.tags}
    for edges in forward.values():
        for _, target in edges:
            incoming[target] += 1
    order = [n for n in graph.tags if incoming[n] == 0]
    for node in order:  # grows while it is walked: a topological order
        for _, target in forward[node]:
            incoming[target] -= 1
            if incoming[target] == 0:
                order.append(target)
    layer, height = dict.fromkeys(graph.tags, 0), dict.fromkeys(graph.tags, 0)
    for node in order:
        for fid, target in forward[node]:
            layer[target] = max(layer[target], layer[node] + (fid is not None))
    for node in reversed(order):
        for _, target in forward[node]:
            height[node] = max(height[node], height[target] + 1)
    return layer, back, height


def _place(graph: _Graph) -> tuple[dict[str, Box], dict[str, Box], Box]:
    """Boxes for the flow nodes, the lanes and the pool."""
    layer, graph.back, height = _layers(graph)
    preds = {n: [] for n in graph.tags}
    for fid, (source, target) in graph.flows.items():
        if fid not in graph.back:
            preds[target].append(source)
    row: dict[str, int] = {}
    taken = set()
    for column in sorted(set(layer.values())):
        nodes = [n for n in graph.tags if layer[n] == column and n not in graph.attached]
        preferred = {n: _preferred_row(graph, n, preds, layer, row) for n in nodes}
        # Of the nodes that want one row, the one with the longest way to go gets it: the main line.
        for node in sorted(nodes, key=lambda n: (preferred[n], -height[n])):
            r = preferred[node]
            while (graph.lane_of[node], column, r) in taken:
                r += 1
            row[node] = r
            taken.add((graph.lane_of[node], column, r))

    columns = max(layer.values()) + 1
    widths = [max([SIZES[graph.kinds[n]][0] for n in row if layer[n] == c] or [0]) for c in range(columns)]
    # Flows turn in the left COL_GAP of a gap; a named flow from the column before gets room
    # for its label after that.
    gaps = [COL_GAP] * columns
    for fid, (source, target) in graph.flows.items():
        if graph.flow_names[fid] and layer[target] == layer[graph.attached.get(source, source)] + 1:
            gaps[layer[target]] = max(gaps[layer[target]], COL_GAP + _label_size(graph.flow_names[fid])[0] + 10)
    graph.col_x, left = [], ORIGIN[0] + 2 * LABEL_BAND
    for gap, width in zip(gaps, widths):
        graph.col_x.append(left + gap)
        left += gap + width
    graph.widths, graph.layer, graph.gaps = widths, layer, gaps
    lane_width = left + COL_GAP - ORIGIN[0] - LABEL_BAND

    boxes, lane_boxes, graph.gutters = {}, {}, []
    y = ORIGIN[1]
    for lane, members in graph.lanes.items():
        rows = max([row[n] + 1 for n in members if n in row] or [1])
        lane_boxes[lane] = Box(ORIGIN[0] + LABEL_BAND, y, lane_width, LANE_TOP + rows * (ROW + ROW_GAP))
        for n in (n for n in members if n in row):
            (w, h), c = SIZES[graph.kinds[n]], layer[n]
            cy = y + LANE_TOP + row[n] * (ROW + ROW_GAP) + ROW / 2
            boxes[n] = Box(graph.col_x[c] + (widths[c] - w) / 2, cy - h / 2, w, h)
        graph.gutters.append(y + LANE_TOP / 2)
        graph.gutters += [y + LANE_TOP + r * (ROW + ROW_GAP) + ROW + ROW_GAP - TRACKS / 2 - 10 for r in range(rows)]
        y += lane_boxes[lane].h
    for host in dict.fromkeys(graph.attached.values()):
        events = [b for b in graph.attached if graph.attached[b] == host]
        for i, event in enumerate(events):
            cx = boxes[host].x + boxes[host].w * (2 * i + 1) / (2 * len(events))
            boxes[event] = Box(cx - 18, boxes[host].bottom - 18, *SIZES["event"])
    return boxes, lane_boxes, Box(ORIGIN[0], ORIGIN[1], lane_width + LABEL_BAND, y - ORIGIN[1])


def _preferred_row(graph: _Graph, node: str, preds, layer, row) -> int:
    """The row of the nearest predecessor in the same lane, so that a chain stays on one line;
    below the task for what follows a boundary event."""
    anchors = [(graph.attached.get(p, p), p in graph.attached) for p in preds[node]]
    candidates = [(-layer[a], row[a] + below) for a, below in anchors
                  if graph.lane_of[a] == graph.lane_of[node] and a in row]
    return min(candidates)[1] if candidates else 0


# -- routing ------------------------------------------------------------------------

def _routes(graph: _Graph, boxes: dict[str, Box]) -> dict[str, list[tuple[float, float]]]:
    avoid: dict[str, set] = {}
    for _ in range(3):
        routes = {fid: _route(graph, boxes, fid, avoid.get(fid, ())) for fid in graph.flows}
        _spread(graph, routes)
        clashes = _clashes(graph, boxes, routes)
        for fid, y in clashes:
            avoid.setdefault(fid, set()).add(y)
        if not clashes:
            break
    return routes


def _gap_xs(graph: _Graph, fid: str) -> tuple[float, float]:
    """Where the flow may turn: after its source's column and before its target's."""
    source, target = graph.flows[fid]
    column = graph.layer[graph.attached.get(source, source)]
    after = graph.col_x[column] + graph.widths[column] + COL_GAP / 2
    return after, graph.col_x[graph.layer[target]] - graph.gaps[graph.layer[target]] + COL_GAP / 2


def _route(graph: _Graph, boxes: dict[str, Box], fid: str, avoid=()) -> list[tuple[float, float]]:
    """Out of the source on the right (a boundary event: below), into the target on the left,
    turning only in the gaps and running only along rows or in gutters: the first such route
    that cuts through no shape."""
    source, target = graph.flows[fid]
    s, t = boxes[source], boxes[target]
    end = (t.x, t.cy)
    x_after, x_before = _gap_xs(graph, fid)
    if fid in graph.back:  # a loop goes around below everything between its ends
        runs = [g for g in graph.gutters if g > max(s.bottom, t.bottom)]
    else:
        runs = [s.cy, t.cy] + sorted(graph.gutters, key=lambda g: (abs(g - s.cy) + abs(g - t.cy), g))
    runs = [y for y in runs if y not in avoid]
    if source in graph.attached:
        start, gutter = (s.cx, s.bottom), min(g for g in graph.gutters if g > s.bottom)
        candidates = [[start, (s.cx, y), (x_before, y), (x_before, t.cy), end] for y in runs if y > s.bottom]
        candidates += [[start, (s.cx, gutter), (x_after, gutter), (x_after, y), (x_before, y), (x_before, t.cy), end]
                       for y in runs]
    else:
        start = (s.right, s.cy)
        candidates = [[start, (x_after, s.cy), (x_after, y), (x_before, y), (x_before, t.cy), end] for y in runs]
    obstacles = [b for n, b in boxes.items() if n not in (source, target)]
    for points in map(_simplify, candidates):
        if not any(_crosses(a, b, box) for a, b in zip(points, points[1:]) for box in obstacles):
            return points
    return _simplify(candidates[-1])


def _clashes(graph: _Graph, boxes, routes) -> set[tuple[str, float]]:
    """Where a flow runs on top of an unrelated one, so that they read as one: the heights at
    which the flows involved that have a run of their own should not run.

    Two flows that swap rows in one gap run on top of each other in it whatever their order
    there; so the source's own height goes too, and the flow turns in another gap."""
    horizontals = [(fid, min(a[0], b[0]), max(a[0], b[0]), a[1])
                   for fid, points in routes.items() for a, b in zip(points, points[1:]) if a[1] == b[1]]
    clashes = set()
    for i, (f, lo, hi, y) in enumerate(horizontals):
        for g, lo2, hi2, y2 in horizontals[i + 1:]:
            if y == y2 and max(lo, lo2) < min(hi, hi2) and not set(graph.flows[f]) & set(graph.flows[g]):
                clashes |= {c for fid in (f, g) if len(set(_gap_xs(graph, fid))) == 2
                            for c in ((fid, y), (fid, boxes[graph.flows[fid][0]].cy))}
    return clashes


def _spread(graph: _Graph, routes) -> None:
    """Give flows that would run on top of each other in a gap or gutter lines of their own.

    Flows that fork from one source or merge into one target share a line, as a modeler
    draws them; the others get lines side by side, ordered to cross each other least."""
    merging = {t for t in {t for _, t in graph.flows.values()}
               if sum(other == t for _, other in graph.flows.values()) > 1}
    gutters = set(graph.gutters)
    channels: dict[float, dict] = {}  # gap middle -> key -> {"lo", "hi", "left": [y], "right": [y]}
    tracks: dict[float, dict] = {}    # gutter -> key -> [from x, to x]
    uses = {}                         # (flow, segment) -> ("x" or "y", gap middle or gutter, key)
    for fid, points in routes.items():
        source, target = graph.flows[fid]
        x_after, x_before = _gap_xs(graph, fid)
        for i, ((ax, ay), (bx, by)) in enumerate(zip(points, points[1:])):
            if ax == bx and ax in (x_after, x_before):
                if x_after == x_before:
                    key = ("in", target) if target in merging else ("out", source)
                else:
                    key = ("out", source) if ax == x_after else ("in", target)
                line = channels.setdefault(ax, {}).setdefault(key, {"lo": ay, "hi": ay, "left": [], "right": []})
                line["lo"], line["hi"] = min(line["lo"], ay, by), max(line["hi"], ay, by)
                for px, py in [points[j] for j in (i - 1, i + 2) if 0 <= j < len(points)]:
                    if px != ax:
                        line["left" if px < ax else "right"].append(py)
                uses[fid, i] = ("x", ax, key)
            elif ay == by and ay in gutters:
                span = tracks.setdefault(ay, {}).setdefault(("to", target), [min(ax, bx), max(ax, bx)])
                span[:] = [min(span[0], ax, bx), max(span[1], ax, bx)]
                uses[fid, i] = ("y", ay, ("to", target))

    place = {}
    for middle, lines in channels.items():
        order = _fewest_crossings(lines)
        for i, key in enumerate(order):
            place["x", middle, key] = middle - COL_GAP / 2 + COL_GAP * (i + 1) / (len(order) + 1)
    for gutter, spans in tracks.items():
        ends: list[float] = []  # per track, where the last run on it ends
        track = {}
        for key, (lo, hi) in sorted(spans.items(), key=lambda item: item[1]):
            track[key] = next((n for n, end in enumerate(ends) if end < lo - 10), len(ends))
            ends[track[key]:track[key] + 1] = [hi]
        for key, n in track.items():
            place["y", gutter, key] = gutter - TRACKS / 2 + TRACKS * (n + 1) / (len(ends) + 1)
    for (fid, i), (axis, line, key) in uses.items():
        points = routes[fid]
        for j in (i, i + 1):
            x, y = points[j]
            points[j] = (place["x", line, key], y) if axis == "x" else (x, place["y", line, key])


def _fewest_crossings(lines: dict) -> list:
    """The left-to-right order of a gap's vertical lines with the fewest crossings."""
    def cost(a, b):  # a left of b: b's horizontals to the left and a's to the right cross,
        # and where both are at one height they run on top of each other: far worse
        return (sum(lines[a]["lo"] < y < lines[a]["hi"] for y in lines[b]["left"])
                + sum(lines[b]["lo"] < y < lines[b]["hi"] for y in lines[a]["right"])
                + 10 * len(set(lines[a]["right"]) & set(lines[b]["left"])))
    keys = sorted(lines, key=str)
    if len(keys) > 6:
        return keys
    return min(permutations(keys), key=lambda order: sum(cost(a, b) for i, a in enumerate(order) for b in order[i + 1:]))


def _simplify(points):
    """Without repeated points and without points in the middle of a straight stretch."""
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    return [p for i, p in enumerate(points) if i in (0, len(points) - 1)
            or not (points[i - 1][0] == p[0] == points[i + 1][0] or points[i - 1][1] == p[1] == points[i + 1][1])]


def _crosses(a, b, box: Box, margin: float = 8) -> bool:
    (x1, y1), (x2, y2) = a, b
    return (min(x1, x2) < box.right + margin and max(x1, x2) > box.x - margin
            and min(y1, y2) < box.bottom + margin and max(y1, y2) > box.y - margin)


# -- labels -------------------------------------------------------------------------

def _label_size(name: str, width: int = 90) -> tuple[int, int]:
    """About what bpmn-js needs: it wraps at 90px, and 11px text is about 5.5px a character."""
    if len(name) * 5.5 <= width:
        return round(len(name) * 5.5) + 6, 14
    return width, 14 * math.ceil(len(name) * 5.5 / width)


def _boundary_label(graph: _Graph, boxes: dict[str, Box], node: str) -> Box:
    """Beside the flow that leaves the event downwards, not under the event where bpmn-js
    would put it and the flow would cross it out; the last event on a task: on the right."""
    box, (width, height) = boxes[node], _label_size(graph.names[node], 80)
    last = [b for b in graph.attached if graph.attached[b] == graph.attached[node]][-1] == node
    return Box(box.cx + 4 if last else box.cx - 4 - width, box.bottom + 2, width, height)


def _flow_labels(graph: _Graph, boxes, routes, taken: dict, lanes: list[Box]) -> dict[str, Box]:
    """Each named flow's label above one of its horizontal stretches, as near its source as it
    fits without covering a shape, a line or another label. Where nothing fits it gets no
    bounds, and bpmn-js puts it in the middle of the flow."""
    obstacles = list(boxes.values()) + list(taken.values())
    for node, box in boxes.items():  # where bpmn-js puts the names of events and gateways
        if graph.names[node] and graph.kinds[node] != "task" and node not in graph.attached:
            width, height = _label_size(graph.names[node])
            obstacles.append(Box(box.cx - width / 2, box.bottom + 3, width, height))
    lines = [(a, b) for points in routes.values() for a, b in zip(points, points[1:])]
    labels = {}
    for fid, points in routes.items():
        if not graph.flow_names[fid]:
            continue
        width, height = _label_size(graph.flow_names[fid])
        siblings = [(min(a[0], b[0]), max(a[0], b[0]), a[1]) for other, (s, _) in graph.flows.items()
                    if s == graph.flows[fid][0] and other != fid
                    for a, b in zip(routes[other], routes[other][1:]) if a[1] == b[1]]
        for (ax, ay), (bx, by) in zip(points, points[1:]):
            left, right = min(ax, bx), max(ax, bx)
            for lo, hi, y in siblings:  # not over a stretch a sibling shares: it would name both
                if y == ay and lo < right and left < hi:
                    left, right = (max(left, hi), right) if lo <= left else (left, min(right, lo))
            if ay != by or right - left < 10:
                continue
            for x in (left + 6, (left + right - width) / 2, right - 6 - width):
                box = Box(x, ay - 3 - height, width, height)
                if (any(lane.x + LABEL_BAND < box.x and box.right < lane.right and lane.y < box.y and ay < lane.bottom
                        for lane in lanes)
                        and not any(_overlaps(box, o) for o in obstacles)
                        and not any(_crosses(a, b, box, 1) for a, b in lines)):
                    labels[fid] = box
                    obstacles.append(box)
                    break
            if fid in labels:
                break
    return labels


def _overlaps(a: Box, b: Box) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


# -- writing ------------------------------------------------------------------------

def _collaboration(root, pid: str, taken: set) -> tuple[str, str, bool]:
    """The collaboration and participant the pool is drawn for; True when they are new."""
    collaborations = root.findall(f"{{{BPMN}}}collaboration")
    for participant in root.iterfind(f"{{{BPMN}}}collaboration/{{{BPMN}}}participant"):
        if participant.get("processRef") == pid:
            return participant.getparent().get("id"), participant.get("id"), False
    if collaborations:
        raise ValueError(f"the file has a collaboration without a participant for process '{pid}'")
    return _free_id(f"collaboration_{pid}", taken), _free_id(f"participant_{pid}", taken), True


def _prefixes(root) -> dict[str, str]:
    """The file's own prefixes for the namespaces written, or the usual ones where it has none."""
    by_uri = {uri: prefix or "" for prefix, uri in root.nsmap.items()}
    prefixes = {}
    for name, uri in (("bpmn", BPMN), ("bpmndi", BPMNDI), ("dc", DC), ("di", DI)):
        if uri not in by_uri and name in root.nsmap:
            raise ValueError(f"the prefix '{name}' is bound to {root.nsmap[name]}, not to {uri}")
        prefixes[name] = by_uri.get(uri, name)
    return prefixes


# The markup of an XML document, one construct a match; a tag's quoted attribute values may hold '>'.
_MARKUP = re.compile(r"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?]]>|<!|</?[^\s>/]+(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S)


def _splice(xml_bytes: bytes, root, process, declarations: str, pool_xml, diagram: str) -> bytes:
    """The file's own text with the declarations, the pool and the diagram put in, and any old
    diagram taken out. lxml reports no offsets, so a scan of the markup finds the places."""
    bom = b"\xef\xbb\xbf" if xml_bytes.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = xml_bytes[len(bom):].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8: {exc}") from None
    depth, spans, root_end = 0, [], None  # spans: (start, end) of each element in the root
    for match in _MARKUP.finditer(text):
        markup = match.group()
        if markup == "<!":
            raise ValueError("files with a DOCTYPE are not supported")
        if markup.startswith(("<!--", "<?", "<![")):
            continue
        if markup.startswith("</"):
            depth -= 1
            if depth == 1:
                spans[-1] = (spans[-1][0], match.end())
            continue
        if depth == 0:
            root_end = match.end()
        elif depth == 1:
            spans.append((match.start(), match.end()))
        depth += not markup.endswith("/>")
    children = [c for c in root if isinstance(c.tag, str)]
    if len(children) != len(spans):
        raise ValueError("could not find the elements of the file in its text")
    at = dict(zip(children, spans))
    newline = "\r\n" if "\r\n" in text else "\n"
    line_start = text.rfind("\n", 0, at[process][0]) + 1
    indent = text[line_start:at[process][0]] if not text[line_start:at[process][0]].strip() else "  "

    def indented(xml: str) -> str:
        return (newline + indent).join(xml.split("\n"))

    insert_at = len(text[:root_end - 1].rstrip())  # the declarations go after the last attribute
    edits = [(insert_at, insert_at, declarations)]
    if pool_xml:
        edits.append((at[process][0], at[process][0], indented(pool_xml) + newline + indent))
    for child in children:
        if child.tag == f"{{{BPMNDI}}}BPMNDiagram":
            start, end = at[child]
            edits.append((len(text[:start].rstrip()), end, ""))
    # BPMN's schema wants diagrams after the process and before any bpmn:relationship.
    last = [c for c in children if etree.QName(c).localname not in ("BPMNDiagram", "relationship")][-1]
    edits.append((at[last][1], at[last][1], newline + indent + indented(diagram)))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return bom + text.encode("utf-8")


def _free_id(wanted: str, taken: set) -> str:
    candidate, n = wanted, 1
    while candidate in taken:
        n += 1
        candidate = f"{wanted}_{n}"
    taken.add(candidate)
    return candidate


def _element(prefix: str, name: str, attributes: dict, children: list[str] = ()) -> str:
    tag = f"{prefix}:{name}" if prefix else name
    attrs = "".join(f" {k}={quoteattr(str(v))}" for k, v in attributes.items())
    if not children:
        return f"<{tag}{attrs} />"
    inner = "\n".join("  " + line for child in children for line in child.split("\n"))
    return f"<{tag}{attrs}>\n{inner}\n</{tag}>"


def _bounds(prefix: dict, box: Box) -> str:
    return _element(prefix["dc"], "Bounds", {"x": round(box.x), "y": round(box.y),
                                            "width": round(box.w), "height": round(box.h)})
