"""The zvt command against a real SQLite file, as an administrator would use it."""
import logging
import os
from datetime import datetime, timedelta, timezone

import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from engine import Engine
from engine.migrate import alembic_config
from engine.retention_rules import load
from tests.conftest import FIXTURES
from tests.engine.bpmn import simple_process
from zvt.cli import main


@pytest.fixture
def zvt(tmp_path, monkeypatch):
    monkeypatch.setenv("ZVT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("ZVT_ENV", "development")
    runner = CliRunner()

    def run(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return run


def test_upgrade_then_deploy_twice_deploys_nothing_new_the_second_time(zvt):
    assert zvt("db", "upgrade").exit_code == 0
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None and zvt("db", "current").output.strip() == head

    first = zvt("deploy", str(FIXTURES / "processes"), "--forms", str(FIXTURES / "forms"))
    second = zvt("deploy", str(FIXTURES / "processes"), "--forms", str(FIXTURES / "forms"))

    assert first.exit_code == 0 and "proef_casus version 1 (new)" in first.output
    assert second.exit_code == 0 and "proef_casus version 1 (unchanged)" in second.output


def test_a_refused_deploy_exits_1_and_names_file_element_and_reason(zvt, tmp_path):
    zvt("db", "upgrade")
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "slecht.bpmn").write_text(simple_process("slecht", script="import os"))

    result = zvt("deploy", str(tmp_path / "processes"))

    assert result.exit_code == 1
    assert "slecht.bpmn: script: script refused" in result.output
    assert "Traceback" not in result.output


def test_the_scheduler_fires_due_timers_once_and_exits(zvt, tmp_path):
    zvt("db", "upgrade")
    result = zvt("scheduler", "--once")
    assert result.exit_code == 0
    assert "fired 0 timers" in result.output


def test_without_zvt_env_the_commands_refuse_the_missing_key_in_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("ZVT_ENV", raising=False)
    monkeypatch.delenv("ZVT_SECRET_KEY", raising=False)
    monkeypatch.delenv("ZVT_AUDIT_KEY", raising=False)
    monkeypatch.setenv("ZVT_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "error: production needs ZVT_SECRET_KEY and ZVT_AUDIT_KEY to be set (ZVT_ENV is not set, so the production "
        "rules apply; "
        "on a development machine set ZVT_ENV=development)"]
    assert not (tmp_path / "cli.sqlite3").exists()


def test_a_database_that_was_never_migrated_gives_one_clear_line(zvt):
    result = zvt("deploy", str(FIXTURES / "processes"), "--forms", str(FIXTURES / "forms"))
    assert result.exit_code == 1
    assert "zvt db upgrade" in result.output


def test_a_scheduler_round_sends_the_mail_the_steps_queued_over_smtp(zvt, smtp, monkeypatch):
    from tests.processes.conftest import FORMS, PROCESSES

    zvt("db", "upgrade")
    zvt("deploy", str(PROCESSES), "--forms", str(FORMS))
    assert zvt("demo-data").exit_code == 0  # three invented cases: their new tasks queue mail
    monkeypatch.setenv("ZVT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ZVT_SMTP_PORT", str(smtp.port))

    first = zvt("scheduler", "--once")
    sent = int(first.output.split("sent ")[1].split()[0])
    assert first.exit_code == 0 and sent > 0 and sent == len(smtp.received)
    assert all(r.endswith("@example.nl") for mail in smtp.received for r in mail.recipients)
    assert "sent 0 mails" in zvt("scheduler", "--once").output  # each mail once


@pytest.mark.parametrize("flag, fires", [(None, True), ("--no-scheduler", False)])
def test_the_development_server_fires_deadlines_itself_unless_told_not_to(tmp_path, flag, fires):
    import os
    import socket
    import subprocess
    import sys
    import time
    from datetime import datetime, timezone

    from engine import Engine
    from engine.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    upgrade(url)
    engine = Engine(url, clock=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc))  # long ago: due now
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "tijd.bpmn").write_text(simple_process("tijd", timer='"PT1H"'))
    engine.deploy(tmp_path / "processes")
    case = engine.start("tijd", {}, actor="piet")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, ZVT_DATABASE_URL=url, ZVT_ENV="development", ZVT_SCHEDULER_INTERVAL="1")
    command = [sys.executable, "-c", "from zvt.cli import main; main()", "serve", "--port", str(port)]
    server = subprocess.Popen(command + ([flag] if flag else []), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + (20 if fires else 4)
        while time.monotonic() < deadline and engine.timers(case):
            assert server.poll() is None, "zvt serve stopped"
            time.sleep(0.2)
        assert (engine.timers(case) == []) == fires
        assert ("termijn" in [h.bpmn_id for h in engine.history(case)]) == fires
    finally:
        server.terminate()
        server.wait(timeout=10)
        engine.close()


def test_migrate_says_per_case_what_a_move_does_then_moves_and_needs_a_reason(zvt, tmp_path):
    from engine import Engine
    from tests.engine.test_migrating import version_2
    from tests.processes.conftest import FORMS, PROCESSES, add_partners
    from tests.processes.test_zvt_casus import OPPAKKEN, aanmelding

    zvt("db", "upgrade")
    zvt("deploy", str(PROCESSES), "--forms", str(FORMS))
    engine = Engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    add_partners(engine)  # the beoordeling's partner choice comes from the register
    waiting = engine.start("zvt_casus", aanmelding(), actor="w", context={"aanmelder_partner": "woonfriesland"})
    crisis = engine.start("zvt_casus", aanmelding(), actor="w", context={"aanmelder_partner": "woonfriesland"})
    [task] = engine.ready_tasks(crisis)
    engine.complete(task.id, {**OPPAKKEN, "crisisoverleg": True}, actor="procesregisseur")
    [task] = engine.ready_tasks(crisis)  # the privacy check before the crisisoverleg
    engine.complete(task.id, {"uitgenodigde_partners": OPPAKKEN["deelnemende_partners"], "noodzaak_nagegaan": True},
                    actor="procesregisseur")
    v2 = version_2(tmp_path)
    assert "zvt_casus version 2 (new)" in zvt("deploy", str(v2 / "processes"), "--forms", str(v2 / "forms")).output

    dry = zvt("migrate", "zvt_casus", "--dry-run")
    assert dry.exit_code == 0
    assert f"case {waiting}: can move from version 1 to 2; open tasks: beoordeling (procesregisseur)" in dry.output
    assert f"case {crisis}: cannot move from version 1: the case is at or has passed crisisoverleg_houden" in dry.output
    assert zvt("migrate", "zvt_casus").exit_code == 2  # no reason given: nothing moved

    moved = zvt("migrate", "zvt_casus", "--reason", "Convenant 2027")
    assert moved.exit_code == 1  # one case stayed
    assert f"case {waiting}: moved from version 1 to 2" in moved.output
    assert f"case {crisis}: stays: the case is at or has passed crisisoverleg_houden" in moved.output
    assert zvt("migrate", "zvt_casus", "--dry-run").output.count("can move") == 0
    engine.close()


def test_retention_run_lists_case_numbers_without_data_and_destroys_each_case_once(zvt, monkeypatch):
    monkeypatch.setenv("ZVT_RETENTION_FILE", str(FIXTURES / "processes" / "retention.json"))
    zvt("db", "upgrade")
    zvt("deploy", str(FIXTURES / "processes"), "--forms", str(FIXTURES / "forms"))
    engine = Engine(os.environ["ZVT_DATABASE_URL"], retention=load(FIXTURES / "processes" / "retention.json"),
                    clock=lambda: datetime.now(timezone.utc) - timedelta(days=800))
    number = engine.start("proef_casus", {"naam": "Jan Zonderland"}, actor="pytest")
    for task in engine.ready_tasks(number):
        engine.complete(task.id, {"besluit": "niet_oppakken", "toelichting": "Past niet."}, actor="pytest")
    closed = engine.instance(number)
    engine.close()
    assert closed.status == "completed", "the fixture process closes after its task"

    dry = zvt("retention", "run", "--dry-run")
    assert dry.exit_code == 0
    assert f"case {number} (proef_casus): would destroy; date " in dry.output
    assert "Jan Zonderland" not in dry.output
    assert "would destroy 1 cases, 0 on hold" in dry.output
    done = zvt("retention", "run")
    assert f"case {number} (proef_casus): destroyed" in done.output and "destroyed 1 cases" in done.output
    assert "destroyed 0 cases" in zvt("retention", "run").output


def test_bench_prints_figures_without_the_info_lines_of_what_it_runs(zvt, tmp_path, monkeypatch, caplog):
    # A stand-in for bench/run_all.py, logging as the migrations of its fresh databases do.
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "run_all.py").write_text(
        "import logging\n"
        "def main(quick, scale):\n"
        "    logging.getLogger('alembic.runtime.migration').info('Running upgrade 0001 -> 0002')\n"
        "    logging.getLogger('engine.outbox').warning('mail could not go')\n"
        "    print('figure: 1.0 ms')\n")
    monkeypatch.setattr("zvt.cli.PROJECT_ROOT", tmp_path)
    caplog.set_level(logging.INFO)  # the root logger at INFO, as `zvt` sets it

    result = zvt("bench", "--quick")

    assert result.exit_code == 0 and "figure: 1.0 ms" in result.output
    assert [r.getMessage() for r in caplog.records] == ["mail could not go"]
    assert logging.getLogger().level == logging.INFO  # as it was, once the run is over
