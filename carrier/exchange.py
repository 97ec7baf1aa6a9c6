"""The carrier itself: the account's numbers, who answers which address, the
calls, queues and recordings, and the threads that run calls.

Everything a test, the REST API, the browser phone or the terminal does to
calls goes through ``Carrier`` (and to SMS through ``Carrier.messages``): a party dials one of the account's numbers
(``call_in``), the application places a call (``create_call``), a live call
is redirected or ended (``update_call``), a person presses a key
(``deliver``).
"""
from __future__ import annotations

import itertools
import threading
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from carrier.actions import Action
from carrier.call_recording import finish as finish_recordings
from carrier.calls import Call, ConferenceNews, EndRequest, LogEntry, RedirectRequest, StatusCallback, TwimlSource
from carrier.clock import Clock
from carrier.conferences import ConferenceFull, ConferenceRegistry, Participant
from carrier.interpreter import Interpreter
from carrier.messages import Messaging
from carrier.parties import Directory, Party
from carrier.queues import QueueRegistry
from carrier.recordings import RecordingStore
from carrier.sids import CALL, PHONE_NUMBER, new_sid
from carrier.speech import Utterance
from carrier.webhooks import CALLBACK_WARNING, Routes, WebhookFailure, Webhooks

# How long a person may leave a prompt unanswered before the carrier hangs up.
IDLE_LIMIT_SECONDS = 600
DEFAULT_RING_SECONDS = 60


@dataclass(frozen=True)
class IncomingNumber:
    """One of the account's phone numbers and its voice configuration."""

    number: str
    voice_url: str
    voice_method: str = "POST"
    fallback_url: str | None = None
    fallback_method: str = "POST"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    friendly_name: str = ""
    sms_url: str | None = None            # the Messaging webhook ("A message comes in")
    sms_method: str = "POST"
    sid: str = field(default_factory=lambda: new_sid(PHONE_NUMBER))


def hotline_numbers(lines, service_base: str) -> list[IncomingNumber]:
    """Each line's numbers configured as a Twilio number would be for the
    service at ``service_base``: Voice URL, Fallback URL, status callback,
    and the Messaging webhook for texts."""
    base = service_base.rstrip("/")
    return [IncomingNumber(number, f"{base}/voice/incoming", fallback_url=f"{base}/voice/fallback",
                           status_callback=f"{base}/voice/status", friendly_name=line.name("zh-CN"),
                           sms_url=f"{base}/sms/incoming")
            for line in lines for number in line.numbers]


class CallStateError(Exception):
    """A live-call operation on a call that is not live (Twilio's 21220)."""


