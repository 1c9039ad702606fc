"""The anchors outside the database: to syslog as well as the file, received by a real syslog
socket the test reads; a place that cannot be written is an error in the log and an incident,
not a failed round; production refuses a scheduler that has no place for them."""
from __future__ import annotations

import logging
import re
import socket
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine import anchors
from tests.engine.test_audit_chain import MODEL, ids, rows, sql
from tests.test_config import PRODUCTION
from zvt.cli import main

# <facility authpriv (10) * 8 + severity info (6)>, then the tag and the line, nothing after it.
PRIORITY = "<86>"


@pytest.fixture
def short_dir():
    """A folder for unix sockets: their path may hold at most 107 characters, less than tmp_path's."""
    with tempfile.TemporaryDirectory(prefix="zvt-") as folder:
        yield Path(folder)


@pytest.fixture
def udp_syslog():
    """A syslog server on loopback: a UDP socket the test reads."""
    receiver = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    receiver.bind(("127.0.0.1", 0))
    yield receiver
    receiver.close()


def received(receiver: socket.socket, count: int) -> list[str]:
    """Exactly `count` messages, without their priority (checked here)."""
    receiver.settimeout(5)
    messages = [receiver.recv(4096).decode("ascii") for _ in range(count)]
    receiver.settimeout(0.3)
    with pytest.raises(socket.timeout):
        receiver.recv(4096)
    for message in messages:
        assert message.startswith(PRIORITY + "zvt-anchor: ") and message.isprintable(), message
    return [message[len(PRIORITY):] for message in messages]


def heads(engine) -> set[tuple[str, int, str]]:
    return {(name, rows(engine, name)[-1].id, rows(engine, name)[-1].hash) for name in MODEL}


def scheduler_once(monkeypatch, database_url: str, **settings: str):
    monkeypatch.setenv("ZVT_ENV", "development")
    monkeypatch.setenv("ZVT_DATABASE_URL", database_url)
    for name in ("ZVT_AUDIT_ANCHOR_FILE", "ZVT_AUDIT_ANCHOR_SYSLOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    return CliRunner().invoke(main, ["scheduler", "--once"], catch_exceptions=False)


def failures(engine) -> dict[str, str]:
    with engine.database.unit_of_work(write=False) as uow:
        return {incident.target: incident.problem for incident in anchors.incidents(uow.session)}


def test_the_scheduler_round_sends_each_head_to_a_udp_syslog_as_an_authpriv_line(logs, database_url, udp_syslog,
                                                                                 monkeypatch, tmp_path, verify):
    expected = heads(logs)
    port = udp_syslog.getsockname()[1]
    result = scheduler_once(monkeypatch, database_url, ZVT_AUDIT_ANCHOR_SYSLOG=f"127.0.0.1:{port}")
    assert result.exit_code == 0, result.output
    lines = received(udp_syslog, 2)
    assert {(a.chain, a.row_id, a.hash) for a in map(anchors.parse_line, lines)} == expected
    # The same line as in the anchor file: `<time> <chain> <row id> <hash>` after the tag.
    assert all(line.split(": ", 1)[1] == anchors.format_line(anchors.parse_line(line)) for line in lines)

    # The operator exports the lines from syslog (with syslog's own time and host in front) for verify.
    exported = tmp_path / "uit-syslog.txt"
    exported.write_text("".join(f"Nov 27 17:15:00 zvt-server {line}\n" for line in lines))
    result = verify("--anchors", str(exported))
    assert result.exit_code == 0, result.output
    access = ids(logs, "access_log")
    assert f"access_log: intact, {len(access)} rows, last anchor row {access[-1]} at " in result.output
    # A tail deleted after the anchor shows against the exported lines.
    sql(logs, "DELETE FROM access_log WHERE id = :id", id=ids(logs, "access_log")[-1])
    result = verify("--anchors", str(exported))
    assert result.exit_code == 1 and "access_log: BROKEN" in result.output and "deleted tail" in result.output


def test_a_local_syslog_socket_gets_the_heads_too_and_the_file_keeps_its_lines(logs, database_url, short_dir,
                                                                               anchor_file, monkeypatch):
    expected = heads(logs)  # before the round: the timers it fires add history rows
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(short_dir / "log"))
    try:
        result = scheduler_once(monkeypatch, database_url, ZVT_AUDIT_ANCHOR_SYSLOG=str(short_dir / "log"),
                                ZVT_AUDIT_ANCHOR_FILE=str(anchor_file))
        assert result.exit_code == 0, result.output
        lines = received(receiver, 2)
    finally:
        receiver.close()
    assert [anchors.parse_line(line) for line in lines] == anchors.read(anchor_file)
    assert {(a.chain, a.row_id, a.hash) for a in anchors.read(anchor_file)} == expected


