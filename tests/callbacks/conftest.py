"""Fixtures for callbacks: the blueprint and commands registered as the lead
will register them, the real Twilio client over a recording transport, and
closed cases built through the real services."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.callbacks.support import PlacedCall, register_callbacks
from tests.support.factories import dispatched, step
from tests.support.jobs import dispatch  # noqa: F401  (one run of the scheduler's callback job)
from tests.support.twilio_http import TwilioRest, use_double
from wiring import services


@pytest.fixture
def app(app):
    register_callbacks(app)
    use_double(app)
    return app


@pytest.fixture
def twilio(app) -> TwilioRest:
    return services(app).twilio_http_client


@pytest.fixture
def config(app):
    return services(app).config


@pytest.fixture
def placed(webhooks, twilio, session):
    """The latest call placed to ``number`` (or at all), as Twilio would run it."""
    def latest(number: str | None = None) -> PlacedCall:
        calls = twilio.calls_to(number) if number else twilio.created
        assert calls, f"no call was placed{' to ' + number if number else ''}"
        return PlacedCall(webhooks, calls[-1], before_each=session.commit)
    return latest


def closed_case(session, config, now, *, caller="+8613812345678", note="已经更换了新的井盖", **kwargs):
    """A case reported, dispatched, disposed with ``note``, checked and closed."""
    case = dispatched(session, config, now, caller=caller, **kwargs)
    step(session, config, case, "claim", now, "department")
    step(session, config, case, "dispose", now, "department", note=note)
    step(session, config, case, "close", now, "inspector")
    session.commit()
    return case


def later(clock, **delta) -> None:
    clock.moment = clock.moment + timedelta(**delta)
