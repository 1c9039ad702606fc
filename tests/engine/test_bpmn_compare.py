"""What changed between two versions of a process (engine/bpmn_compare.py), on the real zvt_casus."""
from __future__ import annotations

import json

from engine.bpmn_compare import compare, elements
from tests.processes.conftest import FORMS, PROCESSES

FILES = {"zvt_casus.bpmn": (PROCESSES / "zvt_casus.bpmn").read_text()}
FORM_SET = {f"zvt_casus/{p.name.removesuffix('.schema.json')}": json.loads(p.read_text())
            for p in (FORMS / "zvt_casus").glob("*.schema.json")}


def changed(new_text: str, new_forms=None):
    return compare(FILES, FORM_SET, {"zvt_casus.bpmn": new_text}, FORM_SET if new_forms is None else new_forms)


def test_the_same_files_have_no_changes_and_every_task_has_its_lane():
    assert changed(FILES["zvt_casus.bpmn"]).empty
    found = elements(FILES)
    assert found[("zvt_casus", "beoordeling")].aspects["lane"] == "procesregisseur"
    assert found[("zvt_casus", "beoordeling_te_laat")].aspects["lane"] == "teamleider"
    assert found[("zvt_casus", "beoordeling_termijn")].aspects["timer"] == "timeDate: beoordeling_uiterlijk"
    assert found[("zvt_casus", "privacycheck")].aspects["properties"]["termijn"].startswith("min(")


def test_a_rename_a_lane_move_a_script_and_a_property_are_each_said():
    text = FILES["zvt_casus.bpmn"]
    text = text.replace('name="Aanmelding beoordelen"', 'name="Aanmelding bekijken"')
    # The late beoordeling goes to the procesregisseur's lane instead of the teamleider's.
    text = text.replace("<bpmn:flowNodeRef>beoordeling_te_laat</bpmn:flowNodeRef>", "")
    text = text.replace("<bpmn:flowNodeRef>beoordeling</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>beoordeling</bpmn:flowNodeRef><bpmn:flowNodeRef>beoordeling_te_laat</bpmn:flowNodeRef>")
    text = text.replace("add_werkdagen(ontvangen_op, 1 if direct_nodig else 3)", "add_werkdagen(ontvangen_op, 1 if direct_nodig else 5)")
    text = text.replace('zvt:termijn="overleg_uiterlijk"', 'zvt:termijn="volgend_overleg_op"')
    result = changed(text)
    by_id = {c.element.id: c for c in result.changed}
    assert set(by_id) == {"beoordeling", "beoordeling_te_laat", "aanmelding_registreren", "zorgoverleg"}
    assert by_id["beoordeling"].aspects == [("name", "Aanmelding beoordelen", "Aanmelding bekijken")]
    assert by_id["beoordeling_te_laat"].aspects == [("lane", "teamleider", "procesregisseur")]
    assert by_id["beoordeling_te_laat"].moved_lane and not by_id["beoordeling"].moved_lane
    assert [a for a, _, _ in by_id["aanmelding_registreren"].aspects] == ["script"]
    [(aspect, before, after)] = by_id["zorgoverleg"].aspects
    assert (aspect, before["termijn"], after["termijn"]) == ("properties", "overleg_uiterlijk", "volgend_overleg_op")
    assert not result.added and not result.removed


def test_a_lane_relabelled_and_a_setting_written_in_the_older_form_are_no_change():
    # The lane's role is its zvt:rol, not its label; a file written before the ZVT namespace
    # (spiffworkflow:property) says the same as one written in it.
    text = FILES["zvt_casus.bpmn"].replace('name="Teamleider" zvt:rol="teamleider"',
                                           'name="Teamleider (gemeente)" zvt:rol="teamleider"')
    text = text.replace(' zvt:termijn="overleg_uiterlijk">', '><bpmn:extensionElements><spiffworkflow:properties>'
                        '<spiffworkflow:property name="termijn" value="overleg_uiterlijk"/></spiffworkflow:properties>'
                        '</bpmn:extensionElements>')
    text = text.replace('xmlns:zvt=', 'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" xmlns:zvt=')
    assert 'name="Teamleider (gemeente)"' in text and "spiffworkflow:property" in text
    assert changed(text).empty
    relabelled_role = text.replace('zvt:rol="teamleider"', 'zvt:rol="fg"')
    moved = changed(relabelled_role).changed
    assert {c.element.id for c in moved} == {"beoordeling_te_laat", "einde_te_laat", "informeren_te_laat",
                                             "einde_informeren_te_laat"}
    assert all(c.moved_lane for c in moved)


def test_binding_a_lane_to_a_partner_moves_its_user_tasks_only():
    # zvt:partner changes who may do a user task (that partner's people only); scripts and
    # gateways in the lane are done by nobody.
    bound = FILES["zvt_casus.bpmn"].replace('name="Teamleider" zvt:rol="teamleider"',
                                            'name="Teamleider" zvt:rol="teamleider" zvt:partner="aanmelder_partner"')
    moved = changed(bound).changed
    assert {c.element.id for c in moved} == {"beoordeling_te_laat", "informeren_te_laat"}
    assert all(c.moved_lane for c in moved)


def test_a_new_id_is_a_removal_and_an_addition_and_forms_are_compared_by_content():
    text = FILES["zvt_casus.bpmn"].replace('id="overdracht"', 'id="warme_overdracht"').replace(
        "Ref>overdracht<", "Ref>warme_overdracht<").replace('Ref="overdracht"', 'Ref="warme_overdracht"')
    forms = {k: v for k, v in FORM_SET.items() if k != "zvt_casus/overdracht"}
    forms["zvt_casus/warme_overdracht"] = FORM_SET["zvt_casus/overdracht"]
    forms["zvt_casus/zorgoverleg"] = {**FORM_SET["zvt_casus/zorgoverleg"], "title": "Zorgoverleg (nieuw)"}
    result = changed(text, forms)
    assert [e.id for e in result.added] == ["warme_overdracht"] and [e.id for e in result.removed] == ["overdracht"]
    assert result.forms_added == ["zvt_casus/warme_overdracht"] and result.forms_removed == ["zvt_casus/overdracht"]
    assert result.forms_changed == ["zvt_casus/zorgoverleg"]


def test_moving_shapes_only_is_no_change():
    text = FILES["zvt_casus.bpmn"]
    start = text.index('<dc:Bounds x="') + len('<dc:Bounds x="')
    moved = text[:start] + "9" + text[start:]
    assert moved != text and changed(moved).empty
