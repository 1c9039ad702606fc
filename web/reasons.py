"""A reason a person gives for a change to a case or a process (pausing deadlines, moving cases,
a new version): a sentence or two for the history, required, and not a whole letter."""
from __future__ import annotations

MAX_LENGTH = 1000
TOO_LONG = f"Gebruik hoogstens {MAX_LENGTH} tekens voor de reden."


def problem(reason: str, missing: str) -> str | None:
    """The Dutch message for a reason that cannot be taken (`missing` when it is empty), or None."""
    reason = reason.strip()
    if not reason:
        return missing
    return TOO_LONG if len(reason) > MAX_LENGTH else None
