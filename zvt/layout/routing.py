"""Orthogonal sequence flows that turn only in the gaps between columns and rows."""
from __future__ import annotations

from itertools import permutations

from .geometry import COL_GAP, TRACKS, Box, crosses, simplify
from .graph import Graph


def routes(graph: Graph, boxes: dict[str, Box]) -> dict[str, list[tuple[float, float]]]:
    """Every flow's waypoints. The flows from boundary events are routed again once the others
    are drawn, on the way that crosses the fewest of those: a timer's flow is a side path,
    and where it cuts across the main path a reader takes a wrong turn."""
    avoid: dict[str, set] = {}
    main = None
    for _attempt in range(5):
        routes = {fid: _route(graph, boxes, fid, avoid.get(fid, ()), main) for fid in graph.flows}
        _spread(graph, routes)
        settled = main is not None
        main = {fid: list(zip(points, points[1:])) for fid, points in routes.items()
                if graph.flows[fid][0] not in graph.attached}
        if not settled:
            continue
        clashes = _clashes(graph, boxes, routes)
        for fid, y in clashes:
            avoid.setdefault(fid, set()).add(y)
        if not clashes:
            break
    return routes


def score(graph: Graph, routes) -> int:
    """How often flows cross, counting twice where a flow from a boundary event crosses the
    main path: there a reader takes a wrong turn. Fewer is easier to follow."""
    segments = {fid: list(zip(points, points[1:])) for fid, points in routes.items()}
    timed = [fid for fid in routes if graph.flows[fid][0] in graph.attached]
    main = [seg for fid in routes if fid not in timed and graph.flows[fid][0] not in graph.side for seg in segments[fid]]
    every = list(segments.values())
    return (sum(crossings(routes[fid], main) for fid in timed)
            + sum(crossings(routes[fid], seg) for i, fid in enumerate(routes) for seg in every[i + 1:]))


def crossings(points, segments) -> int:
    """How often the route crosses the segments, a horizontal through a vertical."""
    count = 0
    for a, b in zip(points, points[1:]):
        for c, d in segments:
            (h1, h2), (v1, v2) = ((a, b), (c, d)) if a[1] == b[1] else ((c, d), (a, b))
            if h1[1] == h2[1] and v1[0] == v2[0]:
                count += (min(h1[0], h2[0]) < v1[0] < max(h1[0], h2[0])
                          and min(v1[1], v2[1]) < h1[1] < max(v1[1], v2[1]))
    return count


def _gap_xs(graph: Graph, fid: str) -> tuple[float, float]:
    """Where the flow may turn: after its source's column and before its target's."""
    source, target = graph.flows[fid]
    column = graph.layer[graph.attached.get(source, source)]
    after = graph.col_x[column] + graph.widths[column] + COL_GAP / 2
    return after, graph.col_x[graph.layer[target]] - graph.gaps[graph.layer[target]] + COL_GAP / 2


