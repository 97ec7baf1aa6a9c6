"""Running the service with the carrier for development, and never in production."""
from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner
from flask import Flask, jsonify

from carrier import CarrierRefused, create_carrier_app
from carrier.dev import build_dev_app, make_dev_command
from carrier.testing import serve_built
from config.loader import load_config
from tests.carrier.support import ACCOUNT_SID, AUTH_TOKEN, settings_for_tests


def fake_hotline(overrides: dict) -> Flask:
    """Stands in for ``app.create_app``: shows the settings it was built with."""
    app = Flask("fake_hotline")
    app.add_url_rule("/settings", "settings", lambda: jsonify(overrides))
    return app


def test_one_server_serves_the_hotline_and_the_carrier_pointing_at_each_other():
    settings = settings_for_tests()
    built = {}

    def build(base: str):
        built["app"], built["carrier"], built["hotline"] = build_dev_app(fake_hotline, settings, base)
        return built["app"]

    with serve_built(build) as base:
        assert requests.get(f"{base}/settings", timeout=5).json() == {
            "public_url": base, "twilio_api_url": f"{base}/carrier"}
        assert requests.get(f"{base}/carrier/phone/", timeout=5).status_code == 200
        calls = requests.get(f"{base}/carrier/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json",
                             auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)
        assert calls.json()["calls"] == []
    carrier = built["carrier"]
    lines = load_config(settings.config_dir).lines.values()
    assert {n.number: n.voice_url for n in carrier.numbers.values()} == {
        number: f"{base}/voice/incoming" for line in lines for number in line.numbers}
    assert carrier.api_base_url == f"{base}/carrier"


def test_the_carrier_app_refuses_production_settings():
    with pytest.raises(CarrierRefused):
        create_carrier_app(settings=settings_for_tests(env="production"))


def test_the_dev_command_refuses_production(tmp_path):
    result = CliRunner().invoke(make_dev_command(fake_hotline), ["--port", "0"], env={
        "HOTLINE_ENV": "production", "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "HOTLINE_SECRET_KEY": "production-strength-key-0123456789abcdefghij",
        "HOTLINE_PUBLIC_URL": "https://hotline.example.org", "HOTLINE_INSTANCE_DIR": str(tmp_path)})
    assert isinstance(result.exception, CarrierRefused)
