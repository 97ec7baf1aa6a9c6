"""The Twilio REST client: the one place it is built.

Outbound calls (callbacks, taking over a live call, dequeuing) go through
``twilio.rest.Client``.  ``HOTLINE_TWILIO_API_URL`` points it at another
base URL, such as the local carrier; tests hand in an ``http_client`` so the
real client code runs without the network.
"""
from __future__ import annotations

from flask import current_app
from twilio.http import HttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from config.settings import Settings
from wiring import services

TWILIO_API = "https://api.twilio.com"


# Twilio's own HTTP client waits forever by default; a hung connection must
# not hold a web request or a scheduler thread.
REST_TIMEOUT_SECONDS = 15


def build_client(settings: Settings, http_client: HttpClient | None = None) -> Client:
    http_client = http_client or TwilioHttpClient(timeout=REST_TIMEOUT_SECONDS)
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
    if settings.twilio_api_url and settings.twilio_api_url != TWILIO_API:
        # Every Twilio 2010-04-01 resource (Calls, Queues, Recordings) is
        # served by the Api domain; moving its base URL moves them all.
        client.api.base_url = settings.twilio_api_url
    return client


def twilio_client() -> Client:
    """The app's client, built once per app (it is thread-safe to share)."""
    kept = services()
    if kept.twilio_client is None:
        kept.twilio_client = build_client(current_app.config["SETTINGS"], kept.twilio_http_client)
    return kept.twilio_client