def _route(graph: Graph, boxes: dict[str, Box], fid: str, avoid=(), main=None) -> list[tuple[float, float]]:
    """Out of the source on the right (a boundary event: below, or above on a top border),
    into the target on the left, turning only in the gaps and running only along rows or in
    gutters: the first such route that cuts through no shape. A boundary event's flow, once
    the main path is known: the one that crosses it least, if need be down the margin on
    the right, which no other flow uses, instead of across the rows in between."""
    source, target = graph.flows[fid]
    s, t = boxes[source], boxes[target]
    end = (t.x, t.cy)
    x_after, x_before = _gap_xs(graph, fid)
    if fid in graph.back:  # a loop goes around above everything between its ends, where
        # timers' flows do not go down through it; below when it must
        runs = (sorted((g for g in graph.gutters if g < min(s.y, t.y)), reverse=True)
                + [g for g in graph.gutters if g > max(s.bottom, t.bottom)])
    elif x_before < x_after:  # into the next band: back along a gutter, never over its own row
        runs = sorted(graph.gutters, key=lambda g: (abs(g - s.cy) + abs(g - t.cy), g))
    else:
        runs = [s.cy, t.cy] + sorted(graph.gutters, key=lambda g: (abs(g - s.cy) + abs(g - t.cy), g))
    runs = [y for y in runs if y not in avoid]
    if source in graph.top:  # a timer on the top border: up, away from the flows of its row
        start, gutter = (s.cx, s.y), max(g for g in graph.gutters if g < s.y)
        candidates = [[start, (s.cx, y), (x_before, y), (x_before, t.cy), end] for y in runs if y < s.y]
        candidates += [[start, (s.cx, gutter), (x_after, gutter), (x_after, y), (x_before, y), (x_before, t.cy), end]
                       for y in runs]
    elif source in graph.attached:
        start, gutter = (s.cx, s.bottom), min(g for g in graph.gutters if g > s.bottom)
        candidates = [[start, (s.cx, y), (x_before, y), (x_before, t.cy), end] for y in runs if y > s.bottom]
        candidates += [[start, (s.cx, gutter), (x_after, gutter), (x_after, y), (x_before, y), (x_before, t.cy), end]
                       for y in runs]
    else:
        start = (s.right, s.cy)
        candidates = [[start, (x_after, s.cy), (x_after, y), (x_before, y), (x_before, t.cy), end] for y in runs]
    if source in graph.attached and main is not None:
        margin = graph.margin_x[graph.timed.index(fid)]
        away = [g for g in graph.gutters if (g < s.y if source in graph.top else g > s.bottom)]
        candidates += [[start, (s.cx, y1), (margin, y1), (margin, y), (x_before, y), (x_before, t.cy), end]
                       for y1 in away for y in runs if y != y1 and y in graph.gutters]
    obstacles = [b for n, b in boxes.items() if n not in (source, target)]
    free = [points for points in map(simplify, candidates)
            if not any(crosses(a, b, box) for a, b in zip(points, points[1:]) for box in obstacles)]
    if free and source in graph.attached and main is not None:
        # Above all not across the flows that go on from the row of the timer's task.
        host = boxes[graph.attached[source]]
        row = [seg for f, segs in main.items() if boxes[graph.flows[f][0]].cy == host.cy
               and boxes[graph.flows[f][1]].x > boxes[graph.flows[f][0]].x for seg in segs]
        every = [seg for segs in main.values() for seg in segs]
        return min(free, key=lambda points: (crossings(points, row), crossings(points, every)))  # first of the fewest
    return free[0] if free else simplify(candidates[-1])


def _clashes(graph: Graph, boxes, routes) -> set[tuple[str, float]]:
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


def _spread(graph: Graph, routes) -> None:
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
    def crossed(a, b):  # a left of b: b's horizontals to the left and a's to the right cross
        return (sum(lines[a]["lo"] < y < lines[a]["hi"] for y in lines[b]["left"])
                + sum(lines[b]["lo"] < y < lines[b]["hi"] for y in lines[a]["right"]))

    def on_top(a, b):  # a left of b, both at one height: they run on top of each other, far worse
        return len(set(lines[a]["right"]) & set(lines[b]["left"]))
    keys = sorted(lines, key=str)
    pair = {(a, b): (on_top(a, b), crossed(a, b)) for a in keys for b in keys if a != b}

    def total(order, part=None) -> int:
        return sum(10 * pair[a, b][0] + pair[a, b][1] if part is None else pair[a, b][part]
                   for i, a in enumerate(order) for b in order[i + 1:])
    if len(keys) <= 6:
        return list(min(permutations(keys), key=total))
    # Too many orders to try them all. Where two lines would run on top of each other, move one line
    # at a time to the place where fewest do, as long as that makes fewer (so the loop ends).
    best = keys
    while total(best, 0):
        moves = [rest[:place] + [key] + rest[place:] for key in best
                 for rest in [[k for k in best if k != key]] for place in range(len(rest) + 1)]
        order = min(moves, key=lambda order: (total(order, 0), total(order)))
        if total(order, 0) >= total(best, 0):
            break
        best = order
    return best
