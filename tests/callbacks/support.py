"""Test doubles for callbacks: Twilio's REST API behind the real client, and
Twilio's side of a placed call, posting signed webhooks to the app."""
from __future__ import annotations

import itertools
import json
import logging
import secrets
import threading
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from twilio.http import HttpClient
from twilio.http.response import Response

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


class RecordingTwilio(HttpClient):
    """Twilio's REST API as far as callbacks use it: ``POST Calls.json``
    records what was sent and answers like Twilio; ``GET Calls/<sid>.json``
    answers with a status set by the test.  The real ``twilio.rest.Client``
    runs on top of it."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("tests.twilio"), is_async=False)
        self.created: list[dict] = []
        self.statuses: dict[str, str] = {}
        self.failures: list[tuple[int, int, str]] = []     # (HTTP status, Twilio code, message), used in order
        self.requests: list[tuple[str, str]] = []
        self.lookups_down = False
        self._lock = threading.Lock()

    def fail_next(self, status: int = 500, code: int = 20500, message: str = "Internal Server Error") -> None:
        self.failures.append((status, code, message))

    def request(self, method, uri, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False) -> Response:
        with self._lock:
            self.requests.append((method, uri))
            assert auth == (ACCOUNT_SID, auth[1]), "calls must be made with the account SID"
            if method == "GET" and self.lookups_down:
                return Response(503, json.dumps({"code": 20503, "message": "Service Unavailable", "status": 503}))
            if self.failures:
                status, code, message = self.failures.pop(0)
                return Response(status, json.dumps({"code": code, "message": message, "status": status}))
            path = urlsplit(uri).path
            if method == "POST" and path.endswith("/Calls.json"):
                sid = "CA" + secrets.token_hex(16)
                sent = {key: value for key, value in (data or {}).items()}
                sent["_sid"] = sid
                sent["_date_created"] = None
                self.created.append(sent)
                self.statuses[sid] = "queued"
                return Response(201, json.dumps({
                    "sid": sid, "account_sid": ACCOUNT_SID, "to": sent.get("To"), "from": sent.get("From"),
                    "status": "queued", "direction": "outbound-api", "api_version": "2010-04-01",
                }))
            if method == "GET" and path.endswith("/Calls.json"):
                wanted = {"To": (params or {}).get("To"), "From": (params or {}).get("From")}
                listed = [{"sid": c["_sid"], "to": c.get("To"), "from": c.get("From"), "direction": "outbound-api",
                           "status": self.statuses[c["_sid"]], "date_created": c.get("_date_created")}
                          for c in reversed(self.created)
                          if all(v is None or c.get(k) == v for k, v in wanted.items())]
                return Response(200, json.dumps({"calls": listed, "page": 0, "page_size": 50, "start": 0,
                                                 "end": max(len(listed) - 1, 0), "uri": path,
                                                 "first_page_uri": path, "next_page_uri": None,
                                                 "previous_page_uri": None}))
            if method == "GET" and "/Calls/" in path:
                sid = path.rsplit("/", 1)[-1].removesuffix(".json")
                if sid not in self.statuses:
                    return Response(404, json.dumps({"code": 20404, "message": "not found", "status": 404}))
                return Response(200, json.dumps({"sid": sid, "status": self.statuses[sid]}))
            return Response(404, json.dumps({"code": 20404, "message": f"no {method} {path}", "status": 404}))

    def took(self, to: str, from_: str, status: str = "in-progress", date_created: str | None = None) -> str:
        """A call Twilio placed although the dispatcher never heard its
        answer (the scheduler died first)."""
        sid = "CA" + secrets.token_hex(16)
        with self._lock:
            self.created.append({"To": to, "From": from_, "_sid": sid, "_date_created": date_created})
            self.statuses[sid] = status
        return sid

    def fail_lookups(self, down: bool = True) -> None:
        """Every GET fails as if Twilio's API were unreachable, until called with False."""
        self.lookups_down = down

    def calls_to(self, number: str) -> list[dict]:
        return [c for c in self.created if c.get("To") == number]


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
