"""What check_data refuses besides the schema: control characters, and dates outside their bounds
(engine/date_rules.py), at the boundaries; and deploy refusing date keywords that cannot work."""
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engine import DefinitionRefused
from engine.errors import InvalidTaskData
from engine.validation import check_data
from tests.engine.test_deploy import definition_count
from web.forms import dutch_errors

FORMS = Path(__file__).resolve().parents[2] / "forms"
# 22:30 UTC is 23:30 on 27 November in Amsterdam (winter time).
LATE_EVENING = datetime(2026, 11, 27, 22, 30, tzinfo=timezone.utc)
# 23:30 UTC is 00:30 on 28 November in Amsterdam: "today" is the Amsterdam date.
AFTER_MIDNIGHT = datetime(2026, 11, 27, 23, 30, tzinfo=timezone.utc)


def form(name: str) -> dict:
    return json.loads((FORMS / f"{name}.schema.json").read_text())


def errors(data, schema, now=LATE_EVENING, case=None) -> list[tuple[str, str]]:
    try:
        check_data(data, schema, case=case, now=now)
    except InvalidTaskData as exc:
        return sorted((e.field, e.code) for e in exc.errors)
    return []


def dutch(data, schema, now=LATE_EVENING) -> dict[str, str]:
    with pytest.raises(InvalidTaskData) as refused:
        check_data(data, schema, now=now)
    return dutch_errors(refused.value.errors, schema)


DATE = {"type": "object", "properties": {"datum": {"type": "string", "format": "date"}}}


@pytest.mark.parametrize("day, ok", [
    ("1900-01-01", True), ("1899-12-31", False), ("0001-01-01", False),
    ("2100-12-31", True), ("2101-01-01", False), ("9999-12-31", False),
])
def test_every_date_field_takes_only_a_plausible_date(day, ok):
    code = "formatMinimum" if day < "1900" else "formatMaximum"
    assert errors({"datum": day}, DATE) == ([] if ok else [("datum", code)])


def test_a_form_may_set_its_own_fixed_bounds_in_place_of_the_plausible_ones():
    schema = {"type": "object", "properties": {"datum": {"type": "string", "format": "date",
                                                         "formatExclusiveMinimum": "1850-06-30"}}}
    assert errors({"datum": "1850-07-01"}, schema) == []  # before 1900: the form's own lower bound counts
    assert errors({"datum": "1850-06-30"}, schema) == [("datum", "formatExclusiveMinimum")]
    assert errors({"datum": "2101-01-01"}, schema) == [("datum", "formatMaximum")]  # the upper one stays
    assert dutch({"datum": "1850-06-30"}, schema) == {"datum": "Kies een datum na 30 juni 1850."}


def test_a_review_date_lies_after_the_decision_which_is_taken_today():
    for name, field in (("zvt_casus/besluit_niet_informeren", "herzien_op"),
                        ("zvt_casus/besluit_herzien", "nieuwe_herziendatum")):
        schema = form(name)
        assert (field, "x-zvt-na") in errors({field: "2026-11-27"}, schema)
        assert not [e for e in errors({field: "2026-11-28"}, schema) if e[0] == field]
    assert dutch({"herzien_op": "2026-11-27"}, form("zvt_casus/besluit_niet_informeren"))["herzien_op"] == \
        "Kies een datum na vandaag."


def test_an_art_41_review_date_lies_at_most_six_months_ahead():
    for name, field in (("zvt_casus/besluit_niet_informeren", "herzien_op"),
                        ("zvt_casus/besluit_herzien", "nieuwe_herziendatum")):
        schema = form(name)  # today is 27 November 2026
        assert not [e for e in errors({field: "2027-05-27"}, schema) if e[0] == field]
        assert (field, "x-zvt-niet-na") in errors({field: "2027-05-28"}, schema)
    assert dutch({"herzien_op": "2027-05-28"}, form("zvt_casus/besluit_niet_informeren"))["herzien_op"] == \
        "Kies een datum die hoogstens 6 maanden na vandaag ligt."


@pytest.mark.parametrize("name, field", [
    ("zvt_casus/betrokkene_informeren", "datum_geinformeerd"),
    ("zvt_casus/betrokkene_alsnog_informeren", "datum_geinformeerd"),
    ("datalek/betrokkenen_informeren", "bericht_verzonden_op"),
    ("zvt_casus/aanmelding", "betrokkene_geboortedatum"),
])
def test_a_date_that_happened_is_not_in_the_future(name, field):
    schema = form(name)
    assert not [e for e in errors({field: "2026-11-27"}, schema) if e[0] == field]
    assert (field, "x-zvt-niet-na") in errors({field: "2026-11-28"}, schema)
    assert dutch({field: "2026-11-28"}, schema)[field] == "Kies vandaag of een eerdere datum."


