"""Drafts of a task's form: "Tussentijds opslaan", the page's autosave, and a form that
arrives after the idle timeout (engine/drafts.py keeps them).

A form sent after the idle timeout is not thrown away. Its request still carries the signed
session cookie of the person who opened the form and a valid CSRF token of that session (the
CSRF check runs before the login check, web/security.py), so the posted values are kept as that
account's draft of the task and shown only to that account, after it logs in again. Nothing is
completed: the person sees the form filled in and sends it themselves. This is refused when the
session was ended on purpose (logout, switched-off account: the epoch differs), when its login
is older than a session may last, and when the account may not do the task (logged refusal).
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request, url_for

from engine import Conflict, NotFound, accounts, drafts
from engine.casework import Forbidden

from .areas import engine, now, origin, signed_in_user
from .forms import parse_form
from .tasks import task_gone

bp = Blueprint("drafts", __name__)
NO_FORM = {"type": "object", "properties": {}}
# The page's script asks for an empty answer instead of a page (web/static/task-draft.js).
AUTOSAVE_HEADER = "X-ZVT-Autosave"
KEPT_MESSAGE = ("Wat u invulde is bewaard als concept. Het is nog niet verstuurd. Log opnieuw in: "
                "daarna ziet u het formulier weer ingevuld en kunt u het afronden.")
# Endpoints whose POST, arriving after the idle timeout, is kept as a draft of its task.
_KEPT_ENDPOINTS = frozenset({"tasks.submit", "drafts.save"})


def _from_post(schema: dict | None, read_only: dict) -> dict:
    return parse_form(schema or NO_FORM, request.form, read_only)


@bp.post("/taken/<taak:task_id>/concept")
def save(task_id: str):
    try:
        drafts.save(engine(), signed_in_user(), task_id, _from_post, origin())
    except NotFound:
        # No longer open: completed (by whom?) or closed; a draft of it has no use.
        return task_gone(task_id)
    if request.headers.get(AUTOSAVE_HEADER):
        return "", 204
    flash("Uw concept is opgeslagen. Het is nog niet verstuurd: alleen u ziet het.", "ok")
    return redirect(url_for("tasks.show", task_id=task_id))


@bp.post("/taken/<taak:task_id>/concept/weggooien")
def discard(task_id: str):
    if drafts.discard(engine(), signed_in_user(), task_id, origin()):
        flash("Uw concept is weggegooid.", "ok")
    else:
        flash("U had geen concept van deze taak. Er is niets weggegooid.", "info")
    return redirect(url_for("tasks.show", task_id=task_id))


def keep_after_timeout(expired: dict) -> tuple[str, str] | None:
    """Called by web/auth.py when a session is found idle too long, before it is cleared, with
    the expired session's values. Keeps a task form's POST as a draft of the session's account;
    returns the task's address to go to after logging in and the message to show, or None when
    nothing was kept."""
    if request.method != "POST" or request.endpoint not in _KEPT_ENDPOINTS:
        return None
    config = current_app.extensions["zvt_config"]
    moment = now().timestamp()
    if moment - expired.get("login_at", 0) > config.session_max_hours * 3600:
        return None
    account = accounts.load_account(engine(), expired.get("username", ""))
    if (account is None or account.session_epoch != expired.get("epoch")
            or (account.demo and config.is_production)):
        return None
    task_id = (request.view_args or {})["task_id"]
    try:
        drafts.save(engine(), account.user, task_id, _from_post, origin())
    except (Forbidden, NotFound, Conflict):
        return None
    return url_for("tasks.show", task_id=task_id), KEPT_MESSAGE


@bp.record_once
def _register(state) -> None:
    state.app.extensions["zvt_keep_after_timeout"] = keep_after_timeout
