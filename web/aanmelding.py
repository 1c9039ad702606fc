"""Melden of starten: the start page of every process a person starts by hand.

The aanmelding (zvt_casus, /aanmelding/nieuw), a datalek, a rights request of a betrokkene, a
complaint and a convenant change all start the same way: the process's start form, rendered
and checked like every task form, sent to `casework.start_case`, which asks the policy, sets
the starter's organisation from the login and logs the new case. Which processes have a page,
at which address and with which Dutch texts is data (`start_pages.json`); who may start which
is `policy.may_start`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from engine import InvalidTaskData, casework, policy
from engine.errors import ProcessNotFound
from engine.identity import User

from .areas import current_user, engine, origin, signed_in_user
from .forms import dutch_errors, parse_form, render_form

bp = Blueprint("starten", __name__)
INDEX_PATH = "/melden"


@dataclass(frozen=True)
class StartPage:
    process: str
    path: str
    label: str
    intro: str
    button: str
    confirmation: str  # "{case}" is replaced by the case number
    own_organisation: tuple[str, ...]  # form fields filled in beforehand with the starter's organisation


START_PAGES = Path(__file__).with_name("start_pages.json")


def load_pages(path: Path = START_PAGES) -> tuple[StartPage, ...]:
    entries = json.loads(path.read_text(encoding="utf-8"))["pages"]
    return tuple(StartPage(e["process"], e["path"], e["label"], e["intro"], e["button"], e["confirmation"],
                           tuple(e.get("own_organisation", ()))) for e in entries)


PAGES = load_pages()
_BY_PROCESS = {page.process: page for page in PAGES}


def pages_for(user: User | None) -> list[StartPage]:
    """The start pages this user may use, for the menu and the list: the policy alone decides."""
    if user is None:
        return []
    return [page for page in PAGES if policy.may_start(user, page.process)]


@bp.app_context_processor
def _menu():
    return {"zvt_start_pages": pages_for(current_user())}


@bp.get(INDEX_PATH)
def index():
    pages = [page for page in pages_for(current_user()) if _deployed_form(page.process) is not None]
    if not pages:
        abort(403)  # the menu offers this page only to who may start something
    return render_template("starten.html", pages=pages)


def start(process_id: str):
    page = _BY_PROCESS[process_id]
    user = signed_in_user()
    casework.check_start(engine(), user, process_id, origin())  # 403, logged, for a guessed address
    schema = _deployed_form(process_id)
    if schema is None:
        abort(404)
    ui = engine().start_form_ui(process_id)
    properties = schema.get("properties") or {}
    if request.method == "GET":
        prefilled = {field: user.partner for field in page.own_organisation if field in properties}
        return render_template("aanmelding.html", page=page, schema=schema, errors={},
                               form=render_form(schema, prefilled, ui=ui))
    data = parse_form(schema, request.form)
    try:
        case = casework.start_case(engine(), user, process_id, data, origin())
    except InvalidTaskData as exc:
        errors = dutch_errors(exc.errors, schema)
        return render_template("aanmelding.html", page=page, schema=schema, errors=errors,
                               form=render_form(schema, data, errors, ui=ui)), 400
    flash(page.confirmation.replace("{case}", str(case)), "ok")
    if casework.may_view(engine(), user, case):
        return redirect(url_for("cases.show", number=case))
    # Never send someone to a page that refuses them: the case is for whoever does its next step.
    flash("U kunt deze zaak zelf niet openen. Wie de volgende stap moet doen, ziet die in Mijn taken.", "info")
    return redirect(url_for("starten.index"))


for _page in PAGES:
    bp.add_url_rule(_page.path, endpoint="start", view_func=start, methods=["GET", "POST"],
                    defaults={"process_id": _page.process})


def _deployed_form(process_id: str) -> dict | None:
    try:
        return engine().start_form(process_id)
    except ProcessNotFound:
        return None
