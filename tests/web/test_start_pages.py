"""Melden of starten: every process a person starts by hand, for exactly the roles that may."""
import re

import pytest
from sqlalchemy import select

from engine.db import AccessLogEntry, Instance
from tests.processes.conftest import FORMS, PROCESSES
from tests.web.conftest import AuthActions, client_for

ACCOUNTS = ["procesregisseur", "partnermedewerker", "politie", "teamleider", "proceseigenaar", "fg", "beheerder", "manager"]
CASEWORKERS = {"procesregisseur", "partnermedewerker", "politie"}
# process: (address, menu label, who may start it), written out here rather than read from the policy.
STARTS = {
    "zvt_casus": ("/aanmelding/nieuw", "Nieuwe aanmelding", CASEWORKERS),
    "datalek": ("/melden/datalek", "Datalek melden", CASEWORKERS | {"teamleider", "fg"}),
    "rechten_betrokkene": ("/melden/verzoek-betrokkene", "Verzoek van een betrokkene vastleggen", CASEWORKERS | {"fg"}),
    "klacht": ("/melden/klacht", "Klacht vastleggen", CASEWORKERS | {"teamleider", "fg"}),
    "convenant": ("/convenant/nieuw", "Convenantzaak starten", {"teamleider"}),
}

# Each start form as a browser sends it (lists as repeated fields, moments as datetime-local).
FORMS_SENT = {
    "zvt_casus": {"betrokkene_naam": "Meneer B. Bakker", "betrokkene_adres": "Demoweg 2, Heerenveen",
                  "reden_aanmelding": "Overlast en zorgen over verwaarlozing.", "situaties": ["overlast"],
                  "leefgebieden": ["wonen", "zelfzorg"], "zelfregie": "nee", "grote_maatschappelijke_impact": "nee",
                  "betrokkene_op_de_hoogte": "ja", "toestemming": "ja", "grondslag_afgewogen": "ja"},
    "datalek": {"omschrijving": "Verslag van een zorgoverleg naar een verkeerde ontvanger gemaild.",
                "bekend_sinds": "2026-11-27T15:30", "partner_inbreuk": "politie", "aard": ["vertrouwelijkheid"],
                "aantal_personen": "1", "soorten_gegevens": ["naw", "casusinformatie"],
                "maatregelen": "Ontvanger gebeld en gevraagd de e-mail te verwijderen.",
                "verantwoordelijke_partners": ["politie", "woonfriesland"]},
    "rechten_betrokkene": {"rechten": ["inzage"], "ontvangen_op": "2026-11-27T10:00", "ontvangen_door": "gemeente_heerenveen",
                           "ontvangen_via": "brief", "verzoeker_naam": "Mevrouw C. Claassen",
                           "omschrijving": "Zij wil zien welke gegevens het team over haar heeft."},
    "klacht": {"ontvangen_op": "2026-11-27T11:00", "vorm": "schriftelijk", "klager_naam": "Meneer D. Dijkstra",
               "soort_klacht": "werkwijze", "omschrijving": "Hij is niet gebeld terwijl dat was afgesproken."},
    "convenant": {"soort_wijziging": "wijziging", "aanleiding": "Afspraak uit de jaarlijkse evaluatie."},
}


@pytest.fixture
def deployed(engine):
    engine.deploy(PROCESSES, FORMS)
    return engine


def refusals(engine) -> list[tuple[str, str, str, str]]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(r.username, r.action, r.object_id, r.result) for r in uow.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.result == "geweigerd").order_by(AccessLogEntry.id))]


def menu_links(body: str) -> list[str]:
    nav = body[body.index('aria-label="Hoofdmenu"'):body.index("</nav>")]
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


@pytest.mark.parametrize("username", ACCOUNTS)
def test_each_start_page_opens_for_exactly_its_roles_and_a_refusal_is_logged(app, deployed, username):
    client = client_for(app)
    auth = AuthActions(client)
    auth.login(username)
    allowed = {process for process, (_, _, roles) in STARTS.items() if username in roles}
    for process, (path, _label, _roles) in STARTS.items():
        page = client.get(path)
        if process in allowed:
            assert page.status_code == 200, (username, path)
            assert "<form" in page.get_data(as_text=True)
        else:
            assert page.status_code == 403, (username, path)
            sent = auth.post(path, FORMS_SENT[process], token_from="/taken")
            assert sent.status_code == 403, (username, path)
            assert refusals(deployed)[-2:] == [(username, "create", process, "geweigerd")] * 2
    with deployed.database.unit_of_work(write=False) as uow:  # nothing was started by a refused post
        assert uow.session.scalars(select(Instance.id).where(Instance.process_id.in_(STARTS))).all() == []
    # The menu offers what the reader may use and nothing else.
    links = menu_links(client.get("/taken").get_data(as_text=True))
    assert ("Nieuwe aanmelding" in links) == ("zvt_casus" in allowed)
    assert ("Melden of starten" in links) == bool(allowed)
    overview = client.get("/melden")
    if allowed:
        body = overview.get_data(as_text=True)
        shown = {process for process, (path, label, _) in STARTS.items() if f'href="{path}">{label}</a>' in body}
        assert shown == allowed
    else:
        assert overview.status_code == 403


