import json

import pytest
from sqlalchemy import func, select

from engine import DefinitionRefused, Engine
from engine.db import Definition
from tests.engine.bpmn import simple_process


def by_process(versions):
    return {v.process_id: v for v in versions}


def definition_count(engine):
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(func.count()).select_from(Definition))


def test_deploy_stores_a_first_version(engine, folder):
    versions = by_process(engine.deploy(folder / "processes"))
    assert set(versions) == {"proef_casus", "parallel_overleg"}
    version = versions["proef_casus"]
    assert (version.version, version.new) == (1, True)
    assert len(version.content_hash) == 64


def test_unchanged_files_deploy_nothing_new(engine, folder):
    first = by_process(engine.deploy(folder / "processes"))
    second = by_process(engine.deploy(folder / "processes"))
    assert [v.new for v in second.values()] == [False, False]
    assert {p: v.definition_id for p, v in second.items()} == {p: v.definition_id for p, v in first.items()}
    assert definition_count(engine) == 2


def test_a_changed_form_is_a_new_version_and_running_instances_keep_theirs(engine, folder):
    engine.deploy(folder / "processes")
    running = engine.start("proef_casus", {}, actor="piet")
    form = folder / "forms" / "proef_casus" / "beoordeling.schema.json"
    schema = json.loads(form.read_text())
    schema["properties"]["toelichting"]["minLength"] = 20
    form.write_text(json.dumps(schema))

    versions = by_process(engine.deploy(folder / "processes"))

    assert (versions["proef_casus"].version, versions["proef_casus"].new) == (2, True)
    assert versions["parallel_overleg"].new is False
    assert engine.instance(running).version == 1
    assert engine.instance(engine.start("proef_casus", {}, actor="piet")).version == 2
    [old_task] = engine.ready_tasks(running)
    # The old instance still validates against the form of its own version.
    engine.complete(old_task.id, {"besluit": "oppakken", "toelichting": "kort maar ok"}, actor="anna")


def test_a_changed_bpmn_file_is_a_new_version(engine, folder):
    engine.deploy(folder / "processes")
    path = folder / "processes" / "proef_casus.bpmn"
    path.write_text(path.read_text().replace('termijn = "P3D"', 'termijn = "P5D"'))
    assert {v.process_id: v.version for v in engine.deploy(folder / "processes")} == {
        "proef_casus": 2, "parallel_overleg": 1}


def refuse(engine, folder):
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes")
    assert definition_count(engine) == 0
    return refused.value


def write(folder, name, text):
    (folder / "processes" / name).write_text(text)


def test_malformed_xml_is_refused_naming_the_file(engine, folder):
    write(folder, "kapot.bpmn", "<bpmn:definitions><niet-afgesloten>")
    [problem] = refuse(engine, folder).problems
    assert problem.file == "kapot.bpmn"
    assert "malformed XML" in problem.reason


def test_xml_that_breaks_the_bpmn_schema_is_refused(engine, folder):
    write(folder, "raar.bpmn", simple_process("raar").replace("<bpmn:startEvent", "<bpmn:onbekendElement"))
    [problem] = refuse(engine, folder).problems
    assert problem.file == "raar.bpmn"
    assert "onbekendElement" in problem.reason


def test_external_entities_are_never_resolved(engine, folder, tmp_path):
    secret = tmp_path / "geheim.txt"
    secret.write_text("GEHEIM")
    write(folder, "xxe.bpmn", simple_process("xxe").replace(
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>\n').replace(
        'name="Rekenen"', 'name="&x;"'))
    try:
        engine.deploy(folder / "processes")
    except DefinitionRefused:
        assert definition_count(engine) == 0  # refused whole: nothing of it can leak
        return
    with engine.database.unit_of_work(write=False) as uow:
        stored = uow.session.scalars(select(Definition.specs)).all()
    assert not any("GEHEIM" in s for s in stored)


def test_a_process_that_is_not_executable_is_refused(engine, folder):
    write(folder, "schets.bpmn", simple_process("schets", executable=False))
    [problem] = refuse(engine, folder).problems
    assert (problem.file, problem.element) == ("schets.bpmn", "schets")
    assert "not executable" in problem.reason


