"""The zvt command against a real SQLite file, as an administrator would use it."""
import pytest
from alembic.script import ScriptDirectory
from click.testing import CliRunner

from engine.migrate import alembic_config

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


def test_a_database_that_was_never_migrated_gives_one_clear_line(zvt):
    result = zvt("deploy", str(FIXTURES / "processes"), "--forms", str(FIXTURES / "forms"))
    assert result.exit_code == 1
    assert "zvt db upgrade" in result.output
