"""Signing in through one's own organisation: OpenID Connect, one provider per partner.

Authlib's Flask client runs the authorization code flow with PKCE (S256) and a nonce against
the provider that the partner's settings name (engine/sso_settings.py, discovered through
`.well-known/openid-configuration`), and checks the id_token: its signature against the
provider's keys, `iss` (the configured issuer), `aud`, `exp`/`iat` on ZVT's clock, the nonce and
the access token's hash. engine/sso.py then decides which account that is. When the token shows
that the provider checked a second factor (`acr`/`amr`, per the partner's settings) the session
starts; otherwise the person goes to ZVT's own code step, exactly as after a password.

Logging out ends the ZVT session and, when the provider has an end_session_endpoint, sends the
browser there (web/auth.py logout calls `provider_logout`).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from authlib.oidc.core import CodeIDToken
from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, session, url_for
from joserfc.errors import JoseError

from engine import Engine, accounts
from engine import sso as engine_sso
from engine.sso_settings import SsoSettingsInvalid
from zvt.config import Config, ConfigError

from . import auth

log = logging.getLogger(__name__)
bp = Blueprint("sso", __name__)

# Seconds an id_token's exp/iat may be off ZVT's clock: a provider's clock a little ahead or behind.
LEEWAY = 60
# Seconds to wait for the provider's discovery, keys and token endpoint.
PROVIDER_TIMEOUT = 10
# The provider's metadata and keys are fetched again after this many seconds (a new signing key
# unknown to ZVT is fetched at once anyway, by Authlib).
CLIENT_LIFETIME = 3600
# The id_token is kept in the session for the logout's id_token_hint; a larger one (many groups)
# would overflow the cookie, so then the logout names the client instead (RP-Initiated Logout 1.0).
MAX_HINT_LENGTH = 2500

MESSAGES = {
    "unknown_partner": "Uw organisatie is bij ZVT niet bekend voor inloggen via uw organisatie, of uw account "
                       "hoort bij een andere organisatie. Kies de goede organisatie, of vraag de beheerder van "
                       "ZVT bij uw organisatie om hulp.",
    "not_linked": "U bent bij uw organisatie ingelogd, maar uw account in ZVT is nog niet gekoppeld aan het account "
                  "van uw organisatie. Vraag de beheerder van ZVT bij uw organisatie om dat te doen. Geef deze "
                  "code door: {subject}",
    "no_roles": "Uw organisatie heeft u geen rol in ZVT gegeven. Vraag de beheerder bij uw organisatie om een rol.",
    "failed": "Inloggen via uw organisatie is niet gelukt. Probeer het opnieuw. Lukt het weer niet? "
              "Vraag de beheerder van ZVT bij uw organisatie om hulp.",
    "unreachable": "De inlogdienst van uw organisatie is nu niet bereikbaar. Probeer het later opnieuw, of log in "
                   "met uw gebruikersnaam en wachtwoord als u die heeft.",
    "left_provider": "U bent uitgelogd bij ZVT en bij uw organisatie.",
}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.extensions["zvt_sso_clients"] = {}
    # The login page lists the partners whose people sign in through their organisation.
    app.jinja_env.globals["sso_partners"] = _listed_partners


def _engine() -> Engine:
    return current_app.extensions["zvt_engine"]


def _config() -> Config:
    return current_app.extensions["zvt_config"]


def _listed_partners() -> list[engine_sso.SsoPartner]:
    config = _config()
    listed = []
    for found in engine_sso.partners(_engine(), auth.now()):
        try:
            config.check_oidc_issuer(found.settings.issuer)
        except ConfigError:
            continue  # production: never offer the demo provider or one without TLS
        if config.oidc_client_secret(found.code) is not None:
            listed.append(found)
    return listed


def client_for(found: engine_sso.SsoPartner) -> FlaskOAuth2App:
    """The Authlib client of the partner's provider, with its discovered metadata. Raises
    ConfigError when production refuses the provider or the partner's secret is not set."""
    config = _config()
    settings = found.settings
    config.check_oidc_issuer(settings.issuer)
    secret = config.oidc_client_secret(found.code)
    if secret is None:
        raise ConfigError(f"partner {found.code} has single sign-on but no client secret: set "
                          f"ZVT_OIDC_CLIENT_SECRET_{found.code.upper()} or ZVT_OIDC_SECRETS_FILE")
    clients = current_app.extensions["zvt_sso_clients"]
    key = (repr(settings), secret)
    cached = clients.get(found.code)
    if cached is not None and cached[0] == key and time.monotonic() - cached[1] < CLIENT_LIFETIME:
        return cached[2]
    name = f"zvt_sso_{found.code}"
    client = FlaskOAuth2App(
        FlaskIntegration(name), name, client_id=settings.client_id, client_secret=secret,
        server_metadata_url=settings.discovery_url,
        client_kwargs={"scope": settings.scopes, "code_challenge_method": "S256",
                       "default_timeout": PROVIDER_TIMEOUT},
    )
    metadata = client.load_server_metadata()
    # OpenID Connect Discovery 1.0, 4.3: the metadata must be the configured issuer's own.
    if metadata.get("issuer") != settings.issuer:
        raise SsoSettingsInvalid(f"the provider's metadata names issuer {metadata.get('issuer')!r}, "
                                 f"not the configured {settings.issuer!r}")
    clients[found.code] = (key, time.monotonic(), client)
    return client


