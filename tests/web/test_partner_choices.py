"""A form's partner choices come from the partner register on the day the form is read
(engine/partner_choices.py): a partner that joins is offered at once, one that left is no longer
offered nor accepted, and a case that stored it still shows its name."""
from __future__ import annotations

import json

import lxml.html
import pytest
from sqlalchemy import func, select

from engine import casework, process_drafts
from engine.db import Definition, HistoryEntry, Instance, Partner
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import aanmelding
from tests.web.test_casework_pages import HERE, WOONFRIESLAND
from tests.web.test_form_editor import OWNER, posted_as_shown
from tests.web.test_start_pages import FORMS_SENT, STARTS

TODAY = "2026-11-27"  # the clock fixture's day in Amsterdam
# The beoordeling as a browser sends it, taking the case up with these partners.
BEOORDELING = {"niveau": "3", "besluit_beoordeling": "oppakken", "toelichting_besluit": "Meerdere leefgebieden.",
               "crisisoverleg": "nee", "informeren": "informeren"}


@pytest.fixture
def case(engine) -> int:
    """A zvt_casus waiting for its beoordeling, whose form chooses the partners that take part."""
    engine.deploy(PROCESSES, FORMS)
    return casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)


def register(engine, code: str, **fields) -> None:
    """Add a partner to the register, or change one that is there."""
    with engine.database.unit_of_work() as uow:
        partner = uow.session.get(Partner, code)
        if partner is None:
            uow.session.add(Partner(id=code, kind="convenant", grondslag="AVG art. 6 lid 1 sub e", active=True, **fields))
        else:
            for key, value in fields.items():
                setattr(partner, key, value)
        uow.commit()


def task_of(engine, number: int):
    [task] = engine.ready_tasks(number)
    return task


def offered(body: str, name: str) -> list[str]:
    """The codes a form field offers (checkboxes, radio buttons or a select list), in order."""
    page = lxml.html.fromstring(body)
    return [o.get("value") for o in page.xpath(f'//input[@name="{name}"] | //select[@name="{name}"]/option')
            if o.get("value")]


def test_a_partner_added_to_the_register_today_is_offered_in_a_task_form_and_on_a_start_page(auth, client, engine, case):
    register(engine, "leger_des_heils", name="Leger des Heils", joined_on=TODAY)
    register(engine, "later", name="Aanstaande Partner", joined_on="2026-11-28")  # joins tomorrow
    auth.login("procesregisseur")
    task = task_of(engine, case)
    body = client.get(f"/taken/{task.id}").get_data(as_text=True)
    codes = offered(body, "deelnemende_partners")
    # The directing partner first, then by name; the ad-hoc partner is no convenantpartner.
    assert codes == ["gemeente_heerenveen", "accolade", "elkien", "ggz_friesland", "leger_des_heils", "politie",
                     "veiligheidsregio_fryslan", "vnn", "woonfriesland"]
    assert "Leger des Heils" in body and "Aanstaande Partner" not in body
    # A start page ("Datalek melden"): more than five partners, so a list to pick from.
    start = client.get(STARTS["datalek"][0]).get_data(as_text=True)
    assert "leger_des_heils" in offered(start, "partner_inbreuk") and "later" not in offered(start, "partner_inbreuk")
    assert '<select' in start and "Leger des Heils" in start
    # "alle": the ad-hoc partner may be where the breach happened, not among the convenant's responsible partners.
    assert "buurtteam_zuid" in offered(start, "partner_inbreuk")
    assert "buurtteam_zuid" not in offered(start, "verantwoordelijke_partners")
    # The new partner is a valid answer: the case is taken up with it.
    form = {**BEOORDELING, "deelnemende_partners": ["gemeente_heerenveen", "leger_des_heils"]}
    done = auth.post(f"/taken/{task.id}", form, token_from=f"/taken/{task.id}")
    assert done.status_code == 302
    assert engine.instance(case).data["deelnemende_partners"] == ["gemeente_heerenveen", "leger_des_heils"]


