"""Task forms without JavaScript: every real form renders, posts back and parses to what was entered,
and the engine's errors come back in Dutch next to their fields."""
from __future__ import annotations

import json
from pathlib import Path

import lxml.html
import pytest
from jsonschema import Draft202012Validator, FormatChecker
from werkzeug.datastructures import MultiDict

from engine.errors import FieldError, InvalidTaskData
from engine.list_rules import required_rows
from engine.partner_choices import fill
from engine.validation import check_data
from web.forms import display_value, dutch_datetime, dutch_errors, parse_form, render_form
from zvt import demo

FORMS = Path(__file__).resolve().parents[2] / "forms"
FORM_FILES = sorted(FORMS.glob("*/*.schema.json"))
TEXT = 'Tekst met "aanhalingstekens", <b>tekens</b> & meer'


def form(name: str) -> dict:
    return load(FORMS / f"{name}.schema.json")


def load(path: Path) -> dict:
    """A form with the demo's eight convenantpartners as its partner choices, as the register gives them."""
    return fill(json.loads(path.read_text()), [(code, name) for code, name, _grondslag in demo.PARTNERS])


def html_of(markup) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(f"<form>{markup}</form>")


def posted(markup, **extra) -> MultiDict:
    """What a browser sends for the rendered fields, as they are filled in."""
    page = html_of(markup)
    pairs = []
    for name, value in page.form_values():
        element = page.xpath(f'//textarea[@name="{name}"]')
        if element and value.startswith("\n"):
            value = value[1:]  # the parser of a browser drops the newline after <textarea>
        pairs.append((name, value))
    return MultiDict(pairs + list(extra.items()))


def by_id(markup, element_id: str):
    [element] = html_of(markup).xpath(f'//*[@id="{element_id}"]')
    return element


def errors_for(schema: dict, data: dict, case: dict | None = None) -> dict[str, str]:
    with pytest.raises(InvalidTaskData) as refused:
        check_data(data, schema, case=case)
    return dutch_errors(refused.value.errors, schema)


# --- examples built from the schema ----------------------------------------------------------------

def example(prop: dict, index: int = 0):
    if prop.get("const") is True:
        return True
    if "oneOf" in prop:
        consts = [o["const"] for o in prop["oneOf"]]
        return consts[index % len(consts)]
    kind = prop.get("type")
    if kind == "array":
        items = prop["items"]
        if "oneOf" in items:
            consts = [o["const"] for o in items["oneOf"]]
            count = min(max(2, prop.get("minItems", 0)), prop.get("maxItems", len(consts)), len(consts))
            return consts[:count]
        if items.get("type") != "object":  # a list of plain values
            return [example(items, i) for i in range(max(1, prop.get("minItems", 0)))]
        return [example_object(items, i) for i in range(max(1, prop.get("minItems", 0)))]
    if kind == "object":
        return example_object(prop, index)
    if kind == "boolean":
        return index % 2 == 0
    if kind == "integer":
        return prop.get("minimum", 0) + 1 if prop.get("maximum", 10) > prop.get("minimum", 0) else prop["minimum"]
    if prop.get("format") == "date":
        return "2026-11-27"
    if prop.get("format") == "date-time":
        return ("2026-07-01T09:30:00+02:00", "2026-11-27T17:00:00+01:00")[index % 2]
    if prop.get("format") == "email":
        return "naam@voorbeeld.example"
    if prop.get("examples"):  # the form's own example of what the pattern takes
        return prop["examples"][0]
    if "pattern" in prop:
        return "voorbeeld_code"
    text = TEXT if prop.get("maxLength", 1000) <= 200 else TEXT + "\nTweede regel"
    return text[: prop.get("maxLength", len(text))]


def example_object(schema: dict, index: int = 0) -> dict:
    return {name: example(prop, index + position) for position, (name, prop) in enumerate(schema["properties"].items())
            if not prop.get("readOnly")}


