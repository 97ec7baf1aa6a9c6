"""A citizen's call becomes a logged case: the stories and every menu path."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from call_log.models import Call as CallRow
from call_log.models import IvrStep
from cases.models import Case
from tests.support.caller import CONDUCT
from wiring import services


def only_case(session) -> Case:
    cases = session.scalars(select(Case)).all()
    assert len(cases) == 1, f"expected one case, found {len(cases)}"
    return cases[0]


def case_number_heard(document) -> str:
    """The first digit string read slowly, one digit at a time."""
    say_as = [el for el in document.root.iter("say-as") if el.get("interpret-as") == "digits"]
    assert say_as, "digits are read with <say-as interpret-as='digits'>"
    return say_as[0].text


def test_story_1_missing_water_covers_become_an_urgent_case_for_the_water_company(new_call, session, app):
    call = new_call(from_="+8613912345678")
    greeting = call.dial()
    assert "帮帮您" in greeting.text
    gather = greeting.gather
    assert gather.get("language") == "cmn-Hans-CN" and "speech" in gather.get("input")
    assert "上水井盖" in gather.get("hints") and "street lamp" not in gather.get("hints")
    assert "帮帮您" not in "".join(gather.itertext()) and "说出问题" in "".join(gather.itertext()), \
        "the greeting comes first; the menu is inside the <Gather> so a caller can answer at once"

    # One breath: the category and the place from the same words, read back
    # for one confirmation; no location question, no callback question.
    confirm = call.say("西仓路银春旅馆门前有两个上水井盖丢失")
    assert "西仓路银春旅馆门前的上水井盖问题" in confirm.text
    done = call.press("1")

    number = case_number_heard(done)
    assert done.root.find("Say/prosody").get("rate") == "slow"
    assert "尾号" in done.text and done.gather.get("timeout") == "4"   # 1 changes the callback number
    assert call.silence().hangs_up
    case = only_case(session)
    assert case.number == number and len(number) == 10
    assert case.category_code == "C0101" and case.department_code == "WATER"
    # Urgent: the clock runs from intake and an inspector is sent at once.
    assert case.priority == "urgent" and case.status == "verifying" and case.channel == "hotline"
    assert [(t.kind, t.status) for t in case.tasks] == [("verify", "open")]
    assert case.description == "西仓路银春旅馆门前有两个上水井盖丢失"
    assert case.location_text == "西仓路银春旅馆门前"
    assert case.complainants[0].phone_e164 == "+8613912345678"
    assert case.complainants[0].callback_number == "+8613912345678"
    # 2 working hours on the water company's 08:00-20:00 shifts, from 10:00 on 9 October.
    assert case.due_at.astimezone(services(app).config.calendars["office"].zone).strftime(
        "%Y-%m-%d %H:%M") == "2026-10-09 12:00"
    assert [e.action for e in case.events] == ["intake", "verify"]


def test_every_step_of_the_call_is_logged_with_what_was_said_and_heard(new_call, session):
    call = new_call()
    call.dial()
    call.say("路灯不亮了", confidence=0.81)
    logged = session.scalars(select(CallRow)).one()
    steps = session.scalars(select(IvrStep).where(IvrStep.call_id == logged.id).order_by(IvrStep.sequence)).all()
    assert [s.sequence for s in steps] == [1, 2]
    assert steps[1].speech == "路灯不亮了" and steps[1].confidence == pytest.approx(0.81)
    assert "路灯" in steps[1].said
    assert logged.caller_e164 == "+8613812345678" and logged.caller_region == "CN"
    assert logged.caller_time_zone == "Asia/Shanghai" and logged.line_id == "urban"


def test_keypad_only_caller_chooses_the_category_from_menus(new_call, session):
    call = new_call()
    call.dial()
    call.press("1")                      # report a problem
    groups = call.press("1")             # choose from the menu instead of speaking
    assert "井盖" in groups.text and "请按9" not in groups.text or "9" in groups.text
    call.press("1")                      # covers
    location = call.press("2")           # sewage cover
    assert "地点" in location.text
    call.say("海陵区鼓楼南路88号")
    case = only_case(session)
    assert case.category_code == "C0102" and case.department_code == "DRAIN"
    assert case.description == "污水井盖"
    assert case.status == "verifying"


def test_unrecognised_speech_goes_to_the_category_menu_and_keeps_the_words(new_call, session):
    call = new_call()
    call.dial()
    again = call.say("我家楼下那个东西又出问题了")
    assert "换个说法" in again.text and "speech" in again.gather.get("input")
    menu = call.say("就是那个嘛你们来看看")
    assert menu.gather.get("input") == "dtmf" and "请选择问题类别" in menu.text
    call.press("3")                      # environment and drainage
    call.press("4")                      # blocked sewer
    call.say("海陵北路十八亩50号")
    case = only_case(session)
    assert case.category_code == "E0404"
    assert case.description == "我家楼下那个东西又出问题了 就是那个嘛你们来看看"
    # Not urgent: intake waits for filing, and the time limit starts there.
    assert case.status == "intake" and case.due_at is None and case.tasks == []


def test_wrong_category_suggestion_can_be_corrected(new_call, session):
    call = new_call()
    call.dial()
    call.say("有人在路边摆摊")
    groups = call.press("2")             # not right: choose another
    assert "请选择问题类别" in groups.text
    call.press("4")
    call.press("2")                      # trading outside shops
    call.say("坡子街")
    assert only_case(session).category_code == "E0506"


def test_repeat_key_9_says_the_category_menu_again(new_call):
    call = new_call()
    call.dial()
    call.press("1")
    first = call.press("1")
    again = call.press("9")
    assert again.text == first.text


def test_caller_can_give_another_callback_number(new_call, session):
    call = new_call()
    call.dial()
    call.say("这里有暴露垃圾")
    call.press("1")
    created = call.say("东进西路12号")
    heard = [el.text for el in created.root.iter("say-as")]
    assert heard[-1] == "5678"          # the calling number's last four, digit by digit, after the case number
    call.press("1")                      # another number
    invalid = call.press("12#")
    assert "无法拨打" in invalid.text
    changed = call.press("13700001111")
    assert changed.hangs_up and "1111" in [el.text for el in changed.root.iter("say-as")]
    case = only_case(session)
    assert case.complainants[0].callback_number == "+8613700001111"
    assert case.complainants[0].phone_e164 == "+8613812345678"


@pytest.mark.parametrize("from_", ["anonymous", "+266696687", "12", ""])
def test_anonymous_caller_must_enter_a_number_or_decline(new_call, session, from_):
    call = new_call(from_=from_)
    call.dial()
    call.say("路灯坏了")
    call.press("1")
    entry = call.say("五一路口")
    assert "星号键" in entry.text        # may decline with *
    done = call.press("*")
    assert done.hangs_up
    case = only_case(session)
    assert case.complainants[0].phone_e164 is None
    assert case.complainants[0].callback_declined is True


def test_anonymous_caller_who_enters_a_number_gets_it_as_callback(new_call, session):
    call = new_call(from_="anonymous")
    call.dial()
    call.say("路灯坏了")
    call.press("1")
    call.say("五一路口")
    call.press("13912340000")
    assert only_case(session).complainants[0].callback_number == "+8613912340000"


def test_silence_is_reprompted_twice_then_goes_to_a_person(new_call, session):
    call = new_call()
    call.dial()
    first = call.silence()
    second = call.silence()
    assert "没有收到" in first.text and first.gather is not None
    assert "没有收到" in second.text and second.gather is not None
    third = call.silence()
    assert third.gather is None and third.root.find("Enqueue").text == "urban-operators"
    assert "人工" in third.text


def test_after_hours_silence_ends_in_a_voicemail_that_becomes_a_case(new_call, session, clock):
    clock.set_local(2026, 10, 9, 22, 30)
    call = new_call()
    call.dial()
    call.silence()
    call.silence()
    offer = call.silence()
    assert "非工作时间" in offer.text and offer.gather is not None      # voicemail or a callback
    voicemail = call.press("1")
    assert voicemail.record is not None and "留言" in voicemail.text
    done = call.leave_recording()
    assert done.hangs_up
    case = only_case(session)
    assert case.needs_operator and case.recording_id is not None
    assert case.complainants[0].callback_number == "+8613812345678"


def test_nonsense_keys_are_reprompted_like_silence(new_call):
    call = new_call()
    call.dial()
    wrong = call.press("7")
    assert "输入有误" in wrong.text and wrong.gather is not None


@pytest.mark.parametrize("path", [[], ["1"], ["2"], ["1", "1"]])
def test_zero_reaches_a_person_from_any_menu(new_call, session, path):
    call = new_call()
    call.dial()
    for key in path:
        call.press(key)
    operator = call.press("0")
    enqueue = operator.root.find("Enqueue")
    assert enqueue is not None and enqueue.text == "urban-operators"
    assert enqueue.get("waitUrl").endswith("/voice/queue/wait") and "step=" in enqueue.get("action")


def test_voicemail_keeps_what_the_caller_already_said(new_call, session, clock):
    clock.set_local(2026, 10, 9, 21, 0)
    call = new_call()
    call.dial()
    call.say("西仓路银春旅馆门前有两个上水井盖丢失")
    call.press("0")
    call.press("1")
    call.leave_recording()
    case = only_case(session)
    assert case.needs_operator and case.category_code == "C0101"
    assert case.description == "西仓路银春旅馆门前有两个上水井盖丢失"


def test_after_hours_caller_is_told_and_promised_a_callback_next_morning(new_call, session, clock):
    clock.set_local(2026, 10, 9, 22, 30)
    call = new_call()
    greeting = call.dial()
    assert "非工作时间" in greeting.text and "10月10日8点00分" in greeting.text
    call.say("工地夜间施工噪音很大")
    call.press("1")
    done = call.say("凤凰路工地")
    assert "10月10日8点00分" in done.text
    case = only_case(session)
    assert case.after_hours and case.category_code == "E0301"


def test_status_of_a_case_by_its_number(new_call, session):
    first = new_call(from_="+8613600000001")
    first.dial()
    first.say("路灯不亮")
    first.press("1")
    number = case_number_heard(first.say("青年路"))

    other = new_call(from_="+8613600000002")
    other.dial()
    other.press("2")
    report = other.press(number + "#")
    assert "路灯" in report.text and "已受理" in report.text
    assert case_number_heard(report) == number
    goodbye = other.silence()
    assert goodbye.hangs_up


def test_unknown_case_number_is_said_and_asked_again(new_call):
    call = new_call()
    call.dial()
    call.press("2")
    answer = call.press("9999999999#")
    assert "没有找到" in answer.text and answer.gather is not None


def test_caller_with_an_open_case_is_offered_its_status_first(new_call):
    first = new_call()
    first.dial()
    first.say("路灯不亮")
    first.press("1")
    first.say("青年路")

    again = new_call()
    offer = again.dial()
    assert "正在办理的案件" in offer.text
    status = again.press("1")
    assert "路灯" in status.text and "已受理" in status.text


def test_english_is_offered_and_switches_the_whole_conversation(new_call, session):
    call = new_call()
    greeting = call.dial()
    assert "For English, press 8" in greeting.text
    english = call.press("8")
    assert english.gather.find("Say").get("language") == "en-US"
    offer = call.say("The street light is broken")
    assert "Street lamp" in offer.text           # by the catalogue's English names; the model knows Mandarin
    gather = call.press("1").gather
    assert gather.get("language") == "en-US" and "Polly.Joanna" == gather.find("Say").get("voice")


def test_conduct_line_has_its_own_greeting_and_categories(new_call, session):
    call = new_call(to=CONDUCT)
    greeting = call.dial()
    assert "作风投诉" in greeting.text and "帮帮您" not in greeting.text
    hints = greeting.gather.get("hints")
    assert "推诿" in hints and "上水井盖" not in hints
    call.say("我去办个证他们单位一直踢皮球推来推去")
    call.press("1")
    call.say("市民中心三楼")
    case = only_case(session)
    assert case.line_id == "conduct" and case.category_code == "E9001"
    assert case.department_code == "WORKSTYLE"


def test_conduct_line_is_closed_on_a_national_holiday(new_call, clock):
    clock.set_local(2026, 10, 3, 10, 0)          # National Day holiday
    greeting = new_call(to=CONDUCT).dial()
    assert "非工作时间" in greeting.text
    assert "10月8日8点30分" in greeting.text


def test_conduct_line_is_open_on_an_adjusted_working_saturday(new_call, clock):
    clock.set_local(2026, 10, 10, 10, 0)         # 调休: Saturday 10 October is a working day
    greeting = new_call(to=CONDUCT).dial()
    assert "非工作时间" not in greeting.text


def test_location_rule_routes_street_vending_in_gaogang_to_the_district(new_call, session):
    call = new_call()
    call.dial()
    call.say("有人占道经营")
    call.press("1")
    call.say("高港区口岸街道老街")
    case = only_case(session)
    assert case.category_code == "E0503" and case.department_code == "GAOGANG"
