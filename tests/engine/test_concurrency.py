import threading
import time

import pytest
from sqlalchemy import create_engine, text

from engine import Conflict, Engine, TaskAlreadyCompleted

GOOD = {"besluit": "oppakken", "toelichting": "Huurachterstand, team pakt het op."}


def race(callables):
    """Run the callables at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(callables))
    results = [None] * len(callables)

    def runner(index, fn):
        barrier.wait()
        try:
            results[index] = ("ok", fn())
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test asserts
            results[index] = ("error", exc)

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_nodes_completing_the_same_task_give_one_success_and_one_conflict(deployed, database_url, clock, attempt):
    # Two Engine objects stand for two web processes sharing one database.
    other = Engine(database_url, clock=clock)
    try:
        instance_id = deployed.start("proef_casus", {}, actor="piet")
        [task] = deployed.ready_tasks(instance_id)

        results = race([
            lambda: deployed.complete(task.id, GOOD, actor="anna"),
            lambda: other.complete(task.id, dict(GOOD, toelichting="Tweede poging, andere tekst."), actor="bert"),
        ])
    finally:
        other.close()

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    [error] = [value for kind, value in results if kind == "error"]
    assert isinstance(error, Conflict)
    winner = "anna" if results[0][0] == "ok" else "bert"
    completions = [h for h in deployed.history(instance_id) if h.bpmn_id == "beoordeling"]
    assert [h.actor for h in completions] == [winner]
    assert [t.bpmn_id for t in deployed.ready_tasks(instance_id)] == ["plan"]


def test_completing_a_task_someone_already_completed_says_so(deployed):
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    [task] = deployed.ready_tasks(instance_id)
    deployed.complete(task.id, GOOD, actor="anna")

    with pytest.raises(TaskAlreadyCompleted, match="someone else completed this task first"):
        deployed.complete(task.id, GOOD, actor="bert")


def _wait_for_a_lock_wait(database_url: str, timeout: float = 20) -> None:
    """Until some session of this database waits for a lock another transaction holds."""
    sql = create_engine(database_url)
    try:
        deadline = time.monotonic() + timeout
        with sql.connect() as connection:
            while time.monotonic() < deadline:
                waiting = connection.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'")).scalar()
                connection.rollback()  # a fresh snapshot for the next look
                if waiting:
                    return
                time.sleep(0.01)
        raise AssertionError("the second command never came to wait for the first")
    finally:
        sql.dispose()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_command_that_loses_the_race_while_the_winner_is_still_writing_gets_a_conflict(deployed, database_url,
                                                                                         clock):
    # Both read the case before either wrote; the second writes while the first has written
    # but not yet committed. Both steps would add the same next task (same key), so the
    # second must stop at the case's revision check, not run into that key.
    other = Engine(database_url, clock=clock)
    instance_id = deployed.start("proef_casus", {}, actor="piet")
    [task] = deployed.ready_tasks(instance_id)
    second: dict = {}

    def bert_completes():
        try:
            other.complete(task.id, dict(GOOD, toelichting="Tweede poging, andere tekst."), actor="bert")
            second["outcome"] = "saved"
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test asserts
            second["outcome"] = exc

    def while_anna_has_written_but_not_committed(session, _instance_id):
        second["thread"] = threading.Thread(target=bert_completes)
        second["thread"].start()
        _wait_for_a_lock_wait(database_url)

    try:
        deployed.complete(task.id, GOOD, actor="anna", audit=while_anna_has_written_but_not_committed)
        second["thread"].join(timeout=60)
    finally:
        other.close()

    assert isinstance(second["outcome"], Conflict), second["outcome"]
    assert [h.actor for h in deployed.history(instance_id) if h.bpmn_id == "beoordeling"] == ["anna"]
    assert [t.bpmn_id for t in deployed.ready_tasks(instance_id)] == ["plan"]


def test_nodes_starting_cases_at_the_same_moment_each_get_a_case_of_their_own(deployed, database_url, clock):
    """A start takes its case's id before its step runs (engine/step_writes.py new_case_id): on
    PostgreSQL from the sequence, on SQLite under the write lock its BEGIN IMMEDIATE took. Four
    nodes starting at once get four cases, each whole."""
    others = [Engine(database_url, clock=clock) for _ in range(3)]
    try:
        results = race([lambda node=node, n=n: node.start("proef_casus", {}, actor=f"node{n}")
                        for n, node in enumerate([deployed, *others])])
    finally:
        for other in others:
            other.close()
    assert [kind for kind, _ in results] == ["ok"] * 4, results
    started = [value for _, value in results]
    assert len(set(started)) == 4
    for n, instance_id in enumerate(started):
        assert deployed.instance(instance_id).started_by == f"node{n}"
        assert [t.bpmn_id for t in deployed.ready_tasks(instance_id)] == ["beoordeling"]
