"""The engine's field errors as one Dutch message per field of the form."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.date_rules import FIXED, RELATIVE, TODAY, fixed_bounds, period_words, split_bound
from engine.errors import FieldError
from engine.form_choices import choices_of
from engine.list_rules import ALL_OF, MISSING, top_rules
from engine.list_rules import CODES as LIST_RULES
from engine.partner_choices import NEW_CODE
from engine.register_changes import PARTNER_EXISTS

from .dates import dutch_date
from .schema import CHOICES, widget_of

CONTROL_CHARACTER = ("Hier staat een teken dat niet kan, bijvoorbeeld een onzichtbaar teken uit een gekopieerde "
                     "tekst. Haal het weg en probeer het opnieuw.")


def dutch_errors(errors: Iterable[FieldError], schema: dict) -> dict[str, str]:
    """One Dutch message per field (the first), keyed by the data path of the field on the form.
    An error about an item of a checkbox list goes to the list; one about the form as a whole to ""."""
    messages: dict[str, str] = {}
    for error in errors:
        key, prop, deeper = _field_of(schema, error.field)
        messages.setdefault(key, _message(error, prop, deeper, schema, key))
    return messages


def _field_of(schema: Mapping, pointer: str) -> tuple[str, Mapping | None, bool]:
    parts = pointer.split("/") if pointer else []
    node: Mapping = schema
    taken: list[str] = []
    for part in parts:
        props = props if isinstance(props := node.get("properties"), dict) else {}
        items = items if isinstance(items := node.get("items"), dict) else None
        if part in props and isinstance(props[part], dict):
            node = props[part]
        elif items is not None and part.isdigit() and widget_of(node, read_only=False) == "rows":
            node = items
        else:
            break
        taken.append(part)
    if not taken:
        return pointer, None, False
    return "/".join(taken), node, len(taken) < len(parts)


def _message(error: FieldError, prop: Mapping | None, deeper: bool, schema: Mapping, key: str) -> str:
    code = error.code
    if code == "controlCharacter":
        return CONTROL_CHARACTER
    if code in ("additionalProperties", "reserved") or (prop is None and error.field):
        return "Dit veld hoort niet bij het formulier."
    if code == "noForm":
        return "Bij deze taak hoort geen formulier. Er hoeft niets ingevuld te worden."
    if code == PARTNER_EXISTS or (code == "not" and prop is not None and prop.get(NEW_CODE) is True):
        # The form's rule (x-zvt-nieuwe-partnercode) and the register change's own check say it alike.
        return "Er staat al een partner met deze code in het partnerregister. Kies een andere code."
    if prop is None:
        return "Deze waarde is hier niet toegestaan."
    widget = widget_of(prop, read_only=False)
    if code == "readOnly":
        return "Dit veld vult het systeem in. U kunt het niet veranderen."
    if code in ("required", "dependentRequired"):
        return {
            "confirm": "Vink dit aan om verder te gaan.",
            "radio": "Kies een van de mogelijkheden.", "select": "Kies een van de mogelijkheden.",
            "boolean": "Kies Ja of Nee.",
            "checkboxes": "Kies minstens één mogelijkheid.",
            "rows": "Vul minstens één regel in.",
            "group": "Vul deze vragen in.",
            "date": "Vul een datum in.",
            "datetime": "Vul een datum en tijd in.",
        }.get(widget, "Vul dit veld in.")
    if deeper:  # an item of a checkbox list
        return "Een van deze keuzes is hier niet toegestaan."
    if code == "const" and widget == "confirm":
        return "Vink dit aan om verder te gaan."
    if code in ("enum", "oneOf", "anyOf", "const") or (code == "type" and widget in CHOICES):
        if code in prop or code == "type":
            return "Kies Ja of Nee." if widget == "boolean" else "Kies een van de mogelijkheden."
        return "Dit past niet bij uw andere antwoorden."  # a rule in if/then narrowed the choice
    if code == "not":
        if "not" in prop:
            return "Deze waarde is hier niet toegestaan."
        if all(n in ({}, True) for n in _conditional_nots(schema, key.split("/"))):
            # `"not": {}` in a then-branch: for the other answers given, this field stays empty.
            return "Laat dit veld leeg. Het past niet bij uw andere antwoorden."
        return "Dit past niet bij uw andere antwoorden."
    if code in ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf") \
            and widget == "number":
        return _number_message(prop)
    if code in ("format", "type") and widget == "date":
        return "Vul een datum in, zoals 27-11-2026."
    if (code in FIXED or code in RELATIVE) and widget == "date":
        return _date_message(code, prop, schema, key)
    if code == MISSING:
        return _missing_message(error, prop, schema)
    if code in LIST_RULES:
        return _list_message(code, prop, schema)
    if code == "format" and prop.get("format") == "email":
        return "Vul een e-mailadres in, zoals naam@organisatie.nl."
    if code in ("format", "type") and widget == "datetime":
        return "Vul een datum en tijd in, zoals 27-11-2026 17:00."
    if code == "minLength":
        n = prop.get("minLength") or 1
        return "Vul dit veld in." if n <= 1 else f"Gebruik minstens {n} tekens."
    if code == "maxLength":
        return f"Gebruik hoogstens {prop.get('maxLength')} tekens."
    if code == "pattern":
        return "Dit is niet in de goede vorm. Lees de uitleg bij dit veld."
    if code in ("minItems", "maxItems"):
        n = prop.get(code) or 1
        least = code == "minItems"
        if widget == "rows":
            amount = "één regel" if n == 1 else f"{n} regels"
            return f"Vul {'minstens' if least else 'hoogstens'} {amount} in."
        amount = "één mogelijkheid" if n == 1 else f"{n} mogelijkheden"
        return f"Kies {'minstens' if least else 'hoogstens'} {amount}."
    if code == "uniqueItems":
        return "Elke regel mag maar één keer voorkomen." if widget == "rows" else "Kies elke mogelijkheid maar één keer."
    if code == "contains":
        return "Er ontbreekt nog een regel. Lees de uitleg bij dit veld." if widget == "rows" else \
            "Er ontbreekt nog een keuze. Lees de uitleg bij dit veld."
    if code == "minProperties":
        return "Vul minstens één van deze vragen in."
    return "Deze waarde is hier niet toegestaan."


def _date_message(code: str, prop: Mapping, schema: Mapping, key: str) -> str:
    if code in FIXED:
        bound = fixed_bounds(prop).get(code)
        other = dutch_date(bound.isoformat(), weekday=False) if bound else "die datum"
    elif split_bound(prop.get(code))[0] == TODAY:
        other = "vandaag"
    else:  # another date field of the same form or row
        base = split_bound(prop.get(code))[0]
        sibling = "/".join(key.split("/")[:-1] + [str(base)])
        _key, sibling_prop, _deeper = _field_of(schema, sibling)
        other = f"de datum bij ‘{(sibling_prop or {}).get('title') or base}’"
    if code in RELATIVE and split_bound(prop.get(code))[1] is not None:
        # A maximum term: "Kies een datum die hoogstens 6 maanden na vandaag ligt."
        words = period_words(prop[code])
        if code in ("x-zvt-niet-na", "x-zvt-voor"):
            return f"Kies een datum die hoogstens {words} na {other} ligt."
        return f"Kies een datum die minstens {words} na {other} ligt."
    if code in ("formatExclusiveMinimum", "x-zvt-na"):
        return f"Kies een datum na {other}."
    if code in ("formatExclusiveMaximum", "x-zvt-voor"):
        return f"Kies een datum vóór {other}."
    if code in ("formatMinimum", "x-zvt-niet-voor"):
        return f"Kies {other} of een latere datum."
    return f"Kies {other} of een eerdere datum."


def _list_message(code: str, prop: Mapping, schema: Mapping) -> str:
    # The list is a field at the top of the form (engine/list_rules.py); say it by its title.
    other = prop.get(LIST_RULES[code])
    _key, other_prop, _deeper = _field_of(schema, str(other))
    title = (other_prop or {}).get("title") or other
    if code == "notInList":
        return f"U kunt hier alleen kiezen wat bij ‘{title}’ staat."
    return f"U kunt hier niets kiezen wat ook bij ‘{title}’ staat. Iets kan niet op allebei de plekken staan."


def _missing_message(error: FieldError, prop: Mapping, schema: Mapping) -> str:
    # The rule sits on the field or on a field of its rows, maybe in a then-branch: name the list
    # by its title and what is missing by the labels of the field's own choices.
    holder = {}
    for fields in [_row_fields(prop), *(_row_fields(b) for b in _narrowed(schema, error.field))]:
        for name, field in fields.items():
            if isinstance(field, Mapping) and field.get(ALL_OF):
                holder = {**(_row_fields(prop).get(name) or {}), **field}
    other = holder.get(ALL_OF)
    _key, other_prop, _deeper = _field_of(schema, str(other))
    title = (other_prop or {}).get("title") or other
    labels = dict(choices_of(holder))
    named = ", ".join(labels.get(v, v) for v in error.values)
    return f"Dit staat bij ‘{title}’, maar nog niet hier: {named}. Zet het erbij." if named else \
        f"Hier ontbreekt nog iets van ‘{title}’."


def _row_fields(prop: Mapping) -> dict:
    """The field itself ("") and the fields of its rows, by name."""
    items = items if isinstance(items := prop.get("items"), Mapping) else {}
    return {"": prop, **(items.get("properties") or {})}


def _narrowed(schema: Mapping, name: str) -> list[Mapping]:
    """Field `name` as each then/else of the form's if/then rules narrows it."""
    parts = [rule.get(part) for rule in top_rules(schema) for part in ("then", "else")]
    return [p["properties"][name] for p in parts if isinstance(p, Mapping) and isinstance(p.get("properties"), Mapping)
            and isinstance(p["properties"].get(name), Mapping)]


def _number_message(prop: Mapping) -> str:
    kind = "een heel getal" if prop.get("type") == "integer" else "een getal"
    low, high = prop.get("minimum"), prop.get("maximum")
    if low is not None and high is not None:
        return f"Vul {kind} in tussen {low} en {high}."
    if low is not None:
        return f"Vul {kind} in van {low} of meer."
    if high is not None:
        return f"Vul {kind} in van {high} of minder."
    return f"Vul {kind} in."


def _conditional_nots(schema: Mapping, parts: list[str]) -> list:
    """The `not` subschemas that if/then/else branches put on the field at `parts`."""
    found: list = []

    def walk(node: Any, rest: list[str], conditional: bool) -> None:
        if not isinstance(node, dict):
            return
        if not rest:
            if conditional and "not" in node:
                found.append(node["not"])
        else:
            props = props if isinstance(props := node.get("properties"), dict) else {}
            if rest[0] in props:
                walk(props[rest[0]], rest[1:], conditional)
            elif rest[0].isdigit():
                walk(node.get("items"), rest[1:], conditional)
        for branch in ("then", "else"):
            walk(node.get(branch), rest, True)
        for sub in node.get("allOf") or []:
            walk(sub, rest, True)

    walk(schema, parts, False)
    return found
