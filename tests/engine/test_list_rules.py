"""The list rules of a form (engine/list_rules.py): a value must, or must not, be one of the items of
a list elsewhere on the form; check_data applies them with the read-only fields of the case, the web
layer words them in Dutch, and deploy refuses a rule that cannot work."""
import json

import pytest

from engine import DefinitionRefused
from engine.errors import InvalidTaskData
from engine.field_references import remove_field
from engine.list_rules import list_errors, problems, required_rows
from engine.validation import check_data
from tests.engine.test_deploy import definition_count
from web.forms import dutch_errors

PARTNER = {"type": "string", "enum": ["politie", "accolade", "elkien"]}
PARTNERS = {"type": "array", "items": PARTNER}
FORM = {
    "type": "object",
    "properties": {
        "meedoen": {**PARTNERS, "title": "Partners die meedoen", "readOnly": True},
        "uitgenodigd": {**PARTNERS, "title": "Uitgenodigde partners"},
        "afgemeld": {**PARTNERS, "title": "Afgemelde partners", "x-zvt-niet-in": "uitgenodigd"},
        "aanwezig": {**PARTNERS, "title": "Aanwezig", "x-zvt-een-van": "meedoen"},
        "acties": {"type": "array", "items": {"type": "object", "properties": {
            "uitvoerder": {**PARTNER, "title": "Uitvoerder", "x-zvt-een-van": "meedoen"},
            "actie": {"type": "string"}}}},
    },
}


def refused(data, case=None) -> list[tuple[str, str]]:
    with pytest.raises(InvalidTaskData) as exc:
        check_data(data, FORM, case=case)
    return sorted((e.field, e.code) for e in exc.value.errors)


def test_a_row_value_must_be_one_of_the_list_the_case_holds():
    case = {"meedoen": ["politie", "accolade"]}
    ok = {"acties": [{"uitvoerder": "politie", "actie": "Huisbezoek"}, {"uitvoerder": "accolade", "actie": "Bellen"}]}
    assert check_data(ok, FORM, case=case) == ok
    bad = {"acties": [{"uitvoerder": "politie", "actie": "Huisbezoek"}, {"uitvoerder": "elkien", "actie": "Bellen"}]}
    assert refused(bad, case) == [("acties/1/uitvoerder", "notInList")]


def test_every_item_of_a_list_must_be_one_of_the_other_list():
    case = {"meedoen": ["politie"]}
    assert check_data({"aanwezig": ["politie"]}, FORM, case=case) == {"aanwezig": ["politie"]}
    assert refused({"aanwezig": ["politie", "elkien"]}, case) == [("aanwezig", "notInList")]
    assert refused({"aanwezig": ["elkien"]}, {"meedoen": []}) == [("aanwezig", "notInList")]


def test_no_item_may_also_be_in_the_other_list():
    assert check_data({"uitgenodigd": ["politie"], "afgemeld": ["elkien"]}, FORM) == {
        "uitgenodigd": ["politie"], "afgemeld": ["elkien"]}
    assert refused({"uitgenodigd": ["politie", "elkien"], "afgemeld": ["accolade", "elkien"]}) == [
        ("afgemeld", "alsoInList")]


def test_a_rule_is_checked_only_when_the_other_field_holds_a_list():
    assert list_errors({"acties": [{"uitvoerder": "elkien"}]}, FORM) == []
    assert list_errors({"acties": [{"uitvoerder": "elkien"}], "meedoen": "politie"}, FORM) == []
    assert check_data({"afgemeld": ["elkien"]}, FORM) == {"afgemeld": ["elkien"]}


def test_the_errors_read_in_dutch_at_the_field_with_the_title_of_the_other_list():
    with pytest.raises(InvalidTaskData) as exc:
        check_data({"acties": [{"uitvoerder": "elkien", "actie": "Bellen"}], "uitgenodigd": ["politie"],
                    "afgemeld": ["politie"]}, FORM, case={"meedoen": ["politie"]})
    assert dutch_errors(exc.value.errors, FORM) == {
        "acties/0/uitvoerder": "U kunt hier alleen kiezen wat bij ‘Partners die meedoen’ staat.",
        "afgemeld": "U kunt hier niets kiezen wat ook bij ‘Uitgenodigde partners’ staat. "
                    "Iets kan niet op allebei de plekken staan.",
    }