def test_a_partner_whose_leaving_day_came_is_not_offered_and_a_post_naming_it_is_refused(auth, client, engine, case):
    register(engine, "accolade", left_on=TODAY)
    auth.login("procesregisseur")
    task = task_of(engine, case)
    page = f"/taken/{task.id}"
    assert "accolade" not in offered(client.get(page).get_data(as_text=True), "deelnemende_partners")
    form = {**BEOORDELING, "deelnemende_partners": ["gemeente_heerenveen", "accolade"]}
    refused = auth.post(page, form, token_from=page)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Een van deze keuzes is hier niet toegestaan." in body
    assert task_of(engine, case).id == task.id  # still open: nothing was saved
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(HistoryEntry).where(
            HistoryEntry.instance_id == case, HistoryEntry.bpmn_id == "beoordeling")) == 0
    # The same on a start page: no case is started.
    auth.login("politie")
    path = STARTS["datalek"][0]
    refused = auth.post(path, {**FORMS_SENT["datalek"], "partner_inbreuk": "accolade"}, token_from=path)
    assert refused.status_code == 400 and "Kies een van de mogelijkheden." in refused.get_data(as_text=True)
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Instance).where(Instance.process_id == "datalek")) == 0


def test_a_case_that_stored_a_partner_that_left_since_still_shows_its_name(auth, client, engine, case):
    engine.complete(task_of(engine, case).id, {
        "niveau": 3, "besluit_beoordeling": "oppakken", "toelichting_besluit": "Meerdere leefgebieden.",
        "deelnemende_partners": ["gemeente_heerenveen", "accolade"], "crisisoverleg": False,
        "informeren": "informeren"}, actor="procesregisseur")
    register(engine, "accolade", name="Accolade Wonen", left_on=TODAY)
    auth.login("procesregisseur")
    body = client.get(f"/casussen/{case}").get_data(as_text=True)
    assert "Accolade Wonen" in body  # the register's name, in what the beoordeling entered
    # The next task shows the beoordeling above its form (ui:context), with the partner's name.
    task = client.get(f"/taken/{task_of(engine, case).id}").get_data(as_text=True)
    assert "Accolade Wonen" in task


def test_with_five_partners_or_fewer_the_choice_shows_as_radio_buttons(auth, client, engine, case):
    for code in ("accolade", "elkien", "politie", "vnn"):
        register(engine, code, left_on=TODAY)
    auth.login("partnermedewerker")  # of WoonFriesland, which stays (a leaving partner's accounts stop)
    page = lxml.html.fromstring(client.get(STARTS["datalek"][0]).get_data(as_text=True))
    radios = page.xpath('//input[@type="radio"][@name="partner_inbreuk"]/@value')
    # Four convenantpartners and the ad-hoc partner; the list of responsible partners stays checkboxes.
    assert radios == ["gemeente_heerenveen", "buurtteam_zuid", "ggz_friesland", "veiligheidsregio_fryslan", "woonfriesland"]
    assert page.xpath('//select[@name="partner_inbreuk"]') == []


def test_the_deployed_version_keeps_the_keyword_and_not_the_choices(engine, case):
    with engine.database.unit_of_work(write=False) as uow:
        stored = uow.session.scalar(select(Definition.forms).where(Definition.process_id == "zvt_casus"))
    field = stored["zvt_casus/beoordeling"]["properties"]["deelnemende_partners"]
    assert field["x-zvt-partners"] == "convenant" and "oneOf" not in field["items"]


def test_the_form_editor_does_not_offer_to_edit_register_choices(auth, client, engine):
    engine.deploy(PROCESSES, FORMS)
    draft_id = process_drafts.start_from_latest(engine, OWNER, "zvt_casus")
    page = f"/processen/zvt_casus/concepten/{draft_id}/formulieren/beoordeling"
    register(engine, "leger_des_heils", name="Leger des Heils", joined_on=TODAY)
    auth.login("proceseigenaar")
    body = client.get(page).get_data(as_text=True)
    assert "De keuzes van dit veld komen uit het partnerregister" in body
    sent = posted_as_shown(client, page)
    assert not [name for name in sent if name.startswith(("optie-deelnemende_partners", "keuzes-deelnemende_partners"))]
    assert "optie-besluit_beoordeling-0" in sent  # a field with its own choices can be edited
    preview = body[body.index('id="kop-voorbeeld"'):]
    assert "Leger des Heils" in preview  # the preview shows today's partners
    # Choices typed for the field anyway change nothing: the field keeps the keyword.
    saved = auth.post(page, {**sent, "keuzes-deelnemende_partners": "Nieuwe partner"}, token_from=page)
    assert saved.status_code == 302
    schema, _ui = process_drafts.draft_forms(engine, OWNER, "zvt_casus", draft_id)["beoordeling"]
    original = json.loads((FORMS / "zvt_casus" / "beoordeling.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["deelnemende_partners"] == original["properties"]["deelnemende_partners"]
    assert schema["properties"]["deelnemende_partners"]["items"] == {"type": "string"}
