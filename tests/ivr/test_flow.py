"""The IVR flow as pure code: menu tree + call state + caller input -> next turn."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from call_log.phones import parse_entered
from config.loader import load_config
from config.settings import SHIPPED_CONFIG_DIR
from ivr.flow import (
    MAX_RETRIES,
    AnswerEnquiry,
    AnswerSent,
    CallbackChanged,
    CallbackRequested,
    CallFacts,
    CallState,
    CaseCreated,
    CaseStatus,
    ChangeCallback,
    CreateCase,
    EnquiryAnswer,
    EnquiryEscalated,
    EscalateEnquiry,
    Flow,
    Input,
    LookupCase,
    OpenCase,
    OperatorDesk,
    RequestCallback,
    SeekOperator,
    SendAnswer,
)
from understanding.classifier import Guess
from understanding.reading import Reading, Thresholds

CONFIG = load_config(SHIPPED_CONFIG_DIR)


@pytest.fixture
def flow(understanding) -> Flow:
    """The urban line's flow, reading callers with the trained model."""
    return Flow(CONFIG.lines["urban"], CONFIG.prompts, CONFIG.categories, parse_number=parse_entered,
                read=understanding.read, thresholds=understanding.thresholds)


def reading_flow(line: str = "urban", **readings: Reading) -> Flow:
    """A flow whose reader answers set readings, to pin down each branch."""
    def read(text, allowed):
        return readings.get(text, Reading(text))
    return Flow(CONFIG.lines[line], CONFIG.prompts, CONFIG.categories, parse_number=parse_entered, read=read,
                thresholds=Thresholds(confirm=0.85, offer=0.55, question=0.5))


def guesses(*pairs) -> tuple[Guess, ...]:
    return tuple(Guess(code, p) for code, p in pairs)


def started(flow, **facts):
    return flow.start(CallFacts(caller_e164=facts.pop("caller", "+8613812345678"), **facts))


def test_greeting_then_speech_first_main_menu(flow):
    turn = started(flow)
    assert turn.state.node == "menu"
    assert turn.say[0].text.startswith("您好")
    assert turn.gather.input == "dtmf speech" and turn.gather.language == "cmn-Hans-CN"
    assert turn.gather.num_digits == 1


def test_confident_speech_suggests_a_category_to_confirm(flow):
    turn = flow.advance(started(flow).state, Input(speech="下水道堵了，污水冒出来"))
    assert turn.state.node == "confirm_category" and turn.state.category_code == "E0404"
    assert turn.gather.input == "dtmf speech"          # 对 or 不对 may be said, too


def test_speech_not_understood_is_asked_again_in_other_words_then_the_keypad_menu():
    flow = reading_flow()
    again = flow.advance(started(flow).state, Input(speech="那边有个东西坏了"))
    assert again.state.node == "describe" and "换个说法" in again.ask[0].text
    menu = flow.advance(again.state, Input(speech="就是那个东西"))
    assert menu.state.node == "category_groups" and menu.state.category_code is None
    assert menu.state.description == "那边有个东西坏了 就是那个东西"


def test_the_conduct_line_hands_an_unclear_caller_to_a_person():
    flow = reading_flow("conduct")
    again = flow.advance(started(flow).state, Input(speech="我想说个事"))
    turn = flow.advance(again.state, Input(speech="就是那个事情"))
    assert isinstance(turn.effect, SeekOperator) and turn.state.category_code is None


def test_category_menu_offers_at_most_five_choices_with_repeat_and_operator():
    flow = reading_flow()
    state = flow.advance(started(flow).state, Input(speech="不知道怎么说")).state
    turn = flow.advance(state, Input(speech="说不清楚"))
    options = [u.text for u in turn.ask if "请按" in u.text]
    assert len([o for o in options if "，请按" in o]) <= 5
    assert "重听请按9" in turn.ask[-1].text and "人工服务请按0" in turn.ask[-1].text


