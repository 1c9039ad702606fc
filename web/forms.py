"""Task forms without JavaScript: HTML from a task's JSON Schema, and the posted fields back into
the JSON that schema expects.

Rendering and parsing walk the same schema with the same names, so what is rendered is what is
parsed. Checking is not done here: `parse_form` only converts, and the engine's validation says
what is wrong (`dutch_errors` words that for the caseworker).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field as dataclass_field
from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jsonschema import Draft202012Validator
from markupsafe import Markup

from engine.errors import FieldError
from engine.ui_schema import ordered, widgets_for

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# Radio buttons show every choice at once; beyond this many a select list is easier to scan.
MAX_RADIO_OPTIONS = 5
# A field whose text may be longer than a line or two gets a text area.
MAX_TEXTBOX_LENGTH = 200
# Rows of an array of objects: the entered ones plus this many empty ones to fill in.
EXTRA_ROWS = 2
ERROR_SUMMARY_ID = "form-errors"

_ABSENT = object()
_DAGEN = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
_MAANDEN = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
            "oktober", "november", "december")
_CHOICES = {"radio", "select", "boolean"}
# Where the browser can check `required` itself without refusing a correct answer.
_BROWSER_REQUIRED = {"text", "textarea", "date", "datetime", "number", "radio", "select", "boolean", "confirm"}


# --- the schema, read the same way by rendering, parsing and the error messages -----------------------

def _options(prop: Mapping) -> list[tuple[Any, str]] | None:
    one_of = prop.get("oneOf")
    if isinstance(one_of, list) and one_of and all(isinstance(o, dict) and "const" in o for o in one_of):
        return [(o["const"], str(o.get("title") or o["const"])) for o in one_of]
    if isinstance(prop.get("enum"), list) and prop["enum"]:
        return [(value, str(value)) for value in prop["enum"]]
    return None


def _widget(prop: Mapping, read_only: bool = True) -> str:
    if read_only and prop.get("readOnly"):
        return "read_only"
    if prop.get("const") is True:
        return "confirm"
    options = _options(prop)
    if options is not None:
        return "radio" if len(options) <= MAX_RADIO_OPTIONS else "select"
    kind = prop.get("type")
    if kind == "array":
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        if _options(items) is not None:
            return "checkboxes"
        if items.get("type") == "object" or "properties" in items:
            return "rows"
        return "text"
    if kind == "object" or "properties" in prop:
        return "group"
    if kind == "boolean":
        return "boolean"
    if kind in ("integer", "number"):
        return "number"
    if prop.get("format") == "date":
        return "date"
    if prop.get("format") == "date-time":
        return "datetime"
    if (prop.get("maxLength") or 0) > MAX_TEXTBOX_LENGTH:
        return "textarea"
    return "text"


def _properties(schema: Mapping) -> Iterable[tuple[str, dict]]:
    for name, prop in (schema.get("properties") or {}).items():
        if isinstance(prop, dict):
            yield name, prop


def _choice_value(value: Any) -> str:
    """How a choice travels in a form field: booleans as ja/nee, anything else as its text."""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


def _safe(part: str | int) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", str(part)) or "_"


def field_name(path: Iterable[str | int]) -> str:
    """The HTML name of the field at a data path: ("afspraken", 0, "actie") -> "afspraken-0-actie"."""
    return "-".join(_safe(p) for p in path)


def field_id(path: Iterable[str | int]) -> str:
    # Ids of a field's parts (its description, error, second option) add "--", which a name never has.
    return "field-" + field_name(path)


# --- rendering ---------------------------------------------------------------------------------------

@dataclass
class Option:
    id: str
    value: str
    title: str
    checked: bool


@dataclass
class Field:
    widget: str
    key: str  # the data path as the engine names it: "afspraken/0/actie"
    name: str
    id: str
    title: str
    label_path: str  # the titles from the form down to this field, for the error summary
    description: str | None = None
    required: bool = False
    required_attr: bool = False
    error: str | None = None
    value: str = ""
    attrs: dict = dataclass_field(default_factory=dict)
    options: list[Option] = dataclass_field(default_factory=list)
    children: list = dataclass_field(default_factory=list)
    rows: list[Row] = dataclass_field(default_factory=list)
    display: dict | None = None

    @property
    def description_id(self) -> str:
        return f"{self.id}--description"

    @property
    def error_id(self) -> str:
        return f"{self.id}--error"

    @property
    def describedby(self) -> str | None:
        ids = [self.description_id] if self.description else []
        ids += [self.error_id] if self.error else []
        return " ".join(ids) or None


@dataclass
class Row:
    id: str
    legend: str
    children: list


@dataclass
class ReadOnlyGroup:
    fields: list[Field]
    widget: str = "read_only_group"


@dataclass
class _Context:
    errors: Mapping[str, str]
    read_only: Mapping[str, Any]
    extra_rows: int
    shown: list = dataclass_field(default_factory=list)  # every field, in order, for the error summary


@cache
def _templates() -> Environment:
    return Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def warm_up() -> None:
    """Compile the form templates now (see web.warm_up)."""
    environment = _templates()
    for name in environment.list_templates(filter_func=lambda n: n.startswith("form/")):
        environment.get_template(name)


def render_form(schema: dict, values: Mapping | None = None, errors: Mapping[str, str] | None = None,
                read_only: Mapping | None = None, *, extra_rows: int = EXTRA_ROWS, ui: Mapping | None = None) -> Markup:
    """The fields of a task form as HTML, to be put inside the page's <form>.

    `values` is what was entered (after a failed submit: what `parse_form` returned), `errors` maps a
    data path to its Dutch message (`dutch_errors`), `read_only` holds the case's values of the form's
    read-only fields (`engine.form_values`). `ui` is the form's UI schema (engine/ui_schema.py:
    field order, another fitting widget, help text), checked at deploy.
    """
    context = _Context(errors or {}, read_only or {}, max(0, extra_rows))
    items = _items(schema, values if isinstance(values, Mapping) else {}, (), (), top=True, context=context,
                   ui=ui or {})
    return Markup(_templates().get_template("form/form.html").render(
        items=items, summary=_summary(context), summary_id=ERROR_SUMMARY_ID))


def _summary(context: _Context) -> list[dict]:
    summary, linked = [], set()
    for item in context.shown:
        if item.key in context.errors and item.key not in linked:
            linked.add(item.key)
            summary.append({"href": f"#{item.id}", "label": item.label_path, "message": context.errors[item.key]})
    # Errors that belong to no field on the form (a stray field, the form as a whole) still show.
    for key, message in context.errors.items():
        if key not in linked:
            summary.append({"href": None, "label": key, "message": message})
    return summary


def _items(schema: Mapping, values: Mapping, path: tuple, titles: tuple, *, top: bool, context: _Context,
           ui: Mapping) -> list:
    required = set(schema.get("required") or [])
    properties = dict(_properties(schema))
    items: list = []
    for name in ordered(list(properties), ui):
        prop = properties[name]
        if top and prop.get("readOnly"):
            value = context.read_only.get(name, values.get(name, _ABSENT))
        else:
            value = values.get(name, _ABSENT)
        field_ui = ui.get(name) if isinstance(ui.get(name), Mapping) else {}
        item = _field(prop, value, path + (name,), titles, required=name in required, top=top, context=context,
                      ui=field_ui)
        if item.widget != "read_only":
            items.append(item)
        elif items and isinstance(items[-1], ReadOnlyGroup):
            items[-1].fields.append(item)
        else:
            items.append(ReadOnlyGroup([item]))
    return items


def _field(prop: Mapping, value: Any, path: tuple, titles: tuple, *, required: bool, top: bool,
           context: _Context, ui: Mapping) -> Field:
    widget = _widget(prop)
    if widget != "read_only" and ui.get("ui:widget") in widgets_for(prop):
        widget = ui["ui:widget"]
    description = "\n".join(t for t in (prop.get("description"), ui.get("ui:help")) if t) or None
    title = str(prop.get("title") or path[-1])
    key = "/".join(str(p) for p in path)
    item = Field(
        widget=widget, key=key, name=field_name(path), id=field_id(path), title=title,
        label_path=" › ".join(titles + (title,)), description=description,
        required=required and widget != "read_only",
        # Only where the whole answer is required: not inside optional rows or groups, nor when a
        # rule elsewhere in the schema makes it required, which the browser cannot know.
        required_attr=required and top and widget in _BROWSER_REQUIRED,
        error=context.errors.get(key),
    )
    context.shown.append(item)
    if widget == "read_only":
        item.display = _display(prop, value)
    elif widget in ("text", "textarea", "date"):
        item.value = "" if value is _ABSENT or value is None else str(value)
        if isinstance(prop.get("maxLength"), int):
            item.attrs["maxlength"] = prop["maxLength"]
    elif widget == "datetime":
        item.value = _datetime_input(value)
        if item.value.count(":") == 2:
            item.attrs["step"] = 1  # a moment with seconds must not be refused by the browser
    elif widget == "number":
        item.value = "" if value is _ABSENT or value is None else _choice_value(value)
        for keyword in ("minimum", "maximum"):
            if isinstance(prop.get(keyword), (int, float)):
                item.attrs[keyword[:3]] = prop[keyword]
        if prop.get("type") == "integer":
            item.attrs["inputmode"] = "numeric"
        else:
            item.attrs["step"] = "any"
    elif widget in _CHOICES or widget == "checkboxes":
        if widget == "boolean":
            options = [(True, "Ja"), (False, "Nee")]
        else:
            options = _options(prop.get("items") if widget == "checkboxes" else prop) or []
        chosen = {_choice_value(v) for v in value} if widget == "checkboxes" and isinstance(value, list) else (
            set() if value is _ABSENT or value is None else {_choice_value(value)})
        item.options = [Option(item.id if i == 0 else f"{item.id}--{i}", _choice_value(const), option_title,
                               _choice_value(const) in chosen) for i, (const, option_title) in enumerate(options)]
    elif widget == "confirm":
        item.options = [Option(item.id, "ja", title, value is True)]
    elif widget == "group":
        item.children = _items(prop, value if isinstance(value, Mapping) else {}, path, titles + (title,),
                               top=False, context=context, ui=ui)
    elif widget == "rows":
        item.rows = _rows(prop, value if isinstance(value, list) else [], path, titles + (title,), context,
                          ui.get("items") if isinstance(ui.get("items"), Mapping) else {})
    return item


def _rows(prop: Mapping, entered: list, path: tuple, titles: tuple, context: _Context, ui: Mapping) -> list[Row]:
    count = max(len(entered) + context.extra_rows, prop.get("minItems") or 0)
    if isinstance(prop.get("maxItems"), int):
        count = max(min(count, prop["maxItems"]), len(entered))
    items_schema = prop["items"]
    noun = str(items_schema.get("title") or "Regel")
    rows = []
    for index in range(count):
        values = entered[index] if index < len(entered) and isinstance(entered[index], Mapping) else {}
        legend = f"{noun} {index + 1}"
        rows.append(Row(field_id(path + (index,)), legend,
                        _items(items_schema, values, path + (index,), titles + (legend,), top=False, context=context,
                               ui=ui)))
    return rows


def _datetime_input(value: Any) -> str:
    """An RFC 3339 moment as the Amsterdam wall-clock time an <input type="datetime-local"> shows."""
    if value is _ABSENT or value is None:
        return ""
    moment = _moment(value)
    if moment is None:
        return str(value)  # what was typed, so the caseworker sees what to correct
    return moment.strftime("%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M")


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=AMSTERDAM) if moment.tzinfo is None else moment.astimezone(AMSTERDAM)


# --- read-only fields, in Dutch -----------------------------------------------------------------------

def _text(*lines: str) -> dict:
    return {"kind": "text", "lines": list(lines)}


def _display(prop: Mapping, value: Any) -> dict:
    if value is _ABSENT or value is None:
        return _text("Niet ingevuld")
    options = _options(prop)
    if options is not None:
        titles = {_choice_value(const): title for const, title in options}
        return _text(titles.get(_choice_value(value), str(value)))
    if isinstance(value, bool):
        return _text("Ja" if value else "Nee")
    if isinstance(value, list):
        if not value:
            return _text("Geen")
        items_schema = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        return {"kind": "list", "entries": [_display(items_schema, v) for v in value]}
    if isinstance(value, Mapping):
        props = dict(_properties(prop))
        return {"kind": "pairs", "entries": [(str(props.get(k, {}).get("title") or k), _display(props.get(k, {}), v))
                                           for k, v in value.items()]}
    if prop.get("format") == "date" and isinstance(value, str):
        return _text(dutch_date(value))
    if prop.get("format") == "date-time" and isinstance(value, str):
        return _text(dutch_datetime(value))
    if isinstance(value, float):
        return _text(str(value).replace(".", ","))
    return _text(*str(value).splitlines() or [""])


def dutch_date(value: str, weekday: bool = True) -> str:
    """"2026-11-27" -> "vrijdag 27 november 2026" (without `weekday`: "27 november 2026", as for a
    date of birth); anything else is returned as it is."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    text = f"{day.day} {_MAANDEN[day.month - 1]} {day.year}"
    return f"{_DAGEN[day.weekday()]} {text}" if weekday else text