def valid_example(schema: dict) -> dict:
    """An example in which each field is valid on its own (the rules between fields aside)."""
    data = example_object(schema)
    for name in list(data):
        validator = Draft202012Validator(schema["properties"][name], format_checker=FormatChecker())
        for error in validator.iter_errors(data[name]):
            if error.validator == "not" and error.validator_value == {}:  # "leave empty, given the rest"
                *parents, last = error.absolute_path
                parent = data[name]
                for part in parents:
                    parent = parent[part]
                del parent[last]
        validator.validate(data[name])
    return data


def read_only_example(schema: dict) -> dict:
    return {name: example(prop) for name, prop in schema["properties"].items() if prop.get("readOnly")}


# --- every real form ---------------------------------------------------------------------------------

@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: f"{p.parent.name}/{p.name.split('.')[0]}")
def test_every_form_renders_with_a_label_for_every_field_and_parses_an_empty_post(path):
    schema = load(path)
    page = html_of(render_form(schema, {}, {}, {}))

    controls = page.xpath("//input | //select | //textarea")
    assert controls
    for control in controls:
        assert page.xpath(f'//label[@for="{control.get("id")}"]'), f"no label for {control.get('name')}"
        assert control.get("name")
    rendered = {control.get("name") for control in controls}
    for name, prop in schema["properties"].items():
        if prop.get("readOnly"):
            assert name not in rendered and page.xpath(f'//dd[@id="field-{name}"]')
        else:
            assert name in rendered or any(n.startswith(f"{name}-") for n in rendered), name
    # Nothing entered is nothing, except a list with nothing ticked where the form wants the list and
    # allows it empty ("none of these").
    assert all(value == [] for value in parse_form(schema, MultiDict()).values())


@pytest.mark.parametrize("path", FORM_FILES, ids=lambda p: f"{p.parent.name}/{p.name.split('.')[0]}")
def test_every_form_round_trips_a_valid_example_through_html(path):
    schema = load(path)
    data = valid_example(schema)

    markup = render_form(schema, data, {}, read_only_example(schema))

    assert parse_form(schema, posted(markup, csrf_token="abc")) == data


# --- widgets -----------------------------------------------------------------------------------------

def test_widgets_follow_the_schema():
    page = html_of(render_form(form("zvt_casus/plan_van_aanpak"), {}, {}, {}))
    assert page.xpath('//textarea[@name="doelen"]')  # maxLength 4000
    assert page.xpath('//input[@type="date"][@name="eerste_zorgoverleg_op"]')
    assert page.xpath('//select[@name="afspraken-0-partner"]/option[1][@value=""]')  # eight partners
    assert [r.get("value") for r in page.xpath('//input[@type="radio"][@name="betrokkene_aanwezig"]')] == ["ja", "nee"]
    assert [r.get("value") for r in page.xpath('//input[@name="betrokkene_over_plan_geinformeerd"]')] == [
        "ja", "nee_artikel_41"]  # two choices: radio buttons

    page = html_of(render_form(form("zvt_casus/beoordeling"), {}, {}, {}))
    niveau = page.xpath('//input[@name="niveau"]')[0]
    assert (niveau.get("type"), niveau.get("min"), niveau.get("max")) == ("number", "0", "4")
    confirm = page.xpath('//input[@name="adhoc_partners-0-verklaring_getekend"]')[0]
    assert (confirm.get("type"), confirm.get("value")) == ("checkbox", "ja")
    assert page.xpath('//input[@type="text"][@name="adhoc_partners-0-organisatie"]')  # maxLength 200
    assert len(page.xpath('//input[@type="checkbox"][@name="deelnemende_partners"]')) == 8
    assert page.xpath('//input[@type="datetime-local"]') == []
    assert html_of(render_form(form("datalek/melding"), {}, {}, {})).xpath(
        '//input[@type="datetime-local"][@name="bekend_sinds"]')


