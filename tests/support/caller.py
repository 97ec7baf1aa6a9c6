"""A caller for tests: posts Twilio's parameters, signed, to the real
webhooks through Flask's test client, and follows the TwiML it gets back."""
from __future__ import annotations

import itertools
import secrets
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator

from tests.support.twiml import Document, parse

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC_URL = "https://hotline.example.org"
URBAN = "+8652388012319"
CONDUCT = "+8652386012345"


def sign(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


class Webhooks:
    """Signed posts to the app, as Twilio would make them."""

    def __init__(self, client, public_url: str = PUBLIC_URL, token: str = AUTH_TOKEN) -> None:
        self.client, self.public_url, self.token = client, public_url, token

    def post(self, url: str, params: dict, *, signature: str | None = None, headers: dict | None = None):
        if not url.startswith("http"):
            url = self.public_url + url
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        all_headers = {"X-Twilio-Signature": sign(url, params, self.token) if signature is None else signature}
        all_headers.update(headers or {})
        return self.client.post(path, data=params, headers=all_headers)


class Call:
    """One simulated inbound call, following Gather and Record actions."""

    _counter = itertools.count(1)

    def __init__(self, webhooks: Webhooks, *, to: str = URBAN, from_: str = "+8613812345678") -> None:
        self.webhooks = webhooks
        self.sid = "CA" + secrets.token_hex(16)
        self.to, self.from_ = to, from_
        self.document: Document | None = None
        self.transcript: list[str] = []
        self.responses = []

    def base_params(self) -> dict:
        return {
            "CallSid": self.sid, "AccountSid": ACCOUNT_SID, "From": self.from_, "To": self.to,
            "Caller": self.from_, "Called": self.to, "CallStatus": "in-progress", "Direction": "inbound",
            "ApiVersion": "2010-04-01", "FromCountry": "CN", "ToCountry": "CN",
        }

    def _follow(self, url: str, extra: dict) -> Document:
        response = self.webhooks.post(url, {**self.base_params(), **extra})
        assert response.status_code == 200, f"{url} answered {response.status_code}: {response.data[:300]!r}"
        assert response.mimetype == "text/xml"
        self.responses.append(response.data)
        self.document = Document(parse(response.data))
        self.transcript.append(self.document.text)
        return self.document

    def dial(self) -> Document:
        return self._follow("/voice/incoming", {"CallStatus": "ringing"})

    @property
    def action(self) -> str:
        assert self.document is not None
        gather = self.document.gather
        if gather is not None:
            return gather.get("action")
        record = self.document.record
        assert record is not None, f"nothing to answer: {self.document.verbs()}"
        return record.get("action")

    def press(self, digits: str) -> Document:
        return self._follow(self.action, {"Digits": digits})

    def say(self, words: str, confidence: float = 0.92) -> Document:
        return self._follow(self.action, {"SpeechResult": words, "Confidence": str(confidence)})

    def silence(self) -> Document:
        return self._follow(self.action, {})

    def leave_recording(self, seconds: int = 12) -> Document:
        sid = "RE" + secrets.token_hex(16)
        return self._follow(self.action, {
            "RecordingSid": sid, "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}",
            "RecordingDuration": str(seconds), "Digits": "hangup",
        })
