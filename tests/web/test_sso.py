"""Signing in through one's organisation against a real OpenID Connect provider on loopback
(npm oidc-provider, tests/oidc_provider.py): the whole code flow over HTTP, on both databases."""
from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone
from html import unescape

import pytest
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import JoseError
from sqlalchemy import select

from engine import sso as engine_sso
from engine.db import Account, AccountEvent, LoginAttempt, Partner
from tests.conftest import Clock
from tests.oidc_provider import APP_BASE, CLIENT_ID, CLIENT_SECRET, ProviderBrowser
from tests.web.conftest import AuthActions, add_account, build_app, client_for, totp_code
from tests.web.conftest import account_row as account
from web import sso as web_sso
from zvt.config import ConfigError

SECRETS = {"oidc_client_secrets": {"gemeente_heerenveen": CLIENT_SECRET, "woonfriesland": CLIENT_SECRET}}


@pytest.fixture
def clock() -> Clock:
    # The provider signs with the real time; the app's clock starts there and tests move it.
    return Clock(datetime.now(timezone.utc).replace(microsecond=0))


def set_sso(engine, partner: str, settings: dict | None) -> None:
    with engine.database.unit_of_work() as uow:
        uow.session.get(Partner, partner).sso = settings
        uow.commit()


def link(engine, username: str, issuer: str, subject: str) -> None:
    with engine.database.unit_of_work() as uow:
        account = uow.session.scalar(select(Account).where(Account.username == username))
        account.external_issuer, account.external_subject = issuer, subject
        uow.commit()


def attempts(engine) -> list[tuple[str, bool]]:
    with engine.database.unit_of_work(write=False) as uow:
        return [(a.username, a.success) for a in uow.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id))]


