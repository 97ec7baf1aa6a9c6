"""The operators' legs take the IVR's failure path: with the database
unavailable, their informing callbacks (the operator's leg, a dialled-in
leg, the conference's status, the recording) are spooled instead of lost,
and ``flask --app app spool replay`` applies each once; a second replay
applies nothing more.  A bug answers 500 and keeps nothing; parameters the
database would refuse answer 400 and are not kept either."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

import operators.views
from call_log.models import Call as CallRow
from call_log.models import Recording
from database import db
from operators import seats as rules
from operators.recording import OPERATOR_CALL
from tests.support.conferences import (
    CONFERENCE_SID,
    answered,
    available,
    double,
    event,
    in_conference,
    offered,
    operator_leg,
    participants,
    seat,
)

SUPERVISOR_LEG = "CA" + "5" * 32
RECORDING = "RE" + "7" * 32


def down(*args, **kwargs):
    raise OperationalError("UPDATE call_participant ...", {}, Exception("database is locked"))


def broken(*args, **kwargs):
    raise RuntimeError("a bug, not an outage")


@pytest.fixture
def twilio_http(app):
    return double(app)


def spooled(app, kind: str) -> list[dict]:
    path = app.config["SETTINGS"].instance_dir / "spool" / f"{kind}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def replay(app) -> str:
    result = app.test_cli_runner().invoke(args=["spool", "replay"])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_operator_leg_not_answered_during_an_outage_is_spooled_and_replayed_once(
        app, new_call, clock, twilio_http, webhooks, monkeypatch):
    available(app, clock, "wang")
    call, _ = offered(app, new_call, twilio_http, webhooks)
    leg = operator_leg(twilio_http)
    monkeypatch.setattr(operators.views, "operator_leg_ended", down)

    response = webhooks.post(leg["StatusCallback"], {**call.base_params(), "CallSid": leg["_sid"],
                                                     "CallStatus": "no-answer", "Direction": "outbound-api"})
    assert response.status_code == 204
    [kept] = spooled(app, "operator_leg")
    assert kept["args"] == {"call": call.sid, "operator": "wang"}
    assert (kept["form"]["CallSid"], kept["form"]["CallStatus"]) == (leg["_sid"], "no-answer")
    assert seat(app, "wang").state == rules.RINGING

    monkeypatch.undo()
    sent = len(twilio_http.sent)
    assert "replayed 1" in replay(app)
    wang = seat(app, "wang")
    assert (wang.state, wang.reason, wang.call_sid) == (rules.BREAK, rules.NO_ANSWER, None)
    assert len(twilio_http.sent) == sent         # the caller then waiting is not redirected hours later
    assert "replayed 0" in replay(app)
    assert (seat(app, "wang").state, seat(app, "wang").reason) == (rules.BREAK, rules.NO_ANSWER)


def test_a_conference_event_during_an_outage_is_spooled_and_replayed_once(
        app, new_call, clock, twilio_http, webhooks, monkeypatch):
    available(app, clock, "wang")
    call, _ = offered(app, new_call, twilio_http, webhooks)
    answered(webhooks, call, twilio_http)
    event(webhooks, call, "conference-start")
    monkeypatch.setattr(operators.views, "conference_event", down)

    before = participants(app, call)
    event(webhooks, call, "participant-join", "caller", call.sid, 2)
    [kept] = spooled(app, "conference_event")
    assert (kept["form"]["StatusCallbackEvent"], kept["form"]["ConferenceSid"]) == ("participant-join",
                                                                                   CONFERENCE_SID)
    assert participants(app, call) == before and ("caller", "joined", "talk", False) not in before

    monkeypatch.undo()
    assert "replayed 1" in replay(app)
    after = participants(app, call)
    assert after == [*before, ("caller", "joined", "talk", False)]
    assert "replayed 0" in replay(app)
    assert participants(app, call) == after


def test_a_dialled_in_leg_ending_during_an_outage_is_spooled_and_replayed_once(
        app, new_call, clock, twilio_http, webhooks, monkeypatch):
    available(app, clock, "wang")
    call, _ = offered(app, new_call, twilio_http, webhooks)
    in_conference(webhooks, call, twilio_http)
    monkeypatch.setattr(operators.views, "dialled_leg_ended", down)

    url = f"/voice/operator/participant?call={call.sid}&role=supervisor&who=li"
    response = webhooks.post(url, {**call.base_params(), "CallSid": SUPERVISOR_LEG, "CallStatus": "busy"})
    assert response.status_code == 204
    [kept] = spooled(app, "participant_leg")
    assert kept["args"] == {"call": call.sid, "role": "supervisor", "who": "li"}

    monkeypatch.undo()
    assert "replayed 1" in replay(app)
    legs = [(role, status) for role, status, _, _ in participants(app, call)]
    assert legs.count(("supervisor", "failed")) == 1
    assert "replayed 0" in replay(app)
    assert [(role, status) for role, status, _, _ in participants(app, call)] == legs


def test_an_operator_recording_during_an_outage_is_spooled_and_replayed_once(app, new_call, webhooks, monkeypatch):
    call = new_call()
    call.dial()
    monkeypatch.setattr(operators.views, "recording_status", down)
    done = {**call.base_params(), "RecordingSid": RECORDING, "RecordingStatus": "completed", "RecordingDuration": "95",
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{RECORDING}",
            "RecordingChannels": "2"}

    assert webhooks.post("/voice/operator/recording", done).status_code == 204
    assert spooled(app, "operator_recording")[0]["form"]["RecordingSid"] == RECORDING

    monkeypatch.undo()
    assert "replayed 1" in replay(app)
    assert "replayed 0" in replay(app)
    with db.session_scope(app) as session:
        [kept] = session.scalars(select(Recording).join(CallRow, CallRow.id == Recording.call_id)
                                 .where(CallRow.call_sid == call.sid)).all()
        assert (kept.recording_sid, kept.purpose, kept.channels, kept.status, kept.duration_seconds) == \
            (RECORDING, OPERATOR_CALL, 2, "completed", 95)


def test_a_bug_in_an_informing_callback_answers_500_and_keeps_nothing(app, new_call, webhooks, monkeypatch):
    call = new_call()
    call.dial()
    monkeypatch.setattr(operators.views, "conference_event", broken)
    response = webhooks.post("/voice/operator/conference", {
        "AccountSid": call.base_params()["AccountSid"], "ConferenceSid": CONFERENCE_SID,
        "FriendlyName": f"hotline-{call.sid}", "StatusCallbackEvent": "conference-start"})
    assert response.status_code == 500
    assert spooled(app, "conference_event") == []


def test_a_callback_with_too_many_parameters_is_refused_and_not_spooled(app, new_call, webhooks, monkeypatch):
    call = new_call()
    call.dial()
    monkeypatch.setattr(operators.views, "conference_event", down)
    params = {"AccountSid": call.base_params()["AccountSid"], "ConferenceSid": CONFERENCE_SID,
              "FriendlyName": f"hotline-{call.sid}", "StatusCallbackEvent": "conference-start",
              **{f"Extra{n}": "x" for n in range(120)}}
    assert webhooks.post("/voice/operator/conference", params).status_code == 400
    assert spooled(app, "conference_event") == []


def test_a_spooled_line_the_database_would_refuse_is_quarantined(app, new_call, webhooks, monkeypatch):
    from ivr.spool import spool

    call = new_call()
    call.dial()
    spool(app.config["SETTINGS"].instance_dir, "conference_event",
          {"ConferenceSid": CONFERENCE_SID, "FriendlyName": f"hotline-{call.sid}",
           "StatusCallbackEvent": "participant-join", "CallSid": call.sid + "\x00", "Label": "caller"})
    result = app.test_cli_runner().invoke(args=["spool", "replay"])
    assert "quarantined conference_event.jsonl line 1" in result.output and "NUL" in result.output
    assert participants(app, call) == []
