"""The live board's conference controls with the real twilio client over the
one REST double: supervisors listen, coach, barge in and leave; the
operator holds and warm-transfers; refusals are said in words."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from accounts.models import AuditEntry
from call_log.models import Call as CallRow
from call_log.models import Recording
from cases.services import NewCase, open_case
from database import db
from tests.console.conftest import csrf_token
from tests.support.caller import PUBLIC_URL
from tests.support.conferences import CONFERENCE_SID, available, double, event, in_conference, offered, participants
from tests.support.twiml import Document, parse
from wiring import services


@pytest.fixture
def twilio_http(app):
    return double(app)


def operator(app, clock, username: str) -> None:
    available(app, clock, username)


# --- supervisors -------------------------------------------------------------------------------

def supervise(client, call, mode: str):
    return client.post(f"/console/calls/{call.sid}/supervise",
                       data={"csrf_token": csrf_token(client, "/console/board"), "mode": mode}, follow_redirects=True)


def test_a_supervisor_listens_coaches_barges_in_and_leaves(app, client, sign_in, new_call, clock, twilio_http,
                                                           webhooks):
    operator(app, clock, "wang")
    call, _ = offered(app, new_call, twilio_http, webhooks)
    leg = in_conference(webhooks, call, twilio_http)
    name = f"hotline-{call.sid}"
    sign_in("sup1")

    assert supervise(client, call, "listen").status_code == 200
    boss = twilio_http.participant(name, "supervisor")
    assert (boss["_form"]["To"], boss["_form"]["Muted"], boss["_form"]["Label"]) == ("client:sup1", "true",
                                                                                      "supervisor")
    event(webhooks, call, "participant-join", "supervisor", boss["call_sid"], 5, Muted="true")
    [row] = [c for c in client.get("/console/board.json").get_json()["calls"] if c["call_sid"] == call.sid]
    assert {(p["role"], p["mode"]) for p in row["conference"]} == {("caller", "talk"), ("operator", "talk"),
                                                                  ("supervisor", "listen")}
    assert row["my_mode"] == "listen"

    supervise(client, call, "coach")
    boss = twilio_http.participant(name, "supervisor")
    assert (boss["muted"], boss["coaching"], boss["call_sid_to_coach"]) == (False, True, leg)
    event(webhooks, call, "participant-modify", "supervisor", boss["call_sid"], 6, Coaching="true")

    supervise(client, call, "barge")
    boss = twilio_http.participant(name, "supervisor")
    assert (boss["muted"], boss["coaching"]) == (False, False)
    event(webhooks, call, "participant-modify", "supervisor", boss["call_sid"], 7)
    [row] = [c for c in client.get("/console/board.json").get_json()["calls"] if c["call_sid"] == call.sid]
    assert ("supervisor", "barge") in {(p["role"], p["mode"]) for p in row["conference"]}

    supervise(client, call, "leave")
    assert twilio_http.participant(name, "supervisor") is None
    with db.session_scope(app) as session:
        actions = [a.action for a in session.scalars(select(AuditEntry).where(AuditEntry.actor == "user:sup1")
                                                     .order_by(AuditEntry.id))]
    assert actions == ["supervise_listen", "supervise_coach", "supervise_barge", "supervise_leave"]


def test_an_operator_cannot_supervise(app, client, sign_in, new_call, clock, twilio_http, webhooks):
    operator(app, clock, "wang")
    call, _ = offered(app, new_call, twilio_http, webhooks)
    in_conference(webhooks, call, twilio_http)
    sign_in("op1")
    response = client.post(f"/console/calls/{call.sid}/supervise",
                           data={"csrf_token": csrf_token(client, "/console/board"), "mode": "listen"})
    assert response.status_code == 403
    assert twilio_http.participant(f"hotline-{call.sid}", "supervisor") is None


@pytest.mark.parametrize(("status", "code"), [(404, 20404), (400, 21220)])
def test_a_caller_gone_is_said_in_words_not_a_500(app, client, sign_in, new_call, clock, twilio_http, webhooks,
                                                  status, code):
    operator(app, clock, "wang")
    call, _ = offered(app, new_call, twilio_http, webhooks)
    in_conference(webhooks, call, twilio_http)
    sign_in("sup1")
    twilio_http.fail_next(status, code, "The requested resource was not found")
    response = supervise(client, call, "listen")
    assert response.status_code == 200 and "来电人已挂机" in response.get_data(as_text=True)
    with db.session_scope(app) as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.actor == "user:sup1")).all() == []


# --- the operator: hold and warm transfer ------------------------------------------------------

def move(client, call, name: str, **extra):
    return client.post(f"/console/calls/{call.sid}/conference",
                       data={"csrf_token": csrf_token(client, "/console/board"), "move": name, **extra},
                       follow_redirects=True)


def state_of(app, call) -> str:
    with db.session_scope(app) as session:
        return session.scalars(select(CallRow.conference_state).where(CallRow.call_sid == call.sid)).one()


@pytest.fixture
def op1_on_a_call(app, new_call, clock, twilio_http, webhooks, users):
    """op1 (the console's operator) answered an offered caller; both are in the conference."""
    available(app, clock, "op1", create=False)
    call, _ = offered(app, new_call, twilio_http, webhooks)
    in_conference(webhooks, call, twilio_http)
    return call


def test_the_operator_holds_and_resumes(app, client, sign_in, op1_on_a_call, twilio_http):
    call = op1_on_a_call
    sign_in("op1")
    move(client, call, "hold")
    caller = twilio_http.participant(f"hotline-{call.sid}", "caller")
    assert caller["hold"] is True and caller["hold_url"].endswith("/voice/operator/hold")
    assert state_of(app, call) == "holding"
    [row] = [c for c in client.get("/console/board.json").get_json()["calls"] if c["call_sid"] == call.sid]
    assert [m["move"] for m in row["moves"]] == ["resume", "consult"] and row["mine"]
    move(client, call, "resume")
    assert twilio_http.participant(f"hotline-{call.sid}", "caller")["hold"] is False
    assert state_of(app, call) == "talking"


def test_a_warm_transfer_consults_joins_and_leaves_the_department_with_the_caller(
        app, client, sign_in, op1_on_a_call, twilio_http, webhooks):
    call = op1_on_a_call
    name = f"hotline-{call.sid}"
    sign_in("op1")

    move(client, call, "consult", department="WATER")
    assert twilio_http.participant(name, "caller")["hold"] is True
    department = twilio_http.participant(name, "department")
    assert department["_form"]["To"] == services(app).config.departments["WATER"].duty_number
    assert department["_form"]["From"] == services(app).config.lines["urban"].number
    assert state_of(app, call) == "consulting"
    event(webhooks, call, "participant-join", "department", department["call_sid"], 5)

    move(client, call, "join")
    assert twilio_http.participant(name, "caller")["hold"] is False
    assert state_of(app, call) == "three_way"

    move(client, call, "leave")
    assert twilio_http.participant(name, "operator") is None
    assert twilio_http.participant(name, "department")["end_conference_on_exit"] is True
    assert state_of(app, call) == "handed_over"
    with db.session_scope(app) as session:
        actions = [a.action for a in session.scalars(select(AuditEntry).where(AuditEntry.actor == "user:op1")
                                                     .order_by(AuditEntry.id))]
    assert actions == ["conference_consult", "conference_join", "conference_leave"]


def test_a_warm_transfer_can_be_cancelled(app, client, sign_in, op1_on_a_call, twilio_http):
    call = op1_on_a_call
    sign_in("op1")
    move(client, call, "consult", department="WATER")
    move(client, call, "cancel")
    assert twilio_http.participant(f"hotline-{call.sid}", "department") is None
    assert twilio_http.participant(f"hotline-{call.sid}", "caller")["hold"] is False
    assert state_of(app, call) == "talking"


def test_a_move_the_rules_refuse_asks_twilio_nothing(app, client, sign_in, op1_on_a_call, twilio_http):
    call = op1_on_a_call
    sign_in("op1")
    before = len(twilio_http.sent)
    response = move(client, call, "join")
    assert "That cannot be done in this call now" in response.get_data(as_text=True) \
        or "现在不能" in response.get_data(as_text=True)
    assert len(twilio_http.sent) == before and state_of(app, call) == "talking"


def test_only_the_operator_on_the_call_moves_it(app, client, sign_in, new_call, clock, twilio_http, webhooks,
                                                users):
    operator(app, clock, "wang")
    call, _ = offered(app, new_call, twilio_http, webhooks)
    in_conference(webhooks, call, twilio_http)
    sign_in("op1")
    before = len(twilio_http.sent)
    move(client, call, "hold")
    assert len(twilio_http.sent) == before and state_of(app, call) == "talking"


def test_a_department_that_does_not_answer_leaves_the_operator_with_the_held_caller(
        app, client, sign_in, op1_on_a_call, twilio_http, webhooks):
    call = op1_on_a_call
    sign_in("op1")
    move(client, call, "consult", department="WATER")
    department = twilio_http.participant(f"hotline-{call.sid}", "department")
    callback = department["_form"]["StatusCallback"]
    assert parse_qs(urlsplit(callback).query)["role"] == ["department"]
    webhooks.post(callback, {**call.base_params(), "CallSid": department["call_sid"], "CallStatus": "no-answer"})
    assert state_of(app, call) == "holding"
    move(client, call, "resume")
    assert state_of(app, call) == "talking"


# --- the department told the case summary; the operator's recording stopped at the hand-over ------

def announcements(http) -> list:
    return [sent for sent in http.sent if sent.method == "POST" and "AnnounceUrl" in sent.data]


def recording_stops(http) -> list:
    return [sent for sent in http.sent if sent.method == "POST" and "/Recordings/" in sent.url]


def a_case_from(app, clock, call, location: str = "西仓路银春旅馆门前") -> str:
    """The operator's case form filed a case from the call: its number."""
    config = services(app).config
    with db.session_scope(app) as session:
        row = session.scalars(select(CallRow).where(CallRow.call_sid == call.sid)).one()
        case = open_case(session, config, NewCase(
            line_id="urban", channel="hotline", description="两个上水井盖丢失", location=location,
            category_code="C0101", caller_e164=None, callback_number=None, call_id=row.id), clock())
        return case.number


def test_the_department_joining_a_warm_transfer_alone_is_told_the_case_summary(
        app, client, sign_in, op1_on_a_call, twilio_http, webhooks, clock):
    call = op1_on_a_call
    number = a_case_from(app, clock, call)
    sign_in("op1")
    move(client, call, "consult", department="WATER")
    department = twilio_http.participant(f"hotline-{call.sid}", "department")
    assert announcements(twilio_http) == []                  # not before it is there to hear it
    event(webhooks, call, "participant-join", "department", department["call_sid"], 5)

    [told] = announcements(twilio_http)
    assert urlsplit(told.url).path.endswith(f"/Conferences/{CONFERENCE_SID}/Participants/{department['call_sid']}.json")
    assert told.data["AnnounceMethod"] == "POST"
    assert told.data["AnnounceUrl"] == f"{PUBLIC_URL}/voice/operator/department-whisper?call={call.sid}"
    # The same summary a cold transfer whispers, from the same builder, signed like every webhook.
    summary = webhooks.post(told.data["AnnounceUrl"], {**call.base_params(), "CallSid": department["call_sid"]})
    assert summary.status_code == 200
    document = Document(parse(summary.data))
    assert document.verbs() == ["Say"]
    assert document.root.find("Say").get("language") == services(app).config.prompts["zh-CN"].voice.say_language
    assert number in document.text.replace(" ", "")
    assert "上水井盖" in document.text and "西仓路银春旅馆门前" in document.text
    assert client.post(told.data["AnnounceUrl"], data=call.base_params()).status_code == 403

    # A join reported again, and the others' joins, tell nobody anything more.
    event(webhooks, call, "participant-join", "department", department["call_sid"], 6)
    event(webhooks, call, "participant-hold", "caller", call.sid, 7, Hold="true")
    assert len(announcements(twilio_http)) == 1


def test_a_caller_speaking_english_has_the_summary_said_in_mandarin_then_english(
        app, client, sign_in, op1_on_a_call, twilio_http, webhooks, clock):
    call = op1_on_a_call
    a_case_from(app, clock, call, location="Xicang Road")
    with db.session_scope(app) as session:
        session.scalars(select(CallRow).where(CallRow.call_sid == call.sid)).one().language = "en-US"
    answer = webhooks.post(f"/voice/operator/department-whisper?call={call.sid}", call.base_params())
    says = Document(parse(answer.data)).root.findall("Say")
    prompts = services(app).config.prompts
    assert [say.get("language") for say in says] == [prompts[language].voice.say_language
                                                     for language in ("zh-CN", "en-US")]
    assert "热线转来案件" in "".join(says[0].itertext()) and "from the hotline" in "".join(says[1].itertext())


def test_a_database_failing_during_the_summary_still_tells_the_department_where_the_call_comes_from(
        app, op1_on_a_call, webhooks, monkeypatch, caplog):
    """A whisper or an announcement takes only what is said: the department
    hears that a call comes from the hotline, never the apology's recording."""
    from sqlalchemy.exc import OperationalError

    import operators.views

    def unavailable(*args, **kwargs):
        raise OperationalError("SELECT", {}, Exception("the database is unavailable"))

    monkeypatch.setattr(operators.views, "latest_case_of_call", unavailable)
    call = op1_on_a_call
    with caplog.at_level(logging.ERROR, logger="operators.views"):
        answer = webhooks.post(f"/voice/operator/department-whisper?call={call.sid}", call.base_params())
    assert answer.status_code == 200
    root = Document(parse(answer.data)).root
    assert [child.tag for child in root] == ["Say"]
    assert "".join(root.find("Say").itertext()) == "热线转来一通来电，尚未立案。"
    assert "could not be read" in caplog.text


def test_twilio_refusing_the_announcement_is_logged_and_the_call_goes_on(
        app, client, sign_in, op1_on_a_call, twilio_http, webhooks, caplog):
    call = op1_on_a_call
    sign_in("op1")
    move(client, call, "consult", department="WATER")
    department = twilio_http.participant(f"hotline-{call.sid}", "department")
    twilio_http.fail_next(404, 20404, "The requested resource was not found")
    with caplog.at_level(logging.WARNING, logger="operators.conference_services"):
        event(webhooks, call, "participant-join", "department", department["call_sid"], 5)
    assert "was not told the case summary" in caplog.text and "20404" in caplog.text
    assert ("department", "joined") in [(role, status) for role, status, _, _ in participants(app, call)]
    move(client, call, "join")
    assert state_of(app, call) == "three_way"


def test_handing_over_stops_the_operators_recording_and_nothing_before_does(
        app, client, sign_in, op1_on_a_call, twilio_http, webhooks):
    call = op1_on_a_call
    [recording] = twilio_http.recordings                    # started when op1 answered
    sign_in("op1")
    move(client, call, "hold")
    move(client, call, "resume")
    move(client, call, "consult", department="WATER")
    event(webhooks, call, "participant-join", "department",
          twilio_http.participant(f"hotline-{call.sid}", "department")["call_sid"], 5)
    move(client, call, "join")
    assert recording_stops(twilio_http) == []

    move(client, call, "leave")
    [stop] = recording_stops(twilio_http)
    assert urlsplit(stop.url).path.endswith(f"/Calls/{call.sid}/Recordings/{recording['_sid']}.json")
    assert stop.data == {"Status": "stopped"}
    operator_removed = next(i for i, sent in enumerate(twilio_http.sent)
                            if sent.method == "DELETE" and sent.url.endswith("/Participants/operator.json"))
    assert twilio_http.sent.index(stop) > operator_removed        # the operator's part is over first
    assert state_of(app, call) == "handed_over"

    # Twilio then says it is completed: the recording is kept, with its duration, as the operator's part.
    webhooks.post("/voice/operator/recording", {
        **call.base_params(), "RecordingSid": recording["_sid"], "RecordingStatus": "completed",
        "RecordingDuration": "42", "RecordingChannels": "2",
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/{recording['_sid']}"})
    with db.session_scope(app) as session:
        kept = session.scalars(select(Recording).where(Recording.recording_sid == recording["_sid"])).one()
        assert (kept.status, kept.duration_seconds) == ("completed", 42)


def test_a_recording_already_gone_is_logged_and_the_hand_over_stands(
        app, client, sign_in, op1_on_a_call, twilio_http, caplog):
    call = op1_on_a_call
    [recording] = twilio_http.recordings
    recording["_stopped"] = 0.0                    # Twilio answers 20404: it has ended already
    sign_in("op1")
    move(client, call, "consult", department="WATER")
    with caplog.at_level(logging.INFO, logger="operators.recording"):
        response = move(client, call, "leave")
    assert len(recording_stops(twilio_http)) == 1 and "had ended already" in caplog.text
    assert state_of(app, call) == "handed_over" and twilio_http.participant(f"hotline-{call.sid}", "operator") is None
    assert response.status_code == 200


def test_a_call_whose_recording_has_finished_asks_twilio_to_stop_nothing(
        app, client, sign_in, op1_on_a_call, twilio_http):
    call = op1_on_a_call
    with db.session_scope(app) as session:
        for row in session.scalars(select(Recording)):
            row.status = "completed"
    sign_in("op1")
    move(client, call, "consult", department="WATER")
    move(client, call, "leave")
    assert recording_stops(twilio_http) == [] and state_of(app, call) == "handed_over"
