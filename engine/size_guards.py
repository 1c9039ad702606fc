"""Size limits on what one operation of a sandboxed script may build.

The CPU budget (engine/budget.py) looks at the clock between lines, so it cannot stop a single
call into C that runs for minutes or takes gigabytes: `'a' * 10**9`, `10 ** 10**9`,
`sum(range(10**12))`, `'x'.ljust(10**9)`. The sandbox (engine/sandbox.py) routes every such
operation through these guards, which compute the size of the result before it is built and
refuse it above the limits. Scripts in case processes work with names, dates and short lists:
the limits are far above what they need and far below what hurts a server.

What stays possible is a large structure built step by step in a Python loop, which the CPU
budget bounds, and the stored size of a case, which engine/steps.py bounds when it saves.
"""
from __future__ import annotations

import operator
import re

# Characters of a string, items of a list or tuple, numbers of a range.
MAX_ITEMS = 1_000_000
# About 30,000 decimal digits: Python refuses to print more than 4,300 anyway.
MAX_INT_BITS = 100_000
_SEQUENCES = (str, list, tuple)


class SizeRefused(Exception):
    """str(e) says which operation would build too much."""


def _too_big(what: str):
    return SizeRefused(f"{what} would be too large (at most {MAX_ITEMS:,} items or characters)")


def _weight(sequence) -> int:
    """Items of a sequence, counting those of the strings, lists and tuples directly in it:
    `[row] * 1000` with a long `row` is as large as its text once it is printed."""
    if isinstance(sequence, str):
        return len(sequence)
    return len(sequence) + sum(len(item) for item in sequence if isinstance(item, _SEQUENCES))


def _is_int(value) -> bool:
    return isinstance(value, int)


def mul(a, b):
    if _is_int(a) and isinstance(b, _SEQUENCES):
        a, b = b, a
    if isinstance(a, _SEQUENCES) and _is_int(b):
        if b > 0 and _weight(a) * b > MAX_ITEMS:
            raise _too_big("repeating a text or list")
    elif _is_int(a) and _is_int(b) and a.bit_length() + b.bit_length() > MAX_INT_BITS:
        raise SizeRefused("multiplying these numbers would give a number too large")
    return a * b


def add(a, b):
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES) and _weight(a) + _weight(b) > MAX_ITEMS:
        raise _too_big("joining two texts or lists")
    return a + b


def power(a, b, modulo=None):
    if modulo is None and _is_int(a) and _is_int(b) and b > 0 and abs(a) > 1 \
            and (abs(a).bit_length() - 1) * b > MAX_INT_BITS:
        raise SizeRefused("this power would give a number too large")
    return pow(a, b) if modulo is None else pow(a, b, modulo)


def lshift(a, b):
    if _is_int(a) and _is_int(b) and a and a.bit_length() + b > MAX_INT_BITS:
        raise SizeRefused("this shift would give a number too large")
    return a << b


# A %-format's width or precision, written out or taken from the arguments with '*'.
_PERCENT_SPEC = re.compile(r"%[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def mod(a, b):
    if isinstance(a, str):
        specs = _PERCENT_SPEC.findall(a)
        stars = any("*" in spec for spec in specs)
        widths = [int(n) for spec in specs for n in spec if n.isdigit()]
        arguments = b if isinstance(b, tuple) else (b,)
        if any(w > MAX_ITEMS for w in widths) or (stars and any(_is_int(x) and x > MAX_ITEMS for x in arguments)):
            raise _too_big("this text")
    return a % b


BINARY = {"Mult": mul, "Add": add, "Pow": power, "LShift": lshift, "Mod": mod}
INPLACE = {"*=": mul, "+=": add, "**=": power, "<<=": lshift, "%=": mod}
# For the in-place operators the sandbox does not size-check, plain Python semantics.
INPLACE_PLAIN = {
    "-=": operator.isub, "/=": operator.itruediv, "//=": operator.ifloordiv, ">>=": operator.irshift,
    "|=": operator.ior, "^=": operator.ixor, "&=": operator.iand, "@=": operator.imatmul,
}


def guarded_range(*args):
    numbers = range(*args)
    if len(numbers) > MAX_ITEMS:
        raise _too_big("this range")
    return numbers


def guarded_sum(iterable, start=0):
    # sum() of lists or tuples concatenates in C, in time and memory that grow with the square.
    if isinstance(start, _SEQUENCES):
        raise SizeRefused("sum() adds numbers; join texts or lists otherwise")
    return sum(iterable, start)


def _width_method(name: str):
    method = getattr(str, name)

    def guarded(self, width, *args):
        if _is_int(width) and width > MAX_ITEMS:
            raise _too_big(f"str.{name}")
        return method(self, width, *args)
    return guarded


def _expandtabs(self, tabsize=8):
    if _is_int(tabsize) and self.count("\t") * tabsize > MAX_ITEMS:
        raise _too_big("str.expandtabs")
    return str.expandtabs(self, tabsize)


def _replace(self, old, new, count=-1):
    if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
        times = self.count(old) if old else len(self) + 1
        if count >= 0:
            times = min(times, count)
        if len(self) + times * (len(new) - len(old)) > MAX_ITEMS:
            raise _too_big("str.replace")
    return str.replace(self, old, new, count)


def _join(self, items):
    items = list(items)
    if len(self) * max(len(items) - 1, 0) + sum(len(i) for i in items if isinstance(i, str)) > MAX_ITEMS:
        raise _too_big("str.join")
    return str.join(self, items)


# str methods whose result can be far larger than their input, by name; the sandbox's
# attribute guard hands these out instead of the originals (bound to the string).
STR_METHODS = {
    **{name: _width_method(name) for name in ("ljust", "rjust", "center", "zfill")},
    "expandtabs": _expandtabs,
    "replace": _replace,
    "join": _join,
}