def test_required_is_shown_in_text_and_enforced_by_the_browser_only_where_it_can_be():
    page = html_of(render_form(form("zvt_casus/beoordeling"), {}, {}, {}))
    label = page.xpath('//label[@for="field-toelichting_besluit"]')[0]
    assert "(verplicht)" in label.text_content()
    assert page.xpath('//textarea[@name="toelichting_besluit"]')[0].get("required") is not None
    assert all(r.get("required") is not None for r in page.xpath('//input[@name="besluit_beoordeling"]'))
    # Required only when the team takes the case up, or when the niveau differs: no attribute, no mark.
    assert page.xpath('//textarea[@name="reden_afwijking"]')[0].get("required") is None
    assert "(verplicht)" not in page.xpath('//label[@for="field-reden_afwijking"]')[0].text_content()
    assert all(c.get("required") is None for c in page.xpath('//input[@name="deelnemende_partners"]'))
    assert page.xpath('//input[@name="crisisoverleg"]')[0].get("required") is None
    # Inside a row that may stay empty the browser must not insist.
    assert page.xpath('//input[@name="adhoc_partners-0-organisatie"]')[0].get("required") is None

    aanmelding = html_of(render_form(form("zvt_casus/aanmelding"), {}, {}, {}))
    assert aanmelding.xpath('//input[@name="grondslag_afgewogen"]')[0].get("required") is not None
    assert all(c.get("required") is None for c in aanmelding.xpath('//input[@name="situaties"]'))


def test_a_description_is_linked_to_its_field():
    markup = render_form(form("zvt_casus/beoordeling"), {}, {}, {})
    field = by_id(markup, "field-toelichting_besluit")
    description = by_id(markup, field.get("aria-describedby"))
    assert description.text_content() == "Deze toelichting krijgt de aanmelder ook te zien."


def field_names(page) -> list[str]:
    """The names of the form's fields in the order they are shown, each once."""
    return list(dict.fromkeys(e.get("name") for e in page.xpath("//input|//textarea|//select")))


def test_the_ui_schema_orders_the_fields_picks_a_widget_and_adds_help():
    schema = {"type": "object", "properties": {
        "besluit": {"title": "Besluit", "type": "string", "enum": ["oppakken", "niet_oppakken"]},
        "toelichting": {"title": "Toelichting", "type": "string", "maxLength": 200},
        "datum": {"title": "Datum", "type": "string", "format": "date"}}}
    plain = html_of(render_form(schema))
    assert field_names(plain) == ["besluit", "toelichting", "datum"]
    assert plain.xpath('//input[@type="text"][@name="toelichting"]')

    ui = {"ui:order": ["datum", "*"], "besluit": {"ui:widget": "select", "ui:help": "Kies één besluit."},
          "toelichting": {"ui:widget": "textarea"}}
    markup = render_form(schema, ui=ui)
    page = html_of(markup)
    assert field_names(page) == ["datum", "besluit", "toelichting"]  # "*": the rest in the schema's order
    assert [o.get("value") for o in page.xpath('//select[@name="besluit"]/option')] == ["", "oppakken", "niet_oppakken"]
    assert page.xpath('//textarea[@name="toelichting"]')
    help_text = by_id(markup, by_id(markup, "field-besluit").get("aria-describedby"))
    assert help_text.text_content() == "Kies één besluit."
    # What the other widget posts parses to the same data.
    assert parse_form(schema, MultiDict({"besluit": "niet_oppakken", "toelichting": "Zie het dossier."})) == {
        "besluit": "niet_oppakken", "toelichting": "Zie het dossier."}


def test_the_beoordeling_gives_help_on_the_niveau_and_on_informeren():
    schema, ui = form("zvt_casus/beoordeling"), json.loads((FORMS / "zvt_casus/beoordeling.ui.json").read_text())
    markup = render_form(schema, {}, {}, {"voorgesteld_niveau": 2, "niveau_uitleg": "Twee leefgebieden."}, ui=ui)
    niveau = by_id(markup, "field-niveau")
    assert niveau.get("type") == "number"  # an integer keeps its number field
    assert "Kijk naar het voorstel hierboven." in by_id(markup, niveau.get("aria-describedby")).text_content()
    [informeren] = html_of(markup).xpath('//fieldset[.//input[@name="informeren"]]')
    assert "artikel 41 UAVG" in by_id(markup, informeren.get("aria-describedby")).text_content()


