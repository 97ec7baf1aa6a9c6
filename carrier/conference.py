"""``<Dial><Conference>``, and a leg's time in a conference.

A leg in a conference keeps its own thread: the call's own interpreter for
``<Dial><Conference>``, a thread of its own for a Participants dial-out.  It
loops between three modes (``carrier.conferences.Conference.mode``):
waiting for the conference to start and on hold, it hears its music (a
``waitUrl`` or ``HoldUrl`` document round after round, Twilio's hold music,
or silence) and whatever it says is heard by nobody; talking, what it says
goes to the participants who hear it.  News from the conference
(``ConferenceNews``: the conference started, hold changed, removed, ended,
an announcement) interrupts whatever the leg is doing.

When the leg leaves, a ``<Dial>`` goes on to its ``action`` with
``DialCallStatus=completed`` (or the next verb); if the party hung up, the
action is still requested and its TwiML ignored, as for any ``<Dial>``.  A
dial-out's call simply ends.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

from carrier.actions import Conferencing, HangUp, Press, Speak, describe
from carrier.calls import TwimlSource
from carrier.conferences import EVENT_TOKENS, ConferenceCallback, ConferenceFull, Music, Participant, RecordingRequest
from carrier.enqueue import HOLD_MUSIC_SECONDS, round_seconds
from carrier.ringing import ring
from carrier.signals import CallOver, ConferenceInterrupt, PartyHungUp, Redirect
from carrier.twiml_schema import ANNOUNCE_VERBS, CONFERENCE_WAIT_VERBS

if TYPE_CHECKING:
    from carrier.conferences import Conference
    from carrier.interpreter import Interpreter
    from carrier.twiml import Document, Node

DEFAULT_TIME_LIMIT = 4 * 60 * 60
REMOVED, ENDED, STAR, TIME_LIMIT = "removed", "ended", "star", "time-limit"


def dial_conference(interp: Interpreter, verb: Node, document: Document, noun: Node) -> TwimlSource | None:
    call = interp.call
    name = noun.text.strip()
    conference = interp.carrier.conferences.get_or_create(name)
    participant = Participant(
        call, label=noun.get("participantLabel"), start_on_enter=noun.flag("startConferenceOnEnter", True),
        end_on_exit=noun.flag("endConferenceOnExit"), muted=noun.flag("muted"), beep=noun.get("beep", "true"),
        call_sid_to_coach=noun.get("coach") or None,
        wait=music(interp, noun.get("waitUrl"), noun.method("waitMethod"), document))
    if noun.get("maxParticipants"):
        conference.max_participants = noun.number("maxParticipants", conference.max_participants)
    if noun.get("statusCallback"):
        events = (noun.get("statusCallbackEvent") or "start end").replace(",", " ").split()
        conference.subscribe(ConferenceCallback(interp.resolve(noun.get("statusCallback"), document),
                                                noun.method("statusCallbackMethod"), frozenset(events)), call)
    if noun.get("record") == "record-from-start":
        events = (noun.get("recordingStatusCallbackEvent") or "completed").replace(",", " ").split()
        callback = noun.get("recordingStatusCallback")
        conference.record(RecordingRequest(call.sid, interp.resolve(callback, document) if callback else None,
                                           noun.method("recordingStatusCallbackMethod"), frozenset(events)))
    interp.answer()
    try:
        how = attend(interp, conference, participant, hang_up_on_star=verb.flag("hangupOnStar"),
                     time_limit=verb.number("timeLimit", DEFAULT_TIME_LIMIT))
    except ConferenceFull:
        call.note("notice", f"conference {name} is full or over", element="Conference", code=None)
        return _after(interp, verb, document, "failed")
    except PartyHungUp:
        interp.report(verb.get("action"), verb.method(), {"DialCallStatus": "completed"}, document)
        raise
    call.note("dial", f"left the conference: {how}", dial_call_status="completed", how=how)
    return _after(interp, verb, document, "completed")


def _after(interp: Interpreter, verb: Node, document: Document, status: str) -> TwimlSource | None:
    if not verb.get("action"):
        return None
    return interp.follow(verb.get("action"), verb.method(), {"DialCallStatus": status}, document)


def music(interp: Interpreter, url: str | None, method: str, document: Document | None) -> Music:
    """A ``waitUrl``/``HoldUrl``: absent is Twilio's hold music, empty is silence."""
    if url is None:
        return Music()
    if not url.strip():
        return Music(silent=True)
    resolved = interp.resolve(url, document) if document is not None else url
    return Music(TwimlSource(resolved, method))


def attend(interp: Interpreter, conference: Conference, participant: Participant, *,
           hang_up_on_star: bool = False, time_limit: int | None = None) -> str:
    """Be in the conference until leaving it.  Returns how it ended
    (removed, ended, star, time-limit); raises for a hang-up, a REST
    redirect or end of the call, after leaving the conference."""
    deadline = None if time_limit is None else time.monotonic() + interp.clock.seconds(time_limit)
    conference.join(participant)
    interp.conference = conference
    try:
        return _stay(interp, conference, participant, hang_up_on_star, deadline)
    finally:
        interp.conference = None
        conference.leave(participant)


