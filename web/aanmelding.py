"""Nieuwe aanmelding: any partner employee refers a person to the procesregisseur."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import InvalidTaskData, casework, policy

from .areas import current_user, engine, origin
from .forms import dutch_errors, parse_form, render_form

bp = Blueprint("aanmelding", __name__)
PROCESS = "zvt_casus"


@bp.get("/aanmelding/nieuw")
def new():
    schema = _schema()
    return render_template("aanmelding.html", schema=schema, form=render_form(schema, ui=_ui()), errors={})


@bp.post("/aanmelding/nieuw")
def create():
    schema = _schema()
    data = parse_form(schema, request.form)
    try:
        case = casework.start_case(engine(), current_user(), PROCESS, data, origin())
    except InvalidTaskData as exc:
        errors = dutch_errors(exc.errors, schema)
        return render_template("aanmelding.html", schema=schema, form=render_form(schema, data, errors, ui=_ui()),
                               errors=errors), 400
    flash(f"De aanmelding is verstuurd. Het casusnummer is {case}. "
          "De procesregisseur laat u weten of het team de aanmelding oppakt.", "ok")
    return redirect(url_for("cases.show", number=case))


def _ui() -> dict:
    return engine().start_form_ui(PROCESS)


def _schema() -> dict:
    if not policy.may_start(current_user(), PROCESS):
        abort(403)
    schema = engine().start_form(PROCESS)
    if schema is None:
        abort(404)
    return schema
