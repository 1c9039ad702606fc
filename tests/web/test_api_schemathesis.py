"""The API tested from its OpenAPI document with schemathesis, in-process against the Flask app, on
SQLite and PostgreSQL: requests generated from every operation's schema (valid and invalid, and
sequences along the document's links), sent with a valid token, and every answer checked: no server
error, and status, content type, headers and body as the document says."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from engine import Engine
from tests.conftest import Clock, empty_database
from tests.processes.conftest import FORMS, PROCESSES
from tests.web.api_support import add_client
from tests.web.conftest import FAST_HASHER, build_app
from web.api.openapi import DOCUMENT
from zvt import demo

# Examples per operation, and sequences of at most 6 calls: enough to reach the statuses each
# operation documents, few enough that the whole run takes well under a minute per database.
MAX_EXAMPLES = 25
SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

# A request the document's schema allows may still be refused by what the document cannot say: the
# form of the process or task (`data` is any object there; the form, deployed data, says the rest) is
# a 422, and the policy or a case's state a 403, 404 or 409. Those count as accepted data; anything
# else (a 400 for a schema-valid body, say) fails.
ACCEPTED = ["2xx", "401", "403", "404", "409", "422", "429"]
# The document as the app serves it (test_api.py checks that /api/v1/openapi.json is this), loaded
# when the tests are collected: one test per operation. (schemathesis's lazy loading from a fixture
# relies on a pytest internal that pytest 9 no longer has.)
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.config.SchemathesisConfig.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}}}))
# The running app's token: schemathesis's auth sets it on every generated request, and knows to leave
# it off for its check that the API refuses a request without valid authentication.
_TOKEN: dict[str, str] = {}


@schema.auth(refresh_interval=None, retry_on=[])
class Token:
    def get(self, case, context):
        return _TOKEN.get("value", "")

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def app(request, tmp_path_factory):
    """One app and database per database kind for the whole module: the processes deployed once, the
    cases the tests start left for the next tests to read and work on."""
    url = empty_database(request, request.param, tmp_path_factory.mktemp("schemathesis"))
    clock = Clock(datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc))
    engine = Engine(url, clock=clock)
    demo.load(engine, hasher=FAST_HASHER)
    engine.deploy(PROCESSES, FORMS)
    # The municipality's procesregisseur directs every case: the widest reach a client can have.
    _TOKEN["value"] = add_client(engine, "schemathesis", "gemeente_heerenveen", ("procesregisseur",),
                                 per_minute=10_000)
    app = build_app(url, clock, environment="development")
    yield app
    app.extensions["zvt_engine"].close()
    engine.close()


@schema.parametrize()
@SETTINGS
def test_the_api_conforms_to_its_document_and_never_fails(case, app):
    # In-process: every request, the checks' own probes too (such as the one without the token), goes
    # to this app over WSGI.
    case.operation.schema.app = app
    case.call_and_validate(app=app)


def test_sequences_of_calls_along_the_document_s_links_conform_too(app):
    """Stateful: a case started and then read, a task listed, read and completed, with the values one
    answer gives the next request (the document's links), each answer checked the same way."""
    class Workflow(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            case.operation.schema.app = app
            return {"app": app}

    Workflow.run(settings=settings(SETTINGS, stateful_step_count=6))
