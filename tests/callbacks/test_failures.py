"""Callback calls take the IVR's failure path: with the database down, the
status and recording callbacks are spooled (and replayed later) instead of
answering 500, and the complainant hears an apology, never an error."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from callbacks import calls
from callbacks.models import Callback, CallbackAttempt
from tests.callbacks.conftest import closed_case, later
from tests.support.twiml import Document, parse

A = "+8613812345678"


def down(*args, **kwargs):
    raise OperationalError("SELECT ...", {}, Exception("could not connect to server"))


@pytest.fixture
def ringing(session, config, clock, dispatch, placed):
    closed_case(session, config, clock())
    later(clock, hours=4)
    dispatch()
    call = placed(A)
    call.ring()
    return call


def spooled(app, kind: str) -> list[dict]:
    path = app.config["SETTINGS"].instance_dir / "spool" / f"{kind}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_status_callback_with_the_database_down_is_spooled_and_replayed(app, ringing, monkeypatch, session):
    monkeypatch.setattr(calls, "call_status", down)
    assert ringing.status("no-answer") == 204
    [kept] = spooled(app, "callback_status")
    assert kept["args"] == {"attempt": str(ringing.attempt_id)} and kept["form"]["CallStatus"] == "no-answer"

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["spool", "replay"])
    assert "replayed 1" in result.output, result.output
    session.expire_all()
    attempt = session.get(CallbackAttempt, ringing.attempt_id)
    assert (attempt.status, attempt.result) == ("ended", "no-answer")
    assert session.scalars(select(Callback.status)).one() == "pending"          # tried again later


def test_a_recording_callback_with_the_database_down_is_spooled(app, ringing, webhooks, monkeypatch):
    monkeypatch.setattr(calls, "recording_status", down)
    response = webhooks.post("/voice/callback/recording", {
        **ringing.params(), "RecordingSid": "RE" + "e" * 32, "RecordingStatus": "completed",
        "RecordingUrl": "https://api.twilio.com/r", "RecordingDuration": "8"})
    assert response.status_code == 204
    assert spooled(app, "callback_recording")[0]["form"]["RecordingSid"] == "RE" + "e" * 32


def test_the_complainant_hears_an_apology_when_the_database_is_down(ringing, monkeypatch):
    monkeypatch.setattr(calls, "answer", down)
    ringing.status("in-progress", AnsweredBy="human")
    document = ringing._follow(ringing.sent["Url"], {"AnsweredBy": "human"})
    assert document.hangs_up and "系统暂时出现故障" in document.text


def test_a_status_callback_with_hostile_values_is_cleaned_and_still_ends_the_call(app, ringing, webhooks, session):
    params = {**ringing.params("completed"), "SequenceNumber": "9" * 20, "CallStatus": "completed\x00"}
    response = webhooks.post(ringing.sent["StatusCallback"], params)
    assert response.status_code == 204
    assert not (app.config["SETTINGS"].instance_dir / "spool").exists()
    session.expire_all()
    assert session.get(CallbackAttempt, ringing.attempt_id).status == "ended"


def test_every_voice_blueprint_has_the_one_failure_path(app):
    handlers = [app.error_handler_spec[name][None][Exception] for name in ("voice", "operator_voice", "callbacks")]
    assert {(h.__module__, h.__name__) for h in handlers} == {("ivr.recovery", "recover")}


def test_an_operator_leg_with_the_database_down_hears_the_apology_and_may_record(webhooks, new_call, monkeypatch):
    import operators.views

    call = new_call()
    monkeypatch.setattr(operators.views, "find_call", down)
    response = webhooks.post("/voice/operator/connect?operator=op1", call.base_params())
    document = Document(parse(response.data))
    assert response.status_code == 200 and document.record is not None
    assert document.record.get("action").endswith("/voice/fallback/recorded")
