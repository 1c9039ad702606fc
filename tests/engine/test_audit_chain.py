"""Tamper tests: the access log and the history are changed directly in the database with SQL,
as someone with the database password would, and `zvt audit verify` must catch each change,
exit 1 and name the row. Both chains, both databases."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import event, select, text, update

from engine import Engine, access_log, anchors, chain
from engine.db import AccessLogEntry, HistoryEntry
from tests.conftest import empty_database
from tests.engine.conftest import HERE, PIET
from zvt.cli import main

MODEL = {"access_log": AccessLogEntry, "history": HistoryEntry}
# A column of each table that holds what a person did: the one a forger would change.
CHANGED = {"access_log": "username", "history": "actor"}


def ids(engine, name: str) -> list[int]:
    model = MODEL[name]
    with engine.database.unit_of_work(write=False) as uow:
        return list(uow.session.scalars(select(model.id).order_by(model.id)))


def sql(engine, statement: str, **params) -> None:
    with engine.database.sql.begin() as connection:
        connection.execute(text(statement), params)


def line_of(result, name: str) -> str:
    return next(line for line in result.output.splitlines() if line.startswith(f"{name}:"))


def assert_broken(verify, name: str, row: int, problem: str, *args) -> None:
    """`zvt audit verify` exits 1 and names `row` of chain `name` with `problem`."""
    result = verify(*args)
    assert result.exit_code == 1, result.output
    assert line_of(result, name) == f"{name}: BROKEN at row {row}: {problem}"


def rows(engine, name: str) -> list:
    model = MODEL[name]
    with engine.database.unit_of_work(write=False) as uow:
        found = list(uow.session.scalars(select(model).order_by(model.id)))
        uow.session.expunge_all()  # plain objects from here on: leaving the unit of work expires loaded rows
        return found


def rechain(engine, name: str, digest) -> None:
    """Recompute every row's previous_hash and hash with `digest(row)` and write them with SQL."""
    previous = chain.GENESIS
    updates = []
    for row in rows(engine, name):
        row.previous_hash = previous
        previous = digest(row)
        updates.append({"id": row.id, "previous_hash": row.previous_hash, "hash": previous})
    # Two passes, as the unique hash would otherwise clash halfway.
    sql(engine, f"UPDATE {name} SET hash = 'x' || CAST(id AS VARCHAR(20))")
    for values in updates:
        sql(engine, f"UPDATE {name} SET previous_hash = :previous_hash, hash = :hash WHERE id = :id", **values)


def anchor_now(engine, anchor_file):
    return anchors.Watch(anchor_file).run(engine.database, engine.clock())


def test_intact_logs_verify_with_exit_0_row_counts_and_the_last_anchor(logs, verify, anchor_file):
    anchor_now(logs, anchor_file)
    result = verify()
    assert result.exit_code == 0, result.output
    for name in ("access_log", "history"):
        count = len(ids(logs, name))
        assert count >= 6
        assert line_of(result, name) == (f"{name}: intact, {count} rows, last anchor row {ids(logs, name)[-1]} "
                                          "at 2026-11-27T16:15:00+00:00")


@pytest.mark.parametrize("name", ["access_log", "history"])
def test_a_changed_row_is_named(logs, verify, name):
    target = ids(logs, name)[2]
    sql(logs, f"UPDATE {name} SET {CHANGED[name]} = 'niemand' WHERE id = :id", id=target)
    assert_broken(verify, name, target, "changed: its hash does not match "
                                        "its fields under the audit key")


def test_history_data_changed_or_removed_outside_a_destruction_is_named(logs, verify):
    """The chain covers a history row's data through its digest: changed data no longer matches
    it, and data removed while the case was not destroyed is named as such."""
    with_data = [row.id for row in rows(logs, "history") if row.data is not None]
    sql(logs, "UPDATE history SET data = :data WHERE id = :id", data='{"besluit": "iets anders"}', id=with_data[0])
    assert_broken(verify, "history", with_data[0], "changed: its data does not match the digest its hash covers")
    sql(logs, "UPDATE history SET data = NULL WHERE id = :id", id=with_data[0])
    assert_broken(verify, "history", with_data[0], "its data was removed, but its case was not destroyed")


