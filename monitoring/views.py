"""``/healthz``, ``/readyz`` and ``/internal/metrics``.

- ``/healthz``: the process is up (no database, no configuration read);
- ``/readyz``: 200 when the database answers, the configuration is loaded
  and a scheduler leader wrote a heartbeat within
  HOTLINE_READY_SCHEDULER_WITHIN, else 503, with each check in the JSON;
- ``/internal/metrics``: Prometheus's text format, only with
  ``Authorization: Bearer $HOTLINE_METRICS_TOKEN``; without that setting it
  does not exist (404).  Block ``/internal/`` at the public proxy as well.
"""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from database import db
from ivr.kit import spool_dir
from monitoring.health import readiness
from monitoring.metrics import DatabaseFigures
from wiring import services

bp = Blueprint("monitoring", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    settings = current_app.config["SETTINGS"]
    result = readiness(db.reader(), services().config, services().now(),
                       settings.scheduler.ready_within)
    body = jsonify(status="ready" if result.ready else "not ready", checks=result.checks)
    body.status_code = 200 if result.ready else 503
    body.headers["Cache-Control"] = "no-store"
    return body


@bp.get("/internal/metrics")
def metrics():
    settings = current_app.config["SETTINGS"]
    token = settings.metrics_token
    if not token:
        abort(404)
    offered = request.headers.get("Authorization", "")
    if not hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return Response("unauthorized\n", status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    timer = services().webhook_timer
    scrape = CollectorRegistry()
    scrape.register(_Registered(timer.registry_for_scrape()))
    scrape.register(DatabaseFigures(db.reader(), services().config,
                                    services().now(), spool_dir(settings.instance_dir)))
    return Response(generate_latest(scrape), mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                    headers={"Cache-Control": "no-store"})


class _Registered:
    """Another registry's metrics, inside this scrape's registry."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self):
        return self.registry.collect()