def test_a_call_to_an_unknown_process_is_refused(engine, folder):
    write(folder, "hoofd.bpmn", simple_process("hoofd", call="bestaat_niet"))
    problems = refuse(engine, folder).problems
    assert any(p.file == "hoofd.bpmn" and "bestaat_niet" in p.reason for p in problems)


def test_a_call_to_a_process_in_another_file_is_deployed_with_it(engine, folder):
    write(folder, "hoofd.bpmn", simple_process("hoofd", call="deel"))
    write(folder, "deel.bpmn", simple_process("deel", user_task="deeltaak"))
    versions = {v.process_id: v for v in engine.deploy(folder / "processes")}
    assert set(versions) == {"proef_casus", "parallel_overleg", "hoofd", "deel"}


@pytest.mark.parametrize("script", [
    "import os",
    "x = open('/etc/passwd').read()",
    "x = ().__class__.__bases__",
    "x = eval('1 + 1')",
    "x = getattr(1, 'real')",
])
def test_a_script_that_fails_the_restricted_compiler_is_refused(engine, folder, script):
    write(folder, "script.bpmn", simple_process("script_proces", script=script))
    [problem] = refuse(engine, folder).problems
    assert (problem.file, problem.element) == ("script.bpmn", "script")
    assert problem.reason.startswith("script refused")


def test_a_condition_that_fails_the_restricted_compiler_is_refused(engine, folder):
    write(folder, "keuze.bpmn", simple_process("keuze_proces", condition="__import__('os').system('id') == 0"))
    [problem] = refuse(engine, folder).problems
    assert problem.element == "keuze"
    assert "condition" in problem.reason


def test_a_timer_expression_that_fails_the_restricted_compiler_is_refused(engine, folder):
    write(folder, "timer.bpmn", simple_process("timer_proces", timer="open('/etc/passwd').read()"))
    [problem] = refuse(engine, folder).problems
    assert problem.element == "termijn"
    assert "timer expression refused" in problem.reason


def test_a_form_that_is_not_valid_json_schema_is_refused(engine, folder):
    form = folder / "forms" / "proef_casus" / "beoordeling.schema.json"
    form.write_text(json.dumps({"type": "object", "properties": {"besluit": {"type": "tekst"}}}))
    [problem] = refuse(engine, folder).problems
    assert problem.element == "beoordeling"
    assert "not a valid JSON Schema" in problem.reason and "properties/besluit/type" in problem.reason


def test_a_form_that_is_not_json_is_refused(engine, folder):
    (folder / "forms" / "proef_casus" / "beoordeling.schema.json").write_text("{niet: json")
    [problem] = refuse(engine, folder).problems
    assert "not valid JSON" in problem.reason


def test_a_form_for_a_task_that_does_not_exist_is_refused(engine, folder):
    (folder / "forms" / "proef_casus" / "beoordeeling.schema.json").write_text('{"type": "object"}')
    [problem] = refuse(engine, folder).problems
    assert problem.element == "beoordeeling"


def test_a_user_task_outside_a_role_lane_is_refused(engine, folder):
    write(folder, "zonder.bpmn", simple_process("zonder_baan", lane=None))
    write(folder, "fout.bpmn", simple_process("foute_baan", lane="iedereen"))
    problems = refuse(engine, folder).problems
    assert {(p.file, p.element) for p in problems} == {("zonder.bpmn", "controle"), ("fout.bpmn", "controle")}
    assert any("'iedereen' is not a role" in p.reason for p in problems)


def test_every_problem_is_listed_and_nothing_of_the_good_files_is_stored(engine, folder):
    write(folder, "a.bpmn", simple_process("a_proces", script="import os"))
    write(folder, "b.bpmn", simple_process("b_proces", executable=False))
    refused = refuse(engine, folder)
    assert {p.file for p in refused.problems} == {"a.bpmn", "b.bpmn"}
    assert "a.bpmn: script" in str(refused) and "b.bpmn: b_proces" in str(refused)


def test_an_empty_folder_is_refused(engine, tmp_path):
    (tmp_path / "processes").mkdir()
    with pytest.raises(DefinitionRefused, match="no .bpmn or .dmn files"):
        engine.deploy(tmp_path / "processes")


