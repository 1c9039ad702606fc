"""Nieuwe versie (/processen/<id>/nieuwe-versie): a version downloaded, changed outside ZVT and uploaded
as a zip is checked as `zvt deploy` checks it, compared with the running version, and deployed with
a reason; a broken or foreign upload is refused in Dutch and nothing of it runs."""
from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from sqlalchemy import select

from engine.db import Definition
from engine.process_drafts import MAX_ZIP_BYTES
from engine.roles import ROLES
from tests.engine.bpmn import older_form
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import aanmelding
from tests.web.conftest import AuthActions, client_for

ACCOUNTS = ["procesregisseur", "partnermedewerker", "politie", "teamleider", "proceseigenaar", "fg", "beheerder", "manager"]
MAY_CHANGE = {"proceseigenaar", "beheerder"}
NEW = "/processen/zvt_casus/nieuwe-versie"


def changed_zip(client, change=None, extra: dict | None = None, drop: str | None = None) -> bytes:
    """Version 1 as the catalogue gives it, with `change(name, text) -> text` applied to each file."""
    with zipfile.ZipFile(io.BytesIO(client.get("/processen/zvt_casus/versies/1.zip").data)) as archive:
        files = {name: archive.read(name).decode() for name in archive.namelist()}
    if change is not None:
        files = {name: change(name, text) for name, text in files.items()}
    files.update(extra or {})
    files.pop(drop, None)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def versions(engine) -> list[int]:
    with engine.database.unit_of_work(write=False) as uow:
        return sorted(uow.session.scalars(select(Definition.version).where(Definition.process_id == "zvt_casus")))


def rename(name: str, text: str) -> str:
    return text.replace('name="Aanmelding beoordelen"', 'name="Aanmelding bekijken"') if name.endswith(".bpmn") else text


def send(auth, content: bytes, filename: str = "zvt_casus.zip"):
    return auth.post(NEW, {"bestand": (io.BytesIO(content), filename)}, token_from=NEW,
                     content_type="multipart/form-data")


@pytest.fixture
def deployed(engine):
    engine.deploy(PROCESSES, FORMS)


def test_a_changed_version_is_checked_compared_and_deployed_with_its_reason(auth, client, engine, deployed):
    auth.login("proceseigenaar")
    uploaded = send(auth, changed_zip(client, rename))
    assert uploaded.status_code == 302
    draft = uploaded.location
    page = client.get(draft).get_data(as_text=True)
    assert "Geen problemen: dit concept kan klaargezet worden." in page
    assert "Aanmelding beoordelen → Aanmelding bekijken" in page

    no_reason = auth.post(f"{draft}/klaarzetten", {"reden": ""}, token_from=draft)
    assert no_reason.status_code == 400 and "Schrijf op waarom er een nieuwe versie komt." in no_reason.get_data(as_text=True)
    done = auth.post(f"{draft}/klaarzetten", {"reden": "Stuurgroep 12 januari 2027"}, token_from=draft)
    assert done.status_code == 302 and done.location.endswith("/processen/zvt_casus/versies/2")
    version_page = client.get(done.location).get_data(as_text=True)
    assert "Versie 2 staat klaar." in version_page and "Stuurgroep 12 januari 2027" in version_page
    assert "proceseigenaar" in version_page  # who deployed it
    assert client.get(draft).status_code == 404  # the draft is gone
    case = engine.start("zvt_casus", aanmelding(), actor="w", context={"aanmelder_partner": "woonfriesland"})
    assert engine.instance(case).version == 2
    assert [t.name for t in engine.ready_tasks(case)] == ["Aanmelding bekijken"]


def test_a_draft_with_problems_says_where_and_cannot_be_deployed(auth, client, engine, deployed):
    auth.login("proceseigenaar")

    def break_script(name, text):
        return text.replace("ontvangen_op = nu()", "import os\nontvangen_op = nu()") if name.endswith(".bpmn") else text

    draft = send(auth, changed_zip(client, break_script)).location
    page = client.get(draft).get_data(as_text=True)
    assert "Dit concept kan niet klaargezet worden: 1 probleem." in page
    assert "<code>zvt_casus.bpmn</code>, stap <code>aanmelding_registreren</code>" in page
    assert "Als nieuwe versie klaarzetten" not in page
    refused = auth.post(f"{draft}/klaarzetten", {"reden": "Toch proberen"}, token_from=draft)
    assert refused.status_code == 400 and "aanmelding_registreren" in refused.get_data(as_text=True)
    assert versions(engine) == [1]  # no version 2

    gone = auth.post(f"{draft}/weggooien", token_from=draft)
    assert gone.status_code == 302 and client.get(draft).status_code == 404


def bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("processes/zvt_casus.bpmn", "<" + " " * (3 * 1024 * 1024))
    return buffer.getvalue()


