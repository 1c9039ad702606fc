"""Removing a field leaves no mention behind that the draft's check refuses (engine/field_references.py),
and finds the mentions only a person can change."""
from __future__ import annotations

from engine.date_rules import problems as date_problems
from engine.field_references import mentions, names_in_use, remove_field
from engine.list_rules import problems as list_problems
from engine.ui_schema import problems as ui_problems

SCHEMA = {
    "type": "object",
    "required": ["naam", "gesprek_op"],
    "properties": {
        "naam": {"title": "Naam", "type": "string"},
        "geboren_op": {"title": "Geboren op", "type": "string", "format": "date"},
        "gesprek_op": {"title": "Gesprek op", "type": "string", "format": "date", "x-zvt-na": "geboren_op"},
        "partners": {"title": "Partners", "type": "array", "items": {"type": "string"}},
        "uitvoerder": {"title": "Uitvoerder", "type": "string", "x-zvt-een-van": "partners"},
    },
    "dependentRequired": {"naam": ["geboren_op"]},
}
UI = {"ui:order": ["naam", "geboren_op", "gesprek_op", "partners", "uitvoerder"],
      "ui:samenvatting": ["naam", "geboren_op"], "ui:persoon": {"naam": "naam", "geboortedatum": "geboren_op"},
      "geboren_op": {"ui:help": "Zoals in het paspoort."}}


def test_a_removed_date_leaves_no_rule_summary_or_person_field_that_names_it():
    schema, ui = remove_field(SCHEMA, UI, "geboren_op")
    assert "geboren_op" not in str(schema) and "geboren_op" not in str(ui)
    assert ui["ui:persoon"] == {"naam": "naam"} and ui["ui:samenvatting"] == ["naam"]
    assert "dependentRequired" not in schema
    assert not date_problems(schema) and not ui_problems(ui, schema)
    assert "geboren_op" in SCHEMA["properties"]  # the given form is not changed


def test_a_removed_list_takes_the_rule_that_names_it_along_and_a_removed_name_the_person_lookup():
    schema, ui = remove_field(SCHEMA, UI, "partners")
    assert "x-zvt-een-van" not in schema["properties"]["uitvoerder"] and not list_problems(schema)
    schema, ui = remove_field(SCHEMA, UI, "naam")
    assert "ui:persoon" not in ui and schema["required"] == ["gesprek_op"] and not ui_problems(ui, schema)


def test_a_field_is_found_in_scripts_and_properties_as_a_whole_name_never_inside_another():
    bpmn = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"><process id="p">
      <scriptTask id="s" name="Rekenen"><script># naam komt later
voorgesteld_naam = 1</script></scriptTask>
      <userTask id="t"><extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="termijn" value="add_dagen(gesprek_op, 3)"/>
      </spiffworkflow:properties></extensionElements></userTask></process></definitions>"""
    forms = {"t": (SCHEMA, UI)}
    files = {"processes/p.bpmn": bpmn}
    found = mentions("p", "t", "gesprek_op", forms, files)
    assert [(m.where, m.text, m.fixed) for m in found] == [
        ("de termijn van ‘t’", "add_dagen(gesprek_op, 3)", False)]
    assert [m.where for m in mentions("p", "t", "naam", forms, files)] == [
        "het script van ‘Rekenen’ (s)",  # in its comment: one too many is safe
        "de samenvatting bovenaan de casus (ui:samenvatting): het veld gaat eruit",
        "hoe de casuslijst de persoon vindt (ui:persoon): dat vervalt",
        "een regel van dit formulier (dependentRequired): het veld gaat eruit"]
    # a new field's name keeps clear of the script's variables, not of words in its comments
    assert {"voorgesteld_naam", "add_dagen", "gesprek_op"} <= names_in_use("p", forms, files)
    assert "komt" not in names_in_use("p", forms, files)


def test_a_field_is_found_in_zvts_own_settings():
    # The files' current form: zvt:termijn and zvt:berichtPartner are expressions and field names too.
    bpmn = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:zvt="https://zvt.heerenveen.example/schema/bpmn/1.0"><process id="p">
      <userTask id="t" zvt:termijn="add_dagen(gesprek_op, 3)" />
      <intermediateThrowEvent id="m" name="Melden" zvt:bericht="terugkoppeling" zvt:berichtPartner="gesprek_op" />
      </process></definitions>"""
    found = mentions("p", "t", "gesprek_op", {"t": (SCHEMA, UI)}, {"processes/p.bpmn": bpmn})
    assert [(m.where, m.text) for m in found] == [
        ("de termijn van ‘t’", "add_dagen(gesprek_op, 3)"),
        ("de instelling ‘zvt:berichtPartner’ van ‘Melden’ (m)", "gesprek_op")]
