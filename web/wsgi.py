"""The app for a production WSGI server, configured from the ZVT_ environment variables:

    gunicorn -c gunicorn.conf.py web.wsgi:app

gunicorn.conf.py preloads the app: it is built and warmed up once (templates compiled, processes
parsed) before gunicorn forks its workers, so they share that work and no first request waits for
it. It also sets up the logs (zvt/logging_setup.py); under a server that set up none, this
module does, so the app's lines are not lost.

A configuration that is missing or unsafe (no ZVT_ENV means production, which needs a strong
ZVT_SECRET_KEY) stops the server with one line saying which setting and why, not a traceback.
"""
from web import create_app, warm_up
from zvt import logging_setup
from zvt.config import ConfigError, log_format

try:
    if not logging_setup.configured():
        logging_setup.configure(log_format())
    app = create_app()
except ConfigError as exc:
    raise SystemExit(f"error: {exc}") from None
warm_up(app)