def test_today_is_the_date_in_amsterdam_by_the_clock_given():
    schema = form("zvt_casus/betrokkene_informeren")
    informed_28th = {"datum_geinformeerd": "2026-11-28"}
    assert ("datum_geinformeerd", "x-zvt-niet-na") in errors(informed_28th, schema, now=LATE_EVENING)
    assert not [e for e in errors(informed_28th, schema, now=AFTER_MIDNIGHT) if e[0] == "datum_geinformeerd"]


def test_a_date_bounded_by_another_field_of_the_form():
    schema = form("zvt_casus/zorgoverleg")
    base = {"datum": "2026-11-20", "betrokkene_uitgenodigd": True, "betrokkene_aanwezig": True,
            "aanwezige_partners": ["politie"], "voortgang": "Gaat goed.", "effect": "Rustiger.",
            "besluit_overleg": "doorgaan"}
    assert errors({**base, "volgend_overleg_op": "2026-11-20"}, schema) == [("volgend_overleg_op", "x-zvt-na")]
    assert errors({**base, "volgend_overleg_op": "2026-11-21"}, schema) == []
    assert dutch({**base, "volgend_overleg_op": "2026-11-20"}, schema)["volgend_overleg_op"] == \
        "Kies een datum na de datum bij ‘Datum’."
    # Without the other date (or with one that is no date) only that field's own error shows.
    assert errors({**base, "datum": "gisteren", "volgend_overleg_op": "2026-11-20"}, schema) == [("datum", "format")]


def test_a_row_s_date_is_bounded_by_a_field_of_the_same_row():
    schema = {"type": "object", "properties": {"periodes": {"type": "array", "items": {
        "type": "object", "properties": {"van": {"type": "string", "format": "date"},
                                         "tot": {"type": "string", "format": "date", "x-zvt-niet-voor": "van"}}}}}}
    data = {"periodes": [{"van": "2026-01-01", "tot": "2026-01-01"}, {"van": "2026-02-01", "tot": "2026-01-31"}]}
    assert errors(data, schema) == [("periodes/1/tot", "x-zvt-niet-voor")]
    assert dutch(data, schema) == {"periodes/1/tot": "Kies de datum bij ‘van’ of een latere datum."}


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x9f", "\ud800"])
def test_control_characters_are_a_field_error_wherever_they_are(character):
    schema = form("zvt_casus/aanmelding")
    assert ("betrokkene_naam", "controlCharacter") in errors({"betrokkene_naam": f"Meneer{character} B."}, schema)
    nested = {"type": "object"}
    assert errors({"lijst": [{"tekst": f"a{character}"}]}, nested) == [("lijst/0/tekst", "controlCharacter")]
    assert errors({"groep": {f"naam{character}": 1}}, nested) == [("groep", "controlCharacter")]
    assert dutch({"betrokkene_naam": f"Meneer{character} B."}, schema)["betrokkene_naam"].startswith(
        "Hier staat een teken dat niet kan")


def test_tab_and_new_lines_are_text():
    assert errors({"tekst": "regel 1\r\n\tregel 2\n"}, {"type": "object"}) == []


@pytest.mark.parametrize("keyword, value, expected", [
    ("x-zvt-na", "besluit_datum", "x-zvt-na must be \"vandaag\" or another date field"),
    ("x-zvt-na", "toelichting", "x-zvt-na must be \"vandaag\" or another date field"),
    ("x-zvt-niet-na", "morgen", "x-zvt-niet-na must be \"vandaag\" or another date field"),
    ("formatMinimum", "1-1-1900", "formatMinimum must be a date such as"),
    ("x-zvt-niet-na", "vandaag+6 maanden", "x-zvt-niet-na adds '6 maanden', which is not a period"),
    ("x-zvt-niet-na", "morgen+P6M", "x-zvt-niet-na must be \"vandaag\" or another date field"),
])
def test_deploy_refuses_date_keywords_that_cannot_work(engine, folder, keyword, value, expected):
    path = folder / "forms" / "proef_casus" / "beoordeling.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["datum"] = {"type": "string", "format": "date", keyword: value}
    path.write_text(json.dumps(schema))
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes", folder / "forms")
    assert any(expected in p.reason and "beoordeling.schema.json" in p.reason for p in refused.value.problems)
    assert definition_count(engine) == 0


def test_deploy_refuses_a_date_keyword_on_a_field_that_is_no_date(engine, folder):
    path = folder / "forms" / "proef_casus" / "beoordeling.schema.json"
    schema = json.loads(path.read_text())
    schema["properties"]["toelichting"]["x-zvt-niet-na"] = "vandaag"
    path.write_text(json.dumps(schema))
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(folder / "processes", folder / "forms")
    assert any("only fits a field with \"format\": \"date\"" in p.reason for p in refused.value.problems)


def test_the_real_forms_deploy_with_their_date_rules(engine):
    from tests.processes.conftest import FORMS as REAL_FORMS
    from tests.processes.conftest import PROCESSES

    assert engine.deploy(PROCESSES, REAL_FORMS)
