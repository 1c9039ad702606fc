"""Sizes, spacing and the geometry the layout is measured in."""
from __future__ import annotations

from dataclasses import dataclass

SIZES = {"task": (100, 80), "event": (36, 36), "gateway": (50, 50)}
ROW = 80          # a row is as tall as a task; events and gateways sit on its centre line
ROW_GAP = 90      # below a row: boundary events and their labels, then room for flows
TRACKS = 30       # the part of that room where flows run, clear of the labels
LANE_TOP = 50     # above a lane's first row, for flows that go over it
COL_GAP = 70      # flows turn in these gaps only, so they never cut through a column
LABEL_BAND = 30   # bpmn-js writes pool and lane names vertically in a band this wide
ORIGIN = (100, 60)
TOP_ROOM = 50     # above a row with a timer on a task's top border: the timer and its label
DATA_ROOM = 70    # above a row with a task that reads or writes a data object: the object
MARGIN_STEP = 10   # between the lines of timers' flows in the right margin
MAX_WIDTH = 2000  # a pool wider than this folds its columns into bands (about a screen wide)


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


def simplify(points):
    """Without repeated points and without points in the middle of a straight stretch."""
    points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    return [p for i, p in enumerate(points) if i in (0, len(points) - 1)
            or not (points[i - 1][0] == p[0] == points[i + 1][0] or points[i - 1][1] == p[1] == points[i + 1][1])]


def crosses(a, b, box: Box, margin: float = 8) -> bool:
    (x1, y1), (x2, y2) = a, b
    return (min(x1, x2) < box.right + margin and max(x1, x2) > box.x - margin
            and min(y1, y2) < box.bottom + margin and max(y1, y2) > box.y - margin)



def overlaps(a: Box, b: Box) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom
