"""Automatic distribution with signed webhooks and the real twilio client
over the test transport: a waiting caller is offered to the longest-idle
available operator with the right skills, answered or passed on to the
next operator, and the seats follow the call."""
from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from accounts.models import User
from accounts.services import create_user
from call_log.models import Call as CallRow
from call_log.twilio_rest import build_client
from database import db
from ivr.kit import public_url
from operators import seats as rules
from operators.distribution import distribute
from operators.models import Seat, SeatChange
from operators.presence import report_present
from operators.seating import choose, set_skills
from tests.support.twilio_http import TwilioRest
from tests.support.twiml import Document, parse
from wiring import services

QUEUE_SID = "QU" + "1" * 32


@pytest.fixture
def twilio_http(app):
    http = TwilioRest()
    http.answers["/Queues.json"] = (200, {
        "queues": [{"sid": QUEUE_SID, "friendly_name": "urban-operators", "current_size": 1, "max_size": 100}],
        "uri": "/Queues.json", "first_page_uri": "/Queues.json", "next_page_uri": None, "previous_page_uri": None,
        "page": 0, "page_size": 50, "start": 0, "end": 0})
    return http


def dequeued(http: TwilioRest, call_sid: str) -> None:
    http.answers[f"/Members/{call_sid}.json"] = (200, {"call_sid": call_sid, "queue_sid": QUEUE_SID, "position": 1})


def one_pass(app, http):
    client = build_client(app.config["SETTINGS"], http)
    return distribute(lambda: db.session_scope(app), client, services(app).config,
                      lambda operator: public_url(app, "operator_voice.connect", operator=operator),
                      services(app).clock)


def operator(app, clock, username: str, state: str = rules.AVAILABLE, lines=None, languages=None) -> None:
    with db.session_scope(app) as session:
        user = create_user(session, username, "operator password 1", "operator", device=f"client:{username}",
                           hash_method="pbkdf2:sha256:1000")
        session.flush()
        report_present(session, user.id, clock())
        if lines or languages:
            set_skills(session, user, lines, languages, services(app).config, clock())
        if state != rules.OFFLINE:
            choose(session, user, state, clock())


def queued(new_call, from_: str = "+8613812345678"):
    call = new_call(from_=from_)
    call.dial()
    document = call.press("0")
    assert document.root.find("Enqueue") is not None
    return call


def seat(app, username: str) -> Seat:
    with db.session_scope(app) as session:
        found = session.scalars(select(Seat).join(User, User.id == Seat.user_id)
                                .where(User.username == username)).one()
        session.expunge(found)
        return found


def member_posts(http: TwilioRest) -> list[tuple[str, str]]:
    """(call sid, operator in the connect URL) of each dequeue asked of Twilio."""
    posts = []
    for sent in http.sent:
        if sent.method == "POST" and "/Members/" in sent.url:
            call_sid = urlsplit(sent.url).path.rsplit("/", 1)[-1].removesuffix(".json")
            operator_name = parse_qs(urlsplit(sent.data["Url"]).query)["operator"][0]
            posts.append((call_sid, operator_name))
    return posts


def dial_ended(webhooks, call, operator_name: str, status: str) -> Document:
    """Twilio's <Dial action> after ringing the operator's device."""
    response = webhooks.post(f"/voice/operator/after?operator={operator_name}",
                             {**call.base_params(), "DialCallStatus": status})
    assert response.status_code == 200
    return Document(parse(response.data))


def picked_up(webhooks, call) -> Document:
    """The operator's device answered: Twilio asks for the whisper."""
    response = webhooks.post(f"/voice/operator/whisper?call={call.sid}",
                             {**call.base_params(), "CallSid": "CA" + "9" * 32, "Direction": "outbound-dial"})
    assert response.status_code == 200
    return Document(parse(response.data))


