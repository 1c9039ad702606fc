import threading

import pytest

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
        except Exception as exc:  # the outcome is what the test asserts
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
