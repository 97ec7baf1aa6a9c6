"""Conferences: named rooms that call legs join, and who hears whom in them.

``<Dial><Conference>NAME</Conference></Dial>`` and the Participants REST
resource put legs in; a conference is created by the first to join a NAME
that has no live conference, starts (``in-progress``) once a participant with
``startConferenceOnEnter`` is in, and ends (``completed``) when the last
participant leaves or one with ``endConferenceOnExit`` does.

The audio model, as documented in docs/carrier.md: in a conference that has
started, what a participant says is heard by every other participant who is
not on hold, except that a muted participant is heard by nobody and a
coaching participant only by the call it coaches; a participant on hold hears
its hold music and is heard by nobody.  ``hears`` is that rule, pure.

Each participant's leg keeps its own thread (see ``carrier.conference``);
this module holds the shared state under one lock per conference, tells legs
what changed through their mailboxes (``ConferenceNews``), shows the browser
phones who hears whom, and posts the conference's status callbacks, signed,
in order, from one thread of their own.
"""
from __future__ import annotations

import itertools
import math
import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from carrier.calls import ConferenceNews, EndRequest, TwimlSource, rfc2822
from carrier.recordings import Recording
from carrier.sids import CONFERENCE, new_sid
from carrier.speech import plain
from carrier.webhooks import CALLBACK_WARNING, WebhookFailure

if TYPE_CHECKING:
    from carrier.calls import Call
    from carrier.exchange import Carrier

DEFAULT_MAX_PARTICIPANTS = 250
# statusCallbackEvent tokens, and the StatusCallbackEvent values each stands for.
EVENT_TOKENS = ("start", "end", "join", "leave", "mute", "hold", "modify", "speaker", "announcement")
DEFAULT_EVENTS = frozenset({"start", "end"})
_TOKEN_OF = {
    "conference-start": "start", "conference-end": "end", "participant-join": "join",
    "participant-leave": "leave", "participant-mute": "mute", "participant-unmute": "mute",
    "participant-hold": "hold", "participant-unhold": "hold", "participant-modify": "modify",
    "participant-speech-start": "speaker", "participant-speech-stop": "speaker",
    "announcement-end": "announcement", "announcement-fail": "announcement",
}
BEEPS = ("true", "false", "onEnter", "onExit")


@dataclass(frozen=True)
class Music:
    """What a participant hears while waiting or on hold: a URL's TwiML
    played round after round, Twilio's default hold music (no URL), or
    silence (an empty URL)."""

    source: TwimlSource | None = None
    silent: bool = False


@dataclass(frozen=True)
class ConferenceCallback:
    url: str
    method: str = "POST"
    events: frozenset[str] = DEFAULT_EVENTS


@dataclass(frozen=True)
class RecordingRequest:
    """``record="record-from-start"``: who asked, and where the recording's status goes."""

    call_sid: str
    callback_url: str | None = None
    callback_method: str = "POST"
    callback_events: frozenset[str] = frozenset({"completed"})


class ConferenceFull(Exception):
    pass


class Participant:
    """A leg in a conference, or on its way in (a Participants dial-out that rings)."""

    def __init__(self, call: Call, *, label: str | None = None, start_on_enter: bool = True,
                 end_on_exit: bool = False, muted: bool = False, beep: str = "true",
                 call_sid_to_coach: str | None = None, wait: Music | None = None, hold: bool = False,
                 hold_music: Music | None = None, dialled_out: bool = False) -> None:
        self.call = call
        self.label = label or None
        self.start_on_enter, self.end_on_exit = start_on_enter, end_on_exit
        self.muted, self.hold = muted, hold
        self.beep = beep
        self.call_sid_to_coach = call_sid_to_coach
        self.wait = wait or Music()
        self.hold_music = hold_music or Music()
        self.dialled_out = dialled_out
        self.joined = False
        self.left = False
        self.failed = False
        now = call.carrier.clock.now()
        self.date_created = self.date_updated = now

    @property
    def coaching(self) -> bool:
        return self.call_sid_to_coach is not None

    @property
    def connected(self) -> bool:
        return self.joined and not self.left

    @property
    def status(self) -> str:
        """Twilio's participant status: queued, connecting, ringing, connected, complete, failed."""
        if self.failed:
            return "failed"
        if self.left:
            return "complete"
        if self.joined:
            return "connected"
        return {"queued": "queued", "ringing": "ringing"}.get(self.call.status, "connecting")

    @property
    def who(self) -> str:
        party = self.call.party
        return party.name if party is not None else self.call.to

    def describe(self) -> str:
        return f"{self.label} ({self.who})" if self.label and self.label != self.who else self.who


