"""/health, /ready and /metrics on SQLite and PostgreSQL: what an operator's monitoring reads.

The scheduler rounds here are real ones (zvt/scheduler.py), run on the test clock, so its
heartbeat row is what a `zvt scheduler` process would write."""
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, event, func, select, text

from engine import migrate
from engine.db import OutboxMail
from engine.heartbeat import Heartbeat
from tests.engine.test_scheduler import BROKEN_PROCESS, TIMER_PROCESS, deploy
from tests.web.conftest import build_app, client_for
from tests.web.test_casework_pages import taken_up_case
from zvt.config import Monitoring
from zvt.scheduler import recorded_round

SCHEDULER = "scheduler-host:4242"


@pytest.fixture
def case(engine):
    return taken_up_case(engine)


def scheduler_round(app, owner: str = SCHEDULER, interval: int = 30):
    """One real round of the scheduler on the app's database, at the app's (test) clock."""
    engine, config = app.extensions["zvt_engine"], app.extensions["zvt_config"]
    return recorded_round(engine, config, Heartbeat(engine.database, owner, interval), timedelta(minutes=5), None)


def scrape(client) -> dict:
    """/metrics read from this machine, as {(name, labels): value}."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.status_code
    assert response.content_type.startswith("text/plain; version=0.0.4")
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# -- /health and /ready ---------------------------------------------------------------------------

def test_health_answers_from_the_process_without_asking_the_database(app, client):
    statements = []
    sql = app.extensions["zvt_engine"].database.sql
    listener = lambda *args: statements.append(args[2])  # noqa: E731 - the statement's text
    event.listen(sql, "before_cursor_execute", listener)
    try:
        response = client.get("/health")
        assert response.status_code == 200 and response.get_json() == {"status": "ok"}
        assert statements == []
        assert "Set-Cookie" not in response.headers  # no session either
        client.get("/ready")
        assert statements  # /ready does ask it
    finally:
        event.remove(sql, "before_cursor_execute", listener)


def test_ready_needs_a_scheduler_seen_within_two_of_its_intervals_on_the_test_clock(app, client, clock):
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.get_json() == {"status": "not ready", "reason": "no scheduler has run against this database yet"}

    scheduler_round(app, interval=30)
    assert client.get("/ready").get_json() == {"status": "ready"}
    clock.advance(seconds=60)  # two intervals
    assert client.get("/ready").status_code == 200
    clock.advance(seconds=1)
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.get_json() == {"status": "not ready", "reason": "no scheduler seen within 2 of its intervals; "
                                                                     "the last one 61 seconds ago"}
    scheduler_round(app, interval=30)
    assert client.get("/ready").status_code == 200


def test_ready_measures_each_scheduler_by_its_own_interval_and_a_heartbeat_alone_counts(app, client, clock):
    engine = app.extensions["zvt_engine"]
    Heartbeat(engine.database, "slow-host:1", 600).beat(clock())  # a heartbeat between rounds
    clock.advance(minutes=19)
    assert client.get("/ready").status_code == 200  # within 2 x 600 s
    clock.advance(minutes=2)
    assert client.get("/ready").status_code == 503


def test_ready_without_the_scheduler_check_asks_only_the_database(engine, database_url, clock):
    app = build_app(database_url, clock, environment="development", monitoring=Monitoring(ready_scheduler_intervals=0))
    try:
        assert client_for(app).get("/ready").get_json() == {"status": "ready"}
    finally:
        app.extensions["zvt_engine"].close()


def test_ready_refuses_a_database_whose_schema_is_behind_this_version(app, client, database_url):
    sql = create_engine(database_url)
    try:
        with sql.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0026'"))
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.get_json()["reason"] == (f"database schema at revision 0026, this version needs "
                                                 f"{migrate.head()}: run 'zvt db upgrade'")
    finally:
        with sql.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": migrate.head()})
        sql.dispose()


@pytest.mark.parametrize("url", ["sqlite:////nonexistent-folder/zvt.sqlite3",
                                 "postgresql+psycopg://postgres@127.0.0.1:1/zvt"], ids=["sqlite", "postgresql"])
def test_without_a_database_ready_says_503_and_why_while_health_stays_200(url, clock):
    app = build_app(url, clock, environment="development")
    client = client_for(app)
    try:
        assert client.get("/health").status_code == 200
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.get_json()["reason"].startswith("database unavailable (OperationalError")
        samples = scrape(client)  # the process's own figures still go out
        assert value(samples, "zvt_database_up") == 0
        assert value(samples, "zvt_http_requests_total", endpoint="probes.ready", method="GET", status="503") >= 1
    finally:
        app.extensions["zvt_engine"].close()


# -- /metrics -------------------------------------------------------------------------------------

def test_metrics_count_a_request_by_its_endpoint_and_status_never_by_its_address(auth, client, case):
    auth.login("procesregisseur")
    before = scrape(client)
    assert client.get(f"/casussen/{case}?status=all").status_code == 200
    assert client.get(f"/bestaat-niet/{case}").status_code == 404
    page = client.get("/metrics").get_data(as_text=True)
    after = scrape(client)

    for endpoint, status in (("cases.show", "200"), ("unmatched", "404")):
        labels = {"endpoint": endpoint, "method": "GET", "status": status}
        requests = "zvt_http_requests_total"
        assert value(after, requests, **labels) == value(before, requests, **labels) + 1
        assert (value(after, "zvt_http_request_duration_seconds_count", endpoint=endpoint)
                == value(before, "zvt_http_request_duration_seconds_count", endpoint=endpoint) + 1)
    assert value(after, "zvt_http_requests_total", endpoint="metrics.scrape", method="GET", status="200") >= 2
    assert "/casussen" not in page and "bestaat-niet" not in page and "status=all" not in page


def test_each_step_is_timed_once_by_its_process(engine, client, tmp_path):
    deploy(engine, tmp_path, ("tijd.bpmn", TIMER_PROCESS))
    before = scrape(client)
    case = engine.start("tijd", {}, actor="piet")
    [task] = engine.ready_tasks(case)
    engine.complete(task.id, {}, actor="piet")
    after = scrape(client)
    assert (value(after, "zvt_step_duration_seconds_count", process="tijd")
            == value(before, "zvt_step_duration_seconds_count", process="tijd") + 2)
    assert value(after, "zvt_step_duration_seconds_sum", process="tijd") > value(
        before, "zvt_step_duration_seconds_sum", process="tijd")


def test_metrics_show_due_timers_incidents_unsent_mail_and_each_schedulers_rounds(app, client, engine, clock,
                                                                                  tmp_path, case):
    deploy(engine, tmp_path, ("tijd.bpmn", TIMER_PROCESS), ("breekbaar.bpmn", BROKEN_PROCESS))
    for _ in range(2):
        engine.start("tijd", {}, actor="piet")
    engine.start("breekbaar", {}, actor="piet")
    with engine.database.unit_of_work(write=False) as uow:
        unsent = uow.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.sent_at.is_(None)))
    assert unsent > 0  # the case's new tasks mailed those who may do them (no SMTP server: they wait)
    samples = scrape(client)
    assert value(samples, "zvt_timers_due") == 0  # due in an hour
    assert value(samples, "zvt_scheduler_heartbeat_age_seconds") == float("inf")
    clock.advance(hours=2)
    samples = scrape(client)
    assert value(samples, "zvt_database_up") == 1
    assert value(samples, "zvt_timers_due") == 3
    assert value(samples, "zvt_mails_unsent") == unsent
    assert value(samples, "zvt_mails_oldest_unsent_age_seconds") == 7200

    done = scheduler_round(app)
    assert (done.fired, done.failed) == (2, 1)
    samples = scrape(client)
    who = {"scheduler": SCHEDULER}
    assert value(samples, "zvt_timers_due") == 0  # the broken one waits for its retry
    assert value(samples, "zvt_timers_fired_total", **who) == 2
    assert value(samples, "zvt_timers_failed_total", **who) == 1
    assert value(samples, "zvt_scheduler_rounds_total", **who) == 1
    assert value(samples, "zvt_scheduler_heartbeat_age_seconds") == 0
    assert value(samples, "zvt_scheduler_last_seen_timestamp_seconds", **who) == clock.now.timestamp()
    assert value(samples, "zvt_scheduler_last_round_timestamp_seconds", **who) == clock.now.timestamp()
    assert value(samples, "zvt_scheduler_interval_seconds", **who) == 30
    assert value(samples, "zvt_scheduler_last_round_duration_seconds", **who) > 0
    assert value(samples, "zvt_incidents_open", kind="timer") == 0

    for pause in (1, 5, 15, 60):  # the retries, then the last failure makes it an incident
        clock.advance(minutes=pause)
        scheduler_round(app)
    samples = scrape(client)
    assert value(samples, "zvt_incidents_open", kind="timer") == 1
    assert value(samples, "zvt_incidents_open", kind="chain") == 0
    assert value(samples, "zvt_timers_failed_total", **who) == 5
    assert value(samples, "zvt_scheduler_rounds_total", **who) == 5
    assert value(samples, "zvt_timers_due") == 0


def test_a_scheduler_gone_for_a_week_leaves_the_figures_when_the_next_one_starts(app, client, clock):
    scheduler_round(app, owner="old-host:1")
    clock.advance(days=8)
    scheduler_round(app, owner="new-host:2")
    samples = scrape(client)
    assert value(samples, "zvt_scheduler_rounds_total", scheduler="new-host:2") == 1
    assert ("zvt_scheduler_rounds_total", frozenset({("scheduler", "old-host:1")})) not in samples

