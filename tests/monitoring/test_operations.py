"""Operations: /healthz, /readyz, Prometheus metrics behind a token, and
JSON logs with phone numbers masked."""
from __future__ import annotations

import json
import logging
import sys
from datetime import timedelta

import pytest

from config.settings import SettingsError, load_settings
from database import db
from monitoring.logs import JsonFormatter
from scheduler.heartbeat import beat
from wiring import services

TOKEN = "metrics-token-0123456789"


def heartbeat(app, moment) -> None:
    with db.session_scope(app) as session:
        beat(session, "scheduler-host:4242", moment)


def test_healthz_says_the_process_is_up_even_without_a_database(tmp_path):
    from app import create_app

    lost = create_app({"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none", "env": "testing",
                       "instance_dir": tmp_path})
    client = lost.test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == {"ok": False}


def test_readyz_wants_the_database_the_config_and_a_recent_scheduler_heartbeat(app, client, clock):
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"]["ok"] and checks["config"] == {"ok": True, "lines": 2}
    assert checks["scheduler"] == {"ok": False, "seconds_since_heartbeat": None}

    heartbeat(app, clock() - timedelta(seconds=20))
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "ready"
    assert ready.get_json()["checks"]["scheduler"] == {"ok": True, "seconds_since_heartbeat": 20}
    assert "scheduler-host" not in ready.get_data(as_text=True)

    clock.moment += timedelta(minutes=2)
    assert client.get("/readyz").status_code == 503


def metrics_app(app):
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides({"metrics_token": TOKEN})
    return app


def scrape(client, token: str | None = TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/internal/metrics", headers=headers)


def sample(text: str, name: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{") and line.split(" ")[0] == name:
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_are_off_without_a_token_and_need_it_when_set(app, client):
    assert scrape(client).status_code == 404                 # HOTLINE_METRICS_TOKEN unset: no endpoint
    metrics_app(app)
    assert scrape(client, token=None).status_code == 401
    assert scrape(client, token="guess").status_code == 401
    assert scrape(client).status_code == 200


def test_metrics_count_webhooks_calls_and_callbacks(app, client, new_call, session, clock):
    from callbacks.services import request_call_back

    metrics_app(app)
    in_ivr, queued = new_call(), new_call(from_="+8613912345678")
    in_ivr.dial()
    queued.dial()
    queued.press("0")
    request_call_back(session, services(app).config, purpose="queue", phone_e164="+8613712345678",
                      line_id="urban", origin_call_id=None, language=None, now=clock())
    session.commit()
    text = scrape(client).get_data(as_text=True)
    assert sample(text, 'hotline_webhook_seconds_count{endpoint="voice.incoming",status="200"}') == 2
    assert sample(text, 'hotline_webhook_seconds_count{endpoint="voice.step",status="200"}') == 1
    assert sample(text, "hotline_calls_in_ivr") == 1
    assert sample(text, 'hotline_calls_in_queue{line="urban"}') == 1
    assert sample(text, 'hotline_calls_in_queue{line="conduct"}') == 0
    assert sample(text, 'hotline_callbacks{status="pending"}') == 1
    assert sample(text, "hotline_callbacks_paused") == 0
    assert sample(text, "hotline_outbox_backlog") == 0 and sample(text, "hotline_spool_lines") == 0
    assert "+8613" not in text


def test_json_logs_mask_numbers_in_the_message_and_the_traceback():
    formatter = JsonFormatter()
    try:
        raise ValueError("no case for caller +8613812345678")
    except ValueError:
        record = logging.LogRecord("ivr.views", logging.ERROR, __file__, 1, "call from %s failed",
                                   ("+8613912345678",), sys.exc_info())
    entry = json.loads(formatter.format(record))
    assert entry["level"] == "ERROR" and entry["logger"] == "ivr.views"
    assert entry["message"] == "call from +86*******5678 failed"
    assert "ValueError" in entry["exception"] and "13812345678" not in entry["exception"]


def test_the_json_log_format_is_a_setting(tmp_path):
    from app import create_app

    assert load_settings({"HOTLINE_LOG_FORMAT": "json", "HOTLINE_INSTANCE_DIR": str(tmp_path)}).log_format == "json"
    with pytest.raises(SettingsError, match="HOTLINE_LOG_FORMAT"):
        load_settings({"HOTLINE_LOG_FORMAT": "xml", "HOTLINE_INSTANCE_DIR": str(tmp_path)})
    root = logging.getLogger()
    before = [(handler, handler.formatter) for handler in root.handlers]
    try:
        create_app({"log_format": "json", "env": "testing", "instance_dir": tmp_path,
                    "database_url": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
        assert root.handlers and all(isinstance(h.formatter, JsonFormatter) for h in root.handlers)
    finally:
        for handler, formatter in before:
            handler.setFormatter(formatter)
