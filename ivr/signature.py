"""Checking ``X-Twilio-Signature`` on every Twilio webhook.

Twilio signs the exact URL it called plus the sorted POST parameters.
Behind a proxy or TLS terminator Flask's ``request.url`` is not that URL,
so the public base URL (HOTLINE_PUBLIC_URL) is used when configured; without
it, ``request.url`` is used as seen after the trusted-proxy fix in app.py.
"""
from __future__ import annotations

import functools
import logging

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator, get_signature_algorithm

from ivr.params import clean

log = logging.getLogger(__name__)


def url_twilio_called() -> str:
    settings = current_app.config["SETTINGS"]
    if settings.public_url:
        query = request.query_string.decode("latin-1")
        return settings.public_url + request.path + (f"?{query}" if query else "")
    return request.url


def signature_is_valid() -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    token = current_app.config["SETTINGS"].twilio_auth_token
    params = request.form if request.method == "POST" else {}
    # Twilio names the algorithm in this header when an account opts into
    # HMAC-SHA256; without it the signature is the classic HMAC-SHA1.
    algorithm = get_signature_algorithm(request.headers.get("X-Twilio-Webhooks-Signature-Settings"))
    return RequestValidator(token).validate(url_twilio_called(), params, signature, algorithm)


def twilio_signed(view):
    """Refuse (403) any request not signed by Twilio with our auth token;
    clean the parameters of those that are (``ivr.params.clean``)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if not signature_is_valid():
            log.warning("refused unsigned or forged webhook %s %s", request.method, request.path)
            abort(403)
        clean(request)
        return view(*args, **kwargs)

    checked.twilio_signed = True     # read by web.guards, which leaves such requests to ``clean``

    return checked
