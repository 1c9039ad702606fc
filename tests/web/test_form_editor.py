"""Formulieren in a draft (web/form_editor.py): the proceseigenaar changes how a task form asks, sees it
as the caseworker will, and the change goes through the draft's check and deploy as any form."""
from __future__ import annotations

import json

import lxml.html
import pytest

from engine import process_drafts
from tests.processes.conftest import FORMS
from tests.web.conftest import OWNER as OWNER  # re-exported: the form editor's other tests import it from here
from tests.web.conftest import AuthActions, client_for


def posted_as_shown(client, page: str) -> dict:
    """What the editor sends when nothing is changed: every input as the page fills it in."""
    form = lxml.html.fromstring(client.get(page).get_data(as_text=True)).xpath("//form[@novalidate]")[0]
    return {name: value for name, value in form.form_values() if name != "csrf_token"}


def test_a_form_gets_new_words_order_and_required_fields_and_the_preview_shows_them(auth, client, engine, draft):
    auth.login("proceseigenaar")
    assert "/formulieren/beoordeling" in client.get(f"{draft}/formulieren").get_data(as_text=True)
    page = f"{draft}/formulieren/beoordeling"
    data = posted_as_shown(client, page)
    assert data["titel-toelichting_besluit"] == "Toelichting op het besluit" and data["verplicht-niveau"] == "ja"
    data.update({"titel-toelichting_besluit": "Waarom dit besluit?", "hulp-toelichting_besluit": "Schrijf het in een paar zinnen.",
                 "optie-besluit_beoordeling-0": "Het team neemt de aanmelding op", "volgorde-informeren": "0"})
    del data["verplicht-niveau"]
    saved = auth.post(page, data, token_from=page)
    assert saved.status_code == 302
    schema, ui = process_drafts.draft_forms(engine, OWNER, "zvt_casus", int(draft.rsplit("/", 1)[1]))["beoordeling"]
    assert schema["properties"]["toelichting_besluit"]["title"] == "Waarom dit besluit?"
    assert ui["toelichting_besluit"]["ui:help"] == "Schrijf het in een paar zinnen."
    assert schema["properties"]["besluit_beoordeling"]["oneOf"][0] == {"const": "oppakken",
                                                                       "title": "Het team neemt de aanmelding op"}
    assert "niveau" not in schema["required"] and ui["ui:order"][0] == "informeren"
    assert ui["ui:context"] == ["aanmelding"]  # what the editor does not touch stays
    preview = client.get(page).get_data(as_text=True)
    assert "Het formulier is opgeslagen in het concept." in preview
    preview = preview[preview.index('id="kop-voorbeeld"'):]
    assert "Waarom dit besluit?" in preview and "Het team neemt de aanmelding op" in preview
    checked = client.get(draft).get_data(as_text=True)
    assert "Geen problemen: dit concept kan klaargezet worden." in checked and "zvt_casus/beoordeling" in checked


def test_an_empty_question_is_refused_and_nothing_is_saved(auth, client, engine, draft):
    auth.login("proceseigenaar")
    page = f"{draft}/formulieren/beoordeling"
    data = {**posted_as_shown(client, page), "titel-niveau": " ", "volgorde-niveau": "vier"}
    refused = auth.post(page, data, token_from=page)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Niet opgeslagen: 2 velden moeten anders." in body
    assert "Vul een vraag of naam in." in body and "Vul een getal in." in body
    schema, ui = process_drafts.draft_forms(engine, OWNER, "zvt_casus", int(draft.rsplit("/", 1)[1]))["beoordeling"]
    original = json.loads((FORMS / "zvt_casus" / "beoordeling.schema.json").read_text())
    assert schema == original and "ui:order" not in ui  # the draft's form as it was
    assert client.get(f"{draft}/formulieren/bestaat_niet").status_code == 404


@pytest.mark.parametrize("username", ["procesregisseur", "partnermedewerker", "teamleider", "fg", "manager"])
def test_no_other_role_edits_a_form(app, engine, draft, username):
    client = client_for(app)
    auth = AuthActions(client)
    auth.login(username)
    assert client.get(f"{draft}/formulieren").status_code == 403
    assert client.get(f"{draft}/formulieren/beoordeling").status_code == 403
    assert auth.post(f"{draft}/formulieren/beoordeling", {"titel-niveau": "x"}, token_from="/taken").status_code == 403
