"""What an API request carries: its client (from the token), its origin for the access log, and its
JSON body, checked against the operation's schema in the OpenAPI document before a view reads it."""
from __future__ import annotations

from functools import cache

from flask import abort, g, request
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from engine import access_log, api_clients
from engine.errors import FieldError
from engine.identity import Origin

from ..areas import engine, now
from ..security import SESSION_COOKIE_NAME
from .openapi import DOCUMENT
from .problems import problem

_DOCUMENT_URI = "urn:zvt:api:openapi"


class BodyRefused(Exception):
    """The body is no JSON object of the operation's schema; `errors` says where (400)."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("request body refused")
        self.errors = errors


def authenticate() -> None:
    """Before every operation but the document itself: the client of the token, counted against its
    rate limit. A session cookie is refused whatever else the request carries: the API acts on a token
    alone, so a browser's ambient login can never make a request count (and no CSRF token is needed)."""
    if SESSION_COOKIE_NAME in request.cookies:
        raise api_clients.TokenRefused("cookie")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise api_clients.TokenRefused("missing")
    g.zvt_api = api_clients.admit(engine().database, token.strip(), now())


def caller() -> api_clients.Admitted:
    return g.zvt_api


def origin() -> Origin:
    """The access log's origin: the address, and `api:<client code>` with the client's user agent."""
    agent = (request.user_agent.string or "").strip()
    return Origin(ip=request.remote_addr or "", device=access_log.api_device(caller().code, agent))


def body(schema_name: str) -> dict:
    if request.mimetype != "application/json":
        abort(415)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BodyRefused([FieldError("", "the body must be a JSON object", "type")])
    errors = [FieldError("/".join(map(str, e.absolute_path)), e.message, str(e.validator))
              for e in sorted(_validator(schema_name).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))]
    if errors:
        raise BodyRefused(errors)
    return data


def refused_body(exc: BodyRefused):
    return problem(400, "The body does not match the request's schema in the OpenAPI document.", errors=exc.errors)


@cache
def _validator(schema_name: str) -> Draft202012Validator:
    registry = Registry().with_resource(_DOCUMENT_URI, Resource.from_contents(DOCUMENT, DRAFT202012))
    return Draft202012Validator({"$ref": f"{_DOCUMENT_URI}#/components/schemas/{schema_name}"}, registry=registry)
