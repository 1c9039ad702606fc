"""Retention: at its date a closed case's personal data is gone from every table, on both databases.

The case is the real zvt_casus, walked to its close with an invented person's name, address and
phone number in its data, a draft, a pause, a legal hold and mails; after destruction a search
of every column of every table (found by introspecting the schema) finds none of the three.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, text

from engine import access_log, audit, case_items, chain, drafts, participation, retention, sharing
from engine.db import AccessLogEntry, Destruction, HistoryEntry, Instance, LoginAttempt, OutboxMail
from engine.identity import Origin, User
from engine.legal_hold import HoldRefused
from tests.engine.test_outbox import add_team
from tests.processes.conftest import start
from tests.processes.test_zvt_casus import AMS_WINTER, INFORMEREN, OPPAKKEN, PLAN, PRIVACYCHECK, zorgoverleg

NAME = "Jolanda Quirijnsen-Vleugel"
ADDRESS = "Zonnedauwlaan 77, 8442 ZX Heerenveen"
PHONE = "06-48213579"
PERSONAL = (NAME, ADDRESS, PHONE)
ORIGIN = Origin("192.0.2.10", "pytest")
REGISSEUR = User("regisseur", "Regisseur", "gemeente_heerenveen", frozenset({"procesregisseur"}), directs=True)
FG = User("fg", "FG", "gemeente_heerenveen", frozenset({"fg"}), directs=True)
MEDEWERKER = User("w.woonfriesland", "W", "woonfriesland", frozenset({"partnermedewerker"}))
GGZ = User("g.ggz", "G", "ggz_friesland", frozenset({"partnermedewerker"}))


@pytest.fixture
def casus(engine, clock, deploy_only):
    add_team(engine, clock)
    deploy_only("zvt_casus", dmn=("afwegingskader.dmn",))


def closed_case(engine, clock, *, name=NAME, address=ADDRESS, phone=PHONE):
    """A zvt_casus taken up, planned, discussed and closed (afronden: kept 24 months), with the
    person's data in the aanmelding, in a draft, in a pause reason, in a hold's reasons, in a
    partner's data item, its grondslag and the reason it was shared, and in an opt-out's reason."""
    case = start(engine, "zvt_casus", {
        "betrokkene_naam": name, "betrokkene_geboortedatum": "1969-07-21", "betrokkene_adres": address,
        "reden_aanmelding": f"Huurachterstand; {name} is bereikbaar op {phone}.", "urgentie": "snel",
        "minderjarige_kinderen": False, "veiligheidsrisico_huisbezoek": False,
        "situaties": ["dreigende_huisuitzetting"], "leefgebieden": ["wonen", "financien"], "zelfregie": False,
        "grote_maatschappelijke_impact": False, "betrokkene_op_de_hoogte": True, "toestemming": "ja",
        "grondslag_afgewogen": True}, actor="w.woonfriesland", context={"aanmelder_partner": "woonfriesland"})
    beoordeling = case.task("beoordeling")
    drafts.save(engine, REGISSEUR, beoordeling.id, {"toelichting_besluit": f"Gebeld met {phone}"}, ORIGIN)
    engine.pause_deadlines(case.id, f"Wacht op terugbellen door {name}", actor="regisseur")
    engine.resume_deadlines(case.id, actor="regisseur")
    engine.set_legal_hold(case.id, f"Klacht van {name} loopt", REGISSEUR, ORIGIN)
    engine.lift_legal_hold(case.id, f"Klacht van {name} afgehandeld", FG, ORIGIN)
    case.complete("beoordeling", {**OPPAKKEN, "toelichting_besluit": f"Adres {address} bezocht."},
                  role="procesregisseur")
    case.complete("betrokkene_informeren", INFORMEREN, role="procesregisseur")  # before the first disclosure
    # A data item about the person, shared with GGZ with a reason naming them; GGZ then opts out.
    case_items.record_basis(engine, MEDEWERKER, case.id, f"Huurovereenkomst met {name}", None, None, ORIGIN)
    item = case_items.add_item(engine, MEDEWERKER, case.id, "gewoon", f"Huur {name}", f"Bel {phone}, {address}", ORIGIN)
    sharing.decide(engine, REGISSEUR, case.id, {(item, "ggz_friesland"): f"{name} is cliënt bij GGZ"}, "zorgoverleg",
                   ORIGIN)
    participation.opt_out(engine, GGZ, case.id, f"{name} is uit zorg", ORIGIN)
    case.complete("privacycheck_plangesprek", PRIVACYCHECK, role="procesregisseur")
    case.complete("plan_van_aanpak", PLAN, role="procesregisseur")
    case.complete("privacycheck", PRIVACYCHECK, role="procesregisseur")
    case.complete("zorgoverleg", zorgoverleg("afronden", voortgang=f"{name} heeft werk."), role="procesregisseur")
    assert case.status == "completed"
    with engine.database.unit_of_work() as uow:
        access_log.record(uow.session, REGISSEUR, ORIGIN, "read", "case", str(case.id), case.id, True, clock())
        uow.commit()
    return case


def where_found(engine, values) -> set[tuple[str, str]]:
    """(table, column) of every column, in every table the database has, holding one of `values`."""
    sql = engine.database.sql
    found = set()
    with sql.connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            for column in inspector.get_columns(table):
                cells = connection.execute(text(f'SELECT CAST("{column["name"]}" AS TEXT) FROM "{table}"')).scalars()
                if any(value.casefold() in (cell or "").casefold() for cell in cells for value in values):
                    found.add((table, column["name"]))
    return found


def after_destroy_date(clock):
    clock.advance(days=2 * 366)


def run(engine, clock, **kwargs):
    return retention.run(engine.database, engine.retention, clock(), **kwargs)


def test_after_destruction_no_personal_value_of_the_case_remains_in_any_table(engine, clock, casus):
    case = closed_case(engine, clock)
    destroy_at = engine.instance(case.id).destroy_at
    assert destroy_at == datetime(2028, 11, 27, 17, 0, tzinfo=AMS_WINTER)
    # The search finds what is there: the case's row, its history and its closing step's mail.
    before = where_found(engine, PERSONAL)
    with engine.database.unit_of_work(write=False) as uow:
        assert None not in uow.session.execute(select(Instance.search_name, Instance.search_birth)
                                               .where(Instance.id == case.id)).one()
    assert {("instances", "data"), ("history", "data")} <= before
    log_rows = access_rows(engine, case.id)

    clock.now = destroy_at - timedelta(minutes=1)
    assert run(engine, clock).destroyed == []
    after_destroy_date(clock)
    report = run(engine, clock)

    assert [d.case for d in report.destroyed] == [case.id]
    assert where_found(engine, PERSONAL) == set()
    assert where_found(engine, ["1969-07-21"]) == set()  # the date of birth too
    tombstone = engine.instance(case.id)
    assert (tombstone.status, tombstone.data) == ("destroyed", {})
    with engine.database.unit_of_work(write=False) as uow:  # the search keys beside the data go with it
        assert uow.session.execute(select(Instance.search_name, Instance.search_birth)
                                   .where(Instance.id == case.id)).one() == (None, None)
    # The history's chain covers each row's data by its digest: emptied at destruction, it holds.
    with engine.database.unit_of_work(write=False) as uow:
        assert audit.verify(uow.session, chain.key_bytes(chain.DEV_AUDIT_KEY), "history").intact
    # The access log stays, whole: it holds ids, no personal data, and is kept five years.
    assert access_rows(engine, case.id) == log_rows and log_rows
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(HistoryEntry).where(
            HistoryEntry.instance_id == case.id, HistoryEntry.data.is_not(None))) == 0


def test_the_anonymous_figures_and_the_destruction_record_remain_and_are_right(engine, clock, casus):
    case = closed_case(engine, clock)
    closed = engine.instance(case.id)
    after_destroy_date(clock)
    run(engine, clock, actor="pytest")
    with engine.database.unit_of_work(write=False) as uow:
        record = uow.session.get(Destruction, case.id)
        uow.session.expunge(record)
    assert (record.process_id, record.version, record.rule) == ("zvt_casus", 1, "zvt_casus: uitkomst=afronden: 24 months")
    assert (record.started_at, record.completed_at, record.destroy_at) == (
        closed.started_at, closed.completed_at, closed.destroy_at)
    assert record.destroyed_at == clock().replace(microsecond=0) and record.destroyed_by == "pytest"
    assert record.participants == ["gemeente_heerenveen", "woonfriesland"]  # GGZ opted out
    assert record.figures == {
        "uitkomst": "afronden", "niveau": 2, "voorgesteld_niveau": closed.data["voorgesteld_niveau"],
        "urgentie": "snel", "situaties": ["dreigende_huisuitzetting"], "leefgebieden": ["wonen", "financien"],
        "crisisoverleg": False, "informeren": "informeren", "overleg_nummer": 1,
        "aanmelder_partner": "woonfriesland", "dreigende_huisuitzetting": True}
    assert record.counts["history"] == len(engine.history(case.id)) > 10
    assert (record.counts["items"], record.counts["disclosures"]) == (1, 1)
    assert record.counts["outbox"] > 0 and record.counts["human_tasks"] == 0


def test_a_case_on_legal_hold_survives_and_goes_once_the_hold_is_lifted(engine, clock, casus):
    held, other = closed_case(engine, clock), closed_case(engine, clock, name="Bartholomeus Ypma")
    engine.set_legal_hold(held.id, "Rechtszaak over de huisuitzetting loopt", FG, ORIGIN)
    after_destroy_date(clock)

    report = run(engine, clock)

    assert [d.case for d in report.destroyed] == [other.id] and report.held == [held.id]
    kept = engine.instance(held.id)
    assert kept.status == "completed" and kept.data["betrokkene_naam"] == NAME
    assert (kept.hold_reason, kept.held_by) == ("Rechtszaak over de huisuitzetting loopt", "fg")
    assert "bewaarplicht_gezet" in [h.bpmn_id for h in engine.history(held.id)]
    engine.lift_legal_hold(held.id, "Uitspraak gedaan", REGISSEUR, ORIGIN)
    assert [d.case for d in run(engine, clock).destroyed] == [held.id]
    assert where_found(engine, PERSONAL) == set()


def test_only_a_procesregisseur_or_fg_sets_a_hold_and_every_try_is_in_the_access_log(engine, clock, casus):
    case = closed_case(engine, clock)
    with pytest.raises(HoldRefused):
        engine.set_legal_hold(case.id, "Ik wil het bewaren", MEDEWERKER, ORIGIN)
    assert engine.instance(case.id).hold_reason is None
    engine.set_legal_hold(case.id, "Verzoek tot inzage loopt", REGISSEUR, ORIGIN)
    rows = [(username, object_type, result) for _, username, _, object_type, result, _ in access_rows(engine, case.id)][-2:]
    assert rows == [("w.woonfriesland", "legal_hold", "geweigerd"), ("regisseur", "legal_hold", "toegestaan")]
    overview = engine.retention_overview(FG, ORIGIN, until=clock() + timedelta(days=30))
    assert [(i.case, i.hold_reason) for i in overview] == [(case.id, "Verzoek tot inzage loopt")]
    with pytest.raises(HoldRefused):
        engine.retention_overview(MEDEWERKER, ORIGIN, until=clock())


def test_a_dry_run_lists_what_would_go_and_changes_nothing(engine, clock, casus):
    case = closed_case(engine, clock)
    after_destroy_date(clock)
    before = snapshot(engine)

    report = run(engine, clock, dry_run=True)

    assert [(d.case, d.process_id, d.rule) for d in report.destroyed] == [
        (case.id, "zvt_casus", "zvt_casus: uitkomst=afronden: 24 months")]
    assert report.destroyed[0].counts["history"] > 10
    assert snapshot(engine) == before


def test_running_twice_destroys_once_and_changes_nothing_more(engine, clock, casus):
    case = closed_case(engine, clock)
    after_destroy_date(clock)
    run(engine, clock)
    after_first = snapshot(engine)
    clock.advance(hours=1)

    second = run(engine, clock)

    assert second.destroyed == [] and second.failed == []
    assert snapshot(engine) == after_first
    assert engine.instance(case.id).status == "destroyed"


def test_a_failure_halfway_leaves_the_case_whole_and_the_next_run_destroys_it_fully(engine, clock, casus):
    case = closed_case(engine, clock)
    after_destroy_date(clock)
    before = snapshot(engine)
    with refuse_destruction_records(engine):
        # The tasks, mails and history data are deleted first; then writing the record fails.
        report = run(engine, clock)
        assert report.failed == [case.id] and report.destroyed == []
        assert snapshot(engine) == before

    assert [d.case for d in run(engine, clock).destroyed] == [case.id]
    assert where_found(engine, PERSONAL) == set()


def test_old_login_attempts_and_long_sent_mails_are_pruned_unsent_mail_stays(engine, clock, casus):
    closed_case(engine, clock)  # queues mails
    now = clock()
    with engine.database.unit_of_work() as uow:
        for days in (1, 179, 181):
            uow.session.add(LoginAttempt(username="regisseur", origin_ip="192.0.2.1", at=now - timedelta(days=days),
                                         success=True))
        mails = list(uow.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))
        mails[0].sent_at = now - timedelta(days=91)
        mails[1].sent_at = now - timedelta(days=89)
        uow.commit()
    unsent = len(mails) - 2

    dry = run(engine, clock, dry_run=True)
    report = run(engine, clock)

    assert (dry.login_attempts, dry.sent_mails) == (report.login_attempts, report.sent_mails) == (1, 1)
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(LoginAttempt)) == 2
        left = list(uow.session.scalars(select(OutboxMail.id).order_by(OutboxMail.id)))
    assert len(left) == unsent + 1 and mails[0].id not in left


def test_a_case_closed_without_rules_at_hand_gets_its_date_from_the_first_run(engine, clock, casus):
    case = closed_case(engine, clock)
    with engine.database.unit_of_work() as uow:
        uow.session.execute(text("UPDATE instances SET destroy_at = NULL WHERE id = :id"), {"id": case.id})
        uow.commit()

    report = run(engine, clock)

    assert report.dated == 1 and report.destroyed == []
    assert engine.instance(case.id).destroy_at == datetime(2028, 11, 27, 17, 0, tzinfo=AMS_WINTER)


# -- helpers -------------------------------------------------------------------------------

def access_rows(engine, case: int) -> list:
    with engine.database.unit_of_work(write=False) as uow:
        return [(r.id, r.username, r.action, r.object_type, r.result, r.hash) for r in uow.session.scalars(
            select(AccessLogEntry).where(AccessLogEntry.instance_id == case).order_by(AccessLogEntry.id))]


def snapshot(engine) -> dict:
    """Every row of every table, as text: what "changes nothing" compares."""
    with engine.database.sql.connect() as connection:
        tables = inspect(connection).get_table_names()
        return {t: sorted(map(repr, connection.execute(text(f'SELECT * FROM "{t}"')).all())) for t in tables}


class refuse_destruction_records:
    """A real failing statement: a trigger makes the database refuse the destruction record, the
    last write of a destruction, so everything before it must roll back."""

    def __init__(self, engine):
        self.sql = engine.database.sql

    def __enter__(self):
        with self.sql.begin() as connection:
            if self.sql.dialect.name == "sqlite":
                connection.exec_driver_sql("CREATE TRIGGER refuse_destruction BEFORE INSERT ON destructions "
                                           "BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
            else:
                connection.exec_driver_sql("CREATE FUNCTION refuse_destruction() RETURNS trigger AS $$ "
                                           "BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql")
                connection.exec_driver_sql("CREATE TRIGGER refuse_destruction BEFORE INSERT ON destructions "
                                           "FOR EACH ROW EXECUTE FUNCTION refuse_destruction()")

    def __exit__(self, *exc_info):
        with self.sql.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER refuse_destruction" if self.sql.dialect.name == "sqlite"
                                       else "DROP TRIGGER refuse_destruction ON destructions")
            if self.sql.dialect.name != "sqlite":
                connection.exec_driver_sql("DROP FUNCTION refuse_destruction()")
