"""The app for a production WSGI server, configured from the ZVT_ environment variables:

    gunicorn --preload --workers 3 --bind 127.0.0.1:8000 web.wsgi:app

With --preload the app is built and warmed up once (templates compiled, processes parsed)
before gunicorn forks its workers, so they share that work and no first request waits for it.
"""
from web import create_app, warm_up

app = create_app()
warm_up(app)
