"""The fields of a task form as HTML (templates in web/templates/form/), read-only fields in Dutch."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from engine.date_rules import TODAY
from engine.list_rules import ONE_OF
from engine.ui_schema import ordered, widgets_for

from .dates import dutch_date, dutch_datetime, moment_of
from .schema import ABSENT, CHOICES, choice_value, field_id, field_name, options_of, properties_of, widget_of

# Rows of an array of objects: the entered ones plus this many empty ones to fill in.
EXTRA_ROWS = 2
ERROR_SUMMARY_ID = "form-errors"
# Where the browser can check `required` itself without refusing a correct answer.
_BROWSER_REQUIRED = {"text", "textarea", "date", "datetime", "number", "radio", "select", "boolean", "confirm"}


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
    return Environment(loader=FileSystemLoader(Path(__file__).parent.parent / "templates"), autoescape=True,
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
    properties = dict(properties_of(schema))
    items: list = []
    for name in ordered(list(properties), ui):
        prop = properties[name]
        if top and prop.get("readOnly"):
            value = context.read_only.get(name, values.get(name, ABSENT))
        else:
            value = values.get(name, ABSENT)
        field_ui = field_ui if isinstance(field_ui := ui.get(name), Mapping) else {}
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
    widget = widget_of(prop)
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
        item.display = display_value(prop, value)
    elif widget in ("text", "textarea", "date"):
        item.value = "" if value is ABSENT or value is None else str(value)
        if isinstance(prop.get("maxLength"), int):
            item.attrs["maxlength"] = prop["maxLength"]
    elif widget == "datetime":
        item.value = _datetime_input(value)
        if item.value.count(":") == 2:
            item.attrs["step"] = 1  # a moment with seconds must not be refused by the browser
    elif widget == "number":
        item.value = "" if value is ABSENT or value is None else choice_value(value)
        for keyword in ("minimum", "maximum"):
            if isinstance(prop.get(keyword), (int, float)):
                item.attrs[keyword[:3]] = prop[keyword]
        if prop.get("type") == "integer":
            item.attrs["inputmode"] = "numeric"
        else:
            item.attrs["step"] = "any"
    elif widget in CHOICES or widget == "checkboxes":
        if widget == "boolean":
            options = [(True, "Ja"), (False, "Nee")]
        else:
            options = options_of((prop.get("items") or {}) if widget == "checkboxes" else prop) or []
        chosen = {choice_value(v) for v in value} if widget == "checkboxes" and isinstance(value, list) else (
            set() if value is ABSENT or value is None else {choice_value(value)})
        # "x-zvt-een-van" over a list the case filled in (a read-only field): offer only what the
        # server would take, and what was chosen already, so that its error can be shown.
        allowed = context.read_only.get(one_of) if isinstance(one_of := prop.get(ONE_OF), str) else None
        if isinstance(allowed, list):
            allowed = {choice_value(v) for v in allowed} | chosen
            options = [(const, option_title) for const, option_title in options if choice_value(const) in allowed]
        item.options = [Option(item.id if i == 0 else f"{item.id}--{i}", choice_value(const), option_title,
                               choice_value(const) in chosen) for i, (const, option_title) in enumerate(options)]
    elif widget == "confirm":
        item.options = [Option(item.id, "ja", title, value is True)]
    elif widget == "group":
        item.children = _items(prop, value if isinstance(value, Mapping) else {}, path, titles + (title,),
                               top=False, context=context, ui=ui)
    elif widget == "rows":
        item.rows = _rows(prop, value if isinstance(value, list) else [], path, titles + (title,), context,
                          rows_ui if isinstance(rows_ui := ui.get("items"), Mapping) else {})
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
    if value is ABSENT or value is None:
        return ""
    moment = moment_of(value)
    if moment is None:
        return str(value)  # what was typed, so the caseworker sees what to correct
    return moment.strftime("%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M")


# --- read-only fields, in Dutch -----------------------------------------------------------------------

def _text(*lines: str) -> dict:
    return {"kind": "text", "lines": list(lines)}


def display_value(prop: Mapping, value: Any) -> dict:
    """A value as the caseworker reads it, by its field's schema: the choice's title, Ja/Nee, a Dutch
    date; lists and groups as nested nodes (the `display` macro in templates/form/fields.html)."""
    if value is ABSENT or value is None:
        return _text("Niet ingevuld")
    options = options_of(prop)
    if options is not None:
        titles = {choice_value(const): title for const, title in options}
        return _text(titles.get(choice_value(value), str(value)))
    if isinstance(value, bool):
        return _text("Ja" if value else "Nee")
    if isinstance(value, list):
        if not value:
            return _text("Geen")
        items_schema = items_schema if isinstance(items_schema := prop.get("items"), dict) else {}
        return {"kind": "list", "entries": [display_value(items_schema, v) for v in value]}
    if isinstance(value, Mapping):
        props = dict(properties_of(prop))
        # A schema that names its fields shows those, in its order; what else the value holds (a
        # code looked up for a form's rule, such as a register row's partner) is not for reading.
        keys = [k for k in props if k in value] if props else list(value)
        return {"kind": "pairs", "entries": [(str(props.get(k, {}).get("title") or k), display_value(props.get(k, {}),
                                                                                                     value[k]))
                                           for k in keys]}
    if prop.get("format") == "date" and isinstance(value, str):
        # A day of the week helps to plan; a date in the past, as a date of birth, reads better without.
        in_the_past = TODAY in (prop.get("x-zvt-niet-na"), prop.get("x-zvt-voor"))
        return _text(dutch_date(value, weekday=not in_the_past))
    if prop.get("format") == "date-time" and isinstance(value, str):
        return _text(dutch_datetime(value))
    if isinstance(value, float):
        return _text(str(value).replace(".", ","))
    return _text(*str(value).splitlines() or [""])
