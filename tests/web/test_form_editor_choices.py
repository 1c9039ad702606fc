"""The choices of an existing field in the form editor (web/form_editor.py): a label changes and its
code stays, choices are added, moved and removed (after a warning when the process names the code),
bad input saves nothing; each field's settings fold away, open where something changed or is wrong."""
from __future__ import annotations

import lxml.html
import pytest

from tests.web.conftest import AuthActions, client_for
from tests.web.test_form_editor import posted_as_shown
from tests.web.test_form_editor_fields import CHECK_PASSES, saved_form


def codes(schema: dict, name: str) -> list[tuple[str, str]]:
    prop = schema["properties"][name]
    return [(o["const"], o["title"]) for o in (prop.get("items") or prop)["oneOf"]]


def post(auth, client, draft: str, task_id: str, **changes):
    page = f"{draft}/formulieren/{task_id}"
    return auth.post(page, {**posted_as_shown(client, page), **changes}, token_from=page)


def test_choices_of_a_multiple_choice_field_get_new_labels_a_new_order_and_new_choices_with_stable_codes(
        auth, client, engine, draft):
    auth.login("proceseigenaar")
    saved = post(auth, client, draft, "aanmelding", **{
        "optie-leefgebieden-1": "Geld, schulden en uitkering", "keuzevolgorde-leefgebieden-1": "0",
        "keuzevolgorde-leefgebieden-0": "20", "keuzes-leefgebieden": "Onderwijs\nWonen!\n"})
    assert saved.status_code == 302
    found = codes(saved_form(engine, draft, "aanmelding")[0], "leefgebieden")
    assert found[0] == ("financien", "Geld, schulden en uitkering")  # the code cases store stays
    assert found[-3:] == [("wonen", "Wonen"), ("onderwijs", "Onderwijs"), ("wonen_2", "Wonen!")]
    assert len(found) == 12
    assert CHECK_PASSES in client.get(draft).get_data(as_text=True)


def test_a_choice_nothing_names_is_removed_at_once_and_the_page_says_so(auth, client, engine, draft):
    auth.login("proceseigenaar")
    removed = post(auth, client, draft, "aanmelding", keuze_verwijderen="leefgebieden/zelfzorg")
    assert removed.status_code == 302
    assert ("zelfzorg", "Zelfzorg en huishouden") not in codes(saved_form(engine, draft, "aanmelding")[0], "leefgebieden")
    page = client.get(removed.headers["Location"]).get_data(as_text=True)
    assert "De keuze ‘Zelfzorg en huishouden’ (zelfzorg) is verwijderd." in page
    assert CHECK_PASSES in client.get(draft).get_data(as_text=True)


def test_a_choice_the_process_names_is_removed_only_after_a_warning_that_says_where(auth, client, engine, draft):
    auth.login("proceseigenaar")
    before = saved_form(engine, draft)
    data = {"titel-niveau": "Welk niveau?", "keuze_verwijderen": "besluit_beoordeling/niet_registreren"}
    asked = post(auth, client, draft, "beoordeling", **data)
    assert asked.status_code == 409 and saved_form(engine, draft) == before
    html = lxml.html.fromstring(asked.get_data(as_text=True))
    warning = " ".join(html.get_element_by_id("verwijderen-bevestigen").text_content().split())
    assert ("Weet u zeker dat u de keuze ‘Niet oppakken en niet registreren’ (niet_registreren) van het veld ‘Besluit’ "
            "wilt verwijderen?") in warning
    assert "2 regels van dit formulier (als … dan …)" in warning  # a "not" rule and an "enum" rule
    assert html.get_element_by_id("titel-niveau").get("value") == "Welk niveau?"  # what was typed stays
    assert html.get_element_by_id("veld-besluit_beoordeling").get("open") is not None

    page = f"{draft}/formulieren/beoordeling"
    confirmed = auth.post(page, {**posted_as_shown(client, page), **data,
                                 "keuze_verwijderen_bevestigd": "besluit_beoordeling/niet_registreren"}, token_from=page)
    assert confirmed.status_code == 302
    schema, _ui = saved_form(engine, draft)
    assert [code for code, _title in codes(schema, "besluit_beoordeling")] == ["oppakken", "niet_oppakken"]
    assert schema["properties"]["niveau"]["title"] == "Welk niveau?"  # the other edit is saved with it


def test_the_warning_names_conditions_and_dmn_cells_with_the_code(auth, client, draft):
    auth.login("proceseigenaar")
    asked = post(auth, client, draft, "beoordeling", keuze_verwijderen="besluit_beoordeling/oppakken")
    warning = lxml.html.fromstring(asked.get_data(as_text=True)).get_element_by_id("verwijderen-bevestigen")
    assert "de voorwaarde van ‘oppakken’ (f_oppakken)" in warning.text_content()
    assert 'besluit_beoordeling == "oppakken"' in warning.text_content()
    asked = post(auth, client, draft, "aanmelding", keuze_verwijderen="situaties/maatschappelijke_onrust")
    warning = lxml.html.fromstring(asked.get_data(as_text=True)).get_element_by_id("verwijderen-bevestigen")
    assert asked.status_code == 409 and "een cel van" in warning.text_content()
    assert '"maatschappelijke_onrust" in situaties' in warning.text_content()


