"""What gets a callback: closed cases (every complainant), out-of-hours
complaints, callers who chose a callback or gave up waiting.  Never twice for
one purpose, never to a number that opted out."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from callbacks.models import Callback
from callbacks.services import opt_out, request_call_back
from cases.models import Case
from tests.callbacks.conftest import closed_case
from tests.support.factories import dispatched, report, step

A, B, C = "+8613812345678", "+8613912345678", "+8615012345678"


def owed(session, **where) -> list[Callback]:
    session.expire_all()
    return list(session.scalars(select(Callback).filter_by(**where).order_by(Callback.id)))


def test_a_closed_case_owes_every_complainant_one_survey_call(session, config, clock):
    now = clock()
    case = dispatched(session, config, now, caller=A)
    report(session, config, now, caller=B, description="那个下水道还是堵着")        # a repeat report joins it
    report(session, config, now, caller=A, description="我又打来说一下")             # the same person again
    declined = report(session, config, now, caller=C)
    declined.complainants[-1].callback_declined = True
    assert len(case.complainants) == 4
    step(session, config, case, "claim", now, "department")
    step(session, config, case, "dispose", now, "department", note="疏通了管道")
    step(session, config, case, "close", now, "inspector")
    session.commit()
    surveys = owed(session, purpose="outcome")
    assert sorted(c.phone_e164 for c in surveys) == [A, B]
    assert all(c.case_id == case.id and c.status == "pending" and c.line_id == "urban" for c in surveys)
    # Closed at 10:00 Beijing time, owed two hours later: 12:00 is the midday rest, so 14:00.
    assert {c.due_at for c in surveys} == {now + timedelta(hours=2)}
    assert {c.next_attempt_at for c in surveys} == {now + timedelta(hours=4)}


def test_closing_again_after_a_reopen_replaces_the_survey_still_owed(session, config, clock):
    case = closed_case(session, config, clock())
    first, = owed(session, purpose="outcome")
    step(session, config, case, "reopen", clock(), "supervisor", reason="市民再次反映")
    step(session, config, case, "file", clock(), "inspector")
    step(session, config, case, "dispatch", clock(), "dispatcher")
    step(session, config, case, "claim", clock(), "department")
    step(session, config, case, "dispose", clock(), "department", note="重新疏通")
    step(session, config, case, "close", clock(), "inspector")
    session.commit()
    old, new = owed(session, purpose="outcome")
    assert old.id == first.id and old.status == "cancelled" and old.last_result == "superseded"
    assert new.status == "pending" and new.purpose_key != old.purpose_key


def test_a_number_that_opted_out_is_never_owed_a_callback(session, config, clock):
    opt_out(session, A, clock(), source="test")
    closed_case(session, config, clock(), caller=A)
    assert owed(session) == []
    assert request_call_back(session, config, purpose="queue", phone_e164=A, line_id="urban",
                             origin_call_id=None, language=None, now=clock()) is None


def test_an_after_hours_complaint_is_owed_a_call_when_the_line_opens(new_call, session, clock):
    clock.set_local(2026, 10, 9, 22, 30)
    call = new_call(from_=B)
    call.dial()
    call.say("工地夜间施工噪音很大")
    call.press("1")
    call.say("凤凰路工地")
    call.press("1")
    callback, = owed(session, purpose="after_hours")
    case = session.get(Case, callback.case_id)
    assert case.after_hours and callback.phone_e164 == B and callback.language == "zh-CN"
    # The line's operators start at 08:00 (what the caller was promised);
    # complainants are called from 09:00 (callbacks.yaml).
    clock.set_local(2026, 10, 10, 8, 0)
    assert callback.due_at == clock()
    clock.set_local(2026, 10, 10, 9, 0)
    assert callback.next_attempt_at == clock()


def test_a_caller_who_chose_a_callback_in_the_queue_is_owed_one(new_call, session, clock):
    call = new_call(from_=C)
    call.dial()
    queued = call.press("0")
    call._follow(queued.root.find("Enqueue").get("action"), {"QueueResult": "leave", "QueueTime": "95"})
    callback, = owed(session)
    assert callback.purpose == "queue" and callback.phone_e164 == C
    assert callback.next_attempt_at == clock()          # as soon as possible
    assert callback.origin_call_id is not None


def test_a_caller_who_gave_up_waiting_is_owed_a_missed_call_after_a_pause(new_call, session, clock):
    call = new_call(from_=C)
    call.dial()
    queued = call.press("0")
    call._follow(queued.root.find("Enqueue").get("action"), {"QueueResult": "hangup", "QueueTime": "300"})
    callback, = owed(session)
    assert callback.purpose == "missed" and callback.next_attempt_at == clock() + timedelta(minutes=5)


def test_one_number_is_owed_one_queue_or_missed_callback_at_a_time(session, config, clock):
    first = request_call_back(session, config, purpose="queue", phone_e164=C, line_id="urban",
                              origin_call_id=None, language=None, now=clock())
    again = request_call_back(session, config, purpose="missed", phone_e164=C, line_id="urban",
                              origin_call_id=None, language=None, now=clock() + timedelta(minutes=1))
    other = request_call_back(session, config, purpose="queue", phone_e164=B, line_id="urban",
                              origin_call_id=None, language="en-US", now=clock() + timedelta(minutes=2))
    session.commit()
    assert again.id == first.id and other.id != first.id
    assert [c.phone_e164 for c in owed(session)] == [C, B]
    assert owed(session, phone_e164=B)[0].language == "en-US"


def test_closing_the_same_case_twice_in_one_transaction_owes_once(session, config, clock):
    case = closed_case(session, config, clock())
    from callbacks.services import schedule_outcome_callbacks
    close_event = next(e for e in case.events if e.action == "close")
    again = schedule_outcome_callbacks(session, config, case, close_event, clock())
    session.commit()
    assert [c.id for c in again] == [c.id for c in owed(session, purpose="outcome", status="pending")]