def dutch_datetime(value: str) -> str:
    """"2026-11-27T16:00:00Z" -> "vrijdag 27 november 2026, 17:00", in Amsterdam time."""
    moment = _moment(value)
    if moment is None:
        return str(value)
    return f"{dutch_date(moment.date().isoformat())}, {moment:%H:%M}"


# --- parsing ------------------------------------------------------------------------------------------

def parse_form(schema: dict, form, read_only: Mapping | None = None) -> dict:
    """The posted fields (a werkzeug MultiDict) as the data the schema describes.

    Never raises: what cannot be converted is passed on as text, so the engine's check reports it on
    its field. Empty fields are left out, so "required" comes from the engine too. Read-only fields,
    unknown fields and the CSRF token are not read. `read_only` (the case's values of the read-only
    fields) only helps to tell an empty list from an unanswered one, see `_empty_lists`.
    """
    empty_lists: list[tuple] = []
    data = _parse_object(schema, form, (), (), empty_lists)
    if empty_lists:
        _empty_lists(schema, data, empty_lists, read_only or {})
    return data


def _parse_object(schema: Mapping, form, names: tuple, path: tuple, empty_lists: list) -> dict:
    data = {}
    for name, prop in _properties(schema):
        if prop.get("readOnly"):
            continue
        value = _parse_value(prop, form, names + (name,), path + (name,), empty_lists)
        if value is not _ABSENT:
            data[name] = value
    return data


