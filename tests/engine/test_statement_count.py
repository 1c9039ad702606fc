"""How many SQL statements a plain step and a start send, counted on a real database: a change
that adds a read or a write to every step shows here (issue 15: half of a step was ORM work).

Counted with SQLAlchemy's `before_cursor_execute` event on the engine's own connection pool, so
every statement the driver sees counts: those engine/driver_batch.py hands the driver itself
fire the event too (on PostgreSQL several of them go in one round trip), and so does SQLite's
BEGIN IMMEDIATE. PostgreSQL begins implicitly, and takes the hash chain's advisory lock and reads
its head in one call (engine/chain.py)."""
from pathlib import Path

BENCH = Path(__file__).parents[2] / "bench"

# A step of the zorgoverleg loop: begin (SQLite; PostgreSQL begins implicitly); the task with its
# case, definition and open tasks; the case's timers; the case row with its revision check; who may
# do the new task (its mail); the history chain's head (on PostgreSQL with the chain's lock, in one
# call, migration 0031); two history rows in one INSERT (executemany, engine/step_writes.py); the
# new task and timer in, the old ones out.
STEP = {"sqlite": 11, "postgresql": 10}
# A start: begin (SQLite); the new case's id; the latest definition; the case row in, once, with
# its first step's state; who may do the first task; the chain's head (with its lock on
# PostgreSQL); the history row, the first task and its timer.
START = {"sqlite": 9, "postgresql": 8}


def test_a_plain_step_and_a_start_send_a_fixed_number_of_statements(engine, clock, statements):
    engine.deploy(BENCH / "processes", BENCH / "forms")
    kind = engine.database.sql.dialect.name
    engine.start("zorgoverleg_loop", {}, actor="anna")  # the first start parses the process
    started = []
    seen = statements.during(lambda: started.append(engine.start("zorgoverleg_loop", {}, actor="anna")))
    assert len(seen) == START[kind], "\n".join(seen)
    # The case row is written once: not inserted empty and then updated with what the step did.
    assert [s.split(" (")[0] for s in seen if s.startswith(("INSERT INTO instances", "UPDATE instances"))] == \
        ["INSERT INTO instances"]
    for _ in range(3):
        [task] = engine.ready_tasks(started[0])
        clock.advance(minutes=5)
        seen = statements.during(lambda task=task: engine.complete(task.id, {"vervolg": "doorgaan"}, actor="anna"))
        assert len(seen) == STEP[kind], "\n".join(seen)
    # What the statements wrote is all there: three completions in the history, one open task.
    assert [h.bpmn_id for h in engine.history(started[0])].count("zorgoverleg") == 3
    assert len(engine.ready_tasks(started[0])) == 1


def test_a_step_sends_its_last_rows_with_its_commit(engine, clock, commits_seen):
    """On PostgreSQL the step's last rows and the COMMIT go in one round trip (engine/driver_batch.py
    `defer`): when SQLAlchemy comes to commit, the server has ended the transaction already. On
    SQLite the rows are written before SQLAlchemy's COMMIT, in the same transaction."""
    engine.deploy(BENCH / "processes", BENCH / "forms")
    case = engine.start("zorgoverleg_loop", {}, actor="anna")
    [task] = engine.ready_tasks(case)
    seen = commits_seen(engine.database)
    engine.complete(task.id, {"vervolg": "doorgaan"}, actor="anna")
    [status] = seen
    if engine.database.sql.dialect.name == "postgresql":
        from psycopg.pq import TransactionStatus
        assert status == TransactionStatus.IDLE
    assert [h.bpmn_id for h in engine.history(case)].count("zorgoverleg") == 1
    assert len(engine.ready_tasks(case)) == 1
