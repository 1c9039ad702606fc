"""Forms of other processes that name zvt_casus cases, and read-only fields looked up from those
cases when the task page opens (as the cases stand then, never stored).

A rights request (rechten_betrokkene) and a datalek may name the ZVT cases they concern, in a text
field of case numbers such as "12, 15". A read-only field of a form then says, by a keyword, what
to look up per named case and from which field the numbers come:

    "x-zvt-art41-van": "<field>"       the art. 41 UAVG decision of each case (engine/art41.py)
    "x-zvt-ontvangers-van": "<field>"  the partners that received the case's data items, from the
                                       register of disclosures (engine/recipients.py)

engine/casework.py fills them, showing a case's data only to a reader whose policy lets them
open that case and logging each such read in the access log.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from .db import Instance

CASE_PROCESS = "zvt_casus"
_NUMBER = re.compile(r"\d{1,9}")


def sources(schema: Mapping | None, keyword: str) -> dict[str, str]:
    """Field -> the field holding the case numbers, for each read-only field of the form with `keyword`."""
    properties = (schema or {}).get("properties") or {}
    return {name: prop[keyword] for name, prop in properties.items()
            if isinstance(prop, Mapping) and isinstance(prop.get(keyword), str)}


def case_numbers(value) -> list[int]:
    """The case numbers in a text such as "12, 15" (or a list), each once, in order."""
    found = _NUMBER.findall(value) if isinstance(value, str) else [str(v) for v in value or [] if isinstance(v, int)]
    return list(dict.fromkeys(int(n) for n in found))


def case_of(session, number: int) -> Instance | None:
    """The zvt_casus case with this number, or None (no case, or a case of another process)."""
    instance = session.get(Instance, number)
    return instance if instance is not None and instance.process_id == CASE_PROCESS else None
