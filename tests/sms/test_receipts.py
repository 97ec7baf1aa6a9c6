"""SMS receipts queued by case events: at intake, at closing, and when a
callback could not reach the complainant.  Nothing is sent here: the
messages wait in the outbox for the scheduler."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from callbacks.attempts import mark_unreachable
from callbacks.models import Callback
from cases.services import NewCase, open_case
from sms.models import SmsMessage
from sms.services import opt_out
from tests.support.factories import closed, dispatched, report, step

CITIZEN = "+8613812345678"


def test_a_new_case_queues_a_receipt_with_its_number_category_place_and_expected_time(session, config, clock,
                                                                                    outbox):
    case = report(session, config, clock(), category="C0101", location="海陵区西仓路银春旅馆门前",
                  description="两个上水井盖丢失")
    [message] = outbox()
    assert (message.purpose, message.phone_e164, message.status, message.case_id, message.language) == \
        ("intake", CITIZEN, "pending", case.id, "zh-CN")
    assert case.number in message.body and "上水井盖" in message.body and "海陵区西仓路银春旅馆门前" in message.body
    assert case.due_at is not None and "前办结" in message.body      # urgent: the clock runs from intake
    assert message.next_attempt_at == clock()


def test_a_case_whose_clock_has_not_started_gives_its_time_limit(session, config, clock, outbox):
    case = report(session, config, clock(), category="E0101", location="海陵区鼓楼路")
    assert case.due_at is None
    limit = config.categories["E0101"].time_limit
    [message] = outbox()
    assert f"{limit.amount}个工作" in message.body or f"{limit.amount}小时" in message.body


def test_an_english_caller_gets_the_english_receipt(session, config, clock, outbox):
    case = open_case(session, config, NewCase(
        line_id="urban", channel="hotline", description="manhole cover missing", location="Xicang Road",
        category_code="C0101", caller_e164=CITIZEN, callback_number=CITIZEN, language="en-US"), clock())
    [message] = outbox()
    assert message.language == "en-US" and message.body.startswith("[Taizhou Urban Management Hotline]")
    assert f"case {case.number}: Water-supply manhole cover at Xicang Road" in message.body


def test_the_same_caller_reporting_the_same_case_again_gets_one_receipt(session, config, clock, outbox):
    first = report(session, config, clock())
    again = report(session, config, clock() + timedelta(minutes=5))
    assert again.number == first.number
    assert len(outbox(purpose="intake")) == 1


def test_no_receipt_for_anonymous_callers_landlines_or_opted_out_numbers(session, config, clock, outbox):
    report(session, config, clock(), caller=None, location="海陵区凤凰路1号")
    report(session, config, clock(), caller="anonymous", location="海陵区凤凰路2号")
    report(session, config, clock(), caller="+8652386012345", location="海陵区凤凰路3号")      # a landline
    opt_out(session, "+8613912345678", clock(), source="test")
    report(session, config, clock(), caller="+8613912345678", location="海陵区凤凰路4号")
    assert outbox() == []


def test_a_closed_case_brings_its_result_and_the_coming_satisfaction_call(session, config, clock, outbox):
    case = closed(session, config, clock(), note="已疏通下水道并清运淤泥")
    [result] = outbox(purpose="closed")
    assert result.phone_e164 == CITIZEN and case.number in result.body
    assert "已疏通下水道并清运淤泥" in result.body and "回访" in result.body


def test_a_complainant_who_declined_callbacks_is_not_promised_a_satisfaction_call(session, config, clock,
                                                                                   outbox):
    case = dispatched(session, config, clock())
    case.complainants[0].callback_declined = True
    session.flush()
    step(session, config, case, "claim", clock(), "department")
    step(session, config, case, "dispose", clock(), "department", note="再次疏通并清淤")
    step(session, config, case, "close", clock(), "inspector")
    second = [m for m in outbox(purpose="closed") if "再次疏通并清淤" in m.body]
    assert len(second) == 1 and "回访" not in second[0].body and "如对结果有意见" in second[0].body


def test_a_callback_that_gave_up_sends_an_sms_saying_we_tried(session, config, clock, outbox):
    case = report(session, config, clock())
    callback = Callback(purpose="outcome", purpose_key=f"outcome:{case.id}:1:{CITIZEN}", phone_e164=CITIZEN,
                        line_id="urban", case_id=case.id, language="zh-CN", status="calling")
    session.add(callback)
    session.flush()
    mark_unreachable(session, config, callback, clock())
    [message] = outbox(purpose="unreachable")
    assert case.number in message.body and "未能联系到您" in message.body and "88012319" in message.body


def test_the_status_command_counts_the_outbox_and_lists_failures(app, session, config, clock):
    report(session, config, clock())
    failed = report(session, config, clock(), caller="+8613912345678", location="海陵区凤凰路4号")
    message = session.scalars(select(SmsMessage).where(SmsMessage.case_id == failed.id)).one()
    message.status, message.error_code, message.last_error = "failed", 21211, "HTTP 400 21211: invalid"
    session.commit()
    output = app.test_cli_runner().invoke(args=["sms", "status"]).output
    assert "pending    -            1" in output and "failed     -            1" in output
    assert "+86*******5678" in output and "21211" in output and "13912345678" not in output


def test_a_caller_on_a_landline_gets_the_receipt_on_the_mobile_they_gave(session, config, clock, outbox):
    open_case(session, config, NewCase(
        line_id="urban", channel="hotline", description="路灯不亮", location="海陵区鼓楼路", category_code="C0101",
        caller_e164="+8652386012345", callback_number="+8613912345678"), clock())
    [message] = outbox()
    assert message.phone_e164 == "+8613912345678"