@pytest.fixture
def sso(engine, oidc_provider):
    """The municipality signs in through the test provider: accounts anna (MFA at the provider)
    and bram (a password only, with ZVT's TOTP) are linked; WoonFriesland shares the provider
    and takes the people whose `organisation` claim names it, with the provider's roles."""
    set_sso(engine, "gemeente_heerenveen", oidc_provider.settings())
    set_sso(engine, "woonfriesland", oidc_provider.settings(
        partner_claim={"claim": "organisation", "value": "woonfriesland"}, roles_from_idp=True,
        roles_claim="roles", role_map={"ZVT-Medewerker": "partnermedewerker"}))
    add_account(engine, "anna", "an-unused-password", roles=("procesregisseur",), display_name="A. de Vries")
    add_account(engine, "bram", "an-unused-password", roles=("teamleider",), totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    add_account(engine, "carla", "an-unused-password", partner="woonfriesland", roles=("manager",))
    link(engine, "anna", oidc_provider.issuer, "sub-anna")
    link(engine, "bram", oidc_provider.issuer, "sub-bram")
    link(engine, "carla", oidc_provider.issuer, "sub-carla")
    return oidc_provider


@pytest.fixture
def app(engine, database_url, clock, sso):
    app = build_app(database_url, clock, environment="development", **SECRETS)
    yield app
    app.extensions["zvt_engine"].close()


@pytest.fixture
def browser() -> ProviderBrowser:
    return ProviderBrowser()


def sign_in(client, browser, login: str, partner: str = "gemeente_heerenveen", *, deliver=True):
    """Choose the organisation on the login page, sign in at its provider, come back."""
    page = client.get("/inloggen").get_data(as_text=True)
    assert f'href="/inloggen/organisatie/{partner}"' in page
    response = client.get(f"/inloggen/organisatie/{partner}")
    assert response.status_code == 302, response.get_data(as_text=True)
    back = browser.sign_in(response.location, login)
    return client.get(back) if deliver else back


def test_the_login_page_offers_the_organisations_with_single_sign_on(client):
    page = client.get("/inloggen").get_data(as_text=True)
    assert "Inloggen via uw organisatie" in page
    assert 'href="/inloggen/organisatie/gemeente_heerenveen">Gemeente Heerenveen</a>' in page
    assert 'href="/inloggen/organisatie/woonfriesland">WoonFriesland</a>' in page
    assert "/inloggen/organisatie/politie" not in page  # no settings: local accounts only


def test_the_authorization_request_uses_pkce_a_nonce_and_the_discovered_endpoint(client, sso):
    response = client.get("/inloggen/organisatie/gemeente_heerenveen")
    assert response.status_code == 302
    location = response.location
    assert location.startswith(f"{sso.issuer}/auth?")
    for part in ("response_type=code", f"client_id={CLIENT_ID}", "code_challenge_method=S256", "code_challenge=",
                 "nonce=", "state=", "scope=openid+profile+email",
                 "redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Finloggen%2Forganisatie%2Fgemeente_heerenveen%2Fterug"):
        assert part in location


def test_a_user_with_mfa_at_the_provider_is_signed_in(client, engine, browser):
    response = sign_in(client, browser, "anna")
    assert response.status_code == 302 and response.location == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Anna de Vries" in home  # the name claim, mapped onto the account
    anna = account(engine, "anna")
    assert anna.display_name == "Anna de Vries" and anna.email == "anna@gemeente.example"
    assert anna.roles == ["procesregisseur"]  # roles stay ZVT's: this partner's provider does not decide them
    assert attempts(engine)[-1] == ("anna", True)


def test_a_user_without_mfa_at_the_provider_gets_the_totp_step(client, engine, browser, clock):
    response = sign_in(client, browser, "bram")
    assert response.status_code == 302 and response.location.endswith("/inloggen/code")
    assert client.get("/").status_code == 302  # not in yet
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/inloggen/code").get_data(as_text=True))
    response = client.post("/inloggen/code", data={"csrf_token": token.group(1),
                                                   "code": totp_code("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", clock.now)})
    assert response.status_code == 302 and response.location == "/"
    assert "Bram Jansen" in client.get("/").get_data(as_text=True)


def test_mfa_by_acr_and_roles_from_the_provider(client, engine, browser):
    response = sign_in(client, browser, "carla", "woonfriesland")
    assert response.status_code == 302 and response.location == "/"
    carla = account(engine, "carla")
    # "ZVT-Medewerker" maps to partnermedewerker; "Kantine" maps to nothing; manager was ZVT's grant
    assert carla.roles == ["partnermedewerker"]
    with engine.database.unit_of_work(write=False) as uow:
        event = uow.session.scalar(select(AccountEvent).where(AccountEvent.account_id == carla.id))
        assert event.action == "rollen_gewijzigd" and event.actor == "sso:woonfriesland"
        assert event.detail == {"voor": ["manager"], "na": ["partnermedewerker"]}


def test_a_user_whose_claims_name_another_partner_is_refused(client, engine, browser):
    response = sign_in(client, browser, "eva", "woonfriesland")
    assert response.status_code == 403
    assert "Uw organisatie is bij ZVT niet bekend" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert attempts(engine)[-1] == ("sso:woonfriesland", False)


def test_a_partner_without_single_sign_on_or_unknown_is_refused(client):
    for partner in ("politie", "onbekend"):
        response = client.get(f"/inloggen/organisatie/{partner}")
        assert response.status_code == 404
        assert "niet bekend" in response.get_data(as_text=True)


def test_settings_removed_during_the_sign_in_refuse_it(client, engine, browser):
    back = sign_in(client, browser, "anna", deliver=False)
    set_sso(engine, "gemeente_heerenveen", None)
    response = client.get(back)
    assert response.status_code == 403 and client.get("/").status_code == 302


def test_a_partner_that_left_is_refused(client, engine, browser, clock):
    back = sign_in(client, browser, "anna", deliver=False)
    with engine.database.unit_of_work() as uow:
        uow.session.get(Partner, "gemeente_heerenveen").left_on = clock.now.date().isoformat()
        uow.commit()
    response = client.get(back)
    assert response.status_code == 403 and client.get("/").status_code == 302
    assert "/inloggen/organisatie/gemeente_heerenveen" not in client.get("/inloggen").get_data(as_text=True)


def test_an_inactive_account_is_refused(client, engine, browser):
    with engine.database.unit_of_work() as uow:
        uow.session.scalar(select(Account).where(Account.username == "anna")).active = False
        uow.commit()
    response = sign_in(client, browser, "anna")
    assert response.status_code == 403
    assert "Uw account is niet actief" in response.get_data(as_text=True)
    assert attempts(engine)[-1] == ("anna", False)


def test_an_unlinked_user_is_refused_with_the_code_for_the_beheerder(client, engine, browser):
    add_account(engine, "dirk", "an-unused-password")
    with engine.database.unit_of_work() as uow:
        uow.session.scalar(select(Account).where(Account.username == "dirk")).email = "dirk@gemeente.example"
        uow.commit()
    response = sign_in(client, browser, "dirk")
    assert response.status_code == 403
    text = unescape(response.get_data(as_text=True))
    assert "nog niet gekoppeld" in text and "Vraag de beheerder" in text and "sub-dirk" in text
    assert account(engine, "dirk").external_subject is None  # the settings do not allow linking by e-mail


def test_the_beheerder_links_an_account_with_the_code_the_refused_login_showed_and_it_signs_in(app, client, engine,
                                                                                              browser):
    add_account(engine, "dirk", "an-unused-password")
    dirk = account(engine, "dirk")
    refused = unescape(sign_in(client, browser, "dirk").get_data(as_text=True))
    code = re.search(r"Geef deze code door: ([^\s<]+)", refused).group(1)

    beheerder = AuthActions(client_for(app))
    beheerder.login("beheerder")
    page = f"/beheer/accounts/account/{dirk.id}"
    assert "nog niet gekoppeld" in beheerder.client.get(page).get_data(as_text=True)
    # A code that is not one, or one another account has, is refused in Dutch and links nothing.
    empty = beheerder.post(f"{page}/sso-koppelen", {"code": "  "}, token_from=page)
    assert empty.status_code == 400 and "Vul de code in die de medewerker zag." in empty.get_data(as_text=True)
    taken = beheerder.post(f"{page}/sso-koppelen", {"code": "sub-anna"}, token_from=page)
    assert taken.status_code == 400 and "Deze code hoort al bij het account anna." in \
        unescape(taken.get_data(as_text=True))
    assert account(engine, "dirk").external_subject is None

    linked = beheerder.post(f"{page}/sso-koppelen", {"code": code}, token_from=page)
    assert linked.status_code == 302
    assert "Het account is gekoppeld." in beheerder.client.get(page).get_data(as_text=True)
    response = sign_in(client, ProviderBrowser(), "dirk")
    assert response.status_code == 302 and response.location == "/", unescape(response.get_data(as_text=True))

    # Undoing the link ends dirk's session at his next click, and it is in the account's history.
    assert beheerder.post(f"{page}/sso-ontkoppelen", token_from=page).status_code == 302
    assert client.get("/").status_code == 302
    history = unescape(beheerder.client.get(page).get_data(as_text=True))
    assert "Gekoppeld aan het account bij de eigen organisatie" in history
    assert "Koppeling met het account bij de eigen organisatie opgeheven" in history


def test_a_first_login_links_by_verified_email_when_allowed(client, engine, browser, sso):
    set_sso(engine, "gemeente_heerenveen", sso.settings(link_by_email=True))
    add_account(engine, "dirk", "an-unused-password")
    add_account(engine, "frank", "an-unused-password")
    with engine.database.unit_of_work() as uow:
        for username in ("dirk", "frank"):
            uow.session.scalar(select(Account).where(Account.username == username)).email = \
                f"{username.upper()}@gemeente.example"
        uow.commit()
    response = sign_in(client, browser, "dirk")
    assert response.status_code == 302 and response.location == "/"
    dirk = account(engine, "dirk")
    assert (dirk.external_issuer, dirk.external_subject) == (sso.issuer, "sub-dirk")
    # Frank's provider does not vouch for his address: no link.
    other = ProviderBrowser()
    client.post("/uitloggen", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                             client.get("/").get_data(as_text=True)).group(1)})
    response = sign_in(client, other, "frank")
    assert response.status_code == 403 and account(engine, "frank").external_subject is None