def id_token_checks(settings, moment: datetime) -> dict:
    """The arguments for Authlib's id_token check: the configured issuer only, and expiry and
    issue time on ZVT's clock (the engine's, which tests move), with LEEWAY."""
    at = int(moment.timestamp())

    class IdToken(CodeIDToken):
        def validate(self, now=None, leeway=0):
            super().validate(now=at, leeway=leeway)

    # aud explicitly: Authlib's own check lets a token with another audience through when its
    # azp names our client.
    return {"claims_options": {"iss": {"essential": True, "values": [settings.issuer]},
                               "aud": {"essential": True, "value": settings.client_id}},
            "claims_cls": IdToken, "leeway": LEEWAY}


def check_id_token(client: FlaskOAuth2App, settings, token: dict, nonce: str, moment: datetime):
    """Check an id_token the provider gave (`token` as the token endpoint returned it) the way
    the login does; returns its claims or raises Authlib's JoseError."""
    return client.parse_id_token(token, nonce=nonce, **id_token_checks(settings, moment))


def _refused(message: str, status: int = 200):
    session.pop("sso_next", None)
    return render_template("auth/login.html", error=message, username="", next_url=None), status


@bp.get("/inloggen/organisatie/<partner>")
@auth.public
def start(partner: str):
    """Send the browser to the partner's provider to sign in there."""
    if auth.current_user() is not None:
        return redirect(url_for("home.index"))
    try:
        found = engine_sso.partner(_engine(), partner, auth.now())
        client = client_for(found)
    except (engine_sso.UnknownPartner, accounts.AccountInactive):
        return _refused(MESSAGES["unknown_partner"], 404)
    except (ConfigError, SsoSettingsInvalid) as exc:
        log.error("single sign-on for partner %s is not usable: %s", partner[:64], exc)
        return _refused(MESSAGES["failed"], 503)
    except (requests.RequestException, ValueError) as exc:
        log.warning("provider of partner %s unreachable: %s", partner[:64], type(exc).__name__)
        return _refused(MESSAGES["unreachable"], 503)
    session["sso_next"] = auth.safe_next(request.args.get("next"))
    extra = {"acr_values": found.settings.acr_values} if found.settings.acr_values else {}
    return client.authorize_redirect(_callback_url(found.code), **extra)


