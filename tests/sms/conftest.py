"""Fixtures for SMS: the real Twilio client over the recording transport,
and one run of the scheduler's SMS job at the test clock's time."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from database import db
from ivr.kit import public_url
from sms.models import SmsMessage
from sms.sender import send_due
from tests.support.twilio_http import TwilioRest, use_double
from wiring import services


@pytest.fixture
def app(app):
    use_double(app)
    return app


@pytest.fixture
def twilio(app) -> TwilioRest:
    return services(app).twilio_http_client


@pytest.fixture
def config(app):
    return services(app).config


@pytest.fixture
def send(app, clock, session):
    """One run of the scheduler's SMS job.  The test's session ends its
    transaction first, as another process's would."""
    from call_log.twilio_rest import twilio_client

    def run(**options):
        session.commit()
        with app.app_context():
            return send_due(lambda: db.session_scope(app), services(app).config, services(app).sms,
                            twilio_client(), lambda message: public_url(app, "sms.status", message=message),
                            clock, **options)
    return run


@pytest.fixture
def outbox(session):
    def messages(**where) -> list[SmsMessage]:
        session.expire_all()
        query = select(SmsMessage).order_by(SmsMessage.id)
        for name, value in where.items():
            query = query.where(getattr(SmsMessage, name) == value)
        return list(session.scalars(query))
    return messages
