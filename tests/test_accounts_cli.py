"""`zvt accounts break-glass` on SQLite and PostgreSQL, as an administrator on the server uses it:
a beheerder account made or re-enabled, a printed one-time link that sets the password once, the
record, the warning in the log, and a mail over real SMTP to the other beheerders."""
from __future__ import annotations

import logging
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from engine import Engine, mail_sending, outbox
from engine.db import Account, AccountEvent, Partner
from tests.web.conftest import FAST_HASHER, AuthActions, build_app, client_for
from zvt import demo
from zvt.cli import main

LINK = re.compile(r"^http://127\.0\.0\.1:5000(/account/activeren/\S+)$", re.MULTILINE)


@pytest.fixture
def demo_engine(database_url, clock):
    engine = Engine(database_url, clock=clock)
    demo.load(engine, hasher=FAST_HASHER)
    yield engine
    engine.close()


def test_break_glass_re_enables_a_switched_off_beheerder_and_the_printed_link_sets_a_password_once(
        zvt, demo_engine, database_url, clock, smtp, caplog):
    with demo_engine.database.unit_of_work() as uow:
        old = uow.session.scalar(select(Account).where(Account.username == "beheerder"))
        # A personal account (break-glass leaves demo accounts alone), switched off, with a lost phone.
        old.active, old.demo, old.totp_secret = False, False, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        # A second beheerder, at another partner, who must hear of it.
        uow.session.add(Account(username="b.elders", display_name="B. Elders", partner_id="accolade",
                                roles=["beheerder"], password_hash="x", active=True, demo=False,
                                created_at=clock(), email="b.elders@example.nl"))
        uow.commit()

    with caplog.at_level(logging.WARNING, logger="zvt.accounts"):
        result = zvt("accounts", "break-glass", "--partner", "gemeente_heerenveen", "--username", "beheerder",
                     "--email", "beheerder@example.nl")

    assert result.exit_code == 0, result.output
    assert "beheerder account beheerder re-enabled; 1 other beheerders will be mailed" in result.output
    [warning] = [r.getMessage() for r in caplog.records if r.name == "zvt.accounts"]
    assert "break-glass" in warning and "@" not in warning and "Demo Beheerder" not in warning
    with demo_engine.database.unit_of_work(write=False) as uow:
        account = uow.session.scalar(select(Account).where(Account.username == "beheerder"))
        assert account.active and account.totp_secret is None and "beheerder" in account.roles
        events = uow.session.execute(select(AccountEvent.action, AccountEvent.actor)
                                     .where(AccountEvent.account_id == account.id)).all()
    assert ("noodtoegang", "break-glass") in events

    settings = outbox.MailSettings(host="127.0.0.1", port=smtp.port, sender="zvt@test.example",
                                   base_url="https://zvt.test", timeout=5)
    mail_sending.send_pending(demo_engine.database, settings, clock(), "test")
    assert [m.recipients for m in smtp.received] == [("b.elders@example.nl",)]
    assert "kreeg een bevoegde rol" in smtp.received[0].message["Subject"]

    path = LINK.search(result.output).group(1)
    app = build_app(database_url, clock, environment="development")
    person = AuthActions(client_for(app))
    form = {"wachtwoord": "een nieuw lang wachtwoord", "herhaling": "een nieuw lang wachtwoord"}
    assert person.post(path, form, token_from=path).status_code == 302
    assert person.post(path, form, token_from="/inloggen").status_code == 410
    assert person.login("beheerder", "een nieuw lang wachtwoord").status_code == 302
    app.extensions["zvt_engine"].close()


def test_break_glass_makes_the_first_account_of_a_new_installation(zvt, database_url, clock):
    result = zvt("accounts", "break-glass", "--partner", "gemeente_x", "--partner-name", "Gemeente X",
                 "--username", "Eerste.Beheerder", "--email", "eerste@gemeente-x.example", "--name", "Eerste Beheerder")
    assert result.exit_code == 0, result.output
    assert "beheerder account eerste.beheerder created; 0 other beheerders will be mailed" in result.output
    assert LINK.search(result.output)
    engine = Engine(database_url, clock=clock)
    with engine.database.unit_of_work(write=False) as uow:
        account = uow.session.scalar(select(Account))
        assert (account.username, account.partner_id, account.roles, account.demo) == (
            "eerste.beheerder", "gemeente_x", ["beheerder"], False)
        assert uow.session.get(Partner, "gemeente_x").name == "Gemeente X"
    engine.close()


def test_break_glass_refuses_an_unknown_partner_and_a_bad_address_in_one_line(zvt):
    unknown = CliRunner().invoke(main, ["accounts", "break-glass", "--partner", "nergens", "--username", "a.b",
                                        "--email", "a@b.example"])
    assert unknown.exit_code == 1 and unknown.output.startswith("error: unknown partner 'nergens'")
    bad = CliRunner().invoke(main, ["accounts", "break-glass", "--partner", "nergens", "--username", "a.b",
                                    "--email", "geen adres"])
    assert bad.exit_code == 1 and "not an e-mail address" in bad.output and "Traceback" not in bad.output
