"""The callback call through its signed webhooks, with the real Twilio client
placing it: satisfied, not satisfied (the case reopens for verification),
busy then answered, unreachable, answering machines, opting out, a message
for a person, and Twilio's retries and reordering."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from call_log.models import Call, IvrStep, Recording
from callbacks.models import Callback, CallbackAttempt, OptOut, SurveyAnswer
from cases.models import Case, CaseEvent, InspectorTask
from tests.callbacks.conftest import closed_case, later
from tests.support.twiml import Document, parse

A, B = "+8613812345678", "+8613912345678"


@pytest.fixture
def survey_due(session, config, clock):
    """A closed case whose outcome survey is due now."""
    def make(caller: str = A, **kwargs) -> Case:
        case = closed_case(session, config, clock(), caller=caller, **kwargs)
        later(clock, hours=4)                 # 2 h delay, then the midday rest
        return case
    return make


def one(session, model, **where):
    session.expire_all()
    return session.scalars(select(model).filter_by(**where)).one()


def answers(session, case) -> list[tuple[str, str | None]]:
    session.expire_all()
    return [(a.answer, a.reason) for a in session.scalars(
        select(SurveyAnswer).where(SurveyAnswer.case_id == case.id).order_by(SurveyAnswer.id))]


def test_answered_and_satisfied(session, survey_due, dispatch, placed):
    case = survey_due()
    dispatch()
    call = placed(A)
    heard = call.answer()
    assert case.number[:4] in heard.text.replace(" ", "") and "已经更换了新的井盖" in heard.text
    thanks = call.press("1")
    assert thanks.hangs_up and "感谢您的评价" in thanks.text
    call.hang_up()
    assert answers(session, case) == [("satisfied", None)]
    callback = one(session, Callback)
    assert callback.status == "completed" and callback.last_result == "satisfied"
    attempt = one(session, CallbackAttempt)
    assert attempt.status == "ended" and attempt.answered_by == "human"
    logged = one(session, Call, call_sid=call.sid)
    assert logged.direction == "outbound-api" and logged.status == "completed"
    assert [s.digits for s in session.scalars(select(IvrStep).where(IvrStep.call_id == logged.id)
                                              .order_by(IvrStep.sequence))] == [None, "1"]
    assert one(session, Case, id=case.id).status == "closed"


def test_not_satisfied_reopens_the_case_for_verification_with_their_words(session, survey_due, dispatch, placed,
                                                                         clock):
    case = survey_due()
    dispatch()
    call = placed(A)
    call.answer()
    asked = call.press("3")
    assert asked.gather.get("input") == "speech" and asked.gather.get("language") == "cmn-Hans-CN"
    done = call.say("井盖还是松的，踩上去会晃")
    assert done.hangs_up and "现场核实" in done.text
    call.hang_up()
    case = one(session, Case, id=case.id)
    assert case.status == "verifying"
    reopen = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "reopen")).one()
    assert reopen.role == "system" and reopen.note == "井盖还是松的，踩上去会晃" and reopen.at == clock()
    task = session.scalars(select(InspectorTask).where(InspectorTask.case_id == case.id,
                                                       InspectorTask.status == "open")).one()
    assert task.kind == "verify"
    assert answers(session, case) == [("unsatisfied", "井盖还是松的，踩上去会晃")]


def test_basically_satisfied_is_an_answer_of_its_own(session, survey_due, dispatch, placed):
    case = survey_due()
    dispatch()
    call = placed(A)
    call.answer()
    call.press("2")
    assert answers(session, case) == [("basically_satisfied", None)]


def test_busy_then_answered_on_the_retry(session, survey_due, dispatch, placed, clock, twilio):
    case = survey_due()
    dispatch()
    first = placed(A)
    first.status("initiated")
    first.status("busy")
    callback = one(session, Callback)
    assert callback.status == "pending" and callback.attempts == 1 and callback.last_result == "busy"
    assert callback.next_attempt_at == clock() + timedelta(minutes=30)
    later(clock, minutes=29)
    dispatch()
    assert len(twilio.created) == 1
    later(clock, minutes=1)
    dispatch()
    second = placed(A)
    assert second.sid != first.sid and len(twilio.created) == 2
    second.answer()
    second.press("1")
    second.hang_up()
    assert answers(session, case) == [("satisfied", None)]
    assert [(a.number, a.result) for a in session.scalars(select(CallbackAttempt).order_by(CallbackAttempt.number))] \
        == [(1, "busy"), (2, "hung_up")]
    assert session.scalar(select(func.count()).select_from(Call).where(Call.direction == "outbound-api")) == 2


def test_three_unanswered_calls_make_the_complainant_unreachable(session, survey_due, dispatch, placed, clock,
                                                                twilio):
    case = survey_due()
    for wait in (timedelta(0), timedelta(minutes=30), timedelta(hours=2)):
        clock.moment += wait
        dispatch()
        call = placed(A)
        call.ring()
        call.status("no-answer")
    callback = one(session, Callback)
    assert callback.status == "unreachable" and callback.attempts == 3
    assert answers(session, case) == [("unreachable", None)]
    later(clock, days=1)
    dispatch()
    assert len(twilio.created) == 3


def test_an_answering_machine_gets_a_short_message_and_a_later_retry(session, survey_due, dispatch, placed, clock):
    case = survey_due()
    dispatch()
    call = placed(A)
    message = call.answer(answered_by="machine_start")
    assert message.gather is None and message.hangs_up
    assert "稍后会再打来" in message.text and case.number[:4] not in message.text.replace(" ", "")
    call.hang_up()
    callback = one(session, Callback)
    assert callback.status == "pending" and callback.last_result == "machine"
    assert callback.next_attempt_at == clock() + timedelta(minutes=30)
    assert one(session, CallbackAttempt).answered_by == "machine_start"
    later(clock, minutes=30)
    dispatch()
    retry = placed(A)
    assert retry.sid != call.sid
    retry.answer()
    retry.press("1")
    assert answers(session, case) == [("satisfied", None)]


def test_nine_opts_out_and_nothing_is_placed_to_that_number_again(session, config, survey_due, dispatch, placed,
                                                                 clock, twilio):
    from callbacks.services import request_call_back

    case = survey_due()
    other = request_call_back(session, config, purpose="queue", phone_e164=A, line_id="urban",
                              origin_call_id=None, language=None, now=clock() + timedelta(hours=1))
    session.commit()
    dispatch()
    call = placed(A)
    call.answer()
    done = call.press("9")
    assert done.hangs_up and "不会再" in done.text
    call.hang_up()
    assert one(session, OptOut).phone_e164 == A
    assert one(session, Callback, id=other.id).status == "opted_out"
    assert one(session, Callback, purpose="outcome").status == "opted_out"
    assert answers(session, case) == []
    closed_case(session, config, clock(), caller=A, category="C0102", location="海陵区东进路88号")
    later(clock, days=1)
    dispatch()
    assert [c["To"] for c in twilio.created] == [A]
    assert session.scalar(select(func.count()).select_from(Callback).where(Callback.status == "pending")) == 0


def test_zero_gives_the_hotline_number_and_a_message_becomes_a_case_for_an_operator(session, survey_due, dispatch,
                                                                                   placed):
    case = survey_due()
    dispatch()
    call = placed(A)
    call.answer()
    prompt = call.press("0")
    assert prompt.record is not None and "052388012319" in prompt.text
    assert prompt.root.find("Say/prosody/say-as").text == "052388012319"
    saved = call.leave_message()
    assert saved.hangs_up and "留言已记录" in saved.text
    message = session.scalars(select(Case).where(Case.needs_operator.is_(True))).one()
    callback = one(session, Callback)
    assert message.attributes == {"callback_id": callback.id, "about_case": case.number}
    assert session.get(Recording, message.recording_id).purpose == "callback_message"
    assert message.complainants[0].phone_e164 == A
    assert one(session, Callback).status == "completed" and answers(session, case) == []


def test_a_retried_webhook_gets_the_same_twiml_and_changes_nothing_twice(session, survey_due, dispatch, placed,
                                                                         webhooks):
    case = survey_due()
    dispatch()
    call = placed(A)
    first = call.answer()
    again = webhooks.post(call.sent["Url"], {**call.params(), "AnsweredBy": "human"})
    assert Document(parse(again.data)).text == first.text
    action = call.action
    pressed = call.press("3")
    retried = webhooks.post(action, {**call.params(), "Digits": "3"})
    assert Document(parse(retried.data)).text == pressed.text
    call.say("还是没修好")
    retried_reason = webhooks.post(pressed.gather.get("action"), {**call.params(), "SpeechResult": "还是没修好"})
    assert "现场核实" in Document(parse(retried_reason.data)).text
    assert answers(session, case) == [("unsatisfied", "还是没修好")]
    assert session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.action == "reopen")) == 1


def test_status_callbacks_twice_and_out_of_order_settle_the_attempt_once(session, survey_due, dispatch, placed,
                                                                         clock):
    survey_due()
    dispatch()
    call = placed(A)
    call.status("initiated")
    call.status("no-answer")
    call.status("no-answer")
    call.status("ringing")                        # late and out of order
    callback = one(session, Callback)
    assert callback.status == "pending" and callback.attempts == 1
    assert callback.next_attempt_at == clock() + timedelta(minutes=30)
    assert one(session, Call, call_sid=call.sid).status == "no-answer"


def test_a_complainant_who_hangs_up_without_answering_is_not_called_again(session, survey_due, dispatch, placed,
                                                                           clock, twilio):
    case = survey_due()
    dispatch()
    call = placed(A)
    call.answer()
    call.hang_up()
    assert one(session, Callback).status == "completed" and one(session, Callback).last_result == "hung_up"
    assert answers(session, case) == []
    later(clock, days=1)
    dispatch()
    assert len(twilio.created) == 1


def test_every_complainant_of_a_case_is_asked_and_one_unsatisfied_answer_reopens_it(
        session, config, clock, dispatch, placed):
    from tests.support.factories import dispatched, report, step

    case = dispatched(session, config, clock(), caller=A)
    report(session, config, clock(), caller=B, description="那个下水道还是堵着")
    step(session, config, case, "claim", clock(), "department")
    step(session, config, case, "dispose", clock(), "department", note="疏通了管道")
    step(session, config, case, "close", clock(), "inspector")
    session.commit()
    later(clock, hours=4)
    dispatch()
    first, second = placed(A), placed(B)
    first.answer()
    second.answer()
    first.press("3")
    first.say("路口还是有积水")
    second.press("1")
    assert sorted(answers(session, case)) == [("satisfied", None), ("unsatisfied", "路口还是有积水")]
    assert one(session, Case, id=case.id).status == "verifying"


def test_unsigned_or_forged_webhooks_are_refused(client, session, survey_due, dispatch, twilio):
    survey_due()
    dispatch()
    url = twilio.created[0]["Url"].removeprefix("https://hotline.example.org")
    assert client.post(url, data={"CallSid": twilio.created[0]["_sid"]}).status_code == 403
    assert client.post(url, data={"CallSid": "x"}, headers={"X-Twilio-Signature": "forged"}).status_code == 403


def test_a_webhook_for_another_calls_attempt_is_answered_with_an_apology(survey_due, dispatch, placed, webhooks):
    survey_due()
    dispatch()
    call = placed(A)
    response = webhooks.post(call.sent["Url"], {**call.params(), "CallSid": "CA" + "f" * 32})
    document = Document(parse(response.data))
    assert document.hangs_up and "系统暂时出现故障" in document.text
