"""engine/driver_batch.py: statements SQLAlchemy compiled, sent by the driver itself (on PostgreSQL
in one pipeline), land as SQLAlchemy would write them, give their results, and fail as SQLAlchemy
statements fail: its exception classes, parameters hidden, nothing written."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engine.db import Definition, HistoryEntry, OutboxMail, Timer
from engine.driver_batch import Batch, columns_of, persistent

MARKER = "Jansen-7c1f"  # a value only these tests write


def _history(case: int, name: str, at: datetime, data) -> dict:
    return {"instance_id": case, "task_id": name, "process_id": "proef", "bpmn_id": name, "name": name,
            "task_type": "UserTask", "lane": None, "state": "COMPLETED", "actor": "anna", "finished_at": at,
            "data": data, "data_digest": None, "previous_hash": "0" * 64, "hash": name.ljust(64, "0")}


def _mail(case: int, at: datetime, **values) -> dict:
    return {"kind": "nieuwe_taak", "recipient": "a@example.org", "subject": MARKER, "body": MARKER, "link": "/",
            "instance_id": case, "created_at": at, "attempts": 0, **values}


def _marked(database) -> int:
    with database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(OutboxMail).where(OutboxMail.subject == MARKER))


def _queue_mail(batch: Batch, case: int, at: datetime, **values) -> None:
    mail = _mail(case, at, **values)
    batch.add(OutboxMail.__table__.insert().inline(), [mail], column_keys=list(mail))


@pytest.fixture
def case(deployed):
    return deployed.start("proef_casus", {"aanmelder": "Woonstichting"}, actor="piet")


def test_json_and_moments_are_written_as_sqlalchemy_writes_them(deployed, case):
    """The columns' bind processors run: JSON data, and an aware moment stored as the same instant
    (a Dutch afternoon: the UTC column type converts it)."""
    at = datetime(2026, 12, 7, 15, 30, tzinfo=timezone(timedelta(hours=1)))
    data = {"naam": MARKER, "lijst": [1, 2, {"ja": True}], "leeg": None}
    table = HistoryEntry.__table__
    with deployed.database.unit_of_work() as uow:
        batch = Batch(uow.session.connection())
        rows = [_history(case, "a", at, data), _history(case, "b", at, None)]
        batch.add(table.insert().inline(), rows, column_keys=list(rows[0]))
        batch.send()
        uow.commit()
    with deployed.database.unit_of_work(write=False) as uow:
        found = {h.task_id: (h.data, h.finished_at) for h in uow.session.scalars(
            select(HistoryEntry).where(HistoryEntry.task_id.in_(["a", "b"])))}
    assert found["a"][0] == data and found["b"][0] is None
    assert found["a"][1] == at and found["a"][1].utcoffset() == timedelta(0)


def test_reads_give_their_rows_and_counts_after_the_batch_is_sent(deployed, case, clock):
    timers = Timer.__table__
    with deployed.database.unit_of_work() as uow:
        [timer] = uow.session.scalars(select(Timer).where(Timer.instance_id == case)).all()
        batch = Batch(uow.session.connection())
        moved = batch.read(timers.update().where(timers.c.id == timer.id), {"attempts": 3}, column_keys=["attempts"])
        missed = batch.read(timers.update().where(timers.c.id == "nobody"), {"attempts": 3}, column_keys=["attempts"])
        # Sent after the UPDATE, in the same batch: it sees what the UPDATE wrote.
        counted = batch.read(select(func.count()).select_from(timers).where(timers.c.attempts == 3).limit(5), {})
        batch.send()
        uow.commit()
    assert (moved.rowcount, missed.rowcount) == (1, 0)
    assert counted.scalar() == 1


def test_a_failing_batch_raises_sqlalchemys_error_with_no_parameter_and_writes_nothing(deployed, case, clock):
    with deployed.database.unit_of_work() as uow:
        before = uow.session.scalar(select(func.count()).select_from(OutboxMail))
    with pytest.raises(IntegrityError) as raised, deployed.database.unit_of_work() as uow:
        batch = Batch(uow.session.connection())
        _queue_mail(batch, case, clock())
        _queue_mail(batch, case, clock(), recipient=None)  # NOT NULL
        batch.send()
        uow.commit()
    # SQLAlchemy's part names the statements and hides their parameters (PostgreSQL's own message
    # before it quotes the failing row: engine/logsafe.py keeps such messages out of the logs).
    ours = str(raised.value)[str(raised.value).index("[SQL: "):]
    assert "INSERT INTO outbox" in ours and "parameters hidden" in ours and MARKER not in ours
    with deployed.database.unit_of_work() as uow:  # the pool's connection works on, the first row is gone
        assert uow.session.scalar(select(func.count()).select_from(OutboxMail)) == before


def test_a_row_read_past_the_orm_becomes_the_sessions_object_as_a_query_would_load_it(deployed, case):
    with deployed.database.unit_of_work() as uow:
        session = uow.session
        batch = Batch(session.connection())
        found = batch.read(select(*columns_of(Definition)).order_by(Definition.id.desc()).limit(1), {})
        batch.send()
        definition = persistent(session, Definition, found.rows[0])
        assert definition in session and not session.dirty and not session.new
        assert persistent(session, Definition, found.rows[0]) is definition  # the row's one object
        assert "specs" not in definition.__dict__  # deferred: read when first used, as the ORM would
        assert definition.specs == session.scalar(select(Definition.specs).where(Definition.id == definition.id))
        definition.reason = "nieuwe reden"  # a change is a change to write, as on a loaded object
        assert list(session.dirty) == [definition]
        session.flush()
        uow.commit()
    with deployed.database.unit_of_work(write=False) as uow:
        assert uow.session.get_one(Definition, definition.id).reason == "nieuwe reden"


def test_a_deferred_batch_goes_before_the_next_statement_of_its_transaction(deployed, case, clock):
    """Whatever the transaction reads or writes after deferring (SQLAlchemy's statements, another
    batch) comes after the deferred rows and sees them."""
    outbox = OutboxMail.__table__
    with deployed.database.unit_of_work() as uow:
        batch = Batch(uow.session.connection())
        _queue_mail(batch, case, clock())
        batch.defer()
        assert uow.session.scalar(select(func.count()).select_from(OutboxMail)
                                  .where(OutboxMail.subject == MARKER)) == 1
        later = Batch(uow.session.connection())
        _queue_mail(later, case, clock())
        later.defer()
        counted = Batch(uow.session.connection())
        count = counted.read(select(func.count()).select_from(outbox).where(outbox.c.subject == MARKER), {})
        counted.send()
        assert count.scalar() == 2
        uow.commit()
    assert _marked(deployed.database) == 2


def test_a_deferred_batch_goes_with_the_commit(deployed, case, clock, commits_seen):
    """Nothing sent after it: its rows are written by the commit, on PostgreSQL in the COMMIT's
    own round trip (the server has ended the transaction when SQLAlchemy's commit comes)."""
    seen = commits_seen(deployed.database)
    with deployed.database.unit_of_work() as uow:
        batch = Batch(uow.session.connection())
        _queue_mail(batch, case, clock())
        batch.defer()
        uow.commit()
    [status] = seen
    assert _marked(deployed.database) == 1
    if deployed.database.is_sqlite:
        assert status is None
    else:
        from psycopg.pq import TransactionStatus
        assert status == TransactionStatus.IDLE  # without the batch's COMMIT it would be INTRANS


def test_a_deferred_batch_that_fails_fails_the_commit_and_writes_nothing(deployed, case, clock):
    with pytest.raises(IntegrityError), deployed.database.unit_of_work() as uow:
        batch = Batch(uow.session.connection())
        _queue_mail(batch, case, clock())
        _queue_mail(batch, case, clock(), recipient=None)  # NOT NULL
        batch.defer()
        uow.commit()
    assert _marked(deployed.database) == 0
    with deployed.database.unit_of_work() as uow:  # the pool's connection works on
        batch = Batch(uow.session.connection())
        _queue_mail(batch, case, clock())
        batch.defer()
        uow.commit()
    assert _marked(deployed.database) == 1


def test_a_rollback_drops_the_deferred_batch_and_the_next_transaction_starts_clean(deployed, case, clock):
    with deployed.database.unit_of_work() as uow:
        connection = uow.session.connection()
        info = connection.info  # the database connection's, which the pool keeps
        kept = set(info)
        batch = Batch(connection)
        _queue_mail(batch, case, clock())
        batch.defer()
        assert set(info) - kept  # the batch waits there
        # No commit: leaving the block rolls back.
    assert set(info) <= kept
    with deployed.database.unit_of_work() as uow:  # the pool gives the same connection again
        uow.session.add(OutboxMail(**_mail(case, clock(), subject="ander")))
        uow.commit()
    assert _marked(deployed.database) == 0
