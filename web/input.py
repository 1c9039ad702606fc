"""What the app accepts from a request before any view reads it: the ids in its path, its size,
and its characters.

Ids: a case number or a task id that cannot exist does not match its route, so it is a 404
before any query runs (a number past PostgreSQL's `integer` was a 500, a NUL in a task id too).

Characters: control characters (NUL and the like) have no place in anything a person types; a
NUL cannot even be stored in PostgreSQL. One check here covers every path, query string and form
field of every page, now and later (deny by default), with a Dutch 400 page. Only the values of
the schema forms (a task's form, the aanmelding) are left to the engine, which refuses the same
characters as an error at the field (engine/validation.py): there the caseworker keeps what they
typed and sees which field to fix. Their field names are still checked here.
"""
from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import BaseConverter, IntegerConverter

from engine.validation import CONTROL_CHARACTERS
from zvt.config import Config

# Case numbers are PostgreSQL `integer` keys (engine/db.py, Instance.id).
MAX_CASE_NUMBER = 2**31 - 1
# Form fields of a browser's POST: the rows of a long form stay far below this.
MAX_FORM_PARTS = 1000
# Endpoints whose form values go to the engine's check, which names the field (see above).
FIELD_CHECKED_ENDPOINTS = frozenset({"tasks.submit", "starten.start"})


class CaseNumberConverter(IntegerConverter):
    """`<casus:number>`: a case number as the database can hold it, else no match (404)."""

    def __init__(self, url_map) -> None:
        super().__init__(url_map, min=1, max=MAX_CASE_NUMBER)


class TaskIdConverter(BaseConverter):
    """`<taak:task_id>`: a SpiffWorkflow task id (also a timer's id), a UUID as str(uuid4()) writes it."""

    regex = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


class ProcessIdConverter(BaseConverter):
    """`<proces:process_id>`: a BPMN process id (an XML name without ":"), as deploy stores it."""

    regex = r"[A-Za-z_][A-Za-z0-9_.-]{0,254}"


class ControlCharacters(BadRequest):
    """A request with a control character in its path, query string or form."""


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def init_app(app: Flask, config: Config) -> None:
    app.url_map.converters["casus"] = CaseNumberConverter
    app.url_map.converters["taak"] = TaskIdConverter
    app.url_map.converters["proces"] = ProcessIdConverter
    # Werkzeug reads no more of the body than this (413), and no form field or part count past it.
    app.config.update(MAX_CONTENT_LENGTH=config.max_request_bytes, MAX_FORM_MEMORY_SIZE=config.max_request_bytes,
                      MAX_FORM_PARTS=MAX_FORM_PARTS)
    # First of all before_request functions: nothing else (the login check's redirect with
    # `next`, the CSRF check) sees the request before it is known to be clean.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_control_characters)


def refuse_control_characters() -> None:
    # The path as decoded (%00 is a NUL here) and the raw query string's decoded pairs.
    texts = [request.path]
    for key, value in request.args.items(multi=True):
        texts += [key, value]
    if request.method == "POST":
        field_checked = request.endpoint in FIELD_CHECKED_ENDPOINTS
        for key, value in request.form.items(multi=True):
            texts.append(key)
            if not field_checked:
                texts.append(value)
    if any(has_control_characters(text) for text in texts):
        raise ControlCharacters()