def test_a_user_tasks_opening_and_due_moments_are_kept_and_covered_by_the_hash(logs, verify, clock):
    """The management information's lead times and deadlines come from these two columns: a forger
    who moves them breaks the chain like any other field."""
    case = logs.start("proef_casus", {"aanmelder": "Woonstichting Voorbeeld"}, actor="piet")
    [task] = logs.ready_tasks(case)
    opened, due = clock(), task.due_at
    clock.advance(hours=3)
    logs.complete(task.id, {"besluit": "niet_oppakken", "toelichting": "Geen zorg- en veiligheidsprobleem."},
                  actor="anna")
    [done] = [row for row in rows(logs, "history") if row.task_id == task.id]
    assert (done.opened_at, done.due_at, done.finished_at) == (opened, due, opened + timedelta(hours=3))
    assert due is not None
    assert {row.opened_at for row in rows(logs, "history") if row.task_type != "UserTask"} == {None}
    assert verify().exit_code == 0
    with logs.database.sql.begin() as connection:  # the column's own type writes the moment, as the engine does
        connection.execute(update(HistoryEntry).where(HistoryEntry.id == done.id).values(due_at=due + timedelta(days=30)))
    assert_broken(verify, "history", done.id, "changed: its hash does not match its fields under the audit key")


@pytest.mark.parametrize("name", ["access_log", "history"])
def test_a_deleted_middle_row_is_named_by_the_row_after_it(logs, verify, name):
    numbers = ids(logs, name)
    sql(logs, f"DELETE FROM {name} WHERE id = :id", id=numbers[2])
    assert_broken(verify, name, numbers[3], "a row before it was deleted: "
                                            "it chains onto a row that is no longer there")


@pytest.mark.parametrize("name", ["access_log", "history"])
def test_a_deleted_tail_is_caught_by_the_anchor(logs, verify, anchor_file, name):
    anchor_now(logs, anchor_file)
    numbers = ids(logs, name)
    sql(logs, f"DELETE FROM {name} WHERE id >= :id", id=numbers[-2])
    assert_broken(verify, name, numbers[-1], f"deleted tail: row {numbers[-1]} "
                                             "(anchored 2026-11-27T16:15:00+00:00) is gone; the chain now ends at "
                                             f"row {numbers[-3]}")
    # The FG's mailed line catches it as well, without the file.
    anchor_file.unlink()
    mailed = f"{name} {numbers[-1]} {'0' * 64}"
    assert "deleted tail" in line_of(verify("--anchor", mailed), name)


@pytest.mark.parametrize("name", ["access_log", "history"])
def test_an_inserted_row_is_named(logs, verify, name):
    numbers = ids(logs, name)
    at = numbers[2]
    # Make room after row `at` (two steps, so no id clashes on the way) and put a forged copy there.
    sql(logs, f"UPDATE {name} SET id = id + 100000 WHERE id > :at", at=at)
    sql(logs, f"UPDATE {name} SET id = id - 99999 WHERE id > 100000")
    forged = rows(logs, name)[2]
    columns = [c.name for c in MODEL[name].__table__.columns if c.name not in ("id", "hash")]
    sql(logs, f"INSERT INTO {name} (id, {', '.join(columns)}, hash) "
              f"SELECT :new, {', '.join(columns)}, :hash FROM {name} WHERE id = :at",
        new=at + 1, at=at, hash=hmac.new(b"a guessed key", b"x", hashlib.sha256).hexdigest())
    assert forged.id == at
    assert_broken(verify, name, at + 1, "inserted: its hash does not match its "
                                        "fields, and the next row chains onto the row before it")


@pytest.mark.parametrize("name", ["access_log", "history"])
def test_a_row_appended_with_the_public_sha256_is_named(logs, verify, name):
    last = rows(logs, name)[-1]
    last.previous_hash = last.hash
    setattr(last, CHANGED[name], "indringer")
    forged_hash = chain.plain_digest(name, last)
    columns = [c.name for c in MODEL[name].__table__.columns if c.name not in ("id", "hash", "previous_hash",
                                                                               CHANGED[name])]
    sql(logs, f"INSERT INTO {name} ({', '.join(columns)}, {CHANGED[name]}, previous_hash, hash) "
              f"SELECT {', '.join(columns)}, 'indringer', :previous, :hash FROM {name} WHERE id = :id",
        previous=last.previous_hash, hash=forged_hash, id=last.id)
    assert_broken(verify, name, last.id + 1, "written without the key: its hash is "
                                             "the public SHA-256, so it was inserted, appended or recomputed by someone "
                                             "who could write the database")


