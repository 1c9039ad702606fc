"""One task: its form, and claiming, releasing or giving it to a colleague."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine import InvalidTaskData, casework

from . import dossier
from .areas import current_user, engine, now, origin
from .forms import dutch_errors, parse_form, render_form

bp = Blueprint("tasks", __name__)
NO_FORM = {"type": "object", "properties": {}}


@bp.get("/taken/<taak:task_id>")
def show(task_id: str):
    page = casework.open_task(engine(), current_user(), task_id, origin())
    return _page(page, values={}, errors={})


@bp.post("/taken/<taak:task_id>")
def submit(task_id: str):
    posted = {"schema": NO_FORM, "data": {}}

    def from_post(schema: dict | None, read_only: dict) -> dict:
        # Read in the engine's transaction, after its policy check, with the form's schema and
        # the case's values of the read-only fields (which only tell "ticked nothing" from
        # "not answered"; they are not shown). One transaction for the whole post.
        posted["schema"] = schema or NO_FORM
        posted["data"] = parse_form(posted["schema"], request.form, read_only)
        return posted["data"]

    try:
        done = casework.submit_task(engine(), current_user(), task_id, from_post, origin())
    except InvalidTaskData as exc:
        # Everything entered stays on the page, with a message at every field that needs it.
        page = casework.open_task(engine(), current_user(), task_id, origin())
        return _page(page, values=posted["data"], errors=dutch_errors(exc.errors, posted["schema"]), status=400)
    flash(f"De taak ‘{done.task_name}’ is afgerond.", "ok")
    return redirect(url_for("cases.show", number=done.case_number))


@bp.post("/taken/<taak:task_id>/oppakken")
def claim(task_id: str):
    casework.claim(engine(), current_user(), task_id, origin())
    flash("U heeft de taak opgepakt. Hij staat nu bij uw taken.", "ok")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/taken/<taak:task_id>/vrijgeven")
def release(task_id: str):
    casework.release(engine(), current_user(), task_id, origin())
    flash("De taak staat weer bij de open taken van de rol.", "ok")
    return redirect(url_for("inbox.index"))


@bp.post("/taken/<taak:task_id>/toewijzen")
def assign(task_id: str):
    colleague = request.form.get("collega", "")
    expected = request.form.get("huidige") or None
    casework.assign(engine(), current_user(), task_id, colleague, expected, origin())
    flash("De taak is toegewezen.", "ok")
    return redirect(url_for("inbox.index"))


def _page(page: casework.TaskPage, *, values: dict, errors: dict, status: int = 200):
    form = render_form(page.schema, values, errors, page.read_only, ui=page.ui) if page.schema else None
    return render_template("task.html", page=page, form=form, errors=errors, moment=now(),
                           context=dossier.context(page.context, page.forms)), status
