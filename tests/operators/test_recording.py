"""Operators' calls recorded in dual channel for quality review: started
with the REST API when the operator answers, never in the way of the call,
and kept against the call by the signed recording status callback."""
from __future__ import annotations

import logging
from dataclasses import replace
from urllib.parse import urlsplit

from sqlalchemy import select

from call_log.models import Call as CallRow
from call_log.models import Recording
from database import db
from operators.recording import OPERATOR_CALL
from tests.operators.test_distribution import dequeued, one_pass, operator, picked_up, queued, twilio_http  # noqa: F401
from tests.support.caller import PUBLIC_URL
from tests.support.twilio_http import use_double
from wiring import services


def recording_posts(http) -> list:
    return [sent for sent in http.sent if sent.method == "POST" and sent.url.endswith("/Recordings.json")]


def recordings_of(app, call_sid: str) -> list[Recording]:
    with db.session_scope(app) as session:
        found = list(session.scalars(select(Recording).join(CallRow, CallRow.id == Recording.call_id)
                                     .where(CallRow.call_sid == call_sid)))
        for row in found:
            session.expunge(row)
        return found


def with_operator(app, call, username: str = "wang") -> None:
    """A caller an operator has taken (the seat's part is test_distribution's)."""
    with db.session_scope(app) as session:
        session.scalars(select(CallRow).where(CallRow.call_sid == call.sid)).one().operator = username


def test_an_answered_offer_starts_a_dual_channel_recording_of_the_callers_leg(app, new_call, clock,
                                                                              twilio_http, webhooks):  # noqa: F811
    rest = use_double(app)
    operator(app, clock, "wang")
    call = queued(new_call)
    dequeued(twilio_http, call.sid)
    one_pass(app, twilio_http)

    whisper = picked_up(webhooks, call)

    assert whisper.root.find("Say") is not None
    [sent] = recording_posts(rest)
    assert urlsplit(sent.url).path.endswith(f"/Calls/{call.sid}/Recordings.json")
    assert sent.data["RecordingChannels"] == "dual" and sent.data["RecordingTrack"] == "both"
    assert sent.data["RecordingStatusCallback"] == PUBLIC_URL + "/voice/operator/recording"
    assert list(sent.data["RecordingStatusCallbackEvent"]) == ["in-progress", "completed", "absent"]
    [kept] = recordings_of(app, call.sid)
    assert (kept.recording_sid, kept.purpose, kept.channels, kept.status) == \
        (rest.recordings[0]["_sid"], OPERATOR_CALL, 2, "in-progress")

    # The whisper asked again (a retry) starts no second recording.
    picked_up(webhooks, call)
    assert len(recording_posts(rest)) == 1


def test_the_recording_status_callback_keeps_the_finished_recording_against_the_call(app, new_call, webhooks):
    rest = use_double(app)
    call = new_call()
    call.dial()
    with_operator(app, call)
    picked_up(webhooks, call)
    sid = rest.recordings[0]["_sid"]
    url = f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{sid}"
    done = {"AccountSid": call.base_params()["AccountSid"], "CallSid": call.sid, "RecordingSid": sid,
            "RecordingUrl": url, "RecordingStatus": "completed", "RecordingDuration": "95", "RecordingChannels": "2",
            "RecordingSource": "StartCallRecordingAPI"}

    assert webhooks.post("/voice/operator/recording", done).status_code == 204
    # A late "in-progress" does not undo it.
    assert webhooks.post("/voice/operator/recording", {**done, "RecordingStatus": "in-progress",
                                                       "RecordingDuration": "-1"}).status_code == 204
    [kept] = recordings_of(app, call.sid)
    assert (kept.status, kept.duration_seconds, kept.channels, kept.url, kept.purpose) == \
        ("completed", 95, 2, url, OPERATOR_CALL)
    # Unsigned, it is refused.
    assert webhooks.post("/voice/operator/recording", {**done, "RecordingDuration": "1"},
                         signature="forged").status_code == 403
    assert recordings_of(app, call.sid)[0].duration_seconds == 95


def test_twilio_refusing_the_recording_does_not_break_the_call(app, new_call, webhooks, caplog):
    rest = use_double(app)
    rest.fail_next(400, 21220, "Call is not in-progress. Cannot create recording.")
    call = new_call()
    call.dial()
    with_operator(app, call)

    with caplog.at_level(logging.WARNING, logger="operators.recording"):
        whisper = picked_up(webhooks, call)

    assert whisper.root.find("Say") is not None
    assert recordings_of(app, call.sid) == []
    assert any("not recorded" in r.getMessage() and "21220" in r.getMessage() for r in caplog.records)


def test_twilio_out_of_reach_does_not_break_the_call_either(app, new_call, webhooks, caplog):
    rest = use_double(app)
    rest.fail_next(503, 20503, "Service Unavailable")
    call = new_call()
    call.dial()
    with_operator(app, call)
    with caplog.at_level(logging.WARNING, logger="operators.recording"):
        assert picked_up(webhooks, call).root.find("Say") is not None
    assert recordings_of(app, call.sid) == [] and len(recording_posts(rest)) == 1


def test_a_line_that_records_no_calls_starts_no_recording(app, new_call, webhooks):
    rest = use_double(app)
    config = services(app).config
    services(app).config = replace(config, lines={**config.lines,
                                                  "urban": replace(config.lines["urban"], record_calls=False)})
    call = new_call()
    call.dial()
    with_operator(app, call)
    assert picked_up(webhooks, call).root.find("Say") is not None
    assert recording_posts(rest) == [] and recordings_of(app, call.sid) == []


def test_a_call_no_operator_has_answered_is_not_recorded(app, new_call, webhooks):
    rest = use_double(app)
    call = new_call()
    call.dial()
    picked_up(webhooks, call)
    assert recording_posts(rest) == []


def test_a_call_the_service_placed_is_not_recorded(app, new_call, webhooks):
    """A callback's callee heard no recording notice."""
    rest = use_double(app)
    call = new_call()
    call.dial()
    with_operator(app, call)
    with db.session_scope(app) as session:
        session.scalars(select(CallRow).where(CallRow.call_sid == call.sid)).one().direction = "outbound-api"
    picked_up(webhooks, call)
    assert recording_posts(rest) == []


def test_an_app_without_twilio_credentials_records_nothing_and_the_call_goes_on(app, new_call, webhooks, caplog):
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides({"twilio_account_sid": None})
    services(app).twilio_client = None
    call = new_call()
    call.dial()
    with_operator(app, call)
    with caplog.at_level(logging.WARNING, logger="operators.recording"):
        assert picked_up(webhooks, call).root.find("Say") is not None
    assert recordings_of(app, call.sid) == []
    assert any("not recorded" in r.getMessage() for r in caplog.records)
