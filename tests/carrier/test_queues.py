"""<Enqueue>, its wait loop and results, and taking callers out of the queue:
by an operator's device dialling the queue, and by the Members REST resource."""
from __future__ import annotations

from carrier import ScriptedParty, hang_up, say, wait
from tests.carrier.support import CITIZEN_NUMBER, finished, heard

OPERATOR = "client:operator"
ENQUEUE = ('<Response><Say>正在为您转接人工</Say><Enqueue waitUrl="/hold" action="/left">support</Enqueue>'
           '<Say>never after an action</Say></Response>')
HOLD = '<Response><Say>请稍候</Say><Pause length="5"/></Response>'


def waiting(carrier, name: str = "support") -> int:
    queue = carrier.queues.named(name)
    return queue.current_size if queue else 0


def test_an_operators_device_dequeues_the_caller_and_both_go_on(carrier, twilio, stand_in, line):
    stand_in.on("/voice", ENQUEUE)
    stand_in.on("/hold", HOLD)
    stand_in.on("/connecting", "<Response><Say>正在为您接通</Say></Response>")
    stand_in.on("/left", "<Response><Say>感谢您的耐心等待</Say></Response>")
    stand_in.on("/taken", "<Response/>")
    citizen = ScriptedParty(CITIZEN_NUMBER, wait(), say("我要反映井盖问题"), wait())
    call = carrier.call_in(citizen, line)
    assert carrier.wait_until(lambda: waiting(carrier) == 1 and bool(stand_in.seen("/hold")))

    operator = carrier.directory.register(ScriptedParty(OPERATOR, say("您好，我是接线员"), hang_up()))
    agent = twilio.calls.create(to=OPERATOR, from_=line, twiml=(
        f'<Response><Dial action="{stand_in.url("/taken")}"><Queue url="{stand_in.url("/connecting")}">support'
        f'</Queue></Dial></Response>'))
    finished(call)
    finished(carrier.call(agent.sid))

    hold = stand_in.seen("/hold")[0].params
    queue_sid = carrier.queues.named("support").sid
    assert (hold["QueuePosition"], hold["CurrentQueueSize"], hold["QueueSid"]) == ("1", "1", queue_sid)
    assert {"QueueTime", "AvgQueueTime", "MaxQueueSize"} <= hold.keys()
    connecting = stand_in.seen("/connecting")[0].params
    assert (connecting["CallSid"], connecting["DequeingCallSid"], connecting["QueueSid"]) == \
        (call.sid, agent.sid, queue_sid)
    left = stand_in.seen("/left")[0].params
    assert (left["QueueResult"], left["QueueSid"], left["CallStatus"]) == ("bridged", queue_sid, "in-progress")
    taken = stand_in.seen("/taken")[0].params
    assert (taken["DialCallStatus"], taken["DialCallSid"]) == ("completed", call.sid)
    assert heard(citizen) == ["正在为您转接人工", "请稍候", "正在为您接通", "您好，我是接线员", "感谢您的耐心等待"]
    assert heard(operator) == ["我要反映井盖问题"]
    assert waiting(carrier) == 0


def test_an_operator_dialling_an_empty_queue_waits_for_the_next_caller(carrier, twilio, stand_in, line):
    stand_in.on("/voice", ENQUEUE)
    stand_in.on("/hold", HOLD)
    stand_in.on("/left", "<Response/>")
    carrier.queues.get_or_create("support")
    operator = carrier.directory.register(ScriptedParty(OPERATOR, say("您好"), hang_up()))
    agent = twilio.calls.create(to=OPERATOR, from_=line,
                                twiml="<Response><Dial timeout=\"60\"><Queue>support</Queue></Dial></Response>")
    assert carrier.wait_until(lambda: carrier.call(agent.sid).status == "in-progress")
    citizen = ScriptedParty(CITIZEN_NUMBER, wait())
    finished(carrier.call_in(citizen, line))
    finished(carrier.call(agent.sid))
    assert "您好" in heard(citizen)
    assert [c.status for c in operator.calls] == ["completed"]