def test_logout_ends_the_session_here_and_at_the_provider(client, engine, browser, sso):
    sign_in(client, browser, "anna")
    epoch = account(engine, "anna").session_epoch
    assert browser.signed_in_at(sso)
    cookie = client.get_cookie("zvt_session").value
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    page = client.post("/uitloggen", data={"csrf_token": token})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    url = unescape(re.search(r'id="uitloggen-organisatie" href="([^"]+)"|href="([^"]+)" id="uitloggen-organisatie"',
                             html).group(0).split('href="')[1].split('"')[0])
    assert '<meta http-equiv="refresh" content="0;url=' in html
    assert url.startswith(f"{sso.issuer}/session/end?") and "id_token_hint=" in url
    assert "post_logout_redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Finloggen%2Forganisatie%2Fuitgelogd" in url
    assert account(engine, "anna").session_epoch == epoch + 1  # every session of the account ended
    client.set_cookie("zvt_session", cookie)  # a copy of the old cookie no longer works
    assert client.get("/").status_code == 302
    back = browser.end_session(url)
    assert back.startswith("/inloggen/organisatie/uitgelogd?state=")
    response = client.get(back, follow_redirects=True)
    assert "U bent uitgelogd bij ZVT en bij uw organisatie." in response.get_data(as_text=True)
    assert not browser.signed_in_at(sso)  # the provider's session ended too