# --- parsing -----------------------------------------------------------------------------------------

def test_date_time_is_amsterdam_time_before_and_after_the_october_change():
    schema = form("datalek/melding")
    assert parse_form(schema, MultiDict({"bekend_sinds": "2026-10-24T12:00"}))["bekend_sinds"] == \
        "2026-10-24T12:00:00+02:00"
    assert parse_form(schema, MultiDict({"bekend_sinds": "2026-10-26T12:00"}))["bekend_sinds"] == \
        "2026-10-26T12:00:00+01:00"
    # The hour that happens twice is read as the first, summer-time one.
    assert parse_form(schema, MultiDict({"bekend_sinds": "2026-10-25T02:30"}))["bekend_sinds"] == \
        "2026-10-25T02:30:00+02:00"
    # The hour skipped in March does not exist; the clock has already moved on.
    assert parse_form(schema, MultiDict({"bekend_sinds": "2026-03-29T02:30"}))["bekend_sinds"] == \
        "2026-03-29T03:30:00+02:00"

    def shown(value):
        return by_id(render_form(schema, {"bekend_sinds": value}, {}, {}), "field-bekend_sinds").get("value")

    assert shown("2026-10-24T10:00:00Z") == "2026-10-24T12:00"
    assert shown("2026-10-26T11:00:00+00:00") == "2026-10-26T12:00"
    assert shown("2026-10-25T01:30:00+00:00") == "2026-10-25T02:30"  # the second 02:30, winter time


def test_date_time_and_date_typed_the_dutch_way_are_understood():
    assert parse_form(form("datalek/melding"), MultiDict({"bekend_sinds": "27-11-2026 17:00"})) == {
        "bekend_sinds": "2026-11-27T17:00:00+01:00"}
    assert parse_form(form("zvt_casus/plan_van_aanpak"), MultiDict({"eerste_zorgoverleg_op": "27-11-2026"})) == {
        "eerste_zorgoverleg_op": "2026-11-27"}
    assert parse_form(form("zvt_casus/plan_van_aanpak"), MultiDict({"eerste_zorgoverleg_op": "31-02-2026"})) == {
        "eerste_zorgoverleg_op": "31-02-2026"}  # no such day: left for the engine to refuse


def test_booleans_are_ja_and_nee_and_stay_chosen_after_a_failed_submit():
    schema = form("zvt_casus/aanmelding")
    data = parse_form(schema, MultiDict({"zelfregie": "nee", "grote_maatschappelijke_impact": "ja",
                                         "betrokkene_op_de_hoogte": "", "grondslag_afgewogen": "ja"}))
    assert data == {"zelfregie": False, "grote_maatschappelijke_impact": True, "grondslag_afgewogen": True,
                    "situaties": [], "leefgebieden": []}  # required lists that may be empty: nothing ticked

    markup = render_form(schema, data, {}, {})
    assert by_id(markup, "field-zelfregie--1").get("checked") is not None  # "Nee"
    assert by_id(markup, "field-zelfregie").get("checked") is None
    assert by_id(markup, "field-grondslag_afgewogen").get("checked") is not None


def test_checkboxes_become_a_list_of_the_chosen_codes():
    schema = form("zvt_casus/aanmelding")
    form_data = MultiDict([("situaties", "overlast"), ("situaties", "dreigende_huisuitzetting"), ("leefgebieden", "")])
    assert parse_form(schema, form_data) == {"situaties": ["overlast", "dreigende_huisuitzetting"], "leefgebieden": []}

    markup = render_form(schema, {"situaties": ["overlast"]}, {}, {})
    checked = [c.get("value") for c in html_of(markup).xpath('//input[@name="situaties"][@checked]')]
    assert checked == ["overlast"]


def test_no_box_ticked_is_an_empty_list_where_the_form_wants_one_and_nothing_where_it_forbids_one():
    schema = form("rechten_betrokkene/beantwoorden_of_verlengen")
    assert parse_form(schema, MultiDict({"afhandeling": "antwoord"}))["partners_geinformeerd"] == []
    assert "partners_geinformeerd" not in parse_form(schema, MultiDict({"afhandeling": "verlengen"}))