def test_problems_name_every_rule_that_cannot_work():
    assert problems(FORM) == []
    bad = {"type": "object", "properties": {
        "lijst": PARTNERS,
        "tekst": {"type": "string", "x-zvt-een-van": "bestaat_niet"},
        "getal": {"type": "integer", "x-zvt-niet-in": "lijst"},
        "zelf": {**PARTNERS, "x-zvt-niet-in": "zelf"},
        "naar_tekst": {"type": "string", "x-zvt-een-van": "tekst"},
        "rijen": {"type": "array", "items": {"type": "object", "properties": {
            "in_rij": {"type": "string", "x-zvt-een-van": "in_rij_lijst"},
            "in_rij_lijst": PARTNERS}}},
    }}
    found = problems(bad)
    assert len(found) == 5
    assert "tekst: x-zvt-een-van must name another field at the top of the form" in found[0]
    assert found[1] == "getal: x-zvt-niet-in only fits a text field or a list of texts"
    assert found[2].startswith("zelf: x-zvt-niet-in must name another field")
    assert found[3].startswith("naar_tekst: x-zvt-een-van must name another field")
    # A row refers to a list at the top of the form, not to a field of its own row.
    assert found[4].startswith("rijen/items/in_rij: x-zvt-een-van must name another field")


@pytest.mark.parametrize("rule, expected", [
    ({"type": "string", "x-zvt-een-van": "onbekend"}, "x-zvt-een-van must name another field at the top"),
    ({"type": "boolean", "x-zvt-niet-in": "besluit"}, "x-zvt-niet-in only fits a text field or a list of texts"),
])
def test_deploy_refuses_a_list_rule_that_cannot_work(engine, folder, rule, expected):
    path = folder / "forms" / "proef_casus" / "beoordeling.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["extra"] = rule
    path.write_text(json.dumps(schema))
    with pytest.raises(DefinitionRefused) as exc:
        engine.deploy(folder / "processes", folder / "forms")
    assert any(expected in p.reason and "beoordeling.schema.json" in p.reason for p in exc.value.problems)
    assert definition_count(engine) == 0


# -- x-zvt-alle-van: every item of the other list must be given, for one answer only ----------

CHOICES = {"type": "string", "oneOf": [{"const": "politie", "title": "Politie"},
                                        {"const": "accolade", "title": "Accolade"}, {"const": "overig", "title": "Andere"}]}
ALL_FORM = {
    "type": "object",
    "properties": {
        "ontvangen": {"type": "array", "title": "Ontvangers in het register", "readOnly": True},
        "situatie": {"type": "string", "enum": ["allemaal", "niet_alle"]},
        "geinformeerd": {"type": "array", "items": {"type": "object", "properties": {
            "ontvanger": {**CHOICES, "title": "Ontvanger"}, "op": {"type": "string"}}}},
        "gemeld": {"type": "array", "items": CHOICES, "x-zvt-alle-van": "ontvangen"},
    },
    "allOf": [{"if": {"properties": {"situatie": {"const": "allemaal"}}, "required": ["situatie"]},
               "then": {"properties": {"geinformeerd": {"items": {"properties": {
                   "ontvanger": {"x-zvt-alle-van": "ontvangen"}}}}}}}],
}
# Rows looked up from a case: objects, counted by their value under the field's name; the
# ad-hoc partner has no choice in the form, so it is not asked for.
REGISTER = {"ontvangen": [{"ontvanger": "politie", "naam": "Politie"}, {"ontvanger": "accolade", "naam": "Accolade"},
                          {"ontvanger": "buurtteam_noord", "naam": "Buurtteam Noord"}, {"status": "verborgen"}]}


