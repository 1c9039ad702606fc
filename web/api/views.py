"""The API's views, one per operation of the OpenAPI document (web/api/openapi.py), by operationId.

Thin, like the pages' views: each calls the same casework function as its page does
(engine/casework.py), so the policy and the access log are the pages' own; only the caller (the
client's service account) and the origin (`api:<client>`) come from the token.
"""
from __future__ import annotations

from flask import jsonify, url_for

from engine import Conflict, TaskClosedByDeadline, after_task, case_items, casework, startable
from engine.item_policy import rules

from ..areas import engine, now
from . import case_view
from .openapi import DOCUMENT
from .problems import problem
from .requests import body, caller, origin

iso = case_view.iso


def openapi():
    return jsonify(DOCUMENT)


def list_processes():
    return {"processes": [{"process_id": p.process_id, "name": p.name, "start_form": p.start_form}
                          for p in startable.processes(engine(), caller().user)]}


def start_case():
    payload = body("StartCase")
    user = caller().user
    number = casework.start_case(engine(), user, payload["process_id"], payload["data"], origin())
    return ({"number": number, "may_read": casework.may_view(engine(), user, number)}, 201,
            {"Location": url_for("api.get_case", number=number)})


def get_case(number: int):
    user = caller().user
    page = casework.view_case(engine(), user, number, origin(), offer_feedback=False)
    items = case_items.for_case(engine(), user, number, origin())
    return case_view.case_json(page, items, casework.partner_names(engine()), user, rules().wpg_notice)


def list_tasks():
    inbox = casework.inbox(engine(), caller().user, now())
    return {"tasks": [{
        "id": i.task.id, "name": i.task.name, "case": i.case_number, "process_id": i.process_id,
        "process_name": i.process_name, "lane": i.task.lane, "assignee": i.task.assignee, "mine": i.mine,
        "due_at": iso(i.task.due_at), "overdue": i.overdue, "paused_at": iso(i.task.paused_at),
    } for i in inbox.items]}


def get_task(task_id: str):
    page = casework.open_task(engine(), caller().user, task_id, origin())
    task = page.task
    return {"id": task.id, "name": task.name, "case": task.instance_id, "process_id": task.process_id,
            "process_name": page.process_name, "lane": task.lane, "assignee": task.assignee,
            "due_at": iso(task.due_at), "paused_at": iso(task.paused_at), "form": page.schema,
            "read_only": page.read_only, "prefill": page.prefill}


def complete_task(task_id: str):
    payload = body("CompleteTask")
    user = caller().user
    try:
        done = casework.submit_task(engine(), user, task_id, payload["data"], origin())
    except TaskClosedByDeadline:
        raise
    except Conflict:
        # As the page's task_gone: a repeated request of its own (a retry after a lost answer) is told
        # that the first one counted; else who or what closed it.
        finished = after_task.finished(engine(), task_id)
        if finished is None:
            raise
        mine = finished.completed_by(user)
        detail = ("This client completed the task already; the first request counted, this one changed nothing."
                  if mine else "Someone else completed this task already; nothing was saved."
                  if finished.state == "completed" else "The task was closed (its deadline passed or the case "
                                                        "stopped); nothing was saved.")
        return problem(409, detail, completed_by_you=mine)
    return {"case": done.case_number, "task_name": done.task_name,
            "may_read_case": after_task.may_view_case(engine(), user, done.case_number)}


VIEWS = {view.__name__: view for view in (openapi, list_processes, start_case, get_case, list_tasks, get_task,
                                          complete_task)}