# --- UI schemas beside the forms --------------------------------------------------------------------

def write_ui(folder, ui, task="beoordeling"):
    (folder / "forms" / "proef_casus" / f"{task}.ui.json").write_text(json.dumps(ui))


def test_a_ui_schema_is_deployed_with_its_form_and_served_per_task(engine, folder):
    ui = {"ui:order": ["toelichting", "*"], "besluit": {"ui:widget": "select", "ui:help": "Kies één besluit."}}
    write_ui(folder, ui)
    engine.deploy(folder / "processes", folder / "forms")
    instance = engine.start("proef_casus", {}, actor="test")
    [task] = engine.ready_tasks(instance)
    assert engine.form_ui(task.id) == ui


def test_a_form_without_a_ui_schema_has_an_empty_one(engine, folder):
    engine.deploy(folder / "processes", folder / "forms")
    [task] = engine.ready_tasks(engine.start("proef_casus", {}, actor="test"))
    assert engine.form_ui(task.id) == {}


@pytest.mark.parametrize("ui, expected", [
    ({"ui:order": ["besluit"]}, "ui:order leaves out toelichting"),
    ({"ui:order": ["besluit", "toelichtng", "*"]}, "ui:order names 'toelichtng'"),
    ({"besluit": {"ui:widget": "textarea"}}, "besluit: widget 'textarea' cannot show this field (possible: radio, select)"),
    ({"toelichting": {"ui:widget": "kalender"}}, "widget 'kalender' cannot show this field"),
    ({"toelichting": {"ui:help": 3}}, "ui:help must be text"),
    ({"toelichting": {"ui:hulp": "x"}}, "unknown key 'ui:hulp'"),
    ({"besluiten": {"ui:widget": "select"}}, "'besluiten' is not a field of the form"),
    ({"ui:titel": "x"}, "'ui:titel' is not a UI schema keyword"),
    (["besluit"], "must be a JSON object"),
])
def test_a_ui_schema_that_does_not_fit_its_form_is_refused(engine, folder, ui, expected):
    write_ui(folder, ui)
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes", folder / "forms")
    [problem] = refused.value.problems
    assert expected in problem.reason and "beoordeling.ui.json" in problem.reason
    assert definition_count(engine) == 0


def test_a_ui_schema_that_is_not_json_or_has_no_form_is_refused(engine, folder):
    (folder / "forms" / "proef_casus" / "beoordeling.ui.json").write_text("{niet: json")
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes", folder / "forms")
    assert "is not valid JSON" in refused.value.problems[0].reason

    (folder / "forms" / "proef_casus" / "beoordeling.ui.json").unlink()
    write_ui(folder, {"ui:order": ["*"]}, task="plan")  # a user task that takes no data
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes", folder / "forms")
    assert "UI schema for proef_casus/plan without a form" in refused.value.problems[0].reason

    (folder / "forms" / "proef_casus" / "plan.ui.json").unlink()
    write_ui(folder, {"ui:order": ["*"]}, task="besluit_vastleggen")  # no such task
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes", folder / "forms")
    assert [p.element for p in refused.value.problems] == ["besluit_vastleggen"]
    assert definition_count(engine) == 0


def test_warm_up_parses_the_latest_versions_and_every_version_with_open_cases(engine, folder, database_url):
    first = by_process(engine.deploy(folder / "processes"))
    running = engine.start("proef_casus", {}, actor="piet")
    path = folder / "processes" / "proef_casus.bpmn"
    path.write_text(path.read_text().replace('termijn = "P3D"', 'termijn = "P5D"'))
    second = by_process(engine.deploy(folder / "processes"))

    server = Engine(database_url)  # a new process: nothing parsed yet
    try:
        assert server.warm_up() == 3
        assert {key[0] for key in server.store._specs} == {
            first["proef_casus"].definition_id,  # still has a running case
            second["proef_casus"].definition_id, first["parallel_overleg"].definition_id}
        # No connection kept in the pool for a forked worker to share.
        assert (server.database.sql.pool.checkedout(), server.database.sql.pool.checkedin()) == (0, 0)
        # The warmed-up process works as before.
        [task] = server.ready_tasks(running)
        server.complete(task.id, {"besluit": "oppakken", "toelichting": "warm en wel"}, actor="anna")
    finally:
        server.close()


