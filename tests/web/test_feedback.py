"""The terugkoppeling: the organisation that referred a case reads the decision and its explanation,
through the link in its mail, also when the team did not choose it; and nothing else of the case."""
from sqlalchemy import select

from engine import access_log, casework
from engine.db import OutboxMail
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import OPPAKKEN, aanmelding

HERE = Origin("192.0.2.1", "test")
POLITIE = User("politie", "Demo Medewerker Politie", "politie", frozenset({"partnermedewerker"}))
NAAM = aanmelding()["betrokkene_naam"]
WITHOUT_POLITIE = ["gemeente_heerenveen", "woonfriesland"]


def referred_by_politie(engine) -> int:
    engine.deploy(PROCESSES, FORMS)
    return casework.start_case(engine, POLITIE, "zvt_casus", aanmelding(), HERE)


def decide(engine, number, **beoordeling):
    [task] = engine.ready_tasks(number)
    engine.complete(task.id, {**OPPAKKEN, "deelnemende_partners": WITHOUT_POLITIE, **beoordeling},
                    actor="procesregisseur")


def accesses(engine, number):
    with engine.database.unit_of_work(write=False) as uow:
        return [(a.username, a.action, a.object_type, a.result) for a in access_log.for_case(uow.session, number)]


def test_the_mail_link_brings_an_aanmelder_that_was_not_chosen_to_the_terugkoppeling(auth, client, engine):
    number = referred_by_politie(engine)
    decide(engine, number, toelichting_besluit="Meerdere leefgebieden; de politie doet niet mee.")
    with engine.database.unit_of_work(write=False) as uow:
        links = set(uow.session.scalars(select(OutboxMail.link).where(OutboxMail.instance_id == number,
                                                                       OutboxMail.kind == "terugkoppeling")))
    assert links == {f"/casussen/{number}"}  # the mail went to the politie's partner employees

    auth.login("politie")
    followed = client.get(f"/casussen/{number}")
    assert followed.status_code == 302 and followed.location.endswith(f"/casussen/{number}/terugkoppeling")
    page = client.get(followed.location)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Het team pakt de aanmelding op" in body  # the decision in the words of the form
    assert "Meerdere leefgebieden; de politie doet niet mee." in body
    # Nothing else of the case: not the person, not the partners, not the steps.
    for other in (NAAM, "Voorbeeldstraat", "WoonFriesland", "Dossier", "Huurachterstand"):
        assert other not in body
    assert ("politie", "read", "terugkoppeling", "toegestaan") in accesses(engine, number)
    # Following the link was no attempt on the case page: no refusal for it in the log.
    assert ("politie", "read", "case", "geweigerd") not in accesses(engine, number)
    # A print of the case is: refused, and logged as such.
    assert client.get(f"/casussen/{number}/dossier.pdf").status_code == 403
    assert ("politie", "print", "case", "geweigerd") in accesses(engine, number)


def test_before_the_beoordeling_the_aanmelder_reads_that_it_is_not_decided_yet(auth, client, engine):
    number = referred_by_politie(engine)
    auth.login("politie")
    body = client.get(f"/casussen/{number}/terugkoppeling").get_data(as_text=True)
    assert "Het team heeft de aanmelding nog niet beoordeeld." in body and NAAM not in body
    # Until then the politie takes part and sees the whole case: no redirect.
    assert client.get(f"/casussen/{number}").status_code == 200


def test_an_organisation_that_did_not_refer_the_case_reads_no_terugkoppeling(auth, client, engine):
    number = referred_by_politie(engine)
    decide(engine, number)
    auth.login("partnermedewerker")  # WoonFriesland: takes part, did not refer
    assert client.get(f"/casussen/{number}").status_code == 200  # the whole case, as a participant
    assert client.get(f"/casussen/{number}/terugkoppeling").status_code == 403
    auth.logout()
    auth.login("manager")  # Accolade: neither
    assert client.get(f"/casussen/{number}").status_code == 403
    assert client.get(f"/casussen/{number}/terugkoppeling").status_code == 403
    assert ("manager", "read", "terugkoppeling", "geweigerd") in accesses(engine, number)
    assert ("partnermedewerker", "read", "terugkoppeling", "geweigerd") in accesses(engine, number)


def test_a_case_not_taken_up_tells_the_aanmelder_where_to_go_instead(auth, client, engine):
    number = referred_by_politie(engine)
    [task] = engine.ready_tasks(number)
    engine.complete(task.id, {"niveau": 3, "besluit_beoordeling": "niet_oppakken",
                              "toelichting_besluit": "Er is al hulp; het team is niet nodig.",
                              "advies_alternatief": "Neem contact op met het wijkteam."}, actor="procesregisseur")
    auth.login("politie")
    body = client.get(f"/casussen/{number}/terugkoppeling").get_data(as_text=True)
    assert "Er is al hulp; het team is niet nodig." in body
    assert "Advies: waar kan het wel?" in body and "Neem contact op met het wijkteam." in body