def test_the_members_resource_dequeues_the_front_caller_to_a_url(carrier, twilio, stand_in, line):
    stand_in.on("/voice", ENQUEUE)
    stand_in.on("/hold", HOLD)
    stand_in.on("/left", "<Response><Say>ignored</Say></Response>")
    stand_in.on("/callback-offer", "<Response><Say>我们将给您回电</Say></Response>")
    citizen = ScriptedParty(CITIZEN_NUMBER, wait())
    call = carrier.call_in(citizen, line)
    assert carrier.wait_until(lambda: waiting(carrier) == 1)
    [queue] = twilio.queues.list()
    assert (queue.friendly_name, queue.current_size) == ("support", 1)
    [member] = twilio.queues(queue.sid).members.list()
    assert (member.call_sid, member.position) == (call.sid, 1)
    twilio.queues(queue.sid).members("Front").update(url=stand_in.url("/callback-offer"), method="POST")
    finished(call)
    assert stand_in.seen("/left")[0].params["QueueResult"] == "redirected"
    assert heard(citizen)[-1] == "我们将给您回电"
    assert twilio.queues(queue.sid).fetch().current_size == 0


def test_a_caller_redirected_by_update_leaves_the_queue(carrier, twilio, stand_in, line):
    stand_in.on("/voice", ENQUEUE)
    stand_in.on("/hold", HOLD)
    stand_in.on("/voicemail", "<Response><Say>请留言</Say></Response>")
    citizen = ScriptedParty(CITIZEN_NUMBER, wait())
    call = carrier.call_in(citizen, line)
    assert carrier.wait_until(lambda: waiting(carrier) == 1)
    twilio.calls(call.sid).update(url=stand_in.url("/voicemail"))
    finished(call)
    assert stand_in.seen("/left")[0].params["QueueResult"] == "redirected"
    assert heard(citizen)[-1] == "请留言" and waiting(carrier) == 0


def test_leave_in_the_wait_music_takes_the_caller_to_the_action(carrier, stand_in, line):
    stand_in.on("/voice", ENQUEUE)
    stand_in.on("/hold", "<Response><Say>人工繁忙</Say><Leave/></Response>")
    stand_in.on("/left", "<Response><Say>请稍后再拨</Say></Response>")
    citizen = ScriptedParty(CITIZEN_NUMBER, wait())
    finished(carrier.call_in(citizen, line))
    assert stand_in.seen("/left")[0].params["QueueResult"] == "leave"
    assert heard(citizen) == ["正在为您转接人工", "人工繁忙", "请稍后再拨"]


def test_a_caller_who_hangs_up_in_the_queue_is_reported_as_hangup(carrier, stand_in, line):
    stand_in.on("/voice", ENQUEUE)
    stand_in.on("/hold", HOLD)
    finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER, hang_up()), line))
    left = stand_in.seen("/left")[0].params
    assert (left["QueueResult"], left["CallStatus"]) == ("hangup", "completed")
    assert waiting(carrier) == 0


def test_a_full_queue_turns_the_caller_away(carrier, stand_in, line):
    stand_in.on("/voice", '<Response><Enqueue waitUrl="/hold" action="/left" maxQueueSize="1">support</Enqueue>'
                          '</Response>')
    stand_in.on("/hold", HOLD)
    stand_in.on("/left", "<Response><Say>排队人数已满</Say></Response>")
    first = carrier.call_in(ScriptedParty(CITIZEN_NUMBER, wait()), line)
    assert carrier.wait_until(lambda: waiting(carrier) == 1)
    second = ScriptedParty("+8613900000004")
    finished(carrier.call_in(second, line))
    assert [s.params["QueueResult"] for s in stand_in.seen("/left")] == ["queue-full"]
    assert heard(second) == ["排队人数已满"]
    carrier.update_call(first, status="completed")
    finished(first)


def test_dialling_a_queue_that_does_not_exist_fails(carrier, twilio, stand_in, line):
    stand_in.on("/taken", "<Response/>")
    carrier.directory.register(ScriptedParty(OPERATOR))
    agent = twilio.calls.create(to=OPERATOR, from_=line, twiml=(
        f'<Response><Dial action="{stand_in.url("/taken")}"><Queue>nobody</Queue></Dial></Response>'))
    finished(carrier.call(agent.sid))
    assert stand_in.seen("/taken")[0].params["DialCallStatus"] == "failed"


def test_wait_music_may_not_use_verbs_twilio_forbids_there(carrier, stand_in, line):
    stand_in.on("/voice", ENQUEUE)
    stand_in.on("/hold", "<Response><Dial>+8613900000005</Dial></Response>")
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER, wait()), line))
    assert [(e["code"], e["element"]) for e in call.errors] == [(12200, "Dial")]
    assert waiting(carrier) == 0
