"""Columns, rows and lanes: where each shape goes."""
from __future__ import annotations

from .geometry import COL_GAP, LABEL_BAND, LANE_TOP, ORIGIN, ROW, ROW_GAP, SIZES, TRACKS, Box
from .graph import Graph
from .text import label_size, task_width


def _layers(graph: Graph) -> tuple[dict[str, int], set[str], dict[str, int]]:
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



def place(graph: Graph) -> tuple[dict[str, Box], dict[str, Box], Box]:
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

    graph.sizes = {n: (task_width(graph.names[n], ROW), ROW) if graph.kinds[n] == "task" else SIZES[graph.kinds[n]]
                   for n in graph.tags}
    columns = max(layer.values()) + 1
    widths = [max([graph.sizes[n][0] for n in row if layer[n] == c] or [0]) for c in range(columns)]
    # Flows turn in the left COL_GAP of a gap; a named flow from the column before gets room
    # for its label after that.
    gaps = [COL_GAP] * columns
    for fid, (source, target) in graph.flows.items():
        if graph.flow_names[fid] and layer[target] == layer[graph.attached.get(source, source)] + 1:
            gaps[layer[target]] = max(gaps[layer[target]], COL_GAP + label_size(graph.flow_names[fid])[0] + 10)
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
            (w, h), c = graph.sizes[n], layer[n]
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


def _preferred_row(graph: Graph, node: str, preds, layer, row) -> int:
    """The row of the nearest predecessor in the same lane, so that a chain stays on one line;
    below the task for what follows a boundary event."""
    anchors = [(graph.attached.get(p, p), p in graph.attached) for p in preds[node]]
    candidates = [(-layer[a], row[a] + below) for a, below in anchors
                  if graph.lane_of[a] == graph.lane_of[node] and a in row]
    return min(candidates)[1] if candidates else 0
