"""Calling the REST API in tests as a partner system does, with every answer checked against the
OpenAPI document: its status must be one the operation lists, its content type the listed one, and
its body must pass the listed schema (a problem document where no operation matched)."""
from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from engine import account_mail, account_requests, api_clients
from engine.db import OutboxMail
from web.api.openapi import DOCUMENT, PATHS, PROBLEM_TYPE

_URI = "urn:test:openapi"
_REGISTRY = Registry().with_resource(_URI, Resource.from_contents(DOCUMENT, DRAFT202012))
_BY_ID = {op["operationId"]: op for item in PATHS.values() for op in item.values()}


def validate(schema: dict, value) -> None:
    """Raise jsonschema's ValidationError when `value` does not pass `schema` (a part of the document)."""
    if "$ref" in schema:
        schema = {"$ref": _URI + schema["$ref"]}
    Draft202012Validator(schema, registry=_REGISTRY, format_checker=FormatChecker()).validate(value)


def _response_spec(operation: dict | None, status: int) -> dict:
    if operation is None:  # no route matched: the app's problem document
        return {"content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    spec = operation["responses"].get(str(status))
    assert spec is not None, f"status {status} is not in the document for {operation['operationId']}"
    if "$ref" in spec:
        spec = DOCUMENT["components"]["responses"][spec["$ref"].rsplit("/", 1)[1]]
    return spec


def conforms(app: Flask, method: str, path: str, response) -> None:
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path.split("?")[0], method=method)
    except HTTPException:
        endpoint = None
    operation = _BY_ID.get(endpoint.removeprefix("api.")) if endpoint else None
    spec = _response_spec(operation, response.status_code)
    assert response.mimetype in spec["content"], (response.mimetype, list(spec["content"]))
    validate(spec["content"][response.mimetype]["schema"], response.get_json())
    for header in spec.get("headers", {}):
        assert header in response.headers, f"{header} missing on {response.status_code}"


class Api:
    """A partner system's calls, each answer checked against the document."""

    def __init__(self, app: Flask, client: FlaskClient, token: str | None = None):
        self.app, self.client, self.token = app, client, token

    def call(self, method: str, path: str, json=None, *, token: str | None = None, headers: dict | None = None,
             **kwargs):
        token = self.token if token is None else token
        sent = {"Authorization": f"Bearer {token}"} if token else {}
        sent.update(headers or {})
        response = self.client.open(path, method=method, json=json, headers=sent, **kwargs)
        conforms(self.app, method, path, response)
        return response

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, json=None, **kwargs):
        return self.call("POST", path, json, **kwargs)


def add_client(engine, code: str, partner: str, roles=("partnermedewerker",), *, approve: bool = True,
               **options) -> str:
    """A client made as the beheerder makes one and, unless `approve` is false, approved by the
    partner's gemachtigde through the link mailed to them; returns its token."""
    token = api_clients.add(engine.database, code, f"Systeem {code}", partner, roles, "beheerder", engine.clock(),
                            reason="Het klantsysteem meldt huurachterstanden aan.", **options).token
    if approve:
        account_requests.approve(engine.database, officer_link(engine), engine.clock())
    return token


def officer_link(engine) -> str:
    """The one-time key in the newest approval mail to a gemachtigde."""
    with engine.database.unit_of_work(write=False) as uow:
        link = uow.session.scalar(select(OutboxMail.link).where(OutboxMail.kind == account_mail.APPROVAL)
                                  .order_by(OutboxMail.id.desc()).limit(1))
    return link.rsplit("/", 1)[1]
