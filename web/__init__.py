"""The web layer: a thin Flask app over the engine's public API."""
from __future__ import annotations

from flask import Flask, Response

from engine import Engine
from zvt.config import Config

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
    app.extensions["zvt_engine"] = Engine(config.database_url)

    from . import home

    app.register_blueprint(home.bp)
    app.after_request(_set_security_headers)
    return app


def _set_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
