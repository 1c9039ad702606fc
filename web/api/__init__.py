"""The REST API for partner systems: /api/v1, described by /api/v1/openapi.json (docs/api.md).

Built from the OpenAPI document (web/api/openapi.py): a route for each of its operations, by its
operationId, and no other; every request but the document itself needs a client's token
(engine/api_clients.py) and is counted against the client's rate limit (engine/api_limits.py).
Errors are problem documents (RFC 9457). No session and no CSRF token: web/auth.py and
web/security.py leave this blueprint alone, and a request with a session cookie is refused.
"""
from __future__ import annotations

import logging
import re

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from engine import api_clients
from engine.casework import Forbidden
from engine.errors import Conflict, EngineError, InvalidTaskData, NotFound, TaskClosedByDeadline, WorkflowFailed

from ..security import csrf
from .openapi import operations
from .problems import problem
from .requests import BodyRefused, authenticate, refused_body
from .views import VIEWS

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # no cookies are taken (requests.authenticate), so there is no session to forge requests in

# Path parameters of the document -> the converters the pages use for them (web/input.py), so an id
# that cannot exist is a 404 before any query, as on the pages.
CONVERTERS = {"number": "casus", "task_id": "taak"}
PUBLIC_OPERATIONS = frozenset({"openapi"})

_TOKEN_DETAILS = {
    "missing": "Send the client's token as 'Authorization: Bearer <token>'.",
    "cookie": "The API takes no session cookie: send the client's token in the Authorization header, and no cookies.",
    "unknown": "The token is not known.",
    "expired": "The token has expired; ask the beheerder for a new one.",
    "revoked": "The token has been revoked.",
    "inactive": "The client's service account, or its organisation, no longer works.",
    "pending": "The client's organisation's gemachtigde has not approved it (yet).",
}


def _rule(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: f"<{CONVERTERS[m.group(1)]}:{m.group(1)}>", path)


def _register() -> None:
    views = dict(VIEWS)
    for path, method, operation in operations():
        view = views.pop(operation["operationId"])  # KeyError: an operation without a view
        # No automatic OPTIONS: a method the document does not list is a 405, as for any other.
        bp.add_url_rule(_rule(path), endpoint=operation["operationId"], view_func=view, methods=[method.upper()],
                        provide_automatic_options=False)
    if views:
        raise RuntimeError(f"API views without an operation in the OpenAPI document: {', '.join(sorted(views))}")


_register()


@bp.before_request
def _authenticate():
    if request.endpoint not in {f"{bp.name}.{name}" for name in PUBLIC_OPERATIONS}:
        authenticate()


@bp.errorhandler(BodyRefused)
def _body(exc: BodyRefused):
    return refused_body(exc)


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException):
    headers = {name: value for name, value in exc.get_headers() if name.lower() != "content-type"}
    return problem(exc.code or 500, headers=headers)


@bp.errorhandler(EngineError)
def _engine(exc: EngineError):
    if isinstance(exc, api_clients.TokenRefused):
        challenge = 'Bearer realm="zvt"' if exc.reason in ("missing", "cookie") \
            else 'Bearer realm="zvt", error="invalid_token"'
        return problem(401, _TOKEN_DETAILS[exc.reason], headers={"WWW-Authenticate": challenge})
    if isinstance(exc, api_clients.RateLimited):
        from ..areas import now

        return problem(429, f"This client may make {exc.window.limit} requests a minute.",
                       headers={"Retry-After": str(exc.window.retry_after(now()))})
    if isinstance(exc, Forbidden):
        return problem(403)
    if isinstance(exc, NotFound):
        return problem(404)
    if isinstance(exc, InvalidTaskData):
        return problem(422, "The data does not pass the form; nothing was saved.", errors=exc.errors,
                       pointer_base="/data")
    if isinstance(exc, TaskClosedByDeadline):
        return problem(409, "The deadline of this task passed before it was completed; the task is closed and "
                            "nothing was saved.", completed_by_you=False)
    if isinstance(exc, Conflict):
        return problem(409)
    if isinstance(exc, WorkflowFailed):
        # engine/steps.py logged where it failed, without the error's text.
        return problem(500, "The process itself could not go on at this step (a script or decision of the process "
                            "failed); nothing was saved. Tell the beheerder the case number.")
    log.error("API request refused by the engine: %s", type(exc).__name__)
    return problem(500)