def test_story_one_in_one_breath_needs_one_confirmation(flow):
    """Category and place from the same words: read back once, no location question."""
    state = started(flow).state
    confirm = flow.advance(state, Input(speech="西仓路银春旅馆门前有两个上水井盖丢失"))
    assert confirm.state.node == "confirm_category"
    assert confirm.ask[0].text == "您反映的是西仓路银春旅馆门前的上水井盖问题，对吗？对请按1，不对请按2。"
    turn = flow.advance(confirm.state, Input(digits="1"))
    assert isinstance(turn.effect, CreateCase)
    intake = turn.effect.intake
    assert (intake.category_code, intake.location, intake.callback_number) == (
        "C0101", "西仓路银春旅馆门前", "+8613812345678")
    done = flow.resume(turn.state, CaseCreated("2610090001"))
    digits = [s.text for u in done.say + done.ask for s in u.segments if s.digits]
    assert digits == ["2610090001", "2610090001", "5678"]     # twice, slowly; then the callback number
    assert done.state.node == "callback_change_offer" and done.gather.timeout <= 5
    assert flow.advance(done.state, Input()).hangup             # nothing pressed: goodbye


def test_yes_may_be_said_instead_of_pressed(flow):
    confirm = flow.advance(started(flow).state, Input(speech="西仓路银春旅馆门前有两个上水井盖丢失"))
    assert isinstance(flow.advance(confirm.state, Input(speech="对的")).effect, CreateCase)


def test_no_at_the_confirmation_offers_the_other_likely_categories():
    said = "路边那个井盖没了"
    flow = reading_flow(**{said: Reading(said, guesses(("C0101", 0.6), ("C0102", 0.25), ("C0113", 0.1)))})
    offer = flow.advance(started(flow).state, Input(speech=said))
    assert offer.state.node == "offer_category" and offer.state.candidates == ("C0101", "C0102", "C0113")
    texts = [u.text for u in offer.ask]
    assert texts[1:4] == ["上水井盖，请按1。", "污水井盖，请按2。", "无主井盖，请按3。"]
    assert "都不是，请按4" in texts[-1]
    by_name = flow.advance(offer.state, Input(speech="污水井盖"))
    assert by_name.state.category_code == "C0102" and by_name.state.node == "location"
    none = flow.advance(offer.state, Input(digits="4"))
    assert none.state.node == "category_groups"


def test_a_caller_who_says_it_is_dangerous_makes_an_urgent_report(flow):
    state = flow.advance(started(flow).state, Input(speech="鼓楼路18号门口路面塌了个大洞，太危险了")).state
    assert state.urgent and state.location == "鼓楼路18号门口"
    turn = flow.advance(state, Input(digits="1"))
    assert turn.effect.intake.urgent
    done = flow.resume(turn.state, CaseCreated("2610090002"))
    assert any("尽快" in u.text for u in done.say)


def test_a_question_is_never_filed_as_a_case(flow):
    turn = flow.advance(started(flow).state, Input(speech="请问占道经营归哪个部门管"))
    assert turn.effect == AnswerEnquiry("请问占道经营归哪个部门管", search=True) and turn.state.enquiry
    assert turn.state.category_code is None


def answered(flow, spoken: str = "摆摊要先向城管局申请。", caller: str | None = "+8613812345678"):
    asking = flow.advance(started(flow, caller=caller).state, Input(speech="请问摆摊要办什么手续"))
    return flow.resume(asking.state, EnquiryAnswer(7, spoken))


def test_an_answered_question_is_read_then_offers_sms_and_a_way_out(flow):
    turn = answered(flow)
    assert turn.say[0].text == "摆摊要先向城管局申请。" and turn.state.enquiry_id == 7
    assert "短信" in turn.ask[0].text and "没有解决请说出您的问题，或按0" in turn.ask[-1].text
    assert "speech" in turn.gather.input
    assert flow.advance(turn.state, Input(digits="1")).effect == SendAnswer(7, "+8613812345678")
    sent = flow.resume(flow.advance(turn.state, Input(digits="1")).state, AnswerSent("+8613812345678"))
    assert sent.hangup and "5 6 7 8" in sent.said


