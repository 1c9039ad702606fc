"""Mijn taken: my tasks, the open tasks of my roles, and what is overdue."""
from __future__ import annotations

from flask import Blueprint, render_template

from engine import casework

from .areas import engine, now, register_filters, signed_in_user

bp = Blueprint("inbox", __name__)
bp.record_once(lambda state: register_filters(state.app))


@bp.get("/taken")
def index():
    moment = now()
    return render_template("inbox.html", inbox=casework.inbox(engine(), signed_in_user(), moment), moment=moment)
