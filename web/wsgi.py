"""The app for a production WSGI server, configured from the ZVT_ environment variables:

    gunicorn --preload --workers 3 --bind 127.0.0.1:8000 web.wsgi:app

With --preload the app is built and warmed up once (templates compiled, processes parsed)
before gunicorn forks its workers, so they share that work and no first request waits for it.

A configuration that is missing or unsafe (no ZVT_ENV means production, which needs a strong
ZVT_SECRET_KEY) stops the server with one line saying which setting and why, not a traceback.
"""
from web import create_app, warm_up
from zvt.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    raise SystemExit(f"error: {exc}") from None
warm_up(app)