def test_zero_or_more_words_after_an_answer_escalate_the_enquiry(flow):
    turn = answered(flow)
    assert flow.advance(turn.state, Input(digits="0")).effect == EscalateEnquiry(7, None)
    said = flow.advance(turn.state, Input(speech="西仓路上井盖丢了"))
    assert said.effect == EscalateEnquiry(7, "西仓路上井盖丢了")
    heard = flow.resume(said.state, EnquiryEscalated("西仓路上井盖丢了"))
    assert heard.state.description == "西仓路上井盖丢了" and heard.effect is None
    assert isinstance(flow.resume(turn.state, EnquiryEscalated()).effect, SeekOperator)


def test_nine_reads_the_answer_again(flow):
    again = flow.advance(answered(flow).state, Input(digits="9"))
    assert again.say[0].text == "摆摊要先向城管局申请。" and again.state.node == "enquiry_answered"


def test_wrong_keys_after_an_answer_reach_a_person_and_escalate(flow):
    state = answered(flow).state
    for _ in range(MAX_RETRIES):
        turn = flow.advance(state, Input(digits="7"))
        assert turn.effect is None and turn.gather is not None
        state = turn.state
    last = flow.advance(state, Input(digits="7"))
    assert last.effect == EscalateEnquiry(7, None)
    assert isinstance(flow.resume(last.state, EnquiryEscalated()).effect, SeekOperator)


def test_silence_after_an_answer_is_a_polite_goodbye(flow):
    done = flow.advance(answered(flow).state, Input())
    assert done.hangup and done.effect is None


def test_a_question_the_knowledge_base_cannot_answer_goes_to_a_person(flow):
    asking = flow.advance(started(flow).state, Input(speech="请问占道经营归哪个部门管"))
    person = flow.resume(asking.state, EnquiryAnswer(8, None))
    assert isinstance(person.effect, SeekOperator) and "咨询" in person.say[0].text


def test_an_anonymous_caller_is_not_offered_the_sms(flow):
    turn = answered(flow, caller=None)
    assert not any("短信" in u.text for u in turn.ask)
    assert flow.advance(turn.state, Input(digits="1")).effect is None


def test_unsure_ears_never_confirm_directly():
    """Twilio's own confidence that it heard the words right counts too."""
    said = "路灯不亮"
    flow = reading_flow(**{said: Reading(said, guesses(("C0118", 0.97)))})
    assert flow.advance(started(flow).state, Input(speech=said, confidence=0.9)).state.node == "confirm_category"
    assert flow.advance(started(flow).state, Input(speech=said, confidence=0.2)).state.node == "offer_category"


def test_the_callback_number_can_be_changed_after_the_case_number(flow):
    confirm = flow.advance(started(flow).state, Input(speech="西仓路银春旅馆门前有两个上水井盖丢失"))
    created = flow.resume(flow.advance(confirm.state, Input(digits="1")).state, CaseCreated("2610090001"))
    entry = flow.advance(created.state, Input(digits="1"))
    assert entry.state.node == "callback_entry"
    change = flow.advance(entry.state, Input(digits="13900001111#"))
    assert change.effect == ChangeCallback("2610090001", "+8613900001111")
    done = flow.resume(change.state, CallbackChanged("+8613900001111"))
    assert done.hangup and any(s.text == "1111" for u in done.say for s in u.segments if s.digits)


@pytest.mark.parametrize("node_input", [Input(), Input(digits="7")])
def test_reprompts_at_most_twice_then_a_person(flow, node_input):
    state = started(flow).state
    for _ in range(MAX_RETRIES):
        turn = flow.advance(state, node_input)
        assert turn.gather is not None
        state = turn.state
    turn = flow.advance(state, node_input)
    assert isinstance(turn.effect, SeekOperator) and turn.state.node == "seeking_operator"


