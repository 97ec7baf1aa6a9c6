"""The Twilio REST client: the one place it is built.

Outbound calls (callbacks, taking over a live call, dequeuing) go through
``twilio.rest.Client``.  ``HOTLINE_TWILIO_API_URL`` points it at another
base URL, such as the local carrier; tests hand in an ``http_client`` so the
real client code runs without the network.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import requests
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
# Twilio waits 15 s for a webhook's answer.  A REST call made while answering
# one (ringing the operator, sending the caller back to the queue) gives up
# well before, so the caller still hears our answer, not Twilio's error.
WEBHOOK_REST_TIMEOUT_SECONDS = 5


def build_client(settings: Settings, http_client: HttpClient | None = None) -> Client:
    http_client = http_client or TwilioHttpClient(timeout=REST_TIMEOUT_SECONDS)
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
    if settings.twilio_api_url and settings.twilio_api_url != TWILIO_API:
        # Every Twilio 2010-04-01 resource (Calls, Queues, Recordings) is
        # served by the Api domain; moving its base URL moves them all.
        client.api.base_url = settings.twilio_api_url
    return client


def twilio_client(*, in_webhook: bool = False) -> Client:
    """The app's client, built once per app (it is thread-safe to share);
    ``in_webhook``: the one for REST calls made while answering a webhook,
    which waits at most ``WEBHOOK_REST_TIMEOUT_SECONDS``.  A transport that
    tests hand in serves both."""
    kept = services()
    if in_webhook and kept.twilio_http_client is None:
        settings = current_app.config["SETTINGS"]
        if kept.twilio_webhook_client is None or kept.twilio_webhook_client[0] is not settings:
            # Built again only when the settings were replaced (tests point them at the carrier).
            kept.twilio_webhook_client = (settings, build_client(
                settings, TwilioHttpClient(timeout=WEBHOOK_REST_TIMEOUT_SECONDS)))
        return kept.twilio_webhook_client[1]
    if kept.twilio_client is None:
        kept.twilio_client = build_client(current_app.config["SETTINGS"], kept.twilio_http_client)
    return kept.twilio_client


# --- recordings' audio, for the console's player ----------------------------------------------

# A voicemail is two minutes at most: about 2 MB of telephone WAV.  Anything
# far larger is not one of ours.
RECORDING_MAX_BYTES = 64 * 1024 * 1024
_RECORDING_SID = re.compile(r"RE[0-9a-fA-F]{32}")


class RecordingUnavailable(Exception):
    """Twilio has no audio for the recording (``status`` 404), or could not
    be reached or answered wrongly (502)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class RecordingAudio:
    content_type: str
    length: int | None
    chunks: Iterator[bytes]


def recording_audio(settings: Settings, recording_sid: str) -> RecordingAudio:
    """The recording's WAV audio from Twilio's API (or the carrier standing
    in for it), fetched with the account's credentials so the browser never
    needs them.  The URL is built from the SID, never taken from a request."""
    if not _RECORDING_SID.fullmatch(recording_sid or ""):
        raise RecordingUnavailable(404, "not a recording SID")
    url = (f"{settings.twilio_api_url.rstrip('/')}/2010-04-01/Accounts/{settings.twilio_account_sid}"
           f"/Recordings/{recording_sid}.wav")
    try:
        answer = requests.get(url, auth=(settings.twilio_account_sid, settings.twilio_auth_token), stream=True,
                              timeout=REST_TIMEOUT_SECONDS, allow_redirects=True)
    except requests.RequestException as exc:
        raise RecordingUnavailable(502, f"Twilio could not be reached for recording {recording_sid}: "
                                        f"{exc.__class__.__name__}") from None
    if answer.status_code != 200:
        answer.close()
        raise RecordingUnavailable(404 if answer.status_code == 404 else 502,
                                   f"Twilio answered {answer.status_code} for recording {recording_sid}")
    length = answer.headers.get("Content-Length")
    if length and (not length.isdigit() or int(length) > RECORDING_MAX_BYTES):
        answer.close()
        raise RecordingUnavailable(502, f"recording {recording_sid} is larger than a voicemail can be")
    content_type = answer.headers.get("Content-Type", "audio/wav").split(";")[0].strip()
    if not content_type.startswith("audio/"):
        answer.close()
        raise RecordingUnavailable(502, f"Twilio sent {content_type} for recording {recording_sid}")
    return RecordingAudio(content_type, int(length) if length else None, _chunks(answer))


def _chunks(answer) -> Iterator[bytes]:
    sent = 0
    try:
        for chunk in answer.iter_content(64 * 1024):
            sent += len(chunk)
            if sent > RECORDING_MAX_BYTES:
                break
            yield chunk
    finally:
        answer.close()