def test_rows_of_objects_are_numbered_and_an_empty_row_is_ignored():
    schema = form("zvt_casus/plan_van_aanpak")
    form_data = MultiDict({
        "afspraken-0-partner": "politie", "afspraken-0-actie": "Huisbezoek",
        "afspraken-1-partner": "", "afspraken-1-actie": "  ",
        "afspraken-2-partner": "accolade", "afspraken-2-actie": "Schuldhulp",
        "afspraken-3-partner": "", "afspraken-3-actie": "",
    })
    data = parse_form(schema, form_data)
    assert data == {"afspraken": [{"partner": "politie", "actie": "Huisbezoek"},
                                  {"partner": "accolade", "actie": "Schuldhulp"}]}

    page = html_of(render_form(schema, data, {}, {}))
    legends = [legend.text_content() for legend in page.xpath('//fieldset[@id="field-afspraken"]/div/fieldset/legend')]
    assert legends == ["Regel 1", "Regel 2", "Regel 3", "Regel 4"]  # the two entered and two empty ones
    assert page.xpath('//textarea[@name="afspraken-1-actie"]')[0].text_content().strip() == "Schuldhulp"


def test_rows_that_must_all_be_there_are_all_offered():
    # A reply from every convenantpartner the case started with (x-zvt-alle-van), one row each.
    schema = form("convenant/instemming_vastleggen")
    partners = [o["const"] for o in schema["properties"]["convenantpartners"]["items"]["oneOf"]]
    prefill = required_rows({"convenantpartners": partners}, schema)
    page = html_of(render_form(schema, prefill, {}, {}))
    rows = page.xpath('//select[starts-with(@name, "instemmingen-")][contains(@name, "-partner")]')
    assert len(partners) == 8 and [row.value for row in rows[:8]] == partners


def test_a_group_of_questions_becomes_an_object_and_is_left_out_when_empty():
    schema = form("rechten_betrokkene/beantwoorden_of_verlengen")
    assert parse_form(schema, MultiDict({"besluit_per_recht-inzage": "afgewezen"}))["besluit_per_recht"] == {
        "inzage": "afgewezen"}
    assert "besluit_per_recht" not in parse_form(schema, MultiDict({"besluit_per_recht-inzage": ""}))


def test_what_cannot_be_converted_is_passed_on_for_the_engine_to_report():
    schema = form("zvt_casus/beoordeling")
    data = parse_form(schema, MultiDict({"niveau": "abc", "crisisoverleg": "misschien", "besluit_beoordeling": "x"}))
    assert data == {"niveau": "abc", "crisisoverleg": "misschien", "besluit_beoordeling": "x"}
    assert parse_form(schema, MultiDict({"niveau": "9" * 5000}))["niveau"] == "9" * 5000
    assert parse_form(schema, MultiDict({"niveau": " 3 "}))["niveau"] == 3
    assert parse_form(form("rechten_betrokkene/beantwoorden_of_verlengen"),
                      MultiDict({"verlenging_maanden": "2"}))["verlenging_maanden"] == 2

    messages = errors_for(schema, data, case={"voorgesteld_niveau": 3})
    assert messages["niveau"] == "Vul een heel getal in tussen 0 en 4."
    assert messages["crisisoverleg"] == "Kies Ja of Nee."
    assert messages["besluit_beoordeling"] == "Kies een van de mogelijkheden."
    # What was typed is shown again, so it can be corrected.
    assert by_id(render_form(schema, {"niveau": "abc"}, messages, {}), "field-niveau").get("value") == "abc"


def test_read_only_unknown_and_csrf_fields_are_not_taken_from_the_post():
    schema = form("zvt_casus/beoordeling")
    data = parse_form(schema, MultiDict({"voorgesteld_niveau": "1", "dreigende_huisuitzetting": "ja",
                                         "csrf_token": "abc", "stiekem": "x", "niveau": "3"}))
    assert data == {"niveau": 3}


