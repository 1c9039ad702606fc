"""Where the names of events, gateways and sequence flows go."""
from __future__ import annotations

from .geometry import LABEL_BAND, Box, crosses, overlaps
from .graph import Graph
from .text import label_size


def node_label(graph: Graph, boxes: dict[str, Box], node: str) -> Box:
    """Under the event or gateway, where bpmn-js puts it, but as wide as its longest word:
    without bounds bpmn-js wraps it at 90px and cuts a longer word."""
    box, (width, height) = boxes[node], label_size(graph.names[node] or "")
    return Box(box.cx - width / 2, box.bottom + 3, width, height)


def boundary_label(graph: Graph, boxes: dict[str, Box], node: str) -> Box:
    """Beside the flow that leaves the event downwards, not under the event where bpmn-js
    would put it and the flow would cross it out; the last event on a task: on the right."""
    box, (width, height) = boxes[node], label_size(graph.names[node] or "", 80)
    last = [b for b in graph.attached if graph.attached[b] == graph.attached[node]][-1] == node
    y = box.y - 2 - height if node in graph.top else box.bottom + 2
    return Box(box.cx + 4 if last else box.cx - 4 - width, y, width, height)


def flow_labels(graph: Graph, boxes, routes, taken: dict, lanes: list[Box]) -> dict[str, Box]:
    """Each named flow's label above one of its horizontal stretches, as near its source as it
    fits without covering a shape, a line or another label, and not so near another label
    that the two read as one. Where nothing fits it gets no bounds, and bpmn-js puts it in
    the middle of the flow."""
    obstacles = list(boxes.values()) + list(taken.values())
    lines = [(a, b) for points in routes.values() for a, b in zip(points, points[1:])]
    labels: dict[str, Box] = {}
    # First clear of every line; what does not fit then may lie across a line, as bpmn-js's
    # own place in the middle of the flow would, but not on a shape or another label.
    for clear in (lines, []):
        for fid, points in routes.items():
            if graph.flow_names[fid] and fid not in labels:
                box = _flow_label(graph, fid, points, routes, lanes, obstacles, clear)
                if box:
                    labels[fid] = box
                    obstacles.append(box)
    return labels


def _flow_label(graph: Graph, fid: str, points, routes, lanes: list[Box], obstacles, lines) -> Box | None:
    width, height = label_size(graph.flow_names[fid] or "")
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
                    and not any(overlaps(Box(x - 6, box.y, width + 12, height), o) for o in obstacles)
                    and not any(crosses(a, b, box, 1) for a, b in lines)):
                return box
    return None


def data_label(graph: Graph, ref: str, box: Box) -> Box | None:
    """Left of the data object (the one furthest right: right of it), clear of its lines."""
    name = graph.data[ref]
    if not name:
        return None
    width, height = label_size(name, 80)
    neighbours = [b for b in graph.data_boxes.values() if b.y == box.y and b.x > box.x and b.x - box.right < 20]
    x = box.x - 4 - width if neighbours else box.right + 4
    return Box(x, box.y + 10, width, height)


def association_points(graph: Graph, boxes: dict[str, Box], association: str) -> list[tuple[float, float]]:
    """Straight down from the data object into the task: a read on the right, a write on the left."""
    task, ref, reads = graph.associations[association]
    data, host = graph.data_boxes[ref], boxes[task]
    x = data.cx + (6 if reads else -6)
    return [(x, data.bottom), (x, host.y)] if reads else [(x, host.y), (x, data.bottom)]
