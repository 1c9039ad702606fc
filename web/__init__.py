"""The web layer: a thin Flask app over the engine's public API."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime

from argon2 import PasswordHasher
from flask import Flask

from engine.clock import utcnow
from zvt.config import Config, ConfigError, open_engine

from .forms import warm_up as warm_up_forms

# The blueprints of the work areas, registered when their module exists (each module
# has a `bp`). Others add their area here; the order is the order of registration.
AREA_BLUEPRINTS = [
    "web.probes",      # /health and /ready, for the operator's monitoring
    "web.metrics",     # /metrics, Prometheus's text format, for the operator's monitoring
    "web.home",
    "web.inbox",       # Mijn taken: /taken
    "web.tasks",       # a task's form
    "web.drafts",      # a task form's draft: /taken/<id>/concept
    "web.cases",       # the case page
    "web.items",       # data items in a case, sharing them per partner, the register of disclosures
    "web.caselist",    # Casussen: /casussen
    "web.printing",    # PDFs of a case: its dossier and its plan van aanpak
    "web.aanmelding",  # Melden of starten: /melden, /aanmelding/nieuw, /melden/datalek, ... (start_pages.json)
    "web.beheer",      # the scheduler's incidents, for the beheerder: /beheer/incidenten
    "web.management",  # Managementinformatie, for the manager and the teamleider: /managementinformatie
    "web.accounts",    # accounts per partner, for the beheerder: /beheer/accounts; asking for one: /accounts/aanvragen
    "web.account_links",  # the pages behind the mailed one-time links: /account/...
    "web.toegangsreview",  # the access review: the gemachtigde's list by link, the beheerder's overview
    "web.partners",    # the partner register, for the beheerder: /beheer/partners
    "web.bewaren",     # Bewaren: destructions coming and legal holds, for the procesregisseur and FG: /bewaren
    "web.toegangslog",  # for the FG: the access log searched, /fg/toegangslog, and the inzage-overzicht
    "web.catalogue",   # Processen: the deployed processes and their versions, /processen
    "web.process_drafts",  # a new version uploaded, checked, compared and deployed: /processen/<id>/nieuwe-versie
    "web.form_editor",  # a draft's task forms: labels, help, required, order, option texts; with a preview
    "web.api",         # the REST API for partner systems, with a token: /api/v1 (docs/api.md)
]


def create_app(config: Config | None = None, *, clock: Callable[[], datetime] | None = None,
               password_hasher: PasswordHasher | None = None) -> Flask:
    """Build the app. `clock` (timezone-aware "now") is for tests that move time; it drives
    the engine too. `password_hasher` is for tests that want cheap argon2 parameters."""
    config = config or Config.from_env()
    clock = clock or utcnow
    app = Flask(__name__)
    app.config.update(SECRET_KEY=config.secret_key)
    app.extensions["zvt_config"] = config
    app.extensions["zvt_clock"] = clock
    if password_hasher is not None:
        app.extensions["zvt_password_hasher"] = password_hasher

    engine = open_engine(config, clock)
    if config.is_production:
        from zvt.demo import demo_accounts_present

        if demo_accounts_present(engine):
            engine.close()
            # Their passwords are in the README: a production database must never hold them.
            raise ConfigError("this database holds demo accounts; production refuses to start with them")
        from engine.sso import configured
        from engine.sso_settings import SsoSettings

        for code, settings in configured(engine):
            try:
                if isinstance(settings, SsoSettings):  # unusable settings are refused at each login
                    config.check_oidc_issuer(settings.issuer)
            except ConfigError as exc:
                engine.close()
                # The demo provider's users and secret are public, like the demo accounts' passwords.
                raise ConfigError(f"partner {code}: {exc}") from None
    app.extensions["zvt_engine"] = engine

    from . import auth, errors, input, request_log, security, sso, vendor

    # The request's log line and metrics first, so they see every request, refused ones too.
    request_log.init_app(app)
    # Security next: its CSRF check must run before any view or login check; the input check
    # (ids, size, characters) puts itself before even that.
    input.init_app(app, config)
    security.init_app(app, config)
    auth.init_app(app)
    sso.init_app(app)
    errors.init_app(app)
    vendor.init_app(app)
    for name in AREA_BLUEPRINTS:
        module = _optional_module(name)
        if module is not None:
            app.register_blueprint(module.bp)
    return app


def warm_up(app: Flask) -> None:
    """Do now what the first requests would otherwise pay for: compile every template and
    parse the deployed processes. For a server that loads the app once and then forks its
    workers (gunicorn --preload, web/wsgi.py), which then share the result."""
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.endswith(".html")):
        app.jinja_env.get_template(name)
    warm_up_forms()
    app.extensions["zvt_engine"].warm_up()


def _optional_module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise  # the module exists but something it imports is missing: a real error
        return None
