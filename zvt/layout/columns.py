"""Columns: which column each node goes in, and how the columns fold into bands."""
from __future__ import annotations

import math

from .geometry import COL_GAP, LABEL_BAND, MAX_WIDTH
from .graph import Graph


def layers(graph: Graph) -> tuple[dict[str, int], set[str], dict[str, int]]:
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


def fold(widths: list[float], gaps: list[float]) -> tuple[int, list[float], list[float]]:
    """How many columns go in a band, and the width and gap before each column of a band.

    A long process laid out in one row is thousands of pixels wide, too wide to read or
    print; so the columns are cut into bands of equal count, stacked in each lane, the
    second band's rows below the first's. The bands share one grid of columns, as wide as
    the widest column in that place: then the gaps, where flows turn, are free of shapes
    from top to bottom, and a flow from one band to the next runs back along a gutter and
    down a gap like any other. The fewest bands whose grid fits in MAX_WIDTH."""
    columns = len(widths)
    for bands in range(1, columns + 1):
        per_band = math.ceil(columns / bands)
        grid_widths = [max(widths[c::per_band]) for c in range(per_band)]
        grid_gaps = [max(gaps[c::per_band]) for c in range(per_band)]
        if 2 * LABEL_BAND + sum(grid_widths) + sum(grid_gaps) + COL_GAP <= MAX_WIDTH:
            return per_band, grid_widths, grid_gaps
    return 1, [max(widths)], [max(gaps)]
