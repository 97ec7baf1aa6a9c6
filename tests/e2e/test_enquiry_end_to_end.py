"""An enquiry through the carrier: the caller asks, hears the knowledge
base's answer, asks for the full text by SMS, and the call ends with no case."""
from __future__ import annotations

from sqlalchemy import select

from carrier import ScriptedParty, press, say
from cases.models import Case
from database import db
from knowledge.models import Enquiry
from tests.carrier.support import finished
from tests.support.caller import URBAN

CITIZEN = "+8613912345678"


def test_an_enquiry_is_answered_by_voice_without_a_case(service):
    citizen = ScriptedParty(CITIZEN, say("请问摆摊要办什么手续"), press("1"))
    call = finished(service.carrier.call_in(citizen, URBAN), timeout=60)

    assert (call.status, call.errors) == ("completed", [])
    heard = " ".join(u.text for u in citizen.utterances())
    assert "摆摊要先申请" in heard and "没有解决请说出您的问题，或按0" in heard and "短信" in heard
    with db.session_scope(service.app) as session:
        [enquiry] = session.scalars(select(Enquiry)).all()
        assert (enquiry.article_id, enquiry.outcome, enquiry.sms_to) == ("street-vending-permit", "answered", CITIZEN)
        assert session.scalars(select(Case)).first() is None
