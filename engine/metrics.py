"""The engine's Prometheus metric: how long its steps take, in the process that runs them.

A step is SpiffWorkflow running the case's workflow for one command (its scripts, conditions,
DMN tables and engine tasks) and writing what changed (history, tasks, timers, mails), without
the command's loading and commit. Under gunicorn each worker counts its own and /metrics adds
them up (prometheus-client's multiprocess mode, gunicorn.conf.py); the scheduler's rounds are
reported through its heartbeat row instead (engine/heartbeat.py).
"""
from __future__ import annotations

from prometheus_client import Histogram

# A step takes about 10 ms; its scripts may use ZVT_STEP_CPU_SECONDS (3) at most.
STEP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

step_seconds = Histogram("zvt_step_duration_seconds", "Seconds a workflow step took to run and write, by process",
                         ["process"], buckets=STEP_BUCKETS)
