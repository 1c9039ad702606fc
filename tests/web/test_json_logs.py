"""The JSON log lines (zvt/logging_setup.py) as a log collector gets them on standard error: one
valid JSON object per line with the fields docs/monitoring.md promises, and never an address,
a query string, an exception's text or what a library attached to a record."""
import json
import logging
from datetime import datetime

import pytest

from tests.web.conftest import build_app, client_for
from tests.web.test_casework_pages import taken_up_case
from zvt.logging_setup import StderrHandler

BASE = {"time", "level", "logger", "message", "process"}
REQUEST = BASE | {"request_id", "method", "endpoint", "route", "status", "duration_ms"}
MARKER = "Zq7-geheim-Jansen-04-03-1971"


@pytest.fixture
def case(engine):
    return taken_up_case(engine)


@pytest.fixture(params=["json", "text"])
def log_format(request):
    return request.param


@pytest.fixture
def logged(capsys, log_format):
    """The lines the app writes to standard error through the handler every zvt process installs."""
    root = logging.getLogger()
    handler, level = StderrHandler(log_format), root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    capsys.readouterr()
    yield lambda: capsys.readouterr().err.splitlines()
    root.removeHandler(handler)
    root.setLevel(level)


def json_lines(lines: list[str]) -> list[dict]:
    return [json.loads(line) for line in lines]  # every line is a whole JSON object


@pytest.mark.parametrize("log_format", ["json"])
def test_a_request_is_one_json_line_by_endpoint_and_route_without_address_or_query(logged, auth, client, case):
    auth.login("procesregisseur")
    logged()
    page = client.get(f"/casussen/{case}?status=all")
    search = client.get("/casussen?status=all&zoek=de+Vries")  # a name in a link: refused, never logged
    lines = logged()
    text = "\n".join(lines)
    records = json_lines(lines)

    [shown, refused] = [r for r in records if r["logger"] == "zvt.access"]
    assert set(shown) == REQUEST
    assert (shown["method"], shown["endpoint"], shown["route"], shown["status"]) == (
        "GET", "cases.show", "/casussen/<casus:number>", 200)
    assert shown["request_id"] == page.headers["X-Request-ID"] and len(shown["request_id"]) == 32
    assert shown["level"] == "INFO"
    assert shown["message"] == f"GET /casussen/<casus:number> 200 {shown['duration_ms']} ms"
    assert datetime.fromisoformat(shown["time"]).utcoffset().total_seconds() == 0
    assert isinstance(shown["process"], int) and shown["duration_ms"] >= 0
    assert (refused["endpoint"], refused["status"], search.status_code) == ("caselist.index", 400, 400)
    assert refused["request_id"] == search.headers["X-Request-ID"] != shown["request_id"]
    assert f"/casussen/{case}" not in text and "status=all" not in text and "Vries" not in text


@pytest.mark.parametrize("log_format", ["json"])
def test_a_proxys_request_id_is_taken_over_only_in_its_own_shape(logged, client):
    nginx = "0123456789abcdef0123456789abcdef"
    assert client.get("/inloggen", headers={"X-Request-ID": nginx}).headers["X-Request-ID"] == nginx
    made_up = client.get("/inloggen", headers={"X-Request-ID": MARKER}).headers["X-Request-ID"]
    assert made_up != MARKER
    [ours, replaced] = [r["request_id"] for r in json_lines(logged()) if r["logger"] == "zvt.access"]
    assert (ours, replaced) == (nginx, made_up) and MARKER not in replaced


def test_an_unhandled_exception_is_logged_by_route_as_kinds_and_frames_without_its_text(logged, log_format, engine,
                                                                                       database_url, clock):
    app = build_app(database_url, clock, environment="development")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def breaks(token):
        raise RuntimeError(f"Geheime gegevens van {MARKER}")

    breaks.zvt_public = True  # like the pages behind a one-time link: the key is in the address
    app.add_url_rule("/test/kapot/<token>", endpoint="kapot", view_func=breaks)
    try:
        response = client_for(app).get(f"/test/kapot/{MARKER}")
    finally:
        app.extensions["zvt_engine"].close()
    assert response.status_code == 500
    lines = logged()
    text = "\n".join(lines)
    assert "RuntimeError" in text and 'line ' in text and "in breaks" in text
    assert MARKER not in text
    if log_format == "json":
        records = json_lines(lines)
        [error] = [r for r in records if r["level"] == "ERROR"]
        assert error["message"] == "unhandled exception on GET /test/kapot/<token>"
        assert set(error) == BASE | {"request_id", "exception"} and error["exception"].startswith("RuntimeError\n")
        [line] = [r for r in records if r["logger"] == "zvt.access"]
        assert (line["status"], line["request_id"]) == (500, error["request_id"])
    else:
        assert "ERROR web: unhandled exception on GET /test/kapot/<token>" in text


def test_what_a_library_attaches_to_a_record_is_left_out(logged, log_format):
    # SpiffWorkflow attaches a task's data as "extra" (engine/logsafe.py filters its own loggers);
    # under any other logger a library's extra does not reach the line either.
    logging.getLogger("some.library").info("task done", extra={"data": {"naam": MARKER}, "task_data": MARKER})
    lines = logged()
    assert len(lines) == 1 and "task done" in lines[0] and MARKER not in lines[0]
    if log_format == "json":
        assert set(json.loads(lines[0])) == BASE
        logging.getLogger("some.library").info({"naam": MARKER})  # a dict as the message: its keys stay out
        [line] = logged()
        assert json.loads(line)["message"] == "" and MARKER not in line
