"""The web app on a real database (SQLite and PostgreSQL), with the demo accounts and a test
clock, and `auth`, a helper that logs in the way a browser does (CSRF token included).

    def test_something(client, auth):
        auth.login("procesregisseur")             # demo password, no code in development
        response = auth.post("/taken/..", data={...})   # adds the CSRF token
"""
from __future__ import annotations

import re
import secrets
from datetime import datetime

import pyotp
import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache

from engine import Engine, process_drafts
from engine.db import Account
from engine.identity import User
from tests.conftest import FORMS, PROCESSES
from web import create_app
from zvt import demo
from zvt.config import Config

# Cheap argon2 parameters: the tests are about the flow, not about argon2's cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
# Random per run, as an operator makes one: a fixed key in the repository would be a public one.
PRODUCTION_SECRET = secrets.token_urlsafe(48)
PRODUCTION_AUDIT_KEY = secrets.token_urlsafe(48)
DEMO_PASSWORDS = {account.username: account.password for account in demo.ACCOUNTS}

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class _SharedBytecode(BytecodeCache):
    """Every test builds an app of its own, and each app's Jinja environment would compile every
    template it renders anew (about a tenth of a second a template). The compiled code is the
    same for all of them: kept once per test process. Jinja still checks each template's source
    against what was compiled (its checksum), so an edited template is compiled again."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATES = _SharedBytecode()


def totp_code(secret: str, moment: datetime) -> str:
    """The code an authenticator app shows at `moment`."""
    return pyotp.TOTP(secret).at(moment)


def add_account(engine: Engine, username: str, password: str, *, partner: str = "gemeente_heerenveen",
                roles: tuple[str, ...] = ("procesregisseur",), display_name: str | None = None,
                totp_secret: str | None = None, active: bool = True, demo_account: bool = False) -> None:
    """A personal (non-demo) account, as a beheerder would register one. Needs the partners."""
    with engine.database.unit_of_work() as uow:
        uow.session.add(Account(
            username=username, display_name=display_name or username.title(), partner_id=partner,
            roles=list(roles), password_hash=FAST_HASHER.hash(password), totp_secret=totp_secret,
            active=active, demo=demo_account, created_at=engine.clock(),
        ))
        uow.commit()


def account_row(engine: Engine, username: str) -> Account:
    """The account as the database has it now, readable after its session closed."""
    with engine.database.unit_of_work(write=False) as uow:
        found = uow.session.query(Account).filter_by(username=username).one()
        uow.session.expunge(found)
        return found


def set_active(engine: Engine, username: str, active: bool) -> None:
    with engine.database.unit_of_work() as uow:
        uow.session.query(Account).filter_by(username=username).update({"active": active})
        uow.commit()


class AuthActions:
    """Logs in and out through the real pages, like a browser."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def csrf_token(self, path: str | None = None) -> str:
        """A CSRF token of the client's current session, read from a page's form."""
        for candidate in ([path] if path else ["/", "/inloggen"]):
            response = self.client.get(candidate, follow_redirects=True)
            match = _CSRF.search(response.get_data(as_text=True))
            if match:
                return match.group(1)
        raise AssertionError(f"no CSRF token on {path or '/ or /inloggen'}")

    def post(self, path: str, data: dict | None = None, *, token_from: str | None = None, **kwargs):
        """POST with the session's CSRF token added (read from `token_from`, else / or /inloggen)."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(token_from))
        return self.client.post(path, data=data, **kwargs)

    def login(self, username: str = "procesregisseur", password: str | None = None, totp: str | None = None,
              *, next_url: str | None = None):
        """Log in (logging out whoever is logged in first); `password` defaults to the demo
        password. With `totp`, also answer the code step when the app asks for it. Returns
        the last response: a redirect on success, the login page with a message otherwise."""
        password = DEMO_PASSWORDS.get(username, "") if password is None else password
        if self.client.get("/inloggen").status_code == 302:
            self.logout()  # someone is logged in on this client: switch, as a person would
        data = {"gebruikersnaam": username, "wachtwoord": password}
        if next_url:
            data["next"] = next_url
        response = self.post("/inloggen", data, token_from="/inloggen")
        if totp is not None and response.status_code == 302 and response.location.endswith("/inloggen/code"):
            response = self.post("/inloggen/code", {"code": totp}, token_from="/inloggen/code")
        return response

    def logout(self):
        return self.post("/uitloggen")


def build_app(database_url: str, clock, *, environment: str, **settings) -> Flask:
    """The app in the `environment` the test asks for: "development" (demo accounts, no code
    needed, the development key) or "production"."""
    secret = PRODUCTION_SECRET if environment == "production" else None
    keys = {"secret_key": secret, "audit_key": PRODUCTION_AUDIT_KEY} if secret else {}
    config = Config(database_url=database_url, environment=environment, **keys, **settings)
    app = create_app(config, clock=clock, password_hasher=FAST_HASHER)
    app.config["TESTING"] = True
    app.jinja_env.bytecode_cache = _TEMPLATES
    return app


def client_for(app: Flask) -> FlaskClient:
    if app.extensions["zvt_config"].is_production:
        # Production cookies are Secure and Flask-WTF checks the Referer on HTTPS.
        client = app.test_client()
        client.environ_base.update({"wsgi.url_scheme": "https", "HTTP_REFERER": "https://localhost/"})
        return client
    return app.test_client()


@pytest.fixture
def engine(database_url, clock):
    """The engine with the eight partners and the demo accounts (one per role)."""
    engine = Engine(database_url, clock=clock)
    demo.load(engine, hasher=FAST_HASHER)
    yield engine
    engine.close()


@pytest.fixture
def app(engine, database_url, clock) -> Flask:
    app = build_app(database_url, clock, environment="development")
    yield app
    app.extensions["zvt_engine"].close()


@pytest.fixture
def app_with_retention(engine, database_url, clock) -> Flask:
    """The app with the retention rules, as `zvt serve` reads them from ZVT_RETENTION_FILE."""
    from engine.retention_rules import load as load_retention_rules
    from tests.processes.conftest import PROCESSES

    app = build_app(database_url, clock, environment="development",
                    retention=load_retention_rules(PROCESSES / "retention.json"))
    yield app
    app.extensions["zvt_engine"].close()


@pytest.fixture
def client(app) -> FlaskClient:
    return client_for(app)


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def production(database_url, clock):
    """A production app on a database with the partners but no demo accounts (production
    refuses to start with those); add accounts with `add_account(production.engine, ...)`."""
    engine = Engine(database_url, clock=clock)
    with engine.database.unit_of_work() as uow:
        from engine.db import Partner

        for code, name, grondslag in demo.PARTNERS:
            uow.session.add(Partner(id=code, name=name, kind="convenant", grondslag=grondslag, active=True,
                                    directs=code == demo.DIRECTING))
        uow.commit()
    app = build_app(database_url, clock, environment="production")
    client = client_for(app)

    class Production:
        pass

    production = Production()
    production.engine, production.app, production.client, production.auth = engine, app, client, AuthActions(client)
    yield production
    app.extensions["zvt_engine"].close()
    engine.close()


OWNER = User("proceseigenaar", "Demo Proceseigenaar", "gemeente_heerenveen", frozenset({"proceseigenaar"}), directs=True)


@pytest.fixture
def draft(engine) -> str:
    """The page of a draft of the zvt_casus, as the proceseigenaar OWNER starts one (the form editor's tests)."""
    engine.deploy(PROCESSES, FORMS)
    draft_id = process_drafts.start_from_latest(engine, OWNER, "zvt_casus")
    return f"/processen/zvt_casus/concepten/{draft_id}"
