"""Adding and removing fields in the form editor (web/form_editor.py), and its live preview: what is
saved lands in the draft and passes the draft's check; what is refused leaves the draft as it was."""
from __future__ import annotations

import json

import lxml.html
import pytest

from engine import process_drafts
from tests.web.conftest import AuthActions, client_for
from tests.web.test_form_editor import OWNER, posted_as_shown

CHECK_PASSES = "Geen problemen: dit concept kan klaargezet worden."


def saved_form(engine, draft: str, task_id: str = "beoordeling") -> tuple[dict, dict]:
    return process_drafts.draft_forms(engine, OWNER, "zvt_casus", int(draft.rsplit("/", 1)[1]))[task_id]


def add(auth, client, draft: str, task_id: str = "beoordeling", **new):
    """Post the editor's page as shown, with the new field's inputs filled in, via "Veld toevoegen"."""
    page = f"{draft}/formulieren/{task_id}"
    data = {**posted_as_shown(client, page), "actie": "toevoegen",
            **{f"nieuw-{part}": value for part, value in new.items()}}
    return auth.post(page, data, token_from=page)


@pytest.mark.parametrize("kind, options, expected", [
    ("korte_tekst", "", {"type": "string", "minLength": 1, "maxLength": 200}),
    ("lange_tekst", "", {"type": "string", "minLength": 1, "maxLength": 4000}),
    ("datum", "", {"type": "string", "format": "date"}),
    ("ja_nee", "", {"type": "boolean"}),
    ("keuze", "Telefonisch\nIn een gesprek\n", {"type": "string", "oneOf": [
        {"const": "telefonisch", "title": "Telefonisch"}, {"const": "gesprek", "title": "In een gesprek"}]}),
    ("meerdere_keuzes", "Huisarts\nWijkteam", {"type": "array", "uniqueItems": True, "items": {"type": "string", "oneOf": [
        {"const": "huisarts", "title": "Huisarts"}, {"const": "wijkteam", "title": "Wijkteam"}]}}),
])
def test_each_kind_of_field_is_added_as_the_forms_write_it_and_the_draft_still_passes(auth, client, engine, draft,
                                                                                      kind, options, expected):
    auth.login("proceseigenaar")
    saved = add(auth, client, draft, soort=kind, titel="Contact met de huisarts", hulp="Alleen als het gebeurde.",
                verplicht="ja", keuzes=options)
    assert saved.status_code == 302
    schema, ui = saved_form(engine, draft)
    assert schema["properties"]["contact_huisarts"] == {"title": "Contact met de huisarts", **expected}
    assert "contact_huisarts" in schema["required"] and ui["contact_huisarts"] == {"ui:help": "Alleen als het gebeurde."}
    assert ui["ui:order"][-1] == "contact_huisarts"
    page = client.get(f"{draft}/formulieren/beoordeling").get_data(as_text=True)
    assert "Het veld ‘contact_huisarts’ is toegevoegd." in page
    assert "Contact met de huisarts" in page[page.index('id="kop-voorbeeld"'):]
    assert CHECK_PASSES in client.get(draft).get_data(as_text=True)


def test_a_field_that_is_not_required_stays_optional_and_gets_no_help_text(auth, client, engine, draft):
    auth.login("proceseigenaar")
    assert add(auth, client, draft, soort="datum", titel="Datum van het gesprek").status_code == 302
    schema, ui = saved_form(engine, draft)
    assert schema["properties"]["datum_gesprek"]["format"] == "date"
    assert "datum_gesprek" not in schema["required"] and "datum_gesprek" not in ui


def test_a_name_is_made_from_the_question_and_stays_clear_of_every_name_the_process_uses(auth, client, engine, draft):
    auth.login("proceseigenaar")
    # the form has crisisoverleg; a script of the process sets overleg_nummer; "class" is Python's own word
    for title in ["Crisisoverleg", "Overleg nummer", "Class", "Crisisoverleg", "Cliënt gezien?"]:
        assert add(auth, client, draft, soort="ja_nee", titel=title).status_code == 302
    schema, _ui = saved_form(engine, draft)
    added = list(schema["properties"])[-5:]
    assert added == ["crisisoverleg_2", "overleg_nummer_2", "class_veld", "crisisoverleg_3", "client_gezien"]
    assert all(name.isidentifier() for name in added)