@bp.get("/inloggen/organisatie/<partner>/terug")
@auth.public
def callback(partner: str):
    """The provider sends the browser back here with a code; the code becomes tokens, the
    id_token is checked, and its claims are mapped to an account."""
    moment = auth.now()
    engine = _engine()
    try:
        found = engine_sso.partner(engine, partner, moment)
        client = client_for(found)
        token = client.authorize_access_token(**id_token_checks(found.settings, moment))
        claims = token.get("userinfo")
        if not claims:
            raise OAuthError(error="no_id_token", description="the token response has no id_token")
    except (engine_sso.UnknownPartner, accounts.AccountInactive):
        return _refused(MESSAGES["unknown_partner"], 403)
    except (ConfigError, SsoSettingsInvalid) as exc:
        log.error("single sign-on for partner %s is not usable: %s", partner[:64], exc)
        return _refused(MESSAGES["failed"], 503)
    except (OAuthError, JoseError) as exc:
        # A refused, expired, tampered or replayed answer: counts as a failed login.
        log.warning("single sign-on via %s refused: %s %s", partner[:64], type(exc).__name__,
                    getattr(exc, "error", ""))
        engine_sso.record_refusal(engine, partner, auth.origin(), moment)
        return _refused(MESSAGES["failed"], 403)
    except requests.RequestException as exc:
        log.warning("provider of partner %s unreachable: %s", partner[:64], type(exc).__name__)
        return _refused(MESSAGES["unreachable"], 503)

    config = _config()
    try:
        signed_in = engine_sso.sign_in(engine, partner, claims, auth.origin(), moment,
                                       refuse_demo=config.is_production)
    except engine_sso.UnknownPartner:
        return _refused(MESSAGES["unknown_partner"], 403)
    except engine_sso.NotLinked as exc:
        return _refused(MESSAGES["not_linked"].format(subject=exc.subject), 403)
    except engine_sso.NoRoles:
        return _refused(MESSAGES["no_roles"], 403)
    except accounts.AccountInactive:
        return _refused(auth.MESSAGES["inactive"], 403)
    except accounts.DemoAccountRefused:
        return _refused(auth.MESSAGES["demo"], 403)

    account = accounts.load_account(engine, signed_in.username)
    if account is None:
        return _refused(auth.MESSAGES["inactive"], 403)
    id_token = token.get("id_token", "")
    kept = {"partner": partner, "id_token": id_token if len(id_token) <= MAX_HINT_LENGTH else None}
    return auth.continue_login(account, session.pop("sso_next", None), second_factor_done=signed_in.mfa,
                               sso=kept)


def provider_logout(kept: dict | None):
    """After the ZVT session ended: the page that sends the browser on to the provider's end
    session endpoint, or None when there is none (or the provider cannot be reached)."""
    if not kept or not kept.get("partner"):
        return None
    try:
        found = engine_sso.partner(_engine(), kept["partner"], auth.now())
        client = client_for(found)
        extra = {} if kept.get("id_token") else {"client_id": found.settings.client_id}
        url = client.create_logout_url(post_logout_redirect_uri=_base_url() + url_for("sso.logged_out"),
                                       id_token_hint=kept.get("id_token"), **extra)["url"]
    except RuntimeError:
        return None  # the provider has no end_session_endpoint
    except Exception as exc:  # noqa: BLE001 - logging out at ZVT has happened; the provider is extra
        log.warning("no logout at the provider of partner %s: %s", str(kept["partner"])[:64], type(exc).__name__)
        return None
    # A page, not a redirect: the logout was a form's POST, and the page's policy allows forms to
    # go to this site only (web/security.py, form-action 'self'); the page moves on by itself.
    return render_template("auth/sso_logout.html", url=url)


@bp.get("/inloggen/organisatie/uitgelogd")
@auth.public
def logged_out():
    """Where the provider sends the browser back after its logout."""
    flash(MESSAGES["left_provider"], "ok")
    return redirect(url_for("auth.login"))


def _callback_url(code: str) -> str:
    # From ZVT_BASE_URL, not from the request's Host header: the address registered at the
    # provider, which a forged Host header cannot change.
    return _base_url() + url_for("sso.callback", partner=code)


def _base_url() -> str:
    return _config().mail.base_url
