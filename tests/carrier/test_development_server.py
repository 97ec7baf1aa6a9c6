"""Running the service with the carrier for development, and never in production."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from datetime import datetime, timezone

import pytest
import requests
from click.testing import CliRunner
from flask import Flask, jsonify
from sqlalchemy.orm import Session

from carrier import CarrierRefused, create_carrier_app
from carrier.dev import build_dev_app, make_dev_command, scheduler_environment
from carrier.testing import serve_built
from config.loader import load_config
from config.settings import PROJECT_ROOT
from tests.carrier.support import ACCOUNT_SID, AUTH_TOKEN, settings_for_tests
from tests.scheduler.support import config_dir_calling_all_day, wait_until


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


def test_the_scheduler_is_given_the_carriers_urls():
    env = scheduler_environment("http://127.0.0.1:5000", {"PATH": "/usr/bin", "HOTLINE_PUBLIC_URL": "stale"})
    assert env == {"PATH": "/usr/bin", "HOTLINE_PUBLIC_URL": "http://127.0.0.1:5000",
                   "HOTLINE_TWILIO_API_URL": "http://127.0.0.1:5000/carrier"}


def test_make_run_places_callbacks_through_the_carrier(tmp_path):
    """``flask dev`` (what ``make run`` starts) runs the scheduler beside the
    server: a callback owed now rings the complainant through the carrier."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("HOTLINE_")}
    env.update(HOTLINE_INSTANCE_DIR=str(tmp_path / "instance"), HOTLINE_CONFIG_DIR=str(
        config_dir_calling_all_day(tmp_path / "config")), HOTLINE_SCHEDULER_CALLBACKS_EVERY="1s",
        HOTLINE_SCHEDULER_STANDBY_POLL="1s", PYTHONUNBUFFERED="1")
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "init"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    output = tmp_path / "dev.log"
    with output.open("wb") as log:
        dev = subprocess.Popen([*flask, "dev", "--port", str(port)], cwd=PROJECT_ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        said = lambda words: words in output.read_text(errors="replace")     # noqa: E731
        wait_until(lambda: said(" leads: jobs ") or dev.poll() is not None, 90, "the scheduler to lead")
        assert dev.poll() is None, output.read_text()
        assert said("  scheduler:      process ")
        owe_a_callback_now(f"sqlite:///{tmp_path / 'instance' / 'hotline.sqlite3'}")
        secrets = json.loads((tmp_path / "instance" / "dev-secrets.json").read_text())
        sid, token = secrets["twilio_account_sid"], secrets["twilio_auth_token"]

        def placed() -> list[str]:
            calls = requests.get(f"http://127.0.0.1:{port}/carrier/2010-04-01/Accounts/{sid}/Calls.json",
                                 auth=(sid, token), timeout=10).json()["calls"]
            return [call["to"] for call in calls if call["direction"] == "outbound-api"]

        wait_until(lambda: "+8613812345678" in placed(), 90, "the callback to be placed through the carrier")
    finally:
        dev.send_signal(signal.SIGTERM)      # as a process manager stops it; Ctrl+C goes the same way
        try:
            dev.wait(timeout=120)
        except subprocess.TimeoutExpired:
            dev.kill()
            scheduler = re.search(r"scheduler:\s+process (\d+)", output.read_text(errors="replace"))
            if scheduler:
                os.kill(int(scheduler.group(1)), signal.SIGKILL)
            raise
    assert said("stopped"), "the scheduler stopped with the server"


def owe_a_callback_now(database_url: str) -> None:
    from app import model_metadata
    from callbacks.models import Callback
    from database import make_engine

    model_metadata()                  # every table, for the foreign keys
    engine = make_engine(database_url)
    now = datetime.now(timezone.utc)
    with Session(engine) as session, session.begin():
        session.add(Callback(purpose="queue", purpose_key="dev-test", phone_e164="+8613812345678", line_id="urban",
                             status="pending", due_at=now, next_attempt_at=now, language="zh-CN"))
    engine.dispose()
