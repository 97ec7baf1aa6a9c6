"""When something fails, the caller hears an apology and is recorded; the
recording becomes a case.  Never a 500, never silence."""
from __future__ import annotations

from sqlalchemy import select

from cases.models import Case
from tests.support.twiml import Document, parse


def test_fallback_url_apologises_records_and_makes_a_case(new_call, webhooks, session):
    call = new_call()
    response = webhooks.post("/voice/fallback", {**call.base_params(), "ErrorCode": "11200",
                                                 "ErrorUrl": "https://hotline.example.org/voice/incoming"})
    assert response.status_code == 200
    document = Document(parse(response.data))
    assert "非常抱歉" in document.text and document.record is not None
    call.document = document
    done = call.leave_recording(seconds=30)
    assert done.hangs_up and "已经记录" in done.text
    case = session.scalars(select(Case)).one()
    assert case.needs_operator and case.recording_id is not None
    assert case.complainants[0].callback_number == "+8613812345678"


def test_fallback_recording_delivered_twice_makes_one_case(new_call, webhooks, session):
    call = new_call()
    call.document = Document(parse(webhooks.post("/voice/fallback", call.base_params()).data))
    action = call.action
    params = {"RecordingSid": "RE" + "b" * 32, "RecordingUrl": "https://x", "RecordingDuration": "5"}
    call._follow(action, params)
    call._follow(action, params)
    assert len(session.scalars(select(Case)).all()) == 1


def test_an_internal_error_answers_with_an_apology_not_a_500(new_call, app, monkeypatch):
    import ivr.services

    def broken(*args, **kwargs):
        raise RuntimeError("simulated failure")

    call = new_call()
    call.dial()
    monkeypatch.setattr(ivr.services, "open_case", broken)
    call.say("路灯不亮")
    call.press("1")
    document = call.say("青年路")
    assert "非常抱歉" in document.text and document.record is not None
    assert document.record.get("action").endswith("/voice/fallback/recorded")


def test_recording_is_kept_on_disk_when_the_database_is_down(new_call, webhooks, app, monkeypatch):
    from sqlalchemy.exc import OperationalError

    import ivr.services

    def down(*args, **kwargs):
        raise OperationalError("INSERT", {}, Exception("database is down"))

    call = new_call()
    call.document = Document(parse(webhooks.post("/voice/fallback", call.base_params()).data))
    monkeypatch.setattr(ivr.services, "log_call", down)
    done = call.leave_recording()
    assert done.hangs_up
    spooled = app.config["SETTINGS"].instance_dir / "spool" / "fallback_recorded.jsonl"
    assert call.sid in spooled.read_text()

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["spool", "replay"])
    assert "replayed 1" in result.output, result.output
    from database import db
    with app.app_context():
        assert len(db.session().scalars(select(Case)).all()) == 1
    assert not spooled.exists()


def test_call_to_a_number_of_no_line_still_apologises_and_records(new_call):
    call = new_call(to="+8652300000000")
    document = call.dial()
    assert document.record is not None and "非常抱歉" in document.text
