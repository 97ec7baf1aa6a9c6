"""Requests to the application, signed the way Twilio signs them.

Twilio signs each request with HMAC-SHA1 keyed by the auth token, over the
URL it requested followed by the POST parameters sorted by name; a GET
request carries its parameters in the URL instead.  The carrier computes that
signature with the same ``twilio.request_validator.RequestValidator`` the
service uses to check it, so both ends agree by construction.

``Routes`` plays the reverse proxy: a URL under the service's public base
(``HOTLINE_PUBLIC_URL``) is signed as that public URL but sent to where the
service actually listens, exactly as a request that went through a TLS
terminator would arrive.
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

import requests
from twilio.request_validator import RequestValidator

# Twilio gives up on a webhook after 15 seconds.
TIMEOUT_SECONDS = 15.0
TWIML_TYPES = ("text/xml", "application/xml", "text/html")

HTTP_RETRIEVAL_FAILURE = 11200
INVALID_CONTENT_TYPE = 12300
CALLBACK_WARNING = 15003


class WebhookFailure(Exception):
    def __init__(self, code: int, message: str, url: str) -> None:
        self.code, self.message, self.url = code, message, url
        super().__init__(f"{code} {message} ({url})")


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    text: str


@dataclass(frozen=True)
class Routes:
    """Public base URL -> where requests for it are really delivered."""

    public_base: str | None = None
    local_base: str | None = None

    def transport_url(self, url: str) -> str:
        if self.public_base and self.local_base and url.startswith(self.public_base):
            return self.local_base.rstrip("/") + url[len(self.public_base.rstrip("/")):]
        return url


class Webhooks:
    def __init__(self, auth_token: str, *, routes: Routes | None = None,
                 timeout: float = TIMEOUT_SECONDS, session: requests.Session | None = None) -> None:
        self.validator = RequestValidator(auth_token)
        self.routes = routes or Routes()
        self.timeout = timeout
        self.session = session or requests.Session()
        # Webhooks go to the service, never through a proxy from the environment.
        self.session.trust_env = False

    def signed(self, url: str, method: str, params: Mapping[str, str]) -> tuple[str, dict, dict]:
        """The URL to sign, the form body, and the headers of one request."""
        params = {k: str(v) for k, v in params.items() if v is not None}
        if method == "GET":
            signed_url = url + ("&" if "?" in url else "?") + urlencode(params) if params else url
            body: dict = {}
        else:
            signed_url, body = url, params
        headers = {
            "X-Twilio-Signature": self.validator.compute_signature(signed_url, body),
            "I-Twilio-Idempotency-Token": str(uuid.uuid4()),
            "User-Agent": "TwilioProxy/1.1 (hotline local carrier)",
            "Accept": "*/*",
        }
        return signed_url, body, headers

    def request(self, url: str, method: str, params: Mapping[str, str]) -> Reply:
        method = method.upper()
        signed_url, body, headers = self.signed(url, method, params)
        try:
            response = self.session.request(method, self.routes.transport_url(signed_url), data=body or None,
                                            headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise WebhookFailure(HTTP_RETRIEVAL_FAILURE, f"could not reach the application: {exc}", url) from exc
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        return Reply(response.status_code, content_type, response.text)

    def fetch_twiml(self, url: str, method: str, params: Mapping[str, str]) -> str:
        reply = self.request(url, method, params)
        if not 200 <= reply.status < 300:
            raise WebhookFailure(HTTP_RETRIEVAL_FAILURE, f"the application answered HTTP {reply.status}", url)
        if reply.content_type not in TWIML_TYPES:
            raise WebhookFailure(INVALID_CONTENT_TYPE,
                                 f"the application answered {reply.content_type or 'no content type'}, "
                                 "not TwiML (text/xml)", url)
        return reply.text
