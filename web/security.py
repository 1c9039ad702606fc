"""CSRF tokens, secure cookies and security headers for every response.

Pages hold personal data of betrokkenen: nothing may be framed, cached, sniffed or run
from elsewhere, and every state-changing request must carry a CSRF token.
"""
from __future__ import annotations

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from zvt.config import Config

csrf = CSRFProtect()

SESSION_COOKIE_NAME = "zvt_session"

# Everything from our own origin only; no inline script or style at all, so templates
# must keep scripts and styles in files. img-src allows data: for the Utrecht CSS's
# inline SVG icons; the QR code at enrolment is inline <svg>, not an image.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # same-origin rather than no-referrer: Flask-WTF checks on HTTPS that a POST's
    # Referer is our own host, and refuses a POST that has none.
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                          "accelerometer=(), gyroscope=(), magnetometer=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# One year, the usual value; without includeSubDomains, since other hosts of the
# organisation are not ours to force onto HTTPS.
HSTS = "max-age=31536000"

# Endpoints that serve files, not pages: they hold no personal data and may be cached.
FILE_ENDPOINTS = frozenset({"static", "vendor.file"})

# A CSRF token is bound to the session, which login and logout replace and the idle
# timeout ends; a separate expiry only throws away a long form typed in one go. A
# working day bounds a token copied out of a page, without cutting into a normal day.
CSRF_TOKEN_LIFETIME_SECONDS = 12 * 60 * 60


def content_security_policy(**overrides: str) -> str:
    """The policy as a header value; a view with special needs passes overrides,
    e.g. content_security_policy(style_src="'self' 'unsafe-inline'") for a diagram editor."""
    policy = dict(CONTENT_SECURITY_POLICY)
    policy.update({name.replace("_", "-"): value for name, value in overrides.items()})
    return "; ".join(f"{name} {value}" for name, value in policy.items())


def init_app(app: Flask, config: Config) -> None:
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        # Lax, not Strict: a link from a mail to a task must arrive signed in. Every
        # state change is a POST, which Lax does not send cross-site, and carries a token.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.is_production,
        WTF_CSRF_TIME_LIMIT=CSRF_TOKEN_LIFETIME_SECONDS,
        WTF_CSRF_SSL_STRICT=True,
    )
    if config.trusted_proxies:
        n = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]
    csrf.init_app(app)
    policy = content_security_policy()
    production = config.is_production

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        # setdefault: a view may have set a stricter or special policy of its own.
        response.headers.setdefault("Content-Security-Policy", policy)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint not in FILE_ENDPOINTS:
            # Pages and their error pages hold personal data: never keep a copy, not in
            # the browser's back button cache nor in a proxy.
            response.headers["Cache-Control"] = "no-store"
        return response
