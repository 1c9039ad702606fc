"""Signing in and out, and who is asking.

Deny by default: `init_app` puts a check before every request, so every page needs a
signed-in user unless its endpoint is listed in PUBLIC_ENDPOINTS or its view is marked
with @public. The session cookie holds only the username, when the person signed in and
was last active, and the account's session epoch; the User is loaded from the database on
every request, so a switched-off account loses access at its next click.
"""
from __future__ import annotations

import functools
import math
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup

from engine import Engine, accounts
from engine.accounts import AccountView
from engine.identity import Origin, User
from zvt.config import Config

bp = Blueprint("auth", __name__)

# Endpoints anyone may reach: signing in itself, the health check for the load balancer,
# and files without personal data. Everything else needs a signed-in user.
# The probes and /metrics answer without a session; /metrics checks its scraper itself (web/metrics.py).
PROBES = frozenset({"probes.health", "probes.ready", "metrics.scrape"})
PUBLIC_ENDPOINTS = {"auth.login", "auth.login_code", "auth.enrol", "static", "vendor.file", *PROBES}
# Requests that never touch the session: no account lookup, no activity update.
_SESSIONLESS_ENDPOINTS = frozenset({"static", "vendor.file", *PROBES})
# Addresses that never use the session: the REST API (web/api/) signs its requests in with a token,
# and answers an address it does not have with its own 404, not with the login page.
_SESSIONLESS_PREFIX = "/api/"

# Between a correct password and the code: long enough to find the phone, short enough
# that a half-finished login left on a shared screen cannot be finished by someone else.
PENDING_LOGIN_LIFETIME = timedelta(minutes=5)

TIMEOUT_MESSAGE = "U bent uitgelogd omdat u een tijd niets heeft gedaan."
LIFETIME_MESSAGE = "U bent uitgelogd omdat u al {uren} uur bent ingelogd. Log opnieuw in."
MESSAGES = {
    "missing": "Vul uw gebruikersnaam en uw wachtwoord in.",
    "wrong": "De gebruikersnaam of het wachtwoord klopt niet.",
    "inactive": "Uw account is niet actief. Neem contact op met de beheerder van uw organisatie.",
    "demo": "Dit is een demo-account. Demo-accounts kunt u hier niet gebruiken.",
    # {wacht}: "20 seconden", "12 minuten" (_duration).
    "limited": "U heeft te vaak een verkeerde gebruikersnaam, wachtwoord of code ingevuld. "
               "Wacht {wacht} en probeer het dan opnieuw.",
    "limited_address": "Vanaf uw computer of netwerk is te vaak een verkeerde gebruikersnaam, wachtwoord of code "
                       "ingevuld. Wacht {wacht} en probeer het dan opnieuw.",
    "code": "Deze code klopt niet. Vul de 6 cijfers in die de app nu laat zien.",
    "pending_expired": "Het inloggen duurde te lang. Log opnieuw in.",
    "ended": "U bent uitgelogd. Log opnieuw in.",
    "logged_out": "U bent uitgelogd.",
    "enrolled": "Tweestapsverificatie staat aan.",
    "already_enrolled": "Tweestapsverificatie staat al aan voor uw account.",
}


# -- for other views ----------------------------------------------------------------

def public(view):
    """Mark a view as reachable without signing in (use sparingly: it holds no personal data)."""
    view.zvt_public = True
    return view


def current_user() -> User | None:
    """The signed-in User for this request, or None."""
    account = current_account()
    return account.user if account is not None else None


def signed_in_user() -> User:
    """The signed-in User, in a view that only a signed-in user reaches: the app-wide check sends
    everyone else to /inloggen first (a view marked @public asks current_user() instead)."""
    user = current_user()
    if user is None:
        raise RuntimeError("a view for signed-in users ran without one")
    return user


def current_account() -> AccountView | None:
    """The signed-in account with its partner's name and whether it has TOTP, or None."""
    return g.get("zvt_account")


def login_required(view):
    """Redirect to /inloggen when nobody is signed in. The app-wide check already does
    this for every view; the decorator documents it and guards a view marked @public."""
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return redirect(_login_url())
        return view(*args, **kwargs)
    return wrapped


def now() -> datetime:
    """The request's moment, from the app's clock (tests move it)."""
    return current_app.extensions["zvt_clock"]()


def origin() -> Origin:
    """Where this request came from, for the access log and the login limits."""
    return Origin(ip=request.remote_addr or "", device=(request.user_agent.string or "")[:255])


# -- wiring ---------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.before_request(_check_session)
    app.context_processor(lambda: {"zvt_account": current_account()})


def _engine() -> Engine:
    return current_app.extensions["zvt_engine"]


def _config() -> Config:
    return current_app.extensions["zvt_config"]


def _is_public(endpoint: str | None) -> bool:
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    view = current_app.view_functions.get(endpoint) if endpoint else None
    return bool(getattr(view, "zvt_public", False))


