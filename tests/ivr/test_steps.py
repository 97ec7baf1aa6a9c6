"""The step store writes with Core statements beside the ORM: a session that
holds the call's ORM row (a request's effect, or a test sharing the request's
session) must still see the call as it is, and must not write it back stale."""
from __future__ import annotations

from sqlalchemy import select

from call_log.models import Call as CallRow
from call_log.models import IvrStep
from ivr.steps import call_at_step, store_step
from ivr.turns import CallState, Input


def test_a_stored_step_is_what_the_sessions_copy_of_the_call_shows(new_call, session, clock):
    call = new_call()
    call.dial()
    held = session.scalars(select(CallRow)).one()
    assert held.ivr_step == 1

    answer = store_step(session, held.id, 2, CallState(node="describe", language="en"), Input(digits="1"),
                        "said", "<Response><Hangup/></Response>", clock())
    assert answer == "<Response><Hangup/></Response>"
    assert (held.ivr_step, held.ivr_state["node"], held.language) == (2, "describe", "en")
    assert held not in session.dirty
    session.commit()

    again, answered = call_at_step(session, call.sid, 2)
    assert again.ivr_step == 2 and again.ivr_state["node"] == "describe" and answered is None
    assert [step.sequence for step in session.scalars(select(IvrStep).order_by(IvrStep.sequence))] == [1, 2]


def test_a_step_stored_twice_keeps_the_first_answer_and_state(new_call, session, clock):
    call = new_call()
    call.dial()
    held = session.scalars(select(CallRow)).one()
    first = store_step(session, held.id, 2, CallState(node="describe", language="zh"), Input(), "", "<Response/>",
                       clock())
    second = store_step(session, held.id, 2, CallState(node="menu", language="en"), Input(), "",
                        "<Response><Hangup/></Response>", clock())
    session.commit()
    assert first == second == "<Response/>"
    assert held.ivr_state["node"] == "describe" and held.language == "zh"


def test_an_incoming_webhook_after_a_status_callback_fills_in_the_line_and_the_answer(new_call, webhooks, session):
    call = new_call()
    assert webhooks.post("/voice/status", {**call.base_params(), "CallStatus": "ringing",
                                           "SequenceNumber": "0"}).status_code == 204
    logged = session.scalars(select(CallRow)).one()
    assert logged.line_id is None and logged.answered_at is None
    call.dial()
    logged = session.scalars(select(CallRow)).one()
    assert logged.line_id is not None and logged.answered_at is not None and logged.ivr_step == 1


def test_a_step_is_written_in_one_round_trip_on_postgresql(new_call, session, clock):
    """The step and the call's new state: one statement on PostgreSQL (a
    data-modifying WITH); SQLite has none, so there it is two calls into the
    library in this process, which cost no round trip."""
    from sqlalchemy import event

    call = new_call()
    call.dial()
    held = session.scalars(select(CallRow)).one()
    connection = session.connection()
    sent: list[str] = []

    def count(_connection, _cursor, statement, *args) -> None:
        sent.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    store_step(session, held.id, 2, CallState(node="describe", language="en"), Input(digits="1"), "said",
               "<Response/>", clock())
    event.remove(connection, "before_cursor_execute", count)
    expected = 1 if connection.dialect.name == "postgresql" else 2
    assert len(sent) == expected, sent
    session.commit()
    again, _ = call_at_step(session, call.sid, 2)
    assert (again.ivr_step, again.ivr_state["node"]) == (2, "describe")


def _watch_advance(monkeypatch, app) -> list[bool]:
    """Whether the request's session held a transaction each time the intake
    flow worked out a turn (on SQLite, a transaction holds the write lock)."""
    from database import db
    from ivr.flow import Flow

    held: list[bool] = []
    advance = Flow.advance

    def watched(self, state, event):
        held.append(db.session().in_transaction())
        return advance(self, state, event)

    monkeypatch.setattr(Flow, "advance", watched)
    return held


def test_on_sqlite_the_flow_works_out_a_step_before_the_write_lock(new_call, app, monkeypatch, own_session):
    """The classifier reads what was said outside any transaction on SQLite
    (whose one write lock serialises every webhook); on PostgreSQL under the
    call's own row lock, which holds up no other call."""
    call = new_call()
    call.dial()
    held = _watch_advance(monkeypatch, app)
    call.say("青年路的路灯不亮了")
    sqlite = own_session.get_bind().dialect.name == "sqlite"
    assert held == ([False] if sqlite else [True])
    steps = own_session.scalars(select(IvrStep).order_by(IvrStep.sequence)).all()
    assert [step.sequence for step in steps] == [1, 2]
    assert steps[1].speech == "青年路的路灯不亮了" and steps[1].twiml.encode() == call.responses[-1]


def test_a_retry_that_lands_while_a_step_is_worked_out_wins_and_both_answer_alike(new_call, app, monkeypatch,
                                                                                   own_session):
    """Twilio's retry of the same step arrives between the first request's
    read without the lock and its write: the retry stores the step, and the
    first request, finding it stored under the lock, answers with the same
    TwiML and stores nothing twice."""
    import ivr.services

    call = new_call()
    call.dial()
    action = call.action
    params = {**call.base_params(), "SpeechResult": "路灯不亮", "Confidence": "0.9"}
    peek = ivr.services.peek_at_step
    retried = []

    def peek_then_retry(session, call_sid, step):
        peeked = peek(session, call_sid, step)
        if not retried:                           # the first request only; the retry runs as usual
            retried.append(None)
            retried[0] = call.webhooks.post(action, params)
        return peeked

    monkeypatch.setattr(ivr.services, "peek_at_step", peek_then_retry)
    first = call.webhooks.post(action, params)
    assert first.status_code == retried[0].status_code == 200
    assert first.data == retried[0].data
    logged = own_session.scalars(select(CallRow)).one()
    assert logged.ivr_step == 2
    assert [step.sequence for step in own_session.scalars(select(IvrStep).order_by(IvrStep.sequence))] == [1, 2]
