"""One task: its form, and claiming, releasing or giving it to a colleague."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine import Conflict, InvalidTaskData, TaskClosedByDeadline, after_task, casework

from . import dossier
from .areas import engine, now, origin, signed_in_user
from .errors import COMPLETED_BY_COLLEAGUE_PAGE, TASK_CLOSED_PAGE, render_error
from .forms import dutch_errors, parse_form, render_form

bp = Blueprint("tasks", __name__)
NO_FORM = {"type": "object", "properties": {}}


@bp.get("/taken/<taak:task_id>")
def show(task_id: str):
    page = casework.open_task(engine(), signed_in_user(), task_id, origin())
    # The user's own draft, if they saved one (engine/drafts.py): what they typed comes back. A
    # list still empty starts with the rows the form's rules ask for (the register's recipients).
    values = dict(page.draft.data) if page.draft else {}
    values.update({name: rows for name, rows in page.prefill.items() if not values.get(name)})
    return _page(page, values=values, errors={})


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
        done = casework.submit_task(engine(), signed_in_user(), task_id, from_post, origin())
    except TaskClosedByDeadline:
        raise
    except Conflict:
        return task_gone(task_id)
    except InvalidTaskData as exc:
        # Everything entered stays on the page, with a message at every field that needs it.
        page = casework.open_task(engine(), signed_in_user(), task_id, origin())
        return _page(page, values=posted["data"], errors=dutch_errors(exc.errors, posted["schema"]), status=400)
    flash(f"De taak ‘{done.task_name}’ is afgerond.", "ok")
    return redirect(_after_submit(done.case_number))


def _after_submit(case_number: int) -> str:
    """The case page if the user may still see it after their step, else Mijn taken: the last
    task of a role in a case can be what let the role see it. Asking writes no refusal."""
    if after_task.may_view_case(engine(), signed_in_user(), case_number):
        return url_for("cases.show", number=case_number)
    return url_for("inbox.index")


def task_gone(task_id: str):
    """The task was no longer open when the form arrived. Sent twice by its own completer (a
    double click, the back button): the first time counted, say so. Else who closed it."""
    finished = after_task.finished(engine(), task_id)
    if finished is None:
        return render_error(409)  # the case changed under the form; the task may still be open
    if finished.completed_by(signed_in_user()):
        flash("U had deze taak al afgerond. Wat u de eerste keer verstuurde, is opgeslagen. "
              "Dit tweede verzoek heeft niets veranderd.", "info")
        return redirect(_after_submit(finished.case_number))
    if finished.state == "completed":
        return render_error(409, *COMPLETED_BY_COLLEAGUE_PAGE)
    return render_error(409, *TASK_CLOSED_PAGE)


@bp.post("/taken/<taak:task_id>/oppakken")
def claim(task_id: str):
    casework.claim(engine(), signed_in_user(), task_id, origin())
    flash("U heeft de taak opgepakt. Hij staat nu bij uw taken.", "ok")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/taken/<taak:task_id>/vrijgeven")
def release(task_id: str):
    casework.release(engine(), signed_in_user(), task_id, origin())
    flash("De taak staat weer bij de open taken van de rol.", "ok")
    return redirect(url_for("inbox.index"))


@bp.post("/taken/<taak:task_id>/toewijzen")
def assign(task_id: str):
    colleague = request.form.get("collega", "")
    expected = request.form.get("huidige") or None
    casework.assign(engine(), signed_in_user(), task_id, colleague, expected, origin())
    flash("De taak is toegewezen.", "ok")
    return redirect(url_for("inbox.index"))


def _page(page: casework.TaskPage, *, values: dict, errors: dict, status: int = 200):
    form = render_form(page.schema, values, errors, page.read_only, ui=page.ui) if page.schema else None
    return render_template("task.html", page=page, form=form, errors=errors, moment=now(),
                           context=dossier.context(page.context, page.forms)), status
