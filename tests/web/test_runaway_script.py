"""A runaway script behind a caseworker's click: the error page comes within the step's CPU
budget, nothing is saved, and the next request, of another user, is served."""
import time

from engine import Engine
from tests.engine.bpmn import simple_process
from tests.web.conftest import AuthActions, build_app, client_for

BUDGET = 1  # ZVT_STEP_CPU_SECONDS for this app
# A small stand-in for zvt_casus (the policy knows that process): the procesregisseur's task,
# then a gateway condition that counts to 10**12.
RUNAWAY = simple_process("zvt_casus", condition="sum(1 for a in range(10**6) for b in range(10**6)) > 0")


def test_a_runaway_condition_gives_the_error_page_within_the_budget_and_others_are_served(
        engine: Engine, database_url, clock, tmp_path):
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "zvt_casus.bpmn").write_text(RUNAWAY)
    engine.deploy(tmp_path / "processes", tmp_path / "forms")
    number = engine.start("zvt_casus", {}, actor="procesregisseur")
    [task] = engine.ready_tasks(number)
    app = build_app(database_url, clock, environment="development", step_cpu_seconds=BUDGET)
    caseworker, colleague = AuthActions(client_for(app)), AuthActions(client_for(app))
    caseworker.login("procesregisseur")
    colleague.login("teamleider")

    # The test client runs the request in this thread: its CPU time is the request's, which the
    # budget counts; the wall clock only has to stay under a web server's 30 s on a busy machine.
    started, started_cpu = time.perf_counter(), time.thread_time()
    response = caseworker.post(f"/taken/{task.id}", {}, token_from=f"/taken/{task.id}")
    took, took_cpu = time.perf_counter() - started, time.thread_time() - started_cpu
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Het proces kon niet verder" in body
    assert "sum(" not in body and "10**6" not in body  # nothing of the script or its error
    assert took_cpu < BUDGET + 1.5 and took < 30, (took_cpu, took)

    started = time.perf_counter()
    assert colleague.client.get("/taken").status_code == 200
    assert time.perf_counter() - started < 10  # no lock left behind (a held one would wait 10 s, then 503)
    # Nothing of the failed step was saved: the task is still open, for another try.
    assert [t.id for t in engine.ready_tasks(number)] == [task.id]
    app.extensions["zvt_engine"].close()
