"""Logging for every ZVT process, set up here only: `zvt serve`, `zvt scheduler` and every other
`zvt` command (zvt/cli.py), gunicorn (gunicorn.conf.py hands `dict_config` to its logconfig_dict)
and any other WSGI server that set up nothing itself (web/wsgi.py).

Two formats, chosen with ZVT_LOG_FORMAT (zvt/config.py): `text` for a person reading along,
`json` for a log collector, one object per line with the fields in docs/monitoring.md. Both
write to standard error and hold no personal data:

- an exception is written as its kinds and the file and line of each frame, never its text
  (engine/logsafe.py): a database's or a script's error message can quote what was typed;
- a JSON line holds a fixed set of fields: anything else a library attaches to a record
  (SpiffWorkflow attaches a task's data) is left out, not written.
"""
from __future__ import annotations

import logging
import re
import sys
from contextvars import ContextVar
from datetime import datetime, timezone

from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

from engine import logsafe

# The request being answered (web/request_log.py sets it), on every line logged meanwhile.
REQUEST_ID: ContextVar[str | None] = ContextVar("zvt_request_id", default=None)

# What a record may carry besides time, level, logger, message and process, written when present:
# the request's (web/request_log.py) and the scheduler round's (zvt/scheduler.py). Ids and counts.
FIELDS = ("request_id", "method", "endpoint", "route", "status", "duration_ms",
          "scheduler", "timers_fired", "timers_failed", "mails_sent")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that say too much at INFO: SpiffWorkflow logs every task state change (thousands of
# lines per case, and formatting them is a measurable part of a step), APScheduler two lines per
# round, where the round's own line says what matters.
QUIET = {"spiff": logging.WARNING, "apscheduler": logging.WARNING}


def _without_text(exc_info) -> str:
    return logsafe.frames(exc_info[1]) if exc_info and exc_info[1] is not None else ""


class JsonFormatter(_LibraryJsonFormatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, process, the
    FIELDS the record has, and `exception` (kinds and frames) when it carries one."""

    def add_fields(self, log_data, record, message_dict) -> None:
        log_data["time"] = datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message  # a dict logged as the message is dropped with its keys
        log_data["process"] = record.process
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                log_data[name] = value
        if message_dict.get("exc_info"):
            log_data["exception"] = message_dict["exc_info"]
        if message_dict.get("stack_info"):
            log_data["stack"] = message_dict["stack_info"]

    def formatException(self, ei) -> str:
        return _without_text(ei)


class TextFormatter(logging.Formatter):
    """`<time> <LEVEL> <logger>: <message>`, an exception's kinds and frames below it."""

    def __init__(self):
        super().__init__(TEXT_FORMAT)

    def formatException(self, ei) -> str:
        return _without_text(ei)

    def format(self, record: logging.LogRecord) -> str:
        # logging.Formatter reuses the exception text another handler's formatter left on the
        # record, which may hold the message: format it anew, and leave the record as it was.
        cached = record.exc_text
        record.exc_text = None
        try:
            return super().format(record)
        finally:
            record.exc_text = cached


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else TextFormatter()


class RequestIdFilter(logging.Filter):
    """Adds the id of the request being answered, so its lines can be found together."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        return True


class NoQueryStrings(logging.Filter):
    """gunicorn names a request's address in a few lines of its own ("Error handling request
    /x?y", an invalid request line it quotes): they are written without the query string."""

    _QUERY = re.compile(r"\?[^\s'\"]*")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "?" in message:
            record.msg, record.args = self._QUERY.sub("", message), ()
        return True


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes (as logging's own last resort does),
    so a test that swaps it for a while leaves no handler behind on a closed stream."""

    def __init__(self, log_format: str = "text"):
        super().__init__()
        self.setFormatter(formatter(log_format))
        self.addFilter(RequestIdFilter())

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(log_format: str) -> None:
    """Log INFO and up from every logger to standard error in `log_format` ("json" or "text"),
    replacing what an earlier call installed; unless logging was set up by someone else (a test
    runner capturing the lines, a program that runs a zvt command), which is then left alone, as
    logging.basicConfig would."""
    for name, level in QUIET.items():
        logging.getLogger(name).setLevel(level)
    root = logging.getLogger()
    ours = [h for h in root.handlers if isinstance(h, StderrHandler)]
    if len(ours) < len(root.handlers):
        return
    for handler in ours:
        root.removeHandler(handler)
    root.addHandler(StderrHandler(log_format))
    root.setLevel(logging.INFO)


def configured() -> bool:
    """Whether the root logger writes anywhere yet (a WSGI server may have set it up)."""
    return bool(logging.getLogger().handlers)


def dict_config(log_format: str) -> dict:
    """The same set-up as `configure`, as logging.config.dictConfig takes it (gunicorn's
    logconfig_dict): gunicorn's own lines go the same way, in the same format, except its access
    log, which a logconfig_dict switches on: its lines hold the address with its query string,
    and the app writes its own line per request (web/request_log.py)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"zvt": {"()": f"{__name__}.StderrHandler", "log_format": log_format}},
        "formatters": {},
        "filters": {"no_query_strings": {"()": f"{__name__}.NoQueryStrings"}},
        "root": {"level": "INFO", "handlers": ["zvt"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True, "filters": ["no_query_strings"]},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            **{name: {"level": logging.getLevelName(level)} for name, level in QUIET.items()},
        },
    }
