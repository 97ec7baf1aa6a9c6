"""<Dial> to numbers and Client devices: ringing, whispers, bridges, and the action."""
from __future__ import annotations

from carrier import LivePhone, ScriptedParty, hang_up, press, say, wait
from carrier.actions import Answer, Pickup, Speak
from tests.carrier.support import CITIZEN_NUMBER, finished, heard

OPERATOR = "client:operator"
DUTY_PHONE = "+8613900000003"


def test_dial_bridges_the_caller_to_a_client_and_reports_to_the_action(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Dial action="/dialled" timeout="20"><Client>operator</Client></Dial></Response>')
    stand_in.on("/dialled", "<Response><Say>通话结束</Say></Response>")
    citizen = ScriptedParty(CITIZEN_NUMBER, say("井盖丢了"), wait())
    operator = carrier.directory.register(ScriptedParty(OPERATOR, say("您好，请讲"), hang_up()))
    call = finished(carrier.call_in(citizen, line))
    [leg] = operator.calls
    dialled = stand_in.seen("/dialled")[0].params
    assert (dialled["DialCallStatus"], dialled["DialCallSid"], dialled["CallSid"]) == ("completed", leg.sid, call.sid)
    assert dialled["DialCallDuration"] == str(leg.duration)
    assert (leg.direction, leg.parent, leg.to, leg.from_, leg.status) == \
        ("outbound-dial", call, OPERATOR, CITIZEN_NUMBER, "completed")
    assert heard(citizen) == ["您好，请讲", "通话结束"]
    assert heard(operator) == ["井盖丢了"]


def test_a_busy_number_ends_the_dial_as_busy(carrier, stand_in, line):
    stand_in.on("/voice", f'<Response><Dial action="/dialled">{DUTY_PHONE}</Dial></Response>')
    stand_in.on("/dialled", "<Response/>")
    carrier.directory.register(ScriptedParty(DUTY_PHONE, pickup=Pickup.BUSY))
    finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    dialled = stand_in.seen("/dialled")[0].params
    assert dialled["DialCallStatus"] == "busy" and "DialCallSid" not in dialled


def test_without_an_action_the_call_goes_on_after_the_dial(carrier, stand_in, line):
    stand_in.on("/voice", f'<Response><Dial timeout="5">{DUTY_PHONE}</Dial><Say>无人接听</Say></Response>')
    carrier.directory.register(ScriptedParty(DUTY_PHONE, pickup=Pickup.NO_ANSWER))
    citizen = ScriptedParty(CITIZEN_NUMBER)
    finished(carrier.call_in(citizen, line))
    assert heard(citizen) == ["无人接听"]


def test_the_first_to_answer_wins_and_the_others_stop_ringing(carrier, stand_in, line):
    stand_in.on("/voice", f'<Response><Dial action="/dialled"><Number>{DUTY_PHONE}</Number>'
                          f'<Client>operator</Client></Dial></Response>')
    stand_in.on("/dialled", "<Response/>")
    carrier.directory.register(LivePhone(DUTY_PHONE))          # rings until someone picks up
    operator = carrier.directory.register(ScriptedParty(OPERATOR, hang_up()))
    finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER, wait()), line))
    [duty_leg] = [c for c in carrier.calls() if c.to == DUTY_PHONE]
    assert [leg.status for leg in (duty_leg, operator.calls[0])] == ["canceled", "completed"]
    assert stand_in.seen("/dialled")[0].params["DialCallSid"] == operator.calls[0].sid


