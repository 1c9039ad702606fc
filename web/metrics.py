"""/metrics: Prometheus's text format, for the operator's monitoring only.

Two kinds of figures (every metric in docs/monitoring.md):
- what this process counted: requests and their time (web/request_log.py) and the engine's
  steps (engine/metrics.py). Under gunicorn every worker counts its own: prometheus-client's
  multiprocess mode adds them up from the files in PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py);
- what the database holds at this moment (engine/monitoring.py): due timers, open incidents,
  unsent mail, and each scheduler's heartbeat and rounds, which another process writes.

Deny by default: a scraper gets in by its address (ZVT_METRICS_ALLOW, this machine only unless
set) or with the bearer token in ZVT_METRICS_TOKEN. The figures hold no personal data, but they
show how busy the team is and where it fails, which is nobody else's business. A request that a
reverse proxy forwarded is let in by address only when the app trusts that proxy
(ZVT_TRUSTED_PROXIES): otherwise the connection's address is the proxy's own, often this machine.
"""
from __future__ import annotations

import hmac
import logging
import os
from datetime import datetime
from ipaddress import ip_address

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import REGISTRY, CollectorRegistry, disable_created_metrics, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from engine import logsafe, monitoring
from zvt.config import Config

from .auth import now

bp = Blueprint("metrics", __name__)
log = logging.getLogger(__name__)

FORWARDED_HEADERS = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
# Without a "_created" series per counter and histogram, as in multiprocess mode: half the lines.
disable_created_metrics()


@bp.get("/metrics")
def scrape():
    config: Config = current_app.extensions["zvt_config"]
    if not may_scrape(config):
        abort(403)
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_Database(current_app.extensions["zvt_engine"].database, now()))
    return Response(generate_latest(registry), content_type=CONTENT_TYPE_PLAIN_0_0_4)


def may_scrape(config: Config) -> bool:
    token = config.monitoring.metrics_token
    given = request.headers.get("Authorization", "")
    if token is not None and given[:7].lower() == "bearer " and hmac.compare_digest(
            given[7:].strip().encode(), token.encode()):
        return True
    if not config.trusted_proxies and any(name in request.headers for name in FORWARDED_HEADERS):
        return False
    try:
        address = ip_address(request.remote_addr or "")
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address  # ::ffff:127.0.0.1 on a dual-stack socket
    return any(address in network for network in config.monitoring.metrics_allow)


class _ThisProcess:
    """The default registry: this process's own metrics, when there is one process (zvt serve)."""

    def collect(self):
        return REGISTRY.collect()


class _Database:
    """The figures read from the database at each scrape (engine/monitoring.py)."""

    def __init__(self, database, moment: datetime):
        self.database = database
        self.moment = moment

    def collect(self):
        up = GaugeMetricFamily("zvt_database_up", "1 when the database answered this scrape's questions, else 0")
        try:
            figures = monitoring.figures(self.database, self.moment)
        except Exception as exc:  # noqa: BLE001 - the process's own figures still go out
            log.warning("metrics: the database did not answer (%s)", logsafe.describe(exc))
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("zvt_timers_due", "Timers due and not fired yet (incidents and paused cases not "
                                                  "counted)", value=figures.timers_due)
        incidents = GaugeMetricFamily("zvt_incidents_open", "Open incidents on the beheerder's Incidenten page, "
                                      "by kind: timer, chain (a broken log), anchor", labels=["kind"])
        for kind, count in figures.incidents.items():
            incidents.add_metric([kind], count)
        yield incidents
        yield GaugeMetricFamily("zvt_mails_unsent", "Mails in the outbox not sent yet", value=figures.mails_unsent)
        oldest = figures.oldest_unsent_mail
        yield GaugeMetricFamily("zvt_mails_oldest_unsent_age_seconds", "Seconds since the oldest unsent mail was "
                                "queued (0 when none waits)",
                                value=(self.moment - oldest).total_seconds() if oldest else 0)
        yield from _schedulers(figures.schedulers, self.moment)


def _schedulers(rows, moment: datetime):
    """Each scheduler's heartbeat and rounds, labelled with its host:pid, and the youngest heartbeat."""
    youngest = GaugeMetricFamily("zvt_scheduler_heartbeat_age_seconds", "Seconds since any scheduler was last "
                                 "seen (+Inf when none ever was)",
                                 value=(moment - rows[0].seen_at).total_seconds() if rows else float("inf"))
    yield youngest
    families: dict[str, GaugeMetricFamily | CounterMetricFamily] = {
        "seen": GaugeMetricFamily("zvt_scheduler_last_seen_timestamp_seconds", "When the scheduler was last seen "
                                  "(Unix time)", labels=["scheduler"]),
        "interval": GaugeMetricFamily("zvt_scheduler_interval_seconds", "Its seconds between two rounds",
                                      labels=["scheduler"]),
        "round": GaugeMetricFamily("zvt_scheduler_last_round_timestamp_seconds", "When its last round finished "
                                   "(Unix time)", labels=["scheduler"]),
        "round_seconds": GaugeMetricFamily("zvt_scheduler_last_round_duration_seconds", "How long its last round "
                                           "took", labels=["scheduler"]),
        "rounds": CounterMetricFamily("zvt_scheduler_rounds", "Rounds it finished", labels=["scheduler"]),
        "rounds_failed": CounterMetricFamily("zvt_scheduler_rounds_failed", "Rounds that failed with an error "
                                             "(not counted: the database did not answer)", labels=["scheduler"]),
        "fired": CounterMetricFamily("zvt_timers_fired", "Timers it fired", labels=["scheduler"]),
        "failed": CounterMetricFamily("zvt_timers_failed", "Failed attempts to fire a timer (tried again later, or "
                                      "an incident after the last)", labels=["scheduler"]),
        "sent": CounterMetricFamily("zvt_mails_sent", "Mails it sent", labels=["scheduler"]),
    }
    for row in rows:
        label = [row.owner]
        families["seen"].add_metric(label, row.seen_at.timestamp())
        families["interval"].add_metric(label, row.interval_seconds)
        if row.round_finished_at is not None:
            families["round"].add_metric(label, row.round_finished_at.timestamp())
            families["round_seconds"].add_metric(label, row.last_round_seconds or 0)
        families["rounds"].add_metric(label, row.rounds)
        families["rounds_failed"].add_metric(label, row.rounds_failed)
        families["fired"].add_metric(label, row.timers_fired)
        families["failed"].add_metric(label, row.timers_failed)
        families["sent"].add_metric(label, row.mails_sent)
    yield from families.values()
