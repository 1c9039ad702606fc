"""Data items through the pages: adding one after the grondslag, sharing per partner, the police's
consent, the register for the FG, and the authorisation matrix over every page, list, search
and PDF: which reader sees which kind of item's content where."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import case_items, casework, participation, sharing
from engine.db import Disclosure, ItemShare, Partner
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_rechten_betrokkene import IDENTITEIT_VASTGESTELD, antwoord, verzoek
from tests.processes.test_zvt_casus import INFORMEREN, OPPAKKEN, aanmelding
from tests.web.conftest import add_account
from tests.web.test_printing import pdf_text

HERE = Origin("192.0.2.1", "test")
PASSWORD = "een lang wachtwoord voor de test"
ADHOC = "buurtteam_noord"
PARTICIPANTS = ["gemeente_heerenveen", "woonfriesland", "ggz_friesland", "politie", "vnn"]
WOONFRIESLAND = User("partnermedewerker", "", "woonfriesland", frozenset({"partnermedewerker"}))
POLITIE = User("politie", "", "politie", frozenset({"partnermedewerker"}))
GGZ = User("ggz", "", "ggz_friesland", frozenset({"partnermedewerker"}))
VNN = User("vnn", "", "vnn", frozenset({"partnermedewerker"}))
REGISSEUR = User("procesregisseur", "", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
# The content of each item: a text that appears nowhere else.
CONTENT = {"gewoon": "Huurachterstand-7731", "bijzonder": "Opname-7732", "justitieel": "Taakstraf-7733",
           "politie_8_13": "Melding-7734", "politie_9": "Onderzoek-7735"}


def text(response) -> str:
    return response.get_data(as_text=True)


def step(engine, number, bpmn_id, data):
    [task] = [t for t in engine.ready_tasks(number) if t.bpmn_id == bpmn_id]
    engine.complete(task.id, data, actor="procesregisseur")


@pytest.fixture
def case(uninformed, engine):
    """Taken up, the betrokkene informed of the partners of the beoordeling (not of the ad-hoc
    partner admitted on the case page)."""
    step(engine, uninformed, "betrokkene_informeren", INFORMEREN)
    return uninformed


@pytest.fixture
def uninformed(engine):
    engine.deploy(PROCESSES, FORMS)
    with engine.database.unit_of_work() as uow:
        uow.session.add(Partner(id=ADHOC, name="Buurtteam Noord", kind="adhoc", grondslag="verklaring", active=True))
        uow.commit()
    for username, partner in (("ggz", "ggz_friesland"), ("buurtteam", ADHOC), ("vnn", "vnn")):
        add_account(engine, username, PASSWORD, partner=partner, roles=("partnermedewerker",))
    number = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    step(engine, number, "beoordeling", {**OPPAKKEN, "deelnemende_partners": PARTICIPANTS})
    participation.admit_adhoc(engine, REGISSEUR, number, ADHOC, "J. de Voorzitter, directeur", "2026-11-20",
                              "archief gemeente 2026-0815", HERE)
    participation.opt_out(engine, VNN, number, "geen rol meer voor verslavingszorg", HERE)
    return number


def login(auth, username):
    return auth.login(username, PASSWORD if username in ("ggz", "buurtteam", "vnn") else None)


def test_a_partner_records_its_grondslag_then_adds_an_item_and_the_procesregisseur_shares_it(auth, client, engine, case):
    login(auth, "ggz")
    page = text(client.get(f"/casussen/{case}/gegevens/nieuw"))
    assert "Grondslag van GGZ Friesland" in page and "Op welke grond doorbreekt u uw beroepsgeheim?" in page
    refused = auth.post(f"/casussen/{case}/gegevens/grondslag", {"grondslag": "AVG art. 9 lid 2 sub h",
                                                                 "beroepsgeheim": "conflict_van_plichten"},
                        token_from=f"/casussen/{case}/gegevens/nieuw")
    assert refused.status_code == 400 and "Schrijf op wie de afweging maakte" in text(refused)
    auth.post(f"/casussen/{case}/gegevens/grondslag", {"grondslag": "AVG art. 9 lid 2 sub h", "beroepsgeheim": "toestemming"},
              token_from=f"/casussen/{case}/gegevens/nieuw")
    page = text(client.get(f"/casussen/{case}/gegevens/nieuw"))
    assert "Politiegegevens" not in page  # police kinds are for the police only
    empty = auth.post(f"/casussen/{case}/gegevens/nieuw", {"soort": "bijzonder", "onderwerp": "", "tekst": "x"},
                      token_from=f"/casussen/{case}/gegevens/nieuw")
    assert empty.status_code == 400 and "Vul dit in." in text(empty)
    done = auth.post(f"/casussen/{case}/gegevens/nieuw", {"soort": "bijzonder", "onderwerp": "Opname",
                                                          "tekst": CONTENT["bijzonder"]},
                     token_from=f"/casussen/{case}/gegevens/nieuw")
    assert done.status_code == 302
    assert CONTENT["bijzonder"] in text(client.get(f"/casussen/{case}"))

    login(auth, "partnermedewerker")  # WoonFriesland takes part but was not given it
    assert CONTENT["bijzonder"] not in text(client.get(f"/casussen/{case}"))

    login(auth, "procesregisseur")
    share = text(client.get(f"/casussen/{case}/gegevens/delen"))
    [item] = case_items.for_case(engine, REGISSEUR, case, HERE).items
    key = f"{item.id}-woonfriesland"
    assert f'name="delen-{key}"' in share
    without_reason = auth.post(f"/casussen/{case}/gegevens/delen", {f"delen-{key}": "ja", "doel": "zorgoverleg"},
                               token_from=f"/casussen/{case}/gegevens/delen")
    assert without_reason.status_code == 400 and "Schrijf op waarom deze partner dit gegeven nodig heeft." in text(without_reason)
    auth.post(f"/casussen/{case}/gegevens/delen", {f"delen-{key}": "ja", f"reden-{key}": "huurregeling hangt ervan af",
                                                   "doel": "zorgoverleg"}, token_from=f"/casussen/{case}/gegevens/delen")
    login(auth, "partnermedewerker")
    assert CONTENT["bijzonder"] in text(client.get(f"/casussen/{case}"))

    login(auth, "fg")  # the municipality's FG reads the whole register, without the content
    register = text(client.get("/verstrekkingen"))
    assert "GGZ Friesland" in register and "WoonFriesland" in register and f"nr. {item.id}" in register
    assert CONTENT["bijzonder"] not in register and "AVG art. 9 lid 2 sub h" in register
    login(auth, "partnermedewerker")
    assert client.get("/verstrekkingen").status_code == 403


def test_the_police_record_consent_on_a_page_and_police_items_carry_the_wpg_notice(auth, client, engine, case):
    case_items.record_basis(engine, POLITIE, case, "Art. 20 Wpg", None, None, HERE)
    item = case_items.add_item(engine, POLITIE, case, "politie_9", "Onderzoek", CONTENT["politie_9"], HERE)
    login(auth, "procesregisseur")
    assert CONTENT["politie_9"] not in text(client.get(f"/casussen/{case}"))
    assert client.get(f"/casussen/{case}/gegevens/{item}/politie").status_code == 403
    login(auth, "politie")
    page = text(client.get(f"/casussen/{case}"))
    assert CONTENT["politie_9"] in page and "art. 7 Wet politiegegevens" in page
    path = f"/casussen/{case}/gegevens/{item}/politie"
    future = auth.post(f"/casussen/{case}/gegevens/{item}/toestemming",
                       {"functionaris": "mr. J. Voorbeeld", "functie": "officier van justitie", "datum": "2027-01-01"},
                       token_from=path)
    assert future.status_code == 400 and "Deze datum ligt in de toekomst." in text(future)
    auth.post(f"/casussen/{case}/gegevens/{item}/toestemming",
              {"functionaris": "mr. J. Voorbeeld", "functie": "officier van justitie", "datum": "2026-11-26"}, token_from=path)
    login(auth, "procesregisseur")
    page = text(client.get(f"/casussen/{case}"))
    assert CONTENT["politie_9"] in page and "mr. J. Voorbeeld" in page


# -- the authorisation matrix -------------------------------------------------------------------

def everything_shared(engine, case, consent: bool, police_allow_adhoc: bool):
    """One item of each kind; the procesregisseur shares each with WoonFriesland and the ad-hoc
    partner wherever the rules let them; GGZ gets nothing (no need)."""
    made = {}
    for user, kinds in ((WOONFRIESLAND, ["gewoon"]), (GGZ, ["bijzonder"]), (REGISSEUR, ["justitieel"]),
                        (POLITIE, ["politie_8_13", "politie_9"])):
        case_items.record_basis(engine, user, case, f"grondslag {user.partner}",
                                "toestemming" if user.partner == "ggz_friesland" else None, None, HERE)
        for kind in kinds:
            made[kind] = case_items.add_item(engine, user, case, kind, f"onderwerp {kind}", CONTENT[kind], HERE)
    if consent:
        case_items.record_consent(engine, POLITIE, made["politie_9"], "J. Voorbeeld", "officier", "2026-11-26", HERE)
    if police_allow_adhoc:
        for kind in ("politie_8_13", "politie_9"):
            case_items.allow_adhoc(engine, POLITIE, made[kind], "veiligheid bij huisbezoek", HERE)
    allowed = [c for c in sharing.choices(engine, REGISSEUR, case, HERE)
               if c.partner in ("woonfriesland", ADHOC) and not c.refused]
    # The betrokkene never heard of the ad-hoc partner: it gets items for the crisis only.
    for partner, purpose in (("woonfriesland", "zorgoverleg"), (ADHOC, "crisisoverleg")):
        sharing.decide(engine, REGISSEUR, case, {(c.item_id, c.partner): "nodig" for c in allowed
                                                 if c.partner == partner}, purpose, HERE)


ALL = set(CONTENT)
POLICE = {"politie_8_13", "politie_9"}
# Who reads which kind's content on the case page; None: the case itself is closed to them.
MATRIX = {
    # (art. 9 consent recorded, police allowed the ad-hoc partner)
    (False, False): {"procesregisseur": ALL - {"politie_9"}, "politie": POLICE, "partnermedewerker": ALL - {"politie_9"},
                     "ggz": {"bijzonder"}, "buurtteam": ALL - POLICE, "vnn": None, "teamleider": None, "fg": None},
    (True, False): {"procesregisseur": ALL, "politie": POLICE, "partnermedewerker": ALL,
                    "ggz": {"bijzonder"}, "buurtteam": ALL - POLICE, "vnn": None, "teamleider": None, "fg": None},
    (True, True): {"procesregisseur": ALL, "politie": POLICE, "partnermedewerker": ALL,
                   "ggz": {"bijzonder"}, "buurtteam": ALL, "vnn": None, "teamleider": None, "fg": None},
}


@pytest.mark.parametrize("consent, allow_adhoc", list(MATRIX), ids=["before-consent", "after-consent", "police-allow-adhoc"])
def test_who_sees_which_kind_of_item_on_every_page_list_search_and_pdf(auth, client, engine, case, consent, allow_adhoc):
    everything_shared(engine, case, consent, allow_adhoc)
    for reader, expected in MATRIX[consent, allow_adhoc].items():
        login(auth, reader)
        case_page = client.get(f"/casussen/{case}")
        if expected is None:
            assert case_page.status_code in (302, 403), reader  # 302: only the terugkoppeling
            assert not any(c in text(case_page) for c in CONTENT.values()), reader
        else:
            shown = {kind for kind, content in CONTENT.items() if content in text(case_page)}
            assert shown == expected, reader
        # Everywhere else no item's content shows, for anyone: lists, search, inbox, PDFs, register.
        for response in (client.get("/casussen"), client.get("/taken"), client.get("/verstrekkingen")):
            assert not any(c in text(response) for c in CONTENT.values()), (reader, response.request.path)
        for content in CONTENT.values():  # searching for an item's words does not find the case
            found = text(auth.post("/casussen", {"zoek": content}, follow_redirects=True))
            assert f'href="/casussen/{case}"' not in found and found.count(content) <= 1, (reader, content)
        # The FG's inzage-overzicht says who saw an item, never what it holds.
        for response in (client.get(f"/fg/inzage/{case}"), client.get("/fg/toegangslog", query_string={"casus": case})):
            assert response.status_code == (200 if reader == "fg" else 403), (reader, response.request.path)
            assert not any(c in text(response) for c in CONTENT.values()), (reader, response.request.path)
            if reader == "fg":  # the readers before it opened items: said in Dutch, not as a code
                assert "een gegeven van een partner" in text(response), response.request.path
        for pdf in (f"/casussen/{case}/dossier.pdf", f"/casussen/{case}/plan-van-aanpak.pdf", f"/fg/inzage/{case}.pdf"):
            response = client.get(pdf)
            if response.status_code == 200 and response.mimetype == "application/pdf":
                assert not any(c in pdf_text(response) for c in CONTENT.values()), (reader, pdf)


def test_a_partner_opts_out_on_the_case_page_and_back_in_from_the_case_list(auth, client, engine, case):
    login(auth, "ggz")
    page = text(client.get(f"/casussen/{case}"))
    assert "Mijn organisatie hoeft niet meer mee te doen" in page
    empty = auth.post(f"/casussen/{case}/afmelden", {"reden": ""}, token_from=f"/casussen/{case}")
    assert empty.status_code == 400 and "Vul dit in." in text(empty)
    done = auth.post(f"/casussen/{case}/afmelden", {"reden": "geen zorgvraag meer"}, token_from=f"/casussen/{case}")
    assert done.status_code == 302 and client.get(f"/casussen/{case}").status_code == 403
    listing = text(client.get("/casussen"))
    assert "Casussen waar uw organisatie zich afmeldde" in listing and f"Casus {case}" in listing
    auth.post(f"/casussen/{case}/weer-meedoen", {}, token_from="/casussen")
    assert client.get(f"/casussen/{case}").status_code == 200

    login(auth, "procesregisseur")  # sees who opted out and why, and admits no one twice
    page = text(client.get(f"/casussen/{case}"))
    assert "GGZ Friesland deed niet meer mee (geen zorgvraag meer)" in page and "GGZ Friesland deed weer mee" in page
    # Admitted already: only the demo data's other ad-hoc partner is offered.
    admission = page.split("<summary>Ad-hocpartner toelaten</summary>")[1].split("</details>")[0]
    assert "Buurtteam Noord" in page and '<option value="buurtteam_zuid">' in admission
    assert f'<option value="{ADHOC}">' not in admission


def test_the_fg_pages_through_the_register_and_narrows_it_to_one_case(auth, client, engine, case):
    from datetime import datetime, timedelta, timezone

    from engine.db import Disclosure
    other = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), HERE)
    start = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
    with engine.database.unit_of_work() as uow:
        for i in range(58):
            uow.session.add(Disclosure(instance_id=other if i % 20 == 0 else case, at=start + timedelta(hours=i),
                                       giver_partner="ggz_friesland", decided_by="procesregisseur",
                                       recipients=["woonfriesland"], items=[1000 + i], grondslag="g",
                                       purpose="zorgoverleg"))
        uow.commit()
    login(auth, "fg")
    first = text(client.get("/verstrekkingen"))
    assert "58 verstrekkingen, de nieuwste eerst." in first and "Pagina 1 van 2" in first
    assert first.count("nr. 10") == 50 and "nr. 1057" in first and "nr. 1007" not in first  # newest first
    second = text(client.get("/verstrekkingen?pagina=2"))
    assert second.count("nr. 10") == 8 and "nr. 1000" in second and "Vorige pagina" in second
    narrowed = text(client.get(f"/verstrekkingen?casus={other}"))
    assert f"3 verstrekkingen uit casus {other}" in narrowed
    assert [f"nr. {1000 + i}" in narrowed for i in (0, 20, 40, 1)] == [True, True, True, False]
    wrong = client.get("/verstrekkingen?casus=twaalf")
    assert wrong.status_code == 400 and "Vul een casusnummer in, alleen cijfers" in text(wrong)
    login(auth, "partnermedewerker")
    assert client.get("/verstrekkingen?casus=twaalf").status_code == 403


def saved(engine) -> tuple[int, int]:
    with engine.database.unit_of_work(write=False) as uow:
        return (uow.session.scalar(select(func.count()).select_from(Disclosure)),
                uow.session.scalar(select(func.count()).select_from(ItemShare)))


def test_the_sharing_page_says_why_a_share_waits_for_informing_and_refuses_it_but_for_a_crisis(
        auth, client, engine, uninformed):
    case_items.record_basis(engine, WOONFRIESLAND, uninformed, "AVG art. 6 lid 1 sub e", None, None, HERE)
    item = case_items.add_item(engine, WOONFRIESLAND, uninformed, "gewoon", "Huur", CONTENT["gewoon"], HERE)
    key, path = f"{item}-ggz_friesland", f"/casussen/{uninformed}/gegevens/delen"
    login(auth, "procesregisseur")
    page = text(client.get(path))
    assert "De betrokkene hoort eerst aan wie" in page and "kies dan als doel ‘Crisisoverleg’" in page
    assert f'id="wacht-{key}"' in page and "de betrokkene is nog niet geïnformeerd (taak ‘Betrokkene informeren’)" in page

    refused = auth.post(path, {f"delen-{key}": "ja", f"reden-{key}": "huisbezoek samen", "doel": "zorgoverleg"},
                        token_from=path)
    assert refused.status_code == 400
    assert "Dit kan nog niet. De betrokkene is nog niet geïnformeerd." in text(refused)
    assert saved(engine) == (0, 0)  # nothing shared, the register unchanged

    done = auth.post(path, {f"delen-{key}": "ja", f"reden-{key}": "acute zorg nodig", "doel": "crisisoverleg"},
                     token_from=path)
    assert done.status_code == 302 and saved(engine) == (1, 1)
    login(auth, "ggz")
    assert CONTENT["gewoon"] in text(client.get(f"/casussen/{uninformed}"))


def test_after_informing_only_the_partner_the_betrokkene_never_heard_of_waits(auth, client, engine, case):
    case_items.record_basis(engine, WOONFRIESLAND, case, "AVG art. 6 lid 1 sub e", None, None, HERE)
    item = case_items.add_item(engine, WOONFRIESLAND, case, "gewoon", "Huur", CONTENT["gewoon"], HERE)
    path = f"/casussen/{case}/gegevens/delen"
    login(auth, "procesregisseur")
    page = text(client.get(path))
    assert f'id="wacht-{item}-{ADHOC}"' in page and f'id="wacht-{item}-ggz_friesland"' not in page
    assert "leg dat vast op de casuspagina, bij ‘Betrokkene geïnformeerd over een ad-hocpartner’" in page
    share_adhoc = {f"delen-{item}-{ADHOC}": "ja", f"reden-{item}-{ADHOC}": "helpt bij het huisbezoek",
                   "doel": "plan_van_aanpak"}
    refused = auth.post(path, share_adhoc, token_from=path)
    assert refused.status_code == 400 and "deze partner gegevens krijgt" in text(refused)
    assert saved(engine) == (0, 0)
    auth.post(path, {f"delen-{item}-ggz_friesland": "ja", f"reden-{item}-ggz_friesland": "huisbezoek",
                     "doel": "plan_van_aanpak"}, token_from=path)
    assert saved(engine) == (1, 1)

    # The ad-hoc partner: the procesregisseur records on the case page that the betrokkene heard of it.
    case_page, told = f"/casussen/{case}", f"/casussen/{case}/ad-hocpartner/geinformeerd"
    assert "Betrokkene geïnformeerd over een ad-hocpartner" in text(client.get(case_page))
    future = auth.post(told, {"partner": ADHOC, "verteld_op": "2027-01-05", "hoe": "per brief"}, token_from=case_page)
    assert future.status_code == 400 and "Vul de dag in waarop u het de betrokkene vertelde." in text(future)
    empty = auth.post(told, {"partner": ADHOC, "verteld_op": "2026-11-26", "hoe": " "}, token_from=case_page)
    assert empty.status_code == 400 and saved(engine) == (1, 1)
    assert auth.post(told, {"partner": ADHOC, "verteld_op": "2026-11-26", "hoe": "in een gesprek thuis"},
                     token_from=case_page).status_code == 302
    after = text(client.get(case_page))
    assert "de betrokkene hoorde op 26 november 2026 dat deze ad-hocpartner meedoet (in een gesprek thuis)" in after
    assert "Betrokkene geïnformeerd over een ad-hocpartner" not in after  # nothing left to record
    assert f'id="wacht-{item}-{ADHOC}"' not in text(client.get(path))
    assert auth.post(path, share_adhoc, token_from=path).status_code == 302 and saved(engine) == (2, 2)
    # Only the procesregisseur records it.
    login(auth, "partnermedewerker")
    assert auth.post(told, {"partner": ADHOC, "verteld_op": "2026-11-26", "hoe": "x"},
                     token_from=case_page).status_code == 403


# -- AVG art. 19: a rights request tells every recipient the register names -------------------

def at_recipients_task(engine, casusnummers: str, ontvangen_door: str = "gemeente_heerenveen") -> str:
    """A correction request naming the case, answered (granted): "Ontvangers informeren" is open."""
    number = casework.start_case(engine, REGISSEUR, "rechten_betrokkene", verzoek(
        rechten=["correctie"], casusnummers=casusnummers, ontvangen_door=ontvangen_door,
        doorgestuurd_op=None if ontvangen_door == "gemeente_heerenveen" else "2026-11-27T10:00:00+01:00"), HERE)
    step(engine, number, "identiteit_controleren", IDENTITEIT_VASTGESTELD)
    step(engine, number, "beantwoorden_of_verlengen", antwoord(
        {"correctie": "toegewezen"}, partners_geinformeerd=[] if ontvangen_door == "gemeente_heerenveen"
        else [ontvangen_door]))
    [task] = engine.ready_tasks(number)
    assert task.bpmn_id == "ontvangers_informeren"
    return task.id


def test_the_recipients_task_shows_the_register_prefills_the_list_and_names_who_is_missing(auth, client, engine, case):
    case_items.record_basis(engine, WOONFRIESLAND, case, "AVG art. 6 lid 1 sub e", None, None, HERE)
    item = case_items.add_item(engine, WOONFRIESLAND, case, "gewoon", "Huur", CONTENT["gewoon"], HERE)
    sharing.decide(engine, REGISSEUR, case, {(item, "ggz_friesland"): "huisbezoek"}, "zorgoverleg", HERE)
    task_id = at_recipients_task(engine, str(case))
    login(auth, "procesregisseur")
    page = text(client.get(f"/taken/{task_id}"))
    assert "Ontvangers volgens het register van verstrekkingen" in page and "GGZ Friesland" in page
    assert CONTENT["gewoon"] not in page  # who received it, not what
    assert '<option value="ggz_friesland" selected' in page  # the list starts with the register's recipient

    refused = auth.post(f"/taken/{task_id}", {
        "ontvangers_situatie": "geinformeerd", "ontvangers-0-ontvanger": "accolade",
        "ontvangers-0-geinformeerd_op": "2026-11-27T15:00"}, token_from=f"/taken/{task_id}")
    assert refused.status_code == 400
    assert ("Dit staat bij ‘Ontvangers volgens het register van verstrekkingen’, maar nog niet hier: "
            "GGZ Friesland. Zet het erbij.") in text(refused)
    done = auth.post(f"/taken/{task_id}", {
        "ontvangers_situatie": "geinformeerd", "ontvangers-0-ontvanger": "ggz_friesland",
        "ontvangers-0-geinformeerd_op": "2026-11-27T15:00"}, token_from=f"/taken/{task_id}")
    assert done.status_code == 302


def test_the_register_recipients_are_hidden_from_a_reader_who_may_not_open_the_case(auth, client, engine, case):
    case_items.record_basis(engine, WOONFRIESLAND, case, "AVG art. 6 lid 1 sub e", None, None, HERE)
    item = case_items.add_item(engine, WOONFRIESLAND, case, "gewoon", "Huur", CONTENT["gewoon"], HERE)
    sharing.decide(engine, REGISSEUR, case, {(item, "ggz_friesland"): "huisbezoek"}, "zorgoverleg", HERE)
    # Accolade received the request first; its procesregisseur account does the request's tasks,
    # but Accolade takes no part in the ZVT case.
    add_account(engine, "regisseur_accolade", PASSWORD, partner="accolade", roles=("procesregisseur",))
    task_id = at_recipients_task(engine, str(case), ontvangen_door="accolade")
    auth.login("regisseur_accolade", PASSWORD)
    page = text(client.get(f"/taken/{task_id}"))
    assert "U mag deze casus niet openen. Vraag de procesregisseur wie de gegevens kregen." in page
    assert "GGZ Friesland" not in page.split("Ontvangers volgens het register")[1].split("Situatie")[0]
    assert '<option value="ggz_friesland" selected' not in page
