"""The carrier is a development and test tool: a production app does not
contain it at all, so ``/carrier/...`` answers 404 because there are no such
routes, and neither ``flask dev`` nor ``flask call`` exists there."""
from __future__ import annotations

import json
import subprocess
import sys

from config.settings import PROJECT_ROOT
from tests.carrier.support import ACCOUNT_SID

PRODUCTION = {"env": "production", "public_url": "https://hotline.example.org", "understanding": None}


def build(tmp_path, **overrides):
    from app import create_app
    return create_app({"database_url": f"sqlite:///{tmp_path}/hotline.sqlite3", "instance_dir": tmp_path,
                       **overrides})


def test_a_production_app_has_no_carrier_routes_and_answers_404(tmp_path):
    app = build(tmp_path, **PRODUCTION)
    assert [rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/carrier")] == []
    client = app.test_client()
    assert client.get("/carrier/phone/").status_code == 404
    assert client.get("/carrier/").status_code == 404
    assert client.post(f"/carrier/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json",
                       data={"To": "+8652388012319"}).status_code == 404


def test_a_production_app_has_no_carrier_commands(tmp_path):
    assert {"dev", "call"}.isdisjoint(build(tmp_path, **PRODUCTION).cli.commands)


def test_a_development_app_offers_the_carrier_commands(tmp_path):
    assert {"dev", "call"} <= set(build(tmp_path, env="development", understanding=None).cli.commands)


def test_building_a_production_app_imports_no_carrier_module(tmp_path):
    script = (
        "import json, sys\n"
        "from app import create_app\n"
        f"create_app({{'database_url': 'sqlite:///{tmp_path}/hotline.sqlite3', 'instance_dir': {str(tmp_path)!r},"
        " 'env': 'production', 'public_url': 'https://hotline.example.org', 'understanding': None})\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'carrier' or m.startswith('carrier.'))))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "HOTLINE_INSTANCE_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