def test_text_is_trimmed_and_its_line_breaks_are_plain_newlines():
    data = parse_form(form("zvt_casus/plan_van_aanpak"), MultiDict({"doelen": "  Eerste\r\nTweede  "}))
    assert data == {"doelen": "Eerste\nTweede"}


# --- escaping and read-only values ---------------------------------------------------------------------

def test_everything_entered_is_escaped():
    script = '<script>alert("x")</script>'
    schema = form("zvt_casus/beoordeling")
    markup = str(render_form(schema, {"toelichting_besluit": script, "adhoc_partners": [{"organisatie": script}]},
                             {"toelichting_besluit": script}, {"niveau_uitleg": script}))
    assert "<script>" not in markup
    assert markup.count("&lt;script&gt;") == 5  # summary, message, text area, text box, read-only value
    assert by_id(markup, "field-adhoc_partners-0-organisatie").get("value") == script


def test_read_only_values_are_shown_in_dutch():
    markup = render_form(form("rechten_betrokkene/beantwoorden_of_verlengen"), {}, {}, {
        "rechten": ["inzage", "verwijdering"], "ontvangen_op": "2026-11-27T16:00:00Z",
        "ontvangen_door": "ggz_friesland", "verzoeker_naam": "A. de Vries", "omschrijving": "Regel 1\nRegel 2",
    })
    assert [li.text_content() for li in by_id(markup, "field-rechten").xpath(".//li")] == [
        "Inzage in de gegevens", "Verwijdering van gegevens"]
    assert by_id(markup, "field-ontvangen_op").text_content().strip() == "vrijdag 27 november 2026, 17:00"
    assert by_id(markup, "field-ontvangen_door").text_content().strip() == "GGZ Friesland"
    assert by_id(markup, "field-omschrijving").xpath("br")  # its line break kept
    assert by_id(markup, "field-termijn").text_content().strip() == "Niet ingevuld"
    assert html_of(markup).xpath('//dl//dt[text()="Naam verzoeker"]')

    beoordeling = render_form(form("zvt_casus/beoordeling"), {}, {},
                              {"voorgesteld_niveau": 3, "dreigende_huisuitzetting": True})
    assert by_id(beoordeling, "field-voorgesteld_niveau").text_content().strip() == "3"
    assert by_id(beoordeling, "field-dreigende_huisuitzetting").text_content().strip() == "Ja"

    object_value = render_form(form("rechten_betrokkene/ontvangers_informeren"), {}, {},
                               {"besluit_per_recht": {"inzage": "deels_toegewezen"}})
    pair = by_id(object_value, "field-besluit_per_recht").xpath(".//dt | .//dd")
    assert [p.text_content().strip() for p in pair] == ["Inzage in de gegevens", "Deels toegewezen"]


def test_a_date_in_the_past_reads_without_its_day_of_the_week():
    birth = {"type": "string", "format": "date", "x-zvt-niet-na": "vandaag"}
    assert display_value(birth, "1990-03-14") == {"kind": "text", "lines": ["14 maart 1990"]}
    meeting = {"type": "string", "format": "date", "x-zvt-niet-voor": "vandaag"}
    assert display_value(meeting, "2026-12-08") == {"kind": "text", "lines": ["dinsdag 8 december 2026"]}


def test_an_action_can_only_be_given_to_a_partner_that_takes_part():
    plan = form("zvt_casus/plan_van_aanpak")
    taking_part = {"deelnemende_partners": ["politie", "accolade"]}

    def offered(markup, row=0):
        return [o.get("value") for o in by_id(markup, f"field-afspraken-{row}-partner").xpath(".//option")
                if o.get("value")]

    assert offered(render_form(plan, {}, {}, taking_part)) == ["accolade", "politie"]
    # What was chosen stays on offer, so the server's error can be shown beside it.
    entered = {"afspraken": [{"partner": "elkien", "actie": "Bellen", "uiterlijk_op": "2026-12-20"}]}
    assert offered(render_form(plan, entered, {"afspraken/0/partner": "x"}, taking_part)) == [
        "accolade", "elkien", "politie"]
    # Without the case's list the server checks nothing, and every partner is offered.
    assert len(offered(render_form(plan, {}, {}, {}))) == 8


