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
