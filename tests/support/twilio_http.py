"""A twilio ``HttpClient`` for tests: the real ``twilio.rest.Client`` code
runs, and every request it would send is recorded and answered here."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from twilio.http import HttpClient
from twilio.http.response import Response


@dataclass
class SentRequest:
    method: str
    url: str
    params: dict
    data: dict


@dataclass
class RecordingHttpClient(HttpClient):
    """Answers by the end of the URL path: ``answers["/Calls/CA….json"] = (200, {...})``."""

    answers: dict[str, tuple[int, dict]] = field(default_factory=dict)
    sent: list[SentRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(logging.getLogger("tests.twilio_http"), is_async=False)

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                allow_redirects=False):
        flat = {k: v for k, v in (data or {}).items()}
        self.sent.append(SentRequest(method, url, dict(params or {}), flat))
        for suffix, (status, body) in self.answers.items():
            if url.split("?")[0].endswith(suffix):
                return Response(status, json.dumps(body))
        return Response(404, json.dumps({"code": 20404, "message": "The requested resource was not found",
                                          "more_info": "https://www.twilio.com/docs/errors/20404",
                                          "status": 404}))


def call_resource(sid: str, status: str = "in-progress", **extra) -> dict:
    return {"sid": sid, "account_sid": "AC" + "0" * 32, "status": status, "to": "+8652388012319",
            "from": "+8613812345678", **extra}


def form(data) -> dict:
    return {k: v[0] if isinstance(v, list) else v for k, v in parse_qs(data).items()} if isinstance(data, str) else data