class Carrier:
    def __init__(self, account_sid: str, auth_token: str, *, api_base_url: str = "",
                 clock: Clock | None = None, strict: bool = True, routes: Routes | None = None,
                 webhook_timeout: float | None = None, idle_limit: float = IDLE_LIMIT_SECONDS) -> None:
        self.account_sid, self.auth_token = account_sid, auth_token
        self.api_base_url = api_base_url.rstrip("/")
        self.clock = clock or Clock()
        self.strict = strict
        self.idle_limit = idle_limit
        self.webhooks = Webhooks(auth_token, routes=routes,
                                 **({"timeout": webhook_timeout} if webhook_timeout else {}))
        self.directory = Directory()
        self.numbers: dict[str, IncomingNumber] = {}
        self.queues = QueueRegistry(self.clock)
        self.conferences = ConferenceRegistry(self)
        self.recordings = RecordingStore()
        self.messages = Messaging(self)
        self.changed = threading.Condition()
        self._calls: dict[str, Call] = {}
        self._log_seq = itertools.count(1)
        self._threads: list[threading.Thread] = []
        self._threads_lock = threading.Lock()

    # --- configuration ------------------------------------------------------------------

    def add_number(self, number: IncomingNumber) -> IncomingNumber:
        self.numbers[number.number] = number
        return number

    def api_url(self, uri: str) -> str:
        """An absolute URL of a REST resource (a recording's media, say)."""
        return self.api_base_url + uri

    # --- placing calls ------------------------------------------------------------------

    def call_in(self, party: Party, to: str, *, from_: str | None = None, caller_name: str | None = None,
                forwarded_from: str | None = None) -> Call:
        """``party`` dials ``to``, one of the account's numbers."""
        number = self.numbers.get(to)
        call = self._new_call(
            from_ or party.address, to, "inbound", party, status="ringing",
            source=TwimlSource(number.voice_url, number.voice_method) if number else None,
            fallback=(TwimlSource(number.fallback_url, number.fallback_method)
                      if number and number.fallback_url else None),
            # A number's status callback reports the end of the call only.
            status_callback=StatusCallback(number.status_callback, number.status_callback_method)
            if number and number.status_callback else None,
            caller_name=caller_name, forwarded_from=forwarded_from,
        )
        self._start(call, Interpreter(self, call).run_inbound)
        return call

    def create_call(self, *, to: str, from_: str, source: TwimlSource, fallback: TwimlSource | None = None,
                    status_callback: StatusCallback | None = None, timeout: int = DEFAULT_RING_SECONDS,
                    machine_detection: str | None = None, send_digits: str | None = None) -> Call:
        """The application places a call (the Calls REST resource)."""
        call = self.queue_call(to=to, from_=from_, source=source, fallback=fallback,
                               status_callback=status_callback, machine_detection=machine_detection)
        self.start_call(call, timeout, send_digits)
        return call

    def queue_call(self, *, to: str, from_: str, source: TwimlSource, fallback: TwimlSource | None = None,
                   status_callback: StatusCallback | None = None, machine_detection: str | None = None) -> Call:
        """A placed call, queued: as Twilio's answer to the request shows it,
        before ``start_call`` rings it."""
        return self._new_call(from_, to, "outbound-api", self.directory.lookup(to), source=source,
                              fallback=fallback, status_callback=status_callback,
                              machine_detection=machine_detection)

    def start_call(self, call: Call, timeout: int = DEFAULT_RING_SECONDS, send_digits: str | None = None) -> None:
        """Ring a queued call."""
        self._start(call, lambda: Interpreter(self, call).run_outbound(timeout, send_digits))

    def dial_leg(self, parent: Call, to: str, from_: str, status_callback: StatusCallback) -> Call:
        """A leg of ``<Dial>``, run by the parent's thread, which hears its mailbox."""
        leg = self._new_call(from_, to, "outbound-dial", self.directory.lookup(to), parent=parent,
                             status_callback=status_callback)
        leg.mailbox.forward_to(parent.mailbox)
        return leg

    def dial_participant(self, conference, participant_options: dict[str, Any], *, to: str, from_: str,
                         status_callback: StatusCallback | None, timeout: int) -> Participant:
        """The Participants resource dials ``to``; answered, the leg joins ``conference``."""
        call = self._new_call(from_, to, "outbound-api", self.directory.lookup(to), status_callback=status_callback)
        participant = Participant(call, dialled_out=True, **participant_options)
        try:
            conference.expect(participant)
        except ConferenceFull:
            call.set_status("failed")
            raise
        self._start(call, lambda: Interpreter(self, call).run_dial_out(conference, participant, timeout))
        return participant

    def remove_participant(self, conference, participant: Participant) -> None:
        """The Participants resource removes a leg: it leaves at once, and its
        thread goes on (a <Dial> to its action; a dial-out hangs up).  One
        still ringing stops ringing."""
        if participant.joined:
            if conference.leave(participant, kicked=True):
                participant.call.mailbox.put(ConferenceNews(conference, "removed"))
        else:
            conference.drop(participant)
            participant.call.mailbox.put(EndRequest("canceled"))

    def release_leg(self, leg: Call, source: TwimlSource) -> None:
        """A dialled leg redirected out of its bridge continues on its own thread."""
        leg.mailbox.forward_to(None)
        self._start(leg, lambda: Interpreter(self, leg).run_redirected(source))

    def _new_call(self, from_: str, to: str, direction: str, party: Party | None, **details: Any) -> Call:
        call = Call(self, sid=new_sid(CALL), from_=from_, to=to, direction=direction, party=party, **details)
        with self.changed:
            self._calls[call.sid] = call
        if party is not None:
            party.attach(call)
        return call

    def _start(self, call: Call, run: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                run()
            except Exception as exc:  # noqa: BLE001 - a carrier bug must not leave a call hanging forever
                call.note("notice", f"local carrier error: {exc!r}", code=None, traceback=traceback.format_exc())
            finally:
                if call.live:
                    call.set_status("completed" if call.answered_at else "failed")

        thread = threading.Thread(target=guarded, name=f"call-{call.sid}", daemon=True)
        with self._threads_lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    # --- changing live calls ---------------------------------------------------------------

    def update_call(self, call: Call, *, source: TwimlSource | None = None, status: str | None = None,
                    status_callback: StatusCallback | None = None, fallback: TwimlSource | None = None) -> None:
        if not call.live:
            raise CallStateError(call.sid)
        if status_callback is not None:
            call.status_callback = status_callback
        if fallback is not None:
            call.fallback = fallback
        answered = call.status == "in-progress"
        if status == "completed" or (status == "canceled" and not answered):
            # Twilio: "canceled" only stops a call that has not been answered.
            call.mailbox.put(EndRequest("completed" if answered else "canceled"))
        elif source is not None:
            if answered:
                call.mailbox.put(RedirectRequest(source))
            else:
                call.source = source          # not answered yet: the new TwiML runs on answer

    def deliver(self, call_sid: str, action: Action | Any) -> bool:
        """An action from a person's phone (a key, words, answer, hang-up)."""
        call = self.call(call_sid)
        if call is None or not call.live:
            return False
        call.mailbox.put(action)
        return True

    # --- looking things up ------------------------------------------------------------------

    def call(self, sid: str) -> Call | None:
        with self.changed:
            return self._calls.get(sid)

    def calls(self) -> list[Call]:
        with self.changed:
            return list(self._calls.values())

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Block until ``predicate`` holds; it is re-checked whenever any call changes."""
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    # --- hooks for calls -----------------------------------------------------------------

    def record(self, call: Call, kind: str, text: str, data: Mapping[str, Any],
               utterance: Utterance | None) -> LogEntry:
        with self.changed:
            entry = LogEntry(next(self._log_seq), self.clock.now(), call.sid, kind, text, dict(data), utterance)
            call.log.append(entry)
            self.changed.notify_all()
        return entry

    def notify(self, call: Call, url: str, method: str, params: Mapping[str, str], *, what: str) -> None:
        """A request whose answer does not matter (status and recording callbacks)."""
        try:
            reply = self.webhooks.request(url, method, params)
        except WebhookFailure as failure:
            call.note("notice", f"{what}: {failure.message}", code=CALLBACK_WARNING, url=url)
            call.errors.append({"code": CALLBACK_WARNING, "message": f"{what}: {failure.message}"})
            return
        call.note("callback", f"{what} -> HTTP {reply.status}", url=url, method=method, params=dict(params),
                  status=reply.status)
        if reply.status >= 400:
            call.note("notice", f"{what}: the application answered HTTP {reply.status}", code=CALLBACK_WARNING,
                      url=url)
            call.errors.append({"code": CALLBACK_WARNING, "message": f"{what}: HTTP {reply.status}"})

    def call_ended(self, call: Call) -> None:
        if call.bridge is not None:
            call.bridge.end(call)
        finish_recordings(self, call)

    # --- shutting down -------------------------------------------------------------------------

    def shutdown(self, timeout: float = 5.0) -> None:
        """End every live call and wait for the threads that run them."""
        for call in self.calls():
            if call.live:
                call.mailbox.put(EndRequest("completed"))
        with self._threads_lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)
        self.messages.join(timeout)
        self.conferences.outbox.join(timeout)