def test_retries_reset_when_the_caller_moves_on(flow):
    state = flow.advance(started(flow).state, Input()).state
    assert state.retries == 1
    state = flow.advance(state, Input(digits="1")).state
    assert state.node == "describe" and state.retries == 0


def test_operator_key_works_in_every_menu_node():
    said = "那边井盖没了"
    flow = reading_flow(**{"路灯不亮": Reading("路灯不亮", guesses(("C0118", 0.97))),
                           said: Reading(said, guesses(("C0101", 0.5), ("C0102", 0.3)))})
    nodes = {}
    state = started(flow).state
    nodes["menu"] = state
    state = flow.advance(state, Input(speech="路灯不亮")).state
    nodes["confirm_category"] = state
    state = flow.advance(state, Input(digits="1")).state
    nodes["location"] = state
    nodes["offer_category"] = flow.advance(nodes["menu"], Input(speech=said)).state
    nodes["describe"] = flow.advance(nodes["menu"], Input(digits="1")).state
    for name, node_state in nodes.items():
        assert node_state.node == name
        assert isinstance(flow.advance(node_state, Input(digits="0")).effect, SeekOperator), name


def test_status_lookup_is_an_effect_and_its_result_is_read(flow):
    state = flow.advance(started(flow).state, Input(digits="2")).state
    turn = flow.advance(state, Input(digits="2610090001#"))
    assert turn.effect == LookupCase("2610090001")
    report = flow.resume(turn.state, CaseStatus("2610090001", "dispatched", "C0118", "市路灯管理所"))
    assert "已派遣到市路灯管理所办理" in report.say[0].text
    assert report.state.node == "status_more"


def test_open_case_offer_comes_before_the_menu(flow):
    turn = started(flow, open_cases=(OpenCase("2610080007", "C0118"),))
    assert turn.state.node == "open_case_offer" and "路灯" in turn.ask[0].text
    assert flow.advance(turn.state, Input(digits="1")).effect == LookupCase("2610080007")
    assert flow.advance(turn.state, Input(digits="2")).state.node == "menu"


def test_a_caller_who_speaks_at_the_open_case_offer_is_reporting_a_new_problem(flow):
    turn = started(flow, open_cases=(OpenCase("2610080007", "C0118"),))
    assert "speech" in turn.gather.input
    described = flow.advance(turn.state, Input(speech="海陵北路十八亩50号下水道堵了"))
    assert described.effect is None and described.state.node != "open_case_offer"
    assert described.state.category_code == "E0404" or "E0404" in described.state.candidates


def test_after_hours_start_says_when_the_callback_comes(flow):
    reopen = datetime(2026, 10, 10, 0, 0, tzinfo=timezone.utc)       # 08:00 in Shanghai
    turn = started(flow, business_open=False, next_open=reopen)
    assert "10月10日8点00分" in turn.say[2].text and turn.state.after_hours


def test_the_greeting_says_that_calls_may_be_recorded(flow):
    turn = started(flow)
    assert [u.text for u in turn.say[:2]] == ["您好，这里是泰州市数字城管“帮帮您”热线。",
                                              "为了保证服务质量，您的通话可能会被录音。"]
    english = Flow(replace(CONFIG.lines["urban"], languages=("en-US", "zh-CN")), CONFIG.prompts, CONFIG.categories)
    assert english.start(CallFacts(caller_e164=None)).say[1].text == \
        "To ensure the quality of our service, your call may be recorded."


def test_a_line_that_records_no_calls_does_not_say_so(flow):
    quiet = Flow(replace(CONFIG.lines["urban"], record_calls=False), CONFIG.prompts, CONFIG.categories)
    said = [u.text for u in quiet.start(CallFacts(caller_e164=None)).say]
    assert said[0].startswith("您好") and not any("录音" in text for text in said)