def test_dutch_moments_follow_amsterdam_time_across_daylight_saving():
    assert dutch_datetime("2026-07-01T07:30:00Z") == "woensdag 1 juli 2026, 09:30"
    assert dutch_datetime("2026-11-27T16:00:00+00:00") == "vrijdag 27 november 2026, 17:00"
    assert dutch_datetime("gisteren") == "gisteren"


# --- errors --------------------------------------------------------------------------------------------

def test_each_kind_of_error_has_a_dutch_message():
    aanmelding = form("zvt_casus/aanmelding")
    messages = errors_for(aanmelding, {"betrokkene_naam": "A", "betrokkene_geboortedatum": "1990-13-01",
                                       "reden_aanmelding": "x" * 4001, "situaties": ["overlast", "onbekend"],
                                       "zelfregie": True, "toestemming": "misschien", "grondslag_afgewogen": False,
                                       "stiekem": 1})
    assert messages == {
        "betrokkene_naam": "Gebruik minstens 2 tekens.",
        "betrokkene_adres": "Vul dit veld in.",
        "betrokkene_geboortedatum": "Vul een datum in, zoals 27-11-2026.",
        "reden_aanmelding": "Gebruik hoogstens 4000 tekens.",
        "situaties": "Een van deze keuzes is hier niet toegestaan.",
        "leefgebieden": "Kies minstens één mogelijkheid.",
        "grote_maatschappelijke_impact": "Kies Ja of Nee.",
        "betrokkene_op_de_hoogte": "Kies Ja of Nee.",
        "toestemming": "Kies een van de mogelijkheden.",
        "grondslag_afgewogen": "Vink dit aan om verder te gaan.",
        "stiekem": "Dit veld hoort niet bij het formulier.",
    }

    beoordeling = form("zvt_casus/beoordeling")
    messages = errors_for(beoordeling, {"niveau": 7, "besluit_beoordeling": "niet_registreren",
                                        "toelichting_besluit": "Geen zorgen."},
                          case={"voorgesteld_niveau": 3, "dreigende_huisuitzetting": True})
    assert messages == {"niveau": "Vul een heel getal in tussen 0 en 4.",
                        "reden_afwijking": "Vul dit veld in.",
                        "advies_alternatief": "Vul dit veld in.",
                        "besluit_beoordeling": "Dit past niet bij uw andere antwoorden."}

    melding = form("datalek/melding")
    assert errors_for(melding, {"bekend_sinds": "gisteren", "aard": [], "aantal_personen": -1})["bekend_sinds"] == \
        "Vul een datum en tijd in, zoals 27-11-2026 17:00."
    assert errors_for(melding, {"aard": []})["aard"] == "Kies minstens één mogelijkheid."
    assert errors_for(melding, {"aantal_personen": -1})["aantal_personen"] == \
        "Vul een heel getal in tussen 0 en 10000000."

    partner = form("convenant/partner_toevoegen")
    assert errors_for(partner, {"partnercode": "Politie!"})["partnercode"] == \
        "Dit is niet in de goede vorm. Lees de uitleg bij dit veld."
    assert errors_for(partner, {"contactpersoon_email": "c.bakker at voorbeeldzorg"})["contactpersoon_email"] == \
        "Vul een e-mailadres in, zoals naam@organisatie.nl."
    # A code already in the partner register is refused by the engine when the step completes.
    assert dutch_errors([FieldError("partnercode", "a partner with this code exists already", code="partnerExists")],
                        partner) == {"partnercode": "Er staat al een partner met deze code in het partnerregister. "
                                                    "Kies een andere code."}


def test_a_field_that_must_stay_empty_for_the_other_answers_says_so():
    schema = form("rechten_betrokkene/beantwoorden_of_verlengen")
    messages = errors_for(schema, {"afhandeling": "verlengen", "verlenging_maanden": 1, "verlenging_redenen": "Veel werk.",
                                   "redenen_verstuurd": True, "antwoord_toelichting": "Toch al geantwoord."})
    assert messages == {"antwoord_toelichting": "Laat dit veld leeg. Het past niet bij uw andere antwoorden."}


