"""Changing the choices of an existing field (engine/form_choices.py): labels change, codes stay; new
choices get codes that never collide; a choice's code is found where the draft names it
(engine/field_references.py choice_mentions)."""
from __future__ import annotations

import pytest

from engine.field_references import choice_mentions
from engine.form_choices import ChoiceEdit, choices_of, edit_choices

ONE = {"title": "Besluit", "type": "string", "oneOf": [
    {"const": "oppakken", "title": "Oppakken"}, {"const": "niet_oppakken", "title": "Niet oppakken"},
    {"const": "doorsturen", "title": "Doorsturen"}]}
MANY = {"title": "Partners", "type": "array", "uniqueItems": True, "items": {"type": "string", "oneOf": [
    {"const": "huisarts", "title": "Huisarts"}, {"const": "wijkteam", "title": "Wijkteam"}]}}


def edit(labels, places=None, added=(), removed=None) -> ChoiceEdit:
    return ChoiceEdit(list(labels), list(places or [str(n + 1) for n in range(len(labels))]), list(added), removed)


def test_labels_change_codes_stay_and_the_order_numbers_reorder_for_one_and_for_several_choices():
    prop, errors = edit_choices(ONE, edit(["Het team pakt het op", "Niet", "Sturen naar"], ["3", "1", "2"]))
    assert errors == {}
    assert prop["oneOf"] == [{"const": "niet_oppakken", "title": "Niet"}, {"const": "doorsturen", "title": "Sturen naar"},
                             {"const": "oppakken", "title": "Het team pakt het op"}]
    prop, errors = edit_choices(MANY, edit(["Huisarts", "Wijkteam"], ["2", "1"], added=["GGZ"]))
    assert errors == {} and [o["const"] for o in prop["items"]["oneOf"]] == ["wijkteam", "huisarts", "ggz"]
    assert ONE["oneOf"][0]["title"] == "Oppakken" and len(MANY["items"]["oneOf"]) == 2  # the given fields stay


def test_a_new_code_never_takes_one_the_field_has_or_had_in_the_same_edit():
    prop, errors = edit_choices(ONE, edit(["Oppakken", "Niet oppakken", "Doorsturen"], removed="oppakken",
                                          added=["Oppakken!", "Oppakken?"]))
    assert errors == {} and [o["const"] for o in prop["oneOf"]][-2:] == ["oppakken_2", "oppakken_3"]
    prop, errors = edit_choices(ONE, edit(["Oppakken", "Niet oppakken", "Doorsturen"], removed="oppakken",
                                          added=["Oppakken!", "Niet: oppakken nu"]))
    assert errors == {}
    assert [o["const"] for o in prop["oneOf"]] == ["niet_oppakken", "doorsturen", "oppakken_2", "niet_oppakken_nu"]


@pytest.mark.parametrize("change, key, message", [
    (edit([" ", "Niet oppakken", "Doorsturen"]), "label-0", "Vul de tekst van deze keuze in."),
    (edit(["Oppakken", "oppakken", "Doorsturen"]), "label-1", "De keuze ‘oppakken’ staat er twee keer in."),
    (edit(["Oppakken", "Niet oppakken", "Doorsturen"], added=["DOORSTUREN"]), "added",
     "De keuze ‘DOORSTUREN’ staat er twee keer in."),
    (edit(["Oppakken", "Niet oppakken", "Doorsturen"], ["1", "twee", "3"]), "place-1", "Vul een getal in."),
    (edit(["Oppakken", "Niet oppakken", "Doorsturen"], added=[f"Nieuw {n}" for n in range(28)]), "added",
     "Een veld mag hoogstens 30 keuzes hebben. Het zouden er 31 worden."),
])
def test_a_bad_change_says_which_input_and_why(change, key, message):
    _prop, errors = edit_choices(ONE, change)
    assert list(errors) == [key] and errors[key].startswith(message)


def test_a_field_keeps_at_least_two_choices_and_a_field_of_numbers_gets_no_text_code():
    _prop, errors = edit_choices(MANY, edit(["Huisarts", "Wijkteam"], removed="wijkteam"))
    assert errors["added"].startswith("Een keuzeveld heeft minstens 2 keuzes.")
    prop, errors = edit_choices(MANY, edit(["Huisarts", "Wijkteam"], removed="wijkteam", added=["Politie"]))
    assert errors == {} and choices_of(prop) == [("huisarts", "Huisarts"), ("politie", "Politie")]
    numbers = {"type": "integer", "oneOf": [{"const": 1, "title": "Eén"}, {"const": 2, "title": "Twee"}]}
    assert "getal" in edit_choices(numbers, edit(["Eén", "Twee"], added=["Drie"]))[1]["added"]
    assert edit_choices(numbers, edit(["Een", "Twee"]))[0]["oneOf"][0] == {"const": 1, "title": "Een"}


def test_a_code_is_found_as_a_string_in_conditions_scripts_dmn_cells_settings_and_rules_never_as_a_word():
    bpmn = """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:zvt="https://zvt.heerenveen.example/schema/bpmn/1.0"><process id="p">
      <sequenceFlow id="f" name="Oppakken"><conditionExpression>besluit == "oppakken"</conditionExpression></sequenceFlow>
      <sequenceFlow id="g"><conditionExpression>besluit != "niet_oppakken"</conditionExpression></sequenceFlow>
      <scriptTask id="s" name="Vastleggen"><script># oppakken gebeurt later
opgepakt = besluit in ('oppakken', 'doorsturen')</script></scriptTask>
      <userTask id="t" zvt:bericht="oppakken" /></process></definitions>"""
    dmn = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"><decision id="d" name="Kader">
      <decisionTable><rule id="r1"><inputEntry id="e1"><text>"oppakken"</text></inputEntry></rule></decisionTable>
      </decision></definitions>"""
    rule = {"if": {"properties": {"besluit": {"enum": ["oppakken", "doorsturen"]}}}, "then": {"required": ["x"]}}
    other = {"title": "Herzien", "properties": {"besluit": {**ONE, "readOnly": True}},
             "allOf": [{"if": {"properties": {"besluit": {"not": {"const": "oppakken"}}}}, "then": {}}]}
    forms = {"t": ({"properties": {"besluit": ONE}, "allOf": [rule]}, {}), "h": (other, {})}
    found = choice_mentions("p", "t", "besluit", "oppakken", forms, {"processes/p.bpmn": bpmn, "processes/k.dmn": dmn})
    assert [(m.where, m.text) for m in found] == [
        ("een cel van ‘Kader’ (d)", '"oppakken"'),
        ("de voorwaarde van ‘Oppakken’ (f)", 'besluit == "oppakken"'),
        ("het script van ‘Vastleggen’ (s)", "opgepakt = besluit in ('oppakken', 'doorsturen')"),
        ("de instelling ‘zvt:bericht’ van ‘t’", "oppakken"),
        ("1 regel van dit formulier (als … dan …)", ""),
        ("1 regel van het formulier ‘Herzien’ (h) (als … dan …)", "")]
    assert not any(m.fixed for m in found)
    assert choice_mentions("p", "t", "besluit", "niet", forms, {"processes/p.bpmn": bpmn}) == []
    partners = choice_mentions("zvt_casus", "t", "deelnemende_partners", "accolade", {"t": ({}, {})}, {})
    assert [m.where for m in partners] == ["ZVT zelf: de keuzes van dit veld zijn organisaties; met dit veld bepaalt "
                                           "ZVT welke organisaties de casus mogen zien"]
