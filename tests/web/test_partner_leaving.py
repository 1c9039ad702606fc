"""A partner that leaves: its accounts work until the day before its leaving day, stop on that day
(Europe/Amsterdam), and the scheduler's job switches them off with the reason, never the last beheerder."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlalchemy import select

from engine import account_state, accounts, partner_leaving
from engine.db import Account, AccountEvent, Partner
from engine.identity import Origin
from tests.web.conftest import FAST_HASHER, add_account
from tests.web.conftest import account_row as account

HERE = Origin("192.0.2.7", "pytest")
# The test clock is Friday 27 November 2026 17:00 in Amsterdam; the partner leaves on Saturday 28 November.
LEAVING_DAY = "2026-11-28"
LAST_EVENING = datetime(2026, 11, 27, 22, 59, tzinfo=timezone.utc)  # 23:59 in Amsterdam
LEAVING_MIDNIGHT = datetime(2026, 11, 27, 23, 0, tzinfo=timezone.utc)  # 00:00 in Amsterdam


def leaves(engine, partner: str, on: str = LEAVING_DAY) -> None:
    with engine.database.unit_of_work() as uow:
        uow.session.get(Partner, partner).left_on = on
        uow.commit()


def events(engine, username: str) -> list[tuple[str, str, dict]]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(e.action, e.actor, e.detail) for e in uow.session.scalars(
            select(AccountEvent).join(Account, Account.id == AccountEvent.account_id)
            .where(Account.username == username).order_by(AccountEvent.id))]


def text(response) -> str:
    return response.get_data(as_text=True)


def test_an_account_of_a_leaving_partner_signs_in_the_day_before_and_is_refused_from_the_leaving_day(
        engine, client, auth, clock):
    leaves(engine, "politie")
    clock.now = LAST_EVENING
    assert accounts.authenticate(engine, "politie", "demo-partnermedewerker", HERE, clock.now, hasher=FAST_HASHER)
    response = auth.login("politie")
    assert response.status_code == 302 and not response.location.startswith("/inloggen")
    assert client.get("/").status_code == 200

    clock.now = LEAVING_MIDNIGHT
    # The running session ends, a new sign-in is refused, and no task or mail reaches the account.
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/inloggen")
    assert "Uw account is niet actief" in text(auth.login("politie"))
    assert accounts.load_account(engine, "politie") is None
    with engine.database.unit_of_work(write=False) as uow:
        usable = {a.username for a in uow.session.scalars(
            accounts.usable_accounts(day=datetime(2026, 11, 28).date()))}
    assert "politie" not in usable and "partnermedewerker" in usable
    # Another partner's accounts go on as before.
    assert accounts.load_account(engine, "partnermedewerker") is not None


def test_the_job_switches_the_accounts_of_a_partner_off_on_its_leaving_day_with_the_reason(engine, clock):
    leaves(engine, "politie")
    assert partner_leaving.run(engine.database, LAST_EVENING).switched_off == []
    assert account(engine, "politie").active

    report = partner_leaving.run(engine.database, LEAVING_MIDNIGHT)

    politie = account(engine, "politie")
    with engine.database.unit_of_work(write=False) as uow:  # the police's demo accounts, its FG's too
        of_politie = list(uow.session.scalars(select(Account.id).where(Account.partner_id == "politie")
                                              .order_by(Account.id)))
    assert politie.id in of_politie and report.switched_off == of_politie
    assert (politie.active, politie.deactivated_reason, politie.deactivated_at) == (
        False, account_state.PARTNER_LEFT, LEAVING_MIDNIGHT)
    assert events(engine, "politie") == [("gedeactiveerd", account_state.SYSTEM, {"reden": "partner_vertrokken"})]
    assert account(engine, "partnermedewerker").active  # WoonFriesland stays
    # Running again (every scheduler round) changes nothing more.
    assert partner_leaving.run(engine.database, LEAVING_MIDNIGHT).switched_off == []
    assert len(events(engine, "politie")) == 1


def test_the_job_never_switches_off_the_last_beheerder_and_logs_a_warning_without_personal_data(
        engine, clock, caplog):
    # The municipality, where the only beheerder works, leaves: that account stays on.
    add_account(engine, "j.jansen", "geheim-wachtwoord-1", partner="gemeente_heerenveen", roles=("procesregisseur",))
    leaves(engine, "gemeente_heerenveen")
    with caplog.at_level(logging.WARNING, logger="engine.partner_leaving"):
        report = partner_leaving.run(engine.database, LEAVING_MIDNIGHT)

    beheerder = account(engine, "beheerder")
    assert report.kept_last_beheerder == [beheerder.id]
    assert beheerder.active and beheerder.deactivated_reason is None
    assert not account(engine, "j.jansen").active
    assert not account(engine, "procesregisseur").active
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert f"account {beheerder.id} is the last active beheerder" in warning.getMessage()
    assert "beheerder@" not in warning.getMessage() and "Demo Beheerder" not in warning.getMessage()


def test_a_second_beheerder_elsewhere_lets_the_job_switch_the_leaving_beheerder_off(engine, clock):
    add_account(engine, "beheer.politie", "geheim-wachtwoord-2", partner="politie", roles=("beheerder",))
    leaves(engine, "gemeente_heerenveen")
    partner_leaving.run(engine.database, LEAVING_MIDNIGHT)
    assert not account(engine, "beheerder").active
    assert account(engine, "beheer.politie").active