@pytest.mark.parametrize("content, message", [
    (lambda client: b"geen zip", "Dit is geen zip-bestand."),
    (lambda client: changed_zip(client, extra={"processes/../../etc/zvt.bpmn": "x"}), "Alleen processes/*.bpmn"),
    (lambda client: changed_zip(client, extra={"forms/datalek/melding.schema.json": "{}"}), "forms/datalek/melding.schema.json"),
    (lambda client: changed_zip(client, extra={"processes/tweede.bpmn": "<x/>"}), "precies één BPMN-bestand"),
    (lambda client: changed_zip(client, drop="processes/zvt_casus.bpmn"), "precies één BPMN-bestand"),
    (lambda client: bomb(), "is groter dan 1024 KB"),
])
def test_an_upload_that_is_no_version_of_the_process_is_refused_in_dutch(auth, client, engine, deployed, content,
                                                                          message):
    auth.login("proceseigenaar")
    response = send(auth, content(client))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert "Concepten die nog niet klaarstaan" not in client.get(NEW).get_data(as_text=True)  # nothing kept


def test_a_zip_past_the_size_limit_is_refused_before_it_is_read(auth, client, engine, deployed):
    auth.login("proceseigenaar")
    response = send(auth, b"PK" + b"x" * MAX_ZIP_BYTES)  # past the request limit (ZVT_MAX_REQUEST_KB) as well
    assert response.status_code == 413 and "Wat u wilde versturen is te groot." in response.get_data(as_text=True)
    from engine.process_drafts import DraftRefused, read_zip
    with pytest.raises(DraftRefused, match="groter dan 2 MB"):
        read_zip(b"PK" + b"x" * MAX_ZIP_BYTES, "zvt_casus")


def test_sending_no_file_says_so(auth, client, deployed):
    auth.login("proceseigenaar")
    response = auth.post(NEW, {}, token_from=NEW)
    assert response.status_code == 400 and "Kies een zip-bestand om te sturen." in response.get_data(as_text=True)


@pytest.mark.parametrize("username", sorted(set(ACCOUNTS) - MAY_CHANGE))
def test_no_other_role_uploads_or_deploys_a_version(app, engine, deployed, username):
    owner = client_for(app)
    AuthActions(owner).login("proceseigenaar")
    draft = send(AuthActions(owner), changed_zip(owner, rename)).location
    client = client_for(app)
    auth = AuthActions(client)
    auth.login(username)
    assert client.get(NEW).status_code == 403
    assert client.get(draft).status_code == 403
    assert auth.post(f"{draft}/klaarzetten", {"reden": "x"}, token_from="/taken").status_code == 403
    assert auth.post(f"{draft}/weggooien", token_from="/taken").status_code == 403
    assert send(auth, changed_zip(owner, rename)).status_code == 403
    assert client.get(f"{draft}/bewerken").status_code == 403
    assert auth.post(f"{draft}/bpmn", {"bpmn": "<x/>"}, token_from="/taken").status_code == 403
    assert auth.post("/processen/zvt_casus/bewerken", token_from="/taken").status_code == 403
    assert owner.get(draft).status_code == 200  # still there, not deployed


def test_bpmnlint_findings_are_problems_on_their_element_and_block_the_deploy(auth, client, engine, deployed):
    auth.login("proceseigenaar")

    def unname(name, text):
        return text.replace('<bpmn:endEvent id="einde_casus" name="Casus afgesloten">',
                            '<bpmn:endEvent id="einde_casus">') if name.endswith(".bpmn") else text

    draft = send(auth, changed_zip(client, unname)).location
    page = client.get(draft).get_data(as_text=True)
    assert "<code>zvt_casus.bpmn</code>, stap <code>einde_casus</code>: bpmnlint label-required" in page
    refused = auth.post(f"{draft}/klaarzetten", {"reden": "Toch"}, token_from=draft)
    assert refused.status_code == 400
    assert versions(engine) == [1]


def test_the_browser_modeler_starts_from_the_running_version_and_its_save_is_checked(auth, client, engine, deployed):
    auth.login("proceseigenaar")
    started = auth.post("/processen/zvt_casus/bewerken", token_from=NEW)
    modeler = started.location
    assert started.status_code == 302 and modeler.endswith("/bewerken")
    response = client.get(modeler)
    page = response.get_data(as_text=True)
    assert 'id="modeler" data-bpmn="&lt;?xml' in page and "zvt/modeler.js" in page
    # diagram-js's style attributes are allowed on this page, and nothing else inline.
    policy = response.headers["Content-Security-Policy"]
    assert "style-src-attr 'unsafe-inline'" in policy and "style-src 'self';" in policy and "script-src 'self';" in policy
    draft = modeler.removesuffix("/bewerken")
    xml = (PROCESSES / "zvt_casus.bpmn").read_text().replace('name="Aanmelding beoordelen"', 'name="Aanmelding bekijken"')
    saved = auth.post(f"{draft}/bpmn", {"bpmn": xml}, token_from=modeler)
    assert saved.status_code == 302 and saved.location == draft
    assert "Aanmelding beoordelen → Aanmelding bekijken" in client.get(draft).get_data(as_text=True)
    for bad, message in (("geen xml", "De modeler stuurde geen procesmodel."),
                         ("<" + "x" * (1024 * 1024), "Het bestand is groter dan 1024 KB.")):
        refused = auth.post(f"{draft}/bpmn", {"bpmn": bad}, token_from=modeler)
        assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    assert "Aanmelding beoordelen → Aanmelding bekijken" in client.get(draft).get_data(as_text=True)  # kept