def test_an_expired_id_token_is_refused(client, engine, browser, clock):
    back = sign_in(client, browser, "anna", deliver=False)
    # The provider's id_tokens live an hour; the code comes back after the hour and the leeway.
    clock.advance(seconds=3600 + web_sso.LEEWAY + 5)
    response = client.get(back)
    assert response.status_code == 403
    assert "Inloggen via uw organisatie is niet gelukt" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert attempts(engine)[-1] == ("sso:gemeente_heerenveen", False)


def test_a_replayed_callback_is_refused(client, browser):
    back = sign_in(client, browser, "anna", deliver=False)
    assert client.get(back).status_code == 302
    client.get("/inloggen")  # still signed in: the state was used up
    other = client_for(client.application)
    assert other.get(back).status_code == 403  # another browser with the same code and state


def _real_id_token(provider) -> tuple[dict, str]:
    """An id_token issued by the provider in a code flow of its own (PKCE, nonce), and the nonce."""
    session = OAuth2Session(CLIENT_ID, CLIENT_SECRET, scope="openid profile email",
                            redirect_uri="http://127.0.0.1:5000/test-rp", code_challenge_method="S256")
    verifier = "v" * 64
    nonce = "nonce-of-this-test"
    url, state = session.create_authorization_url(f"{provider.issuer}/auth", nonce=nonce, code_verifier=verifier)
    back = ProviderBrowser().sign_in(url, "anna")
    token = session.fetch_token(f"{provider.issuer}/token", authorization_response=APP_BASE + back,
                                code_verifier=verifier)
    return token, nonce


def _tamper(id_token: str, **changes) -> str:
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


def test_a_tampered_id_token_is_refused(app, engine, sso, clock):
    token, nonce = _real_id_token(sso)
    with app.test_request_context():
        found = engine_sso.partner(engine, "gemeente_heerenveen", clock.now)
        client = web_sso.client_for(found)
        claims = web_sso.check_id_token(client, found.settings, token, nonce, clock.now)
        assert claims["sub"] == "sub-anna"  # the real token passes
        for changed in (_tamper(token["id_token"], sub="sub-bram"),  # another person
                        _tamper(token["id_token"], amr=["pwd", "otp", "mfa"]),  # a second factor claimed
                        token["id_token"].rsplit(".", 1)[0] + ".",  # the signature taken off
                        "eyJhbGciOiJub25lIn0." + token["id_token"].split(".")[1] + "."):  # alg none
            with pytest.raises(JoseError):
                web_sso.check_id_token(client, found.settings, dict(token, id_token=changed), nonce, clock.now)
        with pytest.raises(JoseError):  # a token for another login (another nonce)
            web_sso.check_id_token(client, found.settings, token, "another-nonce", clock.now)


def test_production_refuses_the_demo_provider_and_plain_http(database_url, clock, engine, sso):
    from tests.web.conftest import PRODUCTION_AUDIT_KEY, PRODUCTION_SECRET
    from zvt.config import DEMO_OIDC_ISSUER, Config

    config = Config(database_url=database_url, environment="production", secret_key=PRODUCTION_SECRET,
                    audit_key=PRODUCTION_AUDIT_KEY)
    for issuer in (DEMO_OIDC_ISSUER, DEMO_OIDC_ISSUER + "/", sso.issuer, "http://idp.gemeente.example"):
        with pytest.raises(ConfigError):
            config.check_oidc_issuer(issuer)
    config.check_oidc_issuer("https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0")
