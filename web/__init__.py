"""The web layer: a thin Flask app over the engine's public API."""
from __future__ import annotations

from flask import Flask, Response

from engine import Engine
from zvt.config import Config, ConfigError

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.is_production,
    )
    # There are no POST routes yet. When forms arrive, every POST must carry a CSRF
    # token that is checked before the view runs - no exceptions for "harmless" forms.
    app.extensions["zvt_config"] = config
    engine = Engine(config.database_url)
    if config.is_production:
        from zvt.demo import demo_accounts_present

        if demo_accounts_present(engine):
            engine.close()
            # Their passwords are in the README: a production database must never hold them.
            raise ConfigError("this database holds demo accounts; production refuses to start with them")
    app.extensions["zvt_engine"] = engine

    from . import home

    app.register_blueprint(home.bp)
    app.after_request(_set_security_headers)
    return app


def _set_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
