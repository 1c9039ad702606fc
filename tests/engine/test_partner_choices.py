"""A form's partner choices are the partner register's on the day the form is read
(engine/partner_choices.py), checked by the engine when a task is completed."""
from __future__ import annotations

import copy
import json
from datetime import date, datetime, timezone

import pytest

from engine import DefinitionRefused, InvalidTaskData
from engine.db import Partner
from engine.partner_choices import expand
from tests.engine.bpmn import simple_process

TODAY = date(2026, 11, 27)
FORM = {
    "type": "object", "title": "Controleren", "additionalProperties": False,
    "properties": {
        "partner": {"title": "Partner", "type": "string", "x-zvt-partners": "convenant"},
        "partners": {"title": "Partners", "type": "array", "x-zvt-partners": "alle", "items": {"type": "string"}},
        "eerder": {"title": "Eerder gekozen", "type": "string", "x-zvt-partners": "convenant", "readOnly": True},
        "ontvanger": {"title": "Ontvanger", "type": "string", "x-zvt-partners": "andere",
                      "oneOf": [{"const": "overig", "title": "Andere organisatie"}]},
        "acties": {"title": "Acties", "type": "array", "items": {"type": "object", "properties": {
            "uitvoerder": {"title": "Uitvoerder", "type": "string", "x-zvt-partners": "convenant"}}}},
    },
}


@pytest.fixture
def register(engine):
    with engine.database.unit_of_work() as uow:
        uow.session.add_all([
            Partner(id="woonfriesland", name="WoonFriesland", kind="convenant", grondslag="g", active=True),
            Partner(id="gemeente", name="Gemeente Heerenveen", kind="convenant", grondslag="g", active=True,
                    directs=True),
            Partner(id="accolade", name="Accolade", kind="convenant", grondslag="g", active=True, left_on="2026-11-27"),
            Partner(id="elkien", name="Elkien", kind="convenant", grondslag="g", active=True, joined_on="2026-11-28"),
            Partner(id="politie", name="Politie", kind="convenant", grondslag="g", active=True, left_on="2026-11-28"),
            Partner(id="buurtteam", name="Buurtteam", kind="adhoc", grondslag="g", active=True),
        ])
        uow.commit()
    return engine


def codes(choices: list[dict]) -> list[str]:
    return [choice["const"] for choice in choices]


def expanded(engine, schema: dict, day: date | None) -> dict:
    with engine.database.unit_of_work(write=False) as uow:
        return expand(schema, uow.session, day)


def test_a_form_offers_the_partners_taking_part_that_day_the_directing_one_first(register):
    original = copy.deepcopy(FORM)
    properties = expanded(register, FORM, TODAY)["properties"]
    assert codes(properties["partner"]["oneOf"]) == ["gemeente", "politie", "woonfriesland"]
    assert properties["partner"]["oneOf"][0] == {"const": "gemeente", "title": "Gemeente Heerenveen"}
    assert codes(properties["partners"]["items"]["oneOf"]) == ["gemeente", "buurtteam", "politie", "woonfriesland"]
    assert codes(properties["acties"]["items"]["properties"]["uitvoerder"]["oneOf"]) == [
        "gemeente", "politie", "woonfriesland"]
    # "andere": all but the directing partner; the field's own choices follow the partners.
    assert codes(properties["ontvanger"]["oneOf"]) == ["politie", "woonfriesland", "overig"]
    # A read-only field shows what the case holds: every partner, also one that left or has yet to join.
    assert codes(properties["eerder"]["oneOf"]) == ["gemeente", "accolade", "buurtteam", "elkien", "politie",
                                                    "woonfriesland"]
    assert codes(expanded(register, FORM, date(2026, 11, 28))["properties"]["partner"]["oneOf"]) == [
        "gemeente", "elkien", "woonfriesland"]
    assert FORM == original  # the stored form is never changed


def test_reading_back_knows_every_partner_the_register_ever_had(register):
    properties = expanded(register, FORM, None)["properties"]
    for field in (properties["partner"]["oneOf"], properties["partners"]["items"]["oneOf"], properties["eerder"]["oneOf"]):
        assert codes(field) == ["gemeente", "accolade", "buurtteam", "elkien", "politie", "woonfriesland"]


# "Received by the municipality" in a rule, without naming its code: whichever partner directs.
RECEIVED = {"type": "object", "properties": {"ontvangen_door": {"type": "string"}, "doorgestuurd_op": {"type": "string"}},
            "allOf": [{"if": {"properties": {"ontvangen_door": {"not": {"x-zvt-regiepartner": True}}},
                              "required": ["ontvangen_door"]},
                       "then": {"required": ["doorgestuurd_op"]}}]}


