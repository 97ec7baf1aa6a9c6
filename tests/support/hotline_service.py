"""The real hotline behind the local carrier, for every test that drives the
service through it: the end-to-end tests (``tests/e2e/``) and the carrier's
own tests that call the hotline (its browser phone, ``flask call``).

``service`` is a fixture; a conftest imports it where its tests need it.
Nothing here reaches a network: the carrier and the service listen on
loopback."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from twilio.rest import Client

from carrier import Carrier, create_carrier_app
from carrier.exchange import hotline_numbers
from carrier.testing import TEST_TIME_SCALE, carrier_for, serve
from carrier.webhooks import Routes
from config.settings import Settings
from wiring import services

# Call time as a person lives it; every wait still ends as soon as something happens to the call.
BROWSER_TIME_SCALE = 1.0


@contextlib.contextmanager
def running_carrier(account_sid: str, auth_token: str, scale: float = TEST_TIME_SCALE) -> Iterator[Carrier]:
    """A carrier with its REST API and browser phone served on loopback."""
    the_carrier = carrier_for(account_sid, auth_token, scale)
    settings = Settings(env="testing", twilio_account_sid=account_sid, twilio_auth_token=auth_token)
    with serve(create_carrier_app(the_carrier, settings)) as base:
        the_carrier.api_base_url = base
        try:
            yield the_carrier
        finally:
            the_carrier.shutdown()


def rest_client(carrier: Carrier) -> Client:
    """The real twilio client, pointed at the carrier the way the service does it."""
    client = Client(carrier.account_sid, carrier.auth_token)
    client.api.base_url = carrier.api_base_url
    return client


@dataclass(frozen=True)
class Service:
    app: Flask
    carrier: Carrier
    twilio: Client
    url: str = ""         # where the service itself listens, for a browser


@pytest.fixture
def service(app, request) -> Iterator[Service]:
    """The real hotline (the suite's ``app``, on the test database) behind a
    stand-in TLS proxy: Twilio's requests are signed for its public URL and
    delivered to where it listens; its REST client talks to a carrier.

    In browser tests someone clicks Answer on a ringing phone, so the
    carrier keeps call time (a 30 s ring rings for 30 s, and ends at once
    when answered): at a hundredth of it, a busy machine lets the ring time
    out before the click, and the operator's phone ends in no-answer."""
    settings = app.config["SETTINGS"]
    scale = BROWSER_TIME_SCALE if request.node.get_closest_marker("browser") else TEST_TIME_SCALE
    with running_carrier(settings.twilio_account_sid, settings.twilio_auth_token, scale) as service_carrier:
        app.config["SETTINGS"] = settings.with_overrides({"twilio_api_url": service_carrier.api_base_url})
        with serve(app) as local:
            service_carrier.webhooks.routes = Routes(settings.public_url, local)
            for number in hotline_numbers(services(app).config.lines.values(), settings.public_url):
                service_carrier.add_number(number)
            yield Service(app, service_carrier, rest_client(service_carrier), local)
