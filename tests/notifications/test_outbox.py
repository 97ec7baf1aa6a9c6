"""Notifications to departments' systems: written with the event, delivered
at least once, signed, retried with backoff while the receiver is down."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from cases.lifecycle import IllegalTransition
from database import db
from notifications.models import OutboxMessage
from notifications.signing import verify
from notifications.worker import DeliveryPolicy, deliver_due
from tests.support.factories import dispatched, report, step
from wiring import services

SECRET = "drain-department-shared-secret"


class Receiver:
    """A department's endpoint on loopback that can fail, hang, then recover."""

    def __init__(self) -> None:
        self.mode = "ok"          # ok | error | slow
        self.received: list[dict] = []
        self.keys_seen: list[str] = []
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hotline-events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wsgi(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        self.keys_seen.append(request.headers["Idempotency-Key"])
        if self.mode == "slow":
            time.sleep(0.6)
        if self.mode == "error":
            return Response("database migration in progress", status=500)(environ, start_response)
        timestamp = int(request.headers["X-Hotline-Timestamp"])
        assert verify(SECRET, timestamp, body, request.headers["X-Hotline-Signature"], now=timestamp)
        self.received.append(json.loads(body))
        return Response(status=204)(environ, start_response)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def config(app, receiver):
    base = services(app).config
    drain = replace(base.departments["DRAIN"], notify_url=receiver.url, notify_secret=SECRET)
    return replace(base, departments={**base.departments, "DRAIN": drain})


POLICY = DeliveryPolicy(max_attempts=5, first_delay=timedelta(seconds=30), timeout_seconds=0.3)


def deliver(app, config, now, policy=POLICY):
    return deliver_due(lambda: db.session_scope(app), config, now, policy)


def the_message(app) -> dict:
    """The one outbox row as it is now, read in a short transaction of its own."""
    with db.session_scope(app) as session:
        message = session.scalars(select(OutboxMessage)).one()
        return {name: getattr(message, name) for name in
                ("status", "attempts", "last_error", "next_attempt_at", "idempotency_key")}


def test_dispatch_writes_a_notification_in_the_same_transaction(session, config, clock):
    case = dispatched(session, config, clock())
    message = session.scalars(select(OutboxMessage)).one()
    assert message.department_code == "DRAIN" and message.event_type == "case.dispatch"
    assert message.payload["case"]["number"] == case.number and message.status == "pending"


def test_a_refused_step_writes_no_notification(session, config, clock):
    case = report(session, config, clock())
    with pytest.raises(IllegalTransition):
        step(session, config, case, "dispose", clock(), "department", note="x")
    assert session.scalars(select(OutboxMessage)).all() == []


def test_departments_without_a_system_get_no_notification(session, app, clock):
    dispatched(session, services(app).config, clock(), category="E0102", location="人民路1号")
    assert session.scalars(select(OutboxMessage)).all() == []


def test_delivery_is_signed_and_happens_once(app, session, config, clock, receiver):
    case = dispatched(session, config, clock())
    session.commit()
    counts = deliver(app, config, clock())
    assert (counts.delivered, counts.failed) == (1, 0)
    assert receiver.received[0]["case"]["number"] == case.number
    assert receiver.received[0]["type"] == "case.dispatch"
    assert deliver(app, config, clock() + timedelta(hours=1)).delivered == 0


def test_receiver_down_for_a_while_then_delivered_with_backoff(app, session, config, clock, receiver):
    dispatched(session, config, clock())
    session.commit()
    now = clock()
    receiver.mode = "error"
    assert deliver(app, config, now).failed == 1
    assert deliver(app, config, now + timedelta(seconds=29)).failed == 0       # not due yet: backoff
    assert deliver(app, config, now + timedelta(seconds=30)).failed == 1
    receiver.mode = "slow"                                                   # times out
    assert deliver(app, config, now + timedelta(seconds=90)).failed == 1
    message = the_message(app)
    assert message["status"] == "failing" and message["attempts"] == 3 and "Timeout" in message["last_error"]
    assert message["next_attempt_at"] == now + timedelta(seconds=90) + timedelta(minutes=2)   # 30 s x 2^2

    receiver.mode = "ok"
    assert deliver(app, config, now + timedelta(minutes=4)).delivered == 1
    message = the_message(app)
    assert message["status"] == "delivered" and message["attempts"] == 4
    # At least once: the timed-out attempt may also have arrived, under the same key.
    assert set(receiver.keys_seen) == {message["idempotency_key"]}


def test_a_message_that_never_gets_through_is_marked_dead_and_listed(app, session, config, clock, receiver):
    dispatched(session, config, clock())
    session.commit()
    receiver.mode = "error"
    now = clock()
    for _attempt in range(POLICY.max_attempts):
        deliver(app, config, now)
        now += timedelta(hours=2)
    message = the_message(app)
    assert message["status"] == "dead" and message["attempts"] == POLICY.max_attempts
    result = app.test_cli_runner().invoke(args=["notifications", "status"])
    assert "dead" in result.output and "HTTP 500" in result.output
