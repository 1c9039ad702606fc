"""The covenant's process facts (processes/process_rules.json): read from data, checked at deploy."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import DefinitionRefused, process_rules
from engine.db import Definition
from tests.conftest import FIXTURES

SHIPPED = Path(__file__).resolve().parents[2] / "processes" / process_rules.FILE_NAME


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(FIXTURES / "processes", tmp_path / "processes")
    shutil.copytree(FIXTURES / "forms", tmp_path / "forms")
    return tmp_path


def rules_file(folder, processes: dict) -> None:
    (folder / "processes" / process_rules.FILE_NAME).write_text(json.dumps({"processes": processes}))


def definitions(engine) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Definition))


def refusal(engine, folder) -> str:
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes", folder / "forms")
    return str(refused.value)


def test_the_shipped_rules_name_every_covenant_process():
    rules = process_rules.load(SHIPPED)
    assert set(rules.processes) == {"zvt_casus", "datalek", "rechten_betrokkene", "klacht", "jaarlijkse_evaluatie",
                                    "toegangsreview", "convenant"}
    assert rules.rule("rechten_betrokkene").directing_partner
    assert rules.rule("klacht").start_context == {"ontvangen_door": "starter_partner",
                                                  "regiepartner": "directing_partner"}
    assert rules.rule("onbekend") == process_rules.UNKNOWN and rules.rule("onbekend").personal_data


def test_good_rules_deploy_with_the_processes(engine, folder):
    rules_file(folder, {"proef_casus": {"personal_data": True, "starters": ["partnermedewerker"],
                                        "participants": {"partner_fields": ["aanmelder_partner"]}}})
    assert {v.process_id for v in engine.deploy(folder / "processes", folder / "forms")} == {
        "proef_casus", "parallel_overleg"}


@pytest.mark.parametrize("processes, message", [
    ({"proef_casus": {"starters": ["partnermedewerker"]}},
     "processes.proef_casus.personal_data: must be true or false"),
    ({"proef_casus": {"personal_data": True, "starters": ["directeur"]}},
     "processes.proef_casus.starters: 'directeur' is not a role"),
    ({"proef_casus": {"personal_data": False, "starters": ["teamleider"]}},
     "processes.proef_casus.open_to_roles: a process without personal data needs the roles that work in it"),
    ({"proef_casus": {"personal_data": True, "participants": {"partner_fields": "aanmelder_partner"}}},
     "processes.proef_casus.participants.partner_fields: must be a list of data field names"),
    ({"proef_casus": {"personal_data": True, "start_context": {"aanmelder_partner": "the_moon"}}},
     "processes.proef_casus.start_context.aanmelder_partner: must be one of"),
    ({"proef_casus": {"personal_data": True, "wie_mag": ["fg"]}},
     "processes.proef_casus: unknown key 'wie_mag'"),
    ({"proef_casus": {"personal_data": True, "start_context": ["starter_partner"]}},
     "processes.proef_casus.start_context: must map data field names to what the engine puts in them"),
])
def test_bad_rules_are_refused_at_deploy_with_a_clear_message_and_nothing_is_stored(engine, folder, processes,
                                                                                   message):
    rules_file(folder, processes)
    assert message in refusal(engine, folder)
    assert definitions(engine) == 0


def test_a_rules_file_that_is_not_json_is_refused_at_deploy(engine, folder):
    (folder / "processes" / process_rules.FILE_NAME).write_text('{"processes": {,}}')
    assert "process_rules.json: not valid JSON: line 1" in refusal(engine, folder)
    assert definitions(engine) == 0


def test_the_configuration_refuses_to_start_with_broken_rules(tmp_path):
    from zvt.config import ConfigError, process_rules as configured

    path = tmp_path / process_rules.FILE_NAME
    path.write_text(json.dumps({"processes": {"klacht": {"personal_data": "ja"}}}))
    with pytest.raises(ConfigError, match="ZVT_PROCESSES_DIR: .*processes.klacht.personal_data: must be true or false"):
        configured(path, "ZVT_PROCESSES_DIR")