def test_a_rule_about_the_directing_partner_follows_the_register(register):
    from jsonschema import Draft202012Validator

    def valid(data: dict) -> bool:
        return Draft202012Validator(expanded(register, RECEIVED, TODAY)).is_valid(data)

    assert valid({"ontvangen_door": "gemeente"})  # the municipality received it: nothing forwarded
    assert not valid({"ontvangen_door": "politie"})  # another partner: when it forwarded it
    assert valid({"ontvangen_door": "politie", "doorgestuurd_op": "2026-11-20"})
    with register.database.unit_of_work() as uow:  # the register now names another directing partner
        uow.session.get(Partner, "gemeente").directs = False
        uow.session.get(Partner, "politie").directs = True
        uow.commit()
    assert valid({"ontvangen_door": "politie"}) and not valid({"ontvangen_door": "gemeente"})
    with register.database.unit_of_work() as uow:  # none directs: the condition matches no partner
        uow.session.get(Partner, "politie").directs = False
        uow.commit()
    assert not valid({"ontvangen_door": "politie"}) and not valid({"ontvangen_door": "gemeente"})


def test_a_form_without_the_keyword_is_read_as_it_is(register):
    own = {"type": "object", "properties": {"partner": {"type": "string", "oneOf": [{"const": "x", "title": "X"}]}}}
    assert expanded(register, own, TODAY) is own


def deploy(engine, tmp_path, form: dict, script: str = "x = 1"):
    (tmp_path / "processes").mkdir()
    (tmp_path / "forms" / "proef").mkdir(parents=True)
    (tmp_path / "processes" / "proef.bpmn").write_text(simple_process("proef", script=script))
    (tmp_path / "forms" / "proef" / "controle.schema.json").write_text(json.dumps(form))
    return engine.deploy(tmp_path / "processes", tmp_path / "forms")


def test_the_engine_refuses_a_partner_not_taking_part_and_accepts_a_read_only_one_that_left(register, tmp_path, clock):
    deploy(register, tmp_path, FORM, script='eerder = "accolade"')
    case = register.start("proef", {}, actor="piet")
    [task] = register.ready_tasks(case)
    for refused in ({"partner": "accolade"}, {"partner": "elkien"}, {"partners": ["gemeente", "accolade"]},
                    {"acties": [{"uitvoerder": "buurtteam"}]}):
        with pytest.raises(InvalidTaskData):
            register.complete(task.id, refused, actor="piet")
    assert register.ready_tasks(case) == [task]  # nothing was saved
    # At 00:30 on 28 November in Amsterdam (23:30 UTC the day before) the police no longer takes part.
    clock.now = datetime(2026, 11, 27, 23, 30, tzinfo=timezone.utc)
    with pytest.raises(InvalidTaskData) as late:
        register.complete(task.id, {"partner": "politie"}, actor="piet")
    assert [error.field for error in late.value.errors] == ["partner"]
    register.complete(task.id, {"partner": "elkien", "partners": ["buurtteam"]}, actor="piet")
    assert register.instance(case).data["partner"] == "elkien"


def test_a_new_partner_code_may_not_be_the_code_of_any_partner_in_the_register(register, tmp_path):
    form = {"type": "object", "properties": {"code": {"title": "Code", "type": "string",
                                                       "x-zvt-nieuwe-partnercode": True}}}
    deploy(register, tmp_path, form)
    case = register.start("proef", {}, actor="piet")
    [task] = register.ready_tasks(case)
    for taken in ("gemeente", "accolade"):  # also the code of a partner that left
        with pytest.raises(InvalidTaskData) as refused:
            register.complete(task.id, {"code": taken}, actor="piet")
        assert [(e.field, e.code) for e in refused.value.errors] == [("code", "not")]
    register.complete(task.id, {"code": "leger_des_heils"}, actor="piet")


@pytest.mark.parametrize("field, problem", [
    ({"type": "string", "x-zvt-partners": "iedereen"}, "x-zvt-partners must be one of alle, andere, convenant"),
    ({"type": "string", "format": "date", "x-zvt-partners": "alle"}, "belongs on a text field or a list of texts"),
    ({"type": "integer", "x-zvt-partners": "alle"}, "belongs on a text field or a list of texts"),
    ({"type": "string", "x-zvt-partners": "alle", "const": "a"}, "the field's own may only follow them"),
    ({"type": "string", "x-zvt-partners": "alle", "oneOf": [{"type": "string"}]}, "the field's own may only follow them"),
    ({"type": "array", "x-zvt-partners": "alle", "items": {"type": "string", "enum": ["a"]}},
     "the field's own may only follow them"),
    ({"type": "string", "x-zvt-nieuwe-partnercode": "ja"}, "x-zvt-nieuwe-partnercode must be true"),
])
def test_deploy_refuses_a_partner_keyword_where_it_cannot_work(engine, tmp_path, field, problem):
    with pytest.raises(DefinitionRefused) as refused:
        deploy(engine, tmp_path, {"type": "object", "properties": {"veld": {"title": "Veld", **field}}})
    assert problem in str(refused.value)