def _check_session():
    endpoint = request.endpoint
    if endpoint in _SESSIONLESS_ENDPOINTS or request.path.startswith(_SESSIONLESS_PREFIX):
        return None
    if "username" in session:
        moment = now().timestamp()
        idle = timedelta(minutes=_config().session_idle_minutes).total_seconds()
        if moment - session.get("seen_at", 0) > idle:
            # A task form sent now is kept as a draft for this account (web/drafts.py).
            keep = current_app.extensions.get("zvt_keep_after_timeout")
            kept = keep(dict(session)) if keep is not None else None  # (address, message) or None
            session.clear()
            flash(TIMEOUT_MESSAGE, "warning")
            if kept is not None:
                flash(kept[1], "info")
                return redirect(url_for("auth.login", next=kept[0]))
            return None if _is_public(endpoint) else redirect(_login_url())
        # However busy: a session ends a fixed time after logging in, so a cookie that was
        # copied or left in a browser cannot be kept alive for days by clicking now and then.
        # A cookie without login_at (none is written without it) counts as too old.
        hours = _config().session_max_hours
        if moment - session.get("login_at", 0) > timedelta(hours=hours).total_seconds():
            session.clear()
            flash(LIFETIME_MESSAGE.format(uren=hours), "warning")
            return None if _is_public(endpoint) else redirect(_login_url())
        account = accounts.load_account(_engine(), session["username"])
        if (account is None or account.session_epoch != session.get("epoch")
                or (account.demo and _config().is_production)):
            session.clear()
            flash(MESSAGES["ended"], "warning")
            return None if _is_public(endpoint) else redirect(_login_url())
        g.zvt_account = account
        session["seen_at"] = moment
        return None
    if _is_public(endpoint):
        return None
    return redirect(_login_url())


def _login_url() -> str:
    # Only a GET can be repeated after signing in; a POST's data is gone anyway.
    if request.method == "GET" and request.endpoint is not None:
        here = request.full_path if request.query_string else request.path
        return url_for("auth.login", next=here)
    return url_for("auth.login")


def safe_next(value: str | None) -> str | None:
    """A path on this site to return to after signing in; anything else is dropped, so a
    link cannot send a person from our login page to a look-alike site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def _start_session(username: str, next_url: str | None, sso: dict | None = None):
    account = accounts.load_account(_engine(), username)
    if account is None:
        session.clear()
        return _login_page(MESSAGES["inactive"])
    # A fresh session at every login: nothing from before signing in is carried over.
    session.clear()
    moment = now().timestamp()
    session.update(username=username, login_at=moment, seen_at=moment, epoch=account.session_epoch)
    if sso:
        session["sso"] = sso  # signed in through the organisation: log out there too
    return redirect(safe_next(next_url) or url_for("home.index"))


def _pending_username() -> str | None:
    """The username whose password was right and who still has to give a code."""
    username, started = session.get("pending_username"), session.get("pending_at", 0)
    if username is None:
        return None
    if now().timestamp() - started > PENDING_LOGIN_LIFETIME.total_seconds():
        session.clear()
        flash(MESSAGES["pending_expired"], "warning")
        return None
    return username


def _duration(wait: timedelta) -> str:
    """A wait in Dutch words, rounded up: "1 seconde", "45 seconden", "3 minuten"."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 120:
        return f"{seconds} seconde" if seconds == 1 else f"{seconds} seconden"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minuten"


def _limited_message(exc: accounts.TooManyAttempts) -> tuple[str, dict[str, str]]:
    """The Dutch message saying how long to wait, and the Retry-After header that says the same."""
    key = "limited_address" if exc.per_address else "limited"
    seconds = max(1, math.ceil(exc.retry_after.total_seconds()))
    return MESSAGES[key].format(wacht=_duration(exc.retry_after)), {"Retry-After": str(seconds)}


def _login_page(error: str | None = None, *, username: str = "", next_url: str | None = None, status: int = 200):
    return render_template("auth/login.html", error=error, username=username, next_url=next_url), status


# -- views ----------------------------------------------------------------------------

