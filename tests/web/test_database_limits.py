"""A database that does not answer in time gives the Dutch "probeer het zo opnieuw" page (503),
never a hung request; the scheduler logs one line and goes on."""
import logging
import os
import socket
import time
from datetime import timedelta

import pytest

from engine.db import DatabaseLimits
from tests.engine.bpmn import simple_process
from tests.web.conftest import AuthActions, build_app, client_for
from tests.web.database_faults import StallingProxy, case_locked, timers_locked
from tests.web.test_casework_pages import open_task, taken_up_case
from zvt.config import Config, open_engine
from zvt.scheduler import add_rounds

# Short limits, so that a test waits seconds, not the production defaults.
LIMITS = DatabaseLimits(statement_timeout=1, connect_timeout=2, network_timeout=2)
INFORMEREN_FORM = {"datum_geinformeerd": "2026-11-26", "manier": "gesprek", "gegevens_en_doel": "ja",
                   "bronnen_en_ontvangers": "WoonFriesland", "rechten_uitgelegd": "ja", "uitgenodigd_voor_plan": "ja"}


@pytest.fixture
def case(engine):
    return taken_up_case(engine)


@pytest.fixture
def limited(engine, database_url, clock):
    app = build_app(database_url, clock, environment="development", database_limits=LIMITS)
    client = client_for(app)
    yield app, client, AuthActions(client)
    app.extensions["zvt_engine"].close()


def assert_try_again_page(response):
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Probeer het zo opnieuw" in body and "Even niet beschikbaar" in body
    assert response.headers["Retry-After"] == "10"
    assert "Traceback" not in body and "OperationalError" not in body and "SELECT" not in body


def test_a_task_waiting_for_a_lock_gets_the_dutch_503_within_the_timeout_and_then_is_served(
        limited, engine, database_url, case):
    app, client, auth = limited
    auth.login("procesregisseur")
    task = open_task(engine, case)
    token = auth.csrf_token(f"/taken/{task.id}")  # opening the task page writes the access log

    with case_locked(database_url, case):
        started = time.monotonic()
        response = client.post(f"/taken/{task.id}", data={**INFORMEREN_FORM, "csrf_token": token})
        waited = time.monotonic() - started
    assert_try_again_page(response)
    # It waited for the lock (1 s), then gave up: not for the 30 s a web server allows.
    assert 0.9 <= waited < 5, waited
    assert open_task(engine, case).id == task.id  # nothing was saved

    served = client.post(f"/taken/{task.id}", data={**INFORMEREN_FORM, "csrf_token": token})
    assert served.status_code == 302 and served.location.endswith(f"/casussen/{case}")
    assert open_task(engine, case).bpmn_id == "privacycheck_plangesprek"


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_postgresql_that_stops_answering_gives_the_503_within_the_connect_timeout(engine, database_url, clock):
    proxy = StallingProxy(database_url)
    app = build_app(proxy.url, clock, environment="development", database_limits=LIMITS)
    client = client_for(app)
    auth = AuthActions(client)
    try:
        assert auth.login("procesregisseur").status_code == 302  # through the proxy, while it forwards
        assert client.get("/").status_code == 200
        proxy.stall()
        started = time.monotonic()
        response = client.get("/")
        waited = time.monotonic() - started
        assert_try_again_page(response)
        assert 1.5 <= waited < 6, waited  # connect_timeout is 2 s
    finally:
        app.extensions["zvt_engine"].close()
        proxy.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_connections_carry_the_statement_timeout_and_the_network_limits(database_url):
    engine = open_engine(Config(database_url=database_url, environment="development", database_limits=LIMITS))
    try:
        raw = engine.database.sql.raw_connection()
        try:
            connection = raw.driver_connection
            assert connection.execute("SHOW statement_timeout").fetchone()[0] == "1s"
            # A copy of the connection's socket descriptor, to read what libpq set on it.
            with socket.socket(fileno=os.dup(connection.fileno())) as probe:
                assert probe.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
                assert probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 1
                assert probe.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 2000
        finally:
            raw.close()
    finally:
        engine.close()


class _Rounds:
    """Collects the round that add_rounds gives an APScheduler scheduler, to run it by hand."""

    def add_executor(self, executor, alias):
        pass

    def add_job(self, function, *args, **kwargs):
        if kwargs["id"] == "scheduler_round":
            self.round = function


def test_a_scheduler_round_on_a_locked_database_logs_one_line_and_the_next_round_fires(
        engine, database_url, clock, tmp_path, caplog):
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "tijd.bpmn").write_text(simple_process("tijd", timer='"PT1H"'))
    engine.deploy(tmp_path / "processes")
    case = engine.start("tijd", {}, actor="piet")
    clock.advance(hours=2)
    config = Config(database_url=database_url, environment="development", database_limits=LIMITS)
    limited = open_engine(config, clock)
    rounds = _Rounds()
    add_rounds(rounds, limited, config, "test-scheduler", timedelta(minutes=5), 30)
    caplog.set_level(logging.INFO, logger="zvt")
    try:
        with timers_locked(database_url):
            started = time.monotonic()
            rounds.round()
            waited = time.monotonic() - started
        assert waited < 5, waited
        [line] = [r for r in caplog.records if r.name == "zvt"]
        assert line.levelno == logging.WARNING and line.exc_info is None and "\n" not in line.getMessage()
        assert "the database is unavailable or too slow (OperationalError" in line.getMessage()
        assert engine.timers(case), "the timer fired on a locked database"
        caplog.clear()
        rounds.round()
        assert [r.getMessage() for r in caplog.records if r.name == "zvt"] == ["fired 1 timers, sent 0 mails"]
        assert engine.timers(case) == []
    finally:
        limited.close()
