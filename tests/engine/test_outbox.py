"""The outbox: mails written in the step's transaction, sent by the scheduler over real SMTP.

A real SMTP server (aiosmtpd) listens on a free loopback port; the engine runs the covenant's
processes from processes/ on SQLite and on PostgreSQL. Nothing is mocked.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from engine import DefinitionRefused, InvalidTaskData, mail_sending, outbox
from engine.clock import AMSTERDAM
from engine.db import Account, OutboxMail, Partner
from tests.engine.bpmn import HEAD

BASE_URL = "https://zvt.test"
SENDER = "ZVT Heerenveen <zvt@gemeente.example>"
# The betrokkene of the case: none of it may ever reach a mail.
PERSONAL = {
    "betrokkene_naam": "Mevrouw B. Bakkersma",
    "betrokkene_geboortedatum": "1968-07-21",
    "betrokkene_adres": "Proefstraat 17, 8442 CD Heerenveen",
    "reden_aanmelding": "Huurachterstand van zes maanden en klachten over geluidsoverlast.",
}
AANMELDING = {
    **PERSONAL,
    "situaties": ["dreigende_huisuitzetting", "overlast"],
    "leefgebieden": ["wonen", "financien", "psychische_gezondheid"],
    "zelfregie": False, "grote_maatschappelijke_impact": False, "betrokkene_op_de_hoogte": True,
    "toestemming": "ja", "grondslag_afgewogen": True,
}
TOELICHTING = "Zorgmijding bij mevrouw Bakkersma, meerdere leefgebieden."
ADVIES = "Meld mevrouw Bakkersma aan bij het wijkteam Oranjewoud."
OPPAKKEN = {
    "niveau": 3, "besluit_beoordeling": "oppakken", "toelichting_besluit": TOELICHTING,
    "deelnemende_partners": ["gemeente_heerenveen", "woonfriesland", "ggz_friesland"],
    "crisisoverleg": False, "informeren": "informeren",
}
PARTNERS = {"gemeente_heerenveen": "Gemeente Heerenveen", "woonfriesland": "WoonFriesland", "politie": "Politie",
            "ggz_friesland": "GGZ Friesland", "accolade": "Accolade"}
# username, partner, roles, e-mail address, active
ACCOUNTS = [
    ("regisseur", "gemeente_heerenveen", ["procesregisseur"], "regisseur@example.nl", True),
    ("regisseur.zonder.adres", "gemeente_heerenveen", ["procesregisseur"], None, True),
    ("teamleider", "gemeente_heerenveen", ["teamleider"], "teamleider@example.nl", True),
    ("fg", "gemeente_heerenveen", ["fg"], "fg@example.nl", True),
    ("w.woonfriesland", "woonfriesland", ["partnermedewerker"], "w.woonfriesland@example.nl", True),
    ("w.collega", "woonfriesland", ["partnermedewerker"], "w.collega@example.nl", True),
    ("w.vertrokken", "woonfriesland", ["partnermedewerker"], "w.vertrokken@example.nl", False),
    ("w.verantwoordelijke", "woonfriesland", ["teamleider"], "w.verantwoordelijke@example.nl", True),
    ("w.fg", "woonfriesland", ["fg"], "w.fg@example.nl", True),
    ("politie", "politie", ["partnermedewerker"], "politie@example.nl", True),
    ("ggz.regisseur", "ggz_friesland", ["procesregisseur"], "ggz.regisseur@example.nl", True),
    ("accolade.regisseur", "accolade", ["procesregisseur"], "accolade.regisseur@example.nl", True),
]


@pytest.fixture
def settings(smtp) -> outbox.MailSettings:
    return outbox.MailSettings(host="127.0.0.1", port=smtp.port, sender=SENDER, base_url=BASE_URL, timeout=5)


# -- the team -----------------------------------------------------------------------------

@pytest.fixture
def team(engine, clock):
    add_team(engine, clock)


def add_team(engine, clock) -> None:
    """The partners (those missing) and ACCOUNTS, with and without an e-mail address."""
    with engine.database.unit_of_work() as uow:
        for code, name in PARTNERS.items():
            if uow.session.get(Partner, code) is not None:
                continue  # the scenario tests' engine has the register's partners already
            uow.session.add(Partner(id=code, name=name, kind="convenant", grondslag="AVG art. 6", active=True,
                                    directs=code == "gemeente_heerenveen"))
        uow.session.flush()
        for username, partner, roles, email, active in ACCOUNTS:
            uow.session.add(Account(username=username, display_name=username, partner_id=partner, roles=roles,
                                    password_hash="-", active=active, demo=False, created_at=clock(), email=email))
        uow.commit()


@pytest.fixture
def casus(deploy_only, team):
    deploy_only("zvt_casus", dmn=("afwegingskader.dmn",))


@pytest.fixture
def datalek(deploy_only, team):
    deploy_only("datalek")


def rows(engine) -> list[SimpleNamespace]:
    """The outbox as it is in the database now, oldest first."""
    columns = [c.key for c in OutboxMail.__table__.columns]
    with engine.database.unit_of_work(write=False) as uow:
        return [SimpleNamespace(**{c: getattr(r, c) for c in columns})
                for r in uow.session.scalars(select(OutboxMail).order_by(OutboxMail.id))]


def queued(engine, since: int = 0) -> set[tuple[str, str]]:
    """(kind, recipient) of every outbox row after the first `since`."""
    return {(r.kind, r.recipient) for r in rows(engine)[since:]}


def new_case(engine) -> int:
    return engine.start("zvt_casus", AANMELDING, actor="w.woonfriesland", context={"aanmelder_partner": "woonfriesland"})


def task(engine, instance_id: int, bpmn_id: str):
    [found] = [t for t in engine.ready_tasks(instance_id) if t.bpmn_id == bpmn_id]
    return found


def send(engine, settings, clock, owner="scheduler-1", **kwargs) -> int:
    return outbox.send_pending(engine.database, settings, clock(), owner, **kwargs)


# -- who hears what -----------------------------------------------------------------------

def test_a_new_task_is_mailed_to_who_may_do_it_and_the_smtp_server_receives_it(engine, clock, casus, smtp, settings):
    case = new_case(engine)
    beoordeling = task(engine, case, "beoordeling")
    # Only the municipality's procesregisseur with an address may do it: the other one has no
    # address, the accolade and ggz regisseurs' organisations do not take part (yet).
    [row] = rows(engine)
    assert (row.kind, row.recipient, row.instance_id, row.sent_at) == ("nieuwe_taak", "regisseur@example.nl", case, None)

    assert send(engine, settings, clock) == 1

    [mail] = smtp.received
    assert mail.recipients == ("regisseur@example.nl",)
    assert mail.message["To"] == "regisseur@example.nl" and mail.message["From"] == SENDER
    assert mail.message["Subject"] == f"Nieuwe taak in casus {case}"
    assert "'Aanmelding beoordelen'" in mail.text
    assert f"{BASE_URL}/taken/{beoordeling.id}" in mail.text.splitlines()  # a line of its own
    assert mail.message["Auto-Submitted"] == "auto-generated"
    [row] = rows(engine)
    assert row.sent_at == clock() and row.attempts == 0 and row.lock_owner is None
    assert send(engine, settings, clock) == 0  # sent is sent
    assert len(smtp.received) == 1


def test_a_beoordeling_mails_the_terugkoppeling_to_the_aanmelders_partner_and_the_next_task(engine, clock, casus):
    case = new_case(engine)
    before = len(rows(engine))
    engine.complete(task(engine, case, "beoordeling").id, OPPAKKEN, actor="regisseur")
    informeren = task(engine, case, "betrokkene_informeren")

    assert queued(engine, before) == {
        # Every active partnermedewerker of the aanmelder's partner; not the police, not who left.
        ("terugkoppeling", "w.woonfriesland@example.nl"), ("terugkoppeling", "w.collega@example.nl"),
        # The next task: GGZ takes part now; the municipality's regisseur made the step and sees it already.
        ("nieuwe_taak", "ggz.regisseur@example.nl"),
    }
    terugkoppeling = [r for r in rows(engine) if r.kind == "terugkoppeling"]
    assert {(r.subject, r.link) for r in terugkoppeling} == {(f"Terugkoppeling over casus {case}", f"/casussen/{case}")}
    [nieuw] = [r for r in rows(engine) if r.kind == "nieuwe_taak"][1:]
    assert nieuw.link == f"/taken/{informeren.id}"


def test_a_late_beoordeling_mails_an_escalatie_to_its_holder_and_the_new_task_to_the_teamleider(engine, clock, casus):
    case = new_case(engine)
    beoordeling = task(engine, case, "beoordeling")
    engine.assign(beoordeling.id, "regisseur", expected=None)
    before = len(rows(engine))

    assert engine.fire_due_timers(beoordeling.due_at) == 1

    te_laat = task(engine, case, "beoordeling_te_laat")
    assert queued(engine, before) == {("escalatie", "regisseur@example.nl"), ("nieuwe_taak", "teamleider@example.nl")}
    by_kind = {r.kind: r for r in rows(engine)[before:]}
    assert by_kind["escalatie"].subject == f"Termijn voorbij: taak in casus {case}"
    assert "'Aanmelding beoordelen'" in by_kind["escalatie"].body and "nog open" in by_kind["escalatie"].body
    assert by_kind["escalatie"].link == f"/taken/{beoordeling.id}"
    assert by_kind["nieuwe_taak"].link == f"/taken/{te_laat.id}"


def test_a_deadline_of_a_task_held_by_someone_without_an_address_is_mailed_to_who_may_do_it(engine, clock, casus):
    case = new_case(engine)
    beoordeling = task(engine, case, "beoordeling")
    engine.assign(beoordeling.id, "regisseur.zonder.adres", expected=None)
    before = len(rows(engine))
    engine.fire_due_timers(beoordeling.due_at)
    assert ("escalatie", "regisseur@example.nl") in queued(engine, before)


def test_reminders_go_to_the_holder_or_everyone_who_may_do_the_task_and_a_closing_deadline_links_the_case(
        engine, clock, datalek):
    def at(*parts) -> datetime:
        return datetime(*parts, tzinfo=AMSTERDAM)

    clock.now = at(2027, 5, 14, 17, 30)
    case = engine.start("datalek", {
        "omschrijving": "Verslag per e-mail naar een verkeerde ontvanger gestuurd.",
        "bekend_sinds": "2027-05-14T17:00:00+02:00", "partner_inbreuk": "woonfriesland",
        "aard": ["vertrouwelijkheid"], "aantal_personen": 1, "soorten_gegevens": ["naw", "gezondheid"],
        "maatregelen": "Ontvanger gevraagd de e-mail te verwijderen.",
        "verantwoordelijke_partners": ["woonfriesland", "gemeente_heerenveen"],
    }, actor="w.woonfriesland", context={"melder_partner": "woonfriesland"})
    # A breach at WoonFriesland: its own people, none of the municipality's (issue 13).
    assert queued(engine) == {("nieuwe_taak", "w.collega@example.nl"), ("nieuwe_taak", "w.verantwoordelijke@example.nl"),
                              ("nieuwe_taak", "w.fg@example.nl")}
    partners = task(engine, case, "partners_informeren")
    ap_besluit = task(engine, case, "ap_besluit")
    engine.assign(partners.id, "w.collega", expected=None)

    before = len(rows(engine))
    assert engine.fire_due_timers(at(2027, 5, 15, 13, 0)) == 1  # 4 hours before the partners' 24 hours
    [reminder] = rows(engine)[before:]
    assert (reminder.kind, reminder.recipient, reminder.link) == ("herinnering", "w.collega@example.nl",
                                                                  f"/taken/{partners.id}")
    assert reminder.subject == f"Herinnering: taak in casus {case}" and "'Partners informeren'" in reminder.body

    before = len(rows(engine))
    assert engine.fire_due_timers(at(2027, 5, 15, 17, 0)) == 1  # the 24 hours are over: escalate
    assert queued(engine, before) == {("escalatie", "w.collega@example.nl"), ("nieuwe_taak", "w.fg@example.nl"),
                                      ("nieuwe_taak", "w.verantwoordelijke@example.nl")}

    before = len(rows(engine))
    assert engine.fire_due_timers(at(2027, 5, 16, 17, 0)) == 1  # nobody holds the AP decision: its lane hears
    assert [(r.kind, r.recipient, r.link) for r in rows(engine)[before:]] == [
        ("herinnering", "w.verantwoordelijke@example.nl", f"/taken/{ap_besluit.id}")]

    before = len(rows(engine))
    assert engine.fire_due_timers(at(2027, 5, 17, 17, 0)) == 1  # 72 hours: the decision task is closed
    escalatie = [r for r in rows(engine)[before:] if r.kind == "escalatie"]
    assert [(r.recipient, r.link) for r in escalatie] == [("w.verantwoordelijke@example.nl", f"/casussen/{case}")]
    assert "gesloten" in escalatie[0].body
    assert queued(engine, before) - {("escalatie", "w.verantwoordelijke@example.nl")} == {
        ("nieuwe_taak", "w.verantwoordelijke@example.nl")}


def test_no_mail_ever_holds_the_betrokkenes_data(engine, clock, casus, smtp, settings):
    case = new_case(engine)
    engine.fire_due_timers(task(engine, case, "beoordeling").due_at)
    engine.complete(task(engine, case, "beoordeling_te_laat").id, {"afspraak": "Vandaag nog."}, actor="teamleider")
    engine.complete(task(engine, case, "beoordeling").id, OPPAKKEN, actor="regisseur")
    other = new_case(engine)
    engine.complete(task(engine, other, "beoordeling").id, {
        "niveau": 3, "besluit_beoordeling": "niet_oppakken", "toelichting_besluit": TOELICHTING,
        "advies_alternatief": ADVIES}, actor="regisseur")
    assert {r.kind for r in rows(engine)} == {"nieuwe_taak", "escalatie", "terugkoppeling"}

    assert send(engine, settings, clock) == len(rows(engine))

    secrets = [*PERSONAL.values(), TOELICHTING, ADVIES, "Bakkersma"]
    for row in rows(engine):
        stored = f"{row.subject}\n{row.body}\n{row.link}\n{row.recipient}"
        assert not [s for s in secrets if s in stored], stored
    for mail in smtp.received:
        whole = mail.message.as_string()
        assert not [s for s in secrets if s in whole], whole
        assert f"{BASE_URL}/" in mail.text
        assert "U logt eerst in" in mail.text or "na het inloggen" in mail.text


# -- a rolled-back step mails nothing ---------------------------------------------------

def test_a_step_refused_for_its_data_leaves_no_mail(engine, clock, casus):
    case = new_case(engine)
    before = len(rows(engine))
    with pytest.raises(InvalidTaskData):
        engine.complete(task(engine, case, "beoordeling").id, {**OPPAKKEN, "deelnemende_partners": None},
                        actor="regisseur")
    assert len(rows(engine)) == before


def test_a_step_rolled_back_after_it_wrote_its_mails_leaves_none(engine, clock, casus):
    case = new_case(engine)
    before = len(rows(engine))

    def audit_fails(session, instance_id):
        # The step has saved (its outbox rows are in the session, flushed); then the command fails.
        assert session.scalars(select(OutboxMail).where(OutboxMail.instance_id == instance_id)).all()
        raise RuntimeError("the access log could not be written")

    with pytest.raises(RuntimeError):
        engine.complete(task(engine, case, "beoordeling").id, OPPAKKEN, actor="regisseur", audit=audit_fails)
    with pytest.raises(RuntimeError):
        engine.start("zvt_casus", AANMELDING, actor="w.woonfriesland", context={"aanmelder_partner": "woonfriesland"},
                     audit=audit_fails)
    assert len(rows(engine)) == before
    assert [t.bpmn_id for t in engine.ready_tasks(case)] == ["beoordeling"]


# -- a mail server that is away ---------------------------------------------------------------

def test_a_stopped_smtp_server_leaves_the_mail_queued_until_it_is_back_then_it_goes_once(
        engine, clock, casus, smtp, settings):
    new_case(engine)
    smtp.stop()

    assert send(engine, settings, clock) == 0
    [row] = rows(engine)
    assert row.sent_at is None and row.attempts == 1 and row.lock_owner is None
    assert row.retry_at == clock() + timedelta(minutes=1)
    assert "Connection" in row.last_error or "refused" in row.last_error.lower()

    smtp.start()
    assert send(engine, settings, clock) == 0  # not before retry_at
    clock.advance(seconds=59)
    assert send(engine, settings, clock) == 0
    assert smtp.received == []
    clock.advance(seconds=1)
    assert send(engine, settings, clock) == 1
    clock.advance(minutes=30)
    assert send(engine, settings, clock) == 0
    assert len(smtp.received) == 1
    [row] = rows(engine)
    assert row.sent_at == clock.now - timedelta(minutes=30) and row.attempts == 1


def test_a_refusing_smtp_server_is_tried_again_with_a_growing_pause_forever(
        engine, clock, casus, smtp, settings, caplog):
    new_case(engine)
    smtp.mailbox.refuse = "451 4.3.0 Probeer het later nog eens"
    pauses = []
    with caplog.at_level(logging.WARNING, logger="engine.outbox"):
        for _ in range(6):
            assert send(engine, settings, clock) == 0
            [row] = rows(engine)
            pauses.append(row.retry_at - clock())
            clock.now = row.retry_at
    assert pauses == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)] + [timedelta(hours=1)] * 3
    assert row.attempts == 6 and "451" in row.last_error and row.sent_at is None
    levels = [r.levelno for r in caplog.records if r.name == "engine.outbox"]
    assert levels == [logging.WARNING] * 2 + [logging.ERROR] * 4  # from the third failure on, an error

    smtp.mailbox.refuse = None
    assert send(engine, settings, clock) == 1
    clock.advance(hours=2)
    assert send(engine, settings, clock) == 0
    assert [m.recipients for m in smtp.received] == [("regisseur@example.nl",)]


def test_one_refused_recipient_does_not_hold_up_the_other_mails(engine, clock, casus, smtp, settings):
    case = new_case(engine)
    engine.complete(task(engine, case, "beoordeling").id, OPPAKKEN, actor="regisseur")
    original = smtp.mailbox.handle_DATA

    async def refuse_one(server, session, envelope):
        if envelope.rcpt_tos == ["w.collega@example.nl"]:
            return "550 5.1.1 Mailbox bestaat niet"
        return await original(server, session, envelope)

    smtp.mailbox.handle_DATA = refuse_one
    assert send(engine, settings, clock) == 3
    [failed] = [r for r in rows(engine) if r.sent_at is None]
    assert failed.recipient == "w.collega@example.nl" and failed.attempts == 1 and "550" in failed.last_error
    assert len(smtp.received) == 3


def test_an_address_that_would_inject_a_header_is_never_sent(engine, clock, team, smtp, settings):
    with engine.database.unit_of_work() as uow:
        for recipient in ("a@example.nl\nBcc: buiten@example.org", "b@example.nl"):
            uow.session.add(OutboxMail(kind="nieuwe_taak", recipient=recipient, subject="Nieuwe taak in casus 1",
                                       body="Er staat een nieuwe taak voor u klaar.", link="/casussen/1",
                                       created_at=clock(), attempts=0))
        uow.commit()
    assert send(engine, settings, clock) == 1
    assert [m.recipients for m in smtp.received] == [("b@example.nl",)]
    [bad] = [r for r in rows(engine) if r.sent_at is None]
    assert bad.attempts == 1 and "linefeed" in bad.last_error


def test_without_a_mail_server_in_development_mail_stays_queued_and_the_log_says_so_once(
        engine, clock, casus, caplog, monkeypatch):
    monkeypatch.setattr(mail_sending, "_told_no_host", False)
    new_case(engine)
    unset = outbox.MailSettings(host=None, sender=SENDER, base_url="http://127.0.0.1:5000")
    with caplog.at_level(logging.WARNING, logger="engine.outbox"):
        assert send(engine, unset, clock) == 0
        assert send(engine, unset, clock) == 0
    assert [r.getMessage() for r in caplog.records if r.name == "engine.outbox"] == [
        "ZVT_SMTP_HOST is not set: e-mail notifications stay queued in the outbox"]
    [row] = rows(engine)
    assert (row.sent_at, row.attempts, row.lock_owner) == (None, 0, None)


# -- two senders at once -------------------------------------------------------------------

def test_two_senders_racing_send_every_mail_exactly_once(engine, clock, team, smtp, settings):
    with engine.database.unit_of_work() as uow:
        uow.session.add_all(OutboxMail(
            kind="nieuwe_taak", recipient=f"medewerker{n}@example.nl", subject=f"Nieuwe taak in casus {n}",
            body=f"Er staat een nieuwe taak voor u klaar in casus {n}.", link=f"/casussen/{n}", instance_id=None,
            created_at=clock(), attempts=0) for n in range(60))
        uow.commit()
    start = threading.Barrier(2)
    counts, errors = {}, []

    def sender(owner):
        try:
            start.wait()
            counts[owner] = outbox.send_pending(engine.database, settings, clock(), owner, batch=4)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(f"scheduler-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(counts.values()) == 60
    assert sorted(m.recipients[0] for m in smtp.received) == sorted(f"medewerker{n}@example.nl" for n in range(60))
    assert len({m.message["Message-ID"] for m in smtp.received}) == 60
    assert all(r.sent_at is not None and r.lock_owner is None for r in rows(engine))


def test_a_claim_of_a_sender_that_died_runs_out_and_another_sends_the_mail(engine, clock, casus, smtp, settings):
    new_case(engine)
    [row] = rows(engine)
    with engine.database.unit_of_work() as uow:  # a sender claimed it and then died
        mail = uow.session.get(OutboxMail, row.id)
        mail.lock_owner, mail.lock_expires_at = "scheduler-dead", clock() + outbox.DEFAULT_LEASE
        uow.commit()

    assert send(engine, settings, clock) == 0
    clock.advance(minutes=5)
    assert send(engine, settings, clock) == 1
    assert len(smtp.received) == 1


# -- a BPMN element that sends a message -------------------------------------------------------

def message_process(properties: dict[str, str]) -> str:
    props = "".join(f'<spiffworkflow:property name="{k}" value="{v}" />' for k, v in properties.items())
    return (HEAD.format(pid="bericht").replace(
        "<bpmn:definitions ", '<bpmn:definitions xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" ')
        + '<bpmn:process id="bericht" isExecutable="true"><bpmn:startEvent id="start" />'
        '<bpmn:intermediateThrowEvent id="melden"><bpmn:extensionElements><spiffworkflow:properties>'
        + props + '</spiffworkflow:properties></bpmn:extensionElements></bpmn:intermediateThrowEvent>'
        '<bpmn:endEvent id="einde" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="melden" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="melden" targetRef="einde" />'
        '</bpmn:process></bpmn:definitions>')


@pytest.mark.parametrize("properties, reason", [
    ({"bericht": "nieuws", "bericht_aan": "partnermedewerker", "bericht_partner": "melder"}, "'zvt:bericht' must be one of"),
    ({"bericht": "terugkoppeling", "bericht_aan": "buurman", "bericht_partner": "melder"}, "'zvt:berichtAan' must name a role"),
    ({"bericht": "terugkoppeling", "bericht_aan": "partnermedewerker"}, "'zvt:berichtPartner' must name the data field"),
    ({"bericht_aan": "partnermedewerker"}, "needs attribute 'zvt:bericht'"),
])
def test_deploy_refuses_an_element_message_that_is_incomplete_or_unknown(engine, tmp_path, properties, reason):
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "bericht.bpmn").write_text(message_process(properties))
    with pytest.raises(DefinitionRefused) as refused:
        engine.deploy(tmp_path / "processes", tmp_path / "forms")
    [problem] = refused.value.problems
    assert problem.element == "melden" and reason in problem.reason


def test_any_element_can_send_a_terugkoppeling_to_a_role_of_the_partner_in_its_data(engine, team, tmp_path):
    (tmp_path / "processes").mkdir()
    (tmp_path / "processes" / "bericht.bpmn").write_text(message_process(
        {"bericht": "terugkoppeling", "bericht_aan": "partnermedewerker", "bericht_partner": "melder"}))
    engine.deploy(tmp_path / "processes", tmp_path / "forms")
    case = engine.start("bericht", None, actor="regisseur", context={"melder": "politie"})
    assert [(r.kind, r.recipient, r.link) for r in rows(engine)] == [
        ("terugkoppeling", "politie@example.nl", f"/casussen/{case}")]
