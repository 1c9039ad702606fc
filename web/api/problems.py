"""Errors of the API as problem documents (RFC 9457, `application/problem+json`), in English.

The API's own errors are turned into these by its blueprint's handlers (web/api/__init__.py); what
the app refuses before a view runs (an address that matches no route, a method it does not take, a
body too large, a control character, the database too slow) goes through web/errors.py's handlers,
which ask `is_api_request` and answer with `for_status` instead of a Dutch page.
"""
from __future__ import annotations

from flask import Response, current_app, json, request
from werkzeug.http import HTTP_STATUS_CODES

from engine.errors import FieldError

from .openapi import INVALID_DATA_TYPE, PREFIX, PROBLEM_TYPE

# What each status means for a partner system's developer, when nothing more specific is known.
DETAILS = {
    400: "The request is not valid.",
    401: "Send the client's token as 'Authorization: Bearer <token>'.",
    403: "The policy does not let this client do this.",
    404: "There is no such resource.",
    405: "This address does not take this method.",
    409: "The case changed at the same moment; nothing was saved. Read it again and decide whether it is still needed.",
    413: "The body is too large.",
    415: "Send the body as application/json.",
    429: "Too many requests; wait as long as Retry-After says.",
    500: "Something went wrong in ZVT; nothing was saved.",
    503: "The database did not answer in time; nothing was saved. Try again.",
}


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def problem(status: int, detail: str | None = None, *, headers: dict | None = None,
            errors: list[FieldError] | None = None, pointer_base: str = "", **extra) -> Response:
    body = {"type": INVALID_DATA_TYPE if errors is not None else "about:blank",
            "title": HTTP_STATUS_CODES.get(status, "Error"), "status": status,
            "detail": detail or DETAILS.get(status, DETAILS[500] if status >= 500 else DETAILS[400])}
    if errors is not None:
        body["errors"] = [field_error(error, pointer_base) for error in errors]
    body.update(extra)
    response = current_app.response_class(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    response.headers.update(headers or {})
    return response


def for_status(status: int) -> tuple[Response, int]:
    """For web/errors.py's render_error: the problem document of a status, as (response, status)."""
    headers = {"WWW-Authenticate": 'Bearer realm="zvt"'} if status == 401 else None
    return problem(status, headers=headers), status


def field_error(error: FieldError, pointer_base: str = "") -> dict:
    # The engine joins a field's path with "/" already; only "~" needs escaping for a JSON Pointer.
    pointer = f"{pointer_base}/{error.field.replace('~', '~0')}" if error.field else pointer_base
    return {"field": error.field, "pointer": pointer,
            "message": error.message, "code": error.code}