@bp.route("/inloggen", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    if current_user() is not None:
        return redirect(next_url or url_for("home.index"))
    if request.method == "GET":
        return _login_page(next_url=next_url)

    username = request.form.get("gebruikersnaam", "").strip()
    password = request.form.get("wachtwoord", "")
    if not username or not password:
        return _login_page(MESSAGES["missing"], username=username, next_url=next_url)
    config = _config()
    try:
        user = accounts.authenticate(_engine(), username, password, origin(), now(),
                                     refuse_demo=config.is_production,
                                     hasher=current_app.extensions.get("zvt_password_hasher"))
    except accounts.TooManyAttempts as exc:
        message, headers = _limited_message(exc)
        page, status = _login_page(message, username=username, next_url=next_url, status=429)
        return page, status, headers
    except accounts.WrongCredentials:
        return _login_page(MESSAGES["wrong"], username=username, next_url=next_url)
    except accounts.AccountInactive:
        return _login_page(MESSAGES["inactive"], username=username, next_url=next_url)
    except accounts.DemoAccountRefused:
        return _login_page(MESSAGES["demo"], username=username, next_url=next_url)

    account = accounts.load_account(_engine(), user.username)
    if account is None:
        return _login_page(MESSAGES["inactive"], username=username, next_url=next_url)
    return continue_login(account, next_url)


def continue_login(account: AccountView, next_url: str | None, *, second_factor_done: bool = False,
                   sso: dict | None = None):
    """After the first factor (a password here, or an organisation's sign-in, web/sso.py): start
    the session, or ask for the code first. `second_factor_done`: the organisation's provider
    checked a second factor itself. `sso` is kept in the session for logging out at the provider."""
    username = account.user.username
    if second_factor_done or not (account.has_totp or _config().is_production):
        # Development without a second factor set up: the first factor is enough.
        return _start_session(username, next_url, sso)
    session.clear()
    session.update(pending_username=username, pending_at=now().timestamp(), next=next_url, pending_sso=sso)
    if account.has_totp:
        return redirect(url_for("auth.login_code"))
    # Production asks everyone for a second factor: set it up now, before going in.
    return redirect(url_for("auth.enrol"))


@bp.route("/inloggen/code", methods=["GET", "POST"])
def login_code():
    username = _pending_username()
    if username is None:
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("auth/code.html", error=None)
    try:
        accounts.verify_totp(_engine(), username, request.form.get("code", ""), now(), origin=origin())
    except accounts.TooManyAttempts as exc:
        message, headers = _limited_message(exc)
        if exc.per_address:
            # Blocked for a quarter of an hour: longer than a half-finished login may wait.
            session.clear()
            page, status = _login_page(message, username=username, status=429)
            return page, status, headers
        # A wait of at most a minute: the password stays given, the person tries the code again.
        return render_template("auth/code.html", error=message), 429, headers
    except accounts.AccountInactive:
        session.clear()
        return _login_page(MESSAGES["inactive"], username=username)
    except accounts.TotpNotEnrolled:
        return redirect(url_for("auth.enrol"))
    except accounts.InvalidCode:
        return render_template("auth/code.html", error=MESSAGES["code"])
    return _start_session(username, session.get("next"), session.get("pending_sso"))


@bp.route("/tweestapsverificatie", methods=["GET", "POST"])
def enrol():
    pending = _pending_username()
    account = current_account()
    if pending is None and account is None:
        return redirect(url_for("auth.login"))
    if account is not None and account.has_totp:
        flash(MESSAGES["already_enrolled"], "info")
        return redirect(url_for("home.index"))
    if pending:
        username = pending
    else:
        assert account is not None, "one of the two, checked above"
        username = account.user.username
    # The secret waits in the signed session until a first code confirms it: the person
    # sees it on this page anyway, and nothing is stored for an enrolment left halfway.
    secret = session.get("enrol_secret")
    if not secret:
        secret = session["enrol_secret"] = accounts.new_totp_secret()
    error = None
    if request.method == "POST":
        try:
            accounts.enrol_totp(_engine(), username, secret, request.form.get("code", ""), now())
        except accounts.InvalidCode:
            error = MESSAGES["code"]
        except accounts.TotpAlreadyEnrolled:
            session.pop("enrol_secret", None)
            flash(MESSAGES["already_enrolled"], "info")
            return redirect(url_for("auth.login_code") if pending else url_for("home.index"))
        except accounts.AccountInactive:
            session.clear()
            return _login_page(MESSAGES["inactive"])
        else:
            session.pop("enrol_secret", None)
            # The password and a code from the new app: both factors, so a pending login goes in.
            response = (_start_session(username, session.get("next"), session.get("pending_sso")) if pending
                        else redirect(url_for("home.index")))
            flash(MESSAGES["enrolled"], "ok")  # after _start_session, which starts a fresh session
            return response
    qr = segno.make(accounts.provisioning_uri(username, secret), error="m")
    return render_template(
        "auth/enrol.html", error=error,
        # segno draws the code as paths from our own data: markup we made, safe to inline.
        qr_svg=Markup(qr.svg_inline(scale=5, border=4, dark="#000", light="#fff", title="QR-code voor uw app")),
        secret_groups=[secret[i:i + 4] for i in range(0, len(secret), 4)],
    )


@bp.post("/uitloggen")
def logout():
    account = current_account()
    if account is not None:
        accounts.end_sessions(_engine(), account.user.username)
    signed_in_through = session.get("sso")
    session.clear()
    if signed_in_through:
        from . import sso

        page = sso.provider_logout(signed_in_through)
        if page is not None:
            return page
    flash(MESSAGES["logged_out"], "ok")
    return redirect(url_for("auth.login"))
