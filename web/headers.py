"""The browser's security headers, on every answer.

* ``Content-Security-Policy``: scripts and styles from the service itself,
  or inline ones carrying this request's nonce (``csp_nonce()`` in
  templates); nothing framed, no plugins, forms posted only to the service;
* ``X-Frame-Options: DENY`` for browsers that predate ``frame-ancestors``;
* ``X-Content-Type-Options: nosniff``: JSON and CSV are never run as HTML;
* ``Referrer-Policy: same-origin``: the console's URLs (case numbers) never
  leave with a link; Flask-WTF's HTTPS check still sees its own referrer.
"""
from __future__ import annotations

import secrets

from flask import Response, g


def csp_nonce() -> str:
    """This request's nonce for inline ``<script>`` and ``<style>`` elements."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def add_security_headers(response: Response) -> Response:
    """An ``after_request`` hook."""
    nonce = csp_nonce()
    response.headers.setdefault("Content-Security-Policy", "; ".join((
        "default-src 'self'", f"script-src 'self' 'nonce-{nonce}'", f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
        "frame-ancestors 'none'")))
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
