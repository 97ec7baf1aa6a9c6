"""Reading TwiML: what the carrier accepts, and how it reports what it cannot run."""
from __future__ import annotations

import pytest

from carrier.speech import estimate_seconds, utterance_of
from carrier.twiml import PARSE_FAILURE, SCHEMA_WARNING, TwimlProblem, check_allowed, parse
from carrier.twiml_schema import MESSAGING, WAIT_VERBS


def problem_in(document: str, **options) -> TwimlProblem:
    with pytest.raises(TwimlProblem) as caught:
        parse(document, **options)
    return caught.value


def test_reads_the_verbs_of_a_response_in_order():
    document = parse('<?xml version="1.0" encoding="UTF-8"?><Response><Say>hi</Say>'
                     '<Gather input="dtmf speech" numDigits="1"><Say>menu</Say></Gather><Hangup/></Response>',
                     url="https://hotline.example/voice")
    assert [verb.name for verb in document.verbs] == ["Say", "Gather", "Hangup"]
    assert [child.name for child in document.verbs[1].children] == ["Say"]
    assert document.url == "https://hotline.example/voice"


def test_names_the_element_and_attribute_twilio_does_not_define():
    problem = problem_in('<Response><Gather inputs="speech"/></Response>')
    assert (problem.code, problem.element, problem.attribute, problem.kind) == \
        (SCHEMA_WARNING, "Gather", "inputs", "schema")


def test_names_the_attribute_whose_value_is_wrong():
    problem = problem_in('<Response><Gather timeout="soon"/></Response>')
    assert (problem.element, problem.attribute) == ("Gather", "timeout")


@pytest.mark.parametrize("document, element, attribute", [
    ('<Response><Connect><Stream url="wss://x"/></Connect></Response>', "Connect", None),
    ('<Response><Dial><Conference eventCallbackUrl="https://x/e">room</Conference></Dial></Response>', "Conference",
     "eventCallbackUrl"),
    ('<Response><Dial record="record-from-answer">+8613800000000</Dial></Response>', "Dial", "record"),
    ('<Response><Gather partialResultCallback="https://x/p"/></Response>', "Gather", "partialResultCallback"),
])
def test_reports_valid_twiml_it_does_not_emulate(document, element, attribute):
    problem = problem_in(document)
    assert (problem.kind, problem.code, problem.element, problem.attribute) == \
        ("not-emulated", None, element, attribute)


@pytest.mark.parametrize("document, element", [
    ('<Response><Gather input="speech" language="zh-CN"/></Response>', "Gather"),     # a Say locale, not STT
    ('<Response><Gather language="cmn-CN"/></Response>', "Gather"),
    ('<Response><Say language="Chinese">你好</Say></Response>', "Say"),
    ('<Response><Gather input="speech"><Say language="cmn-Hans-CN">请讲</Say></Gather></Response>', "Say"),
])
def test_a_language_twilio_does_not_speak_or_recognise_is_a_schema_problem(document, element):
    problem = problem_in(document)
    assert (problem.code, problem.element, problem.attribute) == (SCHEMA_WARNING, element, "language")


def test_the_hotlines_languages_are_accepted():
    document = parse('<Response><Gather input="dtmf speech" language="cmn-Hans-CN">'
                     '<Say language="cmn-CN">请讲</Say><Say language="en-US">Please speak</Say></Gather>'
                     '<Gather input="speech" language="en-GB"/></Response>')
    assert [verb.name for verb in document.verbs] == ["Gather", "Gather"]


def test_every_speech_model_and_language_the_configuration_allows_is_accepted():
    # config/speech.py refuses a wrong pair at start; what it allows, the carrier (as Twilio) takes.
    from config.speech import GENERIC, LANGUAGES

    pairs = [(model, language) for model, languages in LANGUAGES.items() for language in sorted(languages)]
    pairs += [(model, language) for model in sorted(GENERIC) for language in ("cmn-Hans-CN", "en-US")]
    for model, language in pairs:
        document = parse(f'<Response><Gather input="speech" speechModel="{model}" language="{language}"/>'
                         '</Response>')
        assert document.verbs[0].attrs["language"] == language, (model, language)


