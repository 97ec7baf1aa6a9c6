"""create_app installs web/'s hooks on every face of the service: the
hotline's own pages answer with the headers and refuse NUL at the door."""
from __future__ import annotations

from web.guards import cap_request_size, refuse_unstorable_text
from web.headers import add_security_headers, csp_nonce


def test_create_app_installs_the_guards_and_the_headers(app):
    # The size cap runs first: nothing may read the body before it is set.
    hooks = app.before_request_funcs[None]
    assert hooks.index(cap_request_size) < hooks.index(refuse_unstorable_text)
    assert add_security_headers in app.after_request_funcs[None]
    assert app.jinja_env.globals["csp_nonce"] is csp_nonce


def test_the_console_sign_in_page_is_guarded_and_has_the_headers(client):
    page = client.get("/console/login")
    assert page.status_code == 200 and page.headers["X-Frame-Options"] == "DENY"
    refused = client.get("/console/login?next=%00")
    assert refused.status_code == 400 and refused.headers["Content-Security-Policy"]