def test_a_waiting_caller_is_offered_to_the_operator_idle_longest(app, new_call, clock, twilio_http):
    operator(app, clock, "wang")
    clock.moment += timedelta(seconds=10)
    operator(app, clock, "li")
    call = queued(new_call)
    dequeued(twilio_http, call.sid)

    counts = one_pass(app, twilio_http)

    assert counts.offered == 1 and member_posts(twilio_http) == [(call.sid, "wang")]
    assert (seat(app, "wang").state, seat(app, "wang").call_sid) == (rules.RINGING, call.sid)
    assert seat(app, "li").state == rules.AVAILABLE
    # A second pass offers the caller to no one else.
    assert one_pass(app, twilio_http).offered == 0 and len(member_posts(twilio_http)) == 1


def test_a_caller_goes_to_an_operator_with_the_line_and_language(app, new_call, clock, twilio_http):
    operator(app, clock, "wang", lines=["conduct"])
    clock.moment += timedelta(seconds=10)
    operator(app, clock, "li", languages=["zh-CN"], lines=["urban"])
    call = queued(new_call)
    dequeued(twilio_http, call.sid)
    one_pass(app, twilio_http)
    assert member_posts(twilio_http) == [(call.sid, "li")]


def test_one_operator_is_offered_one_caller_at_a_time(app, new_call, clock, twilio_http):
    operator(app, clock, "wang")
    first = queued(new_call, "+8613812340001")
    clock.moment += timedelta(seconds=5)
    second = queued(new_call, "+8613812340002")
    dequeued(twilio_http, first.sid)
    dequeued(twilio_http, second.sid)
    one_pass(app, twilio_http)
    one_pass(app, twilio_http)
    assert member_posts(twilio_http) == [(first.sid, "wang")]


def test_an_answered_offer_puts_the_operator_on_the_call_then_in_wrap_up(app, new_call, clock, twilio_http,
                                                                          webhooks):
    operator(app, clock, "wang")
    call = queued(new_call)
    dequeued(twilio_http, call.sid)
    one_pass(app, twilio_http)

    whisper = picked_up(webhooks, call)
    assert whisper.root.find("Say") is not None
    assert seat(app, "wang").state == rules.ON_CALL
    with db.session_scope(app) as session:
        row = session.scalars(select(CallRow).where(CallRow.call_sid == call.sid)).one()
        assert (row.operator, row.queue_result) == ("wang", "answered")

    clock.moment += timedelta(minutes=3)
    goodbye = dial_ended(webhooks, call, "wang", "completed")
    assert goodbye.root.find("Hangup") is not None
    assert (seat(app, "wang").state, seat(app, "wang").call_sid) == (rules.WRAP_UP, None)
    # The wrap-up time passes: available again at the next pass.
    clock.moment += services(app).config.seats.wrap_up
    assert one_pass(app, twilio_http).wrapped_up == 1
    assert seat(app, "wang").state == rules.AVAILABLE
    with db.session_scope(app) as session:
        history = [(c.previous, c.state, c.by) for c in session.scalars(select(SeatChange).order_by(SeatChange.id))]
    assert history == [("offline", "available", "wang"), ("available", "ringing", "service"),
                       ("ringing", "on_call", "service"), ("on_call", "wrap_up", "service"),
                       ("wrap_up", "available", "service")]


def test_an_operator_who_does_not_answer_is_marked_away_and_the_next_one_is_offered(
        app, new_call, clock, twilio_http, webhooks):
    operator(app, clock, "wang")
    clock.moment += timedelta(seconds=10)
    operator(app, clock, "li")
    call = queued(new_call)
    dequeued(twilio_http, call.sid)
    one_pass(app, twilio_http)
    # Twilio tells the Enqueue action the caller left the queue for the operator's device.
    enqueue_action = call.document.root.find("Enqueue").get("action")
    webhooks.post(enqueue_action, {**call.base_params(), "QueueResult": "redirected"})

    clock.moment += timedelta(seconds=20)
    again = dial_ended(webhooks, call, "wang", "no-answer")

    assert again.root.find("Enqueue").text == "urban-operators"
    assert "话务员暂时未能接听" in again.text
    wang = seat(app, "wang")
    assert (wang.state, wang.reason, wang.call_sid) == (rules.BREAK, rules.NO_ANSWER, None)
    one_pass(app, twilio_http)
    assert member_posts(twilio_http) == [(call.sid, "wang"), (call.sid, "li")]
    assert seat(app, "li").state == rules.RINGING