def test_option_codes_are_made_once_from_the_texts_unique_and_stay_when_a_text_changes(auth, client, engine, draft):
    auth.login("proceseigenaar")
    add(auth, client, draft, soort="keuze", titel="Hoe?", keuzes="Ja, zeker\nJa zeker!\nNiet meer")
    schema, _ui = saved_form(engine, draft)
    assert [o["const"] for o in schema["properties"]["hoe"]["oneOf"]] == ["ja_zeker", "ja_zeker_2", "niet_meer"]
    page = f"{draft}/formulieren/beoordeling"
    data = {**posted_as_shown(client, page), "optie-hoe-2": "Nooit meer"}
    assert auth.post(page, data, token_from=page).status_code == 302
    schema, _ui = saved_form(engine, draft)
    assert schema["properties"]["hoe"]["oneOf"][2] == {"const": "niet_meer", "title": "Nooit meer"}


def test_a_name_typed_by_the_proceseigenaar_is_used_as_typed(auth, client, engine, draft):
    auth.login("proceseigenaar")
    assert add(auth, client, draft, soort="korte_tekst", titel="Kenmerk", naam="kenmerk_brief").status_code == 302
    assert saved_form(engine, draft)[0]["properties"]["kenmerk_brief"]["title"] == "Kenmerk"


@pytest.mark.parametrize("new, input_name, message", [
    ({"soort": "korte_tekst", "titel": "  "}, "nieuw-titel", "Vul de vraag in die de medewerker ziet."),
    ({"soort": "korte_tekst", "titel": "x" * 201}, "nieuw-titel", "Gebruik hoogstens 200 tekens."),
    ({"titel": "Zonder soort"}, "nieuw-soort", "Kies wat voor veld het is."),
    ({"soort": "korte_tekst", "titel": "Klasse", "naam": "class"}, "nieuw-naam",
     "‘class’ is een woord van de programmeertaal Python."),
    ({"soort": "korte_tekst", "titel": "Lambda", "naam": "lambda"}, "nieuw-naam", "programmeertaal Python"),
    ({"soort": "korte_tekst", "titel": "Niveau", "naam": "niveau"}, "nieuw-naam",
     "Dit formulier heeft al een veld ‘niveau’."),
    ({"soort": "korte_tekst", "titel": "Minimum", "naam": "min"}, "nieuw-naam",
     "‘min’ is al de naam van een functie die scripts gebruiken."),
    ({"soort": "korte_tekst", "titel": "Reden", "naam": "Reden afwijking"}, "nieuw-naam",
     "Gebruik alleen kleine letters, cijfers en een liggend streepje"),
    ({"soort": "keuze", "titel": "Eén keuze", "keuzes": "Alleen deze"}, "nieuw-keuzes", "Geef minstens 2 keuzes"),
    ({"soort": "meerdere_keuzes", "titel": "Veel", "keuzes": "\n".join(f"Keuze {n}" for n in range(31))},
     "nieuw-keuzes", "Gebruik hoogstens 30 keuzes. U gaf er 31."),
    ({"soort": "keuze", "titel": "Twee keer", "keuzes": "Ja\nNee\nja"}, "nieuw-keuzes",
     "De keuze ‘ja’ staat er twee keer in."),
])
def test_a_new_field_with_a_problem_is_refused_in_dutch_and_nothing_is_saved(auth, client, engine, draft,
                                                                            new, input_name, message):
    auth.login("proceseigenaar")
    before = saved_form(engine, draft)
    refused = add(auth, client, draft, **new)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Niet opgeslagen: 1 veld moet anders." in body
    error = lxml.html.fromstring(body).get_element_by_id(f"{input_name}-fout")
    assert message in error.text_content()
    assert saved_form(engine, draft) == before
    if "titel" in new:  # what was typed stays, to be corrected
        assert lxml.html.fromstring(body).get_element_by_id("nieuw-titel").get("value") == new["titel"]


def test_a_new_field_and_a_bad_edit_are_saved_together_or_not_at_all(auth, client, engine, draft):
    auth.login("proceseigenaar")
    page = f"{draft}/formulieren/beoordeling"
    data = {**posted_as_shown(client, page), "titel-niveau": "", "nieuw-soort": "ja_nee", "nieuw-titel": "Gebeld?"}
    assert auth.post(page, data, token_from=page).status_code == 400
    schema, _ui = saved_form(engine, draft)
    assert "gebeld" not in schema["properties"] and schema["properties"]["niveau"]["title"] == "Niveau"


