"""Questions answered from the knowledge base by voice, through the signed
webhooks: the article's short summary, the full answer by SMS on a key, a
way out to a person, and never a case."""
from __future__ import annotations

from sqlalchemy import select

from cases.models import Case
from knowledge.models import Enquiry
from sms.models import SmsMessage
from tests.support.caller import CONDUCT
from wiring import services


def enquiries(session) -> list[Enquiry]:
    session.expire_all()
    return list(session.scalars(select(Enquiry).order_by(Enquiry.id)))


def no_case(session) -> bool:
    return session.scalars(select(Case)).first() is None


def test_a_question_is_answered_by_voice_and_logged_as_an_enquiry_not_a_case(new_call, session, app):
    spoken = services(app).knowledge.article(session, "street-vending-permit").spoken["zh-CN"]
    call = new_call()
    call.dial()
    heard = call.say("请问摆摊要办什么手续")
    assert heard.text.startswith(spoken), heard.text
    assert "没有解决请说出您的问题，或按0" in heard.text and "短信" in heard.text
    assert heard.gather is not None and "speech" in heard.gather.get("input")
    goodbye = call.silence()
    assert goodbye.hangs_up and "感谢" in goodbye.text
    [enquiry] = enquiries(session)
    assert (enquiry.line_id, enquiry.article_id, enquiry.outcome) == ("urban", "street-vending-permit", "answered")
    assert enquiry.question == "请问摆摊要办什么手续" and enquiry.call_id is not None
    assert no_case(session)


def test_the_full_answer_by_sms_is_recorded_on_the_enquiry_and_queued(new_call, session, app):
    call = new_call(from_="+8613912345678")
    call.dial()
    call.say("我想问下户外广告牌要去哪里审批")
    sent = call.press("1")
    assert "5678" in sent.text.replace(" ", "") and sent.hangs_up
    [enquiry] = enquiries(session)
    assert enquiry.sms_to == "+8613912345678" and enquiry.sms_requested_at is not None
    assert enquiry.outcome == "answered" and no_case(session)
    article = services(app).knowledge.article(session, enquiry.article_id)
    [message] = session.scalars(select(SmsMessage)).all()
    assert (message.purpose, message.phone_e164, message.status) == ("enquiry", "+8613912345678", "pending")
    assert article.answer["zh-CN"] in message.body and message.body.endswith("回复TD退订。")


def test_an_anonymous_caller_is_not_offered_an_sms(new_call):
    call = new_call(from_="anonymous")
    call.dial()
    heard = call.say("请问摆摊要办什么手续")
    assert "短信" not in heard.text and "或按0" in heard.text


def test_zero_after_the_answer_reaches_a_person_and_counts_as_not_answered(new_call, session):
    call = new_call()
    call.dial()
    call.say("请问树枝挡住窗户了找谁修剪")
    person = call.press("0")
    assert person.root.find("Enqueue") is not None
    [enquiry] = enquiries(session)
    assert enquiry.outcome == "escalated" and enquiry.escalated_at is not None
    assert no_case(session)


def test_a_complaint_said_after_the_answer_is_heard_afresh(new_call, session):
    call = new_call()
    call.dial()
    call.say("想问一下晚上几点以后工地不能施工")
    heard = call.say("旁边工地半夜两点还在打桩，吵得根本睡不着")
    assert "对吗" in heard.text or "哪一类" in heard.text, heard.text
    [enquiry] = enquiries(session)
    assert enquiry.outcome == "escalated"


def test_a_question_the_knowledge_base_is_unsure_of_goes_to_a_person(new_call, session):
    call = new_call()
    call.dial()
    person = call.say("请问一下明天天气怎么样啊")
    assert "咨询" in person.text and person.root.find("Enqueue") is not None
    [enquiry] = enquiries(session)
    assert enquiry.outcome == "operator" and no_case(session)


def test_the_conduct_line_answers_from_its_own_articles(new_call, session, app):
    call = new_call(to=CONDUCT)
    call.dial()
    call.say("请问一号通投诉以后多长时间给答复")
    [enquiry] = enquiries(session)
    assert enquiry.line_id == "conduct" and enquiry.article_id is not None
    assert "conduct" in services(app).knowledge.article(session, enquiry.article_id).lines


def test_another_question_after_an_answer_is_searched_again_then_a_person(new_call, session):
    call = new_call()
    call.dial()
    call.say("请问摆摊要办什么手续")
    second = call.say("我想问下户外广告牌要去哪里审批")
    assert "没有解决请说出您的问题，或按0" in second.text
    third = call.say("想问一下晚上几点以后工地不能施工")
    assert third.root.find("Enqueue") is not None
    outcomes = [(e.article_id, e.outcome) for e in enquiries(session)]
    assert outcomes == [("street-vending-permit", "escalated"), ("shop-signs-and-outdoor-advertising", "escalated"),
                        (None, "operator")]
    assert no_case(session)


def test_an_english_question_is_answered_from_the_english_texts(new_call, session, app):
    """English callers are searched against the articles' English title, asks
    and answer, never the Chinese asks (which once gave a confident wrong answer)."""
    spoken = services(app).knowledge.article(session, "street-vending-permit").spoken["en-US"]
    call = new_call()
    call.dial()
    call.press("8")
    heard = call.say("How do I get a permit to sell food from a stall on the street?")
    [enquiry] = enquiries(session)
    assert (enquiry.language, enquiry.article_id, enquiry.outcome) == ("en-US", "street-vending-permit", "answered")
    assert heard.text.startswith(spoken), heard.text
    assert no_case(session)