def test_the_modeler_gets_the_facts_its_checks_need_and_an_older_file_is_read_as_the_same(auth, client, engine,
                                                                                          deployed):
    # The browser's checks (web/modeler/zvt-lint.js) know the roles, the engine actions, the tasks with a form in the
    # draft, and the running version's reminders and ids; a draft uploaded in the form from before
    # ZVT's namespace is compared with the running version as the same process.
    from html import unescape

    auth.login("proceseigenaar")
    draft = draft_for(auth, client, "datalek", lambda name, text: older_form(text) if name.endswith(".bpmn") else text)
    page = client.get(draft).get_data(as_text=True)
    assert "Geen problemen: dit concept kan klaargezet worden." in page
    assert "Niets aan de stappen, de formulieren of de beslistabellen." in page
    facts = json.loads(unescape(re.search(r'data-facts="([^"]*)"', client.get(f"{draft}/bewerken").get_data(
        as_text=True)).group(1)))
    assert facts["roles"] == sorted(ROLES)
    assert dict(facts["actions"])["partner_opnemen"] == "Convenant: nieuwe partner in het partnerregister zetten"
    assert facts["reminders"] == ["ap_herinnering", "partners_herinnering"]
    assert "partners_informeren" in facts["forms"] and "partners_informeren" in facts["known_ids"]
    assert "partners_herinnering" not in facts["forms"]


def draft_for(auth, client, process_id: str, change) -> str:
    """A changed version of `process_id` uploaded; the draft's address."""
    page = f"/processen/{process_id}/nieuwe-versie"
    with zipfile.ZipFile(io.BytesIO(client.get(f"/processen/{process_id}/versies/1.zip").data)) as archive:
        files = {name: change(name, archive.read(name).decode()) for name in archive.namelist()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return auth.post(page, {"bestand": (io.BytesIO(buffer.getvalue()), "v2.zip")}, token_from=page,
                     content_type="multipart/form-data").location


def test_zvt_rules_catch_a_lost_reminder_a_task_without_form_and_a_made_up_id(auth, client, engine, deployed):
    auth.login("proceseigenaar")

    def lose_reminder(name, text):  # as a modeler's replace menu does
        return text.replace(' zvt:herinnering="true"', "", 1)

    page = client.get(draft_for(auth, client, "datalek", lose_reminder)).get_data(as_text=True)
    assert "stap <code>partners_herinnering</code>: zvt-reminder-stays" in page

    def pasted_task(name, text):  # a copy of a task, with the id a modeler makes up and no form
        if not name.endswith(".bpmn"):
            return text
        text = text.replace('<bpmn:sequenceFlow id="f_opschalen_gw" sourceRef="na_crisisoverleg" targetRef="opschalen_gw" />',
                            '<bpmn:sequenceFlow id="f_opschalen_gw" sourceRef="na_crisisoverleg" targetRef="Activity_0x3k9dz" />'
                            '<bpmn:userTask id="Activity_0x3k9dz" name="Crisisoverleg houden"><bpmn:incoming>f_opschalen_gw</bpmn:incoming>'
                            '<bpmn:outgoing>Flow_1ab2cd3</bpmn:outgoing></bpmn:userTask>'
                            '<bpmn:sequenceFlow id="Flow_1ab2cd3" sourceRef="Activity_0x3k9dz" targetRef="opschalen_gw" />')
        text = text.replace("<bpmn:incoming>f_opschalen_gw</bpmn:incoming>\n      <bpmn:outgoing>f_opschalen</bpmn:outgoing>",
                            "<bpmn:incoming>Flow_1ab2cd3</bpmn:incoming>\n      <bpmn:outgoing>f_opschalen</bpmn:outgoing>")
        return text.replace("<bpmn:flowNodeRef>crisisoverleg_houden</bpmn:flowNodeRef>",
                            "<bpmn:flowNodeRef>crisisoverleg_houden</bpmn:flowNodeRef><bpmn:flowNodeRef>Activity_0x3k9dz</bpmn:flowNodeRef>")

    page = client.get(draft_for(auth, client, "zvt_casus", pasted_task)).get_data(as_text=True)
    assert "stap <code>Activity_0x3k9dz</code>: zvt-user-task-form" in page
    assert "stap <code>Activity_0x3k9dz</code>: zvt-readable-id" in page
    assert "stap <code>Flow_1ab2cd3</code>: zvt-readable-id" in page
    assert "Als nieuwe versie klaarzetten" not in page
