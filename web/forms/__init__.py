"""Task forms without JavaScript: HTML from a task's JSON Schema, and the posted fields back into
the JSON that schema expects.

Rendering (`render`) and parsing (`parse`) walk the same schema with the same names (`schema`), so
what is rendered is what is parsed. Checking is not done here: `parse_form` only converts, and the
engine's validation says what is wrong (`messages.dutch_errors` words that for the caseworker).
"""
from .dates import dutch_date, dutch_datetime
from .messages import dutch_errors
from .parse import parse_form
from .render import display_value, render_form, warm_up
from .schema import field_id, field_name
from .summary import summarize

__all__ = ["display_value", "dutch_date", "dutch_datetime", "dutch_errors", "field_id", "field_name", "parse_form",
           "render_form", "summarize", "warm_up"]
