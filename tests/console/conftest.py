from __future__ import annotations

import re

import pytest

from accounts.services import create_user
from carrier import create_carrier_app
from carrier.testing import carrier_for, serve
from database import db

PASSWORD = "correct horse battery"


@pytest.fixture
def users(app):
    with db.session_scope(app) as session:
        for name, role, department in (("op1", "operator", None), ("disp1", "dispatcher", None),
                                       ("sup1", "supervisor", None), ("drain1", "department", "DRAIN"),
                                       ("insp1", "inspector", None), ("admin1", "admin", None)):
            # A cheap hash keeps the tests quick; the service defaults to scrypt.
            create_user(session, name, PASSWORD, role, department_code=department, device="client:" + name,
                        hash_method="pbkdf2:sha256:1000")
    return PASSWORD


def csrf_token(client, path: str = "/console/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture
def sign_in(client, users):
    def do(username: str, password: str = PASSWORD, language: str | None = None):
        """Sign in; with ``language``, then switch the console to it (the user keeps it)."""
        token = csrf_token(client)
        response = client.post("/console/login", data={"username": username, "password": password,
                                                        "csrf_token": token})
        if language is not None:
            client.post("/console/language", data={"language": language,
                                                   "csrf_token": csrf_token(client, "/console/")})
        return response
    return do


@pytest.fixture
def carrier(app):
    """The carrier on a loopback port, standing in for Twilio's REST API (the recordings' audio)."""
    settings = app.config["SETTINGS"]
    the_carrier = carrier_for(settings.twilio_account_sid, settings.twilio_auth_token)
    try:
        with serve(create_carrier_app(the_carrier, settings)) as api:
            the_carrier.api_base_url = api
            app.config["SETTINGS"] = settings.with_overrides({"twilio_api_url": api})
            yield the_carrier
    finally:
        the_carrier.shutdown()
