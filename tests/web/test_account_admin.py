"""Account administration through the pages, on SQLite and PostgreSQL, with the mails sent over
real SMTP on loopback: a request (by a teamleider, by the contactpersoon's link), the gemachtigde's
approval or refusal through their link, the employee's activation link, the beheerder's actions
(switch off, take a role away, reset links) and the guard that keeps the last beheerder.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engine import accounts, api_clients, casework, mail_sending, outbox
from engine.db import Account, AccountEvent, AccountRequest, OutboxMail
from engine.identity import Origin, User
from tests.processes.conftest import FORMS, PROCESSES
from tests.processes.test_zvt_casus import aanmelding
from tests.web.conftest import AuthActions, add_account, client_for, totp_code

BASE_URL = "https://zvt.test"
NEW_PASSWORD = "een lange zin als wachtwoord"
WOONFRIESLAND = User("partnermedewerker", "Demo Medewerker WoonFriesland", "woonfriesland",
                     frozenset({"partnermedewerker"}))
REQUEST = {"partner": "gemeente_heerenveen", "naam": "Jet Jansen", "email": "jet.jansen@heerenveen.example",
           "functie": "wijkconsulent", "gebruikersnaam": "j.jansen", "rollen": ["partnermedewerker"],
           "reden": "Nieuwe wijkconsulent in het team."}


@pytest.fixture
def mail(engine, clock, smtp):
    """Sends what is queued, as the scheduler's round does, and returns the mails that arrived
    since the last call: (recipient, subject, the link in the text)."""
    settings = outbox.MailSettings(host="127.0.0.1", port=smtp.port, sender="zvt@test.example",
                                   base_url=BASE_URL, timeout=5)
    seen = [0]

    def deliver() -> list[tuple[str, str, str]]:
        mail_sending.send_pending(engine.database, settings, clock(), "test")
        new = smtp.received[seen[0]:]
        seen[0] = len(smtp.received)
        found = []
        for received in new:
            link = re.search(re.escape(BASE_URL) + r"(/\S+)", received.text)
            found.append((received.recipients[0], received.message["Subject"], link.group(1) if link else ""))
        return found

    return deliver


def _anonymous(app) -> AuthActions:
    return AuthActions(client_for(app))


def _link(mails, recipient: str, prefix: str) -> str:
    [link] = [link for to, _subject, link in mails if to == recipient and link.startswith(prefix)]
    return link


def _post_form(actions: AuthActions, path: str, data: dict):
    return actions.post(path, data, token_from=path)


def _request_and_approve(auth, app, mail, request=REQUEST):
    auth.login("teamleider")
    response = auth.post("/accounts/aanvragen", request, token_from="/accounts/aanvragen")
    assert response.status_code == 200, response.get_data(as_text=True)
    officer_link = _link(mail(), "gemachtigde.gemeente_heerenveen@example.nl", "/account/goedkeuren/")
    officer = _anonymous(app)
    page = officer.client.get(officer_link).get_data(as_text=True)
    assert request["naam"] in page and request["reden"] in page
    assert _post_form(officer, officer_link, {"besluit": "goedkeuren"}).status_code == 200
    return officer, officer_link


def test_a_teamleiders_request_is_approved_by_the_gemachtigde_and_the_employee_sets_a_password_once(
        engine, app, auth, clock, mail):
    officer, officer_link = _request_and_approve(auth, app, mail)

    with engine.database.unit_of_work(write=False) as uow:
        account = uow.session.scalar(select(Account).where(Account.username == "j.jansen"))
        assert account.active and account.roles == ["partnermedewerker"] and account.totp_secret is None
        events = {e.action: e for e in uow.session.scalars(
            select(AccountEvent).where(AccountEvent.account_id == account.id))}
        assert events["aangevraagd"].actor == "teamleider"
        approved = events["goedgekeurd"]
        assert approved.actor == "gemachtigde:gemeente_heerenveen" and approved.at == clock()
        assert approved.detail["gemachtigde"] == "Gemachtigde Gemeente Heerenveen"
        assert approved.detail["email"] == "gemachtigde.gemeente_heerenveen@example.nl"
        row = uow.session.scalar(select(AccountRequest))
        assert (row.status, row.officer_name, row.decided_at) == ("goedgekeurd", "Gemachtigde Gemeente Heerenveen",
                                                                  clock())
    # The link was used: a second decision is refused.
    assert officer.client.get(officer_link).status_code == 410

    activation = _link(mail(), "jet.jansen@heerenveen.example", "/account/activeren/")
    employee = _anonymous(app)
    assert employee.login("j.jansen", NEW_PASSWORD).status_code == 200  # no password yet: refused
    short = _post_form(employee, activation, {"wachtwoord": "kort", "herhaling": "kort"})
    assert short.status_code == 400 and "minstens 12 tekens" in short.get_data(as_text=True)
    done = _post_form(employee, activation, {"wachtwoord": NEW_PASSWORD, "herhaling": NEW_PASSWORD})
    assert done.status_code == 302 and done.location.endswith("/inloggen")
    again = employee.client.get(activation)
    assert again.status_code == 410 and "al gebruikt" in again.get_data(as_text=True)
    signed_in = employee.login("j.jansen", NEW_PASSWORD)
    assert signed_in.status_code == 302 and not signed_in.location.endswith("/inloggen")
    # The link's token is not kept in the outbox once the mail went out.
    with engine.database.unit_of_work(write=False) as uow:
        kept = uow.session.scalars(select(OutboxMail.link).where(OutboxMail.kind == "account_activeren")).all()
    assert kept == [""]


def test_an_expired_activation_link_is_refused(engine, app, auth, clock, mail):
    _request_and_approve(auth, app, mail)
    activation = _link(mail(), "jet.jansen@heerenveen.example", "/account/activeren/")
    clock.advance(hours=73)
    employee = _anonymous(app)
    refused = employee.post(activation, {"wachtwoord": NEW_PASSWORD, "herhaling": NEW_PASSWORD}, token_from="/inloggen")
    assert refused.status_code == 410 and "verlopen" in refused.get_data(as_text=True)


def test_the_contactpersoon_asks_through_the_link_without_signing_in_and_sees_only_their_partner(
        engine, app, auth, mail):
    auth.login("beheerder")
    auth.post("/beheer/accounts/partner/elkien/uitnodigen", token_from="/beheer/accounts/partner/elkien")
    link = _link(mail(), "contact.elkien@example.nl", "/account/aanvragen/")
    contact = _anonymous(app)
    page = contact.client.get(link).get_data(as_text=True)
    assert "Elkien" in page and "WoonFriesland" not in page and "Gemeente Heerenveen" not in page
    # Whatever partner the form names, the request is for the link's partner.
    sent = _post_form(contact, link, {**REQUEST, "partner": "gemeente_heerenveen", "gebruikersnaam": "p.smit"})
    assert sent.status_code == 200 and "verstuurd" in sent.get_data(as_text=True)
    with engine.database.unit_of_work(write=False) as uow:
        row = uow.session.scalar(select(AccountRequest))
        assert (row.partner_id, row.requested_by) == ("elkien", "contactpersoon:elkien")
    assert _link(mail(), "gemachtigde.elkien@example.nl", "/account/goedkeuren/")
    assert contact.client.get(link).status_code == 410


def test_a_refusal_needs_a_reason_and_records_who_and_why(engine, app, auth, clock, mail):
    auth.login("teamleider")
    auth.post("/accounts/aanvragen", REQUEST, token_from="/accounts/aanvragen")
    link = _link(mail(), "gemachtigde.gemeente_heerenveen@example.nl", "/account/goedkeuren/")
    officer = _anonymous(app)
    empty = _post_form(officer, link, {"besluit": "afwijzen", "reden": "  "})
    assert empty.status_code == 400 and "Schrijf op waarom u de aanvraag afwijst" in empty.get_data(as_text=True)
    assert _post_form(officer, link, {"besluit": "afwijzen", "reden": "Werkt niet in het team."}).status_code == 200
    with engine.database.unit_of_work(write=False) as uow:
        row = uow.session.scalar(select(AccountRequest))
        assert (row.status, row.refusal_reason, row.decided_by) == ("geweigerd", "Werkt niet in het team.",
                                                                     "gemachtigde:gemeente_heerenveen")
        assert "j.jansen" not in uow.session.scalars(select(Account.username)).all()


def test_bad_request_input_gets_dutch_messages_and_saves_nothing(engine, auth, mail):
    auth.login("teamleider")
    response = auth.post("/accounts/aanvragen", {**REQUEST, "email": "geen adres", "gebruikersnaam": "beheerder",
                                                 "rollen": []}, token_from="/accounts/aanvragen")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Dit is geen e-mailadres" in page and "bestaat al" in page and "Kies minstens één rol" in page
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(AccountRequest)) is None
    assert mail() == []


def test_a_teamleider_asks_only_for_their_own_organisation_and_never_reaches_the_beheer_pages(auth):
    auth.login("verantwoordelijke_woonfriesland")
    page = auth.client.get("/accounts/aanvragen").get_data(as_text=True)
    assert "WoonFriesland" in page and "Gemeente Heerenveen" not in page
    refused = auth.post("/accounts/aanvragen", REQUEST, token_from="/accounts/aanvragen")
    assert refused.status_code == 400 and "Voor deze organisatie kunt u geen account aanvragen" in refused.get_data(
        as_text=True)
    assert auth.client.get("/beheer/accounts").status_code == 403
    auth.login("partnermedewerker")
    assert auth.client.get("/accounts/aanvragen").status_code == 403


def test_switching_an_account_off_ends_its_live_session_at_the_next_click(engine, app, auth):
    employee = _anonymous(app)
    employee.login("partnermedewerker")
    assert employee.client.get("/taken").status_code == 200
    auth.login("beheerder")
    account_id = _account_id(engine, "partnermedewerker")
    page = auth.post(f"/beheer/accounts/account/{account_id}/uitzetten", follow_redirects=True,
                     token_from=f"/beheer/accounts/account/{account_id}").get_data(as_text=True)
    assert "Het account staat uit" in page and "uitgezet door een beheerder" in page
    after = employee.client.get("/taken")
    assert after.status_code == 302 and "/inloggen" in after.location


def test_the_last_beheerder_can_be_neither_switched_off_nor_lose_the_role_said_in_dutch(engine, auth):
    auth.login("beheerder")
    account_id = _account_id(engine, "beheerder")
    path = f"/beheer/accounts/account/{account_id}"
    off = auth.post(f"{path}/uitzetten", follow_redirects=True, token_from=path).get_data(as_text=True)
    assert "dit is het laatste actieve account met de rol beheerder" in off
    role = auth.post(f"{path}/rol-intrekken", {"rol": "beheerder"}, follow_redirects=True,
                     token_from=path).get_data(as_text=True)
    assert "dit is het laatste actieve account met de rol beheerder" in role
    with engine.database.unit_of_work(write=False) as uow:
        account = uow.session.get(Account, account_id)
        assert account.active and account.roles == ["beheerder"]


def test_a_role_is_taken_away_at_once_and_the_record_shows_who(engine, auth, clock):
    add_account(engine, "b.tweede", "wachtwoord van b", roles=("procesregisseur", "teamleider"))
    account_id = _account_id(engine, "b.tweede")
    auth.login("beheerder")
    path = f"/beheer/accounts/account/{account_id}"
    page = auth.post(f"{path}/rol-intrekken", {"rol": "teamleider"}, follow_redirects=True,
                     token_from=path).get_data(as_text=True)
    assert "is ingetrokken" in page and "Rol ingetrokken; rol: teamleider" in page and "Door: beheerder" in page
    only = auth.post(f"{path}/rol-intrekken", {"rol": "procesregisseur"}, follow_redirects=True,
                     token_from=path).get_data(as_text=True)
    assert "Dit is de enige rol van dit account" in only
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.get(Account, account_id).roles == ["procesregisseur"]


def test_a_privileged_role_is_approved_and_mailed_to_every_other_beheerder(engine, app, auth, mail):
    add_account(engine, "tweede.beheerder", "wachtwoord tweede", roles=("beheerder",))
    with engine.database.unit_of_work() as uow:
        uow.session.scalar(select(Account).where(Account.username == "tweede.beheerder")).email = "b2@example.nl"
        uow.commit()
    account_id = _account_id(engine, "teamleider")
    auth.login("beheerder")
    path = f"/beheer/accounts/account/{account_id}"
    asked = auth.post(f"{path}/rol-aanvragen", {"rollen": ["fg"], "reden": "Wordt FG van de gemeente."},
                      follow_redirects=True, token_from=path)
    assert "naar de gemachtigde van de partner gestuurd" in asked.get_data(as_text=True)
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.get(Account, account_id).roles == ["teamleider"]  # not before the gemachtigde says so
    link = _link(mail(), "gemachtigde.gemeente_heerenveen@example.nl", "/account/goedkeuren/")
    assert _post_form(_anonymous(app), link, {"besluit": "goedkeuren"}).status_code == 200
    told = [(to, subject) for to, subject, _link_ in mail() if "bevoegde rol" in subject]
    assert sorted(to for to, _ in told) == ["b2@example.nl", "beheerder@example.nl"]
    assert all("teamleider" in subject for _, subject in told)
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.get(Account, account_id).roles == ["teamleider", "fg"]


def test_switching_back_on_is_a_request_the_gemachtigde_approves(engine, app, auth, mail):
    account_id = _account_id(engine, "manager")
    auth.login("beheerder")
    path = f"/beheer/accounts/account/{account_id}"
    auth.post(f"{path}/uitzetten", token_from=path)
    auth.post(f"{path}/heractiveren-aanvragen", {"reden": "Terug van verlof."}, token_from=path)
    link = _link(mail(), "gemachtigde.accolade@example.nl", "/account/goedkeuren/")
    assert "Terug van verlof." in _anonymous(app).client.get(link).get_data(as_text=True)
    _post_form(_anonymous(app), link, {"besluit": "goedkeuren"})
    with engine.database.unit_of_work(write=False) as uow:
        account = uow.session.get(Account, account_id)
        assert account.active and account.deactivated_reason is None


def test_a_password_reset_link_goes_to_the_account_and_a_new_link_withdraws_the_old(engine, app, auth, mail):
    account_id = _account_id(engine, "procesregisseur")
    auth.login("beheerder")
    path = f"/beheer/accounts/account/{account_id}"
    auth.post(f"{path}/wachtwoord-link", token_from=path)
    first = _link(mail(), "procesregisseur@example.nl", "/account/wachtwoord/")
    auth.post(f"{path}/wachtwoord-link", token_from=path)
    second = _link(mail(), "procesregisseur@example.nl", "/account/wachtwoord/")
    person = _anonymous(app)
    assert person.client.get(first).status_code == 410
    assert "procesregisseur" in person.client.get(second).get_data(as_text=True)
    _post_form(person, second, {"wachtwoord": NEW_PASSWORD, "herhaling": NEW_PASSWORD})
    assert person.login("procesregisseur", "demo-procesregisseur").status_code == 200  # the old one: refused
    assert person.login("procesregisseur", NEW_PASSWORD).status_code == 302


def test_a_two_factor_reset_replaces_the_secret_only_through_the_link_and_with_the_password(
        engine, app, auth, clock, mail):
    old_secret = accounts.new_totp_secret()
    add_account(engine, "m.telefoon", "oud maar lang wachtwoord", totp_secret=old_secret)
    with engine.database.unit_of_work() as uow:
        uow.session.scalar(select(Account).where(Account.username == "m.telefoon")).email = "m@example.nl"
        uow.commit()
    person = _anonymous(app)
    person.login("m.telefoon", "oud maar lang wachtwoord", totp=totp_code(old_secret, clock()))
    # Signed in, the enrolment page does not replace a secret.
    assert person.client.get("/tweestapsverificatie").status_code == 302
    auth.login("beheerder")
    path = f"/beheer/accounts/account/{_account_id(engine, 'm.telefoon')}"
    auth.post(f"{path}/tweestap-link", token_from=path)
    link = _link(mail(), "m@example.nl", "/account/tweestap/")
    page = person.client.get(link).get_data(as_text=True)
    new_secret = "".join(re.search(r'zvt-secret">([A-Z2-7 ]+)<', page).group(1).split())
    clock.advance(minutes=1)
    wrong = _post_form(person, link, {"wachtwoord": "fout wachtwoord", "code": totp_code(new_secret, clock())})
    assert wrong.status_code == 400 and "Dit wachtwoord klopt niet" in wrong.get_data(as_text=True)
    done = _post_form(person, link, {"wachtwoord": "oud maar lang wachtwoord", "code": totp_code(new_secret, clock())})
    assert done.status_code == 302
    with engine.database.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(Account.totp_secret).where(Account.username == "m.telefoon")) == new_secret
    assert person.client.get(link).status_code == 410


def test_the_beheerders_pages_show_the_accounts_and_open_requests_of_a_partner(engine, auth, mail):
    auth.login("teamleider")
    auth.post("/accounts/aanvragen", REQUEST, token_from="/accounts/aanvragen")
    auth.login("beheerder")
    page = auth.client.get("/beheer/accounts/partner/gemeente_heerenveen").get_data(as_text=True)
    assert "Demo Procesregisseur" in page and "procesregisseur" in page
    assert "Jet Jansen (j.jansen)" in page and "Wacht op de gemachtigde" in page
    assert "Demo Medewerker WoonFriesland" not in page


def test_a_beheerder_opening_a_case_page_is_refused(engine, auth):
    engine.deploy(PROCESSES, FORMS)
    number = casework.start_case(engine, WOONFRIESLAND, "zvt_casus", aanmelding(), Origin("192.0.2.1", "test"))
    auth.login("beheerder")
    refused = auth.client.get(f"/casussen/{number}")
    assert refused.status_code == 403 and aanmelding()["betrokkene_naam"] not in refused.get_data(as_text=True)
    auth.login("procesregisseur")
    assert auth.client.get(f"/casussen/{number}").status_code == 200  # the page itself is there


def _account_id(engine, username: str) -> int:
    with engine.database.unit_of_work(write=False) as uow:
        return uow.session.scalar(select(Account.id).where(Account.username == username))



def test_the_gemachtigde_approves_an_api_client_on_the_same_page_and_only_then_its_token_works(
        engine, app, clock, mail):
    token = api_clients.add(engine.database, "elkien-crm", "Huurdersysteem Elkien", "elkien", ["partnermedewerker"],
                            "beheer-cli", clock(), reason="Het huurdersysteem meldt huurachterstanden aan.").token
    with pytest.raises(api_clients.TokenRefused, match="pending"):
        api_clients.admit(engine.database, token, clock())
    link = _link(mail(), "gemachtigde.elkien@example.nl", "/account/goedkeuren/")
    officer = _anonymous(app)
    page = officer.client.get(link).get_data(as_text=True)
    assert "Deze aanvraag is voor een computersysteem van uw organisatie, geen medewerker." in page
    assert "nieuwe API-koppeling" in page and "API-koppeling: Huurdersysteem Elkien" in page
    assert "Het huurdersysteem meldt huurachterstanden aan." in page and "E-mailadres" not in page
    assert "Rollen nu" not in page and "een beheerder, op de server" in page
    assert _post_form(officer, link, {"besluit": "goedkeuren"}).status_code == 200
    assert api_clients.admit(engine.database, token, clock()).user.username == "api-elkien-crm"
    assert [row.state for row in api_clients.clients(engine.database, clock())] == ["actief"]