def test_errors_inside_rows_and_lists_go_to_the_field_on_the_form():
    schema = form("zvt_casus/plan_van_aanpak")
    messages = errors_for(schema, {"doelen": "Rust", "afspraken": [{"partner": "politie", "actie": "x"}, {"actie": "Bellen"}],
                                   "betrokkene_aanwezig": True, "eerste_zorgoverleg_op": "2026-12-01"})
    assert messages == {"doelen": "Gebruik minstens 5 tekens.", "afspraken/0/actie": "Gebruik minstens 3 tekens.",
                        "afspraken/0/uiterlijk_op": "Vul een datum in.",
                        "afspraken/1/partner": "Kies een van de mogelijkheden.",
                        "afspraken/1/uiterlijk_op": "Vul een datum in.", "evaluatie_op": "Vul een datum in."}
    assert errors_for(schema, {"afspraken": []})["afspraken"] == "Vul minstens één regel in."


def test_an_error_is_shown_next_to_its_field_and_linked_from_the_summary():
    schema = form("zvt_casus/plan_van_aanpak")
    data = {"doelen": "Rust", "afspraken": [{"partner": "politie", "actie": "x"}], "betrokkene_aanwezig": False}
    messages = errors_for(schema, data)
    markup = render_form(schema, data, messages, {})
    page = html_of(markup)

    [summary] = page.xpath('//div[@role="alert"]')
    assert summary.xpath(".//p")[0].text_content() == "Er ging iets mis. Controleer deze velden:"
    links = {a.get("href"): a.text_content() for a in summary.xpath(".//a")}
    assert links == {
        "#field-doelen": "Doelen: Gebruik minstens 5 tekens.",
        "#field-afspraken-0-actie": "Wie doet wat? › Regel 1 › Actie: Gebruik minstens 3 tekens.",
        "#field-betrokkene_over_plan_geinformeerd": "Is de betrokkene over het plan geïnformeerd? "
                                                    "Kies een van de mogelijkheden.",
        "#field-afspraken-0-uiterlijk_op": "Wie doet wat? › Regel 1 › Klaar op: Vul een datum in.",
        "#field-eerste_zorgoverleg_op": "Datum eerste zorgoverleg: Vul een datum in.",
        "#field-evaluatie_op": "Datum evaluatie van het plan: Vul een datum in.",
    }
    for href in links:
        assert by_id(markup, href[1:]) is not None

    actie = by_id(markup, "field-afspraken-0-actie")
    assert actie.get("aria-invalid") == "true"
    assert by_id(markup, actie.get("aria-describedby")).text_content() == "Gebruik minstens 3 tekens."
    assert actie.text_content().strip() == "x"  # what was entered stays

    radios = page.xpath('//input[@name="betrokkene_over_plan_geinformeerd"]')
    assert all(r.get("aria-invalid") == "true" for r in radios)
    fieldset = radios[0].xpath("ancestor::fieldset[1]")[0]
    assert by_id(markup, fieldset.get("aria-describedby")).text_content() == "Kies een van de mogelijkheden."


def test_without_errors_there_is_no_summary_and_nothing_is_marked_invalid():
    page = html_of(render_form(form("zvt_casus/plan_van_aanpak"), {}, {}, {}))
    assert page.xpath('//div[@role="alert"]') == []
    assert page.xpath('//*[@aria-invalid]') == []


def test_an_error_about_no_field_on_the_form_still_shows_in_the_summary():
    markup = render_form(form("zvt_casus/plan_van_aanpak"), {}, {"": "Deze waarde is hier niet toegestaan.",
                                                                "stiekem": "Dit veld hoort niet bij het formulier."}, {})
    items = [li.text_content() for li in html_of(markup).xpath('//div[@role="alert"]//li')]
    assert items == ["Deze waarde is hier niet toegestaan.", "stiekem: Dit veld hoort niet bij het formulier."]
