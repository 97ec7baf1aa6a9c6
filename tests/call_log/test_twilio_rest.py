"""The Twilio REST client: one per app for the scheduler and the console, and
one with a short timeout for REST calls made while answering a webhook
(Twilio waits 15 s for the answer, so such a call must give up first)."""
from __future__ import annotations

from call_log.twilio_rest import REST_TIMEOUT_SECONDS, WEBHOOK_REST_TIMEOUT_SECONDS, twilio_client
from tests.support.twilio_http import TwilioRest
from wiring import services


def test_a_rest_call_inside_a_webhook_gives_up_before_twilio_stops_waiting(app):
    with app.app_context():
        services(app).twilio_http_client = None
        everyday, in_webhook = twilio_client(), twilio_client(in_webhook=True)
        assert everyday.http_client.timeout == REST_TIMEOUT_SECONDS
        assert in_webhook.http_client.timeout == WEBHOOK_REST_TIMEOUT_SECONDS < 15
        assert twilio_client(in_webhook=True) is in_webhook and twilio_client() is everyday
        # Settings replaced (tests point them at the local carrier): the webhook's client follows them.
        app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides({"twilio_api_url": "http://127.0.0.1:9"})
        assert twilio_client(in_webhook=True).api.base_url == "http://127.0.0.1:9"


def test_a_transport_tests_hand_in_serves_both(app):
    with app.app_context():
        double = services(app).twilio_http_client = TwilioRest()
        services(app).twilio_client = None
        assert twilio_client(in_webhook=True).http_client is double
        assert twilio_client().http_client is double
