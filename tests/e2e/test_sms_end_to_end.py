"""SMS end to end through the local carrier: the hotline's outbox sent by
``flask --app app scheduler --once`` with the real twilio client, delivery
reported by signed status callbacks, and texts to the line's number
answered by the service."""
from __future__ import annotations

from sqlalchemy import select

from carrier import ScriptedParty, press, say
from database import db
from sms.models import SmsMessage, SmsOptOut
from tests.carrier.support import finished
from tests.e2e.test_hotline_end_to_end import case_numbers
from tests.support.caller import URBAN
from tests.support.factories import closed, report

CITIZEN = "+8613912345678"


def run_scheduler_once(service) -> None:
    result = service.app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "ran sms.send" in result.output


def outbox(service) -> list[SmsMessage]:
    with db.session_scope(service.app) as session:
        messages = list(session.scalars(select(SmsMessage).order_by(SmsMessage.id)))
        session.expunge_all()
        return messages


def test_the_story_1_call_brings_an_sms_with_its_case_number(service):
    citizen = service.carrier.directory.register(
        ScriptedParty(CITIZEN, say("西仓路银春旅馆门前有两个上水井盖丢失"), press("1")))
    finished(service.carrier.call_in(citizen, URBAN), timeout=60)
    [number] = set(case_numbers(citizen))

    run_scheduler_once(service)
    assert service.carrier.messages.wait_until(lambda: len(citizen.received()) == 1)
    [receipt] = citizen.received()
    assert number in receipt and "上水井盖" in receipt and "西仓路银春旅馆门前" in receipt
    [sent] = [m for m in service.carrier.messages.all() if m.to == CITIZEN]
    assert (sent.from_, sent.direction) == (URBAN, "outbound-api")
    assert service.carrier.messages.wait_until(lambda: outbox(service)[0].delivery_status == "delivered")
    assert sent.notes == []                                    # every status callback was taken (HTTP 2xx)


def test_a_closed_case_brings_the_result_sms(service):
    citizen = service.carrier.directory.register(ScriptedParty(CITIZEN))
    with db.session_scope(service.app) as session:
        from wiring import services
        case = closed(session, services(service.app).config, services(service.app).now(), caller=CITIZEN,
                      note="已更换两个上水井盖")
        number = case.number
    run_scheduler_once(service)
    assert service.carrier.messages.wait_until(lambda: len(citizen.received()) == 2)
    # Two texts sent a moment apart need not arrive in that order (the carrier delivers each on its own,
    # as networks do): tell them by what they say.
    [receipt] = [text for text in citizen.received() if "已受理" in text]
    [result] = [text for text in citizen.received() if "已办结" in text]
    assert number in receipt and number in result
    assert "已更换两个上水井盖" in result and "回访" in result


def test_td_stops_sms(service):
    from wiring import services

    citizen = service.carrier.directory.register(ScriptedParty(CITIZEN))
    service.carrier.messages.text_in(citizen, URBAN, "TD")
    assert service.carrier.messages.wait_until(lambda: len(citizen.received()) == 1)
    assert "已退订" in citizen.received()[0]
    with db.session_scope(service.app) as session:
        assert session.scalar(select(SmsOptOut.phone_e164)) == CITIZEN
        report(session, services(service.app).config, services(service.app).now(), caller=CITIZEN)
    run_scheduler_once(service)
    assert outbox(service) == [] and [m.to for m in service.carrier.messages.all()].count(CITIZEN) == 1
