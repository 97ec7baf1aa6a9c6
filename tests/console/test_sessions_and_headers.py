"""Signing out ends the session on the server, so a copy of the cookie stops
working; every answer carries the browser's security headers, and the
console's pages run no script or style the policy does not allow."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.console.conftest import csrf_token

COOKIE = "hotline_session"


def test_an_old_cookie_stops_working_after_sign_out(app, client, sign_in):
    sign_in("op1")
    kept = client.get_cookie(COOKIE).value
    assert client.get("/console/").status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    replay = app.test_client()
    replay.set_cookie(COOKIE, kept)
    assert replay.get("/console/").status_code == 302


def test_signing_out_ends_the_users_other_sessions_too(app, client, sign_in):
    sign_in("op1")
    elsewhere = app.test_client()
    elsewhere.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    assert elsewhere.get("/console/").status_code == 200
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    assert elsewhere.get("/console/").status_code == 302


def test_signing_in_again_works_after_signing_out(client, sign_in):
    sign_in("op1")
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    assert sign_in("op1").status_code == 302
    assert client.get("/console/").status_code == 200


@pytest.mark.parametrize("path", ["/console/login", "/api/v1/openapi.json", "/open311/v2/services.json"])
def test_every_answer_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["default-src"] == "'self'" and "'unsafe-inline'" not in policy["script-src"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


class Inline(HTMLParser):
    """Inline scripts and styles with their nonces, and inline event handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.nonces, self.handlers = [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in ("script", "style") and "src" not in attributes:
            self.nonces.append((tag, attributes.get("nonce")))
        self.handlers += [f"{tag} {name}" for name in attributes if name.startswith("on")]


@pytest.mark.parametrize("username,path", [("op1", "/console/board"), ("sup1", "/console/reports/2026-09"),
                                           ("sup1", "/console/reports/2026-09/notice/DRAIN"),
                                           ("op1", "/console/")])
def test_console_pages_run_only_what_the_policy_allows(client, sign_in, username, path):
    sign_in(username)
    response = client.get(path)
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    page = Inline()
    page.feed(response.get_data(as_text=True))
    assert page.handlers == []
    assert all(found == nonce for _, found in page.nonces), page.nonces
