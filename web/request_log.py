"""Every request answered: one line in the log (`zvt.access`) and two Prometheus metrics.

Both name the request by its Flask endpoint and route (`tasks.task`, `/taken/<taak:task_id>`),
never by its address: an address holds case numbers and the keys of one-time links
(`/account/activeren/<token>`), and its query string may hold what someone searched for. The
endpoint also keeps the metrics to a fixed set of series whatever addresses are asked for.

Each request gets an id, on every line logged while it is answered and in the X-Request-ID
response header; a proxy's own id is taken over when it has that shape (nginx's $request_id).
"""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, request
from prometheus_client import Counter, Histogram

from zvt.logging_setup import REQUEST_ID

log = logging.getLogger("zvt.access")

# A request that matched no route (a 404, or the login redirect of an unknown address).
UNMATCHED = "unmatched"
# Methods outside these are counted as "other": a client may send any word there.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Probes and scrapes come every few seconds: their lines only when they do not answer 200.
QUIET_ENDPOINTS = frozenset({"probes.health", "probes.ready", "metrics.scrape"})
# A 32-digit hex id (nginx's $request_id) or a UUID: no room for a name or a date of birth.
_PROXY_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ENDPOINT, _ROUTE = "zvt.endpoint", "zvt.route"

REQUESTS = Counter("zvt_http_requests", "Requests answered, by Flask endpoint, method and status",
                   ["endpoint", "method", "status"])
DURATION = Histogram("zvt_http_request_duration_seconds", "Seconds to answer a request, by Flask endpoint",
                     ["endpoint"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))


def init_app(app: Flask) -> None:
    """Call first: its hook must run before any other can answer the request."""

    @app.before_request
    def note_endpoint():
        # Matched by now; kept where the WSGI wrapper finds it once Flask is done.
        request.environ[_ENDPOINT] = request.endpoint
        request.environ[_ROUTE] = request.url_rule.rule if request.url_rule is not None else None

    app.wsgi_app = _Recorder(app.wsgi_app)  # type: ignore[method-assign]  # Flask's way to wrap it

    def log_exception(exc_info) -> None:
        # Flask's own line names the address, which may hold a one-time link's key: the route
        # instead. The exception is written as its kinds and frames (zvt/logging_setup.py).
        route = request.url_rule.rule if request.url_rule is not None else "(no route)"
        app.logger.error("unhandled exception on %s %s", request.method, route, exc_info=exc_info)

    app.log_exception = log_exception  # type: ignore[method-assign]  # the app's own, not the class's


class _Recorder:
    """WSGI middleware: times the whole request, sees its final status, sets its id."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        given = environ.get("HTTP_X_REQUEST_ID", "").strip().lower()
        request_id = given if _PROXY_ID.fullmatch(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status = ["500"]  # unless the app says otherwise: an exception escaped it

        def recording_start_response(status_line, headers, exc_info=None):
            status[0] = status_line.split(" ", 1)[0]
            headers.append(("X-Request-ID", request_id))
            return start_response(status_line, headers, exc_info)

        try:
            return self.wsgi_app(environ, recording_start_response)
        finally:
            _record(environ, status[0], time.perf_counter() - started)
            REQUEST_ID.reset(token)


def _record(environ, status: str, seconds: float) -> None:
    endpoint = environ.get(_ENDPOINT) or UNMATCHED
    method = environ.get("REQUEST_METHOD", "")
    method = method if method in METHODS else "other"
    REQUESTS.labels(endpoint, method, status).inc()
    DURATION.labels(endpoint).observe(seconds)
    if endpoint in QUIET_ENDPOINTS and status == "200":
        return
    route = environ.get(_ROUTE)
    duration_ms = round(seconds * 1000, 1)
    log.info("%s %s %s %.1f ms", method, route or "(no route)", status, duration_ms,
             extra={"method": method, "endpoint": endpoint, "route": route, "status": int(status),
                    "duration_ms": duration_ms})