def _parse_value(prop: Mapping, form, names: tuple, path: tuple, empty_lists: list) -> Any:
    widget = _widget(prop, read_only=False)
    name = field_name(names)
    if widget == "group":
        return _parse_object(prop, form, names, path, empty_lists) or _ABSENT
    if widget == "rows":
        return _parse_rows(prop, form, names, path, empty_lists)
    if widget == "checkboxes":
        options = _options(prop["items"]) or []
        chosen = [_choice(options, v) for v in form.getlist(name) if v != ""]
        if not chosen:
            empty_lists.append(path)
            return _ABSENT
        return chosen
    raw = form.get(name)
    if raw is None:
        return _ABSENT
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if text == "":
        return _ABSENT
    if widget in _CHOICES:
        return _choice([(True, "Ja"), (False, "Nee")] if widget == "boolean" else _options(prop) or [], text)
    if widget == "confirm":
        return True if text == "ja" else text
    if widget == "number":
        return _number(text, integer=prop.get("type") == "integer")
    if widget == "date":
        return _date(text)
    if widget == "datetime":
        return _datetime(text)
    return text


def _parse_rows(prop: Mapping, form, names: tuple, path: tuple, empty_lists: list) -> Any:
    prefix = field_name(names) + "-"
    # At most six digits: a row number is small, and int() refuses very long digit strings.
    indexes = sorted({int(m.group(1)) for key in form.keys() if key.startswith(prefix)
                      and (m := re.match(r"(\d{1,6})-", key[len(prefix):]))})
    rows = []
    for index in indexes:
        row_empty_lists: list[tuple] = []
        row = _parse_object(prop["items"], form, names + (index,), path + (len(rows),), row_empty_lists)
        if row:  # a row left empty is one of the spare rows, not an answer
            rows.append(row)
            empty_lists.extend(row_empty_lists)
    if not rows:
        empty_lists.append(path)
        return _ABSENT
    return rows