def test_a_list_of_rows_must_name_every_item_of_the_other_list_only_for_the_answer_that_asks_it():
    one = [{"ontvanger": "politie", "op": "gisteren"}]
    with pytest.raises(InvalidTaskData) as exc:
        check_data({"situatie": "allemaal", "geinformeerd": one}, ALL_FORM, case=REGISTER)
    [error] = exc.value.errors
    assert (error.field, error.code, error.values) == ("geinformeerd", "missingFromList", ("accolade",))
    assert dutch_errors(exc.value.errors, ALL_FORM) == {
        "geinformeerd": "Dit staat bij ‘Ontvangers in het register’, maar nog niet hier: Accolade. Zet het erbij."}
    assert check_data({"situatie": "niet_alle", "geinformeerd": one}, ALL_FORM, case=REGISTER)  # other answer
    both = one + [{"ontvanger": "accolade", "op": "gisteren"}]
    assert check_data({"situatie": "allemaal", "geinformeerd": both}, ALL_FORM, case=REGISTER)


def test_a_plain_list_must_hold_every_item_and_a_form_starts_with_what_the_rules_ask():
    codes = {"ontvangen": ["politie", "accolade", "buurtteam_noord"]}  # a list of texts this time
    assert [(e.field, e.values) for e in list_errors({**codes, "gemeld": ["politie"]}, ALL_FORM)] == [
        ("gemeld", ("accolade",))]
    assert list_errors({**codes, "gemeld": ["accolade", "politie"]}, ALL_FORM) == []
    # What a form starts with, whatever the answers (there are none yet): texts as they are, objects
    # by their value under the field's name ("gemeld" has none in the register's rows).
    assert required_rows(codes, ALL_FORM) == {
        "gemeld": ["politie", "accolade"], "geinformeerd": [{"ontvanger": "politie"}, {"ontvanger": "accolade"}]}
    assert required_rows(REGISTER, ALL_FORM) == {"geinformeerd": [{"ontvanger": "politie"}, {"ontvanger": "accolade"}]}
    assert required_rows({}, ALL_FORM) == {}


def test_problems_and_removing_a_field_see_a_rule_in_a_then_branch():
    wrong = json.loads(json.dumps(ALL_FORM))
    wrong["allOf"][0]["then"]["properties"]["geinformeerd"]["items"]["properties"]["ontvanger"]["x-zvt-alle-van"] = "op"
    assert problems(wrong) == ['geinformeerd/items/ontvanger: x-zvt-alle-van must name another field at the top of '
                               'the form with "type": "array" or "string", not \'op\'']
    assert problems(ALL_FORM) == []
    schema, _ui = remove_field(ALL_FORM, {}, "ontvangen")
    assert "x-zvt-alle-van" not in json.dumps(schema) and problems(schema) == []


# "The partner that forwarded the request is among those told", whichever partner that is: a rule
# naming a text field asks for its one value, only when the field can hold it.
FORWARDED_FORM = {
    "type": "object",
    "properties": {
        "ontvangen_door": {"type": "string", "readOnly": True},
        "geinformeerd": {"type": "array", "items": {"type": "string", "oneOf": [
            {"const": "politie", "title": "Politie"}, {"const": "elkien", "title": "Elkien"}]}},
    },
    "allOf": [{"if": {"required": ["ontvangen_door"]},
               "then": {"properties": {"geinformeerd": {"x-zvt-alle-van": "ontvangen_door"}}}}],
}


def test_a_rule_naming_a_text_field_asks_for_its_value_where_the_field_can_hold_it():
    assert problems(FORWARDED_FORM) == []
    missing = list_errors({"ontvangen_door": "politie", "geinformeerd": ["elkien"]}, FORWARDED_FORM)
    assert [(e.field, e.code, e.values) for e in missing] == [("geinformeerd", "missingFromList", ("politie",))]
    assert list_errors({"ontvangen_door": "politie", "geinformeerd": ["elkien", "politie"]}, FORWARDED_FORM) == []
    # The municipality itself received it: not a choice of the list, so not asked for.
    assert list_errors({"ontvangen_door": "gemeente_heerenveen", "geinformeerd": []}, FORWARDED_FORM) == []
    assert required_rows({"ontvangen_door": "politie"}, FORWARDED_FORM) == {"geinformeerd": ["politie"]}
    not_text = json.loads(json.dumps(FORWARDED_FORM))
    not_text["properties"]["ontvangen_door"]["type"] = "integer"
    assert problems(not_text) != []