@pytest.mark.parametrize("name", ["access_log", "history"])
def test_a_chain_recomputed_without_the_key_is_named_at_its_first_row(logs, verify, name):
    sql(logs, f"UPDATE {name} SET {CHANGED[name]} = 'niemand' WHERE id = :id", id=ids(logs, name)[3])
    rechain(logs, name, lambda row: chain.plain_digest(name, row))
    result = verify()
    assert result.exit_code == 1
    assert line_of(result, name).startswith(f"{name}: BROKEN at row {ids(logs, name)[0]}: written without the key")


@pytest.mark.parametrize("name", ["access_log", "history"])
def test_a_chain_recomputed_with_a_leaked_key_is_caught_by_the_anchor(logs, verify, anchor_file, name):
    anchor_now(logs, anchor_file)
    numbers = ids(logs, name)
    sql(logs, f"UPDATE {name} SET {CHANGED[name]} = 'niemand' WHERE id = :id", id=numbers[1])
    rechain(logs, name, lambda row: chain.keyed_digest(name, row, logs.database.audit_key))
    assert_broken(verify, name, numbers[-1], f"recomputed: row {numbers[-1]} has "
                                             "another hash than its anchor (anchored 2026-11-27T16:15:00+00:00); the chain "
                                             "up to it was rewritten")
    # Without the anchor the rewrite is invisible: that is what the anchors are for.
    anchor_file.unlink()
    assert verify().exit_code == 0


def test_another_key_breaks_every_chain_at_its_first_row(logs, verify, monkeypatch):
    monkeypatch.setenv("ZVT_AUDIT_KEY", "another-key-than-the-log-was-written-with")
    result = verify()
    assert result.exit_code == 1
    assert line_of(result, "access_log").startswith(f"access_log: BROKEN at row {ids(logs, 'access_log')[0]}: changed")


def test_a_history_row_written_by_a_step_joins_the_chain_under_the_lock(logs):
    entries = rows(logs, "history")
    assert entries[0].previous_hash == chain.GENESIS
    for before, entry in zip(entries, entries[1:]):
        assert entry.previous_hash == before.hash
        assert entry.hash == chain.keyed_digest("history", entry, logs.database.audit_key)
    # JSON data is hashed as it comes back from the database, keys in any order.
    assert entries[0].data is not None or any(e.data for e in entries)
    assert json.loads(json.dumps(entries[-1].data, sort_keys=True)) == entries[-1].data


@pytest.fixture
def postgresql_engine(request, tmp_path, clock):
    """An engine on PostgreSQL alone: SQLite's writers hold its one write lock instead (BEGIN IMMEDIATE)."""
    engine = Engine(empty_database(request, "postgresql", tmp_path), clock=clock)
    yield engine
    engine.close()


def test_the_chains_lock_is_taken_once_per_transaction_and_again_in_the_next(postgresql_engine):
    """A step that writes history and the access log's row asks for the lock once; the next
    transaction of the same session must take it again (another connection then cannot)."""
    engine = postgresql_engine

    def held_elsewhere() -> bool:
        with engine.database.sql.connect() as other:
            return not other.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": chain.CHAIN_LOCK})

    locks = []
    event.listen(engine.database.sql, "before_cursor_execute",
                 lambda *args: locks.append(1) if "pg_advisory_xact_lock" in args[2] else None)
    uow = engine.database.unit_of_work()
    with uow:
        session = uow.session
        chain.lock(session)
        chain.lock(session)  # no second statement, and still held
        assert len(locks) == 1
        assert held_elsewhere()
        uow.commit()
        assert not held_elsewhere()
        chain.lock(session)  # a new transaction of the same session
        assert len(locks) == 2
        assert held_elsewhere()
    assert not held_elsewhere()


def test_a_writer_that_waited_for_the_lock_chains_onto_the_row_committed_before_it(postgresql_engine, clock):
    """On PostgreSQL the lock and the chain's head are one call (migration 0031): the head must be
    read after the lock is held, so that a writer that waited for it sees the row its holder
    committed meanwhile, not the head from before it waited (two rows with one predecessor)."""
    database = postgresql_engine.database
    first, second = database.unit_of_work(), database.unit_of_work()
    found: list[str] = []
    with first, second:
        head = chain.locked_head_hash(first.session, AccessLogEntry)
        assert head == chain.GENESIS
        waiting = threading.Thread(target=lambda: found.append(chain.locked_head_hash(second.session, AccessLogEntry)))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and not found  # it waits for the lock
        row = AccessLogEntry(at=clock(), username="piet", partner="politie", role="medewerker", action="read",
                             object_type="case", object_id="1", origin_ip="192.0.2.1", origin_device="test",
                             result="toegestaan")
        chain.link(first.session, [row])  # under the lock it holds: onto the head it read
        first.session.add(row)
        first.commit()
        waiting.join(10)
        assert found == [row.hash] and row.previous_hash == chain.GENESIS


