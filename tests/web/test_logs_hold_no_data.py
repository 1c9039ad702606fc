"""What a caseworker types never reaches a log, also when the database fails during the request:
a marker typed into a task form is looked for in every log record of every logger at DEBUG,
with the exceptions and their chains formatted as a log formatter would."""
import logging

import pytest

from engine.db import DatabaseLimits
from tests.web.conftest import AuthActions, build_app, client_for
from tests.web.database_faults import case_locked, history_refused
from tests.web.test_casework_pages import open_task, taken_up_case

MARKER = "Zq7-MARKER-ingetypt-door-de-procesregisseur"
FORM = {"datum_geinformeerd": "2026-11-26", "manier": "gesprek", "gegevens_en_doel": "ja",
        "bronnen_en_ontvangers": f"WoonFriesland en {MARKER}", "rechten_uitgelegd": "ja",
        "uitgenodigd_voor_plan": "ja"}


@pytest.fixture
def case(engine):
    return taken_up_case(engine)


@pytest.fixture
def production_like(engine, database_url, clock):
    """The app with short database limits, logging its errors as in production: Flask logs an
    unhandled exception (with its text) instead of handing it to the test."""
    app = build_app(database_url, clock, environment="development", database_limits=DatabaseLimits(statement_timeout=1))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = client_for(app)
    yield client, AuthActions(client)
    app.extensions["zvt_engine"].close()


def log_everything(caplog) -> None:
    """DEBUG on the root logger and on every logger there is (SQLAlchemy sets its own to WARNING,
    so a root level alone would not show its statements); caplog puts the levels back after."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def everything_logged(records: list[logging.LogRecord]) -> str:
    """Every record as text, the way any handler could write it: the message, the exception with
    its chain and traceback, the stack, and every attribute (a JSON formatter writes "extra"s)."""
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    texts = []
    for record in records:
        texts.append(formatter.format(record))
        if record.exc_info:
            texts.append(formatter.formatException(record.exc_info))
        texts.extend(repr(value) for value in vars(record).values())
    return "\n".join(texts)


def ready_to_post(auth, engine, case) -> tuple[str, str]:
    """Logged in, the task page opened (both write): the task's address and a CSRF token."""
    auth.login("procesregisseur")
    task = open_task(engine, case)
    return f"/taken/{task.id}", auth.csrf_token(f"/taken/{task.id}")


def test_a_statement_timeout_during_a_form_post_logs_no_form_value(production_like, engine, database_url, case,
                                                                    caplog):
    client, auth = production_like
    log_everything(caplog)
    path, token = ready_to_post(auth, engine, case)
    with case_locked(database_url, case):
        response = client.post(path, data={**FORM, "csrf_token": token})
    assert response.status_code == 503
    logged = everything_logged(caplog.records)
    assert "database unavailable or too slow on POST /taken/<taak:task_id>: OperationalError" in logged
    # SQLAlchemy logged its statements: on PostgreSQL up to the UPDATE of the locked case, with the
    # marker among its parameters; on SQLite the write waited at its BEGIN IMMEDIATE.
    assert ("BEGIN IMMEDIATE" if database_url.startswith("sqlite") else "UPDATE instances SET") in logged
    assert MARKER not in logged


def test_a_refused_write_during_a_form_post_logs_no_form_value(production_like, engine, database_url, case, caplog):
    client, auth = production_like
    path, token = ready_to_post(auth, engine, case)
    log_everything(caplog)
    with history_refused(database_url):
        response = client.post(path, data={**FORM, "csrf_token": token})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Er ging iets mis" in body and MARKER not in body
    logged = everything_logged(caplog.records)
    # The failure is logged, with where it happened: enough to find it, nothing of the data.
    assert "database error on POST /taken/<taak:task_id>:" in logged and "IntegrityError (" in logged
    # Where it failed: the command, whose step's last rows went with its commit (engine/driver_batch.py).
    assert 'File "' in logged and "commands.py" in logged and "driver_batch.py" in logged
    assert MARKER not in logged
    assert open_task(engine, case).bpmn_id == "betrokkene_informeren"  # nothing was saved
