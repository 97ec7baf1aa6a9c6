"""Placing callbacks: what the real Twilio client sends, the calling hours,
and what happens when Twilio or the scheduler fails."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from call_log.models import Call
from callbacks.models import Callback, CallbackAttempt
from callbacks.services import opt_out, request_call_back
from tests.callbacks.conftest import closed_case, later
from tests.support.caller import CONDUCT, URBAN
from tests.support.factories import step

A, US = "+8613812345678", "+12125550123"
PUBLIC = "https://hotline.example.org"


def owe(session, config, clock, phone=A, line="urban", purpose="queue") -> Callback:
    callback = request_call_back(session, config, purpose=purpose, phone_e164=phone, line_id=line,
                                 origin_call_id=None, language=None, now=clock())
    session.commit()
    return callback


def fresh(session, callback: Callback) -> Callback:
    session.expire_all()
    return session.get(Callback, callback.id)


def test_a_due_callback_is_placed_from_the_lines_number_with_machine_detection(session, config, clock, twilio,
                                                                               dispatch):
    callback = owe(session, config, clock)
    counts = dispatch()
    assert counts.placed == 1
    sent, = twilio.created
    attempt = session.scalars(select(CallbackAttempt)).one()
    assert sent["To"] == A and sent["From"] == URBAN
    assert sent["Url"] == f"{PUBLIC}/voice/callback/answer?attempt={attempt.id}"
    assert sent["StatusCallback"] == f"{PUBLIC}/voice/callback/status?attempt={attempt.id}"
    assert sent["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    assert sent["MachineDetection"] == "Enable"
    assert sent["Method"] == "POST" and sent["StatusCallbackMethod"] == "POST" and sent["Timeout"] == 30
    method, uri = twilio.requests[0]
    assert method == "POST" and uri.endswith(f"/2010-04-01/Accounts/{sent and 'AC' + '0' * 32}/Calls.json")
    callback = fresh(session, callback)
    assert callback.status == "calling" and callback.attempts == 1 and callback.last_call_sid == sent["_sid"]
    logged = session.scalars(select(Call).where(Call.call_sid == sent["_sid"])).one()
    assert logged.direction == "outbound-api" and logged.to_number == A and logged.line_id == "urban"
    assert attempt.call_sid == sent["_sid"] and attempt.call_id == logged.id and attempt.status == "placed"


def test_runs_never_place_one_callback_twice(session, config, clock, twilio, dispatch):
    owe(session, config, clock)
    dispatch()
    dispatch()
    later(clock, minutes=10)
    dispatch()
    assert len(twilio.created) == 1


def test_callbacks_are_placed_in_the_order_they_were_asked(session, config, clock, twilio, dispatch):
    numbers = [f"+861381234{n:04d}" for n in range(7)]
    for number in numbers:
        owe(session, config, clock, phone=number)
        later(clock, seconds=1)
    dispatch(batch=3, concurrency=1)
    assert [c["To"] for c in twilio.created] == numbers


def test_a_callback_due_at_half_past_ten_at_night_waits_for_the_morning(session, config, clock, twilio, dispatch):
    clock.set_local(2026, 10, 9, 22, 30)
    callback = owe(session, config, clock)
    assert callback.next_attempt_at == datetime(2026, 10, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    dispatch()
    clock.set_local(2026, 10, 10, 8, 59)
    dispatch()
    assert twilio.created == []
    clock.set_local(2026, 10, 10, 9, 0)
    dispatch()
    assert [c["To"] for c in twilio.created] == [A]


def test_a_due_callback_found_in_quiet_hours_is_moved_to_the_morning_not_called(session, config, clock, twilio,
                                                                                dispatch):
    callback = owe(session, config, clock)
    clock.set_local(2026, 10, 9, 23, 5)              # say the scheduler was down all evening
    counts = dispatch()
    assert counts.deferred == 1 and twilio.created == []
    assert fresh(session, callback).next_attempt_at == datetime(2026, 10, 10, 9, 0,
                                                                tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_us_number_is_called_in_its_own_morning(session, config, clock, twilio, dispatch):
    callback = owe(session, config, clock, phone=US)      # 10:00 in Taizhou, 22:00 in New York
    new_york = callback.next_attempt_at.astimezone(ZoneInfo("America/New_York"))
    assert (new_york.date().isoformat(), new_york.hour, new_york.minute) == ("2026-10-09", 9, 0)
    dispatch()
    assert twilio.created == []
    clock.moment = callback.next_attempt_at
    dispatch()
    assert [c["To"] for c in twilio.created] == [US]


def test_no_callback_on_the_lines_holidays(session, config, clock, twilio, dispatch):
    clock.set_local(2026, 9, 30, 20, 30)           # the conduct line's calendar has National Day off
    callback = owe(session, config, clock, line="conduct")
    assert callback.next_attempt_at == datetime(2026, 10, 8, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    clock.set_local(2026, 10, 3, 10, 0)
    dispatch()
    assert twilio.created == []
    clock.set_local(2026, 10, 8, 9, 0)
    dispatch()
    assert twilio.created[0]["From"] == CONDUCT


def test_an_opted_out_number_is_dropped_not_called(session, config, clock, twilio, dispatch):
    callback = owe(session, config, clock)
    # Opted out through another callback, say, after this one was owed.
    session.add(__import__("callbacks.models", fromlist=["OptOut"]).OptOut(phone_e164=A, created_at=clock()))
    session.commit()
    counts = dispatch()
    assert counts.dropped == 1 and twilio.created == []
    assert fresh(session, callback).status == "opted_out"


def test_opting_out_drops_what_is_owed_at_once(session, config, clock, twilio, dispatch):
    callback = owe(session, config, clock)
    opt_out(session, A, clock(), source="test")
    session.commit()
    dispatch()
    assert twilio.created == [] and fresh(session, callback).status == "opted_out"


def test_an_outcome_survey_is_dropped_when_the_case_was_reopened_first(session, config, clock, twilio, dispatch):
    case = closed_case(session, config, clock())
    step(session, config, case, "reopen", clock(), "supervisor", reason="市民再次反映")
    session.commit()
    later(clock, hours=4)
    counts = dispatch()
    assert counts.dropped == 1 and twilio.created == []
    callback = session.scalars(select(Callback)).one()
    assert callback.status == "cancelled" and callback.last_result == "case_reopened"


def test_twilio_refusing_the_number_makes_the_complainant_unreachable(session, config, clock, twilio, dispatch):
    case = closed_case(session, config, clock())
    later(clock, hours=4)
    twilio.fail_next(400, 21211, "The 'To' number is not a valid phone number.")
    counts = dispatch()
    assert counts.failed == 1
    callback = session.scalars(select(Callback)).one()
    assert callback.status == "unreachable" and callback.last_result == "rejected"
    attempt = session.scalars(select(CallbackAttempt)).one()
    assert attempt.result == "rejected" and "21211" in attempt.error
    from callbacks.models import SurveyAnswer
    assert session.scalars(select(SurveyAnswer.answer).where(SurveyAnswer.case_id == case.id)).all() == \
        ["unreachable"]


def test_twilio_failing_is_retried_soon_without_using_up_an_attempt(session, config, clock, twilio, dispatch):
    callback = owe(session, config, clock)
    twilio.fail_next(503, 20503, "Service Unavailable")
    twilio.fail_next(500, 20500, "Internal Server Error")
    dispatch()
    callback = fresh(session, callback)
    assert callback.status == "pending" and callback.attempts == 0
    assert callback.next_attempt_at == clock() + timedelta(minutes=1)
    later(clock, minutes=1)
    dispatch()
    assert fresh(session, callback).next_attempt_at == clock() + timedelta(minutes=2)
    later(clock, minutes=2)
    dispatch()
    callback = fresh(session, callback)
    assert callback.status == "calling" and callback.attempts == 1 and len(twilio.created) == 1
    assert session.scalar(select(func.count()).select_from(CallbackAttempt)) == 3


def test_a_call_whose_final_status_never_came_is_looked_up_over_rest(session, config, clock, twilio, dispatch,
                                                                    placed):
    callback = owe(session, config, clock)
    dispatch()
    call = placed()
    call.ring()
    twilio.statuses[call.sid] = "no-answer"           # Twilio knows; its status callback was lost
    later(clock, minutes=59)
    assert dispatch().reconciled == 0
    later(clock, minutes=2)
    assert dispatch().reconciled == 1
    callback = fresh(session, callback)
    assert callback.status == "pending" and callback.last_result == "no-answer"
    assert ("GET", f"https://api.twilio.com/2010-04-01/Accounts/{'AC' + '0' * 32}/Calls/{call.sid}.json") \
        in twilio.requests


def test_the_webhook_may_come_before_twilios_rest_answer(session, config, clock, twilio, dispatch, webhooks):
    from tests.callbacks.support import PlacedCall

    owe(session, config, clock)
    heard = []
    original = twilio.request

    def answer_at_once(method, uri, **kwargs):
        response = original(method, uri, **kwargs)
        if method == "POST":
            # Twilio runs the call's Url before the REST answer reaches us.
            heard.append(PlacedCall(webhooks, twilio.created[-1]).answer())
        return response

    twilio.request = answer_at_once
    dispatch()
    assert "已经处理完毕" not in heard[0].text and "选择了回电" in heard[0].text
    attempt = session.scalars(select(CallbackAttempt)).one()
    assert attempt.call_sid == twilio.created[0]["_sid"] and attempt.answered_by == "human"
    assert session.scalar(select(func.count()).select_from(Call)) == 1


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)