def test_the_scheduled_check_anchors_verifies_only_what_is_new_and_raises_an_incident(logs, anchor_file, clock,
                                                                                      caplog):
    from engine import audit

    watch = anchors.Watch(anchor_file)
    first = watch.run(logs.database, clock())
    assert [r.intact for r in first] == [True, True] and all(r.rows >= 6 for r in first)
    assert len(anchors.read(anchor_file)) == 2
    assert not watch.due(clock.advance(minutes=59))
    assert watch.due(clock.advance(minutes=1))
    # Nothing new: nothing to check, no new anchor.
    assert [r.rows for r in watch.run(logs.database, clock())] == [0, 0]
    assert len(anchors.read(anchor_file)) == 2
    # One new access: the hourly check reads that row only, and anchors the new head.
    with logs.database.unit_of_work() as uow:
        access_log.record(uow.session, PIET, HERE, "read", "case", "1", 1, True, clock())
        uow.commit()
    assert [r.rows for r in watch.run(logs.database, clock.advance(hours=1))] == [1, 0]
    assert len(anchors.read(anchor_file)) == 3
    # A row changed: the next check raises the incident and logs an error without the person's data.
    target = ids(logs, "access_log")[-1]
    sql(logs, "UPDATE access_log SET username = 'jan.jansen' WHERE id = :id", id=target)
    caplog.clear()
    reports = watch.run(logs.database, clock.advance(hours=1))
    assert not reports[0].intact and reports[0].broken_row == target
    with logs.database.unit_of_work(write=False) as uow:
        [incident] = audit.incidents(uow.session)
    assert (incident.chain, incident.row_id, incident.problem) == ("access_log", target, reports[0].problem)
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert errors == [f"the access_log hash chain is broken at row {target}: {reports[0].problem}; "
                      "run `zvt audit verify`"]
    assert "jan.jansen" not in errors[0] and "piet" not in errors[0]
    # No new anchor over a broken chain.
    assert len(anchors.read(anchor_file)) == 3


def test_the_fg_gets_the_heads_by_mail_once_a_day_without_personal_data(logs, anchor_file, clock):
    from engine.db import Account, OutboxMail

    with logs.database.unit_of_work() as uow:
        from engine.db import Partner
        uow.session.add(Partner(id="gemeente_heerenveen", name="Gemeente Heerenveen", kind="convenant",
                                grondslag="", active=True))
        uow.session.flush()
        uow.session.add(Account(username="fg", display_name="FG", partner_id="gemeente_heerenveen", roles=["fg"],
                                password_hash="x", active=True, created_at=clock(), email="fg@example.nl"))
        uow.session.add(Account(username="jan", display_name="Jan", partner_id="gemeente_heerenveen",
                                roles=["procesregisseur"], password_hash="x", active=True, created_at=clock(),
                                email="jan@example.nl"))
        uow.commit()
    watch = anchors.Watch(anchor_file)
    watch.run(logs.database, clock())
    watch.run(logs.database, clock.advance(hours=1))
    with logs.database.unit_of_work(write=False) as uow:
        mails = [(m.recipient, m.body) for m in uow.session.scalars(select(OutboxMail).where(OutboxMail.kind == "anker"))]
    assert [recipient for recipient, _ in mails] == ["fg@example.nl"]
    body = mails[0][1]
    for line in anchors.read(anchor_file):
        assert anchors.format_line(line) in body
    assert "Woonstichting" not in body and "piet" not in body
    watch.run(logs.database, clock.advance(days=1))
    with logs.database.unit_of_work(write=False) as uow:
        assert len(list(uow.session.scalars(select(OutboxMail).where(OutboxMail.kind == "anker")))) == 2


def test_the_scheduler_round_runs_the_check_and_writes_the_anchor_file(logs, database_url, anchor_file, monkeypatch):
    monkeypatch.setenv("ZVT_ENV", "development")
    monkeypatch.setenv("ZVT_DATABASE_URL", database_url)
    monkeypatch.setenv("ZVT_AUDIT_ANCHOR_FILE", str(anchor_file))
    # The check comes first in the round, before the timers it fires add history rows.
    expected = {(name, rows(logs, name)[-1].id, rows(logs, name)[-1].hash) for name in MODEL}
    result = CliRunner().invoke(main, ["scheduler", "--once"], catch_exceptions=False)
    assert result.exit_code == 0
    assert {(a.chain, a.row_id, a.hash) for a in anchors.read(anchor_file)} == expected