@pytest.mark.parametrize("changes, input_name, message", [
    ({"optie-informeren-1": "  "}, "optie-informeren-1", "Vul de tekst van deze keuze in."),
    ({"optie-informeren-1": "de betrokkene wordt geïnformeerd"}, "optie-informeren-1",
     "De keuze ‘de betrokkene wordt geïnformeerd’ staat er twee keer in. Elke keuze mag maar één keer."),
    ({"keuzes-informeren": "Later informeren\nlater informeren"}, "keuzes-informeren",
     "De keuze ‘later informeren’ staat er twee keer in."),
    ({"keuzevolgorde-informeren-0": "eerst"}, "keuzevolgorde-informeren-0", "Vul een getal in."),
    ({"keuze_verwijderen": "informeren/bestaat_niet"}, "keuze_verwijderen",
     "Dit formulier heeft geen keuze ‘bestaat_niet’ bij het veld ‘informeren’ (meer)."),
])
def test_a_bad_choice_is_refused_in_dutch_the_field_opens_and_nothing_is_saved(auth, client, engine, draft,
                                                                              changes, input_name, message):
    auth.login("proceseigenaar")
    before = saved_form(engine, draft)
    refused = post(auth, client, draft, "beoordeling", **changes)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Niet opgeslagen: 1 veld moet anders." in body
    assert message in body and saved_form(engine, draft) == before
    html = lxml.html.fromstring(body)
    if input_name != "keuze_verwijderen":
        assert message in html.get_element_by_id(f"{input_name}-fout").text_content()
        assert html.get_element_by_id(input_name).get("aria-invalid") == "true"
        field = html.get_element_by_id("veld-informeren")
        assert field.get("open") is not None and "Moet anders" in field.xpath("./summary")[0].text_content()
        assert html.get_element_by_id("veld-niveau").get("open") is None


def test_the_live_preview_shows_changed_added_and_moved_choices_and_saves_nothing(auth, client, engine, draft):
    auth.login("proceseigenaar")
    before = saved_form(engine, draft)
    page = f"{draft}/formulieren/beoordeling"
    shown = auth.post(f"{page}/voorbeeld", {**posted_as_shown(client, page), "optie-informeren-0": "Ja, informeren",
                                            "keuzevolgorde-informeren-0": "9", "keuzes-informeren": "Later beslissen",
                                            "keuze_verwijderen": "informeren/niet_informeren"}, token_from=page)
    assert shown.status_code == 200 and saved_form(engine, draft) == before
    fragment = lxml.html.fragment_fromstring(shown.get_data(as_text=True), create_parent="div")
    values = fragment.xpath(".//input[@type='radio' and @name='informeren']/@value")
    assert values == ["niet_informeren", "informeren", "later_beslissen"]  # moved, added; nothing removed
    assert "Ja, informeren" in fragment.text_content()


def test_fields_are_folded_and_open_where_the_last_save_changed_something(auth, client, draft):
    auth.login("proceseigenaar")
    page = f"{draft}/formulieren/beoordeling"
    html = lxml.html.fromstring(client.get(page).get_data(as_text=True))
    folds = html.xpath("//form[@novalidate]//details[@class='zvt-editor-fold']")
    assert len(folds) == 12 and not [d for d in folds if d.get("open") is not None]
    summary = " ".join(html.get_element_by_id("veld-besluit_beoordeling").xpath("./summary")[0].text_content().split())
    assert summary == "6. Besluit besluit_beoordeling (3 keuzes)"
    saved = post(auth, client, draft, "beoordeling", **{"optie-informeren-0": "Informeren", "volgorde-niveau": "0"})
    html = lxml.html.fromstring(client.get(saved.headers["Location"]).get_data(as_text=True))
    opened = [d.get("id") for d in html.xpath("//details[@open]")]
    assert opened == ["veld-informeren"]  # a field moved along by another's order stays folded


def test_no_other_role_removes_a_choice(app, engine, draft):
    client = client_for(app)
    auth = AuthActions(client)
    auth.login("procesregisseur")
    page = f"{draft}/formulieren/beoordeling"
    assert auth.post(page, {"keuze_verwijderen_bevestigd": "informeren/niet_informeren"},
                     token_from="/taken").status_code == 403
    assert len(codes(saved_form(engine, draft)[0], "informeren")) == 2
    auth.login("proceseigenaar")
    assert client.post(page, data={**posted_as_shown(client, page),
                                   "keuze_verwijderen": "informeren/niet_informeren"}).status_code == 400  # no CSRF
    assert len(codes(saved_form(engine, draft)[0], "informeren")) == 2