@pytest.mark.parametrize("place", ["syslog", "file"])
def test_a_place_that_cannot_be_written_is_an_error_and_an_incident_and_the_round_goes_on(
        logs, database_url, short_dir, anchor_file, monkeypatch, caplog, place):
    missing = {"syslog": short_dir / "geen-syslog", "file": short_dir / "weg" / "anchors.log"}[place]
    settings = {"ZVT_AUDIT_ANCHOR_SYSLOG": str(missing), "ZVT_AUDIT_ANCHOR_FILE": str(anchor_file)} \
        if place == "syslog" else {"ZVT_AUDIT_ANCHOR_FILE": str(missing)}
    caplog.set_level(logging.INFO)
    expected = heads(logs)
    result = scheduler_once(monkeypatch, database_url, **settings)
    # The round went on.
    assert result.exit_code == 0 and re.fullmatch(r"fired \d+ timers, sent 0 mails\n", result.output)
    where = f"syslog at {missing}" if place == "syslog" else f"the anchor file {missing}"
    problem = f"could not write the anchors to {where}: FileNotFoundError (No such file or directory)"
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        f"{problem}; the next check tries again"]
    assert failures(logs) == {place: problem}
    if place == "syslog":  # the other place was written all the same
        assert {(a.chain, a.row_id, a.hash) for a in anchors.read(anchor_file)} == expected


def test_the_heads_a_syslog_missed_go_with_its_next_write_and_that_closes_the_incident(logs, short_dir, clock):
    path = short_dir / "log"
    watch = anchors.Watch(syslog=str(path))
    watch.run(logs.database, clock())
    assert set(failures(logs)) == {"syslog"}
    missed = heads(logs)
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(path))  # the syslog daemon is back
    try:
        watch.run(logs.database, clock.advance(hours=1))  # nothing new, but the missed heads go now
        lines = received(receiver, 2)
    finally:
        receiver.close()
    assert {(a.chain, a.row_id, a.hash) for a in map(anchors.parse_line, lines)} == missed
    assert all(anchors.parse_line(line).at == clock() - anchors.CHECK_EVERY for line in lines)  # when verified
    assert failures(logs) == {}


# -- production needs a place outside the database ----------------------------------------------

def production(monkeypatch, tmp_path, **settings: str) -> Path:
    for name, value in {**PRODUCTION, "ZVT_DATABASE_URL": f"sqlite:///{tmp_path / 'zvt.sqlite3'}", **settings}.items():
        monkeypatch.setenv(name, value)
    for name in ("ZVT_AUDIT_ANCHOR_FILE", "ZVT_AUDIT_ANCHOR_SYSLOG"):
        if name not in settings:
            monkeypatch.delenv(name, raising=False)
    return tmp_path / "zvt.sqlite3"


def test_production_refuses_to_start_a_scheduler_with_nowhere_to_anchor_before_touching_the_database(
        monkeypatch, tmp_path):
    database = production(monkeypatch, tmp_path)
    result = CliRunner().invoke(main, ["scheduler", "--once"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "error: production needs ZVT_AUDIT_ANCHOR_FILE or ZVT_AUDIT_ANCHOR_SYSLOG (or both) for the scheduler: an "
        "append-only file or a syslog the database's account cannot rewrite, where it writes the heads of the "
        "logs' hash chains every hour"]
    assert not database.exists()
    # Without the audit key it refuses as well, naming the key.
    monkeypatch.delenv("ZVT_AUDIT_KEY")
    monkeypatch.setenv("ZVT_AUDIT_ANCHOR_FILE", str(tmp_path / "anchors.log"))
    result = CliRunner().invoke(main, ["scheduler", "--once"])
    assert result.exit_code == 1 and result.output.startswith("error: production needs ZVT_AUDIT_KEY to be set")
    assert not database.exists()


@pytest.mark.parametrize("setting", ["ZVT_AUDIT_ANCHOR_FILE", "ZVT_AUDIT_ANCHOR_SYSLOG"])
def test_production_starts_the_scheduler_with_either_place(monkeypatch, tmp_path, setting):
    value = str(tmp_path / "anchors.log") if setting == "ZVT_AUDIT_ANCHOR_FILE" else "127.0.0.1:514"
    production(monkeypatch, tmp_path, **{setting: value})
    assert CliRunner().invoke(main, ["db", "upgrade"]).exit_code == 0
    result = CliRunner().invoke(main, ["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "fired 0 timers, sent 0 mails"