def test_a_person_answers_a_ringing_phone(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Dial action="/dialled"><Client>operator</Client></Dial></Response>')
    stand_in.on("/dialled", "<Response/>")
    operator = carrier.directory.register(LivePhone(OPERATOR))
    citizen = ScriptedParty(CITIZEN_NUMBER, wait())
    call = carrier.call_in(citizen, line)
    assert carrier.wait_until(lambda: operator.current is not None and operator.current.status == "ringing")
    leg = operator.current
    carrier.deliver(leg.sid, Answer(Pickup.HUMAN))
    assert carrier.wait_until(lambda: leg.bridge is not None)
    carrier.deliver(leg.sid, Speak("这里是接线员"))
    carrier.deliver(leg.sid, hang_up())
    finished(call)
    assert heard(citizen) == ["这里是接线员"]
    assert stand_in.seen("/dialled")[0].params["DialCallStatus"] == "completed"


def test_a_number_url_whispers_to_the_called_party_only(carrier, stand_in, line):
    stand_in.on("/voice", f'<Response><Dial><Number url="/whisper">{DUTY_PHONE}</Number></Dial></Response>')
    stand_in.on("/whisper", '<Response><Gather numDigits="1" action="/accepted"><Say>市民来电，接听请按1</Say>'
                            '</Gather><Hangup/></Response>')
    stand_in.on("/accepted", "<Response/>")
    duty = carrier.directory.register(ScriptedParty(DUTY_PHONE, press("1"), say("您好"), hang_up()))
    citizen = ScriptedParty(CITIZEN_NUMBER, wait())
    finished(carrier.call_in(citizen, line))
    whisper = stand_in.seen("/whisper")[0].params
    assert (whisper["CallSid"], whisper["ParentCallSid"], whisper["Direction"]) == \
        (duty.calls[0].sid, citizen.calls[0].sid, "outbound-dial")
    assert heard(duty) == ["市民来电，接听请按1"]
    assert heard(citizen) == ["您好"]


def test_a_whisper_that_hangs_up_leaves_the_caller_unconnected(carrier, stand_in, line):
    stand_in.on("/voice", f'<Response><Dial action="/dialled"><Number url="/whisper">{DUTY_PHONE}</Number>'
                          '</Dial></Response>')
    stand_in.on("/whisper", '<Response><Gather numDigits="1" action="/accepted"><Say>接听请按1</Say></Gather>'
                            '<Hangup/></Response>')
    stand_in.on("/dialled", "<Response><Say>请稍后再拨</Say></Response>")
    carrier.directory.register(ScriptedParty(DUTY_PHONE, press("2")))
    stand_in.on("/accepted", "<Response><Hangup/></Response>")
    citizen = ScriptedParty(CITIZEN_NUMBER, wait())
    finished(carrier.call_in(citizen, line))
    assert stand_in.seen("/dialled")[0].params["DialCallStatus"] == "no-answer"
    assert heard(citizen) == ["请稍后再拨"]


def test_hang_up_on_star_drops_the_called_party(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Dial hangupOnStar="true" action="/dialled"><Client>operator</Client>'
                          '</Dial></Response>')
    stand_in.on("/dialled", "<Response><Say>回到菜单</Say></Response>")
    operator = carrier.directory.register(ScriptedParty(OPERATOR, wait()))
    citizen = ScriptedParty(CITIZEN_NUMBER, press("*"))
    finished(carrier.call_in(citizen, line))
    assert operator.calls[0].status == "completed"
    assert heard(citizen) == ["回到菜单"]


def test_when_the_caller_hangs_up_the_action_is_still_requested(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Dial action="/dialled"><Client>operator</Client></Dial></Response>')
    stand_in.on("/dialled", "<Response><Say>nobody hears this</Say></Response>")
    operator = carrier.directory.register(ScriptedParty(OPERATOR, wait()))
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER, hang_up()), line))
    dialled = stand_in.seen("/dialled")[0].params
    assert (dialled["CallStatus"], dialled["DialCallStatus"]) == ("completed", "completed")
    assert (call.status, operator.calls[0].status) == ("completed", "completed")
    assert heard(operator) == []


def test_sequential_dialling_tries_one_after_the_other(carrier, stand_in, line):
    stand_in.on("/voice", f'<Response><Dial sequential="true" action="/dialled"><Number>{DUTY_PHONE}</Number>'
                          f'<Client>operator</Client></Dial></Response>')
    stand_in.on("/dialled", "<Response/>")
    duty = carrier.directory.register(ScriptedParty(DUTY_PHONE, pickup=Pickup.NO_ANSWER))
    operator = carrier.directory.register(ScriptedParty(OPERATOR, hang_up()))
    finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER, wait()), line))
    assert duty.calls[0].date_created < operator.calls[0].date_created
    assert stand_in.seen("/dialled")[0].params["DialCallSid"] == operator.calls[0].sid


def test_redirecting_the_caller_drops_the_bridge_without_the_action(carrier, twilio, stand_in, line):
    stand_in.on("/voice", '<Response><Dial action="/dialled"><Client>operator</Client></Dial></Response>')
    stand_in.on("/survey", "<Response><Say>请评价</Say></Response>")
    operator = carrier.directory.register(ScriptedParty(OPERATOR, wait()))
    citizen = ScriptedParty(CITIZEN_NUMBER, wait())
    call = carrier.call_in(citizen, line)
    assert carrier.wait_until(lambda: call.bridge is not None)
    twilio.calls(call.sid).update(url=stand_in.url("/survey"))
    finished(call)
    assert stand_in.seen("/dialled") == []
    assert operator.calls[0].status == "completed"
    assert heard(citizen) == ["请评价"]


def test_a_dialled_leg_redirected_by_update_goes_on_alone(carrier, twilio, stand_in, line):
    stand_in.on("/voice", '<Response><Dial action="/dialled"><Client>operator</Client></Dial></Response>')
    stand_in.on("/dialled", "<Response><Say>转接完毕</Say></Response>")
    stand_in.on("/wrap-up", "<Response><Say>请填写工单</Say></Response>")
    operator = carrier.directory.register(ScriptedParty(OPERATOR, wait()))
    citizen = ScriptedParty(CITIZEN_NUMBER, wait())
    call = carrier.call_in(citizen, line)
    assert carrier.wait_until(lambda: call.bridge is not None)
    leg = operator.calls[0]
    twilio.calls(leg.sid).update(url=stand_in.url("/wrap-up"))
    finished(call)
    finished(leg)
    assert heard(citizen) == ["转接完毕"]
    assert heard(operator) == ["请填写工单"]
    assert stand_in.seen("/wrap-up")[0].params["ParentCallSid"] == call.sid


def test_dialled_legs_report_their_own_status_callbacks(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Dial><Client statusCallback="/leg" statusCallbackEvent="initiated ringing '
                          'answered completed">operator</Client></Dial></Response>')
    operator = carrier.directory.register(ScriptedParty(OPERATOR, hang_up()))
    finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER, wait()), line))
    legs = stand_in.seen("/leg")
    assert [(s.params["SequenceNumber"], s.params["CallStatus"], s.params["CallSid"]) for s in legs] == [
        ("0", "initiated", operator.calls[0].sid), ("1", "ringing", operator.calls[0].sid),
        ("2", "in-progress", operator.calls[0].sid), ("3", "completed", operator.calls[0].sid)]
