"""Business-rule tasks: DMN tables run in the restricted engine and are checked at deploy."""
import pytest

from engine import DefinitionRefused
from tests.engine.bpmn import simple_process

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs_niveau" name="Niveau" namespace="http://example.org/zvt-test" expressionLanguage="python">
  <decision id="niveau_besluit" name="Niveau bepalen">
    <decisionTable id="niveau_tabel" hitPolicy="FIRST">
      <input id="in_risico" label="Risico">
        <inputExpression id="expr_risico" typeRef="string"><text>risico</text></inputExpression>
      </input>
      <output id="out_niveau" label="Niveau" name="niveau" typeRef="integer" />
      <rule id="r1">
        <inputEntry id="r1_in"><text>"hoog"</text></inputEntry>
        <outputEntry id="r1_out"><text>{hoog}</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="r2_in"><text>-</text></inputEntry>
        <outputEntry id="r2_out"><text>1</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def process_with_decision():
    bpmn = simple_process("met_besluit", script="x = 1")
    bpmn = bpmn.replace(
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zvt="https://zvt.heerenveen.example/schema/bpmn/1.0"')
    return bpmn.replace(
        '<bpmn:scriptTask id="script" name="Rekenen"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>',
        '<bpmn:businessRuleTask id="script" name="Niveau bepalen" zvt:beslistabel="niveau_besluit" />')


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "met_besluit.bpmn").write_text(process_with_decision())
    return tmp_path


def test_a_decision_table_sets_the_niveau(engine, folder):
    (folder / "processes" / "niveau.dmn").write_text(DMN.replace("{hoog}", "3"))
    [version] = engine.deploy(folder / "processes")
    assert (version.process_id, version.new) == ("met_besluit", True)

    high = engine.start("met_besluit", {"risico": "hoog"}, actor="piet")
    low = engine.start("met_besluit", {"risico": "laag"}, actor="piet")

    assert engine.instance(high).data["niveau"] == 3
    assert engine.instance(low).data["niveau"] == 1


def test_a_changed_decision_table_is_a_new_version_of_the_process_using_it(engine, folder):
    (folder / "processes" / "niveau.dmn").write_text(DMN.replace("{hoog}", "3"))
    engine.deploy(folder / "processes")
    (folder / "processes" / "niveau.dmn").write_text(DMN.replace("{hoog}", "4"))
    [version] = engine.deploy(folder / "processes")
    assert (version.process_id, version.version) == ("met_besluit", 2)
    assert engine.instance(engine.start("met_besluit", {"risico": "hoog"}, actor="piet")).data["niveau"] == 4


def test_a_decision_cell_that_fails_the_restricted_compiler_is_refused(engine, folder):
    (folder / "processes" / "niveau.dmn").write_text(DMN.replace("{hoog}", "__import__('os').getpid()"))
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes")
    [problem] = refused.value.problems
    assert problem.element == "script"
    assert "decision table 'niveau_tabel' rule 1 output refused" in problem.reason


@pytest.mark.parametrize("change, element, reason", [
    (('expressionLanguage="python"', ''), "defs_niveau", 'declare expressionLanguage="python" on <definitions>'),
    (('expressionLanguage="python"', 'expressionLanguage="https://www.omg.org/spec/DMN/20191111/FEEL/"'), "defs_niveau",
     'declare expressionLanguage="python"'),
    (('<inputExpression id="expr_risico" typeRef="string">',
      '<inputExpression id="expr_risico" typeRef="string" expressionLanguage="javascript">'), "expr_risico",
     'expressionLanguage "javascript" is not supported'),
])
def test_a_decision_table_must_say_its_cells_are_python(engine, folder, change, element, reason):
    # DMN's default language is FEEL: undeclared, every standard DMN tool misreads the cells.
    (folder / "processes" / "niveau.dmn").write_text(DMN.replace("{hoog}", "3").replace(*change))
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes")
    [problem] = refused.value.problems
    assert (problem.file, problem.element) == ("niveau.dmn", element) and reason in problem.reason
