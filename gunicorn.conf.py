"""gunicorn's settings for ZVT:

    gunicorn -c gunicorn.conf.py web.wsgi:app

Read from the environment, like the app (README.md, docs/monitoring.md): ZVT_BIND (default
127.0.0.1:8000, behind a reverse proxy on the same machine), ZVT_WORKERS (default cores + 1)
and ZVT_LOG_FORMAT (JSON unless ZVT_ENV=development). Options on gunicorn's command line or in
GUNICORN_CMD_ARGS win over this file.
"""
import os
import shutil
import tempfile
from pathlib import Path

# prometheus-client reads this when it is first imported, which importing zvt does: set it first.
# Every worker writes its counters to files here, and /metrics in any worker adds them all up.
_OWN_METRICS_DIR = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _OWN_METRICS_DIR:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="zvt-metrics-")

from zvt import logging_setup  # noqa: E402 - after PROMETHEUS_MULTIPROC_DIR
from zvt.config import Config, ConfigError, log_format, server_settings  # noqa: E402

try:
    _config = Config.from_env()  # the app would refuse the same settings; say so before forking
    _server = server_settings()
    _log_format = log_format()
except ConfigError as exc:
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
    raise SystemExit(f"error: {exc}") from None

bind = list(_server.bind)
workers = _server.workers
# Build and warm up the app once, before forking: the workers share its compiled templates
# and parsed processes (web/wsgi.py), and a bad setting stops the server before it listens.
preload_app = True
# A request does at most one step (ZVT_STEP_CPU_SECONDS of scripts) and waits for the database
# at most ZVT_DB_STATEMENT_TIMEOUT_SECONDS per statement before it gets "probeer het zo opnieuw";
# a worker is killed only when it took twice that, and never sooner than gunicorn's own 30 s.
# Killing one mid-request loses nothing (its transaction rolls back), but the user gets a 502.
timeout = max(30, 2 * (int(_config.database_limits.statement_timeout) + _config.step_cpu_seconds))
graceful_timeout = timeout

# The app's log set-up, for gunicorn's own lines too (zvt/logging_setup.py).
logconfig_dict = logging_setup.dict_config(_log_format)
# No access log of gunicorn's own (dict_config switches it off too): its lines would hold the address
# with its query string. The app writes one line per request itself, by endpoint and route (logger
# zvt.access, web/request_log.py).
accesslog = None


def on_starting(server):
    """Counters of an earlier run must not count on: empty the metrics folder before any worker."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _OWN_METRICS_DIR:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