def test_anonymous_caller_may_decline_a_callback_with_star(flow):
    state = started(flow, caller=None).state
    state = flow.advance(state, Input(speech="路灯不亮")).state
    state = flow.advance(state, Input(digits="1")).state
    turn = flow.advance(state, Input(speech="青年路18号"))
    assert turn.state.node == "callback_entry" and turn.gather.finish_on_key == "#"
    created = flow.advance(turn.state, Input(digits="*"))
    assert created.effect.intake.callback_declined and created.effect.intake.callback_number is None


def test_state_survives_a_json_round_trip(flow):
    state = flow.advance(started(flow, open_cases=(OpenCase("1", None),)).state, Input(digits="2")).state
    assert CallState.from_json(state.to_json()) == state


def test_language_key_toggles_between_mandarin_and_english(flow):
    english = flow.advance(started(flow).state, Input(digits="8"))
    assert english.state.language == "en-US" and english.gather.language == "en-US"
    assert "普通话服务请按8" in [u.text for u in english.ask][-1]
    back = flow.advance(english.state, Input(digits="8"))
    assert back.state.language == "zh-CN"


def test_late_webhook_after_the_call_ended_says_goodbye(flow):
    state = CallState(node="done", language="zh-CN")
    turn = flow.advance(state, Input(digits="1"))
    assert turn.hangup and "再见" in turn.say[0].text


def seeking(flow) -> object:
    return flow.advance(started(flow).state, Input(digits="0"))


def test_an_available_operator_queue_enqueues_the_caller(flow):
    turn = flow.resume(seeking(flow).state, OperatorDesk(True, queue="urban-operators"))
    assert turn.enqueue == "urban-operators" and turn.state.node == "queued"


@pytest.mark.parametrize("reason", ["closed", "queue_full", "wait_too_long"])
def test_no_operator_offers_voicemail_or_a_callback(flow, reason):
    offer = flow.resume(seeking(flow).state, OperatorDesk(False, reason))
    assert offer.state.node == "operator_offer" and offer.gather is not None
    assert flow.advance(offer.state, Input(digits="1")).record is not None
    callback = flow.advance(offer.state, Input(digits="2"))
    assert callback.effect == RequestCallback("queue", "+8613812345678")
    promised = flow.resume(callback.state, CallbackRequested("+8613812345678"))
    assert promised.hangup and any(s.text == "5678" for u in promised.say for s in u.segments if s.digits)


def test_anonymous_caller_with_no_operator_goes_straight_to_voicemail(flow):
    state = flow.advance(started(flow, caller=None).state, Input(digits="0")).state
    assert flow.resume(state, OperatorDesk(False, "closed")).record is not None


@pytest.mark.parametrize("result, expected", [("leave", RequestCallback("queue", "+8613812345678")),
                                              ("hangup", RequestCallback("missed", "+8613812345678"))])
def test_how_the_wait_ended_decides_the_callback(flow, result, expected):
    queued = flow.resume(seeking(flow).state, OperatorDesk(True, queue="urban-operators")).state
    assert flow.advance(queued, Input(queue_result=result)).effect == expected


def test_bridged_caller_is_done(flow):
    queued = flow.resume(seeking(flow).state, OperatorDesk(True, queue="urban-operators")).state
    assert flow.advance(queued, Input(queue_result="bridged")).hangup


def test_the_wait_loop_says_position_and_offers_a_callback(flow):
    queued = flow.resume(seeking(flow).state, OperatorDesk(True, queue="urban-operators")).state
    turn = flow.queue_wait(queued, position=3, expected_minutes=6)
    assert "2位" in turn.ask[0].text and "6分钟" in turn.ask[0].text
    assert "按1" in turn.ask[1].text and turn.gather.num_digits == 1
    assert "您是下一位" in flow.queue_wait(queued, position=1, expected_minutes=2).ask[0].text