def _stay(interp: Interpreter, conference: Conference, participant: Participant, hang_up_on_star: bool,
          deadline: float | None) -> str:
    announcement = None
    mode = None
    while True:
        try:
            if announcement is not None:
                document, announcement = announcement, None
                interp.run(document, allowed=ANNOUNCE_VERBS, purpose="an announcement")
            previous, mode = mode, conference.mode(participant)
            if mode != previous:
                participant.call.note("conference", f"conference {conference.friendly_name}: {mode}",
                                      conference_sid=conference.sid, event=mode)
                if _tell_party(interp, conference, participant, mode):
                    raise PartyHungUp()
            if mode == "talking":
                outcome = _talk(interp, conference, participant, hang_up_on_star, deadline)
            else:
                outcome = _listen_to_music(interp, participant.hold_music if mode == "held" else participant.wait,
                                           deadline)
            if outcome is not None:
                return outcome
        except ConferenceInterrupt as interrupt:
            news = interrupt.news
            if news.kind in (REMOVED, ENDED):
                return news.kind
            if news.kind == "announce":
                announcement = news.document
            mode = None if news.kind == "changed" else mode


def _tell_party(interp: Interpreter, conference: Conference, participant: Participant, mode: str) -> bool:
    """Tell the party where it is.  A scripted party says and presses what
    its script holds for the conference, up to a ``wait()``, once it can be
    heard; True if it hangs up."""
    party = participant.call.party
    if party is None:
        return False
    moment = Conferencing(conference.friendly_name, mode)
    if party.live:
        party.next_action(participant.call, moment)
        return False
    if mode != "talking":
        return False
    while True:
        action = party.next_action(participant.call, moment)
        if isinstance(action, Speak):
            _say(interp, conference, participant, action.text)
        elif isinstance(action, Press):
            participant.call.note("input", f"pressed {action.digits}", digits=action.digits)
        else:
            return isinstance(action, HangUp)


def _say(interp: Interpreter, conference: Conference, participant: Participant, text: str) -> None:
    audience = conference.speak(participant, text)
    participant.call.note("input", f"said “{text}”", speech=text,
                          heard_by=[p.describe() for p in audience])


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _talk(interp: Interpreter, conference: Conference, participant: Participant, hang_up_on_star: bool,
          deadline: float | None) -> str | None:
    while True:
        envelope = interp.mailbox.take(_remaining(deadline), inputs=True)
        if envelope is None:
            return TIME_LIMIT
        item = interp.dispatch(envelope)       # raises for hang-ups, redirects and conference news
        if isinstance(item, Speak):
            _say(interp, conference, participant, item.text)
        elif isinstance(item, Press):
            participant.call.note("input", f"pressed {item.digits}", digits=item.digits)
            if hang_up_on_star and "*" in item.digits:
                return STAR


def _listen_to_music(interp: Interpreter, tune: Music, deadline: float | None) -> str | None:
    """Music until something happens (a signal); words said meanwhile reach nobody."""
    while True:
        if tune.silent:
            seconds = None
        elif tune.source is None:
            interp.sound("hold music")
            seconds = HOLD_MUSIC_SECONDS
        else:
            document = interp.load(tune.source, CONFERENCE_WAIT_VERBS, "a conference waitUrl or HoldUrl document")
            interp.run(document, allowed=CONFERENCE_WAIT_VERBS, purpose="a conference waitUrl or HoldUrl document")
            seconds = max(1, round_seconds(document))
        if _idle(interp, seconds, deadline):
            return TIME_LIMIT


def _idle(interp: Interpreter, seconds: float | None, deadline: float | None) -> bool:
    """Let ``seconds`` of call time pass; True if the time limit came first."""
    limit = interp.clock.seconds(seconds)
    until = None if limit is None else time.monotonic() + limit
    while True:
        waits = [t for t in (until, deadline) if t is not None]
        envelope = interp.mailbox.take(max(0.0, min(waits) - time.monotonic()) if waits else None, inputs=True)
        if envelope is None:
            return deadline is not None and time.monotonic() >= deadline
        item = interp.dispatch(envelope)
        if isinstance(item, (Speak, Press)):
            interp.call.note("input", f"{describe(item)} (nobody hears it)", speech=getattr(item, "text", None),
                             digits=getattr(item, "digits", None), heard_by=[])


# --- a Participants dial-out -----------------------------------------------------------------

def run_dial_out(interp: Interpreter, conference: Conference, participant: Participant, ring_timeout: int) -> None:
    """Ring the party; once it answers, it joins; when it leaves, its call ends."""
    call = interp.call
    try:
        answered = ring(interp, [call], ring_timeout)
    except CallOver as over:
        call.set_status(over.status)
        conference.drop(participant)
        return
    if answered is None:
        conference.drop(participant)
        return
    call.set_status("in-progress")
    try:
        attend(interp, conference, participant)
        status = "completed"
    except ConferenceFull:
        status = "completed"
    except Redirect as redirect:            # the call was given new TwiML: it leaves and runs it
        interp.run_redirected(redirect.source)
        return
    except CallOver as over:
        status = over.status
    call.set_status(status)


def conference_events(values: list[str]) -> frozenset[str] | None:
    """Status callback event tokens as the REST API takes them (repeated, or
    space-separated); None if one is unknown."""
    tokens = [t for value in values for t in value.replace(",", " ").split()]
    if any(t not in EVENT_TOKENS for t in tokens):
        return None
    return frozenset(tokens) if tokens else frozenset({"start", "end"})

