"""/health and /ready: public, answered without a session, with a short JSON body and no
personal data (docs/monitoring.md).

/health says the process lives and answers HTTP; it does not touch the database, so a
load balancer or container runtime that restarts on a failed /health does not restart every
worker while the database is down, which a restart cannot mend. /ready says whether the
installation can do its work: the database answers, its schema is at this version's revision,
and a scheduler was seen lately (engine/monitoring.py).
"""
from __future__ import annotations

from flask import Blueprint, current_app

from engine import monitoring

from .auth import now

bp = Blueprint("probes", __name__)


@bp.get("/health")
def health():
    return {"status": "ok"}


@bp.get("/ready")
def ready():
    intervals = current_app.extensions["zvt_config"].monitoring.ready_scheduler_intervals
    result = monitoring.readiness(current_app.extensions["zvt_engine"].database, now(), intervals)
    if result.ready:
        return {"status": "ready"}
    return {"status": "not ready", "reason": result.reason}, 503
