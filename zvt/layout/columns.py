"""Columns: which column each node goes in, and how the columns fold into bands."""
from __future__ import annotations

from .geometry import COL_GAP, LABEL_BAND, MAX_WIDTH
from .graph import Graph


def layers(graph: Graph) -> tuple[dict[str, int], set[str | None], dict[str, int]]:
    """The column of each node, the flows that close a loop, and each node's longest way to an end."""
    out: dict[str, list[tuple[str | None, str]]] = {n: [] for n in graph.tags}
    for fid, (source, target) in graph.flows.items():
        out[source].append((fid, target))
    for boundary, host in graph.attached.items():
        out[host].append((None, boundary))  # in its task's column, so its flows come after the task
    back: set[str | None] = set()
    state: dict[str, str] = {}

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
        for flow, target in forward[node]:
            layer[target] = max(layer[target], layer[node] + (flow is not None))
    for node in reversed(order):
        for _, target in forward[node]:
            height[node] = max(height[node], height[target] + 1)
    return layer, back, height


def side_paths(graph: Graph, layer: dict[str, int], back: set[str | None]) -> dict[str, int]:
    """The nodes a case reaches only when a timer on a task fires, each with its column
    counted from the first of them: what happens when a time runs out."""
    out: dict[str, list[tuple[str, str]]] = {}
    for fid, (source, target) in graph.flows.items():
        out.setdefault(source, []).append((fid, target))
    reached = [n for n, tag in graph.tags.items() if tag == "startEvent"]
    if not reached:
        return {}
    for node in reached:  # grows while it is walked
        for _, target in [] if node in graph.attached else out.get(node, []):
            if target not in reached:
                reached.append(target)
    main = set(reached) | {event for event, host in graph.attached.items() if host in reached}
    side = {n: 0 for n in graph.tags if n not in main}
    for node in sorted(side, key=lambda n: (layer[n], n in graph.attached)):  # a topological order
        if node in graph.attached:
            side[node] = side[graph.attached[node]]
        for fid, target in out.get(node, []):
            if target in side and fid not in back:
                side[target] = max(side[target], side[node] + 1)
    return side


def fits(grid_widths: list[float], grid_gaps: list[float]) -> bool:
    return 2 * LABEL_BAND + sum(grid_widths) + sum(grid_gaps) + COL_GAP <= MAX_WIDTH


def fold(widths: list[float], gaps: list[float], per_band: int) -> tuple[list[float], list[float]]:
    """The width and gap before each column of a band, with per_band columns in a band.

    A long process laid out in one row is thousands of pixels wide, too wide to read or
    print; so the columns are cut into bands of equal count, stacked in each lane, the
    second band's rows below the first's. The bands share one grid of columns, as wide as
    the widest column in that place: then the gaps, where flows turn, are free of shapes
    from top to bottom, and a flow from one band to the next runs back along a gutter and
    down a gap like any other."""
    return ([max(widths[c::per_band] or [0]) for c in range(per_band)],
            [max(gaps[c::per_band] or [COL_GAP]) for c in range(per_band)])