def test_deepgrams_short_tags_need_a_deepgram_model():
    assert parse('<Response><Gather input="speech" speechModel="deepgram_nova-2" language="zh-CN"/></Response>')
    problem = problem_in('<Response><Gather input="speech" speechModel="googlev2_telephony" language="zh"/>'
                         '</Response>')
    assert (problem.code, problem.element, problem.attribute) == (SCHEMA_WARNING, "Gather", "language")


def test_a_reply_to_a_text_is_read_as_messaging_twiml():
    document = parse('<Response><Message>已退订 · unsubscribed</Message><Message><Body>再见</Body></Message>'
                     '</Response>', vocabulary=MESSAGING)
    assert [verb.name for verb in document.verbs] == ["Message", "Message"]
    assert problem_in("<Response><Say>hi</Say></Response>", vocabulary=MESSAGING).element == "Say"
    assert problem_in("<Response><Message>hi</Message></Response>").element == "Message"
    assert problem_in('<Response><Message><Media>https://x/m.png</Media></Message></Response>',
                      vocabulary=MESSAGING).kind == "not-emulated"


def test_a_verb_nested_where_twilio_forbids_it_is_a_schema_problem():
    problem = problem_in('<Response><Gather><Dial>+8613800000000</Dial></Gather></Response>')
    assert (problem.code, problem.element) == (SCHEMA_WARNING, "Dial")


@pytest.mark.parametrize("document", ["<Response><Say>", "<Reply/>", "",
                                      '<!DOCTYPE x [<!ENTITY a "aaaa">]><Response/>'])
def test_a_document_that_is_not_twiml_is_a_parse_failure(document):
    assert problem_in(document).code == PARSE_FAILURE


def test_lenient_reading_keeps_going_like_twilio_and_lists_the_warnings():
    document = parse('<Response><Gather inputs="speech" numDigits="1"/><Shout/></Response>', strict=False)
    assert [verb.name for verb in document.verbs] == ["Gather"]
    assert document.verbs[0].attrs == {"numDigits": "1"}
    assert [(w.element, w.attribute) for w in document.warnings] == [("Gather", "inputs"), ("Shout", None)]


def test_lenient_reading_still_refuses_what_is_not_emulated():
    assert problem_in("<Response><Pay/></Response>", strict=False).kind == "not-emulated"


def test_wait_documents_allow_only_the_wait_verbs():
    document = parse("<Response><Say>hold on</Say><Dial>+8613800000000</Dial></Response>")
    with pytest.raises(TwimlProblem) as caught:
        check_allowed(document, WAIT_VERBS, "a waitUrl document")
    assert caught.value.element == "Dial"


def test_say_with_ssml_is_heard_as_text_with_the_digits_spelled_out():
    document = parse('<Response><Say language="cmn-CN" voice="Polly.Zhiyu">案件编号是'
                     '<prosody rate="slow"><say-as interpret-as="digits">2610090001</say-as></prosody>。'
                     '<break time="1s"/><amazon:effect name="whispered">再见</amazon:effect></Say></Response>')
    heard = utterance_of(document.verbs[0])
    assert heard.text == "案件编号是2610090001。 再见"
    assert heard.spelled == ("2610090001",)
    assert "2 6 1 0 0 9 0 0 0 1" in heard.speakable
    assert (heard.language, heard.voice) == ("cmn-CN", "Polly.Zhiyu")


def test_speaking_time_grows_with_what_is_said():
    assert estimate_seconds("好") == 1
    assert estimate_seconds("西仓路银春旅馆门前有两个上水井盖丢失") == 5
    assert estimate_seconds("two manhole covers are missing") < estimate_seconds("two manhole covers are missing " * 3)
