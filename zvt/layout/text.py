"""How wide bpmn-js draws a name, and where it wraps it, so boxes and labels can be made wide
enough that no word is broken in the middle.

bpmn-js writes names in "Arial, sans-serif": 12px inside a task (7px padding on each side)
and 11px in an external label, which wraps at the label's own width. It measures each line
in the browser and, when a line is too wide, cuts it at a space or hyphen; a word that is
wider than the box on its own is cut between letters ("Toegangsrech" / "ten").

No font is read here: the tool must give the same layout on every machine, and a
browser or font file is no dependency for a command-line tool. Instead a table of advance
widths, taken per character as the larger of Arial's (the same as Helvetica's) and DejaVu
Sans's, which is what "sans-serif" becomes where Arial is missing (most Linux machines, and
the Chromium of our browser tests); DejaVu is the wider for nearly every letter, so a word
that fits by this table fits in either font.
"""
from __future__ import annotations

import math
import re

TASK_FONT, LABEL_FONT = 12, 11
TASK_PADDING = 7            # bpmn-js's padding of a task's name inside its box, on each side
LINE_HEIGHT = 1.2           # bpmn-js's line height, a ratio of the font size

# Thousandths of the font size, by character; anything else counts as a full em.
_WIDTHS = {
    **dict.fromkeys(" ,.", 318), **dict.fromkeys(":;", 337), **dict.fromkeys("/\\|", 337),
    "!": 401, '"': 460, "'": 275, "’": 318, "(": 390, ")": 390, "[": 390, "]": 390, "-": 361, "–": 556,
    "*": 500, "_": 556, "`": 500, "?": 556, "{": 636, "}": 636, **dict.fromkeys("$0123456789", 636),
    **dict.fromkeys("#+<=>^~", 838), "%": 950, "&": 780, "@": 1015,
    "A": 684, "B": 686, "C": 722, "D": 770, "E": 667, "F": 611, "G": 778, "H": 752, "I": 295, "J": 500,
    "K": 667, "L": 557, "M": 863, "N": 748, "O": 787, "P": 667, "Q": 787, "R": 722, "S": 667, "T": 611,
    "U": 732, "V": 684, "W": 989, "X": 685, "Y": 667, "Z": 685,
    "a": 613, "b": 635, "c": 550, "d": 635, "e": 615, "f": 352, "g": 635, "h": 634, "i": 278, "j": 278,
    "k": 579, "l": 278, "m": 974, "n": 634, "o": 612, "p": 635, "q": 635, "r": 411, "s": 521, "t": 392,
    "u": 634, "v": 592, "w": 818, "x": 592, "y": 592, "z": 525,
}
_ACCENTS = str.maketrans("áàâäéèêëíìîïóòôöúùûüÁÀÂÄÉÈÊËÍÌÎÏÓÒÔÖÚÙÛÜ", "aaaaeeeeiiiioooouuuuAAAAEEEEIIIIOOOOUUUU")
_SOFT_BREAK = "\u00ad"


def text_width(text: str, size: float) -> float:
    return sum(_WIDTHS.get(c, 1000) for c in text.translate(_ACCENTS)) * size / 1000


def words(text: str) -> list[str]:
    """The pieces bpmn-js may not cut: words, each with the hyphen after it."""
    return re.findall(rf"[^\s\-{_SOFT_BREAK}]+[\-{_SOFT_BREAK}]?|[\-{_SOFT_BREAK}]", text)


def longest_word(text: str, size: float) -> float:
    return max((text_width(w, size) for w in words(text)), default=0)


def wrap(text: str, max_width: float, size: float) -> list[str]:
    """The lines bpmn-js makes of the text (diagram-js util/Text.js: layoutNext, shortenLine,
    semanticShorten), measured with the table above instead of the browser."""
    lines, result = re.split(r"\u00ad?\r?\n", text), []
    while lines:
        original = fit = lines.pop(0)
        while True:
            width = text_width(fit.rstrip(), size) if fit else 0
            if fit in (" ", "") or width <= max_width or len(fit) < 2:
                break
            fit = _shorten(fit, width, max_width)
        if len(fit) < len(original):
            lines.insert(0, original[len(fit):].strip())
        result.append(fit)
    return result


def _shorten(line: str, width: float, max_width: float) -> str:
    # bpmn-js guesses how many characters fit from the line's average character width,
    # then cuts at the last space or hyphen before that; without one, inside the word.
    length = max(len(line) * (max_width / width), 1)
    parts, kept, used = re.split(rf"(\s|-|{_SOFT_BREAK})", line), [], 0
    if len(parts) > 1:
        for part in parts:
            if not part:
                break
            if len(part) + used < length:
                kept.append(part)
                used += len(part)
            else:
                if part in ("-", _SOFT_BREAK) and kept:
                    kept.pop()
                break
    if kept and kept[-1] == _SOFT_BREAK:
        kept[-1] = "-"
    return "".join(kept) or line[:max(math.floor(length - 1 + 0.5), 1)]


def breaks_a_word(text: str, max_width: float, size: float) -> bool:
    return [w for line in wrap(text, max_width, size) for w in words(line)] != words(text)


def task_width(name: str | None, height: float, steps=range(100, 401, 20)) -> int:
    """The narrowest task box, in steps of 20px, whose name keeps its words whole and fits in
    its height: a name that is a long word widens the box, not splits the word."""
    for width in steps:
        inner = width - 2 * TASK_PADDING
        lines = wrap(name or "", inner, TASK_FONT)
        if (longest_word(name or "", TASK_FONT) <= inner and not breaks_a_word(name or "", inner, TASK_FONT)
                and len(lines) * TASK_FONT * LINE_HEIGHT <= height - 2 * TASK_PADDING):
            return width
    return steps[-1]


def label_size(name: str, width: float = 90) -> tuple[float, int]:
    """An external label's size: on one line when it fits in `width`, else wrapped at
    `width`, or wider where a word would not fit; 14px a line as bpmn-js draws 11px text."""
    one_line = text_width(name, LABEL_FONT)
    if one_line <= width:
        return math.ceil(one_line) + 6, 14
    width = max(width, math.ceil(longest_word(name, LABEL_FONT)) + 4)
    while breaks_a_word(name, width, LABEL_FONT):
        width += 4
    return width, 14 * len(wrap(name, width, LABEL_FONT))
