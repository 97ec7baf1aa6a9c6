"""A scheduler killed mid-placement leaves attempts ``placing``.  Before
anyone is called again, each is set straight with Twilio: the call fetched
by its SID, or the calls to that number listed since the attempt."""
from __future__ import annotations

from sqlalchemy import select

from call_log.models import Call
from callbacks.models import Callback, CallbackAttempt
from callbacks.services import request_call_back
from tests.callbacks.conftest import later
from tests.support.caller import URBAN

A = "+8613812345678"


def cut_off(session, config, clock, call_sid: str | None = None) -> Callback:
    """A callback claimed by a scheduler that died before calls.create answered."""
    callback = request_call_back(session, config, purpose="queue", phone_e164=A, line_id="urban",
                                 origin_call_id=None, language=None, now=clock())
    callback.status, callback.attempts = "calling", 1
    session.add(CallbackAttempt(callback_id=callback.id, number=1, status="placing", placed_at=clock(),
                                call_sid=call_sid))
    session.commit()
    return callback


def fresh(session, callback: Callback) -> tuple[Callback, list[CallbackAttempt]]:
    session.expire_all()
    row = session.get(Callback, callback.id)
    return row, session.scalars(select(CallbackAttempt).where(CallbackAttempt.callback_id == callback.id)
                                .order_by(CallbackAttempt.number)).all()


def test_a_call_twilio_never_took_is_given_back_and_placed_once(session, config, clock, twilio, dispatch):
    callback = cut_off(session, config, clock)
    dispatch()
    assert twilio.created == []                         # not yet: calls.create may still be in flight
    later(clock, minutes=6)
    counts = dispatch()
    assert counts.reconciled == 1 and counts.placed == 1
    assert [c["To"] for c in twilio.created] == [A]     # asked Twilio first, then called once
    methods = [m for m, uri in twilio.requests]
    assert methods.index("GET") < methods.index("POST")
    callback, (first, second) = fresh(session, callback)
    assert (first.status, first.result) == ("ended", "not_placed")
    assert second.status == "placed" and callback.attempts == 1         # the lost attempt was given back


def test_a_call_twilio_did_take_is_adopted_not_placed_again(session, config, clock, twilio, dispatch):
    callback = cut_off(session, config, clock)
    sid = twilio.took(A, URBAN, status="in-progress")   # Twilio placed it; the scheduler never heard
    later(clock, minutes=6)
    counts = dispatch()
    assert counts.reconciled == 1 and counts.placed == 0
    assert [c["_sid"] for c in twilio.created] == [sid]
    callback, [attempt] = fresh(session, callback)
    assert (attempt.status, attempt.call_sid) == ("placed", sid) and callback.status == "calling"
    assert session.scalars(select(Call.direction).where(Call.call_sid == sid)).one() == "outbound-api"
    later(clock, hours=2)
    dispatch()
    assert len(twilio.created) == 1


def test_a_call_twilio_took_that_is_over_ends_the_attempt_by_its_status(session, config, clock, twilio, dispatch):
    callback = cut_off(session, config, clock)
    twilio.took(A, URBAN, status="no-answer")
    later(clock, minutes=6)
    dispatch()
    callback, [attempt] = fresh(session, callback)
    assert (attempt.status, attempt.result) == ("ended", "no-answer")
    assert callback.status == "pending" and callback.attempts == 1 and len(twilio.created) == 1


def test_a_sid_a_webhook_brought_is_fetched(session, config, clock, twilio, dispatch):
    sid = twilio.took(A, URBAN, status="completed")
    callback = cut_off(session, config, clock, call_sid=sid)
    later(clock, minutes=6)
    dispatch()
    assert ("GET", f"https://api.twilio.com/2010-04-01/Accounts/{'AC' + '0' * 32}/Calls/{sid}.json") \
        in twilio.requests
    callback, [attempt] = fresh(session, callback)
    assert attempt.status == "ended" and callback.status == "completed" and len(twilio.created) == 1


def test_while_twilio_cannot_be_asked_nobody_is_called_again(session, config, clock, twilio, dispatch):
    callback = cut_off(session, config, clock)
    twilio.fail_lookups()
    later(clock, minutes=6)
    assert dispatch().reconciled == 0
    later(clock, minutes=30)
    dispatch()
    assert twilio.created == []
    callback, [attempt] = fresh(session, callback)
    assert attempt.status == "placing" and callback.status == "calling"
    twilio.fail_lookups(False)
    dispatch()
    assert [c["To"] for c in twilio.created] == [A]


def test_an_attempt_twilio_cannot_be_asked_about_for_long_ends_as_interrupted(session, config, clock, twilio,
                                                                              dispatch):
    callback = cut_off(session, config, clock)
    twilio.fail_lookups()
    later(clock, minutes=61)
    assert dispatch().reconciled == 1
    callback, [attempt] = fresh(session, callback)
    assert (attempt.result, callback.status, callback.last_result) == ("interrupted", "pending", "interrupted")
    assert twilio.created == []
