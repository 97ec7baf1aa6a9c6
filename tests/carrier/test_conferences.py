"""Conferences: <Dial><Conference> through the interpreter, the Conferences
and Participants REST resources through the real ``twilio`` client, and who
hears whom (hold, mute, coaching)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from twilio.base.exceptions import TwilioRestException

from carrier import ScriptedParty, hang_up, say, wait
from carrier.actions import Pickup
from carrier.clock import Clock
from carrier.conferences import Conference, Participant, hears
from carrier.testing import Handset
from tests.carrier.support import CITIZEN_NUMBER, finished, heard

ROOM = "hotline-CA0123"
OPERATOR = "client:operator"
SUPERVISOR = "client:supervisor"
DUTY_PHONE = "+8613900000003"


def conference_twiml(stand_in, **attributes) -> str:
    attrs = " ".join(f'{k}="{v}"' for k, v in attributes.items())
    return (f'<Response><Dial action="{stand_in.url("/left")}"><Conference {attrs}>{ROOM}</Conference></Dial>'
            '</Response>')


def in_room(carrier, count: int, name: str = ROOM):
    def ready() -> bool:
        conference = carrier.conferences.named(name)
        return conference is not None and len([p for p in conference.participants() if p.connected]) == count
    assert carrier.wait_until(ready), f"conference {name} never had {count} participants"
    return carrier.conferences.named(name)


# --- the audio model ----------------------------------------------------------------------

def fake(sid: str, **state) -> Participant:
    call = SimpleNamespace(sid=sid, carrier=SimpleNamespace(clock=Clock()), party=None, to=sid, status="in-progress")
    participant = Participant(call, **state)
    participant.joined = True
    return participant


def test_in_a_started_conference_everyone_hears_everyone_else():
    a, b, c = fake("CAa"), fake("CAb"), fake("CAc")
    assert [hears(x, y, True) for x, y in ((a, b), (b, a), (c, a), (a, a))] == [True, True, True, False]
    assert not hears(a, b, started=False)


def test_a_muted_participant_is_heard_by_nobody_but_hears_everyone():
    caller, operator = fake("CAcaller"), fake("CAop", muted=True)
    assert (hears(caller, operator, True), hears(operator, caller, True)) == (False, True)


def test_a_participant_on_hold_hears_nobody_and_nobody_hears_it():
    caller, operator = fake("CAcaller"), fake("CAop")
    caller.hold = True
    assert (hears(caller, operator, True), hears(operator, caller, True)) == (False, False)


def test_a_coach_is_heard_only_by_the_call_it_coaches_and_hears_everyone():
    caller, operator = fake("CAcaller"), fake("CAop")
    supervisor = fake("CAsup", call_sid_to_coach="CAop")
    assert hears(operator, supervisor, True) and not hears(caller, supervisor, True)
    assert hears(supervisor, caller, True) and hears(supervisor, operator, True)
    assert hears(caller, operator, True)


def test_a_participant_still_ringing_hears_nothing():
    caller, duty = fake("CAcaller"), fake("CAduty")
    duty.joined = False
    assert not hears(duty, caller, True) and not hears(caller, duty, True)


class FakeCall:
    """Just what the conference model touches on a call."""

    def __init__(self, sid: str) -> None:
        self.sid, self.to, self.party, self.status = sid, sid, None, "in-progress"
        self.carrier = SimpleNamespace(clock=Clock())
        self.notes: list[tuple[str, str]] = []
        self.mailbox = SimpleNamespace(items=[])
        self.mailbox.put = self.mailbox.items.append

    def note(self, kind: str, text: str, **data) -> None:
        self.notes.append((kind, text))


def room() -> Conference:
    carrier = SimpleNamespace(clock=Clock(), account_sid="AC" + "0" * 32, conferences=None)
    return Conference(carrier, ROOM)


def member(conference: Conference, sid: str, **state) -> Participant:
    participant = Participant(FakeCall(sid), **state)
    conference.join(participant)
    return participant


def test_the_view_a_phone_shows_follows_the_model():
    conference = room()
    caller = member(conference, "CAcaller", label="caller")
    operator = member(conference, "CAop", label="operator")
    supervisor = member(conference, "CAsup", label="supervisor", call_sid_to_coach="CAop")
    seen = {o["label"]: (o["i_hear"], o["hears_me"]) for o in conference.view(caller)["others"]}
    assert seen == {"operator": (True, True), "supervisor": (False, True)}
    coach = conference.view(supervisor)
    assert coach["me"]["coaching_whom"] == "operator (CAop)"
    assert {o["label"]: (o["i_hear"], o["hears_me"]) for o in coach["others"]} == \
        {"caller": (True, False), "operator": (True, True)}
    conference.update(caller, hold=True)
    assert {o["label"]: o["hold"] for o in conference.view(operator)["others"]} == \
        {"caller": True, "supervisor": False}
    assert [n for n in caller.call.mailbox.items if n.kind == "changed"]


def test_a_conference_waits_for_a_moderator_and_ends_with_its_reason():
    conference = room()
    caller = member(conference, "CAcaller", start_on_enter=False)
    assert (conference.status, conference.mode(caller)) == ("init", "waiting")
    operator = member(conference, "CAop", end_on_exit=True)
    assert (conference.status, conference.mode(caller)) == ("in-progress", "talking")
    assert [n.kind for n in caller.call.mailbox.items] == ["changed"]      # its music stops
    conference.leave(operator)
    assert (conference.status, conference.reason_ended, conference.call_sid_ending) == \
        ("completed", "participant-with-end-conference-on-exit-left", "CAop")
    assert [n.kind for n in caller.call.mailbox.items] == ["changed", "ended"]
    assert conference.participants() == [] and caller.status == "complete"


# --- <Dial><Conference> -----------------------------------------------------------------------

def test_two_callers_in_a_conference_hear_each_other_and_the_action_follows(carrier, stand_in, line):
    plain = conference_twiml(stand_in, statusCallback="/events", statusCallbackEvent="start end join leave")
    ending = conference_twiml(stand_in, endConferenceOnExit="true")
    stand_in.on("/voice", lambda seen: plain if seen.params["From"] == CITIZEN_NUMBER else ending)
    stand_in.on("/left", "<Response><Say>会议结束</Say></Response>")
    first = ScriptedParty(CITIZEN_NUMBER, wait())
    first_call = carrier.call_in(first, line)
    in_room(carrier, 1)
    second = ScriptedParty("+8613900000004", say("您好"), wait())
    second_call = carrier.call_in(second, line)
    conference = in_room(carrier, 2)
    assert carrier.wait_until(lambda: "您好" in heard(first))
    carrier.update_call(second_call, status="completed")
    finished(second_call)
    finished(first_call)          # endConferenceOnExit: the conference ended, the action runs
    assert heard(first)[-1] == "会议结束"
    left = [s.params for s in stand_in.seen("/left")]
    assert [p["DialCallStatus"] for p in left] == ["completed"]
    assert conference.status == "completed"
    assert conference.reason_ended == "participant-with-end-conference-on-exit-left"
    assert stand_in.wait_for(lambda: any(s.params["StatusCallbackEvent"] == "conference-end"
                                         for s in stand_in.seen("/events")))
    events = [(s.params["StatusCallbackEvent"], s.params.get("CallSid")) for s in stand_in.seen("/events")]
    assert events == [("participant-join", first_call.sid), ("conference-start", first_call.sid),
                      ("participant-join", second_call.sid), ("participant-leave", second_call.sid),
                      ("participant-leave", first_call.sid), ("conference-end", None)]
    sequence = [int(s.params["SequenceNumber"]) for s in stand_in.seen("/events")]
    assert sequence == sorted(sequence) and {s.params["ConferenceSid"] for s in stand_in.seen("/events")} == \
        {conference.sid}


def test_the_last_to_leave_ends_the_conference(carrier, stand_in, line):
    stand_in.on("/voice", conference_twiml(stand_in))
    stand_in.on("/left", "<Response/>")
    finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER, hang_up()), line))
    conference = carrier.conferences.all()[0]
    assert (conference.status, conference.reason_ended) == ("completed", "last-participant-left")
    assert stand_in.seen("/left")[0].params["CallStatus"] == "completed"


def test_until_a_moderator_joins_the_others_hear_the_wait_music_only(carrier, stand_in, line):
    stand_in.on("/voice", conference_twiml(stand_in, startConferenceOnEnter="false", waitUrl="/music"))
    stand_in.on("/music", "<Response><Say>请稍候，正在接通</Say></Response>")
    stand_in.on("/left", "<Response/>")
    caller = Handset(carrier, CITIZEN_NUMBER)
    call = carrier.call_in(caller, line)
    conference = in_room(carrier, 1)
    caller.wait_until_heard("请稍候，正在接通")
    assert conference.status == "init"
    caller.say("有人吗")        # heard by nobody yet
    stand_in.on("/moderator", f'<Response><Dial><Conference endConferenceOnExit="true">{ROOM}</Conference>'
                              '</Dial></Response>')
    operator = Handset(carrier, OPERATOR)
    carrier.create_call(to=OPERATOR, from_=line, source=_source(stand_in.url("/moderator")))
    operator.wait_until_in_conference()
    caller.wait_until_in_conference()
    assert conference.status == "in-progress"
    caller.say("我要反映井盖问题")
    operator.wait_until_heard("我要反映井盖问题")
    assert "有人吗" not in operator.heard()
    operator.hang_up()
    finished(call)
    assert conference.reason_ended == "participant-with-end-conference-on-exit-left"


def _source(url):
    from carrier.calls import TwimlSource
    return TwimlSource(url)


def test_a_conference_must_be_the_only_noun_of_its_dial(carrier, stand_in, line):
    stand_in.on("/voice", f"<Response><Dial><Number>{DUTY_PHONE}</Number><Conference>{ROOM}</Conference>"
                          "</Dial></Response>")
    call = finished(carrier.call_in(ScriptedParty(CITIZEN_NUMBER), line))
    assert [e["code"] for e in call.errors] == [12200]


# --- the REST resources, through the twilio client ----------------------------------------------

@pytest.fixture
def seat(carrier, stand_in, line):
    """A caller in conference ROOM through TwiML, and an operator dialled in through the Participants resource."""
    stand_in.on("/voice", conference_twiml(stand_in, participantLabel="caller", statusCallback="/events",
                                           statusCallbackEvent="join leave mute hold modify end"))
    stand_in.on("/left", "<Response><Say>感谢来电</Say></Response>")
    caller = Handset(carrier, CITIZEN_NUMBER)
    call = carrier.call_in(caller, line)
    caller.wait_until_in_conference()
    operator = Handset(carrier, OPERATOR)
    return SimpleNamespace(caller=caller, call=call, operator=operator, conference=in_room(carrier, 1))


def test_participants_create_dials_out_and_the_answered_leg_joins(carrier, twilio, stand_in, line, seat):
    conference = seat.conference
    created = twilio.conferences(conference.sid).participants.create(
        from_=line, to=OPERATOR, label="operator", status_callback=stand_in.url("/progress"),
        status_callback_event=["initiated", "ringing", "answered", "completed"], end_conference_on_exit=True)
    assert (created.label, created.conference_sid, created.status) == ("operator", conference.sid, "queued")
    seat.operator.wait_until_in_conference()
    assert twilio.conferences(conference.sid).participants("operator").fetch().status == "connected"
    seat.caller.say("井盖丢了")
    seat.operator.wait_until_heard("井盖丢了")
    seat.operator.say("好的，我记下了")
    seat.caller.wait_until_heard("好的，我记下了")
    listed = twilio.conferences(conference.sid).participants.list()
    assert sorted(p.label for p in listed) == ["caller", "operator"]
    assert twilio.conferences(conference.sid).participants(created.call_sid).fetch().label == "operator"
    [fetched] = twilio.conferences.list(friendly_name=ROOM, status="in-progress")
    assert (fetched.sid, fetched.status) == (conference.sid, "in-progress")
    seat.operator.hang_up()        # endConferenceOnExit: the caller leaves too and goes on to the action
    finished(seat.call)
    assert seat.caller.heard()[-1] == "感谢来电"
    progress = [s.params["CallStatus"] for s in stand_in.seen("/progress")]
    assert progress == ["initiated", "ringing", "in-progress", "completed"]
    assert twilio.conferences(conference.sid).fetch().reason_conference_ended == \
        "participant-with-end-conference-on-exit-left"


def test_a_dial_out_nobody_answers_ends_no_answer_and_never_joins(carrier, twilio, stand_in, line, seat):
    Handset(carrier, DUTY_PHONE, pickup=Pickup.NO_ANSWER)
    created = twilio.conferences(seat.conference.sid).participants.create(
        from_=line, to=DUTY_PHONE, label="department", timeout=5, status_callback=stand_in.url("/progress"))
    finished(carrier.call(created.call_sid))
    assert carrier.call(created.call_sid).status == "no-answer"
    assert [s.params["CallStatus"] for s in stand_in.seen("/progress")] == ["no-answer"]
    assert [p.label for p in twilio.conferences(seat.conference.sid).participants.list()] == ["caller"]
    assert seat.call.live


def test_a_dial_out_to_a_new_friendly_name_creates_the_conference(carrier, twilio, line):
    operator = Handset(carrier, OPERATOR)
    created = twilio.conferences("hotline-CAnew").participants.create(from_=line, to=OPERATOR, label="operator")
    conference = carrier.conferences.named("hotline-CAnew")
    assert conference is not None and created.conference_sid == conference.sid
    operator.wait_until_in_conference()
    assert twilio.conferences(conference.sid).fetch().status == "in-progress"
    twilio.conferences(conference.sid).update(status="completed")
    finished(operator.call)
    assert twilio.conferences(conference.sid).fetch().reason_conference_ended == "conference-ended-via-api"


def test_hold_plays_the_hold_url_and_cuts_the_party_off_both_ways(carrier, twilio, stand_in, line, seat):
    stand_in.on("/hold-music", "<Response><Say>请稍候，不要挂机</Say></Response>")
    participants = twilio.conferences(seat.conference.sid).participants
    participants.create(from_=line, to=OPERATOR, label="operator")
    seat.operator.wait_until_in_conference()
    held = participants("caller").update(hold=True, hold_url=stand_in.url("/hold-music"))
    assert held.hold is True
    seat.caller.wait_until_in_conference("held")
    seat.caller.wait_until_heard("请稍候，不要挂机")
    seat.operator.say("我查一下")
    seat.caller.say("喂？")
    assert participants("caller").fetch().hold is True
    participants("caller").update(hold=False)
    seat.caller.wait_until_in_conference("talking")
    seat.operator.say("让您久等了")
    seat.caller.wait_until_heard("让您久等了")
    assert "我查一下" not in seat.caller.heard() and "喂？" not in seat.operator.heard()
    assert stand_in.seen("/hold-music")[0].method == "GET"        # Twilio's default HoldMethod
    assert stand_in.wait_for(lambda: [s.params["StatusCallbackEvent"] for s in stand_in.seen("/events")
                                      if "hold" in s.params["StatusCallbackEvent"]]
                             == ["participant-hold", "participant-unhold"])


def test_a_muted_participant_is_heard_by_nobody(carrier, twilio, line, seat):
    participants = twilio.conferences(seat.conference.sid).participants
    participants.create(from_=line, to=OPERATOR, label="operator")
    seat.operator.wait_until_in_conference()
    assert participants("operator").update(muted=True).muted is True
    seat.operator.say("静音时说的话")
    seat.caller.say("你还在吗")
    seat.operator.wait_until_heard("你还在吗")
    participants("operator").update(muted=False)
    seat.operator.say("在的")
    seat.caller.wait_until_heard("在的")
    assert "静音时说的话" not in seat.caller.heard()


def test_a_coaching_supervisor_is_heard_by_the_operator_only_then_barges_in(carrier, twilio, line, seat):
    participants = twilio.conferences(seat.conference.sid).participants
    operator = participants.create(from_=line, to=OPERATOR, label="operator")
    seat.operator.wait_until_in_conference()
    supervisor = Handset(carrier, SUPERVISOR)
    coach = participants.create(from_=line, to=SUPERVISOR, label="supervisor", coaching=True,
                                call_sid_to_coach=operator.call_sid, beep="false")
    assert (coach.coaching, coach.call_sid_to_coach) == (True, operator.call_sid)
    supervisor.wait_until_in_conference()
    supervisor.say("先核实地址")
    seat.operator.wait_until_heard("先核实地址")
    seat.caller.say("在西仓路")
    supervisor.wait_until_heard("在西仓路")
    assert "先核实地址" not in seat.caller.heard()
    assert seat.operator.heard_from("supervisor") == ["先核实地址"]
    barged = participants("supervisor").update(coaching=False)
    assert (barged.coaching, barged.call_sid_to_coach) == (False, None)
    supervisor.say("我是值班长")
    seat.caller.wait_until_heard("我是值班长")


def test_coaching_someone_not_in_the_conference_is_refused(twilio, line, seat):
    participants = twilio.conferences(seat.conference.sid).participants
    with pytest.raises(TwilioRestException) as caught:
        participants.create(from_=line, to=SUPERVISOR, coaching=True, call_sid_to_coach="CA" + "0" * 32)
    assert caught.value.status == 400
    with pytest.raises(TwilioRestException) as caught:
        participants("caller").update(coaching=True)
    assert caught.value.status == 400


def test_removing_a_twiml_participant_runs_its_dial_action(carrier, twilio, stand_in, line, seat):
    participants = twilio.conferences(seat.conference.sid).participants
    participants.create(from_=line, to=OPERATOR, label="operator")
    seat.operator.wait_until_in_conference()
    assert participants("caller").delete() is True
    finished(seat.call)
    assert seat.caller.heard()[-1] == "感谢来电"
    assert stand_in.seen("/left")[0].params["DialCallStatus"] == "completed"
    assert [p.label for p in participants.list()] == ["operator"]
    participants("operator").delete()
    finished(seat.operator.call)
    assert seat.conference.reason_ended == "last-participant-kicked"


def test_unknown_conferences_and_participants_are_20404(twilio, seat):
    for fetch in (lambda: twilio.conferences("CF" + "0" * 32).fetch(),
                  lambda: twilio.conferences(seat.conference.sid).participants("nobody").fetch(),
                  lambda: twilio.conferences(seat.conference.sid).participants("CA" + "0" * 32).delete()):
        with pytest.raises(TwilioRestException) as caught:
            fetch()
        assert (caught.value.status, caught.value.code) == (404, 20404)


def test_an_announcement_is_heard_by_every_participant(carrier, twilio, stand_in, line, seat):
    stand_in.on("/announce", "<Response><Say>本通话将被录音</Say></Response>")
    twilio.conferences(seat.conference.sid).participants.create(from_=line, to=OPERATOR, label="operator")
    seat.operator.wait_until_in_conference()
    twilio.conferences(seat.conference.sid).update(announce_url=stand_in.url("/announce"))
    seat.caller.wait_until_heard("本通话将被录音")
    seat.operator.wait_until_heard("本通话将被录音")


def test_an_announcement_to_one_participant_is_heard_by_that_one_only(carrier, twilio, stand_in, line, seat):
    """A participant update with AnnounceUrl, as the service whispers the case summary to a department."""
    stand_in.on("/announce", "<Response><Say>热线转来案件</Say></Response>")
    duty = Handset(carrier, DUTY_PHONE)
    participants = twilio.conferences(seat.conference.sid).participants
    created = participants.create(from_=line, to=DUTY_PHONE, label="department")
    duty.wait_until_in_conference()
    participants("department").update(announce_url=stand_in.url("/announce"), announce_method="POST")
    duty.wait_until_heard("热线转来案件")
    [fetched] = stand_in.seen("/announce")
    assert (fetched.method, fetched.params["CallSid"], fetched.params["ConferenceSid"]) == \
        ("POST", created.call_sid, seat.conference.sid)
    duty.say("值班室收到")
    seat.caller.wait_until_heard("值班室收到")      # the caller hears the department, not what it was told
    assert "热线转来案件" not in seat.caller.heard()


def test_record_from_start_makes_one_mono_recording_of_the_mix(carrier, twilio, stand_in, line):
    stand_in.on("/voice", conference_twiml(stand_in, record="record-from-start", participantLabel="caller",
                                           recordingStatusCallback="/recording"))
    stand_in.on("/left", "<Response/>")
    caller = Handset(carrier, CITIZEN_NUMBER)
    call = carrier.call_in(caller, line)
    caller.wait_until_in_conference()
    conference = carrier.conferences.named(ROOM)
    operator, supervisor = Handset(carrier, OPERATOR), Handset(carrier, SUPERVISOR)
    participants = twilio.conferences(conference.sid).participants
    created = participants.create(from_=line, to=OPERATOR, label="operator")
    operator.wait_until_in_conference()
    participants.create(from_=line, to=SUPERVISOR, label="supervisor", call_sid_to_coach=created.call_sid)
    supervisor.wait_until_in_conference()
    caller.say("路灯不亮")
    supervisor.say("问清楚路段")
    operator.say("请问是哪条路")
    twilio.conferences(conference.sid).update(status="completed")
    finished(call)
    assert stand_in.wait_for(lambda: bool(stand_in.seen("/recording")))
    status = stand_in.seen("/recording")[0].params
    assert (status["RecordingStatus"], status["ConferenceSid"], status["RecordingChannels"],
            status["RecordingSource"]) == ("completed", conference.sid, "1", "Conference")
    [recording] = twilio.conferences(conference.sid).recordings.list()
    assert (recording.sid, recording.conference_sid, recording.call_sid) == \
        (status["RecordingSid"], conference.sid, call.sid)
    assert carrier.recordings.get(recording.sid).words == "路灯不亮 请问是哪条路"   # no whisper in the mix


def test_a_handset_answers_a_whisper_then_talks_in_the_conference(carrier, twilio, stand_in, line, seat):
    from carrier import press

    stand_in.on("/whisper", '<Response><Gather numDigits="1" action="/accept"><Say>市民来电，接听请按1</Say>'
                            '</Gather><Hangup/></Response>')
    stand_in.on("/accept", f'<Response><Dial><Conference participantLabel="operator">{ROOM}</Conference></Dial>'
                           '</Response>')
    seat.operator.answer_prompts_with(press("1"))
    twilio.calls.create(to=OPERATOR, from_=line, url=stand_in.url("/whisper"))
    seat.operator.wait_until_in_conference()
    assert stand_in.seen("/accept")[0].params["Digits"] == "1"
    seat.caller.say("您好")
    seat.operator.wait_until_heard("您好")
    assert seat.operator.heard()[0] == "市民来电，接听请按1"