def test_enter_in_a_text_box_saves_and_never_removes_a_field(auth, client, draft):
    auth.login("proceseigenaar")
    form = lxml.html.fromstring(client.get(f"{draft}/formulieren/beoordeling").get_data(as_text=True)) \
        .xpath("//form[@novalidate]")[0]
    first = form.xpath(".//button[@type='submit']")[0]  # the button a browser presses on Enter
    assert (first.get("name"), first.get("value")) == ("actie", "opslaan")
    assert len(form.xpath(".//button[@name='verwijderen']")) == 12  # one per field


def test_a_field_nothing_else_uses_is_removed_at_once_from_the_form_its_order_and_required(auth, client, engine, draft):
    auth.login("proceseigenaar")
    page = f"{draft}/formulieren/beoordeling"
    data = {**posted_as_shown(client, page), "verplicht-adhoc_partners": "ja", "verwijderen": "adhoc_partners"}
    removed = auth.post(page, data, token_from=page)
    assert removed.status_code == 302
    schema, ui = saved_form(engine, draft)
    assert "adhoc_partners" not in schema["properties"] and "adhoc_partners" not in schema["required"]
    assert "adhoc_partners" not in ui["ui:order"] and len(ui["ui:order"]) == 11
    assert "Het veld ‘adhoc_partners’ is verwijderd." in client.get(page).get_data(as_text=True)
    assert CHECK_PASSES in client.get(draft).get_data(as_text=True)


def test_a_field_the_process_uses_is_removed_only_after_a_warning_that_says_where(auth, client, engine, draft):
    auth.login("proceseigenaar")
    page = f"{draft}/formulieren/beoordeling"
    before = saved_form(engine, draft)
    data = {**posted_as_shown(client, page), "titel-niveau": "Welk niveau?", "verwijderen": "besluit_beoordeling"}
    asked = auth.post(page, data, token_from=page)
    body = asked.get_data(as_text=True)
    assert asked.status_code == 409 and saved_form(engine, draft) == before
    warning = lxml.html.fromstring(body).get_element_by_id("verwijderen-bevestigen").text_content()
    assert "Weet u zeker dat u het veld ‘Besluit’ (besluit_beoordeling) wilt verwijderen?" in " ".join(warning.split())
    assert "de voorwaarde van ‘oppakken’ (f_oppakken)" in warning and 'besluit_beoordeling == "oppakken"' in warning
    assert "het script van ‘Beoordeling vastleggen’ (beoordeling_vastleggen)" in warning
    assert "de terugkoppeling aan de aanmelder (ui:terugkoppeling)" in warning
    assert "4 regels van dit formulier (als … dan …)" in warning
    assert lxml.html.fromstring(body).get_element_by_id("titel-niveau").get("value") == "Welk niveau?"  # kept

    confirmed = auth.post(page, {**data, "verwijderen_bevestigd": "besluit_beoordeling"}, token_from=page)
    assert confirmed.status_code == 302
    schema, ui = saved_form(engine, draft)
    assert "besluit_beoordeling" not in schema["properties"] and "besluit_beoordeling" not in schema["required"]
    assert "besluit_beoordeling" not in json.dumps(schema["allOf"]) and "ui:terugkoppeling" not in ui
    assert len(schema["allOf"]) == 5  # the five niveau rules stay
    assert schema["properties"]["niveau"]["title"] == "Welk niveau?"  # the other edit is saved with it
    assert CHECK_PASSES in client.get(draft).get_data(as_text=True)


def test_a_read_only_field_from_the_case_is_removed_only_after_the_warning(auth, client, engine, draft):
    auth.login("proceseigenaar")
    page = f"{draft}/formulieren/beoordeling"
    data = {**posted_as_shown(client, page), "verwijderen": "dreigende_huisuitzetting"}
    asked = auth.post(page, data, token_from=page)
    assert asked.status_code == 409
    assert "het veld komt uit de casus" in asked.get_data(as_text=True)
    assert "dreigende_huisuitzetting" in saved_form(engine, draft)[0]["properties"]
    assert auth.post(page, {**data, "verwijderen_bevestigd": "dreigende_huisuitzetting"},
                     token_from=page).status_code == 302
    schema, _ui = saved_form(engine, draft)
    assert "dreigende_huisuitzetting" not in json.dumps(schema)
    assert CHECK_PASSES in client.get(draft).get_data(as_text=True)


def test_removing_a_field_the_form_does_not_have_is_refused(auth, client, engine, draft):
    auth.login("proceseigenaar")
    page = f"{draft}/formulieren/beoordeling"
    refused = auth.post(page, {**posted_as_shown(client, page), "verwijderen": "bestaat_niet"}, token_from=page)
    assert refused.status_code == 400
    assert "Dit formulier heeft geen veld ‘bestaat_niet’ (meer)." in refused.get_data(as_text=True)