def test_a_garbled_anchor_line_is_an_error_not_a_pass(logs, verify, anchor_file):
    anchor_file.write_text("2026-11-27T16:15:00+00:00 access_log twelve abc\n")
    result = verify()
    assert result.exit_code == 1
    assert "anchors.log:1: not an anchor" in result.output


def test_anchors_written_by_two_checks_only_append(logs, anchor_file, clock):
    watch = anchors.Watch(anchor_file)
    watch.run(logs.database, clock())
    before = anchor_file.read_text()
    with logs.database.unit_of_work() as uow:
        access_log.record(uow.session, PIET, HERE, "read", "case", "1", 1, True, clock())
        uow.commit()
    anchors.Watch(anchor_file).run(logs.database, clock.advance(hours=1) + timedelta(seconds=1))
    assert anchor_file.read_text().startswith(before)
    assert anchor_file.stat().st_mode & 0o777 == 0o640


# -- rows from before the key ---------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def legacy_url(request, tmp_path):
    """A database at revision 0010, the last without the keyed chains."""
    from uuid import uuid4

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from engine.migrate import upgrade
    from tests.conftest import POSTGRES_URL

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
        upgrade(url, "0010")
        yield url
        return
    admin = create_engine(make_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    name = f"zvt_legacy_{uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url, "0010")
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _old_access_hash(values: dict) -> str:
    """The access log's digest before revision 0017, copied from that version's access_log.py."""
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode("utf-8")).hexdigest()


def _fill_0010(url: str) -> None:
    from sqlalchemy import create_engine

    sql_engine = create_engine(url)
    at = "2026-01-05 09:00:00"
    with sql_engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO definitions (id, process_id, version, name, content_hash, specs, files, forms, deployed_at, "
            "deployed_by) VALUES (1, 'oud', 1, 'Oud', 'h', '{}', '{}', '{}', :at, 'beheerder')"), {"at": at})
        connection.execute(text(
            "INSERT INTO instances (id, definition_id, process_id, status, revision, data, started_at, started_by, "
            "updated_at, participants) VALUES (1, 1, 'oud', 'running', 1, '{}', :at, 'piet', :at, '[]')"), {"at": at})
        previous = chain.GENESIS
        for number in range(1, 5):
            values = {"at": "2026-01-05T09:00:00+00:00", "username": "piet", "partner": "gemeente_heerenveen",
                      "role": "procesregisseur", "on_behalf_of": None, "action": "read", "object_type": "case",
                      "object_id": "1", "instance_id": 1, "origin_ip": "192.0.2.1", "origin_device": "oud",
                      "result": "toegestaan", "previous_hash": previous}
            previous = _old_access_hash(values)
            connection.execute(text(
                "INSERT INTO access_log (at, username, partner, role, action, object_type, object_id, instance_id, "
                "origin_ip, origin_device, result, previous_hash, hash) VALUES (:at, 'piet', 'gemeente_heerenveen', "
                "'procesregisseur', 'read', 'case', '1', 1, '192.0.2.1', 'oud', 'toegestaan', :previous, :hash)"),
                {"at": at, "previous": values["previous_hash"], "hash": previous})
            connection.execute(text(
                "INSERT INTO history (instance_id, task_id, process_id, bpmn_id, name, task_type, lane, state, actor, "
                "finished_at, data) VALUES (1, :task, 'oud', 'stap', 'Stap', 'UserTask', NULL, 'COMPLETED', 'piet', "
                ":at, :data)"), {"task": f"task-{number}", "at": at, "data": json.dumps({"b": number, "a": [1, "x"]})})
    sql_engine.dispose()


