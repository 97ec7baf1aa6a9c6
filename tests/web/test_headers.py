"""web/headers.py on a small app of its own: every answer carries the
browser's security headers, and inline scripts and styles are allowed only
with the request's own nonce."""
from __future__ import annotations

import re

import pytest
from flask import Flask, abort, render_template_string

from web.headers import add_security_headers, csp_nonce

PAGE = "<script nonce='{{ csp_nonce() }}'>1</script><style nonce='{{ csp_nonce() }}'></style>"


@pytest.fixture
def client():
    app = Flask(__name__)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.get("/page")
    def page():
        return render_template_string(PAGE)

    @app.get("/framed")
    def framed():
        return "embeddable", 200, {"X-Frame-Options": "SAMEORIGIN",
                                   "Content-Security-Policy": "frame-ancestors 'self'"}

    @app.get("/refused")
    def refused():
        abort(403)

    return app.test_client()


def policy(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response.headers["Content-Security-Policy"].split(";"))


def test_every_answer_carries_the_security_headers(client):
    for response in (client.get("/page"), client.get("/refused"), client.get("/nowhere")):
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        rules = policy(response)
        assert rules["default-src"] == "'self'"
        assert rules["object-src"] == rules["base-uri"] == rules["frame-ancestors"] == "'none'"
        assert rules["form-action"] == "'self'"
        assert rules["img-src"] == "'self' data:"


def test_inline_scripts_and_styles_need_the_requests_nonce(client):
    response = client.get("/page")
    nonce = re.search(r"'nonce-([^']+)'", policy(response)["script-src"]).group(1)
    assert policy(response)["script-src"] == f"'self' 'nonce-{nonce}'"
    assert policy(response)["style-src"] == f"'self' 'nonce-{nonce}'"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    # The page's elements carry the same nonce the header allows: one per request.
    assert re.findall(r"nonce='([^']+)'", response.get_data(as_text=True)) == [nonce, nonce]


def test_each_request_has_a_nonce_no_one_can_guess(client):
    nonces = {re.search(r"'nonce-([^']+)'", client.get("/page").headers["Content-Security-Policy"]).group(1)
              for _ in range(5)}
    assert len(nonces) == 5
    assert all(len(nonce) >= 20 for nonce in nonces)


def test_a_view_that_sets_a_header_itself_keeps_it(client):
    response = client.get("/framed")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