def hears(listener: Participant, speaker: Participant, started: bool) -> bool:
    """Whether ``listener`` hears what ``speaker`` says (the carrier's audio model)."""
    if listener is speaker or not started or not (listener.connected and speaker.connected):
        return False
    if listener.hold or speaker.hold or speaker.muted:
        return False
    if speaker.coaching:
        return speaker.call_sid_to_coach == listener.call.sid
    return True


class Conference:
    def __init__(self, carrier: Carrier, friendly_name: str) -> None:
        self.carrier = carrier
        self.sid = new_sid(CONFERENCE)
        self.account_sid = carrier.account_sid
        self.friendly_name = friendly_name
        self.status = "init"
        now = carrier.clock.now()
        self.date_created = self.date_updated = now
        self.reason_ended: str | None = None
        self.call_sid_ending: str | None = None
        self.callback: ConferenceCallback | None = None
        self.max_participants = DEFAULT_MAX_PARTICIPANTS
        self.recording: Recording | None = None
        self._record: RecordingRequest | None = None
        self._recorded: list[str] = []
        self._members: list[Participant] = []
        self._lock = threading.RLock()
        self._sequence = itertools.count(1)

    # --- facts -----------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self.status == "in-progress"

    @property
    def over(self) -> bool:
        return self.status == "completed"

    def participants(self) -> list[Participant]:
        """Those connected or on their way in, in the order they came."""
        with self._lock:
            return list(self._members)

    def find(self, which: str) -> Participant | None:
        """A participant by its CallSid or its label."""
        with self._lock:
            return next((p for p in self._members if p.call.sid == which), None) or \
                next((p for p in self._members if p.label == which), None)

    def mode(self, participant: Participant) -> str:
        """``waiting`` for the conference to start, ``held``, or ``talking``."""
        with self._lock:
            if participant.hold:
                return "held"
            return "talking" if self.started else "waiting"

    def audience(self, speaker: Participant) -> list[Participant]:
        with self._lock:
            return [p for p in self._members if hears(p, speaker, self.started)]

    # --- configuration ----------------------------------------------------------------

    def subscribe(self, callback: ConferenceCallback | None, by: Call | None = None) -> None:
        """The first participant that names a status callback sets the conference's."""
        if callback is None:
            return
        with self._lock:
            if self.callback is None:
                self.callback = callback
                return
        if callback != self.callback and by is not None:
            by.note("info", f"conference {self.friendly_name} already reports to {self.callback.url}; "
                            f"statusCallback {callback.url} is not used")

    def record(self, request: RecordingRequest) -> None:
        """Record the conference from its start (the first participant to ask decides how)."""
        with self._lock:
            if self._record is not None or self.over:
                return
            self._record = request
            if self.started:
                self._start_recording()

    def _start_recording(self) -> None:
        """With the lock held: a mono recording of the conference, from now to its end."""
        self.recording = self.carrier.recordings.add(Recording(
            self._record.call_sid, self.account_sid, self.carrier.clock.now(), source="Conference",
            conference_sid=self.sid))
        self._recording_event("in-progress")

    def _recording_event(self, status: str) -> None:
        request, recording = self._record, self.recording
        if request is None or recording is None or not request.callback_url or status not in request.callback_events:
            return
        params = {"AccountSid": self.account_sid, "ConferenceSid": self.sid, "RecordingSid": recording.sid,
                  "RecordingUrl": self.carrier.api_url(recording.uri()), "RecordingStatus": status,
                  "RecordingDuration": str(recording.duration), "RecordingChannels": "1",
                  "RecordingStartTime": rfc2822(recording.started), "RecordingSource": recording.source}
        self.carrier.conferences.outbox.post(self.carrier.call(request.call_sid), request.callback_url,
                                             request.callback_method, params, f"recording {status}")

    # --- coming and going ----------------------------------------------------------------

    def expect(self, participant: Participant) -> None:
        """A Participants dial-out: listed from now on, joins when answered."""
        with self._lock:
            self._check_room()
            self._members.append(participant)
            self.date_updated = self.carrier.clock.now()

    def _check_room(self) -> None:
        if self.over or len([p for p in self._members if not p.left]) >= self.max_participants:
            raise ConferenceFull(self.friendly_name)

    def join(self, participant: Participant) -> None:
        with self._lock:
            if participant not in self._members:
                self._check_room()
                self._members.append(participant)
            elif self.over:
                raise ConferenceFull(self.friendly_name)
            participant.joined = True
            participant.date_updated = self.date_updated = self.carrier.clock.now()
            starting = not self.started and participant.start_on_enter
            self._event("participant-join", participant)
            if starting:
                self.status = "in-progress"
                self._event("conference-start", participant)
                if self._record is not None and self.recording is None:
                    self._start_recording()
                waiting = [p for p in self._members if p.connected and p is not participant]
            else:
                waiting = []
        participant.call.note("conference", f"joined conference {self.friendly_name}", conference_sid=self.sid,
                              event="joined", label=participant.label)
        if starting:
            for other in waiting:
                other.call.mailbox.put(ConferenceNews(self, "changed"))
        if participant.beep in ("true", "onEnter"):
            self._beep(participant)
        self.publish()

    def leave(self, participant: Participant, *, kicked: bool = False) -> bool:
        """``participant`` leaves (hung up, removed, redirected...); False if
        it had already.  The conference ends if it was the last, or if it
        had ``endConferenceOnExit``."""
        with self._lock:
            if participant not in self._members:
                return False
            self._members.remove(participant)
            was_in = participant.joined
            participant.left = True
            participant.date_updated = self.date_updated = self.carrier.clock.now()
            if was_in:
                self._event("participant-leave", participant)
            reason = None
            if not self.over:
                how = "kicked" if kicked else "left"
                if was_in and participant.end_on_exit:
                    reason = f"participant-with-end-conference-on-exit-{how}"
                elif not self._members:
                    reason = f"last-participant-{how}"
            ended = self._end(reason, participant.call.sid) if reason else []
        if was_in:
            participant.call.note("conference", f"left conference {self.friendly_name}", conference_sid=self.sid,
                                  event="left")
            self._unpublish(participant)
            if participant.beep in ("true", "onExit"):
                self._beep(participant)
        self._tell_ended(ended)
        self.publish()
        return True

    def drop(self, participant: Participant) -> None:
        """A dial-out that was never answered: gone, without having joined."""
        participant.failed = True
        self.leave(participant)

    def end(self, reason: str, call_sid: str | None = None) -> bool:
        """End the conference (the REST API); False if it was over."""
        with self._lock:
            if self.over:
                return False
            ended = self._end(reason, call_sid)
        self._tell_ended(ended)
        return True

    def _end(self, reason: str, call_sid: str | None) -> list[Participant]:
        """With the lock held: everyone still in leaves, then the conference ends."""
        remaining = list(self._members)
        self._members.clear()
        for member in remaining:
            if member.joined:
                member.left = True
                self._event("participant-leave", member)
            else:
                member.failed = True
        self.status, self.reason_ended, self.call_sid_ending = "completed", reason, call_sid
        self.date_updated = self.carrier.clock.now()
        self._event("conference-end", None)
        if self.recording is not None:
            recording = self.recording
            recording.words = " ".join(self._recorded)
            recording.duration = max(1, math.ceil((self.date_updated - recording.started).total_seconds()))
            recording.status, recording.date_updated = "completed", self.date_updated
            self._recording_event("completed")
        return remaining

    def _tell_ended(self, remaining: list[Participant]) -> None:
        for member in remaining:
            if member.joined:
                member.call.note("conference", f"conference {self.friendly_name} ended", conference_sid=self.sid,
                                 event="ended", reason=self.reason_ended)
                self._unpublish(member)
                member.call.mailbox.put(ConferenceNews(self, "ended"))
            else:
                member.call.mailbox.put(EndRequest("canceled"))

    # --- changes through the REST API ------------------------------------------------------

    def update(self, participant: Participant, **changes: Any) -> None:
        """Hold, mute, coach, end-on-exit and beep-on-exit changes, with their events."""
        with self._lock:
            if "hold_music" in changes:
                participant.hold_music = changes.pop("hold_music")
            if "wait" in changes:
                participant.wait = changes.pop("wait")
            hold_changed = "hold" in changes and changes["hold"] != participant.hold
            muted_changed = "muted" in changes and changes["muted"] != participant.muted
            modified = any(k in changes and changes[k] != getattr(participant, k)
                           for k in ("call_sid_to_coach", "end_on_exit", "beep"))
            for name, value in changes.items():
                setattr(participant, name, value)
            participant.date_updated = self.date_updated = self.carrier.clock.now()
            if muted_changed:
                self._event("participant-mute" if participant.muted else "participant-unmute", participant)
            if hold_changed:
                self._event("participant-hold" if participant.hold else "participant-unhold", participant)
            if modified:
                self._event("participant-modify", participant)
        if hold_changed and participant.connected:
            participant.call.note("conference", "on hold" if participant.hold else "off hold",
                                  conference_sid=self.sid, event="hold" if participant.hold else "unhold")
            participant.call.mailbox.put(ConferenceNews(self, "changed"))
        self.publish()

    # --- audio ---------------------------------------------------------------------------------

    def speak(self, speaker: Participant, text: str) -> list[Participant]:
        """``speaker`` says ``text``; each participant who hears it has it in its log."""
        with self._lock:
            audience = [p for p in self._members if hears(p, speaker, self.started)]
            self._event("participant-speech-start", speaker)
            if self.recording is not None and self.recording.status == "in-progress" and self.started and \
                    not (speaker.muted or speaker.hold or speaker.coaching):
                self._recorded.append(text)     # the conference's mix: no whispers, nothing on hold
        for listener in audience:
            listener.call.note("heard", text, utterance=plain(text), speaker=speaker.describe(),
                               conference_sid=self.sid)
        with self._lock:
            self._event("participant-speech-stop", speaker)
        return audience

    def announce(self, document: Any, to: Participant | None = None) -> None:
        """Play an announcement (a parsed document) to one participant, or to all."""
        for member in [to] if to is not None else self.participants():
            if member.connected:
                member.call.mailbox.put(ConferenceNews(self, "announce", document))
        self.announced(to)

    def announced(self, participant: Participant | None, *, failed: str | None = None) -> None:
        """An announcement was handed to the participants (or could not be fetched)."""
        with self._lock:
            self._event("announcement-fail" if failed else "announcement-end", participant)
        if failed:
            for member in [participant] if participant is not None else self.participants():
                member.call.note("notice", f"announcement failed: {failed}", code=None, conference_sid=self.sid)

    def _beep(self, about: Participant) -> None:
        for listener in self.participants():
            if listener is not about and listener.connected and self.mode(listener) == "talking":
                listener.call.note("played", "beep", conference_sid=self.sid)

    # --- what the browser phones show ---------------------------------------------------------

    def view(self, viewer: Participant) -> dict:
        """For ``viewer``'s phone: the conference, and for every other
        participant whether the viewer hears it and whether it hears the viewer."""
        with self._lock:
            started = self.started
            others = [p for p in self._members if p is not viewer]
            return {
                "sid": self.sid, "name": self.friendly_name, "status": self.status,
                "me": _marks(viewer, self),
                "others": [{**_marks(other, self), "call_sid": other.call.sid,
                            "i_hear": hears(viewer, other, started), "hears_me": hears(other, viewer, started)}
                           for other in others],
            }

    def publish(self) -> None:
        for member in self.participants():
            party = member.call.party
            if member.connected and party is not None and party.live:
                party.feed.publish("conference", call_sid=member.call.sid, conference=self.view(member))

    def _unpublish(self, member: Participant) -> None:
        party = member.call.party
        if party is not None and party.live:
            party.feed.publish("conference", call_sid=member.call.sid, conference=None)

    # --- status callbacks ------------------------------------------------------------------------

    def _event(self, name: str, participant: Participant | None, **extra: str) -> None:
        """With the lock held, so events keep their order: queue a status callback."""
        callback = self.callback
        if callback is None or _TOKEN_OF[name] not in callback.events:
            return
        params = {"AccountSid": self.account_sid, "ConferenceSid": self.sid, "FriendlyName": self.friendly_name,
                  "StatusCallbackEvent": name, "SequenceNumber": str(next(self._sequence)),
                  "Timestamp": rfc2822(self.carrier.clock.now())}
        if participant is not None:
            params.update({
                "CallSid": participant.call.sid, "Muted": _bool(participant.muted), "Hold": _bool(participant.hold),
                "Coaching": _bool(participant.coaching), "EndConferenceOnExit": _bool(participant.end_on_exit),
                "StartConferenceOnEnter": _bool(participant.start_on_enter),
            })
            if participant.label:
                params["Label"] = participant.label
            if participant.coaching:
                params["CallSidToCoach"] = participant.call_sid_to_coach
        if name == "conference-end":
            params["ReasonConferenceEnded"] = self.reason_ended or ""
            if self.call_sid_ending:
                params["CallSidEndingConference"] = self.call_sid_ending
        params.update(extra)
        self.carrier.conferences.outbox.post(
            participant.call if participant else None, callback.url, callback.method, params, name)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _marks(participant: Participant, conference: Conference) -> dict:
    coached = conference.find(participant.call_sid_to_coach) if participant.coaching else None
    return {"label": participant.label, "who": participant.who, "status": participant.status,
            "hold": participant.hold, "muted": participant.muted, "coaching": participant.coaching,
            "coaching_whom": coached.describe() if coached else None,
            "waiting": participant.connected and not conference.started}


