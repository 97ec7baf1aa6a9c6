"""The callback conversation, pure: what each key does and what is said."""
from __future__ import annotations

import pytest

from callbacks.conversation import CallbackFacts, Conversation, RecordAnswer, ReopenCase, StopCalling, TakeMessage
from config.loader import load_config
from config.settings import SHIPPED_CONFIG_DIR
from ivr.turns import Input
from ivr.twiml import TurnUrls, render_turn
from tests.support.twiml import parse


@pytest.fixture(scope="module")
def config():
    return load_config(SHIPPED_CONFIG_DIR)


@pytest.fixture
def talk(config):
    return Conversation(config.lines["urban"], config.prompts, config.categories, "052388012319")


OUTCOME = CallbackFacts(purpose="outcome", language="zh-CN", case_number="2610090001", category_code="C0101",
                        case_status="closed", result="已经更换了新的井盖")


def test_the_survey_names_the_case_and_what_was_done_then_asks(talk):
    turn = talk.start(OUTCOME)
    said = turn.said
    assert "泰州市数字城管" in said and "上水井盖" in said and "2 6 1 0 0 9 0 0 0 1" in said
    assert "已经更换了新的井盖" in said
    assert "满意请按1" in said and "基本满意请按2" in said and "不满意请按3" in said
    assert "人工服务请按0" in said and "不再接收回访电话请按9" in said
    assert turn.gather.num_digits == 1 and turn.state.node == "survey"


@pytest.mark.parametrize("key, answer", [("1", "satisfied"), ("2", "basically_satisfied")])
def test_satisfied_answers_are_recorded_with_thanks(talk, key, answer):
    turn = talk.advance(talk.start(OUTCOME).state, Input(digits=key))
    assert turn.effect == RecordAnswer(answer) and turn.hangup and "感谢您的评价" in turn.said


def test_not_satisfied_asks_why_by_speech_and_reopens_with_those_words(talk):
    asked = talk.advance(talk.start(OUTCOME).state, Input(digits="3"))
    assert asked.gather.input == "speech" and asked.gather.language == "cmn-Hans-CN"
    assert "不满意的原因" in asked.said and asked.effect is None
    done = talk.advance(asked.state, Input(speech="井盖还是松的，踩上去会晃"))
    assert done.effect == ReopenCase("井盖还是松的，踩上去会晃") and done.hangup
    assert "现场核实" in done.said


def test_not_satisfied_without_a_reason_still_reopens(talk):
    asked = talk.advance(talk.start(OUTCOME).state, Input(digits="3"))
    again = talk.advance(asked.state, Input())
    assert again.effect is None and again.gather is not None
    done = talk.advance(again.state, Input())
    assert done.effect == ReopenCase(None) and done.hangup


def test_nine_means_never_call_again(talk):
    turn = talk.advance(talk.start(OUTCOME).state, Input(digits="9"))
    assert turn.effect == StopCalling() and turn.hangup and "不会再" in turn.said


def test_zero_gives_the_hotline_number_and_takes_a_message(talk):
    turn = talk.advance(talk.start(OUTCOME).state, Input(digits="0"))
    assert turn.record is not None and "0 5 2 3 8 8 0 1 2 3 1 9" in turn.said
    done = talk.advance(turn.state, Input(recording_sid="RE123"))
    assert done.effect == TakeMessage("RE123") and done.hangup
    nothing = talk.advance(turn.state, Input())
    assert nothing.effect is None and nothing.hangup


def test_silence_and_wrong_keys_are_asked_again_twice_then_goodbye(talk):
    state = talk.start(OUTCOME).state
    first = talk.advance(state, Input())
    assert "没有收到您的回应" in first.said and first.gather is not None
    second = talk.advance(first.state, Input(digits="7"))
    assert "输入有误" in second.said and second.gather is not None
    third = talk.advance(second.state, Input())
    assert third.hangup and third.effect is None and "再见" in third.said


def test_an_answering_machine_hears_who_called_but_no_case_details(talk):
    turn = talk.machine(OUTCOME)
    assert turn.hangup and turn.gather is None
    assert "泰州市数字城管" in turn.said and "稍后会再打来" in turn.said
    assert "2 6 1 0" not in turn.said and "井盖" not in turn.said


def test_after_hours_callback_says_the_case_and_its_status(talk):
    facts = CallbackFacts(purpose="after_hours", language="zh-CN", case_number="2610090002",
                          category_code="E0404", case_status="dispatched", department_name="市排水管理处")
    turn = talk.start(facts)
    assert "非工作时间" in turn.said and "2 6 1 0 0 9 0 0 0 2" in turn.said and "市排水管理处" in turn.said
    assert talk.advance(turn.state, Input(digits="1")).record is not None
    assert talk.advance(turn.state, Input(digits="9")).effect == StopCalling()


@pytest.mark.parametrize("purpose, words", [("missed", "没有接通"), ("queue", "选择了回电")])
def test_queue_and_missed_callbacks_say_why_we_call(talk, purpose, words):
    turn = talk.start(CallbackFacts(purpose=purpose, language="zh-CN"))
    assert words in turn.said and "反映或者补充问题请按1" in turn.said


def test_english_complainants_hear_english(talk):
    turn = talk.start(CallbackFacts(purpose="outcome", language="en-US", case_number="2610090001",
                                    category_code="C0101", result="The cover was replaced"))
    assert "Water-supply manhole cover" in turn.said and "The cover was replaced" in turn.said
    assert "press 1" in turn.said


def test_the_turns_render_as_valid_twiml(talk):
    urls = TurnUrls(action="https://hotline.example.org/voice/callback/step?attempt=1&step=1",
                    recording_status="https://hotline.example.org/voice/callback/recording")
    start = talk.start(OUTCOME)
    root = parse(render_turn(start, urls, talk.prompts))
    gather = root.find("Gather")
    assert gather.get("action") == urls.action and gather.get("numDigits") == "1"
    reason = talk.advance(start.state, Input(digits="3"))
    assert parse(render_turn(reason, urls, talk.prompts)).find("Gather").get("input") == "speech"
    message = talk.advance(start.state, Input(digits="0"))
    record = parse(render_turn(message, urls, talk.prompts)).find("Record")
    assert record.get("recordingStatusCallback") == urls.recording_status
