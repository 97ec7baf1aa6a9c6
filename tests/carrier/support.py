"""Test data and a stand-in voice application for the carrier's tests."""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, request
from twilio.request_validator import RequestValidator

from carrier.actions import Listening, Press
from carrier.testing import Handset
from config.settings import Settings

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "0f" * 16
LINE_NUMBER = "+8652388012319"
CITIZEN_NUMBER = "+8613812345678"


@dataclass(frozen=True)
class Seen:
    """One request the stand-in application received."""

    path: str
    method: str
    url: str
    params: dict[str, str]
    signature_valid: bool


Reply = str | tuple


class StandIn:
    """A tiny voice application: answers each path with the TwiML a test gives
    it and records every request, checking its signature with the same
    ``RequestValidator`` the real service uses."""

    def __init__(self, auth_token: str) -> None:
        self.validator = RequestValidator(auth_token)
        self.base = ""
        # Set to check signatures against a public URL, as a service behind a proxy does.
        self.public_base: str | None = None
        self.forged = False          # a test that expects bad signatures says so
        self.requests: list[Seen] = []
        self._routes: dict[str, Callable[[Seen], Reply]] = {}
        self._cond = threading.Condition()
        self.flask = Flask(__name__)
        self.flask.add_url_rule("/<path:path>", "any", self._answer, methods=["GET", "POST"])

    def on(self, path: str, reply: Reply | Callable[[Seen], Reply]) -> str:
        """Answer ``path`` with fixed TwiML, or with what ``reply(seen)`` returns; return its URL."""
        self._routes[path.split("?")[0]] = reply if callable(reply) else (lambda seen: reply)
        return self.base + path

    def url(self, path: str) -> str:
        return self.base + path

    def seen(self, path: str) -> list[Seen]:
        with self._cond:
            return [s for s in self.requests if s.path == path]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
        with self._cond:
            return self._cond.wait_for(predicate, timeout)

    def _answer(self, path: str):
        form = request.form.to_dict() if request.method == "POST" else {}
        url = request.url if self.public_base is None else self.public_base + request.full_path.rstrip("?")
        valid = self.validator.validate(url, form, request.headers.get("X-Twilio-Signature", ""))
        seen = Seen("/" + path, request.method, request.url, form or request.args.to_dict(), valid)
        with self._cond:
            self.requests.append(seen)
            self._cond.notify_all()
        handler = self._routes.get(seen.path)
        if handler is None:
            return "", 204
        reply = handler(seen)
        return reply if isinstance(reply, tuple) else (reply, 200, {"Content-Type": "text/xml; charset=utf-8"})


def settings_for_tests(**overrides) -> Settings:
    return Settings(**{"env": "testing", "twilio_account_sid": ACCOUNT_SID, "twilio_auth_token": AUTH_TOKEN,
                       **overrides})


def finished(call, timeout: float = 60.0):
    """Wait for ``call`` to end; fail the test if it does not."""
    assert call.wait_ended(timeout), f"{call} did not end; its log: {[(e.kind, e.text) for e in call.log]}"
    return call


def heard(party, call=None) -> list[str]:
    return [u.text for u in party.utterances(call.sid if call else None)]


class Caller(Handset):
    """A handset that asks for a person at the menu (presses 0), then does what the test says."""

    def __init__(self, carrier, address: str) -> None:
        super().__init__(carrier, address)
        self.keys = ["0"]

    def next_action(self, call, moment):
        if self.keys and isinstance(moment, Listening):
            return Press(self.keys.pop(0))
        return super().next_action(call, moment)
