"""Prometheus metrics (prometheus_client).

- ``hotline_webhook_seconds`` (histogram, by endpoint and status): how long
  each Twilio webhook took to answer, timed in the web process;
- read from the database at each scrape, so every worker and machine agree:
  ``hotline_calls_in_ivr``, ``hotline_calls_in_queue`` (by line),
  ``hotline_operators_on_duty``, ``hotline_callbacks`` (by status),
  ``hotline_callback_attempts_total`` (by result), ``hotline_callbacks_paused``,
  ``hotline_outbox_backlog`` and ``hotline_outbox_dead``;
- ``hotline_spool_lines``: webhooks kept on this machine's disk, waiting for
  ``flask --app app spool replay``.

With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR (an empty
directory, read by prometheus_client itself) so the histogram adds up all
workers.
"""
from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

from flask import Flask, g, request
from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from call_log.models import Call
from callbacks.models import Callback, CallbackAttempt, CallbackPause
from config.catalog import HotlineConfig
from notifications.models import OutboxMessage
from operators.board import live
from operators.operator_desk import QUEUE_QUIET_AFTER
from operators.presence import operators_on_duty

VOICE_BLUEPRINTS = ("voice", "operator_voice", "callbacks")
# Twilio waits 15 s; most answers should take a small part of a second.
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30)


class WebhookTimer:
    """Times every request to the voice blueprints."""

    def __init__(self, app: Flask) -> None:
        settings = app.config["SETTINGS"]
        self.multiprocess_dir = settings.metrics_multiproc_dir
        # One registry per app: tests build many apps in one process.
        self.registry = CollectorRegistry()
        self.histogram = Histogram("hotline_webhook_seconds", "Time to answer a Twilio webhook",
                                   ["endpoint", "status"], buckets=BUCKETS,
                                   registry=None if self.multiprocess_dir else self.registry)
        app.before_request(self._start)
        app.after_request(self._stop)

    def _start(self) -> None:
        if request.blueprint in VOICE_BLUEPRINTS:
            g.webhook_started = time.perf_counter()

    def _stop(self, response):
        started = g.pop("webhook_started", None)
        if started is not None:
            self.histogram.labels(request.endpoint or "unknown", str(response.status_code)).observe(
                time.perf_counter() - started)
        return response

    def registry_for_scrape(self) -> CollectorRegistry:
        if self.multiprocess_dir is None:
            return self.registry
        from prometheus_client import multiprocess
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(self.multiprocess_dir))
        return registry


class DatabaseFigures:
    """A collector that reads the figures from the database at scrape time."""

    def __init__(self, session: Session, config: HotlineConfig, now: datetime, spool_dir: Path) -> None:
        self.session, self.config, self.now, self.spool_dir = session, config, now, spool_dir

    def collect(self):
        session, now = self.session, self.now
        queued = and_(Call.queued_at.is_not(None), Call.queue_ended_at.is_(None))
        in_ivr = session.scalar(select(func.count()).select_from(Call).where(live(now), ~queued)) or 0
        yield GaugeMetricFamily("hotline_calls_in_ivr", "Live calls in the IVR (not waiting for a person)",
                                value=in_ivr)
        waiting = GaugeMetricFamily("hotline_calls_in_queue", "Callers waiting for an operator", labels=["line"])
        counts = dict(session.execute(select(Call.line_id, func.count()).where(
            queued, Call.last_seen_at >= now - QUEUE_QUIET_AFTER, live(now)).group_by(Call.line_id)).all())
        for line_id in self.config.lines:
            waiting.add_metric([line_id], counts.get(line_id, 0))
        yield waiting
        yield GaugeMetricFamily("hotline_operators_on_duty", "Operators whose live board is open",
                                value=operators_on_duty(session, now))
        callbacks = GaugeMetricFamily("hotline_callbacks", "Callbacks by status", labels=["status"])
        for status, count in session.execute(select(Callback.status, func.count()).group_by(Callback.status)):
            callbacks.add_metric([status], count)
        yield callbacks
        results = CounterMetricFamily("hotline_callback_attempts", "Callback attempts by result", labels=["result"])
        for result, count in session.execute(select(CallbackAttempt.result, func.count())
                                             .where(CallbackAttempt.status == "ended")
                                             .group_by(CallbackAttempt.result)):
            results.add_metric([result or "unknown"], count)
        yield results
        paused = session.scalar(select(func.count()).select_from(CallbackPause)
                                .where(CallbackPause.resumed_at.is_(None))) or 0
        yield GaugeMetricFamily("hotline_callbacks_paused", "1 while callbacks are paused by an account fault",
                                value=1 if paused else 0)
        outbox = dict(session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        yield GaugeMetricFamily("hotline_outbox_backlog", "Notifications to departments not yet delivered",
                                value=outbox.get("pending", 0) + outbox.get("failing", 0))
        yield GaugeMetricFamily("hotline_outbox_dead", "Notifications given up on", value=outbox.get("dead", 0))
        lines = 0
        if self.spool_dir.exists():
            for path in self.spool_dir.glob("*.jsonl*"):
                with path.open("rb") as handle:
                    lines += sum(1 for _ in handle)
        yield GaugeMetricFamily("hotline_spool_lines", "Webhooks kept on this machine's disk, not yet replayed",
                                value=lines)