def test_rows_from_before_the_key_still_verify_once_upgrade_has_sealed_them(legacy_url, monkeypatch, tmp_path):
    from engine import Engine

    _fill_0010(legacy_url)
    monkeypatch.setenv("ZVT_ENV", "development")
    monkeypatch.setenv("ZVT_DATABASE_URL", legacy_url)
    monkeypatch.delenv("ZVT_AUDIT_ANCHOR_FILE", raising=False)
    runner = CliRunner()
    upgraded = runner.invoke(main, ["db", "upgrade"], catch_exceptions=False)
    assert upgraded.exit_code == 0, upgraded.output
    assert "access_log: the rows from before the audit key are intact and now sealed with it" in upgraded.output
    assert "history: the rows from before the audit key are intact and now sealed with it" in upgraded.output
    engine = Engine(legacy_url)
    try:
        with engine.database.unit_of_work() as uow:  # new rows chain on with the key
            access_log.record(uow.session, PIET, HERE, "read", "case", "1", 1, True, engine.clock())
            uow.commit()
        result = runner.invoke(main, ["audit", "verify"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert line_of(result, "access_log") == "access_log: intact, 5 rows, last anchor none"
        assert line_of(result, "history") == "history: intact, 4 rows, last anchor none"
        # An old-style row after the seal is a forgery, however well it fits the old algorithm.
        last = rows(engine, "access_log")[-1]
        last.previous_hash = last.hash
        sql(engine, "INSERT INTO access_log (at, username, partner, role, action, object_type, object_id, "
                    "instance_id, origin_ip, origin_device, result, previous_hash, hash) SELECT at, username, partner, "
                    "role, action, object_type, object_id, instance_id, origin_ip, origin_device, result, :previous, "
                    ":hash FROM access_log WHERE id = :id",
            previous=last.previous_hash, hash=chain.plain_digest("access_log", last), id=last.id)
        assert line_of(runner.invoke(main, ["audit", "verify"]), "access_log").startswith(
            "access_log: BROKEN at row 6: written without the key")
        # Removing the seal does not turn the forgery into an old row.
        sql(engine, "UPDATE audit_chains SET legacy_last_id = 6, legacy_last_hash = :hash WHERE chain = 'access_log'",
            hash=chain.plain_digest("access_log", last))
        assert "the seal over the rows from before the audit key does not match the key" in line_of(
            runner.invoke(main, ["audit", "verify"]), "access_log")
        # Without its seal row, an old row is one more row without the key.
        sql(engine, "DELETE FROM audit_chains WHERE chain = 'history'")
        assert line_of(runner.invoke(main, ["audit", "verify"]), "history").startswith(
            "history: BROKEN at row 1: written without the key")
    finally:
        engine.close()


def test_upgrade_refuses_to_seal_old_rows_that_are_already_broken(legacy_url, monkeypatch):
    _fill_0010(legacy_url)
    from sqlalchemy import create_engine

    sql_engine = create_engine(legacy_url)
    with sql_engine.begin() as connection:
        connection.execute(text("UPDATE access_log SET username = 'niemand' WHERE id = 3"))
    sql_engine.dispose()
    monkeypatch.setenv("ZVT_ENV", "development")
    monkeypatch.setenv("ZVT_DATABASE_URL", legacy_url)
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 1
    assert "access_log: row 3 from before the audit key is broken; not sealed" in result.output
    verified = CliRunner().invoke(main, ["audit", "verify"])
    assert verified.exit_code == 1
    assert line_of(verified, "access_log") == ("access_log: BROKEN at row 4: the rows from before the audit key are "
                                                "not sealed yet; run `zvt db upgrade` (or `zvt audit seal`)")


def test_timers_fired_for_many_cases_in_one_batch_keep_the_history_chain_whole(logs, clock):
    from engine import audit

    for number in range(5):
        logs.start("proef_casus", {"aanmelder": f"Partner {number}"}, actor="piet")
    before = len(ids(logs, "history"))
    clock.advance(days=60)
    assert logs.fire_due_timers() >= 5
    assert len(ids(logs, "history")) > before
    with logs.database.unit_of_work(write=False) as uow:
        assert audit.verify(uow.session, logs.database.audit_key, "history").intact


def test_an_old_row_changed_after_the_seal_is_named(legacy_url, monkeypatch):
    from sqlalchemy import create_engine

    _fill_0010(legacy_url)
    monkeypatch.setenv("ZVT_ENV", "development")
    monkeypatch.setenv("ZVT_DATABASE_URL", legacy_url)
    monkeypatch.delenv("ZVT_AUDIT_ANCHOR_FILE", raising=False)
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    sql_engine = create_engine(legacy_url)
    with sql_engine.begin() as connection:
        connection.execute(text("UPDATE access_log SET origin_ip = '198.51.100.9' WHERE id = 2"))
    sql_engine.dispose()
    result = CliRunner().invoke(main, ["audit", "verify"])
    assert result.exit_code == 1
    assert line_of(result, "access_log") == ("access_log: BROKEN at row 2: changed: its hash does not match its "
                                              "fields (SHA-256, from before the key)")