@pytest.mark.parametrize("process, username", [
    ("zvt_casus", "politie"), ("datalek", "politie"), ("rechten_betrokkene", "procesregisseur"),
    ("klacht", "partnermedewerker"), ("convenant", "teamleider"),
])
def test_a_started_case_is_filed_for_the_starters_organisation_and_opens_for_them(auth, client, deployed, process, username):
    path = STARTS[process][0]
    auth.login(username)
    done = auth.post(path, FORMS_SENT[process], token_from=path)
    assert done.status_code == 302 and "/casussen/" in done.location
    number = int(done.location.rsplit("/", 1)[1])
    case = deployed.instance(number)
    assert case.process_id == process
    partner = {"politie": "politie", "partnermedewerker": "woonfriesland"}.get(username, "gemeente_heerenveen")
    key = {"zvt_casus": "aanmelder_partner", "datalek": "melder_partner", "klacht": "ontvangen_door"}.get(process)
    if key:
        assert case.data[key] == partner
    page = client.get(done.location)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and f"nummer is {number}." in body
    with deployed.database.unit_of_work(write=False) as uow:
        created = [(r.username, r.object_id, r.instance_id, r.result) for r in uow.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.action == "create"))]
    assert created == [(username, str(number), number, "toegestaan")]


def test_a_form_that_does_not_say_who_the_starter_is_cannot_be_told_it(auth, client, deployed):
    """The starter's organisation comes from the login: a melder_partner field in the post is refused."""
    auth.login("politie")
    sent = auth.post("/melden/datalek", {**FORMS_SENT["datalek"], "melder_partner": "accolade"},
                     token_from="/melden/datalek")
    assert sent.status_code == 302
    number = int(sent.location.rsplit("/", 1)[1])
    assert deployed.instance(number).data["melder_partner"] == "politie"


def test_a_starter_who_may_not_see_the_case_is_sent_to_the_start_page_with_a_clear_message(auth, client, deployed):
    # The teamleider may report a datalek, but sees the case only while it holds an open escalation.
    auth.login("teamleider")
    done = auth.post("/melden/datalek", FORMS_SENT["datalek"], token_from="/melden/datalek")
    assert done.status_code == 302 and done.location.endswith("/melden")
    page = client.get(done.location)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Het datalek is gemeld. Het casusnummer is" in body and "U kunt deze zaak zelf niet openen." in body
    assert refusals(deployed) == []  # no refusal the FG never attempted


@pytest.mark.parametrize("process, sent, message, kept", [
    ("datalek", {"omschrijving": "Een map met dossiers is kwijt.", "aantal_personen": "veel"},
     "Vul een heel getal in tussen 0 en 10000000.", "Een map met dossiers is kwijt."),
    ("klacht", {**FORMS_SENT["klacht"], "soort_klacht": "gedrag"},
     "Kies een van de mogelijkheden.", "Hij is niet gebeld terwijl dat was afgesproken."),
    ("rechten_betrokkene", {**FORMS_SENT["rechten_betrokkene"], "ontvangen_door": "woonfriesland"},
     "Vul een datum en tijd in.", "Mevrouw C. Claassen"),
    ("convenant", {"aanleiding": "Brief van een partner."}, "Kies een van de mogelijkheden.", "Brief van een partner."),
])
def test_a_wrong_start_form_comes_back_in_dutch_with_what_was_entered(auth, client, deployed, process, sent, message, kept):
    path = STARTS[process][0]
    auth.login("teamleider" if process == "convenant" else "procesregisseur")
    wrong = auth.post(path, sent, token_from=path)
    body = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert "Er ging iets mis. Controleer deze velden:" in body and message in body
    assert kept in body
    assert "<title>Fout: " in body
    with deployed.database.unit_of_work(write=False) as uow:
        assert uow.session.scalars(select(AccessLogEntry).where(AccessLogEntry.action == "create")).all() == []


def test_the_rights_request_is_filled_in_beforehand_with_the_starters_organisation(auth, client, deployed):
    auth.login("politie")
    body = client.get("/melden/verzoek-betrokkene").get_data(as_text=True)
    chosen = re.findall(r'<(?:option|input)[^>]*value="([a-z_]+)"[^>]*(?:selected|checked)', body)
    assert chosen == ["politie"]
    # The politie received it and forwarded it: the case opens for the politie employee who entered it.
    sent = {**FORMS_SENT["rechten_betrokkene"], "ontvangen_door": "politie", "doorgestuurd_op": "2026-11-27T12:00"}
    done = auth.post("/melden/verzoek-betrokkene", sent, token_from="/melden/verzoek-betrokkene")
    assert done.status_code == 302 and "/casussen/" in done.location
    assert client.get(done.location).status_code == 200


def test_the_home_page_offers_only_what_the_reader_may_start(auth, client, deployed):
    auth.login("manager")
    body = client.get("/").get_data(as_text=True)
    assert "Nieuwe aanmelding" not in body and "Datalek melden" not in body
    auth.login("teamleider")
    body = client.get("/").get_data(as_text=True)
    assert 'href="/convenant/nieuw">Convenantzaak starten</a>' in body and "Nieuwe aanmelding" not in body


def test_the_menu_marks_where_the_reader_is(auth, client, deployed):
    auth.login("teamleider")
    for path, current in [("/melden", "Melden of starten"), ("/convenant/nieuw", "Melden of starten"),
                          ("/taken", "Mijn taken")]:
        body = client.get(path).get_data(as_text=True)
        nav = body[body.index('aria-label="Hoofdmenu"'):body.index("</nav>")]
        assert re.findall(r'aria-current="page">([^<]+)</a>', nav) == [current], path
    auth.login("politie")
    body = client.get("/aanmelding/nieuw").get_data(as_text=True)
    nav = body[body.index('aria-label="Hoofdmenu"'):body.index("</nav>")]
    assert re.findall(r'aria-current="page">([^<]+)</a>', nav) == ["Nieuwe aanmelding"]