def test_a_caller_who_left_the_queue_meanwhile_frees_the_operator_again(app, new_call, clock, twilio_http):
    operator(app, clock, "wang")
    call = queued(new_call)          # no dequeue answer: Twilio says 404, not in the queue
    counts = one_pass(app, twilio_http)
    assert (counts.offered, counts.failed) == (0, 1)
    wang = seat(app, "wang")
    assert (wang.state, wang.reason, wang.call_sid) == (rules.AVAILABLE, "offer_failed", None)
    assert member_posts(twilio_http) == [(call.sid, "wang")]


def test_an_available_operator_whose_board_closed_goes_offline(app, new_call, clock, twilio_http):
    operator(app, clock, "wang")
    clock.moment += timedelta(minutes=5)
    call = queued(new_call)
    dequeued(twilio_http, call.sid)
    counts = one_pass(app, twilio_http)
    assert (counts.closed, counts.offered) == (1, 0)
    wang = seat(app, "wang")
    assert (wang.state, wang.reason) == (rules.OFFLINE, rules.BOARD_CLOSED)


def test_an_operator_on_a_break_is_not_offered_callers(app, new_call, clock, twilio_http):
    operator(app, clock, "wang", state=rules.BREAK)
    call = queued(new_call)
    dequeued(twilio_http, call.sid)
    assert one_pass(app, twilio_http).offered == 0 and member_posts(twilio_http) == []


def test_the_wait_estimate_counts_the_seats_and_the_real_handling_time(app, new_call, clock, webhooks):
    operator(app, clock, "wang")
    # An earlier call an operator handled for three minutes and a half.
    with db.session_scope(app) as session:
        session.add(CallRow(call_sid="CA" + "5" * 32, line_id="urban", status="completed",
                            operator="wang", operator_joined_at=clock() - timedelta(minutes=20),
                            ended_at=clock() - timedelta(minutes=16, seconds=30)))
    call = queued(new_call)
    response = webhooks.post("/voice/queue/wait", {**call.base_params(), "QueuePosition": "1", "QueueTime": "5",
                                                   "AvgQueueTime": "0", "CurrentQueueSize": "1"})
    # Three and a half minutes' talk and 30 s of wrap-up: the next caller waits about four minutes.
    assert "您是下一位，预计等待4分钟" in Document(parse(response.data)).text


def test_passes_running_at_once_never_share_a_caller_or_an_operator(app, new_call, clock, twilio_http):
    for n in range(5):
        operator(app, clock, f"op{n}")
        clock.moment += timedelta(seconds=1)
    for n in range(8):
        dequeued(twilio_http, queued(new_call, f"+861381234{n:04d}").sid)
        clock.moment += timedelta(seconds=1)
    start = threading.Barrier(4)

    def run() -> None:
        start.wait()
        one_pass(app, twilio_http)

    workers = [threading.Thread(target=run) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    posts = member_posts(twilio_http)
    assert len(posts) == 5
    assert len({sid for sid, _ in posts}) == 5 and len({name for _, name in posts}) == 5
    with db.session_scope(app) as session:
        held = [s.call_sid for s in session.scalars(select(Seat))]
    assert sorted(held) == sorted(sid for sid, _ in posts)


def test_a_caller_who_hangs_up_while_the_operator_rings_is_no_fault_of_the_operator(
        app, new_call, clock, twilio_http, webhooks):
    operator(app, clock, "wang")
    call = queued(new_call)
    dequeued(twilio_http, call.sid)
    one_pass(app, twilio_http)
    response = webhooks.post("/voice/operator/after?operator=wang",
                             {**call.base_params(), "CallStatus": "completed", "DialCallStatus": "no-answer"})
    assert response.status_code == 200
    wang = seat(app, "wang")
    assert (wang.state, wang.reason, wang.call_sid) == (rules.AVAILABLE, rules.CALLER_LEFT, None)
