"""The start page."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from engine import Engine, casework

from .auth import now, signed_in_user

bp = Blueprint("home", __name__)


def engine() -> Engine:
    return current_app.extensions["zvt_engine"]


@bp.get("/")
def index():
    # Only the user's own work: counting every open task would tell anyone how busy each
    # role is, and is not theirs to know.
    inbox = casework.inbox(engine(), signed_in_user(), now())
    return render_template("home.html", inbox=inbox)