# -- deploy limits ------------------------------------------------------------------------------

def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(engine, folder):
    from engine.definitions import MAX_FILE_BYTES

    text = simple_process("groot")
    padding = "<!-- " + "x" * (MAX_FILE_BYTES - len(text)) + " -->\n"
    (folder / "processes" / "groot.bpmn").write_text(text.replace("<bpmn:process", padding + "<bpmn:process", 1))
    with pytest.raises(DefinitionRefused, match="groot.bpmn: file is larger than 1024 KB"):
        engine.deploy(folder / "processes")
    assert definition_count(engine) == 0


def test_a_file_of_too_many_elements_is_refused_with_the_limit(engine, folder):
    from engine.definitions import MAX_ELEMENTS

    def objects(n):
        return "".join(f'<bpmn:dataObject id="d{i}" />' for i in range(n))

    many = objects(MAX_ELEMENTS)
    (folder / "processes" / "veel.bpmn").write_text(
        simple_process("veel").replace('<bpmn:startEvent id="start" />', many + '<bpmn:startEvent id="start" />'))
    with pytest.raises(DefinitionRefused, match="veel.bpmn: file has more than 10,000 XML elements"):
        engine.deploy(folder / "processes")
    assert definition_count(engine) == 0
    # Just under the limit the same kind of file deploys.
    (folder / "processes" / "veel.bpmn").write_text(simple_process("veel").replace(
        '<bpmn:startEvent id="start" />', objects(MAX_ELEMENTS // 2) + '<bpmn:startEvent id="start" />'))
    assert "veel" in by_process(engine.deploy(folder / "processes"))


def test_reading_definitions_past_the_time_limit_is_refused_and_leaves_the_thread_clean(folder):
    from engine.definitions import read_folder

    # A file that takes about ten times the limit to read (9,000 elements: ~0.1 s), so the limit is
    # passed on any machine; the two small fixtures alone take about as long as the limit.
    many = "".join(f'<bpmn:dataObject id="d{i}" />' for i in range(9000))
    slow = folder / "processes" / "veel.bpmn"
    slow.write_text(simple_process("veel").replace('<bpmn:startEvent id="start" />', many + '<bpmn:startEvent id="start" />'))
    with pytest.raises(DefinitionRefused, match="took more than 0.01 s"):
        read_folder(folder / "processes", folder / "forms", seconds=0.01)
    slow.unlink()
    # The limit is disarmed: nothing is raised in this thread later, and a normal read passes.
    import time
    time.sleep(0.1)
    assert {b.process_id for b in read_folder(folder / "processes", folder / "forms")} == {"proef_casus", "parallel_overleg"}


def test_a_ui_context_naming_an_earlier_step_with_a_form_is_deployed(engine, folder):
    (folder / "forms" / "parallel_overleg" / "inbreng.ui.json").write_text(json.dumps({"ui:context": ["voorbereiden"]}))
    engine.deploy(folder / "processes", folder / "forms")
    instance = engine.start("parallel_overleg", {}, actor="test")
    assert engine.form_ui(next(t for t in engine.ready_tasks(instance) if t.bpmn_id == "inbreng").id) == {
        "ui:context": ["voorbereiden"]}


@pytest.mark.parametrize("context, expected", [
    (["plan"], "ui:context names 'plan', which is no user task or start event of 'proef_casus' with a form"),
    (["zet_termijn"], "ui:context names 'zet_termijn'"),  # a script task keeps no answers
    (["voorbereiden"], "ui:context names 'voorbereiden'"),  # a step of another process
    ("start", "ui:context must be a list of BPMN ids of earlier steps"),
])
def test_a_ui_context_that_names_no_earlier_step_with_a_form_is_refused(engine, folder, context, expected):
    write_ui(folder, {"ui:context": context})
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes", folder / "forms")
    [problem] = refused.value.problems
    assert expected in problem.reason and "beoordeling" in (problem.file + problem.reason)
    assert definition_count(engine) == 0


def test_ui_context_belongs_at_the_top_of_a_ui_schema(engine, folder):
    write_ui(folder, {"toelichting": {"ui:context": ["start"]}})
    with pytest.raises(DefinitionRefused, match="unknown key 'ui:context'"):
        engine.deploy(folder / "processes", folder / "forms")


def test_what_a_step_means_for_the_case_page_is_deployed_with_its_form(engine, folder):
    ui = {"ui:terugkoppeling": "besluit", "ui:samenvatting": ["toelichting"], "ui:dossier": "plan",
          "ui:persoon": {"naam": "toelichting"}}
    write_ui(folder, ui)
    engine.deploy(folder / "processes", folder / "forms")
    instance = engine.start("proef_casus", {}, actor="test")
    assert engine.form_ui(next(t for t in engine.ready_tasks(instance) if t.bpmn_id == "beoordeling").id) == ui


@pytest.mark.parametrize("ui, expected", [
    ({"ui:dossier": "verslag"}, "ui:dossier must be one of art41_slotbesluit, geinformeerd, informeren_herzien, niet_informeren, plan"),
    ({"ui:dossier": "geinformeerd"}, "ui:dossier 'geinformeerd' needs a field 'datum_geinformeerd' that is a date"),
    ({"ui:dossier": "informeren_herzien"}, "needs a field 'herziening' that is a choice offering verlengen"),
    ({"ui:terugkoppeling": "toelichting"}, "ui:terugkoppeling must name a field of the form with choices"),
    ({"ui:samenvatting": ["naam"]}, "ui:samenvatting names 'naam', which the form does not have"),
    ({"ui:samenvatting": "toelichting"}, "ui:samenvatting must be a list of field names"),
    ({"toelichting": {"ui:dossier": "plan"}}, "toelichting: unknown key 'ui:dossier'"),
    ({"ui:persoon": {"naam": "besluit"}}, "ui:persoon: 'naam' must name a text field of the form"),
    ({"ui:persoon": {"naam": "toelichting", "geboortedatum": "toelichting"}},
     "ui:persoon: 'geboortedatum' must name a date field of the form"),
    ({"ui:persoon": {"name": "toelichting"}}, 'ui:persoon must be {"naam": "<field>"}'),
    ({"ui:persoon": {"naam": ["toelichting"]}}, 'ui:persoon must be {"naam": "<field>"}'),
    ({"ui:dossier": ["plan"]}, "ui:dossier must be one of"),
])
def test_a_meaning_the_form_cannot_carry_is_refused(engine, folder, ui, expected):
    write_ui(folder, ui)
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes", folder / "forms")
    assert expected in " | ".join(p.reason for p in refused.value.problems)
    assert definition_count(engine) == 0


def test_a_process_has_its_summary_on_one_form(engine, folder):
    for task, field in (("voorbereiden", "rondes"), ("inbreng", "inbreng")):
        (folder / "forms" / "parallel_overleg" / f"{task}.ui.json").write_text(json.dumps({"ui:samenvatting": [field]}))
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes", folder / "forms")
    [problem] = refused.value.problems
    assert "ui:samenvatting is on the form of 'inbreng' already" in problem.reason and problem.element == "voorbereiden"
    assert definition_count(engine) == 0


def test_a_form_that_is_not_a_json_schema_is_refused_each_time_and_its_fix_deploys(engine, folder):
    # The metaschema check is remembered by the form's text (engine/definitions.py schema_error):
    # the same mistake is refused again, and the corrected form is checked anew.
    path = folder / "forms" / "proef_casus" / "beoordeling.schema.json"
    good = json.loads(path.read_text())
    wrong = {**good, "properties": {**good["properties"], "besluit": {"type": "tekst"}}}
    path.write_text(json.dumps(wrong))
    for _ in range(2):
        with pytest.raises(DefinitionRefused) as refused:
            engine.deploy(folder / "processes", folder / "forms")
        [problem] = refused.value.problems
        assert "beoordeling.schema.json is not a valid JSON Schema at properties/besluit/type" in problem.reason
        assert definition_count(engine) == 0
    path.write_text(json.dumps(good))
    deployed = engine.deploy(folder / "processes", folder / "forms")
    assert "proef_casus" in {v.process_id for v in deployed} and definition_count(engine) == len(deployed)
