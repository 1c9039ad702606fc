"""`zvt api-clients` on SQLite and PostgreSQL, as the beheerder uses it on the server: a client added
with its token printed once, listed, given a new token, revoked, and mistakes refused with one line."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine import Engine, account_requests, api_clients, one_time_links
from engine.db import Account, AccountRequest, ApiClient, OutboxMail, Partner
from tests.web.api_support import officer_link
from tests.web.conftest import FAST_HASHER
from zvt import demo

TOKEN = re.compile(r"^(zvt_\S{43})$", re.MULTILINE)
REASON = ("--reason", "Het klantsysteem meldt huurachterstanden aan bij het zorg- en veiligheidsteam.")


@pytest.fixture
def engine(database_url):
    """On the real clock, as the commands are: a token they make expires counted from now."""
    engine = Engine(database_url)
    demo.load(engine, hasher=FAST_HASHER)
    yield engine
    engine.close()


def test_add_prints_a_token_once_that_admits_the_service_account(zvt, engine):
    result = zvt("api-clients", "add", "woonfriesland-crm", "--partner", "woonfriesland", "--role", "partnermedewerker",
                 "--name", "Klantsysteem WoonFriesland", *REASON, "--days", "30", "--per-minute", "120")
    assert result.exit_code == 0, result.output
    assert ("API client woonfriesland-crm added: service account api-woonfriesland-crm of woonfriesland, "
            "roles partnermedewerker, 120 requests per minute; its token works once the gemachtigde of "
            "woonfriesland approved it") in result.output
    [token] = TOKEN.findall(result.output)
    # Not before the gemachtigde, mailed in the same transaction, approved it.
    with pytest.raises(api_clients.TokenRefused, match="pending"):
        api_clients.admit(engine.database, token, engine.clock())
    assert "\twacht op de gemachtigde\t" in zvt("api-clients", "list").output
    with engine.database.unit_of_work(write=False) as uow:
        mailed_to = uow.session.scalar(select(OutboxMail.recipient).order_by(OutboxMail.id.desc()).limit(1))
    assert mailed_to == "gemachtigde.woonfriesland@example.nl"
    request = account_requests.for_officer(engine.database, officer_link(engine), engine.clock())
    assert (request.kind, request.username, request.reason) == ("koppeling", "api-woonfriesland-crm", REASON[1])
    account_requests.approve(engine.database, officer_link(engine), engine.clock())
    admitted = api_clients.admit(engine.database, token, engine.clock())
    assert (admitted.code, admitted.user.username, admitted.user.partner, admitted.user.roles) == (
        "woonfriesland-crm", "api-woonfriesland-crm", "woonfriesland", frozenset({"partnermedewerker"}))
    with engine.database.unit_of_work(write=False) as uow:
        stored = uow.session.scalar(select(ApiClient.token_hash))
        account = uow.session.scalar(select(Account).where(Account.username == "api-woonfriesland-crm"))
        assert (account.email, account.demo, account.display_name) == (
            None, False, "API-koppeling: Klantsysteem WoonFriesland")
    assert token not in stored

    listed = zvt("api-clients", "list")
    assert listed.exit_code == 0 and token not in listed.output
    [line] = [line for line in listed.output.splitlines() if line.startswith("woonfriesland-crm\t")]
    assert line.split("\t")[:5] == ["woonfriesland-crm", "woonfriesland", "api-woonfriesland-crm",
                                    "partnermedewerker", "actief"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", line.split("\t")[6])  # last used: the admit above
    assert line.split("\t")[7] == "120"


def test_renew_replaces_the_token_and_revoke_ends_it(zvt, engine):
    added = zvt("api-clients", "add", "elkien-crm", "--partner", "elkien", "--role", "partnermedewerker",
                "--name", "Huurdersysteem Elkien", *REASON)
    [old] = TOKEN.findall(added.output)
    account_requests.approve(engine.database, officer_link(engine), engine.clock())
    renewed = zvt("api-clients", "renew", "elkien-crm")
    assert renewed.exit_code == 0 and "the old one no longer works" in renewed.output
    [new] = TOKEN.findall(renewed.output)
    with pytest.raises(api_clients.TokenRefused, match="unknown"):
        api_clients.admit(engine.database, old, engine.clock())
    assert api_clients.admit(engine.database, new, engine.clock()).code == "elkien-crm"

    revoked = zvt("api-clients", "revoke", "elkien-crm")
    assert revoked.exit_code == 0 and "revoked; its service account is switched off" in revoked.output
    with pytest.raises(api_clients.TokenRefused, match="revoked"):
        api_clients.admit(engine.database, new, engine.clock())
    assert "was revoked already; nothing changed" in zvt("api-clients", "revoke", "elkien-crm").output
    assert "\tingetrokken\t" in zvt("api-clients", "list").output
    refused = zvt("api-clients", "renew", "elkien-crm")
    assert refused.exit_code == 1 and "was revoked; make a new one" in refused.output


@pytest.mark.parametrize("args, message", [
    (["--partner", "woonfriesland", "--role", "beheerder"], "role(s) beheerder not for an API client"),
    (["--partner", "onbekend", "--role", "partnermedewerker"], "partner 'onbekend' is not in the register"),
    (["--partner", "woonfriesland", "--role", "partnermedewerker", "--days", "1000"], "a token lives 1 to 730 days"),
    (["--partner", "woonfriesland", "--role", "partnermedewerker", "--per-minute", "0"], "1 to 10000 requests"),
])
def test_mistakes_are_refused_with_one_line_and_nothing_is_added(zvt, engine, args, message):
    result = zvt("api-clients", "add", "proef", "--name", "Proef", *REASON, *args)
    assert result.exit_code == 1 and result.output.startswith("error: ") and message in result.output
    assert result.output.count("\n") == 1
    assert zvt("api-clients", "list").output == "no API clients\n"


def test_a_partner_without_a_gemachtigde_gets_no_client_and_nothing_is_saved(zvt, engine):
    with engine.database.unit_of_work() as uow:
        uow.session.get(Partner, "elkien").officer_email = None
        uow.commit()
    result = zvt("api-clients", "add", "elkien-crm", "--partner", "elkien", "--role", "partnermedewerker",
                 "--name", "Huurdersysteem Elkien", *REASON)
    assert result.exit_code == 1 and "the partner has no gemachtigde's e-mail address" in result.output
    assert not TOKEN.findall(result.output)
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(Account.id).where(Account.username == "api-elkien-crm")) is None
        assert uow.session.scalar(select(AccountRequest.id)) is None
        assert uow.session.scalar(select(OutboxMail.id)) is None
    assert zvt("api-clients", "list").output == "no API clients\n"


def test_the_gemachtigde_refuses_a_client_and_its_token_never_works(zvt, engine):
    [token] = TOKEN.findall(zvt("api-clients", "add", "elkien-crm", "--partner", "elkien", "--role",
                                "partnermedewerker", "--name", "Huurdersysteem Elkien", *REASON).output)
    account_requests.refuse(engine.database, officer_link(engine), "Dit systeem gebruiken wij niet meer.",
                            engine.clock())
    with pytest.raises(api_clients.TokenRefused, match="revoked"):
        api_clients.admit(engine.database, token, engine.clock())
    assert "\tafgewezen door de gemachtigde\t" in zvt("api-clients", "list").output
    assert zvt("api-clients", "renew", "elkien-crm").exit_code == 1


def test_revoking_a_client_before_the_gemachtigde_decided_ends_their_link(zvt, engine):
    [token] = TOKEN.findall(zvt("api-clients", "add", "elkien-crm", "--partner", "elkien", "--role",
                                "partnermedewerker", "--name", "Huurdersysteem Elkien", *REASON).output)
    link = officer_link(engine)
    assert zvt("api-clients", "revoke", "elkien-crm").exit_code == 0
    with pytest.raises(one_time_links.LinkInvalid, match="used"):
        account_requests.approve(engine.database, link, engine.clock())
    with pytest.raises(api_clients.TokenRefused, match="revoked"):
        api_clients.admit(engine.database, token, engine.clock())
    with engine.database.unit_of_work(write=False) as uow:
        assert not uow.session.scalar(select(Account.active).where(Account.username == "api-elkien-crm"))


def test_an_unknown_client_cannot_be_revoked(zvt, engine):
    result = zvt("api-clients", "revoke", "bestaat-niet")
    assert result.exit_code == 1 and "API client 'bestaat-niet'" in result.output


def test_demo_data_adds_the_documented_api_client_of_woonfriesland_once(zvt, engine):
    first = zvt("demo-data")
    assert f"demo API client woonfriesland-crm of woonfriesland, token {demo.API_TOKEN}" in first.output
    assert "demo API client" not in zvt("demo-data").output
    assert api_clients.admit(engine.database, demo.API_TOKEN, engine.clock()).user.partner == "woonfriesland"
