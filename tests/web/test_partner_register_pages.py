"""Partners (/beheer/partners): the beheerder reads the register and edits how to reach a partner."""
from __future__ import annotations

import html

from engine.db import Partner


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def partner(engine, code: str) -> Partner:
    with engine.database.unit_of_work(write=False) as uow:
        found = uow.session.get(Partner, code)
        uow.session.expunge(found)
        return found


DETAILS = {"contact_fg": "Privacybalie Politie: privacy@politie.example", "contact_verantwoordelijke":
           "Meldpunt datalekken: datalek@politie.example", "contact_name": "Mevrouw E. Smit",
           "contact_email": "e.smit@politie.example", "officer_name": "De heer F. de Boer",
           "officer_email": "f.deboer@politie.example"}


def test_the_beheerder_reads_the_register_with_dates_and_who_takes_part(engine, auth):
    with engine.database.unit_of_work() as uow:
        uow.session.get(Partner, "elkien").left_on = "2026-11-01"  # the test clock is 27 November 2026
        uow.commit()
    auth.login("beheerder")
    page = text(auth.client.get("/beheer/partners"))

    assert "Partnerregister (9)" in page
    assert "Gemeente Heerenveen (voert de regie)" in page
    elkien = page[page.index("<code>elkien</code>"):page.index("</tr>", page.index("<code>elkien</code>"))]
    assert "1 november 2026" in elkien and ">nee<" in elkien
    buurtteam = page[page.index("<code>buurtteam_zuid</code>"):]
    assert "ad-hocpartner" in buurtteam[:400]


def test_the_beheerder_changes_contacts_contactpersoon_and_gemachtigde(engine, auth):
    auth.login("beheerder")
    form = text(auth.client.get("/beheer/partners/politie"))
    assert "Contact functionaris gegevensbescherming (FG)" in form and 'name="csrf_token"' in form

    response = auth.post("/beheer/partners/politie", DETAILS, token_from="/beheer/partners/politie")

    assert response.status_code == 302 and response.location.endswith("/beheer/partners")
    saved = partner(engine, "politie")
    assert saved.contacts == {"fg": DETAILS["contact_fg"], "verantwoordelijke": DETAILS["contact_verantwoordelijke"]}
    assert (saved.contact_name, saved.contact_email, saved.officer_name, saved.officer_email) == (
        "Mevrouw E. Smit", "e.smit@politie.example", "De heer F. de Boer", "f.deboer@politie.example")
    assert "De gegevens van de partner zijn opgeslagen." in text(auth.client.get("/beheer/partners"))


def test_a_bad_email_address_or_an_empty_field_is_refused_in_dutch_and_nothing_is_saved(engine, auth):
    before = partner(engine, "politie")
    auth.login("beheerder")
    response = auth.post("/beheer/partners/politie",
                         {**DETAILS, "officer_email": "f.deboer at politie", "contact_name": "  "},
                         token_from="/beheer/partners/politie")

    assert response.status_code == 400
    page = text(response)
    assert "Er is niets opgeslagen." in page
    assert "Vul een e-mailadres in, zoals naam@organisatie.nl." in page
    assert "Vul dit veld in." in page
    assert 'value="f.deboer at politie"' in page  # what was typed stays on the page
    after = partner(engine, "politie")
    assert (after.contacts, after.officer_email, after.contact_name) == (
        before.contacts, before.officer_email, before.contact_name)


def test_only_a_beheerder_opens_the_register_and_a_post_needs_the_csrf_token(engine, auth, client):
    auth.login("procesregisseur")
    assert client.get("/beheer/partners").status_code == 403
    assert auth.post("/beheer/partners/politie", DETAILS).status_code == 403
    auth.login("beheerder")
    assert client.post("/beheer/partners/politie", data=DETAILS).status_code == 400  # no token
    assert partner(engine, "politie").officer_email != DETAILS["officer_email"]
    assert client.get("/beheer/partners/bestaat_niet").status_code == 404


def test_the_covenant_form_refuses_a_code_already_in_the_register_in_dutch(engine, auth):
    from engine import casework
    from engine.identity import Origin, User
    from tests.processes.conftest import FORMS, PROCESSES
    from tests.processes.test_convenant import ONDERTEKEND, TOEGEVOEGD, UITNODIGING

    engine.deploy(PROCESSES, FORMS)
    teamleider = User("teamleider", "Demo Teamleider", "gemeente_heerenveen", frozenset({"teamleider"}), directs=True)
    number = casework.start_case(engine, teamleider, "convenant", {"soort_wijziging": "toetreding"},
                                 Origin("192.0.2.8"))
    for step, data in (("partner_uitnodigen", UITNODIGING), ("ondertekening_vastleggen", ONDERTEKEND)):
        [task] = engine.ready_tasks(number)
        assert task.bpmn_id == step
        engine.complete(task.id, data, actor="teamleider")
    [task] = engine.ready_tasks(number)
    auth.login("beheerder")

    response = auth.post(f"/taken/{task.id}", {**TOEGEVOEGD, "partnercode": "politie"}, token_from=f"/taken/{task.id}")

    assert response.status_code == 400
    assert "Er staat al een partner met deze code in het partnerregister. Kies een andere code." in text(response)
    assert partner(engine, "politie").name == "Politie"
    assert [t.bpmn_id for t in engine.ready_tasks(number)] == ["partner_toevoegen"]

    response = auth.post(f"/taken/{task.id}", TOEGEVOEGD, token_from=f"/taken/{task.id}")
    assert response.status_code == 302
    assert partner(engine, "voorbeeldzorg").officer_email == "d.visser@voorbeeldzorg.example"
    assert "voorbeeldzorg" in text(auth.client.get("/beheer/partners"))