def test_without_javascript_voorbeeld_bekijken_shows_the_new_field_and_saves_nothing(auth, client, engine, draft):
    auth.login("proceseigenaar")
    page = f"{draft}/formulieren/beoordeling"
    before = saved_form(engine, draft)
    data = {**posted_as_shown(client, page), "actie": "voorbeeld", "nieuw-soort": "datum",
            "nieuw-titel": "Datum van het huisbezoek"}
    shown = auth.post(page, data, token_from=page)
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200 and saved_form(engine, draft) == before
    preview = lxml.html.fromstring(body).get_element_by_id("voorbeeld-inhoud")
    assert preview.xpath(".//input[@type='date' and @name='datum_huisbezoek']")
    assert "Het nieuwe veld krijgt de naam datum_huisbezoek." in preview.text_content()


def preview_of(auth, client, draft: str, **changes):
    page = f"{draft}/formulieren/beoordeling"
    return auth.post(f"{page}/voorbeeld", {**posted_as_shown(client, page), **changes}, token_from=page)


def test_the_live_preview_draws_what_is_typed_with_the_caseworkers_renderer_and_saves_nothing(auth, client, engine,
                                                                                             draft):
    auth.login("proceseigenaar")
    before = saved_form(engine, draft)
    shown = preview_of(auth, client, draft, **{"titel-niveau": "Welk niveau kiest u?", "nieuw-soort": "keuze",
                                               "nieuw-titel": "Hoe bereikt?", "nieuw-keuzes": "Bellen\nMailen"})
    assert shown.status_code == 200 and shown.mimetype == "text/html"
    fragment = lxml.html.fragment_fromstring(shown.get_data(as_text=True), create_parent="div")
    assert "<html" not in shown.get_data(as_text=True)  # a fragment, not a page
    labels = [" ".join(label.text_content().split()) for label in fragment.xpath(".//label | .//legend")]
    assert any(label.startswith("Welk niveau kiest u?") for label in labels)
    assert fragment.xpath(".//input[@type='radio' and @name='hoe_bereikt' and @value='mailen']")
    assert saved_form(engine, draft) == before


def test_the_live_preview_says_why_a_new_field_is_not_in_it_yet(auth, client, draft):
    auth.login("proceseigenaar")
    shown = preview_of(auth, client, draft, **{"nieuw-soort": "keuze", "nieuw-titel": "Hoe?", "nieuw-keuzes": "Bellen"})
    assert "Het nieuwe veld staat nog niet in het voorbeeld: Geef minstens 2 keuzes" in shown.get_data(as_text=True)


def test_the_live_preview_escapes_html_in_questions_help_and_choices(auth, client, draft):
    auth.login("proceseigenaar")
    shown = preview_of(auth, client, draft, **{
        "titel-niveau": "<b>vet</b>", "hulp-niveau": "<img src=x onerror=alert(1)>",
        "nieuw-soort": "keuze", "nieuw-titel": "<script>alert(1)</script>", "nieuw-keuzes": "<i>a</i>\n<u>b</u>"})
    body = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body and "<b>vet</b>" not in body and "<i>a</i>" not in body
    assert "&lt;b&gt;vet&lt;/b&gt;" in body


def test_the_live_preview_needs_a_csrf_token(auth, client, draft):
    auth.login("proceseigenaar")
    page = f"{draft}/formulieren/beoordeling"
    assert client.post(f"{page}/voorbeeld", data=posted_as_shown(client, page)).status_code == 400


@pytest.mark.parametrize("username", ["procesregisseur", "teamleider", "fg", "manager"])
def test_only_who_may_change_processes_sees_a_preview_or_adds_or_removes_a_field(app, engine, draft, username):
    client = client_for(app)
    auth = AuthActions(client)
    auth.login(username)
    page = f"{draft}/formulieren/beoordeling"
    assert auth.post(f"{page}/voorbeeld", {"titel-niveau": "x"}, token_from="/taken").status_code == 403
    assert auth.post(page, {"nieuw-soort": "ja_nee", "nieuw-titel": "x", "actie": "toevoegen"},
                     token_from="/taken").status_code == 403
    assert auth.post(page, {"verwijderen_bevestigd": "niveau"}, token_from="/taken").status_code == 403
    assert "niveau" in saved_form(engine, draft)[0]["properties"]
