"""The covenant's process facts (processes/process_rules.json): read from data, checked at deploy."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import DefinitionRefused, process_rules
from engine.db import Definition, Partner
from tests.engine.test_start_and_forms import gepland, write

SHIPPED = Path(__file__).resolve().parents[2] / "processes" / process_rules.FILE_NAME


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
    from zvt.config import ConfigError
    from zvt.config import process_rules as configured

    path = tmp_path / process_rules.FILE_NAME
    path.write_text(json.dumps({"processes": {"klacht": {"personal_data": "ja"}}}))
    with pytest.raises(ConfigError, match="ZVT_PROCESSES_DIR: .*processes.klacht.personal_data: must be true or false"):
        configured(path, "ZVT_PROCESSES_DIR")


def test_a_case_the_scheduler_starts_gets_its_start_context_as_the_register_is_that_day(engine, tmp_path,
                                                                                       monkeypatch):
    # The rules in use name the scheduled process; the register changes between deploy and start.
    monkeypatch.setattr(process_rules, "_active", process_rules.parse({"processes": {"evaluatie": {
        "personal_data": False, "open_to_roles": ["manager"],
        "start_context": {"partners": "convenant_partners", "regie": "directing_partner"}}}}))
    with engine.database.unit_of_work() as uow:
        uow.session.add(Partner(id="gemeente", name="Gemeente", kind="convenant", grondslag="g", active=True,
                                directs=True))
        uow.commit()
    engine.deploy(write(tmp_path, "evaluatie", gepland()))
    with engine.database.unit_of_work() as uow:
        uow.session.add_all([Partner(id="elkien", name="Elkien", kind="convenant", grondslag="g", active=True),
                             Partner(id="later", name="Later", kind="convenant", grondslag="g", active=True,
                                     joined_on="2027-02-01")])
        uow.commit()

    assert engine.fire_due_timers(datetime(2027, 1, 15, 8, 0, tzinfo=timezone.utc)) == 1
    [task] = engine.ready_tasks(role="manager")
    data = engine.instance(task.instance_id).data
    assert (data["partners"], data["regie"]) == (["gemeente", "elkien"], "gemeente")


def test_a_scheduled_process_cannot_have_what_only_a_persons_start_knows(engine, tmp_path):
    write(tmp_path, "evaluatie", gepland())
    rules_file(tmp_path, {"evaluatie": {"personal_data": False, "open_to_roles": ["manager"],
                                        "start_context": {"door": "starter_partner"}}})
    assert ("processes.evaluatie.start_context.door: 'starter_partner' needs a person who starts the case; "
            "the scheduler starts this process") in refusal(engine, tmp_path)
    assert definitions(engine) == 0
