"""Fixtures for the carrier's tests: real HTTP servers on loopback in
threads, a stand-in voice application, the real service (shared with
tests/e2e/, from tests/support/hotline_service.py), and carriers whose
waits run at a hundredth of call time.  Nothing here reaches a network."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from twilio.rest import Client

from carrier import Carrier, IncomingNumber
from carrier.testing import serve
from tests.carrier.support import ACCOUNT_SID, AUTH_TOKEN, LINE_NUMBER, StandIn
from tests.support.hotline_service import rest_client, running_carrier, service  # noqa: F401  (service: the phone's)


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    """The stand-in application.  After each test, every request it received
    must have carried a valid signature, unless the test forged them."""
    application = StandIn(AUTH_TOKEN)
    with serve(application.flask) as base:
        application.base = base
        yield application
    if not application.forged:
        assert [s.url for s in application.requests if not s.signature_valid] == []


@pytest.fixture
def carrier() -> Iterator[Carrier]:
    with running_carrier(ACCOUNT_SID, AUTH_TOKEN) as the_carrier:
        yield the_carrier


@pytest.fixture
def line(carrier: Carrier, stand_in: StandIn) -> str:
    """The account's number: Voice URL /voice, status callback /status, fallback /fallback."""
    carrier.add_number(IncomingNumber(LINE_NUMBER, stand_in.url("/voice"), status_callback=stand_in.url("/status"),
                                      fallback_url=stand_in.url("/fallback"), friendly_name="test line"))
    return LINE_NUMBER


@pytest.fixture
def twilio(carrier: Carrier) -> Client:
    return rest_client(carrier)
