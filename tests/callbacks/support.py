"""Test helpers for callbacks: Twilio's side of a placed call, posting signed
webhooks to the app (Twilio's REST API is tests.support.twilio_http)."""
from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from tests.support.caller import ACCOUNT_SID, Webhooks
from tests.support.twiml import Document, parse


def register_callbacks(app) -> None:
    """What app.py is to do once the lead wires it: the callback webhooks,
    exempt from CSRF like the voice blueprint, and the two commands."""
    from callbacks.cli import callbacks_cli
    from callbacks.views import bp
    from scheduler.cli import scheduler_command

    if "callbacks" not in app.blueprints:
        app.register_blueprint(bp)
        app.extensions["csrf_protect"].exempt(bp)
    for command in (callbacks_cli, scheduler_command):
        if command.name not in app.cli.commands:
            app.cli.add_command(command)


@dataclass
class PlacedCall:
    """Twilio's side of one placed call: it fetches the Url, posts the
    Gather and Record actions the TwiML names, and the status callbacks."""

    webhooks: Webhooks
    sent: dict
    before_each: Callable[[], None] = lambda: None     # e.g. end the test's own transaction
    sequence: itertools.count = field(default_factory=lambda: itertools.count(0))
    document: Document | None = None
    transcript: list[str] = field(default_factory=list)

    @property
    def sid(self) -> str:
        return self.sent["_sid"]

    @property
    def attempt_id(self) -> int:
        return int(parse_qs(urlsplit(self.sent["Url"]).query)["attempt"][0])

    def params(self, status: str = "in-progress") -> dict:
        return {"CallSid": self.sid, "AccountSid": ACCOUNT_SID, "From": self.sent["From"], "To": self.sent["To"],
                "Caller": self.sent["From"], "Called": self.sent["To"], "CallStatus": status,
                "Direction": "outbound-api", "ApiVersion": "2010-04-01"}

    def status(self, status: str, **extra) -> int:
        params = {**self.params(status), "SequenceNumber": str(next(self.sequence)),
                  "Timestamp": "Fri, 09 Oct 2026 02:00:00 +0000", **extra}
        if status in ("completed", "busy", "no-answer", "failed", "canceled"):
            params.setdefault("CallDuration", "0" if status != "completed" else "35")
        self.before_each()
        response = self.webhooks.post(self.sent["StatusCallback"], params)
        assert response.status_code == 204, response.data
        return response.status_code

    def ring(self) -> None:
        self.status("initiated")
        self.status("ringing")

    def _follow(self, url: str, extra: dict) -> Document:
        self.before_each()
        response = self.webhooks.post(url, {**self.params(), **extra})
        assert response.status_code == 200, f"{url} answered {response.status_code}: {response.data[:300]!r}"
        assert response.mimetype == "text/xml"
        self.document = Document(parse(response.data))
        self.transcript.append(self.document.text)
        return self.document

    def answer(self, answered_by: str = "human") -> Document:
        self.ring()
        self.status("in-progress", AnsweredBy=answered_by)
        return self._follow(self.sent["Url"], {"AnsweredBy": answered_by})

    @property
    def action(self) -> str:
        assert self.document is not None
        if self.document.gather is not None:
            return self.document.gather.get("action")
        assert self.document.record is not None, f"nothing to answer: {self.document.verbs()}"
        return self.document.record.get("action")

    def press(self, digits: str) -> Document:
        return self._follow(self.action, {"Digits": digits})

    def say(self, words: str, confidence: float = 0.9) -> Document:
        return self._follow(self.action, {"SpeechResult": words, "Confidence": str(confidence)})

    def silence(self) -> Document:
        return self._follow(self.action, {})

    def leave_message(self, seconds: int = 9) -> Document:
        sid = "RE" + secrets.token_hex(16)
        return self._follow(self.action, {
            "RecordingSid": sid, "RecordingDuration": str(seconds), "Digits": "hangup",
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}"})

    def hang_up(self) -> None:
        self.status("completed")