def _choice(options: list[tuple[Any, str]], text: str) -> Any:
    for const, _title in options:
        if _choice_value(const) == text:
            return const
    return text


def _number(text: str, *, integer: bool) -> Any:
    compact = text.replace(" ", "")
    if re.fullmatch(r"[+-]?\d{1,18}", compact):
        return int(compact)
    if not integer:
        decimal = compact.replace(",", ".")
        if re.fullmatch(r"[+-]?(\d{1,18}(\.\d{0,18})?|\.\d{1,18})", decimal):
            return float(decimal)
    return text


def _date(text: str) -> str:
    # Browsers without a date picker let people type the Dutch way, as the error message suggests.
    dutch = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text)
    if dutch:
        try:
            return date(int(dutch[3]), int(dutch[2]), int(dutch[1])).isoformat()
        except ValueError:
            return text
    return text


def _datetime(text: str) -> str:
    dutch = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}),? +(\d{1,2})[:.](\d{2})", text)
    if dutch:
        day, month, year, hour, minute = (int(g) for g in dutch.groups())
        try:
            local = datetime(year, month, day, hour, minute)
        except ValueError:
            return text
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?", text):
        try:
            local = datetime.fromisoformat(text)
        except ValueError:
            return text
    else:
        return text
    # A wall-clock time in the hour that happens twice in October is the first (summer time) one
    # (fold=0); one in the hour skipped in March does not exist and is moved on by the hour.
    moment = local.replace(tzinfo=AMSTERDAM) if local.tzinfo is None else local
    return moment.astimezone(timezone.utc).astimezone(AMSTERDAM).replace(microsecond=0).isoformat()


