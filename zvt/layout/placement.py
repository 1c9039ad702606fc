"""Rows and lanes: where each shape goes."""
from __future__ import annotations

import math

from .columns import fits, fold, layers, side_paths
from .geometry import (
    COL_GAP,
    DATA_ROOM,
    LABEL_BAND,
    LANE_TOP,
    MARGIN_STEP,
    ORIGIN,
    ROW,
    ROW_GAP,
    SIZES,
    TOP_ROOM,
    TRACKS,
    Box,
)
from .graph import Graph
from .text import label_size, task_width


def place(graph: Graph, side_band: bool = False, timers_up: bool = False) -> tuple[dict[str, Box], dict[str, Box], Box]:
    """Boxes for the flow nodes, the lanes and the pool; with side_band, what follows a timer
    starts a band of its own below the main path, when that folds; with timers_up, the timers
    on the tasks of a lane's first row sit on their top border, to go round above the row."""
    layer, graph.back, height = layers(graph)
    graph.sizes = {n: (task_width(graph.names[n], ROW), ROW) if graph.kinds[n] == "task" else SIZES[graph.kinds[n]]
                   for n in graph.tags}
    graph.side = side_paths(graph, layer, graph.back)
    layer, per_band, grid_widths, grid_gaps = _grid(graph, layer, graph.side if side_band else {})
    columns = max(layer.values()) + 1
    band = {n: layer[n] // per_band for n in graph.tags}
    grid_x, left = [], ORIGIN[0] + 2 * LABEL_BAND
    for gap, width in zip(grid_gaps, grid_widths):
        grid_x.append(left + gap)
        left += gap + width
    graph.layer = layer
    graph.col_x = [grid_x[c % per_band] for c in range(columns)]
    graph.widths = [grid_widths[c % per_band] for c in range(columns)]
    graph.gaps = [grid_gaps[c % per_band] for c in range(columns)]
    # Right of the last column, a margin with a line of its own for each flow from a boundary event.
    graph.timed = timed = [fid for fid, (source, _) in graph.flows.items() if source in graph.attached]
    graph.margin_x = [left + COL_GAP + MARGIN_STEP * (i + 1) for i in range(len(timed))] or [left + COL_GAP]
    lane_width = left + COL_GAP + MARGIN_STEP * (len(timed) + 1) * bool(timed) - ORIGIN[0] - LABEL_BAND

    row = _rows(graph, layer, band, height)
    lane_index = {lane: i for i, lane in enumerate(graph.lanes)}
    # From top to bottom: lane, then band, then row; a timer whose flow goes up sits on its
    # task's top border and leaves upwards, so that it does not cross the flows of its row.
    order = {n: (lane_index[graph.lane_of[n]], band[n], row[n]) for n in row}
    graph.top = {e for e, host in graph.attached.items()
                 if any(order[t] < order[host] for s, t in graph.flows.values() if s == e and t in order)
                 or (timers_up and (band[host], row[host]) == (0, 0))}
    boxes, lane_boxes, graph.gutters = {}, {}, []
    y = ORIGIN[1]
    for lane, members in graph.lanes.items():
        placed = [n for n in members if n in row]
        rows = sorted({(band[n], row[n]) for n in placed}) or [(0, 0)]
        lines = sorted({(b, r) for b in range(max(b for b, _ in rows) + 1)
                        for r in range(max([r + 1 for b2, r in rows if b2 == b] or [0]))})
        graph.gutters.append(y + LANE_TOP / 2)
        top, row_y = y + LANE_TOP, {}
        for line in lines:
            hosts = [graph.attached[e] for e in graph.top]
            readers = [task for task, _, _ in graph.associations.values()]
            top += max([TOP_ROOM * any((band[h], row[h]) == line and graph.lane_of[h] == lane for h in hosts),
                        DATA_ROOM * any((band[h], row[h]) == line and graph.lane_of[h] == lane for h in readers)])
            row_y[line] = top
            graph.gutters.append(top + ROW + ROW_GAP - TRACKS / 2 - 10)
            top += ROW + ROW_GAP
        lane_boxes[lane] = Box(ORIGIN[0] + LABEL_BAND, y, lane_width, top - y)
        for n in placed:
            (w, h), c = graph.sizes[n], layer[n]
            cy = row_y[band[n], row[n]] + ROW / 2
            boxes[n] = Box(graph.col_x[c] + (graph.widths[c] - w) / 2, cy - h / 2, w, h)
        y = top
    for host in dict.fromkeys(graph.attached.values()):
        events = [b for b in graph.attached if graph.attached[b] == host]
        for i, event in enumerate(events):
            cx = boxes[host].x + boxes[host].w * (2 * i + 1) / (2 * len(events))
            cy = boxes[host].y if event in graph.top else boxes[host].bottom
            boxes[event] = Box(cx - 18, cy - 18, *SIZES["event"])
    _place_data(graph, boxes)
    return boxes, lane_boxes, Box(ORIGIN[0], ORIGIN[1], lane_width + LABEL_BAND, y - ORIGIN[1])


def _grid(graph: Graph, layer: dict[str, int], side: dict[str, int]):
    """The columns, folded into the fewest bands that fit in MAX_WIDTH; when the main path
    folds, the side nodes start a band of their own below it, at the left."""
    main_columns = max(layer[n] for n in graph.tags if n not in side) + 1 if len(side) < len(graph.tags) else 1
    for bands in range(1, main_columns + 1):
        per_band = math.ceil(main_columns / bands)
        start = math.ceil(main_columns / per_band) * per_band
        trial = {n: start + side[n] if n in side and bands > 1 else layer[n] for n in graph.tags}
        grid_widths, grid_gaps = fold(*_columns(graph, trial), per_band)
        if fits(grid_widths, grid_gaps):
            return trial, per_band, grid_widths, grid_gaps
    columns = max(layer.values()) + 1
    return layer, columns, *fold(*_columns(graph, layer), columns)


def _columns(graph: Graph, layer: dict[str, int]) -> tuple[list[float], list[float]]:
    """The width of each column and the gap before it."""
    columns = max(layer.values()) + 1
    widths = [max([graph.sizes[n][0] for n in graph.tags if layer[n] == c and n not in graph.attached] or [0])
              for c in range(columns)]
    # Flows turn in the left COL_GAP of a gap; a named flow from the column before gets room
    # for its label after that.
    gaps: list[float] = [COL_GAP] * columns
    for fid, (source, target) in graph.flows.items():
        if graph.flow_names[fid] and layer[target] == layer[graph.attached.get(source, source)] + 1:
            gaps[layer[target]] = max(gaps[layer[target]], COL_GAP + label_size(graph.flow_names[fid] or "")[0] + 10)
    return widths, gaps


def _place_data(graph: Graph, boxes: dict[str, Box]) -> None:
    """Data objects above the first task that uses them, side by side, in the room left for
    them above its row: below it run the timers' flows, beside it the flows in the gaps."""
    graph.data_boxes = {}
    by_task: dict[str, list[str]] = {}
    for task, ref, _ in graph.associations.values():
        if ref not in sum(by_task.values(), []):
            by_task.setdefault(task, []).append(ref)
    for task, refs in by_task.items():
        host = boxes[task]
        for i, ref in enumerate(refs):
            cx = host.cx + (i - (len(refs) - 1) / 2) * 46
            graph.data_boxes[ref] = Box(cx - 18, host.y - DATA_ROOM + 10, 36, 50)


def _rows(graph: Graph, layer, band, height) -> dict[str, int]:
    """The row of each node within its lane and band."""
    preds: dict[str, list[str]] = {n: [] for n in graph.tags}
    for fid, (source, target) in graph.flows.items():
        if fid not in graph.back:
            preds[target].append(source)
    row: dict[str, int] = {}
    taken = set()
    for column in sorted(set(layer.values())):
        nodes = [n for n in graph.tags if layer[n] == column and n not in graph.attached]
        preferred = {n: _preferred_row(graph, n, preds, layer, band, row) for n in nodes}
        # Of the nodes that want one row, the one with the longest way to go gets it: the main line.
        for node in sorted(nodes, key=lambda n: (preferred[n], -height[n])):
            r = preferred[node]
            while (graph.lane_of[node], column, r) in taken:
                r += 1
            row[node] = r
            taken.add((graph.lane_of[node], column, r))
    return row


def _preferred_row(graph: Graph, node: str, preds, layer, band, row) -> int:
    """The row of the nearest predecessor in the same lane and band, so that a chain stays on
    one line; below the task for what follows a boundary event."""
    anchors = [(graph.attached.get(p, p), p in graph.attached) for p in preds[node]]
    candidates = [(-layer[a], row[a] + below) for a, below in anchors
                  if graph.lane_of[a] == graph.lane_of[node] and band[a] == band[node] and a in row]
    return min(candidates)[1] if candidates else 0