class Outbox:
    """Conference status callbacks, posted one after the other from a thread
    of their own, so a REST request that changes a conference never waits
    for the application to answer a callback about it."""

    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def post(self, call: Call | None, url: str, method: str, params: Mapping[str, str], what: str) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="conference-callbacks", daemon=True)
                self._thread.start()
        self._queue.put((call, url, method, dict(params), what))

    def _run(self) -> None:
        while True:
            call, url, method, params, what = self._queue.get()
            try:
                self._send(call, url, method, params, what)
            finally:
                self._queue.task_done()

    def _send(self, call: Call | None, url: str, method: str, params: dict, what: str) -> None:
        label = f"conference status callback ({what})"
        try:
            reply = self.carrier.webhooks.request(url, method, params)
        except WebhookFailure as failure:
            if call is not None:
                call.note("notice", f"{label}: {failure.message}", code=CALLBACK_WARNING, url=url)
                call.errors.append({"code": CALLBACK_WARNING, "message": f"{label}: {failure.message}"})
            return
        if call is not None:
            call.note("callback", f"{label} -> HTTP {reply.status}", url=url, method=method, params=params,
                      status=reply.status)
            if reply.status >= 400:
                call.note("notice", f"{label}: the application answered HTTP {reply.status}",
                          code=CALLBACK_WARNING, url=url)
                call.errors.append({"code": CALLBACK_WARNING, "message": f"{label}: HTTP {reply.status}"})

    def join(self, timeout: float) -> None:
        """Wait (up to ``timeout``) for the callbacks queued so far to go out."""
        done = threading.Event()

        def drained() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=drained, daemon=True).start()
        done.wait(timeout)


class ConferenceRegistry:
    def __init__(self, carrier: Carrier) -> None:
        self.carrier = carrier
        self.outbox = Outbox(carrier)
        self._conferences: dict[str, Conference] = {}
        self._lock = threading.Lock()

    def get_or_create(self, friendly_name: str) -> Conference:
        """The live conference of that name, or a new one."""
        with self._lock:
            live = self._live(friendly_name)
            if live is not None:
                return live
            conference = Conference(self.carrier, friendly_name)
            self._conferences[conference.sid] = conference
            return conference

    def named(self, friendly_name: str) -> Conference | None:
        with self._lock:
            return self._live(friendly_name)

    def _live(self, friendly_name: str) -> Conference | None:
        return next((c for c in self._conferences.values() if c.friendly_name == friendly_name and not c.over),
                    None)

    def get(self, sid: str) -> Conference | None:
        with self._lock:
            return self._conferences.get(sid)

    def all(self) -> list[Conference]:
        with self._lock:
            return list(self._conferences.values())

    def of_call(self, call_sid: str) -> tuple[Conference, Participant] | None:
        """The conference a call is in now, if any."""
        for conference in self.all():
            found = conference.find(call_sid)
            if found is not None and found.call.sid == call_sid:
                return conference, found
        return None