def _empty_lists(schema: Mapping, data: dict, empty_lists: list[tuple], read_only: Mapping) -> None:
    """Checkboxes with none ticked, or rows all empty, say "none" where the form wants a list and
    "no answer" where it does not: a form may require the list (and allow it empty: "no partner
    involved? leave it empty") for one choice and forbid it for another. A list is required when
    the engine would report it missing, so ask the same schema."""
    known = dict(data)
    known.update((name, read_only[name]) for name, prop in _properties(schema)
                 if prop.get("readOnly") and name in read_only)
    # Where the list's own schema wants an item, "required" and "minItems" say the same thing to the
    # caseworker; leave the answer out there.
    wanted = {path for path in empty_lists if not (_schema_at(schema, path).get("minItems") or 0)}
    if not wanted:
        return
    for error in Draft202012Validator(schema).iter_errors(known):
        if error.validator != "required" or not isinstance(error.instance, dict):
            continue
        for name in error.validator_value:
            path = tuple(error.absolute_path) + (name,)
            if path in wanted and name not in error.instance:
                parent = data
                for part in path[:-1]:
                    parent = parent[part]
                parent[name] = []


def _schema_at(schema: Mapping, path: tuple) -> Mapping:
    node = schema
    for part in path:
        node = node["items"] if isinstance(part, int) else node["properties"][part]
    return node


# --- error messages in Dutch --------------------------------------------------------------------------

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
        props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
        items = node.get("items") if isinstance(node.get("items"), dict) else None
        if part in props and isinstance(props[part], dict):
            node = props[part]
        elif items is not None and part.isdigit() and _widget(node, read_only=False) == "rows":
            node = items
        else:
            break
        taken.append(part)
    if not taken:
        return pointer, None, False
    return "/".join(taken), node, len(taken) < len(parts)


def _message(error: FieldError, prop: Mapping | None, deeper: bool, schema: Mapping, key: str) -> str:
    code = error.code
    if code in ("additionalProperties", "reserved") or (prop is None and error.field):
        return "Dit veld hoort niet bij het formulier."
    if code == "noForm":
        return "Bij deze taak hoort geen formulier. Er hoeft niets ingevuld te worden."
    if prop is None:
        return "Deze waarde is hier niet toegestaan."
    widget = _widget(prop, read_only=False)
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
    if code in ("enum", "oneOf", "anyOf", "const") or (code == "type" and widget in _CHOICES):
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
            props = node.get("properties") if isinstance(node.get("properties"), dict) else {}
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
