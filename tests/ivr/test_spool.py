"""The spool keeps what Twilio told us while the database is unavailable,
and only then: data the database would refuse is refused before it.  Its
files are private, and a replay quarantines what it cannot replay and goes
on with the rest."""
from __future__ import annotations

import json
import stat

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from call_log.models import Call as CallRow
from call_log.models import CallStatusEvent, IvrStep, Recording
from cases.models import Case
from database import db
from tests.support.caller import ACCOUNT_SID
from tests.support.twiml import Document, parse

RECORDING = "RE" + "d" * 32


def down(*args, **kwargs):
    raise OperationalError("INSERT INTO call_status_event ...", {}, Exception("database is locked"))


def spool_dir(app):
    return app.config["SETTINGS"].instance_dir / "spool"


def status_params(call, status="completed", sequence="3", **extra) -> dict:
    return {**call.base_params(), "CallStatus": status, "SequenceNumber": sequence, "CallDuration": "40",
            "Timestamp": "Fri, 09 Oct 2026 02:00:00 +0000", **extra}


def replay(app):
    return app.test_cli_runner().invoke(args=["spool", "replay"])


def rows(app, model):
    with db.session_scope(app) as session:
        return session.scalars(select(model)).all()


def test_a_status_callback_during_an_outage_is_spooled_in_a_private_file(app, webhooks, new_call, monkeypatch):
    import ivr.views

    call = new_call()
    monkeypatch.setattr(ivr.views, "record_status", down)
    response = webhooks.post("/voice/status", status_params(call))
    assert response.status_code == 204
    path = spool_dir(app) / "status.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(spool_dir(app).stat().st_mode) == 0o700
    [line] = path.read_text().splitlines()
    assert json.loads(line)["form"]["CallSid"] == call.sid

    monkeypatch.undo()
    result = replay(app)
    assert result.exit_code == 0 and "replayed 1" in result.output
    assert [e.status for e in rows(app, CallStatusEvent)] == ["completed"]
    assert not path.exists()


@pytest.mark.parametrize("name, value", [
    ("CallSid", "CA" + "0" * 30 + "\x00"),
    ("To", "+86523880123190000000000000000000000000"),
    ("From", "+8613812345678" + "9" * 60),
    ("SequenceNumber", "99999999999999999999"),
    ("Timestamp", "x" * 100),
])
def test_data_the_database_would_refuse_is_cleaned_before_it_and_never_spooled(app, webhooks, new_call,
                                                                               name, value):
    call = new_call()
    response = webhooks.post("/voice/status", status_params(call, **{name: value}))
    assert response.status_code == 204
    assert not spool_dir(app).exists()
    assert [event.status for event in rows(app, CallStatusEvent)] == ["completed"]


def test_a_nul_byte_in_a_call_is_dropped_and_the_call_goes_on(app, webhooks, new_call):
    call = new_call(from_="+86138\x0012345678")
    response = webhooks.post("/voice/incoming", {**call.base_params(), "CallStatus": "ringing"})
    assert response.status_code == 200
    document = Document(parse(response.data))
    assert "帮帮您" in document.text and document.gather is not None
    [logged] = rows(app, CallRow)
    assert logged.caller_e164 == "+8613812345678" and not spool_dir(app).exists()


def test_a_fallback_recording_with_a_stray_byte_is_kept_without_spooling(app, webhooks, new_call):
    call = new_call()
    params = {**call.base_params(), "RecordingSid": RECORDING, "RecordingUrl": "https://x\x00",
              "RecordingDuration": "9"}
    response = webhooks.post("/voice/fallback/recorded", params)
    assert response.status_code == 200 and Document(parse(response.data)).hangs_up
    assert not spool_dir(app).exists() and len(rows(app, Case)) == 1


def test_a_100_kb_speech_result_is_kept_to_a_bounded_length(app, new_call):
    call = new_call()
    call.dial()
    call.say("路灯不亮" * 25_000)
    [said] = [s.speech for s in rows(app, IvrStep) if s.speech]
    assert len(said) == 1000 and said.startswith("路灯不亮")


def _line(form: dict, args: dict | None = None) -> str:
    return json.dumps({"form": form, "args": args or {}}, ensure_ascii=False)


def test_replay_quarantines_bad_lines_says_which_and_replays_the_rest(app, new_call):
    good, other = new_call(), new_call(from_="+8613912345678")
    directory = spool_dir(app)
    directory.mkdir(parents=True)
    (directory / "status.jsonl").write_text("\n".join([
        _line(status_params(good, status="ringing", sequence="1")),
        "{not json",
        _line(status_params(good, CallSid="CA\x00broken")),
        json.dumps(status_params(other, status="completed", sequence="2")),        # the format before args
        _line(status_params(good, status="completed", sequence="2")),
    ]) + "\n")
    (directory / "recording.jsonl").write_text(_line({"CallSid": good.sid, "AccountSid": ACCOUNT_SID}) + "\n")

    result = replay(app)
    assert result.exit_code == 0, result.output
    assert "replayed 3 webhook(s), quarantined 3" in result.output
    assert "status.jsonl line 2" in result.output and "status.jsonl line 3" in result.output
    assert "recording.jsonl line 1" in result.output and "NUL" in result.output
    with db.session_scope(app) as session:
        events = {(c.call_sid, e.status) for e, c in session.execute(
            select(CallStatusEvent, CallRow).join(CallRow, CallRow.id == CallStatusEvent.call_id))}
    assert events == {(good.sid, "ringing"), (good.sid, "completed"), (other.sid, "completed")}
    quarantined = directory / "quarantine" / "status.jsonl"
    assert stat.S_IMODE(quarantined.stat().st_mode) == 0o600
    assert [json.loads(q)["line_number"] for q in quarantined.read_text().splitlines()] == [2, 3]
    assert sorted(p.name for p in directory.iterdir()) == ["quarantine"]
    assert rows(app, Recording) == []


def test_replay_stops_when_the_database_goes_away_again_and_keeps_the_rest(app, new_call, monkeypatch):
    import ivr.cli

    call = new_call()
    directory = spool_dir(app)
    directory.mkdir(parents=True)
    lines = [_line(status_params(call, status=s, sequence=str(n))) for n, s in enumerate(("ringing", "completed"))]
    (directory / "status.jsonl").write_text("\n".join(lines) + "\n")
    calls = []

    def second_fails(session, update, now):
        calls.append(update.status)
        if len(calls) == 2:
            down()
        return original(session, update, now)

    original = ivr.cli.record_status
    monkeypatch.setattr(ivr.cli, "record_status", second_fails)
    result = replay(app)
    assert result.exit_code == 1 and "stay in the spool" in result.output
    assert (directory / "status.jsonl").read_text().splitlines() == lines[1:]
    monkeypatch.undo()
    assert "replayed 1" in replay(app).output
    assert sorted(e.status for e in rows(app, CallStatusEvent)) == ["completed", "ringing"]
